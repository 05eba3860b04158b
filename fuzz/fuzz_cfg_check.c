/* fuzz_cfg_check: feed arbitrary bytes to the parser of `opensips -C` output (cfg/check.c) as
 * opensips's stderr; any crash, read past the input or broken contract (more errors than
 * CFG_CHECK_ERRORS_MAX, a NULL or over-long message, a position without a file) is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/check.h"
#include "cfg/templates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void verify(const struct cfg_check_error *e, size_t n)
{
    if (n > CFG_CHECK_ERRORS_MAX)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (!e[i].message || strlen(e[i].message) > CFG_CHECK_MESSAGE_MAX)
            abort();
        if (!e[i].file && (e[i].line || e[i].column || e[i].column_end))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    struct cfg_check_result r = {0};
    if (cfg_check_parse(buf, size, &r) != CFG_OK)
        abort();
    verify(r.errors, r.n_errors);
    verify(r.warnings, r.n_warnings);
    cfg_check_result_release(&r);
    free(buf);
    return 0;
}
