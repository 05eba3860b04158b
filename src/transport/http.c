/* http: Streamable HTTP sessions, SSE streams and the request checks in front of them. */
#include "transport/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "dl/mhd.h"
#include "jsonrpc.h"
#include "log.h"
#include "strparse.h"

static const char *const supported_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                 "2024-11-05"};

/* ---- SSE streams: a queue of messages that the connection's thread drains ---- */

struct line {
    struct line *next;
    size_t len;
    char data[];
};

struct stream {
    struct mcp_out out;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    struct line *head, *tail;
    size_t queued;          /* lines ever queued */
    bool final;             /* the request is over: end the stream once drained */
    bool gone;              /* the client went away or the response was never sent */
    bool primed;
    bool keepalive;         /* a GET stream: send comments while idle */
    int refs;               /* the session side (until final) and the HTTP response */
    unsigned long no, next_event;
    char *pending;          /* the event being written */
    size_t pending_len, pending_off;
};

static atomic_bool stopping;
static atomic_ulong stream_counter;

static void stream_unref(struct stream *st)
{
    bool last;

    pthread_mutex_lock(&st->lock);
    last = --st->refs == 0;
    pthread_mutex_unlock(&st->lock);
    if (!last)
        return;
    while (st->head) {
        struct line *l = st->head;
        st->head = l->next;
        free(l);
    }
    free(st->pending);
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static void stream_send(struct mcp_out *out, const char *text, size_t len, bool final)
{
    struct stream *st = out->ctx;
    struct line *l = NULL;

    if (text && (l = malloc(sizeof(*l) + len + 1))) {
        l->next = NULL;
        l->len = len;
        memcpy(l->data, text, len);
        l->data[len] = '\0';
    }
    pthread_mutex_lock(&st->lock);
    if (l && !st->gone) {
        if (st->tail)
            st->tail->next = l;
        else
            st->head = l;
        st->tail = l;
        st->queued++;
        l = NULL;
    }
    if (final)
        st->final = true;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->lock);
    free(l);
    if (final)
        stream_unref(st); /* the session is done with it */
}

static struct stream *stream_new(bool keepalive)
{
    struct stream *st = calloc(1, sizeof(*st));
    pthread_condattr_t attr;

    if (!st)
        return NULL;
    st->out.send = stream_send;
    st->out.ctx = st;
    st->refs = 2;
    st->keepalive = keepalive;
    st->no = atomic_fetch_add(&stream_counter, 1) + 1;
    pthread_mutex_init(&st->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&st->cv, &attr);
    pthread_condattr_destroy(&attr);
    return st;
}

