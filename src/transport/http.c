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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "dl/mhd.h"
#include "jsonrpc.h"
#include "log.h"
#include "strparse.h"
#include "transport/http_headers.h"

static const char *const supported_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                 "2024-11-05"};

/* ---- SSE streams ----
 * A queue of messages that the connection drains. Connections are served by a few polling
 * threads (epoll), so a stream never blocks one: with nothing to send, the reader suspends its
 * connection (MHD_suspend_connection, libmicrohttpd's documented way for a content reader to
 * wait), and stream_send, the keepalive ticker or shutdown resume it. A suspended connection is
 * exempt from the idle timeout, so a tool that runs for minutes keeps its stream. */

struct line {
    struct line *next;
    size_t len;
    char data[];
};

struct stream {
    struct mcp_out out;
    pthread_mutex_t lock;
    struct line *head, *tail;
    size_t queued;          /* lines ever queued */
    bool final;             /* the request is over: end the stream once drained */
    bool gone;              /* the client went away or the response was never sent */
    bool primed;
    bool keepalive;         /* a GET stream: send comments while idle */
    int refs;               /* the session side (until final) and the HTTP response */
    bool suspended;         /* the reader parked the connection; only stream_wake resumes it */
    bool ping;              /* the ticker asks for a keepalive comment */
    struct MHD_Connection *conn; /* set while a response reads the stream */
    time_t last_out;        /* monotonic seconds of the last event or comment handed out */
    unsigned long no, next_event;
    char *pending;          /* the event being written */
    size_t pending_len, pending_off;
    struct stream *lnext, **lprev; /* in live_streams while a response reads it */
};

static atomic_bool stopping;
static atomic_ulong stream_counter;
/* Every stream a response reads, for the keepalive ticker and shutdown. Lock order: this, then
 * a stream's lock. */
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream *live_streams;

static time_t mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* Resume a parked connection so that its reader runs again. Under st->lock. */
static void stream_wake(struct stream *st)
{
    if (st->suspended) {
        st->suspended = false;
        MHD_resume_connection(st->conn);
    }
}

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
    stream_wake(st);
    pthread_mutex_unlock(&st->lock);
    free(l);
    if (final)
        stream_unref(st); /* the session is done with it */
}

static struct stream *stream_new(bool keepalive)
{
    struct stream *st = calloc(1, sizeof(*st));

    if (!st)
        return NULL;
    st->out.send = stream_send;
    st->out.ctx = st;
    st->refs = 2;
    st->keepalive = keepalive;
    st->no = atomic_fetch_add(&stream_counter, 1) + 1;
    st->last_out = mono_now();
    pthread_mutex_init(&st->lock, NULL);
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
        if (st->ping) {
            /* A comment keeps proxies from timing out and finds vanished clients. */
            st->ping = false;
            free(st->pending);
            st->pending = strdup(":\n\n");
            st->pending_len = st->pending ? 3 : 0;
            st->pending_off = 0;
            continue;
        }
        /* Nothing to send: park the connection until there is. */
        st->suspended = true;
        MHD_suspend_connection(st->conn);
        n = 0;
        break;
    }
    if (n > 0)
        st->last_out = mono_now();
    pthread_mutex_unlock(&st->lock);
    return n;
}

/* Every few seconds: a keepalive comment on GET streams silent for STREAM_KEEPALIVE_S. */
#define STREAM_KEEPALIVE_S 15
static void streams_tick(void)
{
    time_t now = mono_now();

    pthread_mutex_lock(&streams_lock);
    for (struct stream *st = live_streams; st; st = st->lnext) {
        pthread_mutex_lock(&st->lock);
        if (st->keepalive && st->suspended && now - st->last_out >= STREAM_KEEPALIVE_S) {
            st->ping = true;
            stream_wake(st);
        }
        pthread_mutex_unlock(&st->lock);
    }
    pthread_mutex_unlock(&streams_lock);
}

/* At shutdown (stopping set): resume every parked stream so that it ends; libmicrohttpd must
 * not be stopped with suspended connections. */
