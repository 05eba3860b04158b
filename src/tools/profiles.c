/* tools/profiles: dialog profiles (OpenSIPS dialog module) — how many calls a profile counts,
 * which, and ending them. profile_end_dlgs can answer OK and end nothing (4.0.1, dialogs
 * without a sharing tag under dialog clustering), so every end is verified by counting again. */
#include <stdio.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/guards.h"
#include "tools/row.h"
#include "tools/tool.h"

/* The profile's count for these params, or -1 with *e set. */
static long long profile_count(struct mi_client *mi, const char *node, const json_t *params,
                               struct mi_error *e)
{
    json_t *result = NULL;

    if (mi_client_call(mi, node, "dialog:profile_get_size", params, 0, &result, e) != MI_OK)
        return -1;
    long long n = json_integer_value(json_object_get(json_object_get(result, "Profile"), "count"));
    json_decref(result);
    return n;
}

static json_t *t_dlg_profile_end_dlgs(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const char *node = tool_node(args), *nodename = node ? node : "default";
    const char *profile = tool_str(args, "profile", "");
    const char *value = tool_str(args, "value", NULL);
    json_t *params = json_pack("{s:s}", "profile", profile), *result = NULL, *out = NULL;
    struct mi_error e;
    long long before, after;

    if (value)
        json_object_set_new(params, "value", json_string(value));
    if ((before = profile_count(mi, node, params, &e)) < 0) {
        out = tool_mi_error(c, t->name, &e);
        goto out;
    }
    if (before == 0) {
        out = content_structured_result(json_pack(
            "{s:s, s:{s:s, s:o, s:I, s:I, s:I, s:s}}", "node", nodename, "result", "profile",
            profile, "value", value ? json_string(value) : json_null(), "before", (json_int_t)0,
            "after", (json_int_t)0, "ended", (json_int_t)0, "outcome",
            "nothing to end: the profile counts no call (nothing was sent)"));
        goto out;
    }
    if (mi_client_call(mi, node, "dialog:profile_end_dlgs", params, 0, &result, &e) != MI_OK) {
        out = tool_mi_error(c, t->name, &e);
        goto out;
    }
    /* ended calls leave the profile at once on a real node; give a slow one a moment */
    after = profile_count(mi, node, params, &e);
    if (after >= before && mcp_call_sleep_ms(c, 300) == 0)
        after = profile_count(mi, node, params, &e);
    if (after < 0) {
        out = content_error_result("%s: OpenSIPS answered OK, but counting the profile again "
                                   "failed (%s); check with dlg_profile_get_size", t->name,
                                   e.text);
        goto out;
    }
    if (after >= before) {
        const char *why = guard_note("dialog:profile_end_dlgs");
        mcp_call_set_outcome(c, "misleading_ok");
        out = content_error_result(
            "%s: NOT ended: OpenSIPS answered OK, but profile '%s'%s%s%s still counts %lld "
            "call(s) (%lld before). Known cause (OpenSIPS 4.0.1): %s", t->name, profile, value ? " value '" : "",
            value ? value : "", value ? "'" : "", after, before,
            why ? why : "End them one by one with dlg_end.");
        goto out;
    }
    out = content_structured_result(json_pack(
        "{s:s, s:{s:s, s:o, s:I, s:I, s:I, s:s}}", "node", nodename, "result", "profile", profile,
        "value", value ? json_string(value) : json_null(), "before", (json_int_t)before, "after",
        (json_int_t)after, "ended", (json_int_t)(before - after), "outcome",
        after ? "partly ended: some calls are still counted (see dlg_profile_list_dlgs)"
              : "ended: BYE sent to both sides of every call; the profile counts none now"));
out:
    json_decref(params);
    json_decref(result);
    return out;
}

static const struct tool_arg profile_args[] = {
    {"profile", "string", "Profile name (name in dlg_list_profiles)", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":64", "profile"},
    {"value", "string", "Only calls with this value, for profiles that keep values (has value "
     "true in dlg_list_profiles), e.g. a caller's user name", 0, "\"maxLength\":256", "value"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const char size_schema[] =
    "{\"type\":\"object\",\"properties\":{\"Profile\":{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\"},\"shared\":{\"type\":\"string\"},"
    "\"replicated\":{\"type\":\"string\"}}}}}";
static const char profile_item[] =
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"has value\":{\"type\":\"boolean\"}}}";
static const char dialog_item[] =
    "{\"type\":\"object\",\"properties\":{\"ID\":{\"type\":\"string\"},\"state\":{\"type\":\"integer\"},"
    "\"callid\":{\"type\":\"string\"},\"from_uri\":{\"type\":\"string\"},\"to_uri\":{\"type\":\"string\"}}}";
static const char end_schema[] =
    "{\"type\":\"object\",\"properties\":{\"profile\":{\"type\":\"string\"},\"before\":{\"type\":\"integer\"},"
    "\"after\":{\"type\":\"integer\"},\"ended\":{\"type\":\"integer\"},\"outcome\":{\"type\":\"string\"}}}";

static const struct tool_def profile_tools[] = {
    {"dlg_list_profiles", "List dialog profiles",
     "Lists the dialog profiles the script defines and whether each keeps values.",
     "profiles", "dialog:list_all_profiles", NULL, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY | ROW_LIST, "Profiles", profile_item, NULL,
     "dialog:list_all_profiles (3.x list_all_profiles)", NULL, NULL},
    {"dlg_profile_get_size", "Count calls in a profile",
     "Counts the calls in a dialog profile, or with one value of it (e.g. calls per caller).",
     "profiles", "dialog:profile_get_size", profile_args, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY, NULL, size_schema, NULL,
     "dialog:profile_get_size {profile[, value]} (3.x profile_get_size)", NULL, NULL},
    {"dlg_profile_list_dlgs", "List calls in a profile",
     "Lists the calls (dialogs) in a dialog profile, or with one value of it.",
     "profiles", "dialog:profile_list_dlgs", profile_args, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY | ROW_LIST, "Dialogs", dialog_item, NULL,
     "dialog:profile_list_dlgs {profile[, value]} (3.x profile_list_dlgs)", NULL, NULL},
    {"dlg_profile_end_dlgs", "End the calls in a profile",
     "Ends every call in a dialog profile (or with one value): BYE to both sides. Counts the "
     "profile before and after, since OpenSIPS may answer OK and end nothing. Asks the user "
     "to confirm.",
     "profiles", NULL, profile_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, end_schema, t_dlg_profile_end_dlgs,
     "dialog:profile_get_size, dialog:profile_end_dlgs {profile[, value]} (3.x "
     "profile_end_dlgs), dialog:profile_get_size again to verify (4.0.1 answers OK and ends "
     "nothing for dialogs without a sharing tag under dialog clustering)", NULL,
     "dialog:profile_end_dlgs"},
};
ROW_TABLE(profiles, profile_tools);
