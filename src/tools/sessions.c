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

static json_t *sessions_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *list = mcp_server_sessions_list(mcp_call_server(x->call));

    (void)args;
    if (!list)
        return tool_fail(e, TOOL_E_UNSUPPORTED, NULL, 0, NO_SESSIONS);
    return json_pack("{s:{s:I, s:o}}", "result", "total", (json_int_t)json_array_size(list),
                     "sessions", list);
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

static json_t *session_end_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *id = tool_str(args, "session_id", "");

    switch (mcp_server_session_end(mcp_call_server(x->call), id)) {
    case 0:
        return json_pack("{s:{s:s}}", "result", "ended", id);
    case -2:
        return tool_fail(e, TOOL_E_UNSUPPORTED, NULL, 0, NO_SESSIONS);
    default:
        return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0,
                         "no session '%.40s'; list them with server_sessions", id);
    }
}

static const struct tool_def sessions_tools[] = {
    {.name = "server_sessions",
     .title = "MCP sessions",
     .description = "Every HTTP session of this MCP server: id, principal, role, age, idle time, busy.",
     .toolset = "status",
     .scope = SCOPE_BIT(SCOPE_SERVER_ADMIN),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_SERVER,
     .result = FIELDS({.name = "total", .type = T_INTEGER},
                      {.name = "sessions", .type = T_ARRAY, .item = ITEM(.type = T_OBJECT, .fields = FIELDS({.name = "id", .type = T_STRING},
               {.name = "principal", .type = T_STRING},
               {.name = "role", .type = T_STRING},
               {.name = "age_s", .type = T_INTEGER},
               {.name = "idle_s", .type = T_INTEGER},
               {.name = "busy", .type = T_BOOLEAN},
               {.name = "get_stream", .type = T_BOOLEAN}))}),
     .run = sessions_run,
     .mapping = "none: this server's own sessions, not MI"},
    {.name = "server_session_end",
     .title = "End an MCP session",
     .description = "Ends one HTTP session of any principal; its client must initialize again."
                    "",
     .toolset = "status",
     .scope = SCOPE_BIT(SCOPE_SERVER_ADMIN),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_SERVER,
     .args = ARGS({.name = "session_id", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 64,
                   .description = "The id, as server_sessions lists it"}),
     .result = FIELDS({.name = "ended", .type = T_STRING}),
     .run = session_end_run,
     .needs = end_needs,
     .mapping = "none: this server's own sessions, not MI"},
};
ROW_TABLE(sessions, sessions_tools);
