/* fixtures: the tools, resources and prompts the official MCP conformance suite (0.1.16) calls,
 * plus two of ours for tests (a cancellable sleep and a schema exerciser). Exposed only with
 * --conformance-fixtures; names and texts are fixed by the suite's scenarios. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/fixtures.h"
#include "mcp/server.h"

/* A 1x1 PNG and a short 8 kHz WAV. */
static const char png_b64[] = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
static const char wav_b64[] = "UklGRkQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YSAAAACAoMCggGBAYICgwKCAYEBggKDAoIBgQGCAoMCggGBAYA==";

static json_t *image(void)
{
    return json_pack("{s:s, s:s, s:s}", "type", "image", "data", png_b64, "mimeType", "image/png");
}

static json_t *embedded(const char *uri, const char *mime, const char *text)
{
    return json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "resource", "resource", "uri", uri,
                     "mimeType", mime, "text", text);
}

static json_t *t_simple_text(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)c, (void)t, (void)args;
    return content_text_result("This is a simple text response for testing.");
}

static json_t *t_image(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)c, (void)t, (void)args;
    return json_pack("{s:[o]}", "content", image());
}

static json_t *t_audio(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)c, (void)t, (void)args;
    return json_pack("{s:[{s:s, s:s, s:s}]}", "content", "type", "audio", "data", wav_b64,
                     "mimeType", "audio/wav");
}

static json_t *t_embedded(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)c, (void)t, (void)args;
    return json_pack("{s:[o]}", "content",
                     embedded("test://embedded-resource", "text/plain",
                              "This is an embedded resource content."));
}

static json_t *t_mixed(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)c, (void)t, (void)args;
    return json_pack("{s:[o, o, o]}", "content", content_text("Multiple content types test:"),
                     image(),
                     embedded("test://mixed-content-resource", "application/json",
                              "{\"test\":\"data\",\"value\":123}"));
}

static json_t *t_logging(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    static const char *const steps[] = {"Tool execution started", "Tool processing data",
                                        "Tool execution completed"};
    (void)t, (void)args;
    for (size_t i = 0; i < 3; i++) {
        mcp_call_log(c, LOG_INFO, "conformance", json_string(steps[i]));
        if (i < 2 && mcp_call_sleep_ms(c, 50) < 0)
            break;
    }
    return content_text_result("Tool with logging executed successfully");
}

static json_t *t_error(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)c, (void)t, (void)args;
    return content_error_result("This tool intentionally returns an error for testing");
}

static json_t *t_progress(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)t, (void)args;
    /* A pause after the last step too: the TypeScript SDK client runs progress handlers a
     * microtask late, so a notification read together with the result would be dropped. */
    for (int step = 0; step <= 100; step += 50) {
        mcp_call_progress(c, step, 100, NULL);
        if (mcp_call_sleep_ms(c, 50) < 0)
            break;
    }
    return content_text_result("Tool with progress executed successfully");
}

static json_t *ask_client(struct mcp_call *c, const char *capability, const char *method,
                          json_t *params)
{
    unsigned timeout = mcp_server_settings(mcp_call_server(c))->client_timeout_ms;
    char err[512];
    json_t *r;

    if (!mcp_call_client_supports(c, capability)) {
        json_decref(params);
        return content_error_result("the client did not declare the '%s' capability, so this "
                                    "tool cannot ask it",
                                    capability);
    }
    r = mcp_call_client_request(c, method, params, timeout, err, sizeof(err));
    return r ? r : content_error_result("%s", err);
}

static json_t *t_sampling(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    json_t *r, *text;
    char *out;
    (void)t;

    r = ask_client(c, "sampling", "sampling/createMessage",
                   json_pack("{s:[{s:s, s:{s:s, s:O}}], s:i}", "messages", "role", "user",
                             "content", "type", "text", "text", json_object_get(args, "prompt"),
                             "maxTokens", 100));
    if (json_object_get(r, "isError"))
        return r;
    text = json_object_get(json_object_get(r, "content"), "text");
    if (asprintf(&out, "LLM response: %s", json_is_string(text) ? json_string_value(text) : "") < 0)
        out = NULL;
    json_decref(r);
    r = content_text_result(out);
    free(out);
    return r;
}

