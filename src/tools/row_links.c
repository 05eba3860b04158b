/* row_links: the resource_link content items a row's result carries (row.h, struct row_link). */
#include "tools/row.h"

#include <stdio.h>
#include <string.h>

#include "resources/resources.h"

/* The template's variables besides {node}, each from src's member of the same name (or the
 * link's field): a new object, or NULL when one is missing or not a non-empty string. */
static json_t *link_vars(const struct resource_def *r, const struct row_link *l, const json_t *src)
{
    json_t *vars = json_object();

    for (const char *p = strchr(r->uri, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        char name[64];
        json_t *v;

        if (!close || close - p - 1 >= (long)sizeof(name))
            goto none;
        snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
        if (!strcmp(name, "node"))
            continue;
        v = json_object_get(src, l->field ? l->field : name);
        if (!json_is_string(v) || !json_string_length(v))
            goto none;
        json_object_set(vars, name, v);
    }
    return vars;
none:
    json_decref(vars);
    return NULL;
}

/* Append the link to r for `node` and the variables found in src, unless it is there already
 * or cannot be made. */
static void add_link(json_t *out, const struct resource_def *r, const struct row_link *l,
                     const char *node, const json_t *src)
{
    json_t *vars = link_vars(r, l, src), *link, *had;
    size_t i;

    if (!vars)
        return;
    link = resources_link(r, node, vars);
    json_decref(vars);
    if (!link)
        return;
    json_array_foreach(out, i, had)
        if (json_equal(json_object_get(had, "uri"), json_object_get(link, "uri"))) {
            json_decref(link);
            return;
        }
    json_array_append_new(out, link);
}

json_t *row_links(const struct tool_def *d, const json_t *args, const json_t *result,
                  row_link_ok_fn ok, void *ctx)
{
    const char *node = json_string_value(json_object_get(result, "node"));
    json_t *out = json_array(), *item;
    size_t i;

    for (const struct row_link *l = d->links; out && l && l->uri; l++) {
        const struct resource_def *r = resources_find(l->uri);
        const char *is = l->arg ? json_string_value(json_object_get(args, l->arg)) : NULL;

        if (json_array_size(out) >= ROW_LINKS_MAX)
            break;
        if (!r || (ok && !ok(r, ctx)) || (strstr(r->uri, "{node}") && !node) ||
            (l->arg && (!is || !l->equals || strcmp(is, l->equals))))
            continue;
        if (!l->items) {
            add_link(out, r, l, node, args);
            continue;
        }
        json_array_foreach(json_object_get(result, l->items), i, item) {
            if (json_array_size(out) >= ROW_LINKS_MAX)
                break;
            add_link(out, r, l, node, item);
        }
    }
    if (json_array_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}
