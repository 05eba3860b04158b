/* faults: injected misbehaviour, per command or at a rate, changed by flags or sim:fault. */
#include "faults.h"

#include "sim.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAULTS_MAX 64
#define FAULT_DEPTH_DEFAULT 2040
#define FAULT_DEPTH_MAX (1u << 20)

static struct fault faults_tab[FAULTS_MAX];
static size_t faults_n;
static pthread_mutex_t faults_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long faults_rng = 0x9e3779b97f4a7c15ull;

static const char *const fault_names[FAULT_KIND_COUNT] = {
    [FAULT_NONE] = "none",         [FAULT_DELAY] = "delay",       [FAULT_DROP] = "drop",
    [FAULT_HTTP500] = "http500",   [FAULT_GARBAGE] = "garbage",   [FAULT_TRUNCATE] = "truncate",
    [FAULT_HUGE] = "huge",         [FAULT_CHUNKED] = "chunked",   [FAULT_REFUSE] = "refuse",
    [FAULT_DEEP] = "deep",         [FAULT_ERROR] = "error",
};
_Static_assert(sizeof fault_names / sizeof fault_names[0] == FAULT_KIND_COUNT, "fault names");

enum fault_kind fault_kind_parse(const char *s)
{
    for (int k = 1; k < FAULT_KIND_COUNT; k++)
        if (strcmp(s, fault_names[k]) == 0)
            return (enum fault_kind)k;
    return FAULT_NONE;
}

const char *fault_kind_name(enum fault_kind k)
{
    return (k >= 0 && k < FAULT_KIND_COUNT) ? fault_names[k] : "none";
}

static void fault_defaults(struct fault *f)
{
    memset(f, 0, sizeof *f);
    strcpy(f->command, "*");
    f->rate = 1.0;
    f->ms = 1000;
    f->bytes = 16ul << 20;
    f->depth = FAULT_DEPTH_DEFAULT;
    f->count = -1;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int fault_check(struct fault *f, const char **why)
{
    if (f->kind == FAULT_NONE) {
        *why = "missing or unknown fault kind";
        return -1;
    }
    if (!(f->rate > 0.0 && f->rate <= 1.0)) {
        *why = "rate must be in (0, 1]";
        return -1;
    }
    return 0;
}

int fault_parse_spec(const char *spec, struct fault *out, const char **why)
{
    fault_defaults(out);
    char *copy = strdup(spec), *save = NULL;
    if (!copy) {
        *why = "out of memory";
        return -1;
    }
    int rc = -1;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            *why = "expected key=value";
            goto out;
        }
        *eq++ = '\0';
        unsigned long v;
        if (strcmp(tok, "kind") == 0) {
            out->kind = fault_kind_parse(eq);
        } else if (strcmp(tok, "cmd") == 0 || strcmp(tok, "command") == 0) {
            if (strlen(eq) >= sizeof out->command || !*eq) {
                *why = "bad command";
                goto out;
            }
            strcpy(out->command, eq);
        } else if (strcmp(tok, "rate") == 0) {
            char *end;
            out->rate = strtod(eq, &end);
            if (*end || end == eq) {
                *why = "bad rate";
                goto out;
            }
        } else if (strcmp(tok, "ms") == 0 && parse_ulong(eq, 3600000, &v) == 0) {
            out->ms = (unsigned)v;
        } else if (strcmp(tok, "bytes") == 0 && parse_ulong(eq, 1ul << 30, &v) == 0) {
            out->bytes = v;
        } else if (strcmp(tok, "depth") == 0 && parse_ulong(eq, FAULT_DEPTH_MAX, &v) == 0) {
            out->depth = (unsigned)v;
        } else if (strcmp(tok, "count") == 0 && parse_ulong(eq, 1ul << 30, &v) == 0) {
            out->count = (long)v;
        } else {
            *why = "unknown key or bad value";
            goto out;
        }
    }
    rc = fault_check(out, why);
out:
    free(copy);
    return rc;
}

