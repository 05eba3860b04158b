/* homer/client: homer-app's REST API over libcurl (bound through dl/curl.h), its JWT kept per
 * process and renewed once on 401. */
#include "homer/client.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cancel.h"
#include "dl/curl.h"
#include "mi/transport.h"

/* tool_fail, answering the kind (a constant at every use). */
#define hfail(e, kind, ...) (tool_fail((e), (kind), __VA_ARGS__), (kind))

struct homer {
    char *url, *shown, *user, *password;
    unsigned timeout_ms;
    size_t max_reply;
    pthread_mutex_t lock; /* token and generation; held across a login, so logins are serial */
    char *token;
    unsigned long generation; /* bumped by every login: a 401 renews only the token it saw */
};

/* user:password@ taken out of a URL for showing it: "http://u:p@h:9080" -> "http://h:9080". */
static char *url_shown(const char *url)
{
    const char *scheme = strstr(url, "://"), *start = scheme ? scheme + 3 : url;
    const char *end = start + strcspn(start, "/?#"), *at = NULL;
    char *out;

    for (const char *p = start; p < end; p++)
        if (*p == '@')
            at = p;
    if (!at)
        return strdup(url);
    if (!(out = malloc(strlen(url) + 1)))
        return NULL;
    snprintf(out, strlen(url) + 1, "%.*s%s", (int)(start - url), url, at + 1);
    return out;
}

struct homer *homer_new(const struct homer_config *c)
{
    struct homer *h;
    size_t n;

    if (!c->url || !*c->url || !(h = calloc(1, sizeof(*h))))
        return NULL;
    h->url = strdup(c->url);
    /* the base without its trailing '/': paths start with one */
    for (n = h->url ? strlen(h->url) : 0; n && h->url[n - 1] == '/'; n--)
        h->url[n - 1] = '\0';
    h->shown = h->url ? url_shown(h->url) : NULL;
    h->user = strdup(c->user ? c->user : "");
    h->password = strdup(c->password ? c->password : "");
    h->timeout_ms = c->timeout_ms ? c->timeout_ms : 10000;
    h->max_reply = c->max_reply ? c->max_reply : (16u << 20);
    pthread_mutex_init(&h->lock, NULL);
    if (!h->url || !h->shown || !h->user || !h->password) {
        homer_free(h);
        return NULL;
    }
    return h;
}

void homer_free(struct homer *h)
{
    if (!h)
        return;
    if (h->password)
        memset(h->password, 0, strlen(h->password));
    free(h->url);
    free(h->shown);
    free(h->user);
    free(h->password);
    free(h->token);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

const char *homer_url_shown(const struct homer *h)
{
    return h->shown;
}

/* ---- one HTTP exchange ---- */

struct xfer {
    char *data;
    size_t len, cap, max;
    bool too_large, nomem;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;
    size_t add = size * n;

    if (x->len + add > x->max) {
        x->too_large = true;
        return 0;
    }
    if (x->len + add + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        while (cap < x->len + add + 1)
            cap *= 2;
        char *grown = realloc(x->data, cap);
        if (!grown) {
            x->nomem = true;
            return 0;
        }
        x->data = grown;
        x->cap = cap;
    }
    memcpy(x->data + x->len, p, add);
    x->len += add;
    x->data[x->len] = '\0';
    return add;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)arg, (void)a, (void)b, (void)c, (void)d;
    return cancel_bound_fired() ? 1 : 0;
}

/* method path [body] with the bearer token when given: the status in *status and the body in
 * *x, or a failure of the exchange itself in *e. */
static enum tool_err exchange(struct homer *h, const char *path, const char *body,
                              const char *token, long *status, struct xfer *x,
                              struct tool_error *e)
{
    char url[HOMER_URL_MAX + 256], auth[4096];
    struct curl_slist *hdrs = NULL, *l;
    enum tool_err rc = TOOL_OK;
    CURLcode cc;
    CURL *c = NULL;

