/* fuzz_ng: feed arbitrary bytes to the RTPEngine ng answer decoder (rtpe/ng.c) as the answer to
 * cookie "c0ffee"; any crash, read past the input, undefined behaviour or broken contract (a
 * status outside the enum, an unterminated or non-printable reason) is a finding. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtpe/ng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any read past the end */
    char *buf = malloc(size ? size : 1), why[128];
    memcpy(buf, data, size);
    memset(why, 'x', sizeof why);
    why[0] = '\0';
    enum ng_status st = ng_reply_parse(buf, size, "c0ffee", why, sizeof why);
    if (st != NG_OK && st != NG_NO_CALL && st != NG_REFUSED && st != NG_FAILED)
        abort();
    if (!memchr(why, '\0', sizeof why))
        abort();
    if (st != NG_OK)
        for (const char *p = why; *p; p++)
            if (!isprint((unsigned char)*p))
                abort();
    free(buf);
    return 0;
}
