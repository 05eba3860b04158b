/* Unit tests for the dispatcher: lifecycle, errors, paging, cancellation and progress, driven
 * through mcp_session_handle with a channel that records what the server sends. */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tools/row.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp/server.h"
#include "register.h"
#include "tools/backends.h"
#include "settings.h"

struct capture {
    struct mcp_out out;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    json_t *lines; /* every message sent, parsed */
    int finals;
};

static void cap_send(struct mcp_out *out, const char *line, size_t len, bool final)
{
    struct capture *c = out->ctx;

    pthread_mutex_lock(&c->lock);
    if (line)
        json_array_append_new(c->lines, json_loadb(line, len, 0, NULL));
    if (final)
        c->finals++;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->lock);
}

static struct capture cap;
static struct mcp_session *sess;

/* Send one message and wait until `finals` requests have ended; return the last message. */
static json_t *send_msg(const char *text)
{
    int want;
    json_t *last;

    pthread_mutex_lock(&cap.lock);
    want = cap.finals + 1;
    pthread_mutex_unlock(&cap.lock);
    if (mcp_session_handle(sess, text, strlen(text), &cap.out) == MCP_NO_REPLY)
        return NULL;
    pthread_mutex_lock(&cap.lock);
    while (cap.finals < want)
        pthread_cond_wait(&cap.cv, &cap.lock);
    last = json_array_get(cap.lines, json_array_size(cap.lines) - 1);
    pthread_mutex_unlock(&cap.lock);
    return last;
}

static int err_code(json_t *m)
{
    return (int)json_integer_value(json_object_get(json_object_get(m, "error"), "code"));
}

static const char *err_msg(json_t *m)
{
    return json_string_value(json_object_get(json_object_get(m, "error"), "message"));
}

static const char *tool_text(json_t *m)
{
    json_t *content = json_object_get(json_object_get(m, "result"), "content");
    return json_string_value(json_object_get(json_array_get(content, 0), "text"));
}

static int is_tool_error(json_t *m)
{
    return json_is_true(json_object_get(json_object_get(m, "result"), "isError"));
}

#define INIT(v) "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" v "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"

static struct mcp_server *srv;

static void new_session(void)
{
    if (sess)
        mcp_session_close(sess);
    sess = mcp_session_new(srv, &cap.out);
}

static void test_lifecycle(void)
{
    static const char *const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
    json_t *m;

    new_session();
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    CHECK(err_code(m) == -32600);
    CHECK_CONTAINS(err_msg(m), "not initialized");
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
    CHECK(json_is_object(json_object_get(m, "result")));

    for (size_t i = 0; i < 4; i++) {
        char req[400];
        new_session();
        snprintf(req, sizeof(req), INIT("%s"), versions[i]);
        m = send_msg(req);
        CHECK_STR(json_string_value(json_object_get(json_object_get(m, "result"), "protocolVersion")),
                  versions[i]);
    }
    new_session();
    m = send_msg(INIT("1999-01-01"));
    CHECK_STR(json_string_value(json_object_get(json_object_get(m, "result"), "protocolVersion")),
              "2025-11-25");
    CHECK(json_is_string(json_object_get(json_object_get(m, "result"), "instructions")));
    m = send_msg(INIT("2025-11-25"));
    CHECK(err_code(m) == -32600);
    CHECK_CONTAINS(err_msg(m), "already initialized");

    new_session();
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
    CHECK(err_code(m) == -32602);
    CHECK_CONTAINS(err_msg(m), "protocolVersion");
}