int fault_parse_json(json_t *obj, struct fault *out, const char **why)
{
    fault_defaults(out);
    if (!json_is_object(obj)) {
        *why = "params must be an object";
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "kind") == 0 && json_is_string(v)) {
            out->kind = fault_kind_parse(json_string_value(v));
        } else if (strcmp(key, "command") == 0 && json_is_string(v) &&
                   json_string_length(v) > 0 && json_string_length(v) < sizeof out->command) {
            strcpy(out->command, json_string_value(v));
        } else if (strcmp(key, "rate") == 0 && json_is_number(v)) {
            out->rate = json_number_value(v);
        } else if (strcmp(key, "ms") == 0 && json_is_integer(v) && json_integer_value(v) >= 0 &&
                   json_integer_value(v) <= 3600000) {
            out->ms = (unsigned)json_integer_value(v);
        } else if (strcmp(key, "bytes") == 0 && json_is_integer(v) &&
                   json_integer_value(v) >= 0 && json_integer_value(v) <= (1 << 30)) {
            out->bytes = (unsigned long)json_integer_value(v);
        } else if (strcmp(key, "depth") == 0 && json_is_integer(v) && json_integer_value(v) >= 0 &&
                   json_integer_value(v) <= FAULT_DEPTH_MAX) {
            out->depth = (unsigned)json_integer_value(v);
        } else if (strcmp(key, "count") == 0 && json_is_integer(v) &&
                   json_integer_value(v) >= -1 && json_integer_value(v) <= (1 << 30)) {
            out->count = (long)json_integer_value(v);
        } else {
            *why = "unknown key or bad value";
            return -1;
        }
    }
    return fault_check(out, why);
}

int faults_add(const struct fault *f)
{
    pthread_mutex_lock(&faults_lock);
    int rc = -1;
    if (faults_n < FAULTS_MAX) {
        faults_tab[faults_n] = *f;
        faults_tab[faults_n++].until_ms = sim_now_ms() + f->ms;
        rc = 0;
    }
    pthread_mutex_unlock(&faults_lock);
    return rc;
}

void faults_clear(enum fault_kind kind)
{
    pthread_mutex_lock(&faults_lock);
    size_t j = 0;
    for (size_t i = 0; i < faults_n; i++)
        if (kind != FAULT_NONE && faults_tab[i].kind != kind)
            faults_tab[j++] = faults_tab[i];
    faults_n = j;
    pthread_mutex_unlock(&faults_lock);
}

/* xorshift64*: a fixed seed keeps runs repeatable */
static double faults_dice(void)
{
    faults_rng ^= faults_rng >> 12;
    faults_rng ^= faults_rng << 25;
    faults_rng ^= faults_rng >> 27;
    return (double)((faults_rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static bool fault_matches(const struct fault *f, const char *command, const char *method)
{
    if (strcmp(f->command, "*") == 0)
        return true;
    return (command && strcmp(f->command, command) == 0) ||
           (method && strcmp(f->command, method) == 0);
}

bool faults_pick(const char *command, const char *method, struct fault *out)
{
    bool hit = false;
    pthread_mutex_lock(&faults_lock);
    for (size_t i = 0; i < faults_n && !hit; i++) {
        struct fault *f = &faults_tab[i];
        if (f->kind == FAULT_REFUSE || f->count == 0 || !fault_matches(f, command, method))
            continue;
        if (f->rate < 1.0 && faults_dice() >= f->rate)
            continue;
        if (f->count > 0)
            f->count--;
        *out = *f;
        hit = true;
    }
    pthread_mutex_unlock(&faults_lock);
    return hit;
}

bool faults_refusing(void)
{
    bool r = false;
    pthread_mutex_lock(&faults_lock);
    for (size_t i = 0; i < faults_n; i++)
        if (faults_tab[i].kind == FAULT_REFUSE && sim_now_ms() < faults_tab[i].until_ms)
            r = true;
    pthread_mutex_unlock(&faults_lock);
    return r;
}

json_t *faults_to_json(void)
{
    json_t *a = json_array();
    pthread_mutex_lock(&faults_lock);
    for (size_t i = 0; a && i < faults_n; i++) {
        const struct fault *f = &faults_tab[i];
        json_array_append_new(a, json_pack("{s:s,s:s,s:f,s:I,s:I,s:I,s:I}", "kind",
                                           fault_names[f->kind], "command", f->command, "rate",
                                           f->rate, "ms", (json_int_t)f->ms, "bytes",
                                           (json_int_t)f->bytes, "depth", (json_int_t)f->depth,
                                           "count", (json_int_t)f->count));
    }
    pthread_mutex_unlock(&faults_lock);
    return a;
}
