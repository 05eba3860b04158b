/* buf: a growable byte buffer with a hard ceiling, for replies and request bodies. */
#ifndef SIM_BUF_H
#define SIM_BUF_H

#include <stddef.h>

struct buf {
    char *data;     /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max;     /* appends that would pass this fail */
};

/* Start an empty buffer that never grows past max bytes. */
void buf_init(struct buf *b, size_t max);
/* Free the storage; the buffer is empty and reusable afterwards. */
void buf_release(struct buf *b);
/* Append n bytes; 0 on success, -1 when out of memory or past the ceiling (buffer unchanged). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
/* printf-style append; -1 on failure. */
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the storage to the caller (who frees it); the buffer becomes empty. */
char *buf_take(struct buf *b, size_t *len);

#endif
