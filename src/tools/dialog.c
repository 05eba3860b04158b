/* tools/dialog: calls in progress (OpenSIPS dialog module). The Python server's dlg_end and
 * dlg_push_var keep their interface (callid, from_tag, to_tag) but are mapped onto what OpenSIPS
 * really accepts: find the dialog by Call-ID, check its tags, then act on its dialog ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

/* The dialog of `callid` whose caller tag is from_tag and, when to_tag is given, one of whose
 * callees has that tag. NULL (with *why set) when there is none; *listed gets the dialogs seen. */
static json_t *find_dialog(struct mcp_call *c, const char *node, const char *callid,
                           const char *from_tag, const char *to_tag, struct mi_error *e,
                           json_t **listed, const char **why)
{
    struct mi_client *mi = tool_backends_of(c)->mi;
    json_t *params = json_pack("{s:s}", "callid", callid), *result = NULL, *d, *found = NULL;
    size_t i;

    *listed = NULL;
    *why = NULL;
    enum mi_err rc = mi_client_call(mi, node, "dialog:list", params, 0, &result, e);
    json_decref(params);
    if (rc == MI_ERR_MI && e->code == 404) {
        /* OpenSIPS answers a Call-ID it does not know with 404 "Requested Dialog not found". */
        *listed = json_array();
        *why = "no dialog has this Call-ID";
        return NULL;
    }
    if (rc != MI_OK)
        return NULL;
    *listed = tool_list_items(result, "Dialogs");
    json_array_foreach(*listed, i, d) {
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
    if (!found)
        *why = json_array_size(*listed) ? "a dialog with this Call-ID exists, but its tags differ"
                                        : "no dialog has this Call-ID";
    return found;
}

static json_t *not_found(const char *tool, const char *callid, const char *why, json_t *listed)
{
    json_t *d;
    size_t i;
    char tags[512] = "";
    size_t used = 0;

    json_array_foreach(listed, i, d) {
        int w = snprintf(tags + used, sizeof(tags) - used, "%s%s (from_tag %s, state %lld)",
                         used ? ", " : "", tool_str(d, "ID", "?"),
                         tool_str(d, "caller_tag", "?"),
                         json_integer_value(json_object_get(d, "state")));
        if (w < 0 || (size_t)w >= sizeof(tags) - used)
            break;
        used += (size_t)w;
    }
    json_decref(listed);
    return content_error_result("%s: nothing was changed: %s (Call-ID '%s')%s%s. List the dialogs "
                                "with dlg_list to see their tags.",
                                tool, why, callid, used ? "; found: " : "", tags);
}

static json_t *t_dlg_end(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *callid = json_string_value(json_object_get(args, "callid"));
    const char *from_tag = json_string_value(json_object_get(args, "from_tag"));
    const char *to_tag = json_string_value(json_object_get(args, "to_tag"));
    const char *node = tool_node(args), *why;
    struct mi_client *mi = tool_backends_of(c)->mi;
    struct mi_error e;
    json_t *listed, *d, *params, *result = NULL, *out;

    if (!(d = find_dialog(c, node, callid, from_tag, to_tag, &e, &listed, &why)))
        return why ? not_found(t->name, callid, why, listed) : tool_mi_error(c, t->name, &e);
    json_decref(listed);
    const char *id = json_string_value(json_object_get(d, "ID"));
    params = json_pack("{s:s}", "dialog_id", id);
    enum mi_err rc = mi_client_call(mi, node, "dialog:end_dlg", params, 0, &result, &e);
    json_decref(params);
    json_decref(result);
    if (rc != MI_OK) {
        json_decref(d);
        return tool_mi_error(c, t->name, &e);
    }
    out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "node", node ? node : "default", "dialog_id", id,
                    "callid", callid, "from_tag", from_tag, "outcome",
                    "ended: BYE sent to both sides; the dialog stays listed in state 5 for a "
                    "few seconds");
    json_decref(d);
    return content_structured_result(json_pack("{s:o}", "result", out));
}

