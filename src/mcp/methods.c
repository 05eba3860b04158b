/* methods: the MCP methods and notifications this server answers, as a table, and their
 * handlers (lifecycle, listing, tools/call, resources, prompts, completion, logging). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonrpc.h"
#include "log.h"
#include "mcp/content.h"
#include "mcp/internal.h"
#include "mcp/schema.h"
#include "utf8.h"
#include "version.h"

/* Revisions we speak, newest first; anything else is answered with the first
 * (basic/lifecycle.mdx, "Version Negotiation"). */
static const char *const protocol_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                "2024-11-05"};

/* The entry of protocol_versions equal to the `len` bytes at v, or NULL. */
static const char *protocol_find(const char *v, size_t len)
{
    for (size_t i = 0; i < sizeof(protocol_versions) / sizeof(protocol_versions[0]); i++)
        if (len == strlen(protocol_versions[i]) && !memcmp(v, protocol_versions[i], len))
            return protocol_versions[i];
    return NULL;
}

bool mcp_protocol_supported(const char *v, size_t len)
{
    return protocol_find(v, len) != NULL;
}

static const char instructions[] =
    "This server operates OpenSIPS SIP servers through their Management Interface (MI). "
    "Read before you write: list and inspect first (dialogs, registrations, gateways, "
    "statistics), then change state only when the user asked for it. Tools that change state "
    "are marked readOnlyHint=false; destructive ones ask for confirmation (an elicitation, or "
    "pass confirm=true after the user agreed). Listing tools page their results: pass limit and "
    "offset and read the total instead of asking for everything. Every tool takes an optional "
    "node naming which OpenSIPS to talk to; the default node is used otherwise. When a tool "
    "returns isError, its text says what went wrong and what to try next.";

static json_t *str_param(json_t *params, const char *key, struct rpc_err *e)
{
    json_t *v = json_object_get(params, key);

    if (!json_is_string(v)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: '%s' must be a string", key);
        return NULL;
    }
    return v;
}

static json_t *m_initialize(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    struct mcp_session *s = c->sess;
    json_t *pv = str_param(params, "protocolVersion", e), *caps;
    const char *version;

    if (!pv)
        return NULL;
    caps = json_object_get(params, "capabilities");
    if (caps && !json_is_object(caps)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: 'capabilities' must be an object");
        return NULL;
    }
    version = protocol_find(json_string_value(pv), strlen(json_string_value(pv)));
    if (!version)
        version = protocol_versions[0];

    pthread_mutex_lock(&s->lock);
    if (s->initialized) {
        pthread_mutex_unlock(&s->lock);
        rpc_err_set(e, JSONRPC_INVALID_REQUEST,
                    "Invalid Request: the session is already initialized");
        return NULL;
    }
    s->initialized = true;
    snprintf(s->version, sizeof(s->version), "%s", version);
    s->client_caps = caps ? json_incref(caps) : json_object();
    pthread_mutex_unlock(&s->lock);

    return json_pack("{s:s, s:{s:{s:b}, s:{s:b, s:b}, s:{s:b}, s:{}, s:{}}, s:{s:s, s:s, s:s}, s:s}",
                     "protocolVersion", version,
                     "capabilities",
                     "tools", "listChanged", 1,
                     "resources", "subscribe", 1, "listChanged", 1,
                     "prompts", "listChanged", 1,
                     "logging", "completions",
                     "serverInfo", "name", OPENSIPS_MCP_NAME, "title", OPENSIPS_MCP_TITLE,
                     "version", OPENSIPS_MCP_VERSION,
                     "instructions", instructions);
}

static json_t *m_ping(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    (void)c, (void)params, (void)e;
    return json_object();
}

static json_t *list(struct mcp_call *c, json_t *params, struct rpc_err *e, enum registry_kind kind)
{
    struct mcp_server *srv = c->sess->srv;
    return registry_list(&srv->reg, kind, params, srv->settings->page_size, NULL, NULL, e);
}

