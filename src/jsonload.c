/* jsonload: a depth scan of raw JSON bytes, then jansson. The scan sees what jansson's lexer
 * sees: a '"' outside a string opens one, a backslash inside one takes the next byte with it,
 * and brackets count only outside strings. Where the two could disagree the input is invalid,
 * and jansson stops there, shallower than the scan has counted. */
#include "jsonload.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan {
    size_t depth;
    size_t line, column; /* of the byte being looked at, as jansson counts them (from 1) */
    bool in_str, esc;
};

static void scan_init(struct scan *s)
{
    memset(s, 0, sizeof(*s));
    s->line = 1;
}

/* Feed buf[0..len); returns the offset of the bracket that opens level limit + 1, or len. */
static size_t scan_feed(struct scan *s, const char *buf, size_t len, size_t limit)
{
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];

        if (c == '\n') {
            s->line++;
            s->column = 0;
        } else {
            s->column++;
        }
        if (s->in_str) {
            if (s->esc)
                s->esc = false;
            else if (c == '\\')
                s->esc = true;
            else if (c == '"')
                s->in_str = false;
        } else if (c == '"') {
            s->in_str = true;
        } else if (c == '[' || c == '{') {
            if (++s->depth > limit)
                return i;
        } else if ((c == ']' || c == '}') && s->depth) {
            s->depth--;
        }
    }
    return len;
}

size_t jsonload_too_deep_at(const char *buf, size_t len, size_t limit)
{
    struct scan s;

    scan_init(&s);
    return scan_feed(&s, buf, len, limit);
}

static void too_deep(json_error_t *je, const char *source, const struct scan *s, size_t at)
{
    if (!je)
        return;
    memset(je, 0, sizeof(*je));
    snprintf(je->text, sizeof(je->text), "nested deeper than %d levels of arrays and objects",
             JSONLOAD_DEPTH_MAX);
    snprintf(je->source, sizeof(je->source), "%s", source);
    je->line = (int)s->line;
    je->column = (int)s->column;
    je->position = (int)at;
    /* where json_error_code() reads the code (jansson.h) */
    je->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)json_error_stack_overflow;
}

json_t *jsonload_bytes(const char *buf, size_t len, size_t flags, json_error_t *je)
{
    struct scan s;
    size_t at;

    scan_init(&s);
    at = scan_feed(&s, buf, len, JSONLOAD_DEPTH_MAX);
    if (at < len) {
        too_deep(je, "<buffer>", &s, at);
        return NULL;
    }
    return json_loadb(buf, len, flags, je);
}

json_t *jsonload_string(const char *str, size_t flags, json_error_t *je)
{
    return jsonload_bytes(str, strlen(str), flags, je);
}

/* json_load_callback() source: the file in chunks, each scanned before jansson gets it. */
struct file_feed {
    FILE *f;
    struct scan s;
    size_t offset; /* bytes handed to jansson so far */
    bool deep;
};

static size_t feed_file(void *buffer, size_t buflen, void *data)
{
    struct file_feed *ff = data;
    size_t n, at;

    if (ff->deep)
        return 0;
    n = fread(buffer, 1, buflen, ff->f);
    if (n == 0)
        return ferror(ff->f) ? (size_t)-1 : 0;
    at = scan_feed(&ff->s, buffer, n, JSONLOAD_DEPTH_MAX);
    if (at < n) {
        ff->deep = true;
        ff->offset += at;
        return at; /* jansson never sees the bracket too many */
    }
    ff->offset += n;
    return n;
}

json_t *jsonload_file(const char *path, size_t flags, json_error_t *je)
{
    struct file_feed ff = {0};
    json_t *v;

    scan_init(&ff.s);
    ff.f = fopen(path, "re");
    if (!ff.f) {
        /* json_load_file's own error text for a file it cannot open */
        return json_load_file(path, flags, je);
    }
    v = json_load_callback(feed_file, &ff, flags, je);
    fclose(ff.f);
    if (ff.deep) {
        json_decref(v);
        too_deep(je, path, &ff.s, ff.offset);
        return NULL;
    }
    return v;
}

char *jsonload_flatten(const char *buf, size_t len, size_t limit, size_t *outlen)
{
    struct scan s;
    char *out = malloc(len + 1);
    size_t o = 0, i = 0, at;

    if (!out)
        return NULL;
    scan_init(&s);
    while (i < len) {
        at = i + scan_feed(&s, buf + i, len - i, limit);
        memcpy(out + o, buf + i, at - i);
        o += at - i;
        if (at == len)
            break;
        /* skip the too-deep value to its closing bracket; it becomes a 0 */
        size_t keep = s.depth - 1;
        i = at + 1;
        while (i < len && s.depth > keep)
            i += scan_feed(&s, buf + i, 1, (size_t)-1);
        if (s.depth > keep)
            break; /* never closed: the rest is dropped */
        out[o++] = '0';
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}