static json_t *elicit(struct mcp_call *c, json_t *params)
{
    json_t *r = ask_client(c, "elicitation", "elicitation/create", params);
    char *dump, *out;

    if (json_object_get(r, "isError"))
        return r;
    dump = json_dumps(r, JSON_COMPACT);
    if (asprintf(&out, "User response: %s", dump ? dump : "") < 0)
        out = NULL;
    free(dump);
    json_decref(r);
    r = content_text_result(out);
    free(out);
    return r;
}

static json_t *t_elicitation(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)t;
    return elicit(c, json_pack("{s:O, s:{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}}, s:[s, s]}}",
                               "message", json_object_get(args, "message"), "requestedSchema",
                               "type", "object", "properties",
                               "username", "type", "string", "description", "Your username",
                               "email", "type", "string", "description", "Your email address",
                               "required", "username", "email"));
}

static json_t *t_sep1034(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    json_error_t je;
    (void)t, (void)args;
    return elicit(c, json_loads(
        "{\"message\":\"Please review and update the form fields with defaults\","
        "\"requestedSchema\":{\"type\":\"object\",\"properties\":{"
        "\"name\":{\"type\":\"string\",\"description\":\"User name\",\"default\":\"John Doe\"},"
        "\"age\":{\"type\":\"integer\",\"description\":\"User age\",\"default\":30},"
        "\"score\":{\"type\":\"number\",\"description\":\"User score\",\"default\":95.5},"
        "\"status\":{\"type\":\"string\",\"description\":\"User status\","
        "\"enum\":[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"},"
        "\"verified\":{\"type\":\"boolean\",\"description\":\"Verification status\",\"default\":true}"
        "}}}", 0, &je));
}

static json_t *t_sep1330(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    json_error_t je;
    (void)t, (void)args;
    return elicit(c, json_loads(
        "{\"message\":\"Please select options from the enum fields\","
        "\"requestedSchema\":{\"type\":\"object\",\"properties\":{"
        "\"untitledSingle\":{\"type\":\"string\",\"description\":\"Select one option\","
        "\"enum\":[\"option1\",\"option2\",\"option3\"]},"
        "\"titledSingle\":{\"type\":\"string\",\"description\":\"Select one option with titles\","
        "\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},"
        "{\"const\":\"value2\",\"title\":\"Second Option\"},{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
        "\"legacyEnum\":{\"type\":\"string\",\"description\":\"Select one option (legacy)\","
        "\"enum\":[\"opt1\",\"opt2\",\"opt3\"],\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
        "\"untitledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options\","
        "\"minItems\":1,\"maxItems\":3,\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
        "\"titledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options with titles\","
        "\"minItems\":1,\"maxItems\":3,\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First Choice\"},"
        "{\"const\":\"value2\",\"title\":\"Second Choice\"},{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}"
        "},\"required\":[]}}", 0, &je));
}

static json_t *t_sleep(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    json_int_t ms = json_integer_value(json_object_get(args, "ms"));
    char text[64];
    (void)t;

    if (mcp_call_sleep_ms(c, (unsigned)ms) < 0)
        return content_error_result("cancelled");
    snprintf(text, sizeof(text), "slept %lld ms", (long long)ms);
    return content_text_result(text);
}

static json_t *t_schema(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)c, (void)t;
    json_t *echo = json_deep_copy(args);
    json_object_del(echo, "secret");
    return content_structured_result(json_pack("{s:o}", "received", echo));
}

static atomic_uint watched_version;

static json_t *t_update_resource(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)t, (void)args;
    atomic_fetch_add(&watched_version, 1);
    mcp_server_resource_updated(mcp_call_server(c), "test://watched-resource");
    return content_text_result("test://watched-resource updated");
}

#define NO_ARGS NULL
#define RO (TOOL_F_READONLY)