static void streams_wake_all(void)
{
    pthread_mutex_lock(&streams_lock);
    for (struct stream *st = live_streams; st; st = st->lnext) {
        pthread_mutex_lock(&st->lock);
        stream_wake(st);
        pthread_mutex_unlock(&st->lock);
    }
    pthread_mutex_unlock(&streams_lock);
}

static void stream_response_done(void *cls)
{
    struct stream *st = cls;

    pthread_mutex_lock(&streams_lock);
    if (st->lprev) {
        *st->lprev = st->lnext;
        if (st->lnext)
            st->lnext->lprev = st->lprev;
        st->lprev = NULL;
    }
    pthread_mutex_unlock(&streams_lock);
    pthread_mutex_lock(&st->lock);
    st->gone = true;
    pthread_mutex_unlock(&st->lock);
    stream_unref(st);
}

/* ---- sessions ---- */

struct http_session {
    char id[33];
    /* The session belongs to whoever created it: the token itself (its entry in the loaded
     * table, whose names and hashes are unique), never its label; NULL without tokens. */
    const struct token *owner;
    struct mcp_session *mcp;
    struct mcp_out notify;     /* forwards to get_stream */
    pthread_mutex_t lock;
    struct stream *get_stream; /* the open GET stream, if any */
    time_t created, last_used; /* under the server's lock */
    int refs;                  /* under lock */
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
    struct mcp_session_admin admin; /* for the server_sessions tools */
    pthread_mutex_t conns_lock;
    struct conn_track *conns;       /* every open connection, for the header deadline */
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

/* The session's GET stream while its client is still there. One whose response is over (the
 * client went away) is dropped from the session and handed back in *dead, for the caller to
 * release with stream_drop outside hs->lock. Under hs->lock. */
static struct stream *get_stream_live(struct http_session *hs, struct stream **dead)
{
    struct stream *st = hs->get_stream;
    bool gone;

