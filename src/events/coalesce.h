/* events/coalesce: the resource URIs changed since the last flush, each once. The listener adds
 * a URI only when some session is subscribed to it, and flushes once per events-interval-ms:
 * so a client hears of each resource at most once an interval, however many events there were,
 * and nothing is kept for a resource nobody follows. Bounded: past COALESCE_MAX distinct URIs
 * in one interval the rest are dropped (and counted). Not thread-safe: one thread owns it. */
#ifndef EVENTS_COALESCE_H
#define EVENTS_COALESCE_H

#include <stddef.h>

#define COALESCE_MAX 256

struct coalesce {
    char *uris[COALESCE_MAX]; /* owned, the first n */
    size_t n;
    unsigned long dropped;    /* URIs refused because the set was full, since the last flush */
};

/* Add a copy of uri: 1 when added, 0 when it was already pending, -1 when the set is full or
 * out of memory (counted in dropped). */
int coalesce_add(struct coalesce *c, const char *uri);
/* Call fn with each pending URI in the order first added, then empty the set and return how
 * many there were. */
size_t coalesce_flush(struct coalesce *c, void (*fn)(const char *uri, void *ctx), void *ctx);
/* Free what is pending. */
void coalesce_release(struct coalesce *c);

#endif
