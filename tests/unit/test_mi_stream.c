/* Unit tests for mi/stream: a reply fed in pieces (whole, 7 bytes, 1 byte) gives the result's
 * events in order, rebuilt to what jansson parses, and every failure mi_reply_parse words
 * (JSON-RPC error, another id, no result, plain-text statuses, empty) in the same words; what
 * only a stream meets (truncated mid-way, invalid JSON after a megabyte, too deep, a callback that
 * cannot keep, an envelope too large, two results) is a typed error; mi_buf's sink and limit. */
#include <stdint.h>

#include "check.h"
#include "mi/client.h"
#include "mi/reply.h"
#include "mi/stream.h"
#include "mi/transport.h"

static const struct mi_reply_from fifo = {"edge", "fifo:/tmp/opensips_fifo", "ul_dump", false};
static const struct mi_reply_from dgram = {"edge", "udp:127.0.0.1:8080", "ul_dump", true};

/* The callbacks rebuild the result with mi_jbuild and note each event's depth. */
struct rebuild {
    struct mi_jbuild b;
    json_t *got;
    unsigned events, max_depth, resets;
    bool refuse_at_string; /* return -1 on the first string */
    bool pass_too_large;   /* hand mi_jbuild's MI_STREAM_ITEM_TOO_LARGE on as it is */
    unsigned first_depth;
};

static int on_event(void *arg, enum mi_ev ev, const char *text, size_t len, unsigned depth)
{
    struct rebuild *r = arg;
    if (!r->events++)
        r->first_depth = depth;
    if (depth > r->max_depth)
        r->max_depth = depth;
    if (r->refuse_at_string && ev == MI_EV_STRING)
        return -1;
    int rc = mi_jbuild_event(&r->b, ev, text, len);
    if (rc == 1)
        r->got = mi_jbuild_take(&r->b);
    if (rc == MI_STREAM_ITEM_TOO_LARGE && r->pass_too_large)
        return rc;
    return rc < 0 ? -1 : 0;
}

static void on_reset(void *arg)
{
    ((struct rebuild *)arg)->resets++;
}

static const struct mi_stream_cb cb = {.event = on_event, .reset = on_reset};

/* Feed s (len bytes) in pieces of `step` (0: whole) as the reply to request 1. */
static enum mi_err stream(const char *s, size_t len, size_t step, const struct mi_reply_from *from,
                          struct rebuild *r, struct mi_error *e)
{
    struct mi_stream st;
    memset(r, 0, sizeof *r);
    mi_jbuild_init(&r->b, 1u << 24);
    mi_error_clear(e);
    CHECK(mi_stream_init(&st, &cb, r, from) == 0);
    enum mi_err rc = MI_OK;
    size_t n = step ? step : len;
    for (size_t at = 0; at < len; at += n) {
        size_t k = len - at < n ? len - at : n;
        if (mi_stream_feed(&st, s + at, k) < 0) {
            CHECK(mi_stream_failed(&st));
            rc = mi_stream_error(&st, e);
            break;
        }
    }
    if (!mi_stream_failed(&st))
        rc = mi_stream_finish(&st, 1, e);
    else
        rc = mi_stream_error(&st, e);
    mi_stream_release(&st);
    mi_jbuild_release(&r->b);
    return rc;
}

static const size_t steps[] = {0, 7, 1};

/* Streamed in every step, s gives mi_reply_parse's outcome and words; on MI_OK the rebuilt
 * result equals jansson's. */
static void same_as_parse(const char *s, const struct mi_reply_from *from)
{
    json_t *want = NULL;
    struct mi_error pe, se;
    enum mi_err prc = mi_reply_parse(s, strlen(s), 1, from, &want, &pe);
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        struct rebuild r;
        enum mi_err src = stream(s, strlen(s), steps[i], from, &r, &se);
        CHECK(src == prc);
        if (src != prc || (prc != MI_OK && strcmp(se.text, pe.text)))
            fprintf(stderr, "  step %zu: %s\n    stream: %s\n    parse:  %s\n", steps[i], s,
                    se.text, pe.text);
        if (prc != MI_OK) {
            CHECK_STR(se.text, pe.text);
            CHECK(se.code == pe.code);
        } else {
            CHECK(r.got && json_equal(r.got, want));
            CHECK(r.first_depth == 1);
        }
        json_decref(r.got);
    }
    json_decref(want);
}