/* Event ids say which stream they belong to (SHOULD, §Resumability): "<stream>-<n>". */
static void stream_format(struct stream *st, const char *data, size_t len)
{
    free(st->pending);
    st->pending_off = 0;
    if (asprintf(&st->pending, "id: %lu-%lu\ndata: %.*s\n\n", st->no, st->next_event++,
                 (int)len, data) < 0) {
        st->pending = NULL;
        st->pending_len = 0;
        return;
    }
    st->pending_len = strlen(st->pending);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    ssize_t n = 0;
    (void)pos;

    pthread_mutex_lock(&st->lock);
    for (;;) {
        if (st->pending && st->pending_off < st->pending_len) {
            size_t left = st->pending_len - st->pending_off;
            n = (ssize_t)(left < max ? left : max);
            memcpy(buf, st->pending + st->pending_off, (size_t)n);
            st->pending_off += (size_t)n;
            break;
        }
        if (!st->primed) {
            /* The priming event: an id and empty data, before anything else (SEP-1699). */
            st->primed = true;
            stream_format(st, "", 0);
            continue;
        }
        if (st->head) {
            struct line *l = st->head;
            st->head = l->next;
            if (!st->head)
                st->tail = NULL;
            stream_format(st, l->data, l->len);
            free(l);
            continue;
        }
        if (st->final || atomic_load(&stopping)) {
            n = MHD_CONTENT_READER_END_OF_STREAM;
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += st->keepalive ? 15 : 1;
        if (pthread_cond_timedwait(&st->cv, &st->lock, &ts) == ETIMEDOUT && st->keepalive) {
            /* A comment keeps proxies from timing out and finds vanished clients. */
            free(st->pending);
            st->pending = strdup(":\n\n");
            st->pending_len = st->pending ? 3 : 0;
            st->pending_off = 0;
        }
    }
    pthread_mutex_unlock(&st->lock);
    return n;
}

static void stream_response_done(void *cls)
{
    struct stream *st = cls;

    pthread_mutex_lock(&st->lock);
    st->gone = true;
    pthread_mutex_unlock(&st->lock);
    stream_unref(st);
}

/* ---- sessions ---- */

struct http_session {
    char id[33];
    char principal[64];        /* the session belongs to whoever created it */
    struct mcp_session *mcp;
    struct mcp_out notify;     /* forwards to get_stream */
    pthread_mutex_t lock;
    struct stream *get_stream; /* the open GET stream, if any */
    time_t last_used;
    int refs;
    struct http_session *next;
};

struct http_server {
    struct mcp_server *mcp;
    const struct settings *settings;
    pthread_mutex_t lock;
    struct http_session *sessions;
    unsigned nsessions;
    bool loopback;
    char listen_port[8];
};

static void notify_send(struct mcp_out *out, const char *text, size_t len, bool final)
{
    struct http_session *hs = out->ctx;
    struct stream *st;

    (void)final;
    pthread_mutex_lock(&hs->lock);
    st = hs->get_stream;
    if (st) {
        pthread_mutex_lock(&st->lock);
        st->refs++;
        pthread_mutex_unlock(&st->lock);
    }
    pthread_mutex_unlock(&hs->lock);
    if (!st)
        return; /* no GET stream open: the message has nowhere to go (§Listening) */
    stream_send(&st->out, text, len, false);
    stream_unref(st);
}

static void session_unref(struct http_session *hs)
{
    bool last;

    pthread_mutex_lock(&hs->lock);
    last = --hs->refs == 0;
    pthread_mutex_unlock(&hs->lock);
    if (last) {
        pthread_mutex_destroy(&hs->lock);
        free(hs);
    }
}

/* End a session that is already out of the table. */
static void session_end(struct http_session *hs)
{
    struct stream *st;

    mcp_session_close(hs->mcp);
    pthread_mutex_lock(&hs->lock);
    st = hs->get_stream;
    hs->get_stream = NULL;
    pthread_mutex_unlock(&hs->lock);
    if (st) {
        stream_send(&st->out, NULL, 0, true); /* ends the GET stream, drops our ref */
    }
    session_unref(hs);
}

static void expire_idle(struct http_server *hsrv)
{
    time_t now = time(NULL);
    struct http_session *expired = NULL;

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session **pp = &hsrv->sessions; *pp;) {
        struct http_session *hs = *pp;
        if (now - hs->last_used > (time_t)hsrv->settings->session_idle_s && hs->refs == 1) {
            *pp = hs->next;
            hsrv->nsessions--;
            hs->next = expired;
            expired = hs;
        } else {
            pp = &hs->next;
        }
    }
    pthread_mutex_unlock(&hsrv->lock);
    while (expired) {
        struct http_session *hs = expired;
        expired = hs->next;
        log_msg(LOG_INFO, "session expired after %u s idle", hsrv->settings->session_idle_s);
        session_end(hs);
    }
}

static struct http_session *session_create(struct http_server *hsrv)
{
    struct http_session *hs;
    unsigned char rnd[16];

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return NULL;
    hs = calloc(1, sizeof(*hs));
    if (!hs)
        return NULL;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hs->id + 2 * i, 3, "%02x", rnd[i]);
    pthread_mutex_init(&hs->lock, NULL);
    hs->notify.send = notify_send;
    hs->notify.ctx = hs;
    hs->refs = 2; /* the table's and the caller's */
    hs->last_used = time(NULL);
    hs->mcp = mcp_session_new(hsrv->mcp, &hs->notify);
    if (!hs->mcp) {
        pthread_mutex_destroy(&hs->lock);
        free(hs);
        return NULL;
    }
    pthread_mutex_lock(&hsrv->lock);
    hs->next = hsrv->sessions;
    hsrv->sessions = hs;
    hsrv->nsessions++;
    pthread_mutex_unlock(&hsrv->lock);
    return hs;
}

