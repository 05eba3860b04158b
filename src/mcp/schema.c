/* schema: validate tool arguments against a JSON Schema 2020-12 subset. */
#include "mcp/schema.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 256

struct ctx {
    char *err;
    size_t errlen;
    char path[PATH_MAX_LEN];
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "argument 'a.b[2]'" or "the arguments" for the root. */
static const char *subject(const struct ctx *c, char *buf, size_t n)
{
    if (!c->path[0])
        snprintf(buf, n, "the arguments");
    else
        snprintf(buf, n, "argument '%s'", c->path);
    return buf;
}

static int fail(struct ctx *c, const char *fmt, ...)
{
    char subj[PATH_MAX_LEN + 16], rest[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(rest, sizeof(rest), fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s %s", subject(c, subj, sizeof(subj)), rest);
    return -1;
}

static const char *type_phrase(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static const struct { const char *name, *phrase; } type_names[] = {
    {"string", "a string"}, {"integer", "an integer"}, {"number", "a number"},
    {"boolean", "a boolean"}, {"object", "an object"}, {"array", "an array"}, {"null", "null"},
};

static bool type_known(const char *t)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (!strcmp(t, type_names[i].name))
            return true;
    return false;
}

static const char *type_name_phrase(const char *t)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (!strcmp(t, type_names[i].name))
            return type_names[i].phrase;
    return t;
}

/* JSON Schema counts 1.0 as an integer. */
static bool is_integral(const json_t *v)
{
    if (json_is_integer(v))
        return true;
    if (json_is_real(v)) {
        double d = json_real_value(v);
        return isfinite(d) && d == floor(d);
    }
    return false;
}

static bool type_matches(const char *t, const json_t *v)
{
    if (!strcmp(t, "string")) return json_is_string(v);
    if (!strcmp(t, "integer")) return is_integral(v);
    if (!strcmp(t, "number")) return json_is_number(v);
    if (!strcmp(t, "boolean")) return json_is_boolean(v);
    if (!strcmp(t, "object")) return json_is_object(v);
    if (!strcmp(t, "array")) return json_is_array(v);
    if (!strcmp(t, "null")) return json_is_null(v);
    return false;
}

static size_t utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Compiled patterns, kept for the life of the process: our schemas are static tables. */
struct pattern {
    char *source;
    regex_t re;
    int ok;
    struct pattern *next;
};
static struct pattern *patterns;
static pthread_mutex_t patterns_lock = PTHREAD_MUTEX_INITIALIZER;

static struct pattern *pattern_get(const char *source)
{
    struct pattern *p;

    pthread_mutex_lock(&patterns_lock);
    for (p = patterns; p; p = p->next)
        if (!strcmp(p->source, source))
            goto out;
    p = calloc(1, sizeof(*p));
    if (p && !(p->source = strdup(source))) {
        free(p);
        p = NULL;
    }
    if (p) {
        p->ok = regcomp(&p->re, source, REG_EXTENDED | REG_NOSUB) == 0;
        p->next = patterns;
        patterns = p;
    }
out:
    pthread_mutex_unlock(&patterns_lock);
    return p;
}

static void list_values(const json_t *arr, char *buf, size_t n)
{
    size_t i, used = 0;
    json_t *v;

    buf[0] = '\0';
    json_array_foreach(arr, i, v) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", s ? s : "?");
        free(s);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

static int validate(struct ctx *c, const json_t *schema, const json_t *v);

static int check_type(struct ctx *c, const json_t *type, const json_t *v)
{
    if (json_is_string(type)) {
        if (!type_matches(json_string_value(type), v))
            return fail(c, "must be %s, not %s", type_name_phrase(json_string_value(type)),
                        type_phrase(v));
    } else if (json_is_array(type)) {
        size_t i;
        json_t *t;
        char names[256];

        json_array_foreach(type, i, t)
            if (json_is_string(t) && type_matches(json_string_value(t), v))
                return 0;
        list_values(type, names, sizeof(names));
        return fail(c, "must be one of the types %s, not %s", names, type_phrase(v));
    }
    return 0;
}

static int check_number(struct ctx *c, const json_t *schema, const json_t *v)
{
    double d = json_number_value(v);
    json_t *k;

    if ((k = json_object_get(schema, "minimum")) && json_is_number(k) && d < json_number_value(k))
        return fail(c, "must be at least %g, not %g", json_number_value(k), d);
    if ((k = json_object_get(schema, "maximum")) && json_is_number(k) && d > json_number_value(k))
        return fail(c, "must be at most %g, not %g", json_number_value(k), d);
    if ((k = json_object_get(schema, "exclusiveMinimum")) && json_is_number(k) &&
        d <= json_number_value(k))
        return fail(c, "must be greater than %g, not %g", json_number_value(k), d);
    if ((k = json_object_get(schema, "exclusiveMaximum")) && json_is_number(k) &&
        d >= json_number_value(k))
        return fail(c, "must be less than %g, not %g", json_number_value(k), d);
    return 0;
}

static int check_string(struct ctx *c, const json_t *schema, const json_t *v)
{
    size_t len = utf8_length(json_string_value(v));
    json_t *k;

    if ((k = json_object_get(schema, "minLength")) && json_is_integer(k) &&
        len < (size_t)json_integer_value(k))
        return fail(c, "must be at least %lld characters long", json_integer_value(k));
    if ((k = json_object_get(schema, "maxLength")) && json_is_integer(k) &&
        len > (size_t)json_integer_value(k))
        return fail(c, "must be at most %lld characters long", json_integer_value(k));
    if ((k = json_object_get(schema, "pattern")) && json_is_string(k)) {
        struct pattern *p = pattern_get(json_string_value(k));
        if (!p || !p->ok)
            return fail(c, "cannot be checked: the tool's pattern does not compile");
        if (strlen(json_string_value(v)) != json_string_length(v) ||
            regexec(&p->re, json_string_value(v), 0, NULL, 0) != 0)
            return fail(c, "must match the pattern %s", json_string_value(k));
    }
    return 0;
}

/* Append a path component; returns the old length so the caller can restore it. */
static size_t path_push(struct ctx *c, const char *key, long index)
{
    size_t old = strlen(c->path);

    if (key)
        snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old ? "." : "", key);
    else
        snprintf(c->path + old, sizeof(c->path) - old, "[%ld]", index);
    return old;
}

static int check_object(struct ctx *c, const json_t *schema, const json_t *v)
{
    json_t *props = json_object_get(schema, "properties");
    json_t *req = json_object_get(schema, "required");
    json_t *addl = json_object_get(schema, "additionalProperties");
    const char *key;
    json_t *item;
    size_t i;

    json_array_foreach(req, i, item) {
        if (json_is_string(item) && !json_object_get(v, json_string_value(item))) {
            if (!c->path[0])
                snprintf(c->err, c->errlen, "missing required argument '%s'",
                         json_string_value(item));
            else
                fail(c, "is missing its required property '%s'", json_string_value(item));
            return -1;
        }
    }
    json_object_foreach((json_t *)v, key, item) {
        json_t *sub = json_object_get(props, key);
        if (!sub) {
            if (json_is_false(addl)) {
                char names[256] = "";
                size_t used = 0;
                const char *pk;
                json_t *pv;
                json_object_foreach(props, pk, pv) {
                    int w = snprintf(names + used, sizeof(names) - used, "%s%s",
                                     used ? ", " : "", pk);
                    if (w < 0 || (size_t)w >= sizeof(names) - used)
                        break;
                    used += (size_t)w;
                }
                if (!c->path[0])
                    snprintf(c->err, c->errlen, "unknown argument '%.64s'; accepted: %s", key,
                             used ? names : "none");
                else
                    fail(c, "has an unknown property '%.64s'; accepted: %s", key,
                         used ? names : "none");
                return -1;
            }
            if (json_is_object(addl))
                sub = addl;
            else
                continue;
        }
        size_t old = path_push(c, key, 0);
        int rc = validate(c, sub, item);
        c->path[old] = '\0';
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int check_array(struct ctx *c, const json_t *schema, const json_t *v)
{
    json_t *items = json_object_get(schema, "items"), *k, *item;
    size_t i, n = json_array_size(v);

    if ((k = json_object_get(schema, "minItems")) && json_is_integer(k) &&
        n < (size_t)json_integer_value(k))
        return fail(c, "must have at least %lld items", json_integer_value(k));
    if ((k = json_object_get(schema, "maxItems")) && json_is_integer(k) &&
        n > (size_t)json_integer_value(k))
        return fail(c, "must have at most %lld items", json_integer_value(k));
    if (!json_is_object(items))
        return 0;
    json_array_foreach(v, i, item) {
        size_t old = path_push(c, NULL, (long)i);
        int rc = validate(c, items, item);
        c->path[old] = '\0';
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int validate(struct ctx *c, const json_t *schema, const json_t *v)
{
    json_t *k;

    if (json_is_true(schema) || !json_is_object(schema))
        return 0;
    if ((k = json_object_get(schema, "type")) && check_type(c, k, v) < 0)
        return -1;
    if ((k = json_object_get(schema, "const")) && !json_equal(k, (json_t *)v)) {
        char want[128];
        char *s = json_dumps(k, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(want, sizeof(want), "%s", s ? s : "?");
        free(s);
        return fail(c, "must be %s", want);
    }
    if ((k = json_object_get(schema, "enum")) && json_is_array(k)) {
        size_t i;
        json_t *e;
        bool found = false;
        json_array_foreach(k, i, e)
            if (json_equal(e, (json_t *)v))
                found = true;
        if (!found) {
            char names[384];
            list_values(k, names, sizeof(names));
            return fail(c, "must be one of %s", names);
        }
    }
    if (json_is_number(v) && check_number(c, schema, v) < 0)
        return -1;
    if (json_is_string(v) && check_string(c, schema, v) < 0)
        return -1;
    if (json_is_object(v) && check_object(c, schema, v) < 0)
        return -1;
    if (json_is_array(v) && check_array(c, schema, v) < 0)
        return -1;
    return 0;
}

int schema_validate(const json_t *schema, const json_t *inst, char *err, size_t errlen)
{
    struct ctx c = {.err = err, .errlen = errlen};

    if (errlen)
        err[0] = '\0';
    return validate(&c, schema, inst);
}

static int check(const json_t *schema, char *err, size_t errlen, int depth)
{
    json_t *k, *sub;
    const char *key;
    size_t i;

    if (depth > 32)
        return snprintf(err, errlen, "schema nests too deeply"), -1;
    if (!json_is_object(schema))
        return 0;
    if ((k = json_object_get(schema, "type"))) {
        if (json_is_string(k) && !type_known(json_string_value(k)))
            return snprintf(err, errlen, "unknown type '%s'", json_string_value(k)), -1;
        json_array_foreach(k, i, sub)
            if (!json_is_string(sub) || !type_known(json_string_value(sub)))
                return snprintf(err, errlen, "bad type list"), -1;
    }
    if ((k = json_object_get(schema, "pattern"))) {
        struct pattern *p = json_is_string(k) ? pattern_get(json_string_value(k)) : NULL;
        if (!p || !p->ok)
            return snprintf(err, errlen, "pattern does not compile as POSIX ERE"), -1;
        /* A client checks the pattern as ECMA-262, we as POSIX ERE: they agree on escaped
         * punctuation only. "[^\s]" is "not a backslash or s" to regcomp. */
        for (const char *c = json_string_value(k); *c; c++)
            if (*c == '\\' && isalnum((unsigned char)c[1]))
                return snprintf(err, errlen, "pattern uses the escape '\\%c', which ECMA-262 "
                                "and POSIX ERE read differently: spell the class out", c[1]), -1;
            else if (*c == '\\' && c[1])
                c++;
    }
    json_object_foreach(json_object_get(schema, "properties"), key, sub)
        if (check(sub, err, errlen, depth + 1) < 0)
            return -1;
    if (check(json_object_get(schema, "items"), err, errlen, depth + 1) < 0)
        return -1;
    return check(json_object_get(schema, "additionalProperties"), err, errlen, depth + 1);
}

int schema_check(const json_t *schema, char *err, size_t errlen)
{
    return check(schema, err, errlen, 0);
}
