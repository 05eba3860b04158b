/* fuzz_mi_reply: feed arbitrary bytes to the MI reply parser (mi/reply.c) as the reply to
 * request 1, as from a stream transport (http, fifo) and from a datagram, with and without an
 * error record; any crash, leak, undefined behaviour or broken contract is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mi/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse(const uint8_t *data, size_t size, bool datagram)
{
    const struct mi_reply_from from = {"fuzz", "udp:127.0.0.1:8080", "dlg_list", datagram};
    struct mi_error e;
    json_t *result = NULL;
    mi_error_clear(&e);
    enum mi_err rc = mi_reply_parse((const char *)data, size, 1, &from, &result, &e);
    if (rc == MI_OK) {
        if (!result || e.err != MI_OK)
            abort();
    } else {
        /* a typed error: nothing returned, the record filled and terminated */
        if (result || e.err != rc || rc >= MI_ERR_COUNT || !e.text[0] ||
            !memchr(e.text, '\0', sizeof e.text) || !memchr(e.message, '\0', sizeof e.message))
            abort();
        if (rc != MI_ERR_MI && rc != MI_ERR_SERVER && rc != MI_ERR_TOO_LARGE &&
            rc != MI_ERR_GARBAGE)
            abort();
    }
    json_decref(result);
    /* the same bytes without an error record (e may be NULL) */
    result = NULL;
    if (mi_reply_parse((const char *)data, size, 1, &from, &result, NULL) != rc)
        abort();
    json_decref(result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size, false);
    parse(data, size, true);
    return 0;
}
