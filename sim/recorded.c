/* recorded: the replies OpenSIPS gave in the recordings, served for commands without a model. */
#include "recorded.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "naming.h"

#define REC_PREFIX "{\"jsonrpc\":\"2.0\","

char *recorded_key(const char *cmd, json_t *params)
{
    char *p = NULL;
    if (params && !(json_is_object(params) && json_object_size(params) == 0) &&
        !(json_is_array(params) && json_array_size(params) == 0))
        p = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    struct buf b;
    buf_init(&b, 1u << 20);
    buf_addf(&b, "%s\x1f%s", cmd, p ? p : "");
    free(p);
    return buf_take(&b, NULL);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, 64u << 20);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (buf_add(&b, tmp, n) < 0) {
            buf_release(&b);
            fclose(f);
            return NULL;
        }
    }
    fclose(f);
    return buf_take(&b, len);
}

static int seq_cmp(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "seq"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "seq"));
    return (x > y) - (x < y);
}

/* One index entry -> one reply; 1 added, 0 skipped, -1 out of memory. */
static int recorded_add(struct recorded *rec, const char *dir, json_t *e,
                        const struct catalogue *cat)
{
    const char *file = json_string_value(json_object_get(e, "file"));
    const char *req = json_string_value(json_object_get(e, "request"));
    if (!file || !req)
        return 0;
    json_t *rq = json_loads(req, JSON_DISABLE_EOF_CHECK, NULL);
    const char *method = json_string_value(json_object_get(rq, "method"));
    const struct cat_cmd *cmd = NULL;
    if (!method || !json_object_get(rq, "id") ||
        naming_resolve(cat, method, &cmd, NULL) != NAMING_FOUND) {
        json_decref(rq);
        return 0;
    }
    int rc = 0;
    char *path = NULL, *body = NULL;
    struct recorded_reply r = {0};
    json_t *status = json_object_get(e, "http_status");
    const char *ctype = json_string_value(json_object_get(e, "request_content_type"));
    json_t *ms = json_object_get(e, "ms_to_headers");
    if (!json_is_number(ms))
        ms = json_object_get(e, "elapsed_ms");
    if (json_is_number(ms) && json_number_value(ms) > 0 && json_number_value(ms) < 600000)
        r.ms = (unsigned)json_number_value(ms);
    if (json_is_null(status) && ctype && strncmp(ctype, "application/json", 16) == 0) {
        r.crash = true;
    } else {
        size_t len = 0;
        if (asprintf(&path, "%s/%s", dir, file) < 0) {
            path = NULL;
            rc = -1;
            goto out;
        }
        body = read_file(path, &len);
        size_t plen = strlen(REC_PREFIX);
        if (!body || len < plen + 8 || strncmp(body, REC_PREFIX, plen) != 0)
            goto out;
        char *idp = NULL;
        for (char *p = body + plen; (p = strstr(p, ",\"id\":")); p++)
            idp = p;
        if (!idp)
            goto out;
        r.member_len = (size_t)(idp - (body + plen));
        r.member = strndup(body + plen, r.member_len);
        r.is_error = strncmp(r.member, "\"error\"", 7) == 0;
        if (!r.member) {
            rc = -1;
            goto out;
        }
    }
    r.file = strdup(file);
    r.key = recorded_key(cmd->name, json_object_get(rq, "params"));
    if (!r.file || !r.key) {
        rc = -1;
        goto out;
    }
    /* the same request answered alike over another transport adds nothing */
    for (size_t i = 0; i < rec->n; i++) {
        struct recorded_reply *o = &rec->r[i];
        if (strcmp(o->key, r.key) == 0 && o->crash == r.crash && o->member_len == r.member_len &&
            (!o->member || memcmp(o->member, r.member, r.member_len) == 0))
            goto out;
    }
    rec->r[rec->n++] = r;
    memset(&r, 0, sizeof r);
    rc = 1;
out:
    free(r.file);
    free(r.key);
    free(r.member);
    free(path);
    free(body);
    json_decref(rq);
    return rc;
}

int recorded_load(struct recorded *rec, const char *dir, const struct catalogue *cat)
{
    memset(rec, 0, sizeof *rec);
    char *path = NULL;
    json_t **order = NULL;
    int rc = -1;
    if (asprintf(&path, "%s/index.json", dir) < 0)
        return -1;
    json_error_t jerr;
    json_t *idx = json_load_file(path, 0, &jerr);
    if (!json_is_array(idx)) {
        fprintf(stderr, "opensips-mi-sim: cannot load '%s': %s\n", path, jerr.text);
        goto out;
    }
    size_t n = json_array_size(idx);
    order = calloc(n ? n : 1, sizeof *order);
    rec->r = calloc(n ? n : 1, sizeof *rec->r);
    rec->cursor = calloc(n ? n : 1, sizeof *rec->cursor);
    if (!order || !rec->r || !rec->cursor)
        goto out;
    for (size_t i = 0; i < n; i++)
        order[i] = json_array_get(idx, i);
    if (n && json_object_get(order[0], "seq"))
        qsort(order, n, sizeof *order, seq_cmp);
    for (size_t i = 0; i < n; i++)
        if (recorded_add(rec, dir, order[i], cat) < 0)
            goto out;
    rc = 0;
out:
    free(order);
    free(path);
    json_decref(idx);
    if (rc < 0)
        recorded_release(rec);
    return rc;
}

void recorded_release(struct recorded *rec)
{
    for (size_t i = 0; i < rec->n; i++) {
        free(rec->r[i].file);
        free(rec->r[i].key);
        free(rec->r[i].member);
    }
    free(rec->r);
    free(rec->cursor);
    memset(rec, 0, sizeof *rec);
}

const struct recorded_reply *recorded_next(struct recorded *rec, const char *key)
{
    size_t first = rec->n;
    for (size_t i = 0; i < rec->n; i++) {
        if (strcmp(rec->r[i].key, key) == 0) {
            first = i;
            break;
        }
    }
    if (first == rec->n)
        return NULL;
    size_t want = rec->cursor[first], seen = 0, last = first;
    for (size_t i = first; i < rec->n; i++) {
        if (strcmp(rec->r[i].key, key) != 0)
            continue;
        last = i;
        if (seen++ == want) {
            rec->cursor[first]++;
            return &rec->r[i];
        }
    }
    return &rec->r[last];
}

const struct recorded_reply *recorded_any(const struct recorded *rec, const char *cmd)
{
    size_t l = strlen(cmd);
    const struct recorded_reply *err = NULL;
    for (size_t i = 0; i < rec->n; i++) {
        const struct recorded_reply *r = &rec->r[i];
        if (strncmp(r->key, cmd, l) != 0 || r->key[l] != '\x1f' || r->crash)
            continue;
        if (!r->is_error)
            return r;
        if (!err)
            err = r;
    }
    return err;
}

void recorded_rewind(struct recorded *rec)
{
    memset(rec->cursor, 0, (rec->n ? rec->n : 1) * sizeof *rec->cursor);
}

json_t *recorded_result(const char *file, const char *key)
{
    char path[4096];
    json_t *doc, *r;

    snprintf(path, sizeof path, "%s/http/%s", sim.rec_dir, file);
    doc = json_load_file(path, 0, NULL);
    r = json_object_get(doc, "result");
    if (key)
        r = json_object_get(r, key);
    r = r ? json_deep_copy(r) : NULL;
    json_decref(doc);
    if (!r)
        sim_log("no '%s' in '%s'", key ? key : "result", path);
    return r;
}
