/* log: the server's own diagnostics on stderr (never stdout), and the RFC 5424 level names
 * shared with MCP's logging/setLevel. Secrets are redacted before anything is written. */
#ifndef LOG_H
#define LOG_H

#include <jansson.h>

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

/* True when a JSON object key names a secret (password, token, secret, authorization, key, ...). */
int log_key_is_secret(const char *key);
/* A deep copy of `value` with the value of every secret key replaced by "***". New reference. */
json_t *log_redact(const json_t *value);

#endif
