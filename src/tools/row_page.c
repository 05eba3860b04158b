/* row_page: a list's page — limit, offset, chosen fields, total and next_offset — kept within
 * the size that reaches the model. */
#include <stdio.h>
#include <stdlib.h>

#include "tools/row_internal.h"
#include "tools/tool.h"

static json_t *pick_fields(json_t *item, const json_t *fields)
{
    json_t *out, *f;
    size_t i;

    if (!json_is_array(fields) || !json_array_size(fields) || !json_is_object(item))
        return json_incref(item);
    out = json_object();
    json_array_foreach(fields, i, f) {
        json_t *v = json_object_get(item, json_string_value(f));
        if (v)
            json_object_set(out, json_string_value(f), v);
    }
    return out;
}

/* Keep a page within TOOL_RESULT_CAP: drop items from its end, and cut the one item left when
 * that alone is too large. Returns the note saying so (allocated), or NULL when nothing was cut. */
static char *page_fit(json_t *page)
{
    json_t *items = json_object_get(page, "items");
    size_t n = json_array_size(items), size = json_dumpb(page, NULL, 0, JSON_COMPACT);
    char *note = NULL;

    if (size <= TOOL_RESULT_CAP)
        return NULL;
    /* Each item once: the page shrinks by the item and the comma before it. */
    while (n > 1 && size > TOOL_RESULT_CAP) {
        size -= json_dumpb(json_array_get(items, n - 1), NULL, 0, JSON_COMPACT) + 1;
        json_array_remove(items, --n);
    }
    if (size > TOOL_RESULT_CAP && n == 1) {
        /* tool_cap cuts in place: a copy only when someone else holds the item too */
        json_t *item = json_array_get(items, 0);
        item = item->refcount == 1 ? json_incref(item) : json_deep_copy(item);
        json_array_set_new(items, 0, tool_cap(item, TOOL_RESULT_CAP - 1024, &note));
    }
    if (!note && asprintf(&note, "the page was shortened to stay under %d KB; go on from "
                          "next_offset", TOOL_RESULT_CAP / 1024) < 0)
        note = NULL;
    return note;
}

json_t *row_page(json_t *items, const json_t *args, long long total, long long offset_done)
{
    json_int_t limit = json_integer_value(json_object_get(args, "limit"));
    json_int_t offset = json_integer_value(json_object_get(args, "offset"));
    const json_t *fields = json_object_get(args, "fields");
    json_t *page = json_array(), *out;
    size_t n = json_array_size(items);
    char *note;

    if (limit <= 0)
        limit = LIST_LIMIT_DEFAULT;
    if (total < 0)
        total = (long long)n;
    /* offset_done: the items already start at offset (the MI command paged itself). */
    for (size_t i = offset_done ? 0 : (size_t)offset; i < n && json_array_size(page) < (size_t)limit; i++)
        json_array_append_new(page, pick_fields(json_array_get(items, i), fields));
    json_decref(items);
    out = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset", offset, "limit",
                    limit, "items", page);
    json_object_set_new(out, "next_offset", json_integer(total)); /* as wide as it can get */
    if ((note = page_fit(out)))
        json_object_set_new(out, "note", json_string(note));
    free(note);
    long long next = offset + (long long)json_array_size(page);
    json_object_set_new(out, "next_offset", next < total ? json_integer(next) : json_null());
    return out;
}