    *dead = NULL;
    if (!st)
        return NULL;
    pthread_mutex_lock(&st->lock);
    gone = st->gone;
    pthread_mutex_unlock(&st->lock);
    if (!gone)
        return st;
    hs->get_stream = NULL;
    *dead = st;
    return NULL;
}

/* Drop the session side's reference on a stream (NULL: nothing). */
static void stream_drop(struct stream *st)
{
    if (st)
        stream_send(&st->out, NULL, 0, true);
}

/* Whether the session may be reclaimed for its principal: no handler holds it (refs is the
 * table's alone) and no request of it runs. An open GET stream does not count: a client that
 * left without DELETE is not seen to have gone while its stream is parked (libmicrohttpd does
 * not watch a suspended connection), and such sessions would hold the quota for nothing; a
 * live listener whose session is reclaimed sees its stream end and initializes again. Under
 * the server's lock. */
static bool session_unused(struct http_session *hs)
{
    pthread_mutex_lock(&hs->lock);
    bool unused = hs->refs == 1;
    pthread_mutex_unlock(&hs->lock);
    return unused && mcp_session_idle(hs->mcp);
}

static void expire_idle(struct http_server *hsrv)
{
    time_t now = time(NULL);
    struct http_session *expired = NULL;

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session **pp = &hsrv->sessions; *pp;) {
        struct http_session *hs = *pp;
        pthread_mutex_lock(&hs->lock);
        bool alone = hs->refs == 1; /* the refs are written under the session's lock */
        pthread_mutex_unlock(&hs->lock);
        if (now - hs->last_used > (time_t)hsrv->settings->session_idle_s && alone) {
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

enum admit { ADMIT_OK, ADMIT_FULL, ADMIT_QUOTA };

/* Make room for a new session of `owner`: at the per-principal quota, the oldest unused session
 * of that same principal is ended (never another's); with none unused, ADMIT_QUOTA. Past the
 * server-wide max-sessions, ADMIT_FULL. A slot is not reserved: the caller creates the session
 * right after, and the two limits may be overrun by the few initializes racing it. */
static enum admit session_admit(struct http_server *hsrv, const struct token *owner)
{
    struct http_session **victim = NULL, *hs = NULL;
    unsigned mine = 0;
    enum admit rc = ADMIT_OK;

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session **pp = &hsrv->sessions; *pp; pp = &(*pp)->next) {
        if ((*pp)->owner != owner)
            continue;
        mine++;
        if (session_unused(*pp) && (!victim || (*pp)->last_used <= (*victim)->last_used))
            victim = pp;
    }
    if (mine >= hsrv->settings->max_sessions_per_principal) {
        if (victim) {
            hs = *victim;
            *victim = hs->next;
            hsrv->nsessions--;
        } else {
            rc = ADMIT_QUOTA;
        }
    }
    if (rc == ADMIT_OK && hsrv->nsessions >= hsrv->settings->max_sessions)
        rc = ADMIT_FULL;
    pthread_mutex_unlock(&hsrv->lock);
    if (hs) {
        log_msg(LOG_NOTICE, "%s is at its quota of %u sessions: ended its oldest unused one",
                owner ? owner->name : "local", hsrv->settings->max_sessions_per_principal);
        session_end(hs);
    }
    return rc;
}

static struct http_session *session_create(struct http_server *hsrv, const struct token *owner)
{
    struct http_session *hs;
    unsigned char rnd[16];

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return NULL;
    hs = calloc(1, sizeof(*hs));
    if (!hs)
        return NULL;
    hs->owner = owner;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hs->id + 2 * i, 3, "%02x", rnd[i]);
    pthread_mutex_init(&hs->lock, NULL);
    hs->notify.send = notify_send;
    hs->notify.ctx = hs;
    hs->refs = 2; /* the table's and the caller's */
    hs->created = hs->last_used = time(NULL);
    hs->mcp = mcp_session_new(hsrv->mcp, &hs->notify);
    if (hs->mcp && owner)
        mcp_session_set_principal(hs->mcp, owner->name, owner->role);
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

/* server_sessions: every live session; the ids are what DELETE and server_session_end take. */
static json_t *admin_list(void *ctx)
{
    struct http_server *hsrv = ctx;
    time_t now = time(NULL);
    json_t *list = json_array();

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session *hs = hsrv->sessions; list && hs; hs = hs->next) {
        struct stream *dead = NULL;
        pthread_mutex_lock(&hs->lock);
        bool stream = get_stream_live(hs, &dead) != NULL;
        pthread_mutex_unlock(&hs->lock);
        stream_drop(dead);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:b}", "id", hs->id, "principal",
                            hs->owner ? hs->owner->name : "local", "role",
                            hs->owner ? hs->owner->role->name : hsrv->settings->role, "age_s",
                            (json_int_t)(now - hs->created), "idle_s",
                            (json_int_t)(now - hs->last_used), "busy",
                            !mcp_session_idle(hs->mcp), "get_stream", stream));
    }
    pthread_mutex_unlock(&hsrv->lock);
    return list;
}

static int admin_end(void *ctx, const char *id)
{
    struct http_server *hsrv = ctx;
    struct http_session *hs;

    if (!http_session_id_valid(id, strlen(id)) || !(hs = session_find(hsrv, id, true)))
        return -1;
    log_msg(LOG_NOTICE, "session of %s ended by an administrator",
            hs->owner ? hs->owner->name : "local");
    session_end(hs);
    return 0;
}

/* ---- the header deadline ----
 * libmicrohttpd's connection timeout counts silence, so a client that trickles a byte now and
 * then keeps a connection for ever without finishing its headers. Each connection is tracked
 * from its start: until the access handler has its headers, the ticker cuts it off after
 * http-header-timeout-s by shutting its socket down, which libmicrohttpd then closes as a client
 * that went away. A tracked fd is still open: the close notification, which untracks it under
 * the same lock, comes before libmicrohttpd closes the socket. */

