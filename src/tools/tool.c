/* tool: helpers every OpenSIPS tool handler uses. */
#include "tools/tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "tools/guards.h"
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

json_t *tool_mi_error(struct mcp_call *c, const char *tool, const struct mi_error *e)
{
    mcp_call_set_outcome(c, mi_err_name(e->err));
    return content_error_result("%s failed (%s): %s", tool, mi_err_name(e->err), e->text);
}

json_t *tool_node_result(struct mcp_call *c, const char *tool, const char *node, json_t *out,
                         const struct mi_error *e)
{
    if (!out)
        return tool_mi_error(c, tool, e);
    json_object_set_new(out, "node", json_string(node ? node : "default"));
    return content_structured_result(out);
}

bool tool_guard_check(struct mcp_call *c, const json_t *args, const struct mcp_needs *n,
                      json_t **result)
{
    return !n->subject || guard_allows(c, args, tool_node(args), n->subject, result);
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

/* Bytes of v as compact JSON, counted as jansson writes it, without building the text. */
static size_t dumped_size(const json_t *v)
{
    return json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The longest array anywhere in v (by element count, more than one), and its size. */
static json_t *longest_array(json_t *v, size_t *len)
{
    json_t *best = NULL, *item, *sub;
    const char *key;
    size_t i, n;

    *len = 0;
    if (json_is_array(v) && json_array_size(v) > 1) {
        best = v;
        *len = json_array_size(v);
    }
    if (json_is_object(v)) {
        json_object_foreach(v, key, item)
            if ((sub = longest_array(item, &n)) && n > *len)
                best = sub, *len = n;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
            if ((sub = longest_array(item, &n)) && n > *len)
                best = sub, *len = n;
    }
    return best;
}

/* The first bytes of a dump, the rest only counted: at most `keep` bytes are ever held. */
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
    return 0;
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

/* One pass to size the value, one over the items dropped: no copy of the value is ever made
 * (a 16 MB reply once cost seconds and a deep copy per step of a bisection). */
json_t *tool_cap(json_t *value, size_t cap, char **note)
{
    size_t size, total, kept, saved = 0;
    json_t *arr;

    *note = NULL;
    if (!value || (size = dumped_size(value)) <= cap)
        return value;
    if (!(arr = longest_array(value, &total)))
        return text_prefix(value, size, cap, note);
    /* Compact JSON is additive: dropping the last item saves its bytes and the comma before it. */
    for (kept = total; kept > 0 && size - saved > cap; kept--)
        saved += dumped_size(json_array_get(arr, kept - 1)) + (kept > 1);
    while (json_array_size(arr) > kept)
        json_array_remove(arr, json_array_size(arr) - 1);
    if (size - saved > cap) /* the rest alone is too large: show its beginning as text */
        return text_prefix(value, size - saved, cap, note);
    if (asprintf(note, "the reply was cut to stay under %zu bytes: %zu of %zu items of its longest "
                 "list are shown; ask for fewer at a time (a listing tool's limit and offset, or "
                 "the command's own paging parameters such as index and counter)",
                 cap, kept, total) < 0)
        *note = NULL;
    return value;
}
