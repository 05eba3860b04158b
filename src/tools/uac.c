/* tools/uac: outbound registrations (OpenSIPS uac_registrant). OpenSIPS names a registrant by
 * AOR, contact (binding) and registrar together; the Python server's uac_reg_force_register takes
 * the AOR alone, so the other two are looked up in the registrant list. */
#include <stdio.h>
#include <string.h>

#include "tools/row.h"
#include "tools/tool.h"

static json_t *force_register_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *aor = tool_str(args, "aor", "");
    const char *contact = tool_str(args, "contact", NULL);
    const char *registrar = tool_str(args, "registrar", NULL);
    json_t *list = NULL, *rec, *found = NULL, *params = NULL, *result = NULL, *out = NULL;
    char seen[512] = "";
    size_t i, n = 0, used = 0;

    if (tool_mi(x, "uac_registrant:list", NULL, &list, e) != TOOL_OK)
        return NULL;
    json_array_foreach(json_object_get(list, "Records"), i, rec) {
        if (strcmp(tool_str(rec, "AOR", ""), aor) ||
            (contact && strcmp(tool_str(rec, "binding", ""), contact)) ||
            (registrar && strcmp(tool_str(rec, "registrar", ""), registrar)))
            continue;
        int w = snprintf(seen + used, sizeof(seen) - used, "%s%s via %s", n ? ", " : "",
                         tool_str(rec, "binding", "?"), tool_str(rec, "registrar", "?"));
        if (w > 0 && (size_t)w < sizeof(seen) - used)
            used += (size_t)w;
        found = rec;
        n++;
    }
    if (n > 1) {
        tool_fail(e, TOOL_E_BAD_ARGS, "ambiguous", 0, "nothing was sent: %zu registrants have "
                  "AOR '%s' (%s); pass contact and registrar to pick one", n, aor, seen);
        goto out;
    }
    if (!n) {
        tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "nothing was sent: no registrant has AOR '%s'%s; "
                  "list them with mi_execute {\"command\":\"reg_list\"}", aor,
                  contact || registrar ? " with that contact and registrar" : "");
        goto out;
    }
    /* OpenSIPS 4.0.1 answers OK for a disabled registrant and sends nothing (recorded). */
    if (!strcmp(tool_str(found, "enabled", "yes"), "no")) {
        tool_fail(e, TOOL_E_REFUSED, "disabled", 0, "nothing was sent: registrant '%s' is "
                  "disabled, so OpenSIPS would answer OK and send no REGISTER; enable it first "
                  "(reg_enable via mi_execute)", aor);
        goto out;
    }
    params = json_pack("{s:s, s:s, s:s}", "aor", aor, "contact", tool_str(found, "binding", ""),
                       "registrar", tool_str(found, "registrar", ""));
    if (tool_mi(x, "uac_registrant:force_register", params, &result, e) != TOOL_OK)
        goto out;
    out = json_pack("{s:{s:s, s:O, s:O, s:O?, s:s}}", "result", "aor", aor, "contact",
                    json_object_get(params, "contact"), "registrar",
                    json_object_get(params, "registrar"), "previous_state",
                    json_object_get(found, "state"), "outcome",
                    "REGISTER sent now; its result shows in reg_list (state) within seconds");
out:
    json_decref(list);
    json_decref(params);
    json_decref(result);
    return out;
}

static const struct tool_def uac_tools[] = {
    {.name = "uac_reg_force_register",
     .title = "Re-register a trunk now",
     .description = "Makes uac_registrant send a REGISTER for one registrant now (after a credential change "
                    "or when the upstream lost it). Refuses a disabled registrant, which OpenSIPS would "
                    "silently skip.",
     .toolset = "uac",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "uac_registrant:force_register"},
     .args = ARGS({.name = "aor", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 256,
                   .description = "The registrant's AOR (AOR in reg_list, e.g. sip:trunk1@example.com)"},
                  {.name = "contact", .type = T_STRING, .min_len = 1, .max_len = 256,
                   .description = "Only when several registrants share the AOR: its binding (binding "
                                  "in reg_list)"},
                  {.name = "registrar", .type = T_STRING, .min_len = 1, .max_len = 256,
                   .description = "Only when several share the AOR: its registrar (registrar in "
                                  "reg_list)"}),
     .result = FIELDS({.name = "aor", .type = T_STRING},
                      {.name = "contact", .type = T_STRING},
                      {.name = "registrar", .type = T_STRING},
                      {.name = "outcome", .type = T_STRING}),
     .run = force_register_run,
     .mapping = "uac_registrant:list to find contact and registrar of the AOR, then "
                "uac_registrant:force_register {aor, contact, registrar} (3.x reg_list, "
                "reg_force_register). Fixed: the Python server sends {aor} alone, which matches no recipe "
                "(-32602)"},
    {.name = "uac_reg_reload",
     .title = "Reload registrants",
     .description = "Re-reads the registrant table: added rows start registering, removed ones stop, states "
                    "reset from the table.",
     .toolset = "uac",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "uac_registrant:reload"},
     .mapping = "uac_registrant:reload (3.x reg_reload), all registrants"},
};
ROW_TABLE(uac, uac_tools);