static void test_errors(void)
{
    json_t *m;

    new_session();
    send_msg(INIT("2025-11-25"));
    CHECK(send_msg("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}") == NULL);
    CHECK(send_msg("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/unknown\"}") == NULL);

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"no/such\"}");
    CHECK(err_code(m) == -32601);
    CHECK_STR(err_msg(m), "Method not found: no/such");
    CHECK(json_integer_value(json_object_get(m, "id")) == 3);

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}");
    CHECK(err_code(m) == -32602);
    CHECK_STR(err_msg(m), "Unknown tool: nope");

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"test_schema\",\"arguments\":{\"count\":1}}}");
    CHECK(is_tool_error(m));
    CHECK_CONTAINS(tool_text(m), "missing required argument 'name'");

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"test_schema\",\"arguments\":{\"name\":\"ab\",\"count\":\"x\"}}}");
    CHECK(is_tool_error(m));
    CHECK_CONTAINS(tool_text(m), "argument 'count' must be an integer, not a string");

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"test_schema\",\"arguments\":[1]}}");
    CHECK(is_tool_error(m));

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"loud\"}}");
    CHECK(err_code(m) == -32602);
    CHECK_CONTAINS(err_msg(m), "unknown log level 'loud'");
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"error\"}}");
    CHECK(json_object_size(json_object_get(m, "result")) == 0);

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://nothing\"}}");
    CHECK(err_code(m) == -32002);
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://template/123/data\"}}");
    CHECK_CONTAINS(json_string_value(json_object_get(json_array_get(json_object_get(json_object_get(m, "result"), "contents"), 0), "text")), "123");

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"prompts/get\",\"params\":{\"name\":\"test_prompt_with_arguments\",\"arguments\":{\"arg1\":\"a\"}}}");
    CHECK(err_code(m) == -32602);
    CHECK_CONTAINS(err_msg(m), "arg2");
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"prompts/get\",\"params\":{\"name\":\"nope\"}}");
    CHECK(err_code(m) == -32602);

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_prompt_with_arguments\"},\"argument\":{\"name\":\"arg1\",\"value\":\"test\"}}}");
    CHECK(json_array_size(json_object_get(json_object_get(json_object_get(m, "result"), "completion"), "values")) == 3);
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"nope\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}}");
    CHECK(err_code(m) == -32602);

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":16,\"method\":\"ping\",\"params\":[1]}");
    CHECK(err_code(m) == -32602);
}

static void test_paging(void)
{
    const char *kinds[][2] = {{"tools/list", "tools"}, {"prompts/list", "prompts"},
                              {"resources/list", "resources"}};
    json_t *m;

    new_session();
    send_msg(INIT("2025-11-25"));
    for (size_t k = 0; k < 3; k++) {
        char req[300], cursor[64] = "";
        json_t *names = json_object();
        int pages = 0, items = 0;
        do {
            if (cursor[0])
                snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":20,\"method\":\"%s\",\"params\":{\"cursor\":\"%s\"}}", kinds[k][0], cursor);
            else
                snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":20,\"method\":\"%s\"}", kinds[k][0]);
            m = send_msg(req);
            json_t *list = json_object_get(json_object_get(m, "result"), kinds[k][1]), *it;
            size_t i;
            CHECK(json_array_size(list) <= 2);
            json_array_foreach(list, i, it) {
                const char *key = json_string_value(json_object_get(it, "name"));
                CHECK(json_object_get(names, key) == NULL);
                json_object_set_new(names, key, json_true());
                items++;
            }
            const char *next = json_string_value(json_object_get(json_object_get(m, "result"), "nextCursor"));
            snprintf(cursor, sizeof(cursor), "%s", next ? next : "");
            pages++;
        } while (cursor[0] && pages < 100);
        CHECK(items >= 3);
        CHECK(pages == (items + 1) / 2);
        json_decref(names);
    }
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":21,\"method\":\"tools/list\",\"params\":{\"cursor\":\"bogus\"}}");
    CHECK(err_code(m) == -32602);
    CHECK_CONTAINS(err_msg(m), "cursor");
    /* A prompts cursor is not a tools cursor. */
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":22,\"method\":\"prompts/list\"}");
    {
        char req[200];
        snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":23,\"method\":\"tools/list\",\"params\":{\"cursor\":\"%s\"}}",
                 json_string_value(json_object_get(json_object_get(m, "result"), "nextCursor")));
        m = send_msg(req);
        CHECK(err_code(m) == -32602);
    }
}

