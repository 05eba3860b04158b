/* tools/uac: outbound registrations (OpenSIPS uac_registrant). OpenSIPS names a registrant by
 * AOR, contact (binding) and registrar together; the Python server's uac_reg_force_register takes
 * the AOR alone, so the other two are looked up in the registrant list. */
#include <stdio.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

static json_t *t_uac_reg_force_register(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    struct mi_client *mi = tool_backends_of(c)->mi;
    const char *node = tool_node(args);
    const char *aor = tool_str(args, "aor", "");
    const char *contact = tool_str(args, "contact", NULL);
    const char *registrar = tool_str(args, "registrar", NULL);
    json_t *list = NULL, *rec, *found = NULL, *params = NULL, *result = NULL, *out = NULL;
    struct mi_error e;
    char seen[512] = "";
    size_t i, n = 0, used = 0;

    if (mi_client_call(mi, node, "uac_registrant:list", NULL, 0, &list, &e) != MI_OK)
        return tool_mi_error(c, t->name, &e);
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
    if (n != 1) {
        out = n ? content_error_result("%s: nothing was sent: %zu registrants have AOR '%s' (%s); "
                                       "pass contact and registrar to pick one",
                                       t->name, n, aor, seen)
                : content_error_result("%s: nothing was sent: no registrant has AOR '%s'%s; "
                                       "list them with mi_execute {\"command\":\"reg_list\"}",
                                       t->name, aor, contact || registrar
                                       ? " with that contact and registrar" : "");
        goto out;
    }
    /* OpenSIPS 4.0.1 answers OK for a disabled registrant and sends nothing (recorded). */
    if (!strcmp(tool_str(found, "enabled", "yes"), "no")) {
        out = content_error_result("%s: nothing was sent: registrant '%s' is disabled, so "
                                   "OpenSIPS would answer OK and send no REGISTER; enable it "
                                   "first (reg_enable via mi_execute)", t->name, aor);
        goto out;
    }
    params = json_pack("{s:s, s:s, s:s}", "aor", aor, "contact", tool_str(found, "binding", ""),
                       "registrar", tool_str(found, "registrar", ""));
    if (mi_client_call(mi, node, "uac_registrant:force_register", params, 0, &result, &e) != MI_OK) {
        out = tool_mi_error(c, t->name, &e);
        goto out;
    }
    out = content_structured_result(json_pack(
        "{s:s, s:{s:s, s:O, s:O, s:O, s:s}}", "node", node ? node : "default", "result", "aor",
        aor, "contact", json_object_get(params, "contact"), "registrar",
        json_object_get(params, "registrar"), "previous_state", json_object_get(found, "state"),
        "outcome", "REGISTER sent now; its result shows in reg_list (state) within seconds"));
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
     .handler = t_uac_reg_force_register,
     .mapping = "uac_registrant:list to find contact and registrar of the AOR, then "
                "uac_registrant:force_register {aor, contact, registrar} (3.x reg_list, "
                "reg_force_register). Fixed: the Python server sends {aor} alone, which matches no recipe "
                "(-32602)"},
    {.name = "uac_reg_reload",
     .title = "Reload registrants",
     .description = "Re-reads the registrant table: added rows start registering, removed ones stop, states "
                    "reset from the table. Asks the user to confirm.",
     .toolset = "uac",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "uac_registrant:reload"},
     .mapping = "uac_registrant:reload (3.x reg_reload), all registrants"},
};
ROW_TABLE(uac, uac_tools);
