/* tool: helpers every OpenSIPS tool handler uses. */
#include "tools/tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "tools/guards.h"

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

static size_t dumped_size(const json_t *v)
{
    return json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The longest array anywhere in v (by element count), and its size. */
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

json_t *tool_cap(json_t *value, size_t cap, char **note)
{
    size_t total, kept;
    json_t *arr;

    *note = NULL;
    if (dumped_size(value) <= cap)
        return value;
    arr = longest_array(value, &total);
    if (!arr) {
        char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t full = text ? strlen(text) : 0;
        json_decref(value);
        if (text && full > cap)
            text[cap] = '\0';
        value = json_pack("{s:s, s:b}", "text_prefix", text ? text : "", "truncated", 1);
        if (asprintf(note, "the reply was %zu bytes; only its first %zu are shown", full, cap) < 0)
            *note = NULL;
        free(text);
        return value;
    }
    /* Halve, then grow back, until the largest prefix that fits is found. */
    size_t lo = 0, hi = total;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        json_t *copy = json_deep_copy(value), *a;
        size_t dummy;
        a = longest_array(copy, &dummy);
        while (json_array_size(a) > mid)
            json_array_remove(a, json_array_size(a) - 1);
        if (dumped_size(copy) <= cap)
            lo = mid;
        else
            hi = mid - 1;
        json_decref(copy);
    }
    kept = lo;
    while (json_array_size(arr) > kept)
        json_array_remove(arr, json_array_size(arr) - 1);
    if (asprintf(note, "the reply was cut to stay under %zu bytes: %zu of %zu items of its longest "
                 "list are shown; ask for fewer at a time (a listing tool's limit and offset, or "
                 "the command's own paging parameters such as index and counter)",
                 cap, kept, total) < 0)
        *note = NULL;
    return value;
}
