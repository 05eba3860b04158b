/* audit: the audit trail — one JSON record per tool call, allowed or refused, to a JSON Lines
 * file, to syslog, or nowhere; a write's begin record reaches stable storage before its effect. */
#ifndef AUTH_AUDIT_H
#define AUTH_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Records (one JSON object per line in a file, or per message in syslog), fields in this order:
 *
 *   begin:   {"ts","id","pid","event":"begin","decision":"allowed","principal","role","tool",
 *             "node","write","args"}
 *   end:     {"ts","id","pid","event":"end","decision":"allowed","principal","role","tool",
 *             "node","write","outcome","error","duration_ms"}
 *   refused: {"ts","id","pid","event":"refused","decision","principal","role","tool","node",
 *             "write","args","reason"}
 *
 * ts is UTC ISO 8601 with milliseconds ("2026-11-23T16:45:55.123Z"); id is unique within the
 * process and increases (begin and its end share it; pid tells processes and restarts apart);
 * node, args, error are null when absent. args is a copy of the call's arguments passed through
 * log_redact(): the value of every key log_key_is_secret() names is "***", at any depth, and so
 * is a parameter given by position whose name is a secret, and a secret inside JSON text (see
 * log.h). When the redacted
 * arguments are longer than AUDIT_ARGS_MAX bytes of compact JSON, args is null and two fields
 * follow it: "args_bytes" (their length) and "args_head" (their first AUDIT_ARGS_HEAD bytes, as a
 * string, already redacted). Every other string is cut at AUDIT_FIELD_MAX bytes (error and reason
 * at AUDIT_TEXT_MAX), on a UTF-8 boundary, ending in "..."; bytes that are not UTF-8 become '?'.
 * So a line stays under AUDIT_LINE_MAX bytes. U+0085, U+2028 and U+2029 are written as \u
 * escapes, so that no reader that splits lines on them sees a record cut in two.
 *
 * Limits of redaction: a secret under an innocent key, or by position in a command the catalogue
 * does not know, is written as given.
 */

#define AUDIT_ARGS_MAX 8192
#define AUDIT_ARGS_HEAD 512
#define AUDIT_FIELD_MAX 256
#define AUDIT_TEXT_MAX 1024
#define AUDIT_LINE_MAX 32768

/* Why a call did not run; the record's "decision". */
enum audit_decision {
    AUDIT_ALLOWED,     /* "allowed": only begin/end records carry it */
    AUDIT_REFUSED,     /* "refused": role, read-only mode, unknown tool, bad arguments, guard */
    AUDIT_DECLINED,    /* "declined": the user declined or cancelled the confirmation */
    AUDIT_UNCONFIRMED, /* "unconfirmed": destructive call without confirm:true or elicitation */
    AUDIT_DECISION_COUNT
};

/* The decision's record name ("allowed" ...); "unknown" out of range. */
const char *audit_decision_name(enum audit_decision d);

/* One call as the dispatcher sees it. Every pointer is borrowed for the duration of the
 * audit_*() call only; NULL strings are written as "" (principal, role, tool) or null (node). */
struct audit_call {
    const char *principal; /* who: a token's name, "stdio", "loopback" — never the token */
    const char *role;      /* the role name the call was checked against */
    const char *tool;      /* the tool name as the client sent it */
    const char *node;      /* the OpenSIPS node by its name ("pbx1" also when the call named
                              none: the tool's needs hook says), "*" for fan-out; NULL for none
                              (no node configured, or refused before the hook ran) */
    const json_t *args;    /* the call's arguments as received; redacted here, never changed */
    bool write;            /* the tool changes state: its records are flushed to disk */
};

struct audit;

