/* fuzz_cfg_migrate: plan arbitrary bytes as an OpenSIPS script from 3.4 to 4.0 (cfg/migrate.c);
 * any crash, read past the input or broken contract is a finding: more findings than
 * CFG_MIGRATE_FINDINGS_MAX, a text over CFG_MIGRATE_TEXT_MAX, a position before 1:1 or past
 * the input's lines, a migrated text whose length is not migrated_len, or a plan of the
 * migrated text that still rewrites something (the plan is idempotent). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/migrate.h"
#include "cfg/templates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any read past the end */
    char *buf = malloc(size ? size : 1), err[512];
    memcpy(buf, data, size);
    struct cfg_migrate_plan p, q;
    int rc = cfg_migrate_plan(buf, size, "3.4", "4.0", &p, err, sizeof(err));
    if (memchr(buf, '\0', size)) {
        if (rc != CFG_ERR_INVALID)
            abort();
        cfg_migrate_plan_release(&p);
        free(buf);
        return 0;
    }
    if (rc != CFG_OK || p.n_findings > CFG_MIGRATE_FINDINGS_MAX || !p.migrated ||
        strlen(p.migrated) != p.migrated_len)
        abort();
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += buf[i] == '\n';
    for (size_t i = 0; i < p.n_findings; i++) {
        const struct cfg_migrate_finding *f = &p.findings[i];
        if (!f->rule || !f->reason || !f->fix || !f->text ||
            strlen(f->text) > CFG_MIGRATE_TEXT_MAX || f->line < 1 || f->line > lines ||
            f->column < 1 || (i && f->line < p.findings[i - 1].line))
            abort();
    }
    if (p.migrated_len <= CFG_MIGRATE_INPUT_MAX) {
        if (cfg_migrate_plan(p.migrated, p.migrated_len, "3.4", "4.0", &q, err, sizeof(err)) !=
                CFG_OK ||
            q.rewrites_applied != 0 || strcmp(q.migrated, p.migrated))
            abort();
        cfg_migrate_plan_release(&q);
    }
    cfg_migrate_plan_release(&p);
    free(buf);
    return 0;
}
