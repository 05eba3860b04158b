/* tools/topology: calls whose topology is hidden. OpenSIPS's topology_hiding module exports no
 * MI command and the dialog flag it sets is not printed by any dialog listing; what MI does
 * show is B2B topology hiding (b2b_logic sessions of the built-in "top hiding" scenario). */
#include "tools/row.h"

#define TH_NOTE "B2B sessions of the \"top hiding\" scenario only: calls hidden with the " \
                "topology_hiding module are not marked in any MI listing (see dlg_list and " \
                "your script's own markers, e.g. a dialog profile)"

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
     .mi = {.cmd = "b2b_logic:list", .list = "Tuples",
            .absent = "this node has no b2b_logic, so no B2B topology hiding; calls hidden with "
                      "the topology_hiding module are not marked in any OpenSIPS MI listing (list "
                      "calls with dlg_list; mark them in the script, e.g. with a dialog profile, to "
                      "find them)"},
     .filter = {.field = "scenario", .equals = "top hiding"},
     .note = TH_NOTE,
     .result = FIELDS({.name = "key", .type = T_STRING},
                      {.name = "state", .type = T_INTEGER},
                      {.name = "SERVERS", .type = T_ARRAY},
                      {.name = "CLIENTS", .type = T_ARRAY}),
     .mapping = "b2b_logic:list (3.x b2b_list) filtered to scenario \"top hiding\"; the topology_hiding "
                "module exports no MI command and its dialog flag is not printed, so those calls cannot "
                "be listed (said in the result's note)"},
};
ROW_TABLE(topology, topology_tools);
