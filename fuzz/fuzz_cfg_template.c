/* fuzz_cfg_template: feed arbitrary bytes to the template flag scan (cfg/flags.c), split at the
 * first NUL into a template and a _def.m4; any crash, read past the input or broken contract
 * (more than CFG_FLAGS_MAX flags or CFG_USES_MAX uses, an invalid name, uses out of order,
 * no_effect on a flag that is used) is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/templates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2), why[256];
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = '\0';
    size_t first = strlen(buf);
    const char *defs = first < size ? buf + first + 1 : NULL;
    struct cfg_template t = {.name = "fuzz"};
    int rc = cfg_template_scan(&t, buf, defs, why, sizeof(why));
    if (rc != CFG_OK && rc != CFG_ERR_INVALID && rc != CFG_ERR_NOMEM)
        abort();
    if (t.n_flags > CFG_FLAGS_MAX || (rc && t.n_flags))
        abort();
    for (size_t i = 0; i < t.n_flags; i++) {
        const struct cfg_flag *f = &t.flags[i];
        if (!cfg_flag_name_valid(f->name) || f->n_uses > CFG_USES_MAX ||
            (f->no_effect && f->n_uses))
            abort();
        for (size_t j = 1; j < f->n_uses; j++)
            if (f->uses[j] <= f->uses[j - 1])
                abort();
    }
    cfg_template_flags_release(&t);
    free(buf);
    return 0;
}