/* Find a session and take a reference, or NULL. `remove` takes it out of the table too. */
static struct http_session *session_find(struct http_server *hsrv, const char *id, bool remove)
{
    struct http_session *hs = NULL;

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session **pp = &hsrv->sessions; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->id, id)) {
            hs = *pp;
            if (remove) {
                *pp = hs->next;
                hsrv->nsessions--;
            } else {
                pthread_mutex_lock(&hs->lock);
                hs->refs++;
                pthread_mutex_unlock(&hs->lock);
                hs->last_used = time(NULL);
            }
            break;
        }
    }
    pthread_mutex_unlock(&hsrv->lock);
    return hs;
}

/* ---- requests ---- */

struct request {
    char *body;
    size_t len, cap;
    bool too_big;
    const struct token *token; /* NULL when no tokens are configured */
};

static enum MHD_Result reply_with(struct MHD_Connection *conn, unsigned status, const char *ctype,
                                  const char *body, const char *session_id, const char *authn)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(body ? strlen(body) : 0,
                                                             (void *)(body ? body : ""),
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc;

    if (!r)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (session_id)
        MHD_add_response_header(r, "Mcp-Session-Id", session_id);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, POST, DELETE");
    if (authn)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, authn);
    rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
                             const char *body, const char *session_id)
{
    return reply_with(conn, status, ctype, body, session_id, NULL);
}

/* An HTTP-level refusal with a JSON-RPC error body, as the SDKs send. */
static enum MHD_Result refuse_id(struct MHD_Connection *conn, unsigned status, json_t *id,
                                 int code, const char *message, const char *authn)
{
    json_t *e = jsonrpc_error_new(id, code, message, NULL);
    char *body = jsonrpc_dump(e);
    enum MHD_Result rc;

    json_decref(e);
    log_msg(LOG_DEBUG, "http %u: %s", status, message);
    rc = reply_with(conn, status, "application/json", body, NULL, authn);
    free(body);
    return rc;
}

static enum MHD_Result refuse_with(struct MHD_Connection *conn, unsigned status, int code,
                                   const char *message, const char *authn)
{
    return refuse_id(conn, status, NULL, code, message, authn);
}

static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status, int code,
                              const char *message)
{
    return refuse_with(conn, status, code, message, NULL);
}

/* Authenticate the request when tokens are configured: 401 (with WWW-Authenticate: Bearer) for
 * a missing or wrong token, 403 for a role that may do nothing at all. Returns true when the
 * request may go on; otherwise a refusal is queued and *rc says how that went. */
static bool authenticate(struct http_server *hsrv, struct MHD_Connection *conn,
                         struct request *req, enum MHD_Result *rc)
{
    const struct tokens *tokens = mcp_server_tokens(hsrv->mcp);
    const char *h;

    if (tokens->count == 0)
        return true;
    h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) || !h[7]) {
        *rc = refuse_with(conn, MHD_HTTP_UNAUTHORIZED, -32000,
                          "Unauthorized: send Authorization: Bearer <token>",
                          "Bearer realm=\"opensips-mcp\"");
        return false;
    }
    req->token = tokens_check(tokens, h + 7, strlen(h + 7));
    if (!req->token) {
        log_msg(LOG_NOTICE, "refused a request with an unknown bearer token");
        *rc = refuse_with(conn, MHD_HTTP_UNAUTHORIZED, -32000, "Unauthorized: unknown token",
                          "Bearer realm=\"opensips-mcp\", error=\"invalid_token\"");
        return false;
    }
    if (req->token->role->scopes == 0) {
        log_msg(LOG_NOTICE, "refused %s: role %s has no scopes", req->token->name,
                req->token->role->name);
        *rc = refuse_with(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: this token's role has no permissions on this server",
                          "Bearer realm=\"opensips-mcp\", error=\"insufficient_scope\"");
        return false;
    }
    return true;
}

static const char *principal_of(const struct request *req)
{
    return req->token ? req->token->name : "local";
}

static bool is_loopback_host(const char *host, size_t n)
{
    static const char *const names[] = {"localhost", "127.0.0.1", "[::1]"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t l = strlen(names[i]);
        if (n >= l && !strncasecmp(host, names[i], l) && (n == l || host[l] == ':'))
            return true;
    }
    return false;
}

