/* tools/topology: calls whose topology is hidden. OpenSIPS's topology_hiding module exports no
 * MI command and the dialog flag it sets is not printed by any dialog listing; what MI does
 * show is B2B topology hiding (b2b_logic sessions of the built-in "top hiding" scenario). */
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

#define TH_NOTE "B2B sessions of the \"top hiding\" scenario only: calls hidden with the " \
                "topology_hiding module are not marked in any MI listing (see dlg_list and " \
                "your script's own markers, e.g. a dialog profile)"

static json_t *t_topology_hiding_list(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    struct mi_client *mi = tool_backends_of(c)->mi;
    const char *node = tool_node(args);
    json_t *result = NULL, *tuple, *items, *out;
    struct mi_error e;
    size_t i;

    if (mi_client_call(mi, node, "b2b_logic:list", NULL, 0, &result, &e) != MI_OK) {
        if (e.err == MI_ERR_UNKNOWN_COMMAND)
            return content_error_result(
                "%s: this node has no b2b_logic, so no B2B topology hiding; calls hidden with "
                "the topology_hiding module are not marked in any OpenSIPS MI listing (list "
                "calls with dlg_list; mark them in the script, e.g. with a dialog profile, to "
                "find them). (%s)", t->name, e.text);
        return tool_mi_error(c, t->name, &e);
    }
    items = json_array();
    json_array_foreach(json_object_get(result, "Tuples"), i, tuple)
        if (!strcmp(tool_str(tuple, "scenario", ""), "top hiding"))
            json_array_append(items, tuple);
    json_decref(result);
    out = row_page(items, args, -1, 0);
    json_object_set_new(out, "note", json_string(TH_NOTE));
    return tool_node_result(c, t->name, node, out, &e);
}

static const struct tool_def topology_tools[] = {
    {.name = "topology_hiding_list",
     .title = "List topology-hidden calls",
     .description = "Lists calls whose topology OpenSIPS hides as a B2BUA (b2b_logic \"top hiding\"), with "
                    "the entity keys and URIs of each leg. Calls hidden with the topology_hiding module are "
                    "not visible to MI.",
     .toolset = "topology_hiding",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .result = FIELDS({.name = "key", .type = T_STRING},
                      {.name = "state", .type = T_INTEGER},
                      {.name = "SERVERS", .type = T_ARRAY},
                      {.name = "CLIENTS", .type = T_ARRAY}),
     .handler = t_topology_hiding_list,
     .mapping = "b2b_logic:list (3.x b2b_list) filtered to scenario \"top hiding\"; the topology_hiding "
                "module exports no MI command and its dialog flag is not printed, so those calls cannot "
                "be listed (said in the result's note)"},
};
ROW_TABLE(topology, topology_tools);