static void test_same_as_parse(void)
{
    same_as_parse("{\"jsonrpc\":\"2.0\",\"result\":{\"Domains\":[{\"name\":\"location\",\"AORs\":"
                  "[{\"AOR\":\"a@b\",\"Contacts\":[{\"Expires\":3600,\"Q\":\"\",\"x\":null,"
                  "\"t\":true,\"f\":false,\"r\":-1.5e3,\"u\":\"\\u00e9\\n\"}]}]}]},\"id\":1}",
                  &fifo);
    same_as_parse("{\"id\":1,\"result\":\"OK\",\"jsonrpc\":\"2.0\"}", &fifo); /* scalar, id first */
    same_as_parse("{\"jsonrpc\":\"2.0\",\"result\":[],\"id\":1}", &fifo);
    same_as_parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"Invalid params\","
                  "\"data\":\"Bad type for parameter 'cflags'\"},\"id\":1}",
                  &fifo);
    same_as_parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":404,\"message\":\"AOR not found\"},"
                  "\"id\":1}",
                  &fifo);
    same_as_parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":\"x\"},\"id\":1}", &fifo);
    same_as_parse("{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":2}", &fifo);       /* another id */
    same_as_parse("{\"jsonrpc\":\"2.0\",\"id\":1}", &fifo);                      /* no result */
    same_as_parse("[1,2,3]", &fifo);                                           /* not an object */
    same_as_parse("500 Internal error\n", &fifo);
    same_as_parse("500 Internal error\n", &dgram); /* on a datagram: too large */
    same_as_parse("400 Parse_error\n", &fifo);
    same_as_parse("", &fifo);
}

/* What jansson and yajl word differently: still MI_ERR_GARBAGE, naming the node, the method and
 * where it starts. */
static void garbage(const char *s, size_t len, const char *why)
{
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        struct rebuild r;
        struct mi_error e;
        enum mi_err rc = stream(s, len, steps[i], &fifo, &r, &e);
        CHECK(rc == MI_ERR_GARBAGE);
        if (rc != MI_ERR_GARBAGE)
            fprintf(stderr, "  rc %d for %.*s\n", rc, (int)(len < 80 ? len : 80), s);
        CHECK_CONTAINS(e.text, "fifo:/tmp/opensips_fifo");
        CHECK_CONTAINS(e.text, why);
        if (!check_contains(e.text, why))
            fprintf(stderr, "  step %zu want \"%s\": %s\n", steps[i], why, e.text);
        json_decref(r.got);
    }
}