/* Why this session may not call tool t (a sentence), or NULL when it may. */
/* "'mi.read'", "'mi.read' and 'mi.write'", ... for the scopes in `set`; how many in *k. */
static void scope_list(scopes_t set, char *list, size_t n, size_t *k)
{
    const char *names[SCOPE_COUNT];
    size_t used = 0;

    *k = 0;
    list[0] = '\0';
    for (int sc = 0; sc < SCOPE_COUNT; sc++)
        if (set & SCOPE_BIT(sc))
            names[(*k)++] = scope_name((enum scope)sc);
    for (size_t i = 0; i < *k; i++) {
        int w = snprintf(list + used, n - used, "%s'%s'", !i ? "" : i + 1 < *k ? ", " : " and ",
                         names[i]);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

static const char *refusal(const struct mcp_session *s, const struct mcp_tool *t, char *buf,
                           size_t n)
{
    if (s->srv->settings->read_only && !(t->flags & TOOL_F_READONLY)) {
        snprintf(buf, n, "tool '%s' changes state, and this server runs in read-only mode", t->name);
        return buf;
    }
    /* A tool needs every scope of its row ((role & scope) == scope): name each one missing. */
    scopes_t missing = t->scope & ~s->role->scopes;
    if (missing) {
        char list[256];
        size_t k;
        scope_list(missing, list, sizeof(list), &k);
        snprintf(buf, n, "permission denied: tool '%s' needs the scope%s %s, which role '%s' "
                 "does not have; ask an administrator for a role with %s", t->name,
                 k > 1 ? "s" : "", list, s->role->name, k > 1 ? "them" : "it");
        return buf;
    }
    return NULL;
}

static bool tool_visible(const struct mcp_tool *t, const void *ctx)
{
    char buf[512];
    return refusal(ctx, t, buf, sizeof(buf)) == NULL;
}

/* Each role sees only the tools it may call: less for the model to read, nothing to misuse. */
static json_t *m_tools_list(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    struct mcp_server *srv = c->sess->srv;
    return registry_list(&srv->reg, REG_TOOLS, params, srv->settings->page_size, tool_visible,
                         c->sess, e);
}

static json_t *m_resources_list(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return list(c, params, e, REG_RESOURCES);
}

static json_t *m_templates_list(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return list(c, params, e, REG_TEMPLATES);
}

static json_t *m_prompts_list(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return list(c, params, e, REG_PROMPTS);
}

/* A result with structuredContent also carries it as compact JSON text (server/tools.mdx,
 * "Structured Content": SHOULD, for clients that read only content). */
static json_t *finish_tool_result(const struct mcp_tool *t, const json_t *out_schema, json_t *r)
{
    json_t *sc = json_object_get(r, "structuredContent");

    if (sc && !json_object_get(r, "content")) {
        char *text = json_dumps(sc, JSON_COMPACT | JSON_ENCODE_ANY);
        json_object_set_new(r, "content", json_pack("[o]", content_text(text)));
        free(text);
    }
    if (out_schema && !json_is_true(json_object_get(r, "isError"))) {
        char why[512];
        if (!sc || schema_validate(out_schema, sc, why, sizeof(why)) < 0) {
            log_msg(LOG_ERROR, "tool '%s' returned a result that breaks its outputSchema: %s",
                    t->name, sc ? why : "no structuredContent");
            json_decref(r);
            return content_error_result("internal error: tool '%s' produced a result that does "
                                        "not match its output schema; please report this",
                                        t->name);
        }
    }
    return r;
}

/* A refusal the model reads, recorded in the audit trail first. */
static json_t *refuse_call(struct mcp_call *c, const struct audit_call *ac, const char *text)
{
    audit_refused(c->sess->srv->audit, ac, AUDIT_REFUSED, text);
    log_msg(LOG_NOTICE, "refused tools/call %s for %s (role %s)", ac->tool, ac->principal, ac->role);
    return content_error_result("%s", text);
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Ask the user before a call that changes state: confirm: true in the arguments, else an
 * elicitation when the client supports it (client/elicitation.mdx). NULL to go on; otherwise
 * the result saying nothing was changed and why, with the call's outcome set. */
static json_t *confirm_call(struct mcp_call *c, const json_t *args, const char *what)
{
    unsigned timeout = c->sess->srv->settings->client_timeout_ms;
    json_t *answer, *params, *result = NULL;
    const char *action;
    char err[512];

    if (json_is_true(json_object_get(args, "confirm")))
        return NULL;
    if (!mcp_call_client_supports(c, "elicitation")) {
        mcp_call_set_outcome(c, "unconfirmed");
        return content_error_result(
            "Not done: this would %s, which changes state. Nothing was changed. Ask the user to "
            "confirm, then call again with confirm: true.",
            what);
    }
    params = json_pack("{s:s++, s:{s:s, s:{s:{s:s, s:s, s:s}}, s:[s]}}", "message",
                       "Confirm: ", what, "?", "requestedSchema", "type", "object", "properties",
                       "confirm", "type", "boolean", "title", "Go ahead", "description",
                       "Yes to make this change", "required", "confirm");
    if (!params)
        return content_error_result("Not done: out of memory while asking to %s", what);
    answer = mcp_call_client_request(c, "elicitation/create", params, timeout, err, sizeof(err));
    action = json_string_value(json_object_get(answer, "action"));
    if (!action || strcmp(action, "accept") ||
        !json_is_true(json_object_get(json_object_get(answer, "content"), "confirm"))) {
        mcp_call_set_outcome(c, "declined");
        result = content_error_result(
            "Not done: the user did not confirm that this server should %s (%s). Nothing was "
            "changed.",
            what, action ? action : answer ? "no answer" : err);
    }
    json_decref(answer);
    return result;
}

/* What the call needs beyond its tool's scope (the tool's needs hook over the defaults): NULL
 * with *n filled, or a result that ends the call before anything is sent. */
static json_t *call_needs(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                          struct mcp_needs *n)
{
    json_t *r;

    *n = (struct mcp_needs){.confirm = (t->flags & TOOL_F_CONFIRM) != 0};
    snprintf(n->what, sizeof(n->what), "run the tool '%s'", t->name);
    r = t->needs ? t->needs(c, t, args, n) : NULL;
    utf8_truncate(n->what, sizeof(n->what) - 1);
    return r;
}

void mcp_over_limit_text(struct mcp_call *c, char *buf, size_t n)
{
    snprintf(buf, n, "too many requests in progress: principal '%s' already has %u running or "
             "waiting (max-calls-per-principal); wait for one to finish or cancel one, then retry",
             c->sess->principal, c->sess->srv->settings->max_calls_per_principal);
}

/* A request refused by the per-principal limit, for the methods that are not tools/call. */
static bool over_limit(struct mcp_call *c, struct rpc_err *e)
{
    char text[400];

    if (!c->over_limit)
        return false;
    mcp_over_limit_text(c, text, sizeof(text));
    rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: the server is busy: %s", text);
    return true;
}

/* The one place every tool call passes, like Redis's processCommand(): the tool exists, the role
 * and read-only mode allow it, the arguments fit its schema, the call's own needs (more scopes by
 * its arguments, a known-defect check, the user's confirmation of a change) are met, the audit
 * trail has the call (flushed first for a write), then the handler runs and the trail gets the
 * outcome. No handler asks for confirmation itself: a tool that changes state cannot forget to. */
/* The gate's first checks, which need only the request: the role may call the tool, the
 * principal is within its share, the arguments are an object valid against the schema. NULL
 * to go on, else the refusal (audited). */
static json_t *check_request(struct mcp_call *c, const struct mcp_tool *t, size_t index,
                             json_t *args, struct audit_call *ac)
{
    char why[512], text[1024];

    if (refusal(c->sess, t, why, sizeof(why)))
        return refuse_call(c, ac, why);
    if (c->over_limit) {
        mcp_over_limit_text(c, why, sizeof(why));
        return refuse_call(c, ac, why);
    }
    if (!json_is_object(args)) {
        snprintf(text, sizeof(text), "Invalid arguments for tool '%s': arguments must be an object "
                 "of named values", t->name);
        return refuse_call(c, ac, text);
    }
    if (schema_validate(registry_input_schema(&c->sess->srv->reg, index), args, why,
                        sizeof(why)) < 0) {
        snprintf(text, sizeof(text), "Invalid arguments for tool '%s': %s. Fix the arguments and "
                 "call again; the tool's inputSchema describes them.", t->name, why);
        return refuse_call(c, ac, text);
    }
    if (log_threshold() == LOG_DEBUG) {
        json_t *red = log_redact(args);
        char *dump = json_dumps(red, JSON_COMPACT);
        log_msg(LOG_DEBUG, "tools/call %s %s", t->name, dump ? dump : "");
        free(dump);
        json_decref(red);
    }
    return NULL;
}

/* What this call needs (the tool's needs hook), and the scopes that adds. NULL to go on with
 * *needs filled, else the refusal (audited). */
static json_t *check_needs(struct mcp_call *c, const struct mcp_tool *t, json_t *args,
                           struct mcp_needs *needs, struct audit_call *ac)
{
    json_t *result;
    char text[1024], list[256];
    size_t k;

    if ((result = call_needs(c, t, args, needs))) {
        const char *rt = json_string_value(json_object_get(
            json_array_get(json_object_get(result, "content"), 0), "text"));
        audit_refused(c->sess->srv->audit, ac, AUDIT_REFUSED, rt ? rt : "refused by the tool");
        return result;
    }
    if (!(needs->scopes & ~c->sess->role->scopes))
        return NULL;
    scope_list(needs->scopes & ~c->sess->role->scopes, list, sizeof(list), &k);
    snprintf(text, sizeof(text), "permission denied: %s, so tool '%s' also needs the scope%s "
             "%s, which role '%s' does not have; ask an administrator for a role with %s",
             needs->scope_why[0] ? needs->scope_why : "this call", t->name, k > 1 ? "s" : "",
             list, c->sess->role->name, k > 1 ? "them" : "it");
    return refuse_call(c, ac, text);
}

/* The call, audited: the last check (a known defect), the user's confirmation, the handler,
 * the result checked against the output schema. */
static json_t *run_audited(struct mcp_call *c, const struct mcp_tool *t, size_t index,
                           json_t *args, struct mcp_needs *needs, struct audit_call *ac)
{
    struct audit *audit = c->sess->srv->audit;
    json_t *result = NULL;
    struct timespec t0;
    uint64_t id;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (audit_begin(audit, ac, &id) < 0 && ac->write)
        return content_error_result("Not done: tool '%s' changes state and the audit trail cannot "
                                    "be written; nothing was sent. Check the audit destination "
                                    "(--audit) and the disk.", t->name);
    if (needs->check && !needs->check(c, args, needs, &result) && !result)
        result = content_error_result("Not sent: tool '%s' was refused by its check", t->name);
    if (!result && needs->confirm)
        result = confirm_call(c, args, needs->what);
    if (!result && !(result = t->handler(c, t, args)))
        result = content_error_result("Tool '%s' failed: out of memory", t->name);
    result = finish_tool_result(t, registry_output_schema(&c->sess->srv->reg, index), result);
    bool failed = json_is_true(json_object_get(result, "isError"));
    const char *err_text = failed ? json_string_value(json_object_get(
                                        json_array_get(json_object_get(result, "content"), 0),
                                        "text"))
                                  : NULL;
    audit_end(audit, id, ac, c->outcome ? c->outcome : failed ? "error" : NULL, err_text,
              elapsed_ms(&t0));
    return result;
}

/* The gate every tool call passes, in this order: the tool exists, the role may call it, the
 * arguments are valid, what the call needs (the tool's hook: the node's module, more scopes,
 * a known defect, a question) is allowed, the audit trail is written, the user agreed; only
 * then the handler. */
static json_t *m_tools_call(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    json_t *name = str_param(params, "name", e), *args, *result;
    const struct mcp_tool *t;
    struct audit_call ac;
    struct mcp_needs needs;
    size_t index;

    if (!name)
        return NULL;
    args = json_object_get(params, "arguments");
    if (!args || json_is_null(args)) {
        args = json_object();
        json_object_set_new(params, "arguments", args); /* params keeps it alive */
    }
    ac = (struct audit_call){
        .principal = c->sess->principal, .role = c->sess->role->name,
        .tool = json_string_value(name), .args = args,
        .node = json_string_value(json_object_get(args, "node")),
    };
    if (!(t = registry_tool(&c->sess->srv->reg, json_string_value(name), &index))) {
        audit_refused(c->sess->srv->audit, &ac, AUDIT_REFUSED, "unknown tool");
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Unknown tool: %.200s", json_string_value(name));
        return NULL;
    }
    c->tool = t;
    ac.write = !(t->flags & TOOL_F_READONLY);
    if ((result = check_request(c, t, index, args, &ac)) ||
        (result = check_needs(c, t, args, &needs, &ac)))
        return result;
    return run_audited(c, t, index, args, &needs, &ac);
}

static const struct mcp_resource *find_resource(struct mcp_call *c, json_t *params,
                                                struct rpc_err *e, const char **uri, json_t **vars)
{
    json_t *juri = str_param(params, "uri", e);
    const struct mcp_resource *r;

    *vars = NULL;
    if (!juri)
        return NULL;
    *uri = json_string_value(juri);
    r = registry_resource(&c->sess->srv->reg, *uri, vars);
    if (!r) {
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND, "Resource not found: %.300s", *uri);
        e->data = json_pack("{s:s}", "uri", *uri);
    }
    return r;
}

static json_t *m_resources_read(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    const char *uri = NULL;
    json_t *vars, *contents;
    const struct mcp_resource *r;

    if (over_limit(c, e))
        return NULL;
    if (!(r = find_resource(c, params, e, &uri, &vars)))
        return NULL;
    contents = r->read(c, r, uri, vars, e);
    json_decref(vars);
    return contents ? json_pack("{s:o}", "contents", contents) : NULL;
}

static json_t *subscription(struct mcp_call *c, json_t *params, struct rpc_err *e, bool on)
{
    const char *uri = NULL;
    json_t *vars;

    if (!find_resource(c, params, e, &uri, &vars))
        return NULL;
    json_decref(vars);
    pthread_mutex_lock(&c->sess->lock);
    if (on)
        json_object_set_new(c->sess->subscriptions, uri, json_true());
    else
        json_object_del(c->sess->subscriptions, uri);
    pthread_mutex_unlock(&c->sess->lock);
    return json_object();
}

static json_t *m_subscribe(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return subscription(c, params, e, true);
}

static json_t *m_unsubscribe(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return subscription(c, params, e, false);
}

static const struct mcp_prompt *find_prompt(struct mcp_call *c, json_t *name, struct rpc_err *e)
{
    const struct mcp_prompt *p;

    if (!json_is_string(name)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: the prompt name must be a string");
        return NULL;
    }
    p = registry_prompt(&c->sess->srv->reg, json_string_value(name));
    if (!p)
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: unknown prompt '%.200s'",
                    json_string_value(name));
    return p;
}

static json_t *m_prompts_get(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    const struct mcp_prompt *p;
    json_t *args = json_object_get(params, "arguments"), *v;
    const char *key;

    if (over_limit(c, e) || !(p = find_prompt(c, json_object_get(params, "name"), e)))
        return NULL;
    if (args && !json_is_object(args)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: 'arguments' must be an object");
        return NULL;
    }
    for (const struct mcp_prompt_arg *a = p->args; a && a->name; a++) {
        if (a->required && !json_object_get(args, a->name)) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: prompt '%s' needs the argument '%s'", p->name, a->name);
            return NULL;
        }
    }
    json_object_foreach(args, key, v) {
        const struct mcp_prompt_arg *a = p->args;
        while (a && a->name && strcmp(a->name, key))
            a++;
        if (!a || !a->name) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: prompt '%s' has no argument '%.64s'", p->name, key);
            return NULL;
        }
        if (!json_is_string(v)) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: prompt argument '%s' must be a string", key);
            return NULL;
        }
    }
    if (!args) {
        args = json_object();
        json_object_set_new(params, "arguments", args); /* params keeps it alive */
    }
    return p->get(c, p, args, e);
}

