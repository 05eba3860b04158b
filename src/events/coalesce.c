/* events/coalesce: a small set of pending URIs, searched linearly (at most COALESCE_MAX). */
#include "events/coalesce.h"

#include <stdlib.h>
#include <string.h>

int coalesce_add(struct coalesce *c, const char *uri)
{
    char *copy;

    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->uris[i], uri))
            return 0;
    if (c->n == COALESCE_MAX || !(copy = strdup(uri))) {
        c->dropped++;
        return -1;
    }
    c->uris[c->n++] = copy;
    return 1;
}

size_t coalesce_flush(struct coalesce *c, void (*fn)(const char *uri, void *ctx), void *ctx)
{
    size_t n = c->n;

    for (size_t i = 0; i < n; i++) {
        fn(c->uris[i], ctx);
        free(c->uris[i]);
    }
    c->n = 0;
    c->dropped = 0;
    return n;
}

void coalesce_release(struct coalesce *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->uris[i]);
    c->n = 0;
}