static bool origin_allowed(const struct http_server *hsrv, const char *origin)
{
    const char *list = hsrv->settings->allowed_origins, *p;
    size_t olen = strlen(origin);

    /* http(s)://<loopback>[:port] is always the local user's own page or tool. */
    for (const char *scheme = "http://"; scheme; scheme = strcmp(scheme, "http://") ? NULL : "https://") {
        size_t sl = strlen(scheme);
        if (!strncasecmp(origin, scheme, sl) && is_loopback_host(origin + sl, olen - sl))
            return true;
    }
    for (p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && *p == ' ')
            p++, n--;
        if (n == olen && !strncasecmp(p, origin, n))
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

static bool accepts(struct MHD_Connection *conn, const char *type)
{
    const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    return accept && (strstr(accept, type) || strstr(accept, "*/*"));
}

static enum MHD_Result answer_stream(struct MHD_Connection *conn, struct stream *st,
                                     const char *session_id)
{
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
                                                               stream_read, st,
                                                               stream_response_done);
    enum MHD_Result rc;

    if (!r) {
        stream_response_done(st);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    if (session_id)
        MHD_add_response_header(r, "Mcp-Session-Id", session_id);
    rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result handle_post(struct http_server *hsrv, struct MHD_Connection *conn,
                                   struct request *req, const char *sid)
{
    struct jsonrpc_msg msg;
    struct http_session *hs = NULL;
    bool is_init;
    enum MHD_Result rc;
    struct stream *st;

    if (req->too_big)
        return refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, JSONRPC_INVALID_REQUEST,
                      "Invalid Request: body exceeds max-message-size");
    jsonrpc_parse(req->body ? req->body : "", req->len, &msg);
    if (msg.kind == JSONRPC_INVALID) {
        /* the id when it could be read (a request too deeply nested), else null */
        rc = refuse_id(conn, MHD_HTTP_BAD_REQUEST, msg.id, msg.code, msg.message, NULL);
        jsonrpc_msg_release(&msg);
        return rc;
    }
    is_init = msg.kind == JSONRPC_REQUEST && !strcmp(msg.method, "initialize");
    bool streams = msg.kind == JSONRPC_REQUEST && mcp_method_streams(msg.method);
    jsonrpc_msg_release(&msg);

    if (sid) {
        hs = session_find(hsrv, sid, false);
        if (!hs)
            return refuse(conn, MHD_HTTP_NOT_FOUND, -32001,
                          "Session not found: initialize a new session");
        if (strcmp(hs->principal, principal_of(req))) {
            session_unref(hs);
            return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: this session belongs to another principal");
        }
    } else if (is_init) {
        expire_idle(hsrv);
        if (hsrv->nsessions >= hsrv->settings->max_sessions)
            return refuse(conn, MHD_HTTP_SERVICE_UNAVAILABLE, -32000,
                          "Too many sessions (max-sessions); end unused ones with DELETE");
        hs = session_create(hsrv);
        if (!hs)
            return refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, JSONRPC_INTERNAL_ERROR,
                          "Internal error: cannot create a session");
        snprintf(hs->principal, sizeof(hs->principal), "%s", principal_of(req));
        if (req->token)
            mcp_session_set_principal(hs->mcp, req->token->name, req->token->role);
    } else {
        return refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                      "Bad Request: the Mcp-Session-Id header is required");
    }

    st = stream_new(false);
    if (!st) {
        session_unref(hs);
        return refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, JSONRPC_INTERNAL_ERROR,
                      "Internal error: out of memory");
    }
    if (mcp_session_handle(hs->mcp, req->body, req->len, &st->out) == MCP_NO_REPLY) {
        stream_send(&st->out, NULL, 0, true);
        stream_response_done(st);
        session_unref(hs);
        return reply(conn, MHD_HTTP_ACCEPTED, NULL, NULL, NULL);
    }
    /* A request that may emit progress, logs or requests to the client (tools/call,
     * resources/read, prompts/get) is answered with an SSE stream, whatever its timing; the
     * others run inline, so their reply is already queued and goes back as plain JSON. */
    pthread_mutex_lock(&st->lock);
    bool simple = !streams && st->final && st->queued == 1;
    char *body = simple ? strndup(st->head->data, st->head->len) : NULL;
    pthread_mutex_unlock(&st->lock);
    if (simple && body) {
        stream_response_done(st);
        rc = reply(conn, MHD_HTTP_OK, "application/json", body, is_init ? hs->id : NULL);
        free(body);
    } else {
        free(body);
        rc = answer_stream(conn, st, is_init ? hs->id : NULL);
    }
    session_unref(hs);
    return rc;
}