#define COMPLETION_MAX 100

static json_t *m_complete(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    json_t *ref = json_object_get(params, "ref"), *arg = json_object_get(params, "argument");
    const char *type = json_string_value(json_object_get(ref, "type"));
    const char *argname = json_string_value(json_object_get(arg, "name"));
    const char *value = json_string_value(json_object_get(arg, "value"));
    const struct mcp_completion *table = NULL;
    bool known_arg = false;
    json_t *values;
    size_t total = 0;

    if (!type || !argname || !value) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                    "Invalid params: completion/complete needs ref.type, argument.name and "
                    "argument.value as strings");
        return NULL;
    }
    if (!strcmp(type, "ref/prompt")) {
        const struct mcp_prompt *p = find_prompt(c, json_object_get(ref, "name"), e);
        if (!p)
            return NULL;
        for (const struct mcp_prompt_arg *a = p->args; a && a->name; a++)
            known_arg |= !strcmp(a->name, argname);
        table = p->completions;
    } else if (!strcmp(type, "ref/resource")) {
        const char *uri = json_string_value(json_object_get(ref, "uri"));
        const struct mcp_resource *r = uri ? registry_template(&c->sess->srv->reg, uri) : NULL;
        char needle[80];
        if (!r) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: no resource template '%.200s'", uri ? uri : "");
            return NULL;
        }
        snprintf(needle, sizeof(needle), "{%s}", argname);
        known_arg = strstr(r->uri, needle) != NULL;
        table = r->completions;
    } else {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                    "Invalid params: ref.type must be ref/prompt or ref/resource");
        return NULL;
    }
    if (!known_arg) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: no argument '%.64s' to complete",
                    argname);
        return NULL;
    }
    values = json_array();
    for (; table && table->argument; table++) {
        if (strcmp(table->argument, argname))
            continue;
        for (const char *const *v = table->values; *v; v++) {
            if (strncmp(*v, value, strlen(value)))
                continue;
            if (total++ < COMPLETION_MAX)
                json_array_append_new(values, json_string(*v));
        }
    }
    return json_pack("{s:{s:o, s:I, s:b}}", "completion", "values", values, "total",
                     (json_int_t)total, "hasMore", total > COMPLETION_MAX);
}

