/* tools/b2b: back-to-back user agent sessions (OpenSIPS b2b_logic, b2b_entities, b2b_sca). The
 * Python server's b2b_terminate, b2b_sca_list and b2b_trigger_scenario name commands or
 * parameters OpenSIPS never had; they keep their interface and are mapped onto the real ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/row.h"
#include "tools/tool.h"

/* entity1/entity2 from the Python server's `params` ("entity1;entity2"): split at the one ';'
 * that starts a new "id,URI" entity, so URI parameters (";transport=tcp") stay with their URI. */
static int split_params(const char *params, char **e1, char **e2)
{
    const char *p, *cut = NULL;

    *e1 = *e2 = NULL;
    for (p = params; (p = strchr(p, ';')); p++) {
        size_t seg = strcspn(p + 1, ";");
        size_t comma = strcspn(p + 1, ","), colon = strcspn(p + 1, ":");
        /* the next entity is "id,URI": a comma in this segment, before any ':' */
        if (comma < seg && comma < colon) {
            if (cut)
                return -1;
            cut = p;
        }
    }
    if (!cut || cut == params || !cut[1])
        return -1;
    *e1 = strndup(params, (size_t)(cut - params));
    *e2 = strdup(cut + 1);
    return *e1 && *e2 ? 0 : -1;
}

static json_t *trigger_scenario_run(struct tool_ctx *x, const json_t *args,
                                    struct tool_error *e)
{
    const char *scenario = tool_str(args, "scenario_id", "");
    const char *hdrs = tool_str(args, "custom_hdrs", "");
    const char *params = tool_str(args, "params", "");
    const char *e1 = tool_str(args, "entity1", NULL), *e2 = tool_str(args, "entity2", NULL);
    char *s1 = NULL, *s2 = NULL;
    json_t *mi_params = NULL, *result = NULL, *out = NULL;

    if (*hdrs) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0,
                  "nothing was started: OpenSIPS 3.x/4.x b2b_trigger_scenario takes no extra "
                  "headers (custom_hdrs); add them in the scenario's b2b_logic route instead, and "
                  "call again without custom_hdrs");
        goto out;
    }
    if (!e1 || !e2) {
        if (*params && split_params(params, &s1, &s2) < 0) {
            tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0,
                      "nothing was started: params must be \"entity1;entity2\", each entity "
                      "\"id,URI[,display name]\" (e.g. \"client1,sip:alice@example.com;client2,"
                      "sip:bob@example.com\"); or pass entity1 and entity2");
            goto out;
        }
        e1 = e1 ? e1 : s1;
        e2 = e2 ? e2 : s2;
    }
    if (!e1 || !e2) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0,
                  "nothing was started: OpenSIPS needs the two entities to call: pass entity1 "
                  "and entity2 (\"id,URI[,display name]\", id as the scenario names it)");
        goto out;
    }
    mi_params = json_pack("{s:s, s:s, s:s}", "scenario_id", scenario, "entity1", e1, "entity2", e2);
    if (tool_mi(x, "b2b_logic:trigger_scenario", mi_params, &result, e) != TOOL_OK)
        goto out;
    out = json_pack("{s:{s:s, s:s, s:s, s:s}}", "result", "scenario_id", scenario, "entity1", e1,
                    "entity2", e2, "outcome",
                    "started: OpenSIPS calls both entities; the reply carries no session key, "
                    "find the new session in b2b_list_sessions (its scenario) to end it with "
                    "b2b_terminate");
out:
    free(s1);
    free(s2);
    json_decref(mi_params);
    json_decref(result);
    return out;
}

static const struct tool_def b2b_tools[] = {
    {.name = "b2b_list_sessions",
     .title = "List B2B sessions",
     .description = "Lists B2BUA sessions (b2b_logic tuples): key, scenario, state, and their server/client "
                    "legs. The key is what b2b_terminate takes.",
     .toolset = "b2b",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "b2b_logic:list", .list = "Tuples"},
     .result = FIELDS({.name = "key", .type = T_STRING},
                      {.name = "state", .type = T_INTEGER},
                      {.name = "scenario", .type = T_STRING},
                      {.name = "SERVERS", .type = T_ARRAY},
                      {.name = "CLIENTS", .type = T_ARRAY}),
     .mapping = "b2b_logic:list (3.x b2b_list)"},
    {.name = "b2b_list_entities",
     .title = "List B2B entities",
     .description = "Lists the raw B2B dialogs (b2b_entities): Call-ID, tags, state, URIs, and the session "
                    "(logic_key) each belongs to.",
     .toolset = "b2b",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "b2b_entities:list"},
     .result = FIELDS({.name = "logic_key", .type = T_STRING},
                      {.name = "callid", .type = T_STRING},
                      {.name = "state", .type = T_INTEGER},
                      {.name = "from_uri", .type = T_STRING},
                      {.name = "to_uri", .type = T_STRING}),
     .mapping = "b2b_entities:list (3.x b2be_list)"},
    {.name = "b2b_sca_list",
     .title = "List shared call appearances",
     .description = "Lists b2b_sca shared-line appearances (SCA) and their call states.",
     .toolset = "b2b",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "b2b_sca:list"},
     .mapping = "b2b_sca:list (3.x sca_list). Fixed: the Python server sends b2b_sca_list, which OpenSIPS "
                "rejects (-32601)"},
    {.name = "b2b_terminate",
     .title = "End a B2B session",
     .description = "Ends a B2B session: BYE to every leg. Take the key from b2b_list_sessions.",
     .toolset = "b2b",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "b2b_logic:terminate_call"},
     .args = ARGS({.name = "key", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128, .mi = "key",
                   .description = "The session key (key in b2b_list_sessions, e.g. \"115.0\")"}),
     .mapping = "b2b_logic:terminate_call {key} (3.x b2b_terminate_call). Fixed: the Python server sends "
                "b2b_terminate, which OpenSIPS rejects (-32601)"},
    {.name = "b2b_trigger_scenario",
     .title = "Start a B2B scenario",
     .description = "Starts a b2b_logic scenario from outside (3PCC): OpenSIPS calls entity1 and entity2 and "
                    "bridges them. Needs b2b_logic's server_address set.",
     .toolset = "b2b",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE,
     .backend = BACKEND_MI,
     .args = ARGS({.name = "scenario_id", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128,
                   .description = "Scenario name as the b2b_logic script defines it"},
                  {.name = "entity1", .type = T_STRING, .min_len = 3,
                   .description = "First party to call: \"id,URI[,display name]\", id as the scenario "
                                  "names it (e.g. \"client1,sip:alice@example.com\")"},
                  {.name = "entity2", .type = T_STRING, .min_len = 3,
                   .description = "Second party, same form as entity1"},
                  {.name = "custom_hdrs", .type = T_STRING, .def = "\"\"",
                   .description = "Not supported by OpenSIPS 3.x/4.x: leave empty"},
                  {.name = "params", .type = T_STRING, .def = "\"\"",
                   .description = "Instead of entity1/entity2: \"entity1;entity2\""}),
     .run = trigger_scenario_run,
     .mapping = "b2b_logic:trigger_scenario {scenario_id, entity1, entity2} (3.x b2b_trigger_scenario). "
                "Fixed: the Python server sends {id, custom_hdrs, params} (-32602 'Named parameters do "
                "not match'); params \"e1;e2\" is split into the two entities, custom_hdrs is refused"},
};
ROW_TABLE(b2b, b2b_tools);