static void test_cancel_and_progress(void)
{
    json_t *m;
    size_t before;
    int finals;

    new_session();
    send_msg(INIT("2025-11-25"));
    /* A slow call, a duplicate of its id, a ping while it runs, then its cancellation. */
    pthread_mutex_lock(&cap.lock);
    finals = cap.finals;
    pthread_mutex_unlock(&cap.lock);
    const char *slow = "{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"tools/call\",\"params\":{\"name\":\"test_sleep\",\"arguments\":{\"ms\":10000}}}";
    CHECK(mcp_session_handle(sess, slow, strlen(slow), &cap.out) == MCP_REPLY);
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"ping\"}");
    CHECK(err_code(m) == -32600);
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":31,\"method\":\"ping\"}");
    CHECK(json_integer_value(json_object_get(m, "id")) == 31);
    pthread_mutex_lock(&cap.lock);
    before = json_array_size(cap.lines);
    pthread_mutex_unlock(&cap.lock);
    send_msg("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"slow\"}}");
    pthread_mutex_lock(&cap.lock);
    while (cap.finals < finals + 3)
        pthread_cond_wait(&cap.cv, &cap.lock);
    CHECK(json_array_size(cap.lines) == before); /* ended with no reply */
    pthread_mutex_unlock(&cap.lock);

    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":32,\"method\":\"tools/call\",\"params\":{\"name\":\"test_tool_with_progress\",\"_meta\":{\"progressToken\":\"p1\"}}}");
    pthread_mutex_lock(&cap.lock);
    {
        size_t n = json_array_size(cap.lines);
        double last = -1;
        int seen = 0;
        for (size_t i = n >= 4 ? n - 4 : 0; i < n - 1; i++) {
            json_t *p = json_object_get(json_array_get(cap.lines, i), "params");
            CHECK_STR(json_string_value(json_object_get(p, "progressToken")), "p1");
            CHECK(json_number_value(json_object_get(p, "progress")) > last);
            last = json_number_value(json_object_get(p, "progress"));
            seen++;
        }
        CHECK(seen == 3);
    }
    pthread_mutex_unlock(&cap.lock);
    CHECK_STR(tool_text(m), "Tool with progress executed successfully");

    /* Without a client capability, a tool that would ask the client fails cleanly. */
    m = send_msg("{\"jsonrpc\":\"2.0\",\"id\":33,\"method\":\"tools/call\",\"params\":{\"name\":\"test_elicitation\",\"arguments\":{\"message\":\"hi\"}}}");
    CHECK(is_tool_error(m));
    CHECK_CONTAINS(tool_text(m), "elicitation");
}

static void test_redaction(void)
{
    json_t *v = json_loads("{\"user\":\"u\",\"Password\":\"p\",\"nested\":[{\"api_key\":\"k\",\"x\":1}],\"authorization\":\"Bearer t\"}", 0, NULL);
    json_t *r = log_redact(v);
    char *s = json_dumps(r, JSON_COMPACT);
    CHECK_STR(s, "{\"user\":\"u\",\"Password\":\"***\",\"nested\":[{\"api_key\":\"***\",\"x\":1}],\"authorization\":\"***\"}");
    free(s);
    json_decref(r);
    json_decref(v);
}

/* Every row of every toolset builds its schemas (a malformed row fails here, at build time, not
 * as a constraint silently missing from tools/list), and a malformed row does fail. */
