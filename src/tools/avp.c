/* tools/avp: the Python server's avp_get and avp_delete. OpenSIPS has no MI command for AVPs:
 * avpops exports none (3.x), 4.0 has no avpops at all, and AVPs live only while one SIP
 * transaction is processed. The tools keep their interface and say so plainly. */
#include "tools/row.h"

#define AVP_INSTEAD "To keep a value MI can reach, store it in the script as a dialog variable " \
    "($dlg_val: read it with dlg_list_ctx via mi_execute, set it with dlg_push_var) or in the " \
    "local cache (cache_store(\"local\", ...): read with mi_execute cache_fetch {system: " \
    "\"local\", attr}, delete with cache_remove); per-user AVPs loaded with avp_db_load live " \
    "in the usr_preferences table"
#define AVP_NONE(verb) \
    "not possible: OpenSIPS has no MI command to " verb " AVPs (avpops exports none, OpenSIPS " \
    "4.0 has no avpops module, and an AVP exists only while one SIP transaction is processed; " \
    "OpenSIPS answers -32601 'Method not found'). Nothing was sent. " AVP_INSTEAD "."

static const struct tool_arg avp_args[] = {
    {.name = "name", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128,
     .description = "The AVP's bare name, without $avp()"},
    {0},
};
static const struct tool_def avp_tools[] = {
    {.name = "avp_get",
     .title = "Read an AVP (not possible)",
     .description = "OpenSIPS has no MI command to read AVPs: this tool explains where to keep such a value "
                    "instead (dialog variable, local cache, usr_preferences).",
     .toolset = "avpops",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .args = avp_args,
     .unavailable = AVP_NONE("read"),
     .mapping = "none: avpops exports no MI command (3.x) and 4.0 has no avpops; the Python server's "
                "avp_get is answered -32601. Answers isError with the alternatives"},
    {.name = "avp_delete",
     .title = "Delete an AVP (not possible)",
     .description = "OpenSIPS has no MI command to delete AVPs: this tool explains where to keep such a value "
                    "instead and how to delete it there.",
     .toolset = "avpops",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .args = avp_args,
     .unavailable = AVP_NONE("delete"),
     .mapping = "none: avpops exports no MI command (3.x) and 4.0 has no avpops; the Python server's "
                "avp_delete is answered -32601. Answers isError with the alternatives, changing nothing"},
};
ROW_TABLE(avp, avp_tools);