    *status = 0;
    if (mi_transport_global_init() < 0)
        return hfail(e, TOOL_E_SYSTEM, "homer_curl", 0, "cannot call Homer: libcurl is not "
                         "available");
    if ((size_t)snprintf(url, sizeof(url), "%s%s", h->url, path) >= sizeof(url))
        return hfail(e, TOOL_E_CONFIG, NULL, 0, "the Homer address is too long");
    if (token && (size_t)snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token) >=
                     sizeof(auth))
        return hfail(e, TOOL_E_GARBAGE, NULL, 0, "Homer gave a token too long to send");
    if (!(c = curl_easy_init()) || !(l = curl_slist_append(NULL, "Content-Type: application/json")))
        goto nomem;
    hdrs = l;
    if (!(l = curl_slist_append(hdrs, "Expect:")) || !(hdrs = l) ||
        (token && (!(l = curl_slist_append(hdrs, auth)) || !(hdrs = l))))
        goto nomem;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)h->timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    if (h->max_reply < (size_t)0x7fffffff)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)h->max_reply);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    /* wipe the token out of the header buffer once the list holds its copy */
    memset(auth, 0, sizeof(auth));
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (x->too_large || cc == CURLE_FILESIZE_EXCEEDED)
        rc = hfail(e, TOOL_E_TOO_LARGE, "homer_too_large", 0, "Homer's answer passed the "
                       "limit of %zu bytes (--homer-max-reply); narrow the time window or the "
                       "filters", h->max_reply);
    else if (x->nomem || cc == CURLE_OUT_OF_MEMORY)
        goto nomem;
    else if (cc == CURLE_OK)
        rc = TOOL_OK;
    else if (cc == CURLE_ABORTED_BY_CALLBACK)
        rc = hfail(e, TOOL_E_CANCELLED, NULL, 0, "stopped waiting for Homer at %s",
                       h->shown);
    else if (cc == CURLE_OPERATION_TIMEDOUT)
        rc = hfail(e, TOOL_E_TIMEOUT, "homer_timeout", 0, "no complete answer from Homer at "
                       "%s within %u ms (--homer-timeout-ms)", h->shown, h->timeout_ms);
    else if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
             cc == CURLE_GOT_NOTHING || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR)
        rc = hfail(e, TOOL_E_UNREACHABLE, "homer_unreachable", 0, "cannot reach Homer at "
                       "%s: %s; is homer-app running there (--homer-url)?", h->shown,
                       curl_easy_strerror(cc));
    else
        rc = hfail(e, TOOL_E_GARBAGE, "homer_http", 0, "HTTP exchange with Homer at %s "
                       "failed: %s", h->shown, curl_easy_strerror(cc));
    goto out;
nomem:
    rc = hfail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory calling Homer");
out:
    curl_slist_free_all(hdrs);
    if (c)
        curl_easy_cleanup(c);
    return rc;
}

/* homer-app's own sentence from an error body ({"message": ...}), or "". */
static const char *said(const struct xfer *x, char *buf, size_t n)
{
    json_t *doc = x->data ? json_loads(x->data, 0, NULL) : NULL;
    const char *m = json_string_value(json_object_get(doc, "message"));

    snprintf(buf, n, "%s%.200s%s", m ? " (\"" : "", m ? m : "", m ? "\")" : "");
    json_decref(doc);
    return buf;
}

/* POST /api/v3/auth; on success the new token replaces the old one. Called with h->lock held. */
static enum tool_err login(struct homer *h, struct tool_error *e)
{
    json_t *req = json_pack("{s:s, s:s}", "username", h->user, "password", h->password), *doc;
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL, msg[256];
    struct xfer x = {.max = 64 * 1024};
    const char *token;
    enum tool_err rc;
    long status;

