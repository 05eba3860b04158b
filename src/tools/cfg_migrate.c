/* tools/cfg_migrate: cfg_migrate_plan, the Python server's tool of that name: what breaks in an
 * OpenSIPS script between two versions, line by line, and the script with the exact rewrites
 * applied (cfg/migrate.h). Computed here from the text: no node, no file, nothing written. */
#include <jansson.h>
#include <string.h>

#include "cfg/migrate.h"
#include "cfg/templates.h"
#include "tools/row.h"
#include "tools/tool.h"

static json_t *plan_json(const struct cfg_migrate_plan *p)
{
    json_t *hops = json_array(), *findings = json_array();
    for (size_t i = 0; hops && i < p->n_hops; i++) {
        json_t *notes = json_array();
        for (size_t k = 0; notes && k < p->hops[i].n_notes; k++)
            json_array_append_new(notes, json_string(p->hops[i].notes[k]));
        json_array_append_new(hops, json_pack("{s:s, s:s, s:I, s:o*}", "from", p->hops[i].from,
                                              "to", p->hops[i].to, "rules",
                                              (json_int_t)p->hops[i].rules, "notes", notes));
    }
    for (size_t i = 0; findings && i < p->n_findings; i++) {
        const struct cfg_migrate_finding *f = &p->findings[i];
        json_array_append_new(
            findings,
            json_pack("{s:I, s:I, s:s, s:s, s:s%, s:s, s:s}", "line", (json_int_t)f->line,
                      "column", (json_int_t)f->column, "rule", f->rule, "kind",
                      f->kind == CFG_MIGRATE_REWRITE ? "rewrite" : "manual", "text", f->text,
                      strlen(f->text), "reason", f->reason, "fix", f->fix));
    }
    json_t *r = json_pack("{s:s, s:s, s:o*, s:o*, s:I, s:I, s:s%}", "from", p->from, "to", p->to,
                          "hops", hops, "findings", findings, "rewrites_applied",
                          (json_int_t)p->rewrites_applied, "manual_count",
                          (json_int_t)p->manual_count, "migrated_content", p->migrated,
                          p->migrated_len);
    if (r && p->findings_truncated)
        json_object_set_new(r, "findings_truncated", json_true());
    return r ? json_pack("{s:o}", "result", r) : NULL;
}

static json_t *migrate_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const json_t *text = json_object_get(args, "config_content");
    struct cfg_migrate_plan p;
    char err[512];
    (void)x;

    int rc = cfg_migrate_plan(json_string_value(text), json_string_length(text),
                              tool_str(args, "from_version", ""), tool_str(args, "to_version", ""),
                              &p, err, sizeof(err));
    if (rc != CFG_OK) {
        cfg_migrate_plan_release(&p);
        return tool_fail(e, rc == CFG_ERR_NOMEM ? TOOL_E_SYSTEM : TOOL_E_BAD_ARGS, NULL, 0, "%s",
                         err);
    }
    json_t *out = plan_json(&p);
    cfg_migrate_plan_release(&p);
    return out ? out : tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
}

#define VERSION_ARG(n, d)                                                                  \
    {.name = n, .type = T_STRING, .flags = ARG_REQUIRED, .max_len = 16,                    \
     .description = d}

static const struct tool_def cfg_migrate_tools[] = {
    {.name = "cfg_migrate_plan",
     .title = "Plan a config migration",
     .description = "Plans an OpenSIPS script's migration (3.4 to 4.0): what breaks, line by "
                    "line, with reason and fix; migrated_content applies the exact rewrites.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_SERVER,
     .args = ARGS({.name = "config_content", .type = T_STRING, .flags = ARG_REQUIRED,
                   .max_len = CFG_MIGRATE_INPUT_MAX, .description = "Script text"},
                  VERSION_ARG("from_version", "3.4 to 4.0, e.g. 3.6 or 3.6.8"),
                  VERSION_ARG("to_version", "Not older than it")),
     .result = FIELDS({.name = "hops", .type = T_ARRAY},
                      {.name = "findings", .type = T_ARRAY},
                      {.name = "rewrites_applied", .type = T_INTEGER},
                      {.name = "manual_count", .type = T_INTEGER},
                      {.name = "migrated_content", .type = T_STRING}),
     .run = migrate_run,
     .mapping = "none: computed by this server from the rule table of src/cfg/migrate.c "
                "(config-templates.md §5, the MI catalogues); like the Python server's, it "
                "changes nothing"},
};
ROW_TABLE(cfg_migrate, cfg_migrate_tools);