static const struct mcp_tool tools[] = {
    {"test_simple_text", "Simple text", "Returns a simple text response.", NO_ARGS, NULL, RO,
     t_simple_text, 0, NULL, NULL},
    {"test_image_content", "Image content", "Returns an image.", NO_ARGS, NULL, RO, t_image, 0, NULL, NULL},
    {"test_audio_content", "Audio content", "Returns audio.", NO_ARGS, NULL, RO, t_audio, 0, NULL, NULL},
    {"test_embedded_resource", "Embedded resource", "Returns an embedded resource.", NO_ARGS,
     NULL, RO, t_embedded, 0, NULL, NULL},
    {"test_multiple_content_types", "Mixed content", "Returns text, an image and a resource.",
     NO_ARGS, NULL, RO, t_mixed, 0, NULL, NULL},
    {"test_tool_with_logging", "Logging", "Sends three log messages while it runs.", NO_ARGS,
     NULL, RO, t_logging, 0, NULL, NULL},
    {"test_error_handling", "Error", "Always fails with a tool error.", NO_ARGS, NULL, RO, t_error, 0, NULL, NULL},
    {"test_tool_with_progress", "Progress", "Reports progress 0, 50 and 100 of 100.", NO_ARGS,
     NULL, RO, t_progress, 0, NULL, NULL},
    {"test_sampling", "Sampling", "Asks the client's model to answer a prompt.",
     "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\",\"description\":"
     "\"The prompt to send to the client's model\"}},\"required\":[\"prompt\"],"
     "\"additionalProperties\":false}",
     NULL, RO, t_sampling, 0, NULL, NULL},
    {"test_elicitation", "Elicitation", "Asks the user for a username and an email address.",
     "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"description\":"
     "\"The message shown to the user\"}},\"required\":[\"message\"],"
     "\"additionalProperties\":false}",
     NULL, RO, t_elicitation, 0, NULL, NULL},
    {"test_elicitation_sep1034_defaults", "Elicitation defaults",
     "Asks the user with a form whose fields have defaults (SEP-1034).", NO_ARGS, NULL, RO,
     t_sep1034, 0, NULL, NULL},
    {"test_elicitation_sep1330_enums", "Elicitation enums",
     "Asks the user with the five enum forms of SEP-1330.", NO_ARGS, NULL, RO, t_sep1330, 0, NULL, NULL},
    {"test_sleep", "Sleep", "Sleeps for ms milliseconds; cancellable. For tests.",
     "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\",\"minimum\":0,"
     "\"maximum\":600000,\"description\":\"How long to sleep, in milliseconds\"}},"
     "\"required\":[\"ms\"],\"additionalProperties\":false}",
     NULL, RO, t_sleep, 0, NULL, NULL},
    {"test_schema", "Schema exerciser",
     "Echoes its arguments after validation; exercises every supported schema keyword.",
     "{\"type\":\"object\",\"properties\":{"
     "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":16,\"pattern\":\"^[a-z][a-z0-9_]*$\","
     "\"description\":\"A lower-case identifier\"},"
     "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,\"description\":\"How many, 1 to 100\"},"
     "\"mode\":{\"type\":\"string\",\"enum\":[\"fast\",\"safe\"],\"description\":\"fast or safe\"},"
     "\"tags\":{\"type\":\"array\",\"maxItems\":4,\"items\":{\"type\":\"string\"},"
     "\"description\":\"Up to four labels\"},"
     "\"flag\":{\"type\":\"boolean\",\"description\":\"A switch\"},"
     "\"secret\":{\"type\":\"string\",\"description\":\"A value that must never be logged or echoed\"}"
     "},\"required\":[\"name\",\"count\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"received\":{\"type\":\"object\"}},"
     "\"required\":[\"received\"]}",
     RO, t_schema, 0, NULL, NULL},
    {"test_update_resource", "Update watched resource",
     "Changes test://watched-resource and notifies its subscribers.", NO_ARGS, NULL,
     TOOL_F_IDEMPOTENT, t_update_resource, 0, NULL, NULL},
};

static json_t *t_scope(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    char text[64];
    (void)c, (void)args;
    snprintf(text, sizeof(text), "allowed: %s", scope_bit_name(t->scope));
    return content_text_result(text);
}

