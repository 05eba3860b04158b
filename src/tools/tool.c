/* tool: helpers every OpenSIPS tool handler uses. */
#include "tools/tool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "tools/guards.h"
#include "tools/row.h"
#include "utf8.h"

const char *tool_str(const json_t *obj, const char *key, const char *def)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : def;
}

json_t *tool_list_items(const json_t *result, const char *plural)
{
    json_t *v = json_object_get(result, plural);
    char singular[64];
    size_t n = strlen(plural);

    if (json_is_array(v))
        return json_incref(v);
    if (n > 1 && n < sizeof(singular) && plural[n - 1] == 's') {
        memcpy(singular, plural, n - 1);
        singular[n - 1] = '\0';
        if (json_is_object(v = json_object_get(result, singular)))
            return json_pack("[O]", v);
    }
    return json_array();
}

const char *tool_node(const json_t *args)
{
    const char *node = json_string_value(json_object_get(args, "node"));
    return node && *node ? node : NULL;
}

/* MI's failures as the tool layer's kinds. */
static const enum tool_err mi_kinds[MI_ERR_COUNT] = {
    [MI_OK] = TOOL_OK,
    [MI_ERR_UNREACHABLE] = TOOL_E_UNREACHABLE,
    [MI_ERR_TIMEOUT] = TOOL_E_TIMEOUT,
    [MI_ERR_MI] = TOOL_E_REFUSED,
    [MI_ERR_HTTP_STATUS] = TOOL_E_REFUSED,
    [MI_ERR_SERVER] = TOOL_E_REFUSED,
    [MI_ERR_GARBAGE] = TOOL_E_GARBAGE,
    [MI_ERR_TOO_LARGE] = TOOL_E_TOO_LARGE,
    [MI_ERR_REQUEST_TOO_LARGE] = TOOL_E_TOO_LARGE,
    [MI_ERR_UNKNOWN_COMMAND] = TOOL_E_UNSUPPORTED,
    [MI_ERR_BAD_PARAMS] = TOOL_E_BAD_ARGS,
    [MI_ERR_BAD_ADDRESS] = TOOL_E_CONFIG,
    [MI_ERR_UNKNOWN_NODE] = TOOL_E_CONFIG,
    [MI_ERR_CONFIG] = TOOL_E_CONFIG,
    [MI_ERR_SYSTEM] = TOOL_E_SYSTEM,
    [MI_ERR_CANCELLED] = TOOL_E_CANCELLED,
};

void tool_error_from_mi(struct tool_error *e, const struct mi_error *m)
{
    e->kind = (unsigned)m->err < MI_ERR_COUNT ? mi_kinds[m->err] : TOOL_E_SYSTEM;
    e->name = mi_err_name(m->err);
    e->code = m->code;
    snprintf(e->text, sizeof(e->text), "%s", m->text);
}

bool tool_mi_is(const struct tool_error *e, enum mi_err err)
{
    return e->name && !strcmp(e->name, mi_err_name(err));
}

struct tool_ctx tool_ctx_of(struct mcp_call *c, const json_t *args)
{
    const struct mcp_tool *t = mcp_call_tool(c);
    const struct tool_backends *be = t ? row_backends(t) : NULL;
    const char *node = tool_node(args);

    /* by its real name, as the handler will see it (row.c with_node) */
    if (!node && be && be->mi)
        node = mi_client_resolve_name(be->mi, NULL);
    return (struct tool_ctx){.call = c, .def = t ? row_of(t) : NULL, .be = be, .node = node};
}

enum tool_err tool_mi(struct tool_ctx *x, const char *cmd, const json_t *params, json_t **result,
                      struct tool_error *e)
{
    struct mi_error m;

    *result = NULL;
    if (mi_client_call(x->be->mi, x->node, cmd, params, 0, result, &m) == MI_OK)
        return TOOL_OK;
    tool_error_from_mi(e, &m);
    return e->kind;
}

enum tool_err tool_mi_stream(struct tool_ctx *x, const char *cmd, const json_t *params,
                             const struct mi_stream_cb *cb, void *ctx, struct tool_error *e)
{
    struct mi_error m;

    if (mi_client_call_stream(x->be->mi, x->node, cmd, params, 0, cb, ctx, &m) == MI_OK)
        return TOOL_OK;
    tool_error_from_mi(e, &m);
    return e->kind;
}

