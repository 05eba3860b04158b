/* tools/callcenter: the call_center module — agents, queued calls, flows. cc_status gathers
 * the queue, the agents and the flows in one answer, as the Python server's does. */

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

/* One node's {result: {queue, agents, flows}}, or NULL with *e set. */
static json_t *cc_status_one(struct mcp_call *c, const char *node, struct mi_error *e)
{
    static const struct {
        const char *cmd, *member, *out;
    } parts[] = {
        {"call_center:list_queue", "Calls", "queue"},
        {"call_center:list_agents", "Agents", "agents"},
        {"call_center:list_flows", "Flows", "flows"},
    };
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    json_t *status = json_object();

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        json_t *result = NULL;
        if (mi_client_call(mi, node, parts[i].cmd, NULL, 0, &result, e) != MI_OK) {
            json_decref(status);
            return NULL;
        }
        json_t *items = json_object_get(result, parts[i].member);
        json_object_set_new(status, parts[i].out, json_is_array(items) ? json_incref(items)
                                                                      : json_array());
        json_decref(result);
    }
    return json_pack("{s:o}", "result", status);
}

static json_t *t_cc_status(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *node = tool_node(args);
    struct mi_error e;

    return tool_node_result(c, t->name, node, cc_status_one(c, node, &e), &e);
}

static const struct tool_arg cc_agent_login_args[] = {
    {"agent_id", "string", "The agent's id (id in cc_list_agents; agentid in the cc_agents "
     "table)", ARG_REQUIRED, "\"minLength\":1,\"maxLength\":128", "agent_id"},
    {"state", "integer", "1 to log the agent in, 0 to log out (accepted even during a call)",
     ARG_REQUIRED, "\"enum\":[0,1]", "state"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const char agent_item[] =
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"Loged in\":{\"type\":\"string\"},"
    "\"State\":{\"type\":\"string\"}}}";
static const char queue_item[] =
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"Flow\":{\"type\":\"string\"},"
    "\"Waiting for\":{\"type\":\"integer\"},\"Priority\":{\"type\":\"integer\"}}}";
static const char status_schema[] =
    "{\"type\":\"object\",\"properties\":{\"queue\":{\"type\":\"array\"},\"agents\":{\"type\":\"array\"},"
    "\"flows\":{\"type\":\"array\"}}}";

static const struct tool_def callcenter_tools[] = {
    {"cc_list_agents", "List call-center agents",
     "Lists call_center agents: id, logged in (YES/NO) and state (free, incall, wrapup).",
     "call_center", "call_center:list_agents", NULL, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY | ROW_LIST, "Agents", agent_item, NULL,
     "call_center:list_agents (3.x cc_list_agents)", NULL, NULL},
    {"cc_list_queue", "List queued calls",
     "Lists calls waiting in the call_center queue: call id, flow, seconds waiting, estimated "
     "wait, priority.",
     "call_center", "call_center:list_queue", NULL, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY | ROW_LIST, "Calls", queue_item, NULL,
     "call_center:list_queue (3.x cc_list_queue)", NULL, NULL},
    {"cc_status", "Call-center status",
     "One view of the call center: queued calls, agents and flows (with their counters).",
     "call_center", NULL, NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY, NULL, status_schema,
     t_cc_status,
     "call_center:list_queue + list_agents + list_flows (3.x cc_list_*), as {queue, agents, "
     "flows}", NULL,
     "call_center:list_queue"},
    {"cc_agent_login", "Log an agent in or out",
     "Logs a call_center agent in (state 1) or out (0). Runtime only: cc_reload_tool restores "
     "the state stored in the cc_agents table.",
     "call_center", "call_center:agent_login", cc_agent_login_args, SCOPE_BIT(SCOPE_MI_WRITE),
     0 /* not destructive: reversible */ | TOOL_F_IDEMPOTENT, NULL, NULL, NULL,
     "call_center:agent_login {agent_id, state} (3.x cc_agent_login). Fixed: state goes as an "
     "integer; the Python server sends a string, which OpenSIPS rejects (-32602 'Bad type for "
     "parameter state')", NULL, NULL},
    {"cc_reload_tool", "Reload call-center data",
     "Re-reads agents and flows from the database. Agents go back to their stored login state; "
     "queued calls may be dispatched at once. Asks the user to confirm.",
     "call_center", "call_center:reload", NULL, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, NULL, NULL,
     "call_center:reload (3.x cc_reload); with db_text, run dbt_reload first or the cached "
     "table is re-read", NULL, NULL},
};
ROW_TABLE(callcenter, callcenter_tools);
