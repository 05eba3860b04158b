/* tools/b2b: back-to-back user agent sessions (OpenSIPS b2b_logic, b2b_entities, b2b_sca). The
 * Python server's b2b_terminate, b2b_sca_list and b2b_trigger_scenario name commands or
 * parameters OpenSIPS never had; they keep their interface and are mapped onto the real ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
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

static json_t *t_b2b_trigger_scenario(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const char *node = tool_node(args);
    const char *scenario = tool_str(args, "scenario_id", "");
    const char *hdrs = tool_str(args, "custom_hdrs", "");
    const char *params = tool_str(args, "params", "");
    const char *e1 = tool_str(args, "entity1", NULL), *e2 = tool_str(args, "entity2", NULL);
    char *s1 = NULL, *s2 = NULL;
    json_t *mi_params = NULL, *result = NULL, *out = NULL;
    struct mi_error e;

    if (*hdrs) {
        out = content_error_result(
            "%s: nothing was started: OpenSIPS 3.x/4.x b2b_trigger_scenario takes no extra "
            "headers (custom_hdrs); add them in the scenario's b2b_logic route instead, and "
            "call again without custom_hdrs", t->name);
        goto out;
    }
    if (!e1 || !e2) {
        if (*params && split_params(params, &s1, &s2) < 0) {
            out = content_error_result(
                "%s: nothing was started: params must be \"entity1;entity2\", each entity "
                "\"id,URI[,display name]\" (e.g. \"client1,sip:alice@example.com;client2,"
                "sip:bob@example.com\"); or pass entity1 and entity2", t->name);
            goto out;
        }
        e1 = e1 ? e1 : s1;
        e2 = e2 ? e2 : s2;
    }
    if (!e1 || !e2) {
        out = content_error_result(
            "%s: nothing was started: OpenSIPS needs the two entities to call: pass entity1 and "
            "entity2 (\"id,URI[,display name]\", id as the scenario names it)", t->name);
        goto out;
    }
    mi_params = json_pack("{s:s, s:s, s:s}", "scenario_id", scenario, "entity1", e1, "entity2", e2);
    if (mi_client_call(mi, node, "b2b_logic:trigger_scenario", mi_params, 0, &result, &e) != MI_OK) {
        out = tool_mi_error(c, t->name, &e);
        goto out;
    }
    out = content_structured_result(json_pack(
        "{s:s, s:{s:s, s:s, s:s, s:s}}", "node", node ? node : "default", "result", "scenario_id",
        scenario, "entity1", e1, "entity2", e2, "outcome",
        "started: OpenSIPS calls both entities; the reply carries no session key, find the new "
        "session in b2b_list_sessions (its scenario) to end it with b2b_terminate"));
out:
    free(s1);
    free(s2);
    json_decref(mi_params);
    json_decref(result);
    return out;
}

static const struct tool_arg b2b_terminate_args[] = {
    {"key", "string", "The session key (key in b2b_list_sessions, e.g. \"115.0\")", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":128", "key"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg b2b_trigger_args[] = {
    {"scenario_id", "string", "Scenario name as the b2b_logic script defines it", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":128", NULL},
    {"entity1", "string", "First party to call: \"id,URI[,display name]\", id as the scenario "
     "names it (e.g. \"client1,sip:alice@example.com\")", 0, "\"minLength\":3", NULL},
    {"entity2", "string", "Second party, same form as entity1", 0, "\"minLength\":3", NULL},
    {"custom_hdrs", "string", "Not supported by OpenSIPS 3.x/4.x: leave empty", 0,
     "\"default\":\"\"", NULL},
    {"params", "string", "Instead of entity1/entity2: \"entity1;entity2\"", 0,
     "\"default\":\"\"", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const char session_item[] =
    "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"},\"state\":{\"type\":\"integer\"},"
    "\"scenario\":{\"type\":\"string\"},\"SERVERS\":{\"type\":\"array\"},\"CLIENTS\":{\"type\":\"array\"}}}";
static const char entity_item[] =
    "{\"type\":\"object\",\"properties\":{\"logic_key\":{\"type\":\"string\"},\"callid\":{\"type\":\"string\"},"
    "\"state\":{\"type\":\"integer\"},\"from_uri\":{\"type\":\"string\"},\"to_uri\":{\"type\":\"string\"}}}";

static const struct tool_def b2b_tools[] = {
    {"b2b_list_sessions", "List B2B sessions",
     "Lists B2BUA sessions (b2b_logic tuples): key, scenario, state, and their server/client "
     "legs. The key is what b2b_terminate takes.",
     "b2b", "b2b_logic:list", NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY | ROW_LIST,
     "Tuples", session_item, NULL, "b2b_logic:list (3.x b2b_list)", NULL, NULL},
    {"b2b_list_entities", "List B2B entities",
     "Lists the raw B2B dialogs (b2b_entities): Call-ID, tags, state, URIs, and the session "
     "(logic_key) each belongs to.",
     "b2b", "b2b_entities:list", NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY | ROW_LIST,
     NULL, entity_item, NULL, "b2b_entities:list (3.x b2be_list)", NULL, NULL},
    {"b2b_sca_list", "List shared call appearances",
     "Lists b2b_sca shared-line appearances (SCA) and their call states.",
     "b2b", "b2b_sca:list", NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY | ROW_LIST, NULL,
     NULL, NULL,
     "b2b_sca:list (3.x sca_list). Fixed: the Python server sends b2b_sca_list, which OpenSIPS "
     "rejects (-32601)", NULL, NULL},
    {"b2b_terminate", "End a B2B session",
     "Ends a B2B session: BYE to every leg. Take the key from b2b_list_sessions. Asks the user "
     "to confirm.",
     "b2b", "b2b_logic:terminate_call", b2b_terminate_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE /* a second call answers 404: not idempotent */, NULL, NULL, NULL,
     "b2b_logic:terminate_call {key} (3.x b2b_terminate_call). Fixed: the Python server sends "
     "b2b_terminate, which OpenSIPS rejects (-32601)", NULL, NULL},
    {"b2b_trigger_scenario", "Start a B2B scenario",
     "Starts a b2b_logic scenario from outside (3PCC): OpenSIPS calls entity1 and entity2 and "
     "bridges them. Needs b2b_logic's server_address set. Asks the user to confirm.",
     "b2b", NULL, b2b_trigger_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE /* places calls; not idempotent */, NULL, NULL, t_b2b_trigger_scenario,
     "b2b_logic:trigger_scenario {scenario_id, entity1, entity2} (3.x b2b_trigger_scenario). "
     "Fixed: the Python server sends {id, custom_hdrs, params} (-32602 'Named parameters do "
     "not match'); params \"e1;e2\" is split into the two entities, custom_hdrs is refused", NULL, NULL},
};
ROW_TABLE(b2b, b2b_tools);