static enum MHD_Result handle_get(struct http_server *hsrv, struct MHD_Connection *conn,
                                  const struct request *req, const char *sid)
{
    struct http_session *hs;
    struct stream *st;

    if (!accepts(conn, "text/event-stream"))
        return refuse(conn, MHD_HTTP_NOT_ACCEPTABLE, -32000,
                      "Not Acceptable: the client must accept text/event-stream");
    if (!sid)
        return refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                      "Bad Request: the Mcp-Session-Id header is required");
    if (!(hs = session_find(hsrv, sid, false)))
        return refuse(conn, MHD_HTTP_NOT_FOUND, -32001, "Session not found: initialize a new session");
    if (strcmp(hs->principal, principal_of(req))) {
        session_unref(hs);
        return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                      "Forbidden: this session belongs to another principal");
    }
    st = stream_new(true);
    pthread_mutex_lock(&hs->lock);
    if (!st || hs->get_stream) {
        pthread_mutex_unlock(&hs->lock);
        if (st) {
            stream_send(&st->out, NULL, 0, true);
            stream_response_done(st);
        }
        session_unref(hs);
        return refuse(conn, MHD_HTTP_CONFLICT, -32000,
                      "Conflict: only one GET stream is allowed per session");
    }
    hs->get_stream = st; /* the session's reference is the stream's "session side" */
    pthread_mutex_unlock(&hs->lock);
    session_unref(hs);
    return answer_stream(conn, st, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    struct http_server *hsrv = cls;
    struct request *req = *con_cls;
    const char *sid, *pv, *host, *origin, *ctype;
    (void)version;

    if (!req) {
        /* First call: headers only. Refuse early what needs no body. */
        if (!(req = calloc(1, sizeof(*req))))
            return MHD_NO;
        *con_cls = req;
        if (strcmp(url, "/mcp"))
            return refuse(conn, MHD_HTTP_NOT_FOUND, -32000, "Not Found: the MCP endpoint is /mcp");
        host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
        if (hsrv->loopback && host && !is_loopback_host(host, strlen(host)))
            return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: Host must be a loopback name (DNS rebinding protection)");
        origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
        if (origin && !origin_allowed(hsrv, origin))
            return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: Origin is not allowed (allowed-origins)");
        enum MHD_Result rc;
        if (!authenticate(hsrv, conn, req, &rc))
            return rc;
        pv = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "MCP-Protocol-Version");
        if (pv) {
            bool ok = false;
            for (size_t i = 0; i < sizeof(supported_versions) / sizeof(supported_versions[0]); i++)
                ok |= !strcmp(pv, supported_versions[i]);
            if (!ok)
                return refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                              "Bad Request: unsupported MCP-Protocol-Version");
        }
        if (!strcmp(method, "POST")) {
            const char *clen;
            uint64_t n;
            ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
            if (!ctype || strncasecmp(ctype, "application/json", 16))
                return refuse(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, -32000,
                              "Unsupported Media Type: Content-Type must be application/json");
            if (!accepts(conn, "application/json") || !accepts(conn, "text/event-stream"))
                return refuse(conn, MHD_HTTP_NOT_ACCEPTABLE, -32000,
                              "Not Acceptable: the client must accept both application/json and "
                              "text/event-stream");
            clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (clen && (parse_uint(clen, UINT64_MAX, &n) < 0 ||
                         n > hsrv->settings->max_message_size))
                return refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, JSONRPC_INVALID_REQUEST,
                              "Invalid Request: body exceeds max-message-size");
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (req->too_big || req->len + n > hsrv->settings->max_message_size) {
            req->too_big = true;
            return MHD_YES;
        }
        if (req->len + n + 1 > req->cap) {
            size_t cap = (req->len + n + 1) * 2;
            char *b = realloc(req->body, cap);
            if (!b)
                return MHD_NO;
            req->body = b;
            req->cap = cap;
        }
        memcpy(req->body + req->len, upload, n);
        req->len += n;
        req->body[req->len] = '\0';
        return MHD_YES;
    }
    sid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Mcp-Session-Id");
    if (!strcmp(method, "POST"))
        return handle_post(hsrv, conn, req, sid);
    if (!strcmp(method, "GET"))
        return handle_get(hsrv, conn, req, sid);
    if (!strcmp(method, "DELETE")) {
        struct http_session *hs;
        if (!sid)
            return refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                          "Bad Request: the Mcp-Session-Id header is required");
        if (!(hs = session_find(hsrv, sid, false)))
            return refuse(conn, MHD_HTTP_NOT_FOUND, -32001, "Session not found");
        if (strcmp(hs->principal, principal_of(req))) {
            session_unref(hs);
            return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: this session belongs to another principal");
        }
        session_unref(hs);
        if ((hs = session_find(hsrv, sid, true)))
            session_end(hs);
        return reply(conn, MHD_HTTP_OK, NULL, NULL, NULL);
    }
    return refuse(conn, MHD_HTTP_METHOD_NOT_ALLOWED, -32000,
                  "Method Not Allowed: use POST, GET or DELETE");
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *req = *con_cls;
    (void)cls, (void)conn, (void)toe;

    if (req) {
        free(req->body);
        free(req);
        *con_cls = NULL;
    }
}