/* One tool per scope, for the role x scope matrix. */
static const struct mcp_tool scope_tools[] = {
    {"test_scope_mi_read", "Scope mi.read", "Needs mi.read; for role tests.", NO_ARGS, NULL, RO, t_scope, SCOPE_BIT(SCOPE_MI_READ), NULL, NULL},
    {"test_scope_mi_write", "Scope mi.write", "Needs mi.write; for role tests.", NO_ARGS, NULL, TOOL_F_IDEMPOTENT, t_scope, SCOPE_BIT(SCOPE_MI_WRITE), NULL, NULL},
    {"test_scope_mi_execute", "Scope mi.execute", "Needs mi.execute; for role tests.", NO_ARGS, NULL, TOOL_F_IDEMPOTENT, t_scope, SCOPE_BIT(SCOPE_MI_EXECUTE), NULL, NULL},
    {"test_scope_stats_read", "Scope stats.read", "Needs stats.read; for role tests.", NO_ARGS, NULL, RO, t_scope, SCOPE_BIT(SCOPE_STATS_READ), NULL, NULL},
    {"test_scope_db_read", "Scope db.read", "Needs db.read; for role tests.", NO_ARGS, NULL, RO, t_scope, SCOPE_BIT(SCOPE_DB_READ), NULL, NULL},
    {"test_scope_db_write", "Scope db.write", "Needs db.write; for role tests.", NO_ARGS, NULL, TOOL_F_IDEMPOTENT, t_scope, SCOPE_BIT(SCOPE_DB_WRITE), NULL, NULL},
    {"test_scope_config_read", "Scope config.read", "Needs config.read; for role tests.", NO_ARGS, NULL, RO, t_scope, SCOPE_BIT(SCOPE_CONFIG_READ), NULL, NULL},
    {"test_scope_config_write", "Scope config.write", "Needs config.write; for role tests.", NO_ARGS, NULL, TOOL_F_IDEMPOTENT, t_scope, SCOPE_BIT(SCOPE_CONFIG_WRITE), NULL, NULL},
    {"test_scope_process_manage", "Scope process.manage", "Needs process.manage; for role tests.", NO_ARGS, NULL, TOOL_F_IDEMPOTENT, t_scope, SCOPE_BIT(SCOPE_PROCESS_MANAGE), NULL, NULL},
    {"test_scope_server_admin", "Scope server.admin", "Needs server.admin; for role tests.", NO_ARGS, NULL, TOOL_F_IDEMPOTENT, t_scope, SCOPE_BIT(SCOPE_SERVER_ADMIN), NULL, NULL},
};

static json_t *text_contents(const char *uri, const char *mime, const char *text)
{
    return json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType", mime, "text", text);
}

static json_t *r_static_text(struct mcp_call *c, const struct mcp_resource *r, const char *uri,
                             json_t *vars, struct rpc_err *e)
{
    (void)c, (void)r, (void)vars, (void)e;
    return text_contents(uri, "text/plain", "This is the content of the static text resource.");
}

static json_t *r_static_binary(struct mcp_call *c, const struct mcp_resource *r, const char *uri,
                               json_t *vars, struct rpc_err *e)
{
    (void)c, (void)r, (void)vars, (void)e;
    return json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType", "image/png", "blob", png_b64);
}

static json_t *r_watched(struct mcp_call *c, const struct mcp_resource *r, const char *uri,
                         json_t *vars, struct rpc_err *e)
{
    char text[96];
    (void)c, (void)r, (void)vars, (void)e;
    snprintf(text, sizeof(text), "Watched resource content, version %u",
             atomic_load(&watched_version));
    return text_contents(uri, "text/plain", text);
}

static json_t *r_template(struct mcp_call *c, const struct mcp_resource *r, const char *uri,
                          json_t *vars, struct rpc_err *e)
{
    json_t *id = json_object_get(vars, "id"), *body, *out;
    char *text;
    (void)c, (void)r, (void)e;

    body = json_pack("{s:O, s:b, s:s+}", "id", id, "templateTest", 1, "data", "Data for ID: ",
                     json_string_value(id));
    text = json_dumps(body, JSON_COMPACT);
    out = text_contents(uri, "application/json", text ? text : "{}");
    free(text);
    json_decref(body);
    return out;
}

static const char *const template_ids[] = {"1", "2", "3", "123", NULL};
static const struct mcp_completion template_completions[] = {{"id", template_ids}, {NULL, NULL}};

