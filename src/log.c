/* log: stderr diagnostics with RFC 5424 levels, and redaction of secrets. */
#include "log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const level_names[LOG_LEVEL_COUNT] = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency",
};

static atomic_int threshold = LOG_INFO;

const char *log_level_name(enum log_level level)
{
    return (unsigned)level < LOG_LEVEL_COUNT ? level_names[level] : "unknown";
}

int log_level_parse(const char *name)
{
    for (int i = 0; name && i < LOG_LEVEL_COUNT; i++)
        if (!strcmp(name, level_names[i]))
            return i;
    return -1;
}

const char *log_level_names(void)
{
    return "debug, info, notice, warning, error, critical, alert, emergency";
}

void log_set_threshold(enum log_level level)
{
    atomic_store(&threshold, (int)level);
}

enum log_level log_threshold(void)
{
    return (enum log_level)atomic_load(&threshold);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    int n;

    if ((int)level < atomic_load(&threshold))
        return;
    n = snprintf(line, sizeof(line), "opensips-mcp: %s: ", log_level_name(level));
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    /* One write per line so that lines from several threads do not interleave. */
    fprintf(stderr, "%s\n", line);
}

int log_key_is_secret(const char *key)
{
    static const char *const needles[] = {
        "pass", "secret", "token", "auth", "key", "credential", "cookie", "bearer",
    };
    char lower[64];
    size_t i;

    for (i = 0; key[i] && i < sizeof(lower) - 1; i++)
        lower[i] = (char)tolower((unsigned char)key[i]);
    lower[i] = '\0';
    for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
        if (strstr(lower, needles[i]))
            return 1;
    return 0;
}

json_t *log_redact(const json_t *value)
{
    if (json_is_object(value)) {
        json_t *copy = json_object();
        const char *k;
        json_t *v;

        if (!copy)
            return NULL;
        json_object_foreach((json_t *)value, k, v) {
            json_t *nv = log_key_is_secret(k) ? json_string("***") : log_redact(v);
            if (json_object_set_new(copy, k, nv) < 0) {
                json_decref(copy);
                return NULL;
            }
        }
        return copy;
    }
    if (json_is_array(value)) {
        json_t *copy = json_array();
        size_t i;
        json_t *v;

        if (!copy)
            return NULL;
        json_array_foreach(value, i, v) {
            if (json_array_append_new(copy, log_redact(v)) < 0) {
                json_decref(copy);
                return NULL;
            }
        }
        return copy;
    }
    return json_deep_copy(value);
}
