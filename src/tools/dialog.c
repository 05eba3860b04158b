/* tools/dialog: calls in progress (OpenSIPS dialog module). The Python server's dlg_end and
 * dlg_push_var keep their interface (callid, from_tag, to_tag) but are mapped onto what OpenSIPS
 * really accepts: find the dialog by Call-ID, check its tags, then act on its dialog ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

/* The dialogs OpenSIPS lists for `callid`, by ID, caller tag and state, for a refusal. */
static void dialogs_seen(const json_t *listed, char *tags, size_t n)
{
    size_t used = 0, i;
    json_t *d;

    tags[0] = '\0';
    json_array_foreach(listed, i, d) {
        int w = snprintf(tags + used, n - used, "%s%s (from_tag %s, state %lld)",
                         used ? ", " : "", tool_str(d, "ID", "?"),
                         tool_str(d, "caller_tag", "?"),
                         json_integer_value(json_object_get(d, "state")));
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

/* The dialog of `callid` whose caller tag is from_tag and, when to_tag is given, one of whose
 * callees has that tag (new reference); NULL with *e set when there is none (TOOL_E_NOT_FOUND,
 * naming the dialogs seen) or the listing failed. */
static json_t *find_dialog(struct tool_ctx *x, const char *callid, const char *from_tag,
                           const char *to_tag, struct tool_error *e)
{
    json_t *params = json_pack("{s:s}", "callid", callid), *result = NULL, *d, *found = NULL;
    json_t *listed;
    const char *why = "no dialog has this Call-ID";
    char tags[512] = "";
    size_t i;

    enum tool_err rc = tool_mi(x, "dialog:list", params, &result, e);
    json_decref(params);
    /* OpenSIPS answers a Call-ID it does not know with 404 "Requested Dialog not found". */
    if (rc != TOOL_OK && !(tool_mi_is(e, MI_ERR_MI) && e->code == 404))
        return NULL;
    listed = rc == TOOL_OK ? tool_list_items(result, "Dialogs") : json_array();
    json_array_foreach(listed, i, d) {
        json_t *callee;
        size_t k;
        bool to_ok = !to_tag;
        if (strcmp(tool_str(d, "caller_tag", ""), from_tag))
            continue;
        if (to_tag)
            json_array_foreach(json_object_get(d, "CALLEES"), k, callee)
                to_ok |= !strcmp(tool_str(callee, "callee_tag", ""), to_tag);
        if (to_ok) {
            found = json_incref(d);
            break;
        }
    }
    json_decref(result);
    if (!found) {
        if (json_array_size(listed))
            why = "a dialog with this Call-ID exists, but its tags differ";
        dialogs_seen(listed, tags, sizeof(tags));
        tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "nothing was changed: %s (Call-ID '%s')%s%s. "
                  "List the dialogs with dlg_list to see their tags.", why, callid,
                  tags[0] ? "; found: " : "", tags);
    }
    json_decref(listed);
    return found;
}

static json_t *dlg_end_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *callid = tool_str(args, "callid", ""), *from_tag = tool_str(args, "from_tag", "");
    json_t *d, *params, *result = NULL, *out = NULL;

    if (!(d = find_dialog(x, callid, from_tag, tool_str(args, "to_tag", ""), e)))
        return NULL;
    const char *id = tool_str(d, "ID", "");
    params = json_pack("{s:s}", "dialog_id", id);
    if (tool_mi(x, "dialog:end_dlg", params, &result, e) == TOOL_OK)
        out = json_pack("{s:{s:s, s:s, s:s, s:s, s:s}}", "result", "node",
                        x->node ? x->node : "default", "dialog_id", id, "callid", callid,
                        "from_tag", from_tag, "outcome",
                        "ended: BYE sent to both sides; the dialog stays listed in state 5 for a "
                        "few seconds");
    json_decref(params);
    json_decref(result);
    json_decref(d);
    return out;
}

/* Whether dialog `id` of `callid` carries name = want, as dlg_list_ctx shows it (plain dlg_list
 * does not print values): the outcome's sentence. */
static const char *push_verified(struct tool_ctx *x, const char *callid, const char *id,
                                 const char *name, const json_t *want)
{
    json_t *params = json_pack("{s:s}", "callid", callid), *ctx = NULL, *dialogs, *dl, *v;
    const char *verified = "not verified: dlg_list_ctx failed";
    struct tool_error ignored;
    size_t i, k;

    if (tool_mi(x, "dialog:list_ctx", params, &ctx, &ignored) == TOOL_OK) {
        verified = "NOT applied: OpenSIPS answered OK but the dialog does not carry the value";
        dialogs = tool_list_items(ctx, "Dialogs");
        json_array_foreach(dialogs, i, dl) {
            if (strcmp(tool_str(dl, "ID", ""), id))
                continue;
            json_array_foreach(json_object_get(json_object_get(dl, "context"), "values"), k, v) {
                json_t *got = json_object_get(v, name);
                if (got && json_equal(got, want))
                    verified = "applied: read back with dlg_list_ctx";
            }
        }
        json_decref(dialogs);
    }
    json_decref(params);
    json_decref(ctx);
    return verified;
}

