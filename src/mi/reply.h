/* mi/reply: one MI reply's bytes -> the JSON-RPC result, or a typed error (mi/error.h). The only
 * code that reads what a node sent back; a fuzz target (fuzz/fuzz_mi_reply.c) feeds it anything. */
#ifndef MI_REPLY_H
#define MI_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "mi/error.h"

/* Who answered, and to what: only for the error texts (and the datagram rule below). */
struct mi_reply_from {
    const char *node;    /* the node's name, "edge1" */
    const char *address; /* its MI address as written, "udp:127.0.0.1:8080" */
    const char *method;  /* the method name that was sent, "dlg_list" */
    bool datagram;       /* mi_datagram: a plain "500 ..." means the reply did not fit */
};

/* Parse the reply buf[0..len) (need not be NUL-terminated; may hold anything) to the request
 * with id expected_id. MI_OK: *result is the reply's "result" (new reference). Otherwise *result
 * is untouched and e (may be NULL) is filled: MI_ERR_MI with the node's code and message for a
 * JSON-RPC error; MI_ERR_SERVER for a plain-text 5xx ("500 Internal error", mi_fifo),
 * MI_ERR_TOO_LARGE for it on a datagram; MI_ERR_GARBAGE for anything else (empty, not JSON,
 * another id, no result, a plain-text 4xx). */
enum mi_err mi_reply_parse(const char *buf, size_t len, json_int_t expected_id,
                           const struct mi_reply_from *from, json_t **result, struct mi_error *e);

/* The checks mi_reply_parse makes once the bytes are JSON: r (borrowed) is the parsed reply;
 * the same results and error texts. For mi/stream, which builds r without its result. */
enum mi_err mi_reply_envelope(const json_t *r, json_int_t expected_id,
                              const struct mi_reply_from *from, json_t **result,
                              struct mi_error *e);

/* Whether s[0..len) starts as a plain-text status ("500 Internal error"), and its code. */
bool mi_reply_plain_status(const char *s, size_t len, int *code);

#endif
