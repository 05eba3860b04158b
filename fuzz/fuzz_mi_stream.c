/* fuzz_mi_stream: feed arbitrary bytes to the streamed MI reply parser (mi/stream.c) as the reply
 * to request 1, cut into pieces of the size the input's first byte picks (its top bit: from a
 * datagram), and judge it against
 * mi_reply_parse of the same bytes: any crash, leak, undefined behaviour or broken contract (an
 * untyped error, an unfilled record, a result that differs from jansson's) is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mi/reply.h"
#include "mi/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rebuild {
    struct mi_jbuild b;
    json_t *got;
    bool failed;
};

static int on_event(void *arg, enum mi_ev ev, const char *text, size_t len, unsigned depth)
{
    struct rebuild *r = arg;
    if (!depth || r->got)
        abort(); /* depth starts at 1; nothing after the result's last event */
    int rc = mi_jbuild_event(&r->b, ev, text, len);
    if (rc == 1)
        r->got = mi_jbuild_take(&r->b);
    r->failed |= rc < 0;
    return rc < 0 ? -1 : 0;
}

static const struct mi_stream_cb cb = {.event = on_event};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    size_t step = (size_t)(data[0] & 0x7f) % 17 + 1;
    const struct mi_reply_from from = {"fuzz", "fifo:/tmp/fuzz", "ul_dump", data[0] & 0x80};
    data++, size--;
    struct rebuild r = {0};
    struct mi_stream st;
    struct mi_error e;
    mi_jbuild_init(&r.b, 1u << 20);
    mi_error_clear(&e);
    if (mi_stream_init(&st, &cb, &r, &from) < 0)
        abort();
    for (size_t at = 0; at < size; at += step)
        if (mi_stream_feed(&st, data + at, size - at < step ? size - at : step) < 0)
            break;
    enum mi_err rc = mi_stream_finish(&st, 1, &e);
    mi_stream_release(&st);
    if (rc != MI_OK && (e.err != rc || !e.text[0] || !memchr(e.text, '\0', sizeof e.text)))
        abort();
    if (rc != MI_OK && rc != MI_ERR_MI && rc != MI_ERR_SERVER && rc != MI_ERR_TOO_LARGE &&
        rc != MI_ERR_GARBAGE && !(rc == MI_ERR_SYSTEM && r.failed))
        abort();
    json_t *want = NULL;
    enum mi_err prc = mi_reply_parse((const char *)data, size, 1, &from, &want, NULL);
    /* both accept: the same result; jansson refusing what yajl takes (integers past 64 bits,
     * \u0000) is not a finding */
    if (rc == MI_OK && prc == MI_OK && (!r.got || !json_equal(r.got, want)))
        abort();
    json_decref(want);
    json_decref(r.got);
    mi_jbuild_release(&r.b);
    return 0;
}