static json_t *m_set_level(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    json_t *level = json_object_get(params, "level");
    int l = log_level_parse(json_string_value(level));

    if (l < 0) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                    "Invalid params: unknown log level '%.32s'; use one of %s",
                    json_is_string(level) ? json_string_value(level) : "", log_level_names());
        return NULL;
    }
    pthread_mutex_lock(&c->sess->lock);
    c->sess->log_level = (enum log_level)l;
    pthread_mutex_unlock(&c->sess->lock);
    return json_object();
}

static const struct mcp_method methods[] = {
    {"initialize", m_initialize, M_BEFORE_INIT},
    {"ping", m_ping, M_BEFORE_INIT},
    {"tools/list", m_tools_list, 0},
    {"tools/call", m_tools_call, M_WORKER},
    {"resources/list", m_resources_list, 0},
    {"resources/templates/list", m_templates_list, 0},
    {"resources/read", m_resources_read, M_WORKER},
    {"resources/subscribe", m_subscribe, 0},
    {"resources/unsubscribe", m_unsubscribe, 0},
    {"prompts/list", m_prompts_list, 0},
    {"prompts/get", m_prompts_get, M_WORKER},
    {"completion/complete", m_complete, 0},
    {"logging/setLevel", m_set_level, 0},
};

const struct mcp_method *mcp_method_find(const char *name)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (!strcmp(methods[i].name, name))
            return &methods[i];
    return NULL;
}