json_t *tool_error_result(struct mcp_call *c, const char *tool, const struct tool_error *e)
{
    mcp_call_set_outcome(c, e->name ? e->name : tool_err_name(e->kind));
    return content_error_result("%s failed (%s): %s", tool, e->name ? e->name
                                : tool_err_name(e->kind), e->text);
}

bool tool_guard_check(struct mcp_call *c, const json_t *args, struct mcp_needs *n,
                      json_t **result)
{
    struct tool_ctx x = tool_ctx_of(c, args);

    return !n->subject || guard_allows(&x, args, n->subject, result);
}

void tool_mi_cmd_needs(const struct mi_cmd *cmd, bool write, struct mcp_needs *n)
{
    n->scopes |= SCOPE_BIT(write ? SCOPE_MI_WRITE : SCOPE_MI_READ);
    snprintf(n->scope_why, sizeof(n->scope_why), "the MI command '%s' %s", cmd->key,
             write ? "changes state" : "reads the node");
    n->confirm = write;
    n->subject = cmd->key;
    n->check = guard_find(cmd->key) ? tool_guard_check : NULL;
}

/* Bytes a character costs once it is the content of a JSON string (RFC 8259 §7, as jansson
 * escapes: \" \\ and \b \f \n \r \t in two, other controls as \u00XX). */
static size_t escaped_cost(unsigned char ch)
{
    if (ch == '"' || ch == '\\' || ch == '\b' || ch == '\f' || ch == '\n' || ch == '\r' ||
        ch == '\t')
        return 2;
    return ch < 0x20 ? 6 : 1;
}

/* A string's bytes in compact JSON: its escaped content between quotes. */
static size_t string_size(const char *s, size_t len)
{
    size_t n = 2;

    for (size_t i = 0; i < len; i++)
        n += escaped_cost((unsigned char)s[i]);
    return n;
}

/* Bytes of v as jansson writes it with JSON_COMPACT, counted by walking the value (no text is
 * built; jansson's own counting pass costs more than the parse of a large reply, with a
 * loop-check table entry per container). The walk stops once the count passes `limit` and
 * returns a number over it; `skip`, when not NULL, is an array counted as if empty ("[]"). */
static size_t compact_size(const json_t *v, const json_t *skip, size_t limit)
{
    char num[64];
    const char *key;
    json_t *item;
    size_t n, i;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        n = 2 + (json_object_size(v) ? json_object_size(v) - 1 : 0);
        json_object_foreach((json_t *)v, key, item) {
            if (n > limit)
                return n;
            n += string_size(key, strlen(key)) + 1 + compact_size(item, skip, limit - n);
        }
        return n;
    case JSON_ARRAY:
        n = 2;
        if (v == skip)
            return n;
        n += json_array_size(v) ? json_array_size(v) - 1 : 0;
        json_array_foreach(v, i, item) {
            if (n > limit)
                return n;
            n += compact_size(item, skip, limit - n);
        }
        return n;
    case JSON_STRING:
        return string_size(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY); /* jansson's own format */
    case JSON_TRUE:
    case JSON_NULL:
        return 4;
    case JSON_FALSE:
        return 5;
    }
    return 0;
}

/* The longest array in v (by element count, more than one; the first of equals in document
 * order, the outer before the inner), found from the structure alone. */
static json_t *longest_array(json_t *v, size_t *count)
{
    json_t *best = NULL, *item, *sub;
    const char *key;
    size_t i, n;

    *count = 0;
    if (json_is_array(v) && json_array_size(v) > 1) {
        best = v;
        *count = json_array_size(v);
    }
    if (json_is_object(v)) {
        json_object_foreach(v, key, item)
            if ((sub = longest_array(item, &n)) && n > *count)
                best = sub, *count = n;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
            if ((sub = longest_array(item, &n)) && n > *count)
                best = sub, *count = n;
    }
    return best;
}

