/* mi/stream: an MI reply parsed as its bytes arrive, by libyajl's event parser, for replies too
 * big to hold (usrloc:dump of 100 000 AORs is 30 MB; jansson's tree of it costs about 13 bytes a
 * byte). The envelope (jsonrpc, id, error) is built as a small jansson value and judged by
 * mi_reply_envelope, so every failure reads as mi_reply_parse's; the "result" value never is:
 * its events go to the caller's callbacks, which keep only what they need. */
#ifndef MI_STREAM_H
#define MI_STREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mi/error.h"
#include "mi/reply.h"

/* One parse event of the result value, in document order. */
enum mi_ev {
    MI_EV_NULL,
    MI_EV_TRUE,
    MI_EV_FALSE,
    MI_EV_NUMBER,    /* text: the number as written ("42", "-1.5e3") */
    MI_EV_STRING,    /* text: the string's UTF-8 bytes (checked by yajl), unescaped */
    MI_EV_KEY,       /* text: the member name that the next value belongs to */
    MI_EV_MAP,       /* an object opens */
    MI_EV_MAP_END,
    MI_EV_ARRAY,     /* an array opens */
    MI_EV_ARRAY_END,
    MI_EV_COUNT
};

/* What the caller of a streamed MI call gives: event() sees the result value's events (text is
 * not NUL-terminated and is valid only during the call; depth is 1 for the result value itself,
 * opening and end alike, 2 for its members' keys and values, and so on); a non-zero return stops
 * the call: MI_STREAM_ITEM_TOO_LARGE when one item passes what the caller keeps of one (the call
 * fails with MI_ERR_TOO_LARGE, its code MI_STREAM_ITEM_TOO_LARGE: not the whole reply over the
 * limit), anything else with MI_ERR_SYSTEM ("out of memory keeping the reply"). reset() (may be
 * NULL) runs before each attempt, as the client retries a read after a failure, so what an
 * earlier attempt kept can be dropped. The
 * events of a reply that then fails (wrong id, an error member as well, truncated) have been
 * delivered: keep nothing from them unless the call returns MI_OK. */
#define MI_STREAM_ITEM_TOO_LARGE (-2)

struct mi_stream_cb {
    int (*event)(void *ctx, enum mi_ev ev, const char *text, size_t len, unsigned depth);
    void (*reset)(void *ctx);
};

/* A jansson value built from a run of events, for callers that keep a small piece of a big
 * reply as a tree (one AOR of a dump), and for the envelope. Feed it the events of one value,
 * starting with its first; bounded by `max` bytes of text and JSONLOAD_DEPTH_MAX levels. */
struct mi_jbuild {
    json_t *stack[66];
    unsigned depth;
    char *key;
    size_t bytes, max;
    json_t *root;
};
void mi_jbuild_init(struct mi_jbuild *b, size_t max);
/* 1 when this event completed the value (mi_jbuild_take it), 0 to go on; on failure, the builder
 * then empty: MI_STREAM_ITEM_TOO_LARGE over max bytes or too deep, -1 otherwise (out of memory, a
 * key outside an object). */
int mi_jbuild_event(struct mi_jbuild *b, enum mi_ev ev, const char *text, size_t len);
/* The value built (new reference; the builder is empty again), or NULL when not complete. */
json_t *mi_jbuild_take(struct mi_jbuild *b);
void mi_jbuild_release(struct mi_jbuild *b);

/* Text bytes the envelope outside "result" may hold (an error's message and data): more is not
 * what OpenSIPS sends. */
#define MI_STREAM_ENVELOPE_MAX (64u * 1024)

/* Bytes a streamed reply may hold between two values (one string, one number, or whitespace):
 * yajl buffers a token that spans pieces whole. */
#define MI_STREAM_TOKEN_MAX (1024u * 1024)

/* A reply being parsed. Plain data of the client's; fields are private to stream.c. */
struct mi_stream {
    void *yajl;                     /* yajl_handle */
    const struct mi_stream_cb *cb;
    void *ctx;
    const struct mi_reply_from *from;
    size_t seen;                    /* bytes fed */
    size_t chunk_start;             /* s->seen before the chunk being parsed */
    size_t last_event;              /* the offset of the last event */
    char head[128];                 /* the first bytes, for plain-text statuses and messages */
    size_t head_len;
    bool decided;                   /* whether it is a plain-text status is known */
    bool plain;                     /* the reply is a plain-text status ("500 Internal error") */
    bool result_next;               /* the last top-level key was "result" */
    bool in_result;                 /* inside the top-level "result" value */
    bool has_result;
    unsigned depth;                 /* arrays and objects open, envelope included */
    enum mi_err failed;             /* set by the first failure; MI_OK while it parses */
    struct mi_error err;            /* its detail */
    struct mi_jbuild env;           /* the envelope, "result" only a placeholder */
};

/* Start parsing a reply to request `expected_id` from `from` (borrowed, kept). 0, or -1 when
 * out of memory. */
int mi_stream_init(struct mi_stream *s, const struct mi_stream_cb *cb, void *ctx,
                   const struct mi_reply_from *from);
/* Feed n more bytes (an mi_buf sink). 0 to go on, -1 once the reply failed (the transport
 * stops; mi_stream_finish says why). */
int mi_stream_feed(void *s, const void *p, size_t n);
/* Whether the reply already failed, before the transport finished. */
bool mi_stream_failed(const struct mi_stream *s);
/* All bytes are in: MI_OK when the reply was a JSON-RPC result for expected_id (its events were
 * delivered), else the error, in e as mi_reply_parse words it: MI_ERR_GARBAGE (not JSON,
 * truncated, too deep, another id, neither result nor error), MI_ERR_MI (the node's error),
 * MI_ERR_SERVER / MI_ERR_TOO_LARGE (a plain-text status), MI_ERR_SYSTEM (out of memory, or a
 * callback stopped it). */
enum mi_err mi_stream_finish(struct mi_stream *s, json_int_t expected_id, struct mi_error *e);
/* The error a failed feed recorded (MI_OK when none), copied into e. */
enum mi_err mi_stream_error(const struct mi_stream *s, struct mi_error *e);
void mi_stream_release(struct mi_stream *s);


#endif
