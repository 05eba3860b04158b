/* naming: method name -> loaded command, as OpenSIPS 4.0.1 and 3.6.8 resolve it (mi/mi.c). */
#include "naming.h"

#include <string.h>

static bool naming_bare_match(const struct cat_cmd *c, const char *name)
{
    if (strcmp(c->local_name, name) == 0)
        return true;
    size_t i;
    json_t *a;
    json_array_foreach(c->aliases, i, a) {
        if (json_is_string(a) && strcmp(json_string_value(a), name) == 0)
            return true;
    }
    return false;
}

enum naming_result naming_resolve(const struct catalogue *cat, const char *name,
                                  const struct cat_cmd **out, struct buf *data)
{
    *out = NULL;
    for (size_t i = 0; i < cat->nloaded; i++) {
        if (strcmp(cat->loaded[i]->name, name) == 0) {
            *out = cat->loaded[i];
            return NAMING_FOUND;
        }
    }
    if (cat->version == SIM_V36 || strchr(name, ':'))
        return NAMING_NOT_FOUND;
    size_t hits = 0;
    for (size_t i = 0; i < cat->nloaded; i++) {
        if (!naming_bare_match(cat->loaded[i], name))
            continue;
        if (hits == 0)
            *out = cat->loaded[i];
        hits++;
    }
    if (hits <= 1)
        return hits ? NAMING_FOUND : NAMING_NOT_FOUND;
    *out = NULL;
    if (data) {
        buf_adds(data, "supported names: ");
        size_t k = 0;
        for (size_t i = 0; i < cat->nloaded; i++) {
            if (!naming_bare_match(cat->loaded[i], name))
                continue;
            buf_addf(data, "%s%s", k++ ? ", " : "", cat->loaded[i]->name);
        }
    }
    return NAMING_AMBIGUOUS;
}