static const struct mcp_resource resources[] = {
    {"test://static-text", false, "static-text", "Static text", "A fixed text resource.",
     "text/plain", r_static_text, NULL},
    {"test://static-binary", false, "static-binary", "Static binary", "A fixed PNG image.",
     "image/png", r_static_binary, NULL},
    {"test://watched-resource", false, "watched-resource", "Watched resource",
     "A resource to subscribe to; test_update_resource changes it.", "text/plain", r_watched, NULL},
    {"test://template/{id}/data", true, "template-data", "Template data",
     "A resource template with one variable, id.", "application/json", r_template,
     template_completions},
};

static json_t *user_text(const char *text)
{
    return json_pack("{s:s, s:o}", "role", "user", "content", content_text(text));
}

static json_t *p_simple(struct mcp_call *c, const struct mcp_prompt *p, json_t *args,
                        struct rpc_err *e)
{
    (void)c, (void)p, (void)args, (void)e;
    return json_pack("{s:[o]}", "messages", user_text("This is a simple prompt for testing."));
}

static json_t *p_args(struct mcp_call *c, const struct mcp_prompt *p, json_t *args,
                      struct rpc_err *e)
{
    char *text;
    json_t *r;
    (void)c, (void)p, (void)e;

    if (asprintf(&text, "Prompt with arguments: arg1='%s', arg2='%s'",
                 json_string_value(json_object_get(args, "arg1")),
                 json_string_value(json_object_get(args, "arg2"))) < 0)
        return NULL;
    r = json_pack("{s:[o]}", "messages", user_text(text));
    free(text);
    return r;
}

static json_t *p_embedded(struct mcp_call *c, const struct mcp_prompt *p, json_t *args,
                          struct rpc_err *e)
{
    (void)c, (void)p, (void)e;
    return json_pack("{s:[{s:s, s:o}, o]}", "messages", "role", "user", "content",
                     embedded(json_string_value(json_object_get(args, "resourceUri")),
                              "text/plain", "Embedded resource content for testing."),
                     user_text("Please process the embedded resource above."));
}

static json_t *p_image(struct mcp_call *c, const struct mcp_prompt *p, json_t *args,
                       struct rpc_err *e)
{
    (void)c, (void)p, (void)args, (void)e;
    return json_pack("{s:[{s:s, s:o}, o]}", "messages", "role", "user", "content", image(),
                     user_text("Please analyze the image above."));
}

static const struct mcp_prompt_arg no_args[] = {{NULL, NULL, false}};
static const struct mcp_prompt_arg args_args[] = {
    {"arg1", "First test argument", true},
    {"arg2", "Second test argument", true},
    {NULL, NULL, false},
};
static const struct mcp_prompt_arg embedded_args[] = {
    {"resourceUri", "URI of the resource to embed", true},
    {NULL, NULL, false},
};
static const char *const arg1_values[] = {"test", "testing", "tested", "value", NULL};
static const struct mcp_completion args_completions[] = {{"arg1", arg1_values}, {NULL, NULL}};

static const struct mcp_prompt prompts[] = {
    {"test_simple_prompt", "Simple prompt", "A prompt with no arguments.", no_args, p_simple, NULL},
    {"test_prompt_with_arguments", "Prompt with arguments", "A prompt with two required arguments.",
     args_args, p_args, args_completions},
    {"test_prompt_with_embedded_resource", "Prompt with a resource",
     "A prompt that embeds the resource it is given.", embedded_args, p_embedded, NULL},
    {"test_prompt_with_image", "Prompt with an image", "A prompt that carries an image.", no_args,
     p_image, NULL},
};

int fixtures_register(struct registry *reg)
{
    if (registry_add_tools(reg, tools, sizeof(tools) / sizeof(tools[0])) < 0 ||
        registry_add_tools(reg, scope_tools, sizeof(scope_tools) / sizeof(scope_tools[0])) < 0 ||
        registry_add_resources(reg, resources, sizeof(resources) / sizeof(resources[0])) < 0 ||
        registry_add_prompts(reg, prompts, sizeof(prompts) / sizeof(prompts[0])) < 0)
        return -1;
    return 0;
}
