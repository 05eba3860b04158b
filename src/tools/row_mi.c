/* row_mi: the MI backend's generic handler: a row's arguments mapped onto its command's
 * parameters, the node asked, the reply shaped into a page of items or {result}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/row_internal.h"
#include "tools/tool.h"

json_t *row_mi_params(const struct tool_def *def, const json_t *args)
{
    json_t *params = json_object();

    for (const struct tool_arg *a = def->args; a && a->name; a++) {
        json_t *v = json_object_get(args, a->name);
        if (!a->mi || !v)
            continue;
        if ((a->flags & ARG_STRINGIFY) && json_is_number(v)) {
            char buf[64];
            if (json_is_integer(v))
                snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
            else
                snprintf(buf, sizeof(buf), "%g", json_number_value(v));
            json_object_set_new(params, a->mi, json_string(buf));
        } else {
            json_object_set(params, a->mi, v);
        }
    }
    return params;
}


json_t *row_call_params(const struct tool_def *d, const json_t *args, bool fixed)
{
    json_t *params = row_mi_params(d, args);

    for (const struct mi_param *p = d->mi.params; fixed && p && p->name; p++)
        json_object_set_new(params, p->name, json_string(p->value));
    return params;
}

/* The items of a list that pass the row's filter (stolen; returned, possibly the same). */
static json_t *filtered(const struct tool_def *d, const json_t *args, json_t *items)
{
    const json_t *want = d->filter.arg ? json_object_get(args, d->filter.arg) : NULL;
    json_t *kept, *item;
    size_t i;

    if (!d->filter.field || (d->filter.arg && !want))
        return items;
    kept = json_array();
    json_array_foreach(items, i, item)
        if (want ? json_equal(json_object_get(item, d->filter.field), (json_t *)want)
                 : !strcasecmp(tool_str(item, d->filter.field, ""), d->filter.equals))
            json_array_append(kept, item);
    json_decref(items);
    return kept;
}

/* A composite row's answer: {result: {as: items, ...}}, or NULL with *e set by the first part
 * that fails. */
static json_t *mi_parts(struct tool_ctx *x, struct tool_error *e)
{
    json_t *all = json_object();

    for (const struct mi_part *p = x->def->mi.parts; p->cmd; p++) {
        json_t *result = NULL;
        if (tool_mi(x, p->cmd, NULL, &result, e) != TOOL_OK) {
            json_decref(all);
            return NULL;
        }
        json_object_set_new(all, p->as, tool_list_items(result, p->member));
        json_decref(result);
    }
    return json_pack("{s:o}", "result", all);
}

/* The generic MI handler: the row's command with the mapped (and fixed) parameters, the reply
 * shaped into a page of items or {result}. */
json_t *row_mi_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const struct tool_def *d = x->def;
    json_t *params, *result = NULL, *shaped;
    long long total = -1, done = 0;
    enum tool_err rc;
    char *note = NULL;

    if (d->mi.parts)
        return mi_parts(x, e);
    params = row_call_params(d, args, true);

    if (d->mi.paged && json_object_size(params) == 0) {
        json_int_t limit = json_integer_value(json_object_get(args, "limit"));
        json_object_set_new(params, "index",
                            json_integer(json_integer_value(json_object_get(args, "offset"))));
        json_object_set_new(params, "counter",
                            json_integer(limit > 0 ? limit : LIST_LIMIT_DEFAULT));
        done = 1;
    }
    rc = tool_mi(x, d->mi.cmd, params, &result, e);
    json_decref(params);
    if (d->mi.params_optional && (rc == TOOL_E_BAD_ARGS || rc == TOOL_E_REFUSED)) {
        params = row_call_params(d, args, false); /* an older node: without the fixed ones */
        rc = tool_mi(x, d->mi.cmd, params, &result, e);
        json_decref(params);
    }
    if (rc != TOOL_OK)
        return NULL;
    if (d->flags & ROW_LIST) {
        json_t *items = d->mi.list ? tool_list_items(result, d->mi.list)
                                   : json_is_array(result) ? json_incref(result) : json_array();
        if (done && json_is_integer(json_object_get(result, "count")))
            total = json_integer_value(json_object_get(result, "count"));
        shaped = row_page(filtered(d, args, items), args, total, done);
        json_decref(result);
    } else {
        if (d->mi.wrap) { /* one shape whether the node answered many or one */
            json_t *items = tool_list_items(result, d->mi.list);
            json_decref(result);
            result = json_pack("{s:o}", d->mi.wrap, items);
        }
        result = tool_cap(result, TOOL_RESULT_CAP, &note);
        shaped = json_pack("{s:o}", "result", result);
        if (note)
            json_object_set_new(shaped, "note", json_string(note));
        free(note);
    }
    return shaped;
}