struct conn_track {
    int fd;
    bool in_request; /* headers seen and the request not completed yet */
    bool cut;
    time_t since;    /* monotonic: the connection's start or its previous request's end */
    struct conn_track *next, **prev;
};

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *hsrv = cls;
    struct conn_track *t = *socket_context;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(t = calloc(1, sizeof(*t))))
            return; /* untracked: only the idle timeout applies to it */
        t->fd = ci->connect_fd;
        t->since = mono_now();
        pthread_mutex_lock(&hsrv->conns_lock);
        t->next = hsrv->conns;
        if (t->next)
            t->next->prev = &t->next;
        t->prev = &hsrv->conns;
        hsrv->conns = t;
        pthread_mutex_unlock(&hsrv->conns_lock);
        *socket_context = t;
        return;
    }
    if (!t)
        return;
    pthread_mutex_lock(&hsrv->conns_lock);
    *t->prev = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&hsrv->conns_lock);
    free(t);
    *socket_context = NULL;
}

/* A request's headers are in (start) or the request is over. */
static void track_request(struct http_server *hsrv, struct MHD_Connection *conn, bool start)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn_track *t = ci ? ci->socket_context : NULL;

    if (!t)
        return;
    pthread_mutex_lock(&hsrv->conns_lock);
    t->in_request = start;
    if (!start)
        t->since = mono_now();
    pthread_mutex_unlock(&hsrv->conns_lock);
}

static void headers_tick(struct http_server *hsrv)
{
    time_t now = mono_now();
    unsigned cut = 0;

    pthread_mutex_lock(&hsrv->conns_lock);
    for (struct conn_track *t = hsrv->conns; t; t = t->next) {
        if (!t->in_request && !t->cut &&
            now - t->since >= (time_t)hsrv->settings->http_header_timeout_s) {
            t->cut = true;
            shutdown(t->fd, SHUT_RDWR);
            cut++;
        }
    }
    pthread_mutex_unlock(&hsrv->conns_lock);
    if (cut)
        log_msg(LOG_INFO, "cut off %u connection(s) with no complete request headers after %u s",
                cut, hsrv->settings->http_header_timeout_s);
}

/* ---- requests ---- */

struct request {
    char *body;
    size_t len, cap;
    bool too_big;
    const struct token *token; /* NULL when no tokens are configured */
};

/* A request header as bytes, NUL bytes included (a C string would hide what follows one). */
static bool header(struct MHD_Connection *conn, const char *name, const char **v, size_t *n)
{
    return MHD_lookup_connection_value_n(conn, MHD_HEADER_KIND, name, strlen(name), v, n) ==
               MHD_YES &&
           *v;
}

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
    size_t hl;

    if (tokens->count == 0)
        return true;
    if (!header(conn, MHD_HTTP_HEADER_AUTHORIZATION, &h, &hl) || hl <= 7 ||
        strncasecmp(h, "Bearer ", 7)) {
        *rc = refuse_with(conn, MHD_HTTP_UNAUTHORIZED, -32000,
                          "Unauthorized: send Authorization: Bearer <token>",
                          "Bearer realm=\"opensips-mcp\"");
        return false;
    }
    req->token = tokens_check(tokens, h + 7, hl - 7);
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

/* Whether the request's token owns the session: the same token entry, not the same label. */
static bool owns(const struct request *req, const struct http_session *hs)
{
    return req->token == hs->owner;
}

static bool origin_allowed(const struct http_server *hsrv, const char *origin, size_t olen)
{
    const char *list = hsrv->settings->allowed_origins, *p;
    int r = http_origin_check(origin, olen);

    /* http(s)://<loopback>[:port] is always the local user's own page or tool. */
    if (r != 0)
        return r == 1;
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

/* How the Accept header rates `type`: 1, 0 (absent, or not accepted), -1 (malformed). */
static int accepts(struct MHD_Connection *conn, const char *type)
{
    const char *v;
    size_t n;

    return header(conn, MHD_HTTP_HEADER_ACCEPT, &v, &n) ? http_accept_rates(v, n, type) : 0;
}

static enum MHD_Result refuse_bad_accept(struct MHD_Connection *conn)
{
    return refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                  "Bad Request: malformed Accept header (media ranges are type/subtype, type/* "
                  "or */*, with optional ;q=0 to 1)");
}

/* The Mcp-Session-Id header: 1 with *sid set (a NUL-terminated copy), 0 when absent, -1 when
 * it cannot name a session of ours. */