/*
 * Open the audit trail described by `dest`:
 *   "off" (or NULL, or "")  records are dropped; every function still succeeds
 *   "syslog"                openlog("opensips-mcp", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV); each
 *                           record is one message at LOG_INFO (allowed) or LOG_NOTICE (refused,
 *                           or a write). AUTHPRIV because records name principals and security
 *                           decisions, and syslog daemons keep that facility readable by root only
 *                           (/var/log/auth.log, /var/log/secure). openlog is process-wide.
 *   "syslog://HOST[:PORT]"  a remote collector (the shared trail of several replicas): each
 *                           record is one RFC 5424 message in one UDP datagram (RFC 5426) to
 *                           HOST (a name, an IPv4 address or [an IPv6 one]) on PORT (1-65535,
 *                           514 when absent): "<PRI>1 TS HOSTNAME opensips-mcp PID audit - REC",
 *                           PRI as for "syslog" (AUTHPRIV, INFO or NOTICE), REC the JSON record.
 *                           HOST is resolved here (audit_reopen() resolves it again); a bad
 *                           host, port or an unresolvable name fails the open. Delivery is not
 *                           acknowledged: a record counts as written when the socket took it
 *                           (so a write's begin record is not on the collector's disk before
 *                           its effect, as a file's is); a refused send (the collector's port
 *                           closed, no buffer) is a failed record as for a file.
 *   "/absolute/path"        a JSON Lines file, opened O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, created
 *                           0600; it must be a regular file (a FIFO or device is refused, since
 *                           writing to either could block or interleave).
 * Returns a new object the caller frees with audit_close(), or NULL with a sentence in err
 * (a relative path, a path that cannot be opened and why, a bad syslog:// destination, out of
 * memory).
 */
struct audit *audit_open(const char *dest, char *err, size_t errlen);

/* Close the file (or closelog) and free `a`. NULL is a no-op. Not while other threads still
 * use `a`. */
void audit_close(struct audit *a);

/* Reopen the file at its original path (logrotate renamed it: later records go to a new file
 * at the path), or closelog+openlog for syslog, or resolve and connect a syslog:// collector
 * again (its name may point elsewhere now). Records being written meanwhile finish in the old
 * file; none is lost or split. Thread-safe, but not async-signal-safe: a SIGHUP handler sets a
 * flag and the main loop calls this. Returns 0, or -1 when the path cannot be opened (logged
 * with log_msg; the old file stays in use). NULL `a` returns 0. */
int audit_reopen(struct audit *a);

/* Write the begin record of an allowed call and set *id (never 0) for its audit_end(). For a
 * write (c->write) the record is fdatasync()ed before this returns, so a crash during the MI
 * call still leaves it. Returns 0, or -1 when the record did not reach the destination (write
 * or fdatasync failed, the socket refused the datagram, out of memory): the caller should refuse a write then, rather than act
 * unaudited. *id is set either way. Thread-safe. `a` may be NULL (off). */
int audit_begin(struct audit *a, const struct audit_call *c, uint64_t *id);

/* Complete the call `id`: `outcome` is "ok" or an error kind ("mi_timeout", "tool_error", ...;
 * NULL means "ok"), `error_text` the message shown to the client or NULL, `duration_ms` the time
 * from before audit_begin() to now (negative or not finite is written as 0). A write's end
 * record is flushed too. Returns 0 or -1 as audit_begin. Thread-safe. */
int audit_end(struct audit *a, uint64_t id, const struct audit_call *c, const char *outcome,
              const char *error_text, double duration_ms);

/* Record a call that did not run: `decision` is not AUDIT_ALLOWED (which is written as
 * "refused"), `reason` the sentence the client was given. Returns 0 or -1 as audit_begin; the
 * record is not flushed (nothing happened that a crash could hide). Thread-safe. */
int audit_refused(struct audit *a, const struct audit_call *c, enum audit_decision decision,
                  const char *reason);

/* Records that did not reach the destination since audit_open() (for health reporting).
 * A failed burst is logged once with log_msg(LOG_ERROR, ...), and its end once with
 * LOG_WARNING and the count, never per record. */
uint64_t audit_dropped(const struct audit *a);

#endif