/* The first bytes of a dump: at most `keep` bytes are held, and the dump stops once it has them. */
struct prefix {
    char *text;
    size_t used, keep;
};

static int keep_prefix(const char *buf, size_t size, void *data)
{
    struct prefix *p = data;
    size_t n = p->used < p->keep ? p->keep - p->used : 0;

    if (n > size)
        n = size;
    memcpy(p->text + p->used, buf, n);
    p->used += n;
    return p->used < p->keep ? 0 : -1; /* enough: stop the dump there */
}

/* How much room {"text_prefix":"","truncated":true} takes around the text. */
#define TEXT_PREFIX_FRAME 40

/* value (stolen, `full` bytes of compact JSON) as {text_prefix, truncated}: the first bytes of
 * its text whose escaped form fits cap, cut on a character boundary (the dump is valid UTF-8:
 * jansson holds only valid UTF-8 strings), so the result is valid JSON under cap. */
static json_t *text_prefix(json_t *value, size_t full, size_t cap, char **note)
{
    size_t room = cap > TEXT_PREFIX_FRAME ? cap - TEXT_PREFIX_FRAME : 0, cost = 0, n = 0;
    struct prefix p = {malloc(room + 1), 0, room};
    json_t *out = NULL;

    if (!p.text) {
        json_decref(value);
        return NULL;
    }
    json_dump_callback(value, keep_prefix, &p, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(value);
    while (n < p.used && cost + escaped_cost((unsigned char)p.text[n]) <= room)
        cost += escaped_cost((unsigned char)p.text[n++]);
    n = utf8_prefix_len(p.text, p.used, n);
    p.text[n] = '\0';
    out = json_pack("{s:s, s:b}", "text_prefix", p.text, "truncated", 1);
    if (asprintf(note, "the reply was %zu bytes; only its first %zu are shown", full, n) < 0)
        *note = NULL;
    free(p.text);
    return out;
}

/* Keep the first `kept` items of arr: the rest are freed in document order (freeing a large
 * tree from its end costs the allocator more), the kept ones put back. */
static void drop_after(json_t *arr, size_t kept)
{
    json_t *keep[64], **k = kept <= 64 ? keep : malloc(kept * sizeof(*k));

    if (!k) { /* no room to hold them: drop from the end instead */
        while (json_array_size(arr) > kept)
            json_array_remove(arr, json_array_size(arr) - 1);
        return;
    }
    for (size_t i = 0; i < kept; i++)
        k[i] = json_incref(json_array_get(arr, i));
    json_array_clear(arr);
    for (size_t i = 0; i < kept; i++)
        json_array_append_new(arr, k[i]);
    if (k != keep)
        free(k);
}

/* Counted only as far as the cap (a walk of the whole text of a 16 MB reply would cost more than
 * the cut saves): whether it fits, then the value without its longest list, then the items that
 * fit, from the first. No copy of the value is ever made (a 16 MB reply once cost seconds and a
 * deep copy per step of a bisection). */
json_t *tool_cap(json_t *value, size_t cap, char **note)
{
    size_t count, kept = 0, used;
    json_t *arr;

    *note = NULL;
    if (!value || compact_size(value, NULL, cap) <= cap)
        return value;
    if (!(arr = longest_array(value, &count)))
        return text_prefix(value, compact_size(value, NULL, SIZE_MAX), cap, note);
    /* Compact JSON is additive: the rest with the list as [], then each item after a comma but
     * the first. */
    used = compact_size(value, arr, cap);
    for (; used <= cap && kept < count; kept++) {
        size_t add = compact_size(json_array_get(arr, kept), NULL, cap) + (kept > 0);
        if (used + add > cap)
            break;
        used += add;
    }
    drop_after(arr, kept);
    if (used > cap) /* the rest alone is too large: show its beginning as text */
        return text_prefix(value, compact_size(value, NULL, SIZE_MAX), cap, note);
    if (asprintf(note, "the reply was cut to stay under %zu bytes: %zu of %zu items of its longest "
                 "list are shown; ask for fewer at a time (a listing tool's limit and offset, or "
                 "the command's own paging parameters such as index and counter)",
                 cap, kept, count) < 0)
        *note = NULL;
    return value;
}
