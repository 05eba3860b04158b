/* log: the server's own diagnostics on stderr (never stdout), and the RFC 5424 level names
 * shared with MCP's logging/setLevel. Secrets are redacted before anything is written. */
#ifndef LOG_H
#define LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* RFC 5424 severities as MCP names them (server/utilities/logging.mdx), lowest first. */
enum log_level {
    LOG_DEBUG,
    LOG_INFO,
    LOG_NOTICE,
    LOG_WARNING,
    LOG_ERROR,
    LOG_CRITICAL,
    LOG_ALERT,
    LOG_EMERGENCY,
    LOG_LEVEL_COUNT
};

/* The level's MCP name ("debug" ... "emergency"). */
const char *log_level_name(enum log_level level);
/* Parse an MCP level name; returns the level or -1 when unknown. */
int log_level_parse(const char *name);
/* The accepted names joined by ", " (for error messages). */
const char *log_level_names(void);

/* Messages below `level` are not written to stderr. Thread-safe. */
void log_set_threshold(enum log_level level);
enum log_level log_threshold(void);

/* Write one line "opensips-mcp: <level>: <text>" to stderr when level passes the threshold. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when a JSON object key names a secret: it contains, in any case, pass, secret, token,
 * auth, key, credential, cookie or bearer. Keys of any length; the n form takes keys that hold
 * NUL bytes. */
int log_key_is_secret(const char *key);
int log_key_is_secretn(const char *key, size_t len);

/* Whether parameter `index` (from 0) of the MI command named `command`, given by position, is
 * a secret (its name in the command's recipes is). */
typedef bool (*log_positional_fn)(const char *command, size_t index);
/* Set the function log_redact() asks about parameters given by position; NULL (the start)
 * redacts none by position. Thread-safe. */
void log_redact_set_positional(log_positional_fn fn);

/*
 * A deep copy of `value` with every secret replaced by "***", before anything is written
 * (audit records, debug log, MCP log notifications). New reference, NULL when out of memory.
 * Replaced: the value of a secret key (log_key_is_secretn), at any depth; the items of a
 * parameter array ("params" or "mi_params" beside a "command" or "mi_cmd" string) whose
 * position names a secret (log_redact_set_positional); inside a string that holds a JSON object
 * or array (mi_params given as text), the same, the string then written back as compact JSON
 * text. Anything nested deeper than JSONLOAD_DEPTH_MAX (which no parsed input is) becomes
 * "***" too, so the walk and the copy stay within that depth.
 */
json_t *log_redact(const json_t *value);

#endif