bool mcp_method_long(struct mcp_session *s, const struct mcp_method *m, json_t *params)
{
    const char *name = json_string_value(json_object_get(params, "name"));
    const struct mcp_tool *t;

    if (m->fn != m_tools_call || !name)
        return false;
    t = registry_tool(&s->srv->reg, name, NULL);
    return t && (t->flags & TOOL_F_LONG);
}

/* The methods that run on a worker are the ones whose handlers may wait and talk meanwhile. */
bool mcp_method_streams(const char *method)
{
    const struct mcp_method *m = method ? mcp_method_find(method) : NULL;
    return m && (m->flags & M_WORKER);
}

static void n_initialized(struct mcp_session *s, json_t *params)
{
    (void)s, (void)params;
    log_msg(LOG_DEBUG, "client initialized");
}

static void n_cancelled(struct mcp_session *s, json_t *params)
{
    json_t *id = json_object_get(params, "requestId");

    if (json_is_string(id) || json_is_integer(id))
        mcp_session_cancel(s, id);
}

static const struct mcp_notification notifications[] = {
    {"notifications/initialized", n_initialized},
    {"notifications/cancelled", n_cancelled},
};

const struct mcp_notification *mcp_notification_find(const char *name)
{
    for (size_t i = 0; i < sizeof(notifications) / sizeof(notifications[0]); i++)
        if (!strcmp(notifications[i].name, name))
            return &notifications[i];
    return NULL;
}