    json_decref(req);
    if (!text)
        return hfail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
    rc = exchange(h, "/api/v3/auth", text, NULL, &status, &x, e);
    memset(text, 0, strlen(text));
    free(text);
    if (rc != TOOL_OK)
        goto out;
    if (status == 401 || status == 403) {
        rc = hfail(e, TOOL_E_CONFIG, "homer_auth", (int)status, "Homer at %s refused user "
                       "'%s': wrong user or password (HTTP %ld%s); check --homer-user and "
                       "OPENSIPS_MCP_HOMER_PASSWORD", h->shown, h->user, status,
                       said(&x, msg, sizeof(msg)));
        goto out;
    }
    if (status != 201 && status != 200) {
        rc = hfail(e, status == 404 ? TOOL_E_CONFIG : TOOL_E_REFUSED, "homer_login", (int)status,
                       "Homer login at %s/api/v3/auth answered HTTP %ld%s; is --homer-url the "
                       "homer-app address (with its api_prefix)?", h->shown, status,
                       said(&x, msg, sizeof(msg)));
        goto out;
    }
    doc = x.data ? json_loads(x.data, 0, NULL) : NULL;
    if (!(token = json_string_value(json_object_get(doc, "token"))) || !*token) {
        json_decref(doc);
        rc = hfail(e, TOOL_E_GARBAGE, "homer_login", (int)status, "Homer's login answer "
                       "at %s holds no token", h->shown);
        goto out;
    }
    free(h->token);
    h->token = strdup(token);
    h->generation++;
    json_decref(doc);
    rc = h->token ? TOOL_OK : hfail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
out:
    free(x.data);
    return rc;
}

/* The token to send (a copy) and its generation, logging in first when there is none or when
 * `stale` is the generation of a token Homer refused. */
static enum tool_err token_get(struct homer *h, unsigned long stale, bool renew, char **token,
                               unsigned long *gen, struct tool_error *e)
{
    enum tool_err rc = TOOL_OK;

    pthread_mutex_lock(&h->lock);
    if (!h->token || (renew && h->generation == stale))
        rc = login(h, e);
    if (rc == TOOL_OK && !(*token = strdup(h->token)))
        rc = hfail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
    *gen = h->generation;
    pthread_mutex_unlock(&h->lock);
    return rc;
}

/* An authenticated exchange: the token, and on 401 a fresh login and one retry. */
static enum tool_err call_auth(struct homer *h, const char *path, const char *body,
                               long *status, struct xfer *x, struct tool_error *e)
{
    unsigned long gen = 0;
    char *token = NULL;
    enum tool_err rc;

    for (int attempt = 0; attempt < 2; attempt++) {
        if ((rc = token_get(h, gen, attempt > 0, &token, &gen, e)) != TOOL_OK)
            return rc;
        free(x->data);
        *x = (struct xfer){.max = x->max};
        rc = exchange(h, path, body, token, status, x, e);
        memset(token, 0, strlen(token));
        free(token);
        token = NULL;
        if (rc != TOOL_OK || *status != 401)
            return rc;
    }
    return hfail(e, TOOL_E_CONFIG, "homer_auth", 401, "Homer at %s refused the token it had "
                     "just issued for user '%s' (HTTP 401 after a fresh login); check the user's "
                     "rights and homer-app's jwt_secret", h->shown, h->user);
}

/* The failure for an unexpected status of an authenticated call. */
static enum tool_err status_error(const char *path, long status,
                                  const struct xfer *x, struct tool_error *e)
{
    char msg[256];

    said(x, msg, sizeof(msg));
    if (status == 500)
        return hfail(e, TOOL_E_REFUSED, "homer_500", 500, "Homer answered %s with HTTP 500%s: "
                         "homer-app fails so when param.search has the wrong shape for the "
                         "endpoint (a filter array for /search/call/data, {\"callid\": [...]} for "
                         "/call/transaction and the exports)", path, msg);
    if (status == 503)
        return hfail(e, TOOL_E_UNREACHABLE, "homer_db", 503, "Homer answered %s with HTTP 503%s: "
                         "its data database is unavailable", path, msg);
    return hfail(e, status == 404 ? TOOL_E_UNSUPPORTED : TOOL_E_REFUSED, "homer_status",
                     (int)status, "Homer answered %s with HTTP %ld%s", path, status, msg);
}

