/* log: stderr diagnostics with RFC 5424 levels, and redaction of secrets. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonload.h"

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

/* Case-insensitive search for an ASCII needle in key[0..len) (a key may hold NUL bytes). */
static bool contains_ci(const char *key, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++)
        if (!strncasecmp(key + i, needle, n) && !memchr(key + i, '\0', n))
            return true;
    return false;
}

int log_key_is_secretn(const char *key, size_t len)
{
    static const char *const needles[] = {
        "pass", "secret", "token", "auth", "key", "credential", "cookie", "bearer",
    };

    for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
        if (contains_ci(key, len, needles[i]))
            return 1;
    return 0;
}

int log_key_is_secret(const char *key)
{
    return log_key_is_secretn(key, strlen(key));
}

static _Atomic(log_positional_fn) positional_fn;

void log_redact_set_positional(log_positional_fn fn)
{
    atomic_store(&positional_fn, fn);
}

static json_t *redact(const json_t *value, size_t depth, bool *found);

/* The command a positional parameter array belongs to: the string member "command" or
 * "mi_cmd" of the object holding the array (mi_execute, cluster_send_command). */
static const char *positional_command(const json_t *obj)
{
    const char *c = json_string_value(json_object_get(obj, "command"));

    return c ? c : json_string_value(json_object_get(obj, "mi_cmd"));
}

/* A copy of the array `a` of command `cmd`'s parameters given by position, each one whose
 * parameter name is a secret replaced by "***". */
static json_t *redact_positional(const json_t *a, const char *cmd, size_t depth, bool *found)
{
    log_positional_fn fn = atomic_load(&positional_fn);
    json_t *copy = json_array(), *v;
    size_t i;

    if (!copy)
        return NULL;
    json_array_foreach(a, i, v) {
        json_t *nv;
        if (fn && fn(cmd, i)) {
            nv = json_string("***");
            *found = true;
        } else {
            nv = redact(v, depth + 1, found);
        }
        if (json_array_append_new(copy, nv) < 0) {
            json_decref(copy);
            return NULL;
        }
    }
    return copy;
}

/* A string that holds JSON text (mi_params as a string): parsed, redacted and written back
 * when it held a secret; otherwise a plain copy. */
static json_t *redact_string(const json_t *value, const char *cmd, size_t depth, bool *found)
{
    const char *s = json_string_value(value);
    size_t len = json_string_length(value), i = 0;
    bool inner = false;
    json_t *doc, *red;
    char *text;

    while (i < len && strchr(" \t\r\n", s[i]))
        i++;
    if (i == len || (s[i] != '{' && s[i] != '['))
        return json_deep_copy(value);
    doc = jsonload_bytes(s, len, 0, NULL);
    if (!doc)
        return json_deep_copy(value);
    red = cmd && json_is_array(doc) ? redact_positional(doc, cmd, depth, &inner)
                                    : redact(doc, depth, &inner);
    json_decref(doc);
    if (!red)
        return NULL;
    if (!inner) {
        json_decref(red);
        return json_deep_copy(value);
    }
    *found = true;
    text = json_dumps(red, JSON_COMPACT);
    json_decref(red);
    /* a dump that fails must not give the secret back: the whole string goes */
    red = json_string(text ? text : "***");
    free(text);
    return red;
}

static json_t *redact(const json_t *value, size_t depth, bool *found)
{
    /* Deeper than anything jsonload() accepts: built by us, not read; never walked further. */
    if (depth > JSONLOAD_DEPTH_MAX) {
        *found = true;
        return json_string("***");
    }
    if (json_is_object(value)) {
        json_t *copy = json_object(), *v, *nv;
        const char *k, *cmd = positional_command(value);
        size_t klen;

        if (!copy)
            return NULL;
        json_object_keylen_foreach((json_t *)value, k, klen, v) {
            bool params = cmd && ((klen == 6 && !memcmp(k, "params", 6)) ||
                                  (klen == 9 && !memcmp(k, "mi_params", 9)));
            if (log_key_is_secretn(k, klen)) {
                nv = json_string("***");
                *found = true;
            } else if (params && json_is_array(v)) {
                nv = redact_positional(v, cmd, depth + 1, found);
            } else if (json_is_string(v)) {
                nv = redact_string(v, params ? cmd : NULL, depth + 1, found);
            } else {
                nv = redact(v, depth + 1, found);
            }
            if (json_object_setn_new(copy, k, klen, nv) < 0) {
                json_decref(copy);
                return NULL;
            }
        }
        return copy;
    }
    if (json_is_array(value)) {
        json_t *copy = json_array(), *v;
        size_t i;

        if (!copy)
            return NULL;
        json_array_foreach(value, i, v) {
            if (json_array_append_new(copy, redact(v, depth + 1, found)) < 0) {
                json_decref(copy);
                return NULL;
            }
        }
        return copy;
    }
    if (json_is_string(value))
        return redact_string(value, NULL, depth + 1, found);
    return json_deep_copy(value);
}

json_t *log_redact(const json_t *value)
{
    bool found = false;

    return redact(value, 1, &found);
}