static json_t *t_dlg_push_var(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *callid = json_string_value(json_object_get(args, "callid"));
    const char *from_tag = json_string_value(json_object_get(args, "from_tag"));
    const char *node = tool_node(args), *why;
    struct mi_client *mi = tool_backends_of(c)->mi;
    struct mi_error e;
    json_t *listed, *d, *params, *result = NULL, *ctx = NULL, *out;

    if (!(d = find_dialog(c, node, callid, from_tag, NULL, &e, &listed, &why)))
        return why ? not_found(t->name, callid, why, listed) : tool_mi_error(c, t->name, &e);
    json_decref(listed);
    const char *id = json_string_value(json_object_get(d, "ID"));
    /* DID must be an array; OpenSIPS 4.0.1 skips unknown ids silently and still answers OK, so
     * the value is read back with dlg_list_ctx (plain dlg_list does not print values). */
    params = json_pack("{s:O, s:O, s:[s]}", "dlg_val_name", json_object_get(args, "var_name"),
                       "dlg_val_value", json_object_get(args, "var_value"), "DID", id);
    enum mi_err rc = mi_client_call(mi, node, "dialog:push_var", params, 0, &result, &e);
    json_decref(params);
    json_decref(result);
    if (rc != MI_OK) {
        json_decref(d);
        return tool_mi_error(c, t->name, &e);
    }
    params = json_pack("{s:s}", "callid", callid);
    const char *verified = "not verified: dlg_list_ctx failed";
    if (mi_client_call(mi, node, "dialog:list_ctx", params, 0, &ctx, &e) == MI_OK) {
        json_t *dl, *values;
        size_t i;
        verified = "NOT applied: OpenSIPS answered OK but the dialog does not carry the value";
        json_t *ctx_dialogs = tool_list_items(ctx, "Dialogs");
        json_array_foreach(ctx_dialogs, i, dl) {
            if (strcmp(tool_str(dl, "ID", ""), id))
                continue;
            values = json_object_get(json_object_get(dl, "context"), "values");
            json_t *v, *want = json_object_get(args, "var_value");
            size_t k;
            json_array_foreach(values, k, v) {
                json_t *got = json_object_get(v, json_string_value(json_object_get(args, "var_name")));
                if (got && json_equal(got, want))
                    verified = "applied: read back with dlg_list_ctx";
            }
        }
        json_decref(ctx_dialogs);
    }
    json_decref(params);
    json_decref(ctx);
    out = json_pack("{s:s, s:s, s:s, s:O, s:O, s:s}", "node", node ? node : "default", "dialog_id",
                    id, "callid", callid, "var_name", json_object_get(args, "var_name"),
                    "var_value", json_object_get(args, "var_value"), "outcome", verified);
    json_decref(d);
    return content_structured_result(json_pack("{s:o}", "result", out));
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
     .mapping = "dialog:list (3.x dlg_list); paging pushed down to MI with index/counter"},
    {.name = "dlg_end",
     .title = "End a call",
     .description = "Ends one call in progress: OpenSIPS sends BYE to both sides. Identify the call by its "
                    "Call-ID and both tags, as dlg_list shows them; nothing is ended when no dialog matches all "
                    "three. Asks the user to confirm.",
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
     .handler = t_dlg_end,
     .mapping = "dialog:list {callid} to find the dialog and check both tags, then dialog:end_dlg "
                "{dialog_id: ID} (3.x dlg_end_dlg). Fixed: the Python server sends "
                "dialog_id=\"callid:from_tag:to_tag\", which OpenSIPS never matches"},
    {.name = "dlg_push_var",
     .title = "Set a dialog variable",
     .description = "Stores a named value on a call in progress ($dlg_val in the routing script), found by "
                    "Call-ID and caller tag, then reads it back to prove it was stored. Asks the user to confirm.",
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
     .handler = t_dlg_push_var,
     .mapping = "dialog:list {callid} to find the dialog, dialog:push_var {dlg_val_name, dlg_val_value, "
                "DID: [ID]} (DID must be an array; unknown ids are skipped with an OK), then "
                "dialog:list_ctx to verify. Fixed: the Python server's parameter names are not OpenSIPS's"},
};
ROW_TABLE(dialog, dialog_tools);
