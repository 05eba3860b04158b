/* mi/error: the MI client's typed errors, one table of rows (name, text, retryable). */
#ifndef MI_ERROR_H
#define MI_ERROR_H

#include <stdbool.h>
#include <stddef.h>

/* Every way an MI call can fail. Rows of mi_err_rows[] in error.c, in this order. */
enum mi_err {
    MI_OK,
    MI_ERR_UNREACHABLE,    /* connection refused, no such FIFO or socket, name does not resolve */
    MI_ERR_TIMEOUT,        /* no complete reply before the deadline */
    MI_ERR_MI,             /* the node answered a JSON-RPC error: code and message */
    MI_ERR_HTTP_STATUS,    /* mi_http answered an error status (400, 405, 500, ...) */
    MI_ERR_SERVER,         /* the node answered "500 Internal error" as plain text (fifo) */
    MI_ERR_GARBAGE,        /* the reply is not a JSON-RPC response for our request */
    MI_ERR_TOO_LARGE,      /* the reply is over the size limit, or did not fit a datagram */
    MI_ERR_REQUEST_TOO_LARGE, /* the request does not fit the transport (4096 bytes on a FIFO) */
    MI_ERR_UNKNOWN_COMMAND,/* not in the catalogue, or the node does not offer it */
    MI_ERR_BAD_PARAMS,     /* the parameters match none of the command's recipes */
    MI_ERR_BAD_ADDRESS,    /* an MI address that cannot be parsed */
    MI_ERR_UNKNOWN_NODE,   /* no node by that name */
    MI_ERR_CONFIG,         /* a bad setting (flag, environment, config file) */
    MI_ERR_SYSTEM,         /* a local failure: out of memory, mkfifo, socket, ... */
    MI_ERR_CANCELLED,      /* the caller gave up (cancel.h): cancelled request, shutdown */
    MI_ERR_COUNT
};

/* The detail of one failure, filled by the function that failed; caller-owned. */
struct mi_error {
    enum mi_err err;
    int code;              /* MI_ERR_MI: JSON-RPC error code; MI_ERR_HTTP_STATUS: HTTP status */
    char message[256];     /* MI_ERR_MI: the node's message; otherwise a short detail */
    char text[768];        /* one sentence for a person: problem first, then the next step */
};

/* "mi_timeout", ... (stable, used in tool results and logs); "unknown" out of range. */
const char *mi_err_name(enum mi_err e);
/* "MI call timed out", ... */
const char *mi_err_str(enum mi_err e);
/* Whether a read-only command may be retried after this error (connect failure, time-out, 5xx). */
bool mi_err_retryable(enum mi_err e, int code);

/* Reset *e to MI_OK with empty texts; e may be NULL. */
void mi_error_clear(struct mi_error *e);
/* Fill *e (may be NULL) with err, code and a detail (printf format); text becomes
 * "<table text>: <detail>". Returns err, so `return mi_error_set(e, ...)` reads well. */
enum mi_err mi_error_set(struct mi_error *e, enum mi_err err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