static int session_id_of(struct MHD_Connection *conn, char sid[33])
{
    const char *v;
    size_t n;

    if (!header(conn, "Mcp-Session-Id", &v, &n))
        return 0;
    if (!http_session_id_valid(v, n))
        return -1;
    memcpy(sid, v, 32);
    sid[32] = '\0';
    return 1;
}

static enum MHD_Result answer_stream(struct MHD_Connection *conn, struct stream *st,
                                     const char *session_id)
{
    struct MHD_Response *r;
    enum MHD_Result rc;

    pthread_mutex_lock(&st->lock);
    st->conn = conn;
    pthread_mutex_unlock(&st->lock);
    pthread_mutex_lock(&streams_lock);
    st->lnext = live_streams;
    if (live_streams)
        live_streams->lprev = &st->lnext;
    st->lprev = &live_streams;
    live_streams = st;
    pthread_mutex_unlock(&streams_lock);
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, st,
                                          stream_response_done);
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
        if (!owns(req, hs)) {
            session_unref(hs);
            return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: this session belongs to another principal");
        }
    } else if (is_init) {
        expire_idle(hsrv);
        switch (session_admit(hsrv, req->token)) {
        case ADMIT_QUOTA:
            return refuse(conn, MHD_HTTP_TOO_MANY_REQUESTS, -32000,
                          "Too many sessions for this principal (max-sessions-per-principal), "
                          "all in use; end unused ones with DELETE");
        case ADMIT_FULL:
            return refuse(conn, MHD_HTTP_SERVICE_UNAVAILABLE, -32000,
                          "Too many sessions (max-sessions); end unused ones with DELETE");
        case ADMIT_OK:
            break;
        }
        hs = session_create(hsrv, req->token);
        if (!hs)
            return refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, JSONRPC_INTERNAL_ERROR,
                          "Internal error: cannot create a session");
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
    int ok = accepts(conn, "text/event-stream");

    if (ok < 0)
        return refuse_bad_accept(conn);
    if (!ok)
        return refuse(conn, MHD_HTTP_NOT_ACCEPTABLE, -32000,
                      "Not Acceptable: the client must accept text/event-stream");
    if (!sid)
        return refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                      "Bad Request: the Mcp-Session-Id header is required");
    if (!(hs = session_find(hsrv, sid, false)))
        return refuse(conn, MHD_HTTP_NOT_FOUND, -32001, "Session not found: initialize a new session");
    if (!owns(req, hs)) {
        session_unref(hs);
        return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                      "Forbidden: this session belongs to another principal");
    }
    struct stream *dead = NULL;
    st = stream_new(true);
    pthread_mutex_lock(&hs->lock);
    /* A stream whose client went away makes room for a new one (a reconnecting client). */
    if (!st || get_stream_live(hs, &dead)) {
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
    stream_drop(dead);
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
    size_t pvl, hostl, originl, ctypel;
    char sidbuf[33];
    struct http_host hh;
    (void)version;

    if (!req) {
        /* First call: headers only. Refuse early what needs no body. */
        track_request(hsrv, conn, true);
        if (!(req = calloc(1, sizeof(*req))))
            return MHD_NO;
        *con_cls = req;
        if (strcmp(url, "/mcp"))
            return refuse(conn, MHD_HTTP_NOT_FOUND, -32000, "Not Found: the MCP endpoint is /mcp");
        if (header(conn, MHD_HTTP_HEADER_HOST, &host, &hostl)) {
            if (http_host_parse(host, hostl, &hh) < 0)
                return refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                              "Bad Request: malformed Host header (host[:port], IPv6 in "
                              "brackets)");
            if (hsrv->loopback && !http_host_is_loopback(&hh))
                return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                              "Forbidden: Host must be a loopback name (DNS rebinding "
                              "protection)");
        }
        if (header(conn, "Origin", &origin, &originl) && !origin_allowed(hsrv, origin, originl))
            return refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: Origin is not allowed (allowed-origins)");
        enum MHD_Result rc;
        if (!authenticate(hsrv, conn, req, &rc))
            return rc;
        if (header(conn, "MCP-Protocol-Version", &pv, &pvl)) {
            bool ok = false;
            for (size_t i = 0; i < sizeof(supported_versions) / sizeof(supported_versions[0]); i++)
                ok |= pvl == strlen(supported_versions[i]) && !memcmp(pv, supported_versions[i], pvl);
            if (!ok)
                return refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                              "Bad Request: unsupported MCP-Protocol-Version");
        }
        if (!strcmp(method, "POST")) {
            const char *clen;
            uint64_t n;
            if (!header(conn, MHD_HTTP_HEADER_CONTENT_TYPE, &ctype, &ctypel) ||
                !http_content_type_is_json(ctype, ctypel))
                return refuse(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, -32000,
                              "Unsupported Media Type: Content-Type must be application/json");
            int aj = accepts(conn, "application/json"), as = accepts(conn, "text/event-stream");
            if (aj < 0 || as < 0)
                return refuse_bad_accept(conn);
            if (!aj || !as)
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
    switch (session_id_of(conn, sidbuf)) {
    case -1:
        return refuse(conn, MHD_HTTP_NOT_FOUND, -32001,
                      "Session not found: this Mcp-Session-Id was never issued here; initialize "
                      "a new session");
    case 0:
        sid = NULL;
        break;
    default:
        sid = sidbuf;
    }
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
        if (!owns(req, hs)) {
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
    (void)toe;

    track_request(cls, conn, false);
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

/* Each connection is a file descriptor: lift the soft limit towards the hard one so that
 * max-connections can be reached, and say so when it cannot. */
static void raise_fd_limit(unsigned connections)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)connections + 256; /* MI sockets, the audit file, epoll, ... */

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
        log_msg(LOG_WARNING, "max-connections %u needs about %llu file descriptors; the limit "
                "is %llu (raise it with ulimit -n or LimitNOFILE)", connections,
                (unsigned long long)want, (unsigned long long)rl.rlim_cur);
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
    raise_fd_limit(settings->max_connections);
    pthread_mutex_init(&hsrv.lock, NULL);
    pthread_mutex_init(&hsrv.conns_lock, NULL);
    /* A few threads each poll many connections (epoll), so that a thousand slow clients cost a
     * thousand sockets, not a thousand threads; a silent connection is closed after the idle
     * timeout, and one address may hold only so many. */
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                             MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                             (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                         0, NULL, NULL, on_request, &hsrv,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                         MHD_OPTION_THREAD_POOL_SIZE, settings->http_threads,
                         MHD_OPTION_CONNECTION_LIMIT, settings->max_connections,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, settings->max_connections_per_address,
                         MHD_OPTION_CONNECTION_TIMEOUT, settings->http_idle_timeout_s,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, &hsrv,
                         MHD_OPTION_NOTIFY_CONNECTION, on_connection, &hsrv,
                         MHD_OPTION_END);
    if (!d) {
        log_msg(LOG_CRITICAL, "cannot listen on %s: %s", settings->listen, strerror(errno));
        pthread_mutex_destroy(&hsrv.conns_lock);
        pthread_mutex_destroy(&hsrv.lock);
        return 1;
    }
    log_msg(LOG_NOTICE, "listening on http://%s/mcp", settings->listen);
    hsrv.admin = (struct mcp_session_admin){admin_list, admin_end, &hsrv};
    mcp_server_set_session_admin(srv, &hsrv.admin);

    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    /* Wait for a termination signal; meanwhile, every second, end idle sessions, send keepalives
     * and cut off connections past the header deadline. SIGHUP reopens the audit file. */
    for (;;) {
        struct timespec tick = {1, 0};
        sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig == SIGHUP) {
            mcp_server_reopen_logs(srv);
            continue;
        }
        if (sig > 0)
            break;
        expire_idle(&hsrv);
        streams_tick();
        headers_tick(&hsrv);
    }
    log_msg(LOG_INFO, "signal %d: shutting down", sig);

    mcp_server_set_session_admin(srv, NULL);
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
    streams_wake_all();
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&hsrv.conns_lock);
    pthread_mutex_destroy(&hsrv.lock);
    return 0;
}
