/* error: the tool layer's one error type. Every backend (MI, and those to come: SQL, programs,
 * HTTP APIs) maps its failures onto these kinds; a row's logic fails with one; the entry point
 * turns it into the isError result and the audit outcome, and fan-out reports it per node. No
 * failure is ever recognised by its text. */
#ifndef TOOLS_ERROR_H
#define TOOLS_ERROR_H

#include <stdarg.h>

/* What went wrong, whatever the backend. Rows of the table in error.c, in this order. */
enum tool_err {
    TOOL_OK,
    TOOL_E_UNREACHABLE, /* the backend cannot be reached: connection refused, no such socket */
    TOOL_E_TIMEOUT,     /* no answer before the deadline */
    TOOL_E_CANCELLED,   /* the request was cancelled, or the server is shutting down */
    TOOL_E_REFUSED,     /* the backend answered with an error of its own */
    TOOL_E_UNSUPPORTED, /* the backend lacks it: a module not loaded, a program not installed */
    TOOL_E_BAD_ARGS,    /* arguments the backend cannot take */
    TOOL_E_NOT_FOUND,   /* the thing the arguments name does not exist */
    TOOL_E_GARBAGE,     /* an answer that cannot be read */
    TOOL_E_TOO_LARGE,   /* an answer, or a request, over a size limit */
    TOOL_E_CONFIG,      /* a setting is wrong: an address, an unknown node */
    TOOL_E_SYSTEM,      /* a local failure: out of memory, a system call */
    TOOL_E_COUNT
};

/* The detail of one failure, filled by whoever failed; caller-owned, no allocation. */
struct tool_error {
    enum tool_err kind;
    const char *name;   /* stable, for results, fan-out and the audit trail: the backend's own
                           ("mi_timeout") or the kind's ("timeout"); static */
    int code;           /* the backend's code: an MI error code, an HTTP status, an exit status */
    char text[800];     /* one sentence for a person: problem first, then the next step */
};

/* "timeout", ...: the kind's stable name; "unknown" out of range. */
const char *tool_err_name(enum tool_err kind);
/* "no answer before the deadline", ... */
const char *tool_strerror(enum tool_err kind);

/* Fill *e: kind, name (NULL: the kind's), code and the sentence (printf format). Returns NULL,
 * so that a row's logic can `return tool_fail(e, ...)`. */
void *tool_fail(struct tool_error *e, enum tool_err kind, const char *name, int code,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