static char *body_text(const json_t *body, struct tool_error *e)
{
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text)
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
    return text;
}

enum tool_err homer_post_json(struct homer *h, const char *path, const json_t *body, int want,
                              json_t **reply, struct tool_error *e)
{
    struct xfer x = {.max = h->max_reply};
    char *text = body_text(body, e);
    enum tool_err rc;
    json_error_t je;
    long status;

    *reply = NULL;
    if (!text)
        return TOOL_E_SYSTEM;
    rc = call_auth(h, path, text, &status, &x, e);
    free(text);
    if (rc == TOOL_OK && status != want)
        rc = status_error(path, status, &x, e);
    else if (rc == TOOL_OK && !(*reply = x.data ? json_loadb(x.data, x.len, 0, &je) : NULL))
        rc = hfail(e, TOOL_E_GARBAGE, "homer_garbage", (int)status, "Homer's answer to %s is "
                       "not JSON%s%s", path, x.data ? ": " : "", x.data ? je.text : "");
    free(x.data);
    return rc;
}

enum tool_err homer_post_bytes(struct homer *h, const char *path, const json_t *body,
                               char **data, size_t *len, struct tool_error *e)
{
    struct xfer x = {.max = h->max_reply};
    char *text = body_text(body, e);
    enum tool_err rc;
    long status;

    *data = NULL;
    *len = 0;
    if (!text)
        return TOOL_E_SYSTEM;
    rc = call_auth(h, path, text, &status, &x, e);
    free(text);
    if (rc == TOOL_OK && status != 200)
        rc = status_error(path, status, &x, e);
    if (rc == TOOL_OK) {
        *data = x.data ? x.data : calloc(1, 1);
        *len = x.len;
        return *data ? TOOL_OK : hfail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
    }
    free(x.data);
    return rc;
}

enum tool_err homer_get(struct homer *h, const char *path, bool auth, long *status,
                        json_t **reply, struct tool_error *e)
{
    struct xfer x = {.max = h->max_reply};
    enum tool_err rc;

    if (reply)
        *reply = NULL;
    rc = auth ? call_auth(h, path, NULL, status, &x, e)
              : exchange(h, path, NULL, NULL, status, &x, e);
    if (rc == TOOL_OK && auth && *status != 200)
        rc = status_error(path, *status, &x, e);
    if (rc == TOOL_OK && reply && x.data)
        *reply = json_loadb(x.data, x.len, 0, NULL);
    free(x.data);
    return rc;
}

/* ---- times ---- */

/* Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* n digits at *p into *v, moving *p on; false when they are not all digits. */
static bool digits(const char **p, int n, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return false;
        *v = *v * 10 + (unsigned)(**p - '0');
    }
    return true;
}

static int iso_ms(const char *s, long long *ms)
{
    unsigned y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, oh, om;
    const char *p = s;
    long long off = 0;
    int scale = 100;

    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || h > 23 || mi > 59)
            return -1;
        if (*p == ':' && (p++, !digits(&p, 2, &sec) || sec > 60))
            return -1;
        if (*p == '.' || *p == ',') {
            if (*++p < '0' || *p > '9')
                return -1;
            for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
                frac += scale ? (unsigned)(*p - '0') * (unsigned)scale : 0;
        }
    }
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        if (!digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (!digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = sign * ((long long)oh * 3600 + om * 60);
    }
    if (*p)
        return -1;
    *ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000 + frac;
    return 0;
}

