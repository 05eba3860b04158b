/* http_internal: what the files of the Streamable HTTP transport share — the server, its
 * sessions, SSE streams, the request checks and the reply helpers. Only src/transport/http*.c
 * include it; the transport's interface is transport/http.h.
 *
 *   http.c          the daemon (start, the one-second ticker, stop) and routing of requests
 *   http_checks.c   what a request passes before it reaches a session: the header deadline,
 *                   Host, Origin, bearer token, protocol version, media types, size
 *   http_session.c  the Mcp-Session-Id table: admission, quotas, expiry, admin list and end
 *   http_sse.c      SSE streams: queues, event ids, priming, keepalives, suspend and resume */
#ifndef TRANSPORT_HTTP_INTERNAL_H
#define TRANSPORT_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "auth/tokens.h"
#include "dl/mhd.h"
#include "mcp/server.h"

/* Monotonic seconds, for deadlines and keepalives. */
static inline time_t http_mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* ---- the server (http.c) ---- */

struct conn_track;
struct http_session;

struct http_server {
    struct mcp_server *mcp;
    const struct settings *settings;
    pthread_mutex_t lock;
    struct http_session *sessions;
    unsigned nsessions;
    bool loopback;
    struct mcp_session_admin admin; /* for the server_sessions tools */
    pthread_mutex_t conns_lock;
    struct conn_track *conns;       /* every open connection, for the header deadline */
};

/* One request being read: its body so far and who sent it. */
struct http_request {
    char *body;
    size_t len, cap;
    bool too_big;
    const struct token *token; /* NULL when no tokens are configured */
    struct sse_stream *parked; /* the answer's stream while the connection waits for it */
};

/* A request header as bytes, NUL bytes included (a C string would hide what follows one). */
bool http_header(struct MHD_Connection *conn, const char *name, const char **v, size_t *n);

/* Queue a response with a copy of `body` (NULL: empty). `ctype`, `session_id` and `authn`
 * (WWW-Authenticate) are added when not NULL; a 405 carries Allow. MHD_NO when it cannot be
 * queued. */
enum MHD_Result http_reply_with(struct MHD_Connection *conn, unsigned status, const char *ctype,
                                const char *body, const char *session_id, const char *authn);
enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
                           const char *body, const char *session_id);

/* An HTTP-level refusal with a JSON-RPC error body (id: `id`, borrowed, or null), as the SDKs
 * send; `authn` as for http_reply_with. */
enum MHD_Result http_refuse_id(struct MHD_Connection *conn, unsigned status, json_t *id,
                               int code, const char *message, const char *authn);
enum MHD_Result http_refuse_with(struct MHD_Connection *conn, unsigned status, int code,
                                 const char *message, const char *authn);
enum MHD_Result http_refuse(struct MHD_Connection *conn, unsigned status, int code,
                            const char *message);

/* ---- request checks (http_checks.c) ---- */

/* libmicrohttpd's connection notification (MHD_OPTION_NOTIFY_CONNECTION, cls: the server):
 * tracks each connection from its start for the header deadline. */
void http_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode toe);
/* A request's headers are in (start) or the request is over (!start). */
void http_conn_request(struct http_server *hsrv, struct MHD_Connection *conn, bool start);
/* Cut off connections that have not completed their request headers within
 * http-header-timeout-s. Called by the ticker. */
void http_conns_tick(struct http_server *hsrv);

/* Check a request on its headers, before any body is read: the endpoint, Host, Origin, the
 * bearer token (req->token is set from it), MCP-Protocol-Version, and for POST the Content-Type,
 * Accept and Content-Length. True when it may go on; otherwise a refusal is queued and *rc says
 * how that went. */
bool http_check_headers(struct http_server *hsrv, struct MHD_Connection *conn, const char *url,
                        const char *method, struct http_request *req, enum MHD_Result *rc);
/* How the Accept header rates `type`: 1, 0 (absent, or not accepted), -1 (malformed). */
int http_accepts(struct MHD_Connection *conn, const char *type);
/* The 400 for an Accept header http_accepts found malformed. */
enum MHD_Result http_refuse_bad_accept(struct MHD_Connection *conn);

/* ---- SSE streams (http_sse.c) ----
 * A stream is a queue of messages that one response drains. It has two references: the
 * session side (the request's mcp_out, or the session's GET slot), released by the final send
 * or sse_end, and the response side, released when the response is over (sse_response_done,
 * called by libmicrohttpd, or by the caller when no response reads the stream). */

struct sse_stream;

/* A new stream holding both references, or NULL. `keepalive_s`: send a comment after so many
 * idle seconds (0: never): a GET stream, to keep proxies from cutting it; a stateless request's
 * stream, so that a client that went away is noticed (a parked connection is not polled) and
 * its request cancelled within a few seconds. */
