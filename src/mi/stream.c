/* mi/stream: a reply's bytes through libyajl as they arrive. yajl keeps only the token it is in
 * (its lexer buffer) and a byte per open level; the envelope becomes a small jansson value; the
 * result's events go to the caller. The bytes are outside input: every bound of mi_reply_parse
 * holds here too (depth, envelope size, the transport's byte limit). */
#include "mi/stream.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "jsonload.h"

/* ---- mi_jbuild: events to a jansson value ---- */

void mi_jbuild_init(struct mi_jbuild *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

void mi_jbuild_release(struct mi_jbuild *b)
{
    json_decref(b->root);
    free(b->key);
    size_t max = b->max;
    mi_jbuild_init(b, max);
}

json_t *mi_jbuild_take(struct mi_jbuild *b)
{
    if (b->depth || !b->root)
        return NULL;
    json_t *v = b->root;
    b->root = NULL;
    b->bytes = 0;
    return v;
}

static json_t *number_value(const char *text, size_t len)
{
    char buf[64];
    if (len >= sizeof buf)
        return json_real(strtod((snprintf(buf, sizeof buf, "%.*s", 63, text), buf), NULL));
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (!strpbrk(buf, ".eE")) {
        errno = 0;
        char *end;
        long long v = strtoll(buf, &end, 10);
        if (!errno && *end == '\0')
            return json_integer((json_int_t)v);
    }
    return json_real(strtod(buf, NULL));
}

/* Put v (stolen) where the builder stands: the root, the open array, or the open object under
 * the pending key. */
static int jbuild_place(struct mi_jbuild *b, json_t *v)
{
    if (!v)
        return -1;
    if (!b->depth) {
        if (b->root) {
            json_decref(v);
            return -1;
        }
        b->root = v;
        return 0;
    }
    json_t *top = b->stack[b->depth - 1];
    if (json_is_array(top))
        return json_array_append_new(top, v);
    if (!b->key) {
        json_decref(v);
        return -1;
    }
    int rc = json_object_set_new(top, b->key, v);
    free(b->key);
    b->key = NULL;
    return rc;
}

int mi_jbuild_event(struct mi_jbuild *b, enum mi_ev ev, const char *text, size_t len)
{
    json_t *v = NULL;

    b->bytes += len + 1;
    if (b->bytes > b->max)
        goto too_large;
    switch (ev) {
    case MI_EV_NULL:
        v = json_null();
        break;
    case MI_EV_TRUE:
        v = json_true();
        break;
    case MI_EV_FALSE:
        v = json_false();
        break;
    case MI_EV_NUMBER:
        v = number_value(text, len);
        break;
    case MI_EV_STRING:
        v = json_stringn_nocheck(text, len); /* yajl checked the UTF-8 */
        break;
    case MI_EV_KEY:
        if (!b->depth || !json_is_object(b->stack[b->depth - 1]) || b->key ||
            memchr(text, '\0', len))
            goto fail;
        if (!(b->key = strndup(text, len)))
            goto fail;
        return 0;
    case MI_EV_MAP:
    case MI_EV_ARRAY: {
        if (b->depth >= JSONLOAD_DEPTH_MAX)
            goto too_large;
        json_t *c = ev == MI_EV_MAP ? json_object() : json_array();
        if (!c || jbuild_place(b, json_incref(c)) < 0) {
            json_decref(c);
            goto fail;
        }
        b->stack[b->depth++] = c;
        json_decref(c); /* its parent (or root) holds it */
        return 0;
    }
    case MI_EV_MAP_END:
    case MI_EV_ARRAY_END:
        if (!b->depth)
            goto fail;
        b->depth--;
        return b->depth ? 0 : 1;
    default:
        goto fail;
    }
    if (jbuild_place(b, v) < 0)
        goto fail;
    return b->depth ? 0 : 1;
fail:
    mi_jbuild_release(b);
    return -1;
too_large:
    mi_jbuild_release(b);
    return MI_STREAM_ITEM_TOO_LARGE;
}

/* ---- the stream ---- */

static int fail(struct mi_stream *s, enum mi_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct mi_stream *s, enum mi_err err, const char *fmt, ...)
{
    if (s->failed == MI_OK) {
        char msg[sizeof s->err.message];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        s->failed = mi_error_set(&s->err, err, 0, "%s", msg);
    }
    return 0; /* stop yajl */
}

static int nomem(struct mi_stream *s)
{
    return fail(s, MI_ERR_SYSTEM, "out of memory keeping the reply from '%s' to '%s'",
                s->from->address, s->from->method);
}

/* The caller's event() said no: an item too large to keep, or no memory. */
static int refused(struct mi_stream *s, int why)
{
    if (why != MI_STREAM_ITEM_TOO_LARGE)
        return nomem(s);
    if (s->failed != MI_OK)
        return 0;
    fail(s, MI_ERR_TOO_LARGE,
         "the reply from '%s' to '%s' holds one item larger than this call keeps of one item "
         "(the reply as a whole is within the limit)",
         s->from->address, s->from->method);
    s->err.code = MI_STREAM_ITEM_TOO_LARGE;
    return 0;
}

/* One event: to the caller while inside result, else to the envelope. */
static int on_event(struct mi_stream *s, enum mi_ev ev, const char *text, size_t len)
{
    s->last_event = s->chunk_start + yajl_get_bytes_consumed(s->yajl);
    bool opens = ev == MI_EV_MAP || ev == MI_EV_ARRAY;
    bool closes = ev == MI_EV_MAP_END || ev == MI_EV_ARRAY_END;

    if (opens && ++s->depth > JSONLOAD_DEPTH_MAX)
        return fail(s, MI_ERR_GARBAGE,
                    "reply from '%s' to '%s' is nested deeper than %d levels of arrays and "
                    "objects (at byte %zu); the node is not answering as OpenSIPS does",
                    s->from->address, s->from->method, JSONLOAD_DEPTH_MAX,
                    s->chunk_start + yajl_get_bytes_consumed(s->yajl));
    /* the result is depth 1, its members' keys and values 2, ... */
    unsigned depth = opens || closes ? s->depth - 1 : s->depth;
    if (closes)
        s->depth--;
    if (!s->in_result && s->result_next && ev != MI_EV_KEY && depth == 1) {
        /* the value of the top-level "result": the caller's; a placeholder in the envelope */
        s->result_next = false;
        if (s->has_result)
            return fail(s, MI_ERR_GARBAGE, "reply from '%s' to '%s' has two results",
                        s->from->address, s->from->method);
        s->has_result = true;
        if (mi_jbuild_event(&s->env, MI_EV_TRUE, NULL, 0) < 0)
            return nomem(s);
        s->in_result = opens;
        int r = s->cb->event(s->ctx, ev, text, len, 1);
        return r ? refused(s, r) : 1;
    }
    if (s->in_result) {
        if (closes && depth == 1)
            s->in_result = false;
        int r = s->cb->event(s->ctx, ev, text, len, depth);
        return r ? refused(s, r) : 1;
    }
    if (ev == MI_EV_KEY && depth == 1 && s->env.depth == 1)
        s->result_next = len == 6 && !memcmp(text, "result", 6);
    if (mi_jbuild_event(&s->env, ev, text, len) < 0)
        return fail(s, MI_ERR_GARBAGE,
                    "reply from '%s' to '%s' is not a JSON-RPC response: its members besides "
                    "the result pass 64 KiB or cannot be kept",
                    s->from->address, s->from->method);
    return 1;
}

static int y_null(void *c)
{
    return on_event(c, MI_EV_NULL, NULL, 0);
}
static int y_bool(void *c, int v)
{
    return on_event(c, v ? MI_EV_TRUE : MI_EV_FALSE, NULL, 0);
}
static int y_number(void *c, const char *t, size_t n)
{
    return on_event(c, MI_EV_NUMBER, t, n);
}
static int y_string(void *c, const unsigned char *t, size_t n)
{
    return on_event(c, MI_EV_STRING, (const char *)t, n);
}
static int y_start_map(void *c)
{
    return on_event(c, MI_EV_MAP, NULL, 0);
}
static int y_key(void *c, const unsigned char *t, size_t n)
{
    return on_event(c, MI_EV_KEY, (const char *)t, n);
}
static int y_end_map(void *c)
{
    return on_event(c, MI_EV_MAP_END, NULL, 0);
}
static int y_start_array(void *c)
{
    return on_event(c, MI_EV_ARRAY, NULL, 0);
}
static int y_end_array(void *c)
{
    return on_event(c, MI_EV_ARRAY_END, NULL, 0);
}

static const yajl_callbacks y_callbacks = {
    .yajl_null = y_null,
    .yajl_boolean = y_bool,
    .yajl_number = y_number,
    .yajl_string = y_string,
    .yajl_start_map = y_start_map,
    .yajl_map_key = y_key,
    .yajl_end_map = y_end_map,
    .yajl_start_array = y_start_array,
    .yajl_end_array = y_end_array,
};

int mi_stream_init(struct mi_stream *s, const struct mi_stream_cb *cb, void *ctx,
                   const struct mi_reply_from *from)
{
    memset(s, 0, sizeof *s);
    s->cb = cb;
    s->ctx = ctx;
    s->from = from;
    mi_jbuild_init(&s->env, MI_STREAM_ENVELOPE_MAX);
    if (!(s->yajl = yajl_alloc(&y_callbacks, NULL, s)))
        return -1;
    return 0;
}

void mi_stream_release(struct mi_stream *s)
{
    if (s->yajl)
        yajl_free(s->yajl);
    s->yajl = NULL;
    mi_jbuild_release(&s->env);
}

bool mi_stream_failed(const struct mi_stream *s)
{
    return s->failed != MI_OK;
}

enum mi_err mi_stream_error(const struct mi_stream *s, struct mi_error *e)
{
    if (e && s->failed != MI_OK)
        *e = s->err;
    return s->failed;
}

/* yajl's error as "<what> at byte N; starts "..."" in the words of mi_reply_parse. */
static void syntax_error(struct mi_stream *s)
{
    unsigned char *msg = yajl_get_error(s->yajl, 0, NULL, 0);
    char what[120], start[41];
    size_t n = 0;
    snprintf(what, sizeof what, "%s", msg ? (const char *)msg : "invalid JSON");
    if (msg)
        yajl_free_error(s->yajl, msg);
    for (size_t i = strlen(what); i && (isspace((unsigned char)what[i - 1]) || what[i - 1] == '.');
         i--)
        what[i - 1] = '\0';
    size_t at = s->chunk_start + yajl_get_bytes_consumed(s->yajl);
    for (size_t i = 0; i < s->head_len && n < 40; i++)
        start[n++] = isprint((unsigned char)s->head[i]) ? s->head[i] : '.';
    while (n && start[n - 1] == ' ')
        n--;
    start[n] = '\0';
    s->failed = mi_error_set(&s->err, MI_ERR_GARBAGE, 0,
                             "reply from '%s' to '%s' is not JSON (%s at byte %zu; starts \"%s\")",
                             s->from->address, s->from->method, what, at, start);
}

/* Until the first 4 bytes are in, a reply may still be a plain-text status: they are held in
 * head, not parsed. */
static bool undecided(const struct mi_stream *s)
{
    for (size_t i = 0; i < s->head_len && i < 4; i++)
        if (i < 3 ? !isdigit((unsigned char)s->head[i]) : s->head[i] != ' ')
            return false;
    return s->head_len < 4;
}

int mi_stream_feed(void *arg, const void *p, size_t n)
{
    struct mi_stream *s = arg;
    if (s->failed != MI_OK)
        return -1;
    size_t held = s->decided ? 0 : s->head_len;
    size_t room = sizeof s->head - s->head_len;
    size_t take = n < room ? n : room;
    memcpy(s->head + s->head_len, p, take);
    s->head_len += take;
    s->seen += n;
    if (!s->decided) {
        if (undecided(s))
            return 0;
        int code;
        s->decided = true;
        s->plain = mi_reply_plain_status(s->head, s->head_len, &code);
    }
    if (s->plain)
        return 0; /* the status line says it all: mi_stream_finish reads the head */
    s->chunk_start = s->seen - n - held;
    if (held && yajl_parse(s->yajl, (const unsigned char *)s->head, held) == yajl_status_error)
        syntax_error(s);
    s->chunk_start = s->seen - n;
    if (s->failed == MI_OK && yajl_parse(s->yajl, p, n) == yajl_status_error)
        syntax_error(s);
    /* yajl holds a token that spans pieces in a buffer of its own, which nothing else bounds */
    if (s->failed == MI_OK && s->seen - s->last_event > MI_STREAM_TOKEN_MAX)
        fail(s, MI_ERR_GARBAGE,
             "reply from '%s' to '%s' holds more than %u bytes without a JSON value ending "
             "(at byte %zu); the node is not answering as OpenSIPS does",
             s->from->address, s->from->method, MI_STREAM_TOKEN_MAX, s->seen);
    return s->failed != MI_OK ? -1 : 0;
}

enum mi_err mi_stream_finish(struct mi_stream *s, json_int_t expected_id, struct mi_error *e)
{
    if (s->failed != MI_OK)
        return mi_stream_error(s, e);
    if (s->plain || !s->seen) { /* mi_reply_parse words these */
        json_t *r = NULL;
        enum mi_err rc = mi_reply_parse(s->head, s->head_len, expected_id, s->from, &r, e);
        json_decref(r);
        if (rc == MI_OK) /* cannot be: a plain status or nothing */
            rc = mi_error_set(e, MI_ERR_GARBAGE, 0, "reply from '%s' is not JSON",
                              s->from->address);
        return rc;
    }
    if (!s->decided) { /* fewer than 4 bytes, all digits: parse them now */
        s->decided = true;
        if (yajl_parse(s->yajl, (const unsigned char *)s->head, s->head_len) ==
            yajl_status_error)
            syntax_error(s);
    }
    s->chunk_start = s->seen;
    if (s->failed == MI_OK && yajl_complete_parse(s->yajl) == yajl_status_error && s->failed == MI_OK)
        syntax_error(s);
    if (s->failed != MI_OK)
        return mi_stream_error(s, e);
    json_t *r = mi_jbuild_take(&s->env), *result = NULL;
    if (!r)
        return mi_error_set(e, MI_ERR_GARBAGE, 0, "reply from '%s' to '%s' is not JSON",
                            s->from->address, s->from->method);
    enum mi_err rc = mi_reply_envelope(r, expected_id, s->from, &result, e);
    json_decref(result);
    json_decref(r);
    return rc;
}