/* "127.0.0.1:3111" or "[::1]:3111" into a socket address; returns 0 or -1. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *loopback)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    uint64_t port;
    size_t hl;

    if (!colon || parse_uint(colon + 1, 65535, &port) < 0)
        return -1;
    hl = (size_t)(colon - listen);
    if (hl >= sizeof(host))
        return -1;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        host[hl - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return -1;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
        return 0;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    if (!strcmp(host, "localhost"))
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return -1;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    return 0;
}

int http_serve(struct mcp_server *srv, const struct settings *settings)
{
    struct http_server hsrv = {.mcp = srv, .settings = settings};
    struct sockaddr_storage ss;
    struct MHD_Daemon *d;
    sigset_t sigs;
    int sig;

    if (parse_listen(settings->listen, &ss, &hsrv.loopback) < 0) {
        log_msg(LOG_CRITICAL, "listen: '%s' is not ADDR:PORT (e.g. 127.0.0.1:3111 or [::1]:3111)",
                settings->listen);
        return 1;
    }
    if (!hsrv.loopback && mcp_server_tokens(srv)->count == 0) {
        log_msg(LOG_CRITICAL, "refusing to listen on %s: beyond loopback the server needs "
                "authentication; configure bearer tokens (\"tokens\" in the config file)",
                settings->listen);
        return 1;
    }
    {
        char why[320];
        if (dl_mhd_load(why, sizeof(why)) < 0) {
            log_msg(LOG_CRITICAL, "cannot serve HTTP: %s", why);
            return 1;
        }
    }
    pthread_mutex_init(&hsrv.lock, NULL);
    d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                             MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                         0, NULL, NULL, on_request, &hsrv,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                         MHD_OPTION_CONNECTION_LIMIT, settings->max_connections,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, &hsrv,
                         MHD_OPTION_END);
    if (!d) {
        log_msg(LOG_CRITICAL, "cannot listen on %s: %s", settings->listen, strerror(errno));
        pthread_mutex_destroy(&hsrv.lock);
        return 1;
    }
    log_msg(LOG_NOTICE, "listening on http://%s/mcp", settings->listen);

    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    /* Wait for a termination signal, ending idle sessions every few seconds meanwhile; SIGHUP
     * reopens the audit file. */
    for (;;) {
        struct timespec tick = {5, 0};
        sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig == SIGHUP) {
            mcp_server_reopen_logs(srv);
            continue;
        }
        if (sig > 0)
            break;
        expire_idle(&hsrv);
    }
    log_msg(LOG_INFO, "signal %d: shutting down", sig);

    atomic_store(&stopping, true);
    pthread_mutex_lock(&hsrv.lock);
    struct http_session *all = hsrv.sessions;
    hsrv.sessions = NULL;
    pthread_mutex_unlock(&hsrv.lock);
    while (all) {
        struct http_session *hs = all;
        all = hs->next;
        mcp_session_drain(hs->mcp, 0);
        session_end(hs);
    }
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&hsrv.lock);
    return 0;
}