struct sse_stream *sse_new(unsigned keepalive_s);
#define STREAM_KEEPALIVE_S 15 /* GET streams */
#define STREAM_PROBE_S 1      /* stateless requests' streams */
/* Where the session writes the stream's messages (borrowed, lives as long as the stream). */
struct mcp_out *sse_out(struct sse_stream *st);
/* Queue one message (a copy) without ending the stream; the caller holds a reference. */
void sse_push(struct sse_stream *st, const char *text, size_t len);
/* Take and drop one more reference (the session lending its GET stream to a notification). */
void sse_ref(struct sse_stream *st);
void sse_unref(struct sse_stream *st);
/* Release the session side: the stream ends once drained. NULL: nothing. */
void sse_end(struct sse_stream *st);
/* Release the response side. */
void sse_response_done(void *st);
/* Call fn(arg) once the stream's response is over (drained, or the client went away), before
 * the response side is released; set before sse_answer. */
void sse_on_done(struct sse_stream *st, void (*fn)(void *), void *arg);
/* Release both sides of a stream no response reads. */
void sse_discard(struct sse_stream *st);
/* Whether the stream's response is over (the client went away). */
bool sse_gone(struct sse_stream *st);
/* For a request that is over with exactly one message queued: a copy of it (the caller frees
 * it), to answer as plain JSON. NULL otherwise, or out of memory. */
char *sse_single_message(struct sse_stream *st);
/* Answer the request with the stream (text/event-stream; `session_id` when not NULL); the
 * response takes the response side's reference. */
enum MHD_Result sse_answer(struct MHD_Connection *conn, struct sse_stream *st,
                           const char *session_id);
/* Park a request whose answer is not in yet: when nothing is queued, the connection is
 * suspended with no response (libmicrohttpd calls the access handler again once a message, the
 * ticker or shutdown resumes it; it then calls sse_answer_ready) and true is returned. False:
 * something is queued already, answer now with sse_answer_ready. The response side's
 * reference stays with the caller until then. */
bool sse_park(struct MHD_Connection *conn, struct sse_stream *st);
/* How long a parked request may stay silent before it is answered with its stream (seconds,
 * give or take the ticker's second), so that a client sees the response start. */
#define SSE_PARK_MAX_S 2
/* Answer with what the stream has: a request that is over with exactly one message as plain
 * application/json (the response side's reference is released), anything else as the stream
 * (sse_answer). */
enum MHD_Result sse_answer_ready(struct MHD_Connection *conn, struct sse_stream *st,
                                 const char *session_id);
/* The ticker: ask GET streams silent for a while for a keepalive comment, and answer parked
 * requests silent for SSE_PARK_MAX_S with their stream. */
void sse_tick(void);
/* At shutdown: sse_stop makes every stream end once drained; sse_wake_all then resumes
 * every parked one so that it does (libmicrohttpd must not stop with suspended connections). */
void sse_stop(void);
void sse_wake_all(void);
/* Then wait, up to max_ms, until every stream's response is over (each ends once drained), so
 * that stopping libmicrohttpd does not cut one off mid-answer. */
void sse_drain(unsigned max_ms);

/* ---- sessions (http_session.c) ---- */

struct http_session {
    char id[33];
    /* The session belongs to whoever created it: the token itself (its entry in the loaded
     * table, whose names and hashes are unique), never its label; NULL without tokens. */
    const struct token *owner;
    struct mcp_session *mcp;
    struct mcp_out notify;         /* forwards to get_stream */
    pthread_mutex_t lock;
    struct sse_stream *get_stream; /* the open GET stream, if any */
    time_t created, last_used;     /* under the server's lock */
    int refs;                      /* under lock */
    struct http_session *next;
};

enum http_admit { HTTP_ADMIT_OK, HTTP_ADMIT_FULL, HTTP_ADMIT_QUOTA };

/* Make room for a new session of `owner`: at the per-principal quota, the oldest unused session
 * of that same principal is ended (never another's); with none unused, HTTP_ADMIT_QUOTA. Past
 * the server-wide max-sessions, HTTP_ADMIT_FULL. A slot is not reserved: the caller creates the
 * session right after, and the two limits may be overrun by the few initializes racing it. */
enum http_admit http_session_admit(struct http_server *hsrv, const struct token *owner);
/* A new session in the table, with a reference for the caller; NULL on failure. */
struct http_session *http_session_create(struct http_server *hsrv, const struct token *owner);
/* Find a session and take a reference, or NULL. `remove` takes it out of the table instead
 * (the table's reference passes to the caller). */
struct http_session *http_session_find(struct http_server *hsrv, const char *id, bool remove);
void http_session_unref(struct http_session *hs);
/* End a session that is already out of the table, dropping the reference the caller has. */
void http_session_end(struct http_session *hs);
/* Give the session `st` as its GET stream (the stream's session side): 0, or -1 when st is
 * NULL or the session already has a live one (st is untouched then). */
int http_session_listen(struct http_session *hs, struct sse_stream *st);
/* End the sessions idle for session-idle-s that no handler holds. */
void http_sessions_expire(struct http_server *hsrv);
/* At shutdown: end every session, cancelling what its requests still run. */
void http_sessions_end_all(struct http_server *hsrv);
/* The hooks through which the server_sessions tools list and end the server's sessions. */
struct mcp_session_admin http_sessions_admin(struct http_server *hsrv);

#endif
