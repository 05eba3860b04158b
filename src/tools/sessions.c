/* tools/sessions: this MCP server's own HTTP sessions, for an administrator — list every
 * principal's sessions and end one. The transport lends them through mcp_server's session admin
 * interface (no tool reaches into a transport); on stdio there is none, and the tools say so. */
#include <stdio.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "tools/row.h"
#include "tools/tool.h"

#define NO_SESSIONS "sessions exist only over HTTP; this server speaks stdio, one client, no sessions"

static json_t *t_server_sessions(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    json_t *list = mcp_server_sessions_list(mcp_call_server(c));
    (void)t, (void)args;

    if (!list)
        return content_error_result(NO_SESSIONS);
    return content_structured_result(json_pack("{s:{s:I, s:o}}", "result", "total",
                                               (json_int_t)json_array_size(list), "sessions",
                                               list));
}

/* Before the question: over stdio there is nothing to end, so nobody is asked. */
static json_t *end_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                         struct mcp_needs *n)
{
    json_t *list = mcp_server_sessions_list(mcp_call_server(c));
    (void)d;

    if (!list)
        return content_error_result(NO_SESSIONS);
    json_decref(list);
    snprintf(n->what, sizeof(n->what), "end MCP session %.40s (its client must initialize again)",
             tool_str(args, "session_id", ""));
    return NULL;
}

static json_t *t_server_session_end(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *id = tool_str(args, "session_id", "");
    (void)t;

    switch (mcp_server_session_end(mcp_call_server(c), id)) {
    case 0:
        return content_structured_result(json_pack("{s:{s:s}}", "result", "ended", id));
    case -2:
        return content_error_result(NO_SESSIONS);
    default:
        return content_error_result("no session '%.40s'; list them with server_sessions", id);
    }
}

static const struct tool_arg end_args[] = {
    {"session_id", "string", "The id, as server_sessions lists it", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":64", NULL},
    {0},
};

static const char sessions_schema[] =
    "{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"integer\"},\"sessions\":{\"type\":"
    "\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
    "\"principal\":{\"type\":\"string\"},\"role\":{\"type\":\"string\"},\"age_s\":{\"type\":"
    "\"integer\"},\"idle_s\":{\"type\":\"integer\"},\"busy\":{\"type\":\"boolean\"},"
    "\"get_stream\":{\"type\":\"boolean\"}}}}}}";
static const char end_schema[] =
    "{\"type\":\"object\",\"properties\":{\"ended\":{\"type\":\"string\"}}}";

static const struct tool_def sessions_tools[] = {
    {"server_sessions", "MCP sessions",
     "Every HTTP session of this MCP server: id, principal, role, age, idle time, busy.",
     "status", NULL, NULL, SCOPE_BIT(SCOPE_SERVER_ADMIN), TOOL_F_READONLY | ROW_SERVER, NULL,
     sessions_schema, t_server_sessions, "none: this server's own sessions, not MI", NULL, NULL},
    {"server_session_end", "End an MCP session",
     "Ends one HTTP session of any principal; its client must initialize again. Asks the user "
     "to confirm.",
     "status", NULL, end_args, SCOPE_BIT(SCOPE_SERVER_ADMIN),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT | ROW_SERVER, NULL, end_schema, t_server_session_end,
     "none: this server's own sessions, not MI", end_needs, NULL},
};
ROW_TABLE(sessions, sessions_tools);