static void test_every_row_builds(void)
{
    /* Each row below is malformed in one way; each must fail the build, naming the tool. */
    const struct tool_def bad[] = {
        {.name = "bad_bound", .title = "Bad", .description = "A length on an integer.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:uptime"},
         .flags = TOOL_F_READONLY,
         .args = ARGS({.name = "x", .type = T_INTEGER, .min_len = 1, .description = "x"})},
        {.name = "bad_default", .title = "Bad", .description = "A default of another type.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:uptime"},
         .flags = TOOL_F_READONLY,
         .args = ARGS({.name = "x", .type = T_INTEGER, .def = "\"ten\"", .description = "x"})},
        {.name = "bad_with", .title = "Bad", .description = "An argument going with one it lacks.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:uptime"},
         .flags = TOOL_F_READONLY,
         .args = ARGS({.name = "x", .type = T_STRING, .with = "y", .description = "x"})},
        {.name = "bad_parts", .title = "Bad", .description = "Parts whose first is not the command.",
         .toolset = "test", .backend = BACKEND_MI, .flags = TOOL_F_READONLY,
         .mi = {.cmd = "core:uptime", .parts = PARTS({"core:ps", "Processes", "ps"})}},
        {.name = "bad_wrap", .title = "Bad", .description = "A wrap of no list.",
         .toolset = "test", .backend = BACKEND_MI, .flags = TOOL_F_READONLY,
         .mi = {.cmd = "core:uptime", .wrap = "x"}},
        {.name = "bad_backend", .title = "Bad", .description = "No backend.",
         .toolset = "test", .flags = TOOL_F_READONLY},
        {.name = "bad_generic", .title = "Bad", .description = "An MI row with nothing to run.",
         .toolset = "test", .backend = BACKEND_MI, .flags = TOOL_F_READONLY},
        {.name = "bad_filter", .title = "Bad", .description = "A filter on a result that is no list.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:uptime"},
         .flags = TOOL_F_READONLY, .filter = {.field = "Type", .equals = "tls"}},
        {.name = "bad_result", .title = "Bad", .description = "A pattern on an integer field.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:uptime"},
         .flags = TOOL_F_READONLY, .result = FIELDS({.name = "n", .type = T_INTEGER, .pattern = "x"})},
        {.name = "bad_unavailable", .title = "Bad", .description = "Unavailable, yet a command.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:uptime"},
         .flags = TOOL_F_READONLY, .unavailable = "not possible"},
        {.name = "bad_filter_two", .title = "Bad", .description = "A fixed value and an argument.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:ps", .list = "Processes"},
         .flags = TOOL_F_READONLY | ROW_LIST, .filter = {.field = "Type", .equals = "timer", .arg = "type"},
         .args = ARGS({.name = "type", .type = T_STRING, .description = "x"})},
        {.name = "bad_filter_arg", .title = "Bad", .description = "Filters by an argument it lacks.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:ps", .list = "Processes"},
         .flags = TOOL_F_READONLY | ROW_LIST, .filter = {.field = "Type", .arg = "type"}},
    };
    /* ... and the same rows written soundly build. */
    const struct tool_def good[] = {
        {.name = "good_filter_arg", .title = "Good", .description = "Filters by its argument.",
         .toolset = "test", .backend = BACKEND_MI, .mi = {.cmd = "core:ps", .list = "Processes"},
         .flags = TOOL_F_READONLY | ROW_LIST, .filter = {.field = "Type", .arg = "type"},
         .args = ARGS({.name = "type", .type = T_STRING, .description = "x"})},
        {.name = "good_unavailable", .title = "Good", .description = "Says it cannot.",
         .toolset = "test", .backend = BACKEND_MI, .flags = TOOL_F_READONLY,
         .unavailable = "not possible"},
    };
    struct tool_backends be = {0};
    struct registry reg;
    char err[256];

    registry_init(&reg);
    for (size_t i = 0; i < row_table_count; i++)
        CHECK(rows_register(&reg, &be, row_tables[i]->rows, row_tables[i]->n, "all") == 0);
    CHECK(registry_build(&reg, err, sizeof(err)) == 0);
    registry_release(&reg);

    registry_init(&reg);
    CHECK(rows_register(&reg, &be, good, sizeof(good) / sizeof(good[0]), "all") == 0);
    CHECK(registry_build(&reg, err, sizeof(err)) == 0);
    registry_release(&reg);

    /* A malformed row fails the start even when --toolsets leaves its toolset out. */
    {
        const struct row_table one = {&bad[0], 1}, *const tables[] = {&one};
        err[0] = '\0';
        CHECK(rows_check_all(tables, 1, "dialog", err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, bad[0].name);
        CHECK(rows_check_all(tables, 1, "test", err, sizeof(err)) == 0); /* enabled: the build's */
        CHECK(rows_check_all(row_tables, row_table_count, "dialog", err, sizeof(err)) == 0);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        registry_init(&reg);
        CHECK(rows_register(&reg, &be, &bad[i], 1, "all") == 0);
        CHECK(registry_build(&reg, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, bad[i].name);
        registry_release(&reg);
    }
}

int main(void)
{
    struct settings st;
    char err[256];
    char *argv[] = {"t", "--conformance-fixtures", "--page-size", "2", "--log-level", "critical", NULL};

    cap.out.send = cap_send;
    cap.out.ctx = &cap;
    cap.lines = json_array();
    pthread_mutex_init(&cap.lock, NULL);
    pthread_cond_init(&cap.cv, NULL);
    CHECK(settings_load(&st, 6, argv, err, sizeof(err)) == SETTINGS_OK);
    log_set_threshold(st.log_level);
    srv = mcp_server_new(&st, err, sizeof(err));
    CHECK(srv != NULL);
    {
        static const struct tool_backends no_backends = {0};
        CHECK(register_all(mcp_server_registry(srv), &no_backends, &st, err, sizeof(err)) == 0);
    }

    test_lifecycle();
    test_errors();
    test_paging();
    test_cancel_and_progress();
    test_redaction();
    test_every_row_builds();

    mcp_session_close(sess);
    mcp_server_free(srv);
    settings_release(&st);
    json_decref(cap.lines);
    return check_done("session");
}
