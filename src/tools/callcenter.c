/* tools/callcenter: the call_center module — agents, queued calls, flows. cc_status gathers
 * the queue, the agents and the flows in one answer, as the Python server's does. */

#include "tools/row.h"
#include "tools/tool.h"

static const struct tool_def callcenter_tools[] = {
    {.name = "cc_list_agents",
     .title = "List call-center agents",
     .description = "Lists call_center agents: id, logged in (YES/NO) and state (free, incall, wrapup).",
     .toolset = "call_center",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "call_center:list_agents", .list = "Agents"},
     .result = FIELDS({.name = "id", .type = T_STRING},
                      {.name = "Loged in", .type = T_STRING},
                      {.name = "State", .type = T_STRING}),
     .mapping = "call_center:list_agents (3.x cc_list_agents)"},
    {.name = "cc_list_queue",
     .title = "List queued calls",
     .description = "Lists calls waiting in the call_center queue: call id, flow, seconds waiting, estimated "
                    "wait, priority.",
     .toolset = "call_center",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "call_center:list_queue", .list = "Calls"},
     .result = FIELDS({.name = "id", .type = T_STRING},
                      {.name = "Flow", .type = T_STRING},
                      {.name = "Waiting for", .type = T_INTEGER},
                      {.name = "Priority", .type = T_INTEGER}),
     .mapping = "call_center:list_queue (3.x cc_list_queue)"},
    {.name = "cc_status",
     .title = "Call-center status",
     .description = "One view of the call center: queued calls, agents and flows (with their counters).",
     .toolset = "call_center",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "call_center:list_queue",
            .parts = PARTS({"call_center:list_queue", "Calls", "queue"},
                           {"call_center:list_agents", "Agents", "agents"},
                           {"call_center:list_flows", "Flows", "flows"})},
     .result = FIELDS({.name = "queue", .type = T_ARRAY},
                      {.name = "agents", .type = T_ARRAY},
                      {.name = "flows", .type = T_ARRAY}),
     .mapping = "call_center:list_queue + list_agents + list_flows (3.x cc_list_*), as {queue, agents, "
                "flows}"},
    {.name = "cc_agent_login",
     .title = "Log an agent in or out",
     .description = "Logs a call_center agent in (state 1) or out (0). Runtime only: cc_reload_tool restores "
                    "the state stored in the cc_agents table.",
     .toolset = "call_center",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "call_center:agent_login"},
     .args = ARGS({.name = "agent_id", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128, .mi = "agent_id",
                   .description = "The agent's id (id in cc_list_agents; agentid in the cc_agents "
                                  "table)"},
                  {.name = "state", .type = T_INTEGER, .flags = ARG_REQUIRED, INTS(0, 1), .mi = "state",
                   .description = "1 to log the agent in, 0 to log out (accepted even during a call)"}),
     .mapping = "call_center:agent_login {agent_id, state} (3.x cc_agent_login). Fixed: state goes as an "
                "integer; the Python server sends a string, which OpenSIPS rejects (-32602 'Bad type for "
                "parameter state')"},
    {.name = "cc_reload_tool",
     .title = "Reload call-center data",
     .description = "Re-reads agents and flows from the database. Agents go back to their stored login state; "
                    "queued calls may be dispatched at once.",
     .toolset = "call_center",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "call_center:reload"},
     .mapping = "call_center:reload (3.x cc_reload); with db_text, run dbt_reload first or the cached "
                "table is re-read"},
};
ROW_TABLE(callcenter, callcenter_tools);