int homer_time_ms(const json_t *v, const char *name, long long *ms, char *err, size_t errlen)
{
    const char *s = json_string_value(v);
    long long x = 0;

    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *ms = json_integer_value(v);
        return 0;
    }
    if (s && *s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 15) {
        for (; *s; s++)
            x = x * 10 + (*s - '0');
        *ms = x;
        return 0;
    }
    if (s && iso_ms(s, &x) == 0 && x >= 0) {
        *ms = x;
        return 0;
    }
    snprintf(err, errlen, "'%s' is not a time: pass Unix milliseconds (1764583200000) or "
             "ISO-8601 (2026-12-01T10:00:00Z), not '%.64s'", name, s ? s : "a non-string");
    return -1;
}

/* ---- request bodies ---- */

json_t *homer_search_body(long long from_ms, long long to_ms, const json_t *filters,
                          unsigned rows, const json_t *nodes)
{
    json_t *arr = json_array(), *v;
    const char *k;
    char limit[16];

    json_object_foreach((json_t *)filters, k, v)
        if (json_is_string(v))
            json_array_append_new(arr, json_pack("{s:s, s:O, s:s, s:i}", "name", k, "value", v,
                                                 "type", "string", "hepid", 1));
    snprintf(limit, sizeof(limit), "%u", rows);
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:i}", "name", "limit", "value", limit,
                                         "type", "string", "hepid", 1));
    return json_pack("{s:{s:I, s:I}, s:{s:{s:o}, s:{s:o}}}", "timestamp", "from",
                     (json_int_t)from_ms, "to", (json_int_t)to_ms, "param", "search", "1_call",
                     arr, "location", "node", nodes ? json_deep_copy(nodes) : json_array());
}

json_t *homer_transaction_body(long long from_ms, long long to_ms, const json_t *callids)
{
    return json_pack("{s:{s:I, s:I}, s:{s:{s:{s:O}}, s:{s:[]}, s:[]}}", "timestamp", "from",
                     (json_int_t)from_ms, "to", (json_int_t)to_ms, "param", "search", "1_call",
                     "callid", callids, "location", "node", "whitelist");
}

/* ---- reading answers ---- */

static long long num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (long long)json_real_value(v);
    if (json_is_string(v))
        return strtoll(json_string_value(v), NULL, 10);
    return 0;
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_t *endpoint(const json_t *row, const char *ip, const char *port)
{
    return json_sprintf("%s:%lld", str(row, ip), num(row, port));
}

json_t *homer_message_of(const json_t *row)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)num(row, "id"), "t_ms", (json_int_t)num(row, "create_date"),
                     "callid", str(row, "sid"), "method", str(row, "method"), "src",
                     endpoint(row, "srcIp", "srcPort"), "dst", endpoint(row, "dstIp", "dstPort"),
                     "cseq", str(row, "cseq"), "from_user", str(row, "from_user"), "to_user",
                     str(row, "to_user"), "ruri_user", str(row, "ruri_user"), "user_agent",
                     str(row, "user_agent"), "node", str(row, "node"));
}

/* Add s to the array set a when it is not there yet. */
static void add_once(json_t *a, const char *s)
{
    size_t i;
    json_t *v;

    if (!*s)
        return;
    json_array_foreach(a, i, v)
        if (!strcmp(json_string_value(v), s))
            return;
    json_array_append_new(a, json_string(s));
}

json_t *homer_calls_of(const json_t *reply)
{
    const json_t *data = json_object_get(reply, "data"), *row;
    json_t *calls = json_array(), *index = json_object();
    size_t i;

    json_array_foreach(data, i, row) {
        const char *sid = str(row, "sid");
        long long t = num(row, "create_date");
        json_t *c = json_object_get(index, sid);
        if (!*sid)
            continue;
        if (!c) {
            c = json_pack("{s:s, s:I, s:I, s:i, s:[], s:s, s:s, s:s, s:o, s:o, s:[]}", "callid",
                          sid, "first_ms", (json_int_t)t, "last_ms", (json_int_t)t, "messages", 0,
                          "methods", "from_user", str(row, "from_user"), "to_user",
                          str(row, "to_user"), "ruri_user", str(row, "ruri_user"), "src",
                          endpoint(row, "srcIp", "srcPort"), "dst",
                          endpoint(row, "dstIp", "dstPort"), "nodes");
            if (!c)
                continue;
            json_object_set_new(index, sid, c);
            json_array_append(calls, c);
        }
        if (t < num(c, "first_ms"))
            json_object_set_new(c, "first_ms", json_integer(t));
        if (t > num(c, "last_ms"))
            json_object_set_new(c, "last_ms", json_integer(t));
        json_object_set_new(c, "messages", json_integer(num(c, "messages") + 1));
        add_once(json_object_get(c, "methods"), str(row, "method"));
        add_once(json_object_get(c, "nodes"), str(row, "node"));
    }
    json_decref(index);
    return calls;
}