static void test_garbage(void)
{
    const char ok[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"Domains\":[{\"name\":\"location\"}]},"
                      "\"id\":1}";
    garbage("<html>oops</html>", 17, "is not JSON");
    garbage("<html>oops</html>", 17, "starts \"<"); /* what came before it stopped */
    garbage(ok, sizeof ok / 2, "is not JSON");                  /* truncated */
    garbage(ok, sizeof ok - 1 - 1, "is not JSON");              /* the last brace missing */
    garbage("{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":1}x", 36, "is not JSON"); /* trailing */
    garbage("{\"jsonrpc\":\"2.0\",\"result\":\"\xff\",\"id\":1}", 37, "is not JSON"); /* UTF-8 */
    garbage("{\"jsonrpc\":\"2.0\",\"result\":1,\"result\":2,\"id\":1}", 46, "two results");

    /* invalid after a megabyte of good items: found where it is, with the byte it is at */
    size_t n = 1u << 20;
    char *big = malloc(n + 64);
    size_t len = (size_t)sprintf(big, "{\"jsonrpc\":\"2.0\",\"result\":[");
    while (len < n)
        len += (size_t)sprintf(big + len, "\"abcdefgh\",");
    size_t bad = len;
    len += (size_t)sprintf(big + len, "nope]}");
    garbage(big, len, "is not JSON");
    struct rebuild r;
    struct mi_error e;
    stream(big, len, 4096, &fifo, &r, &e);
    char at[64];
    snprintf(at, sizeof at, "at byte %zu", bad + 1); /* bytes read, as jansson counts */
    CHECK_CONTAINS(e.text, at);
    if (!check_contains(e.text, at))
        fprintf(stderr, "  want %s: %s\n", at, e.text);
    CHECK(r.events > 90000); /* the items before it went to the callbacks as they came */
    json_decref(r.got);
    free(big);

    /* deeper than jsonload's 64 levels, as mi_reply_parse refuses */
    char deep[400];
    len = (size_t)sprintf(deep, "{\"jsonrpc\":\"2.0\",\"result\":");
    memset(deep + len, '[', 100);
    memset(deep + len + 100, ']', 100);
    len += 200;
    len += (size_t)sprintf(deep + len, ",\"id\":1}");
    garbage(deep, len, "nested deeper than 64 levels");

    /* an envelope member over 64 KiB (an error "data" no OpenSIPS sends) */
    char *fat = malloc(80000);
    len = (size_t)sprintf(fat, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":500,\"data\":\"");
    memset(fat + len, 'x', 70000);
    len += 70000;
    len += (size_t)sprintf(fat + len, "\"},\"id\":1}");
    garbage(fat, len, "64 KiB");
    free(fat);

    /* one string over 1 MiB inside the result: yajl would hold it whole */
    size_t huge = (1u << 20) + (64u << 10);
    char *tok = malloc(huge + 64);
    len = (size_t)sprintf(tok, "{\"jsonrpc\":\"2.0\",\"result\":\"");
    memset(tok + len, 'y', huge);
    len += huge;
    len += (size_t)sprintf(tok + len, "\",\"id\":1}");
    for (size_t i = 1; i < sizeof steps / sizeof *steps; i++) { /* in pieces; whole, yajl sees it at once */
        struct rebuild rb;
        CHECK(stream(tok, len, steps[i] * 4096, &fifo, &rb, &e) == MI_ERR_GARBAGE);
        CHECK_CONTAINS(e.text, "more than 1048576 bytes without a JSON value ending");
        json_decref(rb.got);
    }
    free(tok);
    /* a string just under it is fine */
    tok = malloc((1u << 19) + 64);
    len = (size_t)sprintf(tok, "{\"jsonrpc\":\"2.0\",\"result\":\"");
    memset(tok + len, 'y', 1u << 19);
    len += 1u << 19;
    len += (size_t)sprintf(tok + len, "\",\"id\":1}");
    CHECK(stream(tok, len, 4096, &fifo, &r, &e) == MI_OK);
    CHECK(json_string_length(r.got) == 1u << 19);
    json_decref(r.got);
    free(tok);
}

/* A callback that cannot keep what it gets stops the reply, and stays stopped: MI_ERR_SYSTEM
 * ("out of memory") when it refuses, MI_ERR_TOO_LARGE with code MI_STREAM_ITEM_TOO_LARGE when one
 * item passes what it keeps of one (not the whole reply over the limit). */
static void test_refused(void)
{
    const char s[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"a\":\"0123456789abcdef\"},\"id\":1}";
    const struct {
        struct rebuild r;
        size_t max;
        enum mi_err want;
        int code;
        const char *text;
    } cases[] = {
        {{.refuse_at_string = true}, 1024, MI_ERR_SYSTEM, 0,
         "out of memory keeping the reply from 'fifo:/tmp/opensips_fifo'"},
        {{.pass_too_large = true}, 8, MI_ERR_TOO_LARGE, MI_STREAM_ITEM_TOO_LARGE,
         "holds one item larger than this call keeps"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mi_stream st;
        struct rebuild r = cases[i].r;
        struct mi_error e;
        mi_jbuild_init(&r.b, cases[i].max);
        CHECK(mi_stream_init(&st, &cb, &r, &fifo) == 0);
        CHECK(mi_stream_feed(&st, s, sizeof s - 1) == -1);
        CHECK(mi_stream_feed(&st, s, 1) == -1); /* stays failed */
        CHECK(mi_stream_finish(&st, 1, &e) == cases[i].want);
        CHECK(e.code == cases[i].code);
        CHECK_CONTAINS(e.text, cases[i].text);
        mi_stream_release(&st);
        mi_jbuild_release(&r.b);
    }
}

/* mi_jbuild: bounded by bytes and depth; a key without an object or two roots fail. */
static void test_jbuild(void)
{
    struct mi_jbuild b;
    mi_jbuild_init(&b, 10);
    CHECK(mi_jbuild_event(&b, MI_EV_MAP, NULL, 0) == 0);
    CHECK(mi_jbuild_event(&b, MI_EV_KEY, "abcdefghijkl", 12) == MI_STREAM_ITEM_TOO_LARGE); /* > 10 B */
    CHECK(mi_jbuild_take(&b) == NULL);
    mi_jbuild_init(&b, 1 << 20);
    int rc = 0;
    for (int i = 0; i < 70 && rc == 0; i++)
        rc = mi_jbuild_event(&b, MI_EV_ARRAY, NULL, 0);
    CHECK(rc == MI_STREAM_ITEM_TOO_LARGE); /* level 65 */
    mi_jbuild_release(&b);
    CHECK(mi_jbuild_event(&b, MI_EV_KEY, "k", 1) == -1);
    CHECK(mi_jbuild_event(&b, MI_EV_NUMBER, "12345678901234567890", 20) == 1); /* past int64 */
    json_t *v = mi_jbuild_take(&b);
    CHECK(json_is_real(v));
    json_decref(v);
    CHECK(mi_jbuild_event(&b, MI_EV_NUMBER, "-42", 3) == 1);
    v = mi_jbuild_take(&b);
    CHECK(json_is_integer(v) && json_integer_value(v) == -42);
    json_decref(v);
    mi_jbuild_release(&b);
}

static int count_sink(void *arg, const void *p, size_t n)
{
    (void)p;
    size_t *total = arg;
    *total += n;
    return *total > 20 ? -1 : 0;
}

/* mi_buf with a sink holds nothing, counts what it passed on, keeps its limit, and says -3 when
 * the sink refuses. */
static void test_buf_sink(void)
{
    struct mi_buf b;
    size_t total = 0;
    mi_buf_init_sink(&b, 30, count_sink, &total);
    CHECK(mi_buf_add(&b, "0123456789", 10) == 0);
    CHECK(b.data == NULL && b.len == 10 && total == 10);
    CHECK(mi_buf_add(&b, "0123456789", 10) == 0);
    CHECK(mi_buf_add(&b, "0123456789", 10) == -3); /* the sink said no */
    CHECK(mi_buf_add(&b, "0", 1) == -1);           /* over 30: the limit still holds */
    mi_buf_release(&b);
    CHECK(mi_stream_max(16u << 20) == 256u << 20);
    CHECK(mi_stream_max(SIZE_MAX / 2) == SIZE_MAX);
}

int main(void)
{
    test_same_as_parse();
    test_garbage();
    test_refused();
    test_jbuild();
    test_buf_sink();
    return check_done("mi_stream");
}
