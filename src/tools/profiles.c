/* tools/profiles: dialog profiles (OpenSIPS dialog module) — how many calls a profile counts,
 * which, and ending them. profile_end_dlgs can answer OK and end nothing (4.0.1, dialogs
 * without a sharing tag under dialog clustering), so every end is verified by counting again. */
#include <stdio.h>
#include <string.h>

#include "mcp/call.h"
#include "tools/guards.h"
#include "tools/row.h"
#include "tools/tool.h"

/* The profile's count for these params, or -1 with *e set. */
static long long profile_count(struct tool_ctx *x, const json_t *params, struct tool_error *e)
{
    json_t *result = NULL;

    if (tool_mi(x, "dialog:profile_get_size", params, &result, e) != TOOL_OK)
        return -1;
    long long n = json_integer_value(json_object_get(json_object_get(result, "Profile"), "count"));
    json_decref(result);
    return n;
}

/* {result: {profile, value, before, after, ended, outcome}} */
static json_t *ended(const char *profile, const char *value, long long before, long long after,
                     const char *outcome)
{
    return json_pack("{s:{s:s, s:o, s:I, s:I, s:I, s:s}}", "result", "profile", profile, "value",
                     value ? json_string(value) : json_null(), "before", (json_int_t)before,
                     "after", (json_int_t)after, "ended", (json_int_t)(before - after),
                     "outcome", outcome);
}

static json_t *profile_end_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *profile = tool_str(args, "profile", "");
    const char *value = tool_str(args, "value", NULL);
    json_t *params = json_pack("{s:s}", "profile", profile), *result = NULL, *out = NULL;
    long long before, after;

    if (value)
        json_object_set_new(params, "value", json_string(value));
    if ((before = profile_count(x, params, e)) < 0)
        goto out;
    if (before == 0) {
        out = ended(profile, value, 0, 0,
                    "nothing to end: the profile counts no call (nothing was sent)");
        goto out;
    }
    if (tool_mi(x, "dialog:profile_end_dlgs", params, &result, e) != TOOL_OK)
        goto out;
    /* ended calls leave the profile at once on a real node; give a slow one a moment */
    after = profile_count(x, params, e);
    if (after >= before && mcp_call_sleep_ms(x->call, 300) == 0)
        after = profile_count(x, params, e);
    if (after < 0) {
        char why[sizeof(e->text)];
        snprintf(why, sizeof(why), "%s", e->text);
        tool_fail(e, e->kind, e->name, e->code, "OpenSIPS answered OK, but counting the profile "
                  "again failed (%.600s); check with dlg_profile_get_size", why);
        goto out;
    }
    if (after >= before) {
        const char *why = guard_note("dialog:profile_end_dlgs");
        tool_fail(e, TOOL_E_REFUSED, "misleading_ok", 0,
                  "NOT ended: OpenSIPS answered OK, but profile '%s'%s%s%s still counts %lld "
                  "call(s) (%lld before). Known cause (OpenSIPS 4.0.1): %s", profile,
                  value ? " value '" : "", value ? value : "", value ? "'" : "", after, before,
                  why ? why : "End them one by one with dlg_end.");
        goto out;
    }
    out = ended(profile, value, before, after,
                after ? "partly ended: some calls are still counted (see dlg_profile_list_dlgs)"
                      : "ended: BYE sent to both sides of every call; the profile counts none now");
out:
    json_decref(params);
    json_decref(result);
    return out;
}

static const struct tool_arg profile_args[] = {
    {.name = "profile", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 64, .mi = "profile",
     .description = "Profile name (name in dlg_list_profiles)"},
    {.name = "value", .type = T_STRING, .max_len = 256, .mi = "value",
     .description = "Only calls with this value, for profiles that keep values (has value "
                    "true in dlg_list_profiles), e.g. a caller's user name"},
    {0},
};
static const struct tool_def profile_tools[] = {
    {.name = "dlg_list_profiles",
     .title = "List dialog profiles",
     .description = "Lists the dialog profiles the script defines and whether each keeps values.",
     .toolset = "profiles",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialog:list_all_profiles", .list = "Profiles"},
     .result = FIELDS({.name = "name", .type = T_STRING},
                      {.name = "has value", .type = T_BOOLEAN}),
     .mapping = "dialog:list_all_profiles (3.x list_all_profiles)"},
    {.name = "dlg_profile_get_size",
     .title = "Count calls in a profile",
     .description = "Counts the calls in a dialog profile, or with one value of it (e.g. calls per caller).",
     .toolset = "profiles",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialog:profile_get_size"},
     .args = profile_args,
     .result = FIELDS({.name = "Profile", .type = T_OBJECT, .fields = FIELDS({.name = "name", .type = T_STRING},
                             {.name = "count", .type = T_INTEGER},
                             {.name = "shared", .type = T_STRING},
                             {.name = "replicated", .type = T_STRING})}),
     .mapping = "dialog:profile_get_size {profile[, value]} (3.x profile_get_size)"},
    {.name = "dlg_profile_list_dlgs",
     .title = "List calls in a profile",
     .description = "Lists the calls (dialogs) in a dialog profile, or with one value of it.",
     .toolset = "profiles",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialog:profile_list_dlgs", .list = "Dialogs"},
     .args = profile_args,
     .result = FIELDS({.name = "ID", .type = T_STRING},
                      {.name = "state", .type = T_INTEGER},
                      {.name = "callid", .type = T_STRING},
                      {.name = "from_uri", .type = T_STRING},
                      {.name = "to_uri", .type = T_STRING}),
     .links = LINKS({.uri = "opensips://{node}/dialog/{callid}", .items = "items"}),
     .mapping = "dialog:profile_list_dlgs {profile[, value]} (3.x profile_list_dlgs)"},
    {.name = "dlg_profile_end_dlgs",
     .title = "End the calls in a profile",
     .description = "Ends every call in a dialog profile (or with one value): BYE to both sides. Counts the "
                    "profile before and after, since OpenSIPS may answer OK and end nothing."
                    "",
     .toolset = "profiles",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialog:profile_end_dlgs"},
     .args = profile_args,
     .result = FIELDS({.name = "profile", .type = T_STRING},
                      {.name = "before", .type = T_INTEGER},
                      {.name = "after", .type = T_INTEGER},
                      {.name = "ended", .type = T_INTEGER},
                      {.name = "outcome", .type = T_STRING}),
     .run = profile_end_run,
     .mapping = "dialog:profile_get_size, dialog:profile_end_dlgs {profile[, value]} (3.x "
                "profile_end_dlgs), dialog:profile_get_size again to verify (4.0.1 answers OK and ends "
                "nothing for dialogs without a sharing tag under dialog clustering)"},
};
ROW_TABLE(profiles, profile_tools);