static int by_time(const void *a, const void *b)
{
    long long x = num(*(json_t *const *)a, "t_ms"), y = num(*(json_t *const *)b, "t_ms");
    return x < y ? -1 : x > y;
}

json_t *homer_ladder_of(const json_t *reply, json_t **hosts)
{
    const json_t *data = json_object_get(reply, "data"), *cd = json_object_get(data, "calldata");
    const json_t *hs = json_object_get(data, "hosts"), *v;
    size_t n = json_array_size(cd), i, nh = json_object_size(hs);
    json_t **steps = calloc(n ? n : 1, sizeof(*steps)), *out = json_array();
    const char *k;

    *hosts = json_array();
    /* hosts in column order: {"ip:port": {"position": k}} */
    for (size_t pos = 0; pos < nh; pos++)
        json_object_foreach((json_t *)hs, k, v)
            if (num(v, "position") == (long long)pos)
                json_array_append_new(*hosts, json_string(k));
    if (!steps)
        return out;
    for (i = 0; i < n; i++) {
        const json_t *c = json_array_get(cd, i);
        steps[i] = json_pack("{s:I, s:s, s:s, s:s, s:s}", "t_ms",
                             (json_int_t)num(c, "create_date"), "callid", str(c, "sid"), "from",
                             str(c, "srcHost"), "to", str(c, "dstHost"), "method",
                             *str(c, "method_text") ? str(c, "method_text") : str(c, "method"));
    }
    qsort(steps, n, sizeof(*steps), by_time);
    for (i = 0; i < n; i++)
        json_array_append_new(out, steps[i]);
    free(steps);
    return out;
}

json_t *homer_related_of(const json_t *reply)
{
    const json_t *msgs = json_object_get(json_object_get(reply, "data"), "messages"), *m;
    json_t *out = json_array(), *index = json_object(), *r;
    size_t i;

    json_array_foreach(msgs, i, m) {
        const char *sid = str(m, "sid");
        long long t = num(m, "create_date");
        if (!*sid)
            continue;
        if (!(r = json_object_get(index, sid))) {
            if (!(r = json_pack("{s:s, s:i, s:I, s:I}", "callid", sid, "messages", 0, "first_ms",
                                (json_int_t)t, "last_ms", (json_int_t)t)))
                continue;
            json_object_set_new(index, sid, r);
            json_array_append(out, r);
        }
        json_object_set_new(r, "messages", json_integer(num(r, "messages") + 1));
        if (t < num(r, "first_ms"))
            json_object_set_new(r, "first_ms", json_integer(t));
        if (t > num(r, "last_ms"))
            json_object_set_new(r, "last_ms", json_integer(t));
    }
    json_decref(index);
    return out;
}

/* ---- PCAP ---- */

static uint32_t u32(const unsigned char *p, bool swap)
{
    return swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

long long homer_pcap_records(const char *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    long long n = 0;
    bool swap;
    size_t at;

    if (len < 24)
        return -1;
    uint32_t magic = u32(p, false);
    if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
        swap = false;
    else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
        swap = true;
    else
        return -1;
    for (at = 24; at < len; n++) {
        if (len - at < 16)
            return -1;
        uint32_t incl = u32(p + at + 8, swap);
        if (incl > len - at - 16)
            return -1;
        at += 16 + incl;
    }
    return n;
}