static json_t *dlg_push_var_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *callid = tool_str(args, "callid", ""), *name = tool_str(args, "var_name", "");
    json_t *value = json_object_get(args, "var_value"), *d, *params, *result = NULL, *out = NULL;

    if (!(d = find_dialog(x, callid, tool_str(args, "from_tag", ""), NULL, e)))
        return NULL;
    const char *id = tool_str(d, "ID", "");
    /* DID must be an array; OpenSIPS 4.0.1 skips unknown ids silently and still answers OK, so
     * the value is read back. */
    params = json_pack("{s:s, s:O, s:[s]}", "dlg_val_name", name, "dlg_val_value", value, "DID",
                       id);
    if (tool_mi(x, "dialog:push_var", params, &result, e) == TOOL_OK)
        out = json_pack("{s:{s:s, s:s, s:s, s:s, s:O, s:s}}", "result", "node",
                        x->node ? x->node : "default", "dialog_id", id, "callid", callid,
                        "var_name", name, "var_value", value, "outcome",
                        push_verified(x, callid, id, name, value));
    json_decref(params);
    json_decref(result);
    json_decref(d);
    return out;
}

static const struct tool_def dialog_tools[] = {
    {.name = "dlg_list",
     .title = "List calls",
     .description = "Lists the calls in progress (dialogs): ID, state (1 unconfirmed, 2 early, 3 confirmed "
                    "waiting ACK, 4 confirmed, 5 ended), Call-ID, From/To, tags, start time. Pages with limit "
                    "and offset; narrow to one call with callid (and from_tag).",
     .toolset = "dialog",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialog:list", .list = "Dialogs", .paged = true},
     .args = ARGS({.name = "callid", .type = T_STRING, .min_len = 1, .mi = "callid",
                   .description = "Only the dialog with this Call-ID (the SIP Call-ID header)"},
                  {.name = "from_tag", .type = T_STRING, .min_len = 1, .mi = "from_tag",
                   .description = "With callid: only the dialog whose caller (From) tag is this"}),
     .result = FIELDS({.name = "ID", .type = T_STRING},
                      {.name = "state", .type = T_INTEGER},
                      {.name = "callid", .type = T_STRING},
                      {.name = "from_uri", .type = T_STRING},
                      {.name = "to_uri", .type = T_STRING},
                      {.name = "caller_tag", .type = T_STRING}),
     .links = LINKS({.uri = "opensips://{node}/dialogs"},
                    {.uri = "opensips://{node}/dialog/{callid}", .items = "items"}),
     .mapping = "dialog:list (3.x dlg_list); paging pushed down to MI with index/counter"},
    {.name = "dlg_end",
     .title = "End a call",
     .description = "Ends one call in progress: OpenSIPS sends BYE to both sides. Identify the call by its "
                    "Call-ID and both tags, as dlg_list shows them; nothing is ended when no dialog matches all "
                    "three.",
     .toolset = "dialog",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialog:end_dlg"},
     .args = ARGS({.name = "callid", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1,
                   .description = "Call-ID of the call to end (callid in dlg_list)"},
                  {.name = "from_tag", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1,
                   .description = "The caller's tag (caller_tag in dlg_list)"},
                  {.name = "to_tag", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1,
                   .description = "The callee's tag (CALLEES[].callee_tag in dlg_list)"}),
     .run = dlg_end_run,
     .mapping = "dialog:list {callid} to find the dialog and check both tags, then dialog:end_dlg "
                "{dialog_id: ID} (3.x dlg_end_dlg). Fixed: the Python server sends "
                "dialog_id=\"callid:from_tag:to_tag\", which OpenSIPS never matches"},
    {.name = "dlg_push_var",
     .title = "Set a dialog variable",
     .description = "Stores a named value on a call in progress ($dlg_val in the routing script), found by "
                    "Call-ID and caller tag, then reads it back to prove it was stored.",
     .toolset = "dialog",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialog:push_var"},
     .args = ARGS({.name = "callid", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1,
                   .description = "Call-ID of the dialog (callid in dlg_list)"},
                  {.name = "from_tag", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1,
                   .description = "The caller's tag (caller_tag in dlg_list)"},
                  {.name = "var_name", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 64,
                   .description = "Name of the dialog variable ($dlg_val(name) in the script)"},
                  {.name = "var_value", .type = T_STRING, .flags = ARG_REQUIRED, .max_len = 1024,
                   .description = "Value to store"}),
     .run = dlg_push_var_run,
     .links = LINKS({.uri = "opensips://{node}/dialog/{callid}"}),
     .mapping = "dialog:list {callid} to find the dialog, dialog:push_var {dlg_val_name, dlg_val_value, "
                "DID: [ID]} (DID must be an array; unknown ids are skipped with an OK), then "
                "dialog:list_ctx to verify. Fixed: the Python server's parameter names are not OpenSIPS's"},
};
ROW_TABLE(dialog, dialog_tools);
