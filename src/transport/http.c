/* http: the Streamable HTTP daemon — start, the one-second ticker, stop — and the routing of
 * each request to POST, GET or DELETE. Sessions, SSE streams and the checks in front of them
 * have files of their own (see transport/http_internal.h). */
#include "transport/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "jsonrpc.h"
#include "log.h"
#include "strparse.h"
#include "transport/http_headers.h"
#include "transport/http_internal.h"

/* ---- replies ---- */

bool http_header(struct MHD_Connection *conn, const char *name, const char **v, size_t *n)
{
    return MHD_lookup_connection_value_n(conn, MHD_HEADER_KIND, name, strlen(name), v, n) ==
               MHD_YES &&
           *v;
}

enum MHD_Result http_reply_with(struct MHD_Connection *conn, unsigned status, const char *ctype,
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

enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
                           const char *body, const char *session_id)
{
    return http_reply_with(conn, status, ctype, body, session_id, NULL);
}

enum MHD_Result http_refuse_id(struct MHD_Connection *conn, unsigned status, json_t *id,
                               int code, const char *message, const char *authn)
{
    json_t *e = jsonrpc_error_new(id, code, message, NULL);
    char *body = jsonrpc_dump(e);
    enum MHD_Result rc;

    json_decref(e);
    log_msg(LOG_DEBUG, "http %u: %s", status, message);
    rc = http_reply_with(conn, status, "application/json", body, NULL, authn);
    free(body);
    return rc;
}

enum MHD_Result http_refuse_with(struct MHD_Connection *conn, unsigned status, int code,
                                 const char *message, const char *authn)
{
    return http_refuse_id(conn, status, NULL, code, message, authn);
}

enum MHD_Result http_refuse(struct MHD_Connection *conn, unsigned status, int code,
                            const char *message)
{
    return http_refuse_with(conn, status, code, message, NULL);
}

/* ---- routing ---- */

/* The Mcp-Session-Id header: 1 with *sid set (a NUL-terminated copy), 0 when absent, -1 when
 * it cannot name a session of ours. */
static int session_id_of(struct MHD_Connection *conn, char sid[33])
{
    const char *v;
    size_t n;

    if (!http_header(conn, "Mcp-Session-Id", &v, &n))
        return 0;
    if (!http_session_id_valid(v, n))
        return -1;
    memcpy(sid, v, 32);
    sid[32] = '\0';
    return 1;
}

/* The session `sid` names, with a reference, when the request's token owns it (the same token
 * entry, not the same label). Otherwise NULL, with a 404 (saying `not_found`) or a 403 queued
 * and *rc saying how that went. */
static struct http_session *owned_session(struct http_server *hsrv, struct MHD_Connection *conn,
                                          const struct http_request *req, const char *sid,
                                          const char *not_found, enum MHD_Result *rc)
{
    struct http_session *hs = http_session_find(hsrv, sid, false);

    if (!hs) {
        *rc = http_refuse(conn, MHD_HTTP_NOT_FOUND, -32001, not_found);
        return NULL;
    }
    if (req->token != hs->owner) {
        http_session_unref(hs);
        *rc = http_refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: this session belongs to another principal");
        return NULL;
    }
    return hs;
}

/* A new session for an initialize, within the quotas; NULL with a refusal queued. */
static struct http_session *new_session(struct http_server *hsrv, struct MHD_Connection *conn,
                                        const struct http_request *req, enum MHD_Result *rc)
{
    struct http_session *hs;

    http_sessions_expire(hsrv);
    switch (http_session_admit(hsrv, req->token)) {
    case HTTP_ADMIT_QUOTA:
        *rc = http_refuse(conn, MHD_HTTP_TOO_MANY_REQUESTS, -32000,
                          "Too many sessions for this principal (max-sessions-per-principal), "
                          "all in use; end unused ones with DELETE");
        return NULL;
    case HTTP_ADMIT_FULL:
        *rc = http_refuse(conn, MHD_HTTP_SERVICE_UNAVAILABLE, -32000,
                          "Too many sessions (max-sessions); end unused ones with DELETE");
        return NULL;
    case HTTP_ADMIT_OK:
        break;
    }
    if (!(hs = http_session_create(hsrv, req->token)))
        *rc = http_refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, JSONRPC_INTERNAL_ERROR,
                          "Internal error: cannot create a session");
    return hs;
}

/* Run the message on the session and answer: 202 for a notification or response; plain JSON
 * for a request answered at once. A request that may emit progress, logs or requests to the
 * client (tools/call, resources/read, prompts/get: `streams`) runs on a worker; its connection
 * is parked until the worker sends something (post_resumed answers then): its reply alone is
 * answered as plain JSON, as a client must accept; anything before it, or SSE_PARK_MAX_S of
 * silence, makes the answer an SSE stream. The others run inline, so their reply is already
 * queued when mcp_session_handle returns. */
static enum MHD_Result post_run(struct MHD_Connection *conn, struct http_session *hs,
                                struct http_request *req, struct jsonrpc_msg *msg, bool streams,
                                const char *session_id)
{
    struct sse_stream *st = sse_new(0);
    enum MHD_Result rc;
    char *body;

    if (!st)
        return http_refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, JSONRPC_INTERNAL_ERROR,
                           "Internal error: out of memory");
    if (mcp_session_handle_msg(hs->mcp, msg, sse_out(st)) == MCP_NO_REPLY) {
        sse_discard(st);
        return http_reply(conn, MHD_HTTP_ACCEPTED, NULL, NULL, NULL);
    }
    if (streams && !session_id && sse_park(conn, st)) {
        req->parked = st;
        return MHD_YES;
    }
    if (streams)
        return sse_answer_ready(conn, st, session_id);
    body = sse_single_message(st);
    if (body) {
        sse_response_done(st);
        rc = http_reply(conn, MHD_HTTP_OK, "application/json", body, session_id);
        free(body);
        return rc;
    }
    return sse_answer(conn, st, session_id);
}

/* ---- stateless requests (MCP 2026-07-28) ---- */

/* Whether header `name` (OWS around it dropped, RFC 9110 §5.5) is exactly `want`. */
static bool header_is(struct MHD_Connection *conn, const char *name, const char *want)
{
    const char *v;
    size_t n;

    if (!want || !http_header(conn, name, &v, &n))
        return false;
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return n == strlen(want) && !memcmp(v, want, n);
}

/* The Mcp-* headers a stateless request carries must say what its body says (SEP-2243):
 * Mcp-Method its method, Mcp-Name the tool, prompt or URI, MCP-Protocol-Version its _meta
 * version. NULL when they do; else what disagrees. */
static const char *header_mismatch(struct MHD_Connection *conn, const struct jsonrpc_msg *msg)
{
    const char *key = !strcmp(msg->method, "resources/read") ? "uri"
                      : !strcmp(msg->method, "tools/call") || !strcmp(msg->method, "prompts/get")
                          ? "name"
                          : NULL;
    json_t *pv = json_object_get(json_object_get(msg->params, "_meta"),
                                 "io.modelcontextprotocol/protocolVersion");

    if (!header_is(conn, "Mcp-Method", msg->method))
        return "Header mismatch: the Mcp-Method header must be present and equal to the body's "
               "method";
    if (key && json_is_string(json_object_get(msg->params, key)) &&
        !header_is(conn, "Mcp-Name", json_string_value(json_object_get(msg->params, key))))
        return "Header mismatch: the Mcp-Name header must be present and equal to the body's "
               "params.name (tools/call, prompts/get) or params.uri (resources/read)";
    if (json_is_string(pv) && !header_is(conn, "MCP-Protocol-Version", json_string_value(pv)))
        return "Header mismatch: the MCP-Protocol-Version header must be present and equal to "
               "_meta io.modelcontextprotocol/protocolVersion";
    return NULL;
}

static void stateless_done(void *arg)
{
    mcp_session_close(arg);
}

/* A request without a session: the modern era, on a session of its own that ends with the
 * response — so that the client closing the stream cancels what still runs. Answered as JSON
 * when the reply is ready at once (with the HTTP status its error calls for), else as SSE. */
static enum MHD_Result handle_stateless(struct http_server *hsrv, struct MHD_Connection *conn,
                                        const struct http_request *req,
                                        struct jsonrpc_msg *msg)
{
    const char *why = header_mismatch(conn, msg);
    struct mcp_session *s;
    struct sse_stream *st;
    enum MHD_Result rc;
    char *body;

    if (why)
        return http_refuse_id(conn, MHD_HTTP_BAD_REQUEST, msg->id, MCP_ERR_HEADER_MISMATCH, why,
                              NULL);
    s = mcp_session_new_stateless(hsrv->mcp, req->token ? req->token->name : NULL,
                                  req->token ? req->token->role : NULL);
    if (!s || !(st = sse_new(STREAM_PROBE_S))) {
        if (s)
            mcp_session_close(s);
        return http_refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, JSONRPC_INTERNAL_ERROR,
                           "Internal error: out of memory");
    }
    mcp_session_handle_msg(s, msg, sse_out(st));
    if ((body = sse_single_message(st))) {
        json_t *reply = json_loads(body, 0, NULL);
        int code = (int)json_integer_value(json_object_get(json_object_get(reply, "error"),
                                                           "code"));
        json_decref(reply);
        sse_response_done(st);
        mcp_session_close(s);
        rc = http_reply(conn, mcp_modern_http_status(code), "application/json", body, NULL);
        free(body);
        return rc;
    }
    sse_on_done(st, stateless_done, s);
    return sse_answer(conn, st, NULL);
}

/* The access handler again for a request post_run parked: its connection was resumed. */
static enum MHD_Result post_resumed(struct MHD_Connection *conn, struct http_request *req)
{
    struct sse_stream *st = req->parked;

    req->parked = NULL;
    return sse_answer_ready(conn, st, NULL);
}

static enum MHD_Result handle_post(struct http_server *hsrv, struct MHD_Connection *conn,
                                   struct http_request *req, const char *sid)
{
    struct jsonrpc_msg msg;
    struct http_session *hs;
    enum MHD_Result rc;
    const char *pv;
    size_t pvl;

    if (req->too_big)
        return http_refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, JSONRPC_INVALID_REQUEST,
                           "Invalid Request: body exceeds max-message-size");
    jsonrpc_parse(req->body ? req->body : "", req->len, &msg);
    if (msg.kind == JSONRPC_INVALID) {
        /* the id when it could be read (a request too deeply nested), else null */
        rc = http_refuse_id(conn, MHD_HTTP_BAD_REQUEST, msg.id, msg.code, msg.message, NULL);
        jsonrpc_msg_release(&msg);
        return rc;
    }
    /* an initialize that carries the modern _meta is no legacy handshake (basic/versioning.mdx
     * "Backward Compatibility"): it goes the stateless way, and is not a method there */
    bool is_init = msg.kind == JSONRPC_REQUEST && !strcmp(msg.method, "initialize") &&
                   !json_object_get(json_object_get(msg.params, "_meta"),
                                    "io.modelcontextprotocol/protocolVersion");
    bool streams = msg.kind == JSONRPC_REQUEST && mcp_method_streams(msg.method);
    if (!sid && msg.kind == JSONRPC_REQUEST && !is_init) {
        /* no session and no initialize: a stateless request (2026-07-28 basic/versioning.mdx,
         * "Backward Compatibility": initialize is what selects the legacy era) */
        rc = handle_stateless(hsrv, conn, req, &msg);
        jsonrpc_msg_release(&msg);
        return rc;
    }

    /* the message parsed once: the session takes it as it is */
    if (sid)
        hs = owned_session(hsrv, conn, req, sid, "Session not found: initialize a new session",
                           &rc);
    else if (is_init && http_header(conn, "MCP-Protocol-Version", &pv, &pvl) &&
             !mcp_protocol_supported(pv, pvl))
        hs = NULL, rc = http_refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                                    "Bad Request: unsupported MCP-Protocol-Version");
    else if (is_init)
        hs = new_session(hsrv, conn, req, &rc);
    else /* a notification or a response without a session: nothing to say it to */
        hs = NULL, rc = http_reply(conn, MHD_HTTP_ACCEPTED, NULL, NULL, NULL);
    if (hs) {
        rc = post_run(conn, hs, req, &msg, streams, is_init ? hs->id : NULL);
        http_session_unref(hs);
    }
    jsonrpc_msg_release(&msg);
    return rc;
}

static enum MHD_Result handle_get(struct http_server *hsrv, struct MHD_Connection *conn,
                                  const struct http_request *req, const char *sid)
{
    struct http_session *hs;
    struct sse_stream *st;
    enum MHD_Result rc;
    int ok = http_accepts(conn, "text/event-stream");

    if (ok < 0)
        return http_refuse_bad_accept(conn);
    if (!ok)
        return http_refuse(conn, MHD_HTTP_NOT_ACCEPTABLE, -32000,
                           "Not Acceptable: the client must accept text/event-stream");
    if (!sid)
        return http_refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                           "Bad Request: the Mcp-Session-Id header is required");
    if (!(hs = owned_session(hsrv, conn, req, sid, "Session not found: initialize a new session",
                             &rc)))
        return rc;
    st = sse_new(STREAM_KEEPALIVE_S);
    if (http_session_listen(hs, st) < 0) {
        if (st)
            sse_discard(st);
        http_session_unref(hs);
        return http_refuse(conn, MHD_HTTP_CONFLICT, -32000,
                           "Conflict: only one GET stream is allowed per session");
    }
    http_session_unref(hs);
    return sse_answer(conn, st, NULL);
}

static enum MHD_Result handle_delete(struct http_server *hsrv, struct MHD_Connection *conn,
                                     const struct http_request *req, const char *sid)
{
    struct http_session *hs;
    enum MHD_Result rc;

    if (!sid)
        return http_refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                           "Bad Request: the Mcp-Session-Id header is required");
    if (!(hs = owned_session(hsrv, conn, req, sid, "Session not found", &rc)))
        return rc;
    http_session_unref(hs);
    if ((hs = http_session_find(hsrv, sid, true)))
        http_session_end(hs);
    return http_reply(conn, MHD_HTTP_OK, NULL, NULL, NULL);
}

/* Append one piece of the body, up to max-message-size (past it, the request is marked too
 * big and the rest is dropped). MHD_NO when out of memory. */
static enum MHD_Result body_append(struct http_request *req, const char *upload, size_t n,
                                   size_t max)
{
    if (req->too_big || req->len + n > max) {
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

/* libmicrohttpd's access handler: called with the headers (checked then), with each piece of
 * the body, and once more when the body is in (answered then). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    struct http_server *hsrv = cls;
    struct http_request *req = *con_cls;
    const char *sid = NULL;
    char sidbuf[33];
    enum MHD_Result rc;
    (void)version;

    if (!req) {
        /* First call: headers only. Refuse early what needs no body. */
        http_conn_request(hsrv, conn, true);
        if (!(req = calloc(1, sizeof(*req))))
            return MHD_NO;
        *con_cls = req;
        return http_check_headers(hsrv, conn, url, method, req, &rc) ? MHD_YES : rc;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        return body_append(req, upload, n, hsrv->settings->max_message_size);
    }
    if (req->parked)
        return post_resumed(conn, req);
    switch (session_id_of(conn, sidbuf)) {
    case -1:
        return http_refuse(conn, MHD_HTTP_NOT_FOUND, -32001,
                           "Session not found: this Mcp-Session-Id was never issued here; "
                           "initialize a new session");
    case 1:
        sid = sidbuf;
        break;
    }
    if (!strcmp(method, "POST"))
        return handle_post(hsrv, conn, req, sid);
    if (!strcmp(method, "GET"))
        return handle_get(hsrv, conn, req, sid);
    if (!strcmp(method, "DELETE"))
        return handle_delete(hsrv, conn, req, sid);
    return http_refuse(conn, MHD_HTTP_METHOD_NOT_ALLOWED, -32000,
                       "Method Not Allowed: use POST, GET or DELETE");
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_request *req = *con_cls;
    (void)toe;

    http_conn_request(cls, conn, false);
    if (req) {
        if (req->parked)
            sse_response_done(req->parked); /* never answered */
        free(req->body);
        free(req);
        *con_cls = NULL;
    }
}

/* ---- the daemon ---- */

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

/* The exit status of a configuration error (main.c's, the README's). */
#define HTTP_EXIT_CONFIG 2

/* The listen address into *ss and *loopback, with a token beyond loopback. Returns 0, or
 * HTTP_EXIT_CONFIG after logging why. */
static int check_listen(struct mcp_server *srv, const struct settings *settings,
                        struct sockaddr_storage *ss, bool *loopback)
{
    if (parse_listen(settings->listen, ss, loopback) < 0) {
        log_msg(LOG_ERROR, "%s: listen address '%s' is not ADDR:PORT (e.g. 127.0.0.1:3111 or "
                "[::1]:3111)", settings_source(settings, "listen"), settings->listen);
        return HTTP_EXIT_CONFIG;
    }
    if (!*loopback && mcp_server_tokens(srv)->count == 0) {
        log_msg(LOG_ERROR, "%s: refusing to listen on %s: beyond loopback the server needs "
                "authentication; configure bearer tokens (\"tokens\" in the config file)",
                settings_source(settings, "listen"), settings->listen);
        return HTTP_EXIT_CONFIG;
    }
    return 0;
}

int http_check(struct mcp_server *srv, const struct settings *settings)
{
    struct sockaddr_storage ss;
    bool loopback;

    return check_listen(srv, settings, &ss, &loopback);
}

/* Check what the daemon needs before it starts: the listen address, a token beyond loopback,
 * libmicrohttpd itself. Returns 0, or the exit status after logging why (HTTP_EXIT_CONFIG for
 * a bad setting). */
static int prepare(struct http_server *hsrv, struct sockaddr_storage *ss)
{
    char why[320];
    int rc;

    if ((rc = check_listen(hsrv->mcp, hsrv->settings, ss, &hsrv->loopback)) != 0)
        return rc;
    if (dl_mhd_load(why, sizeof(why)) < 0) {
        log_msg(LOG_CRITICAL, "cannot serve HTTP: %s", why);
        return 1;
    }
    return 0;
}

/* A few threads each poll many connections (epoll), so that a thousand slow clients cost a
 * thousand sockets, not a thousand threads; a silent connection is closed after the idle
 * timeout, and one address may hold only so many. */
/* libmicrohttpd's own diagnostics, as our log lines ("opensips-mcp: warning: libmicrohttpd:
 * ..."), not raw text on stderr; its messages end in a newline, which the log adds itself. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char text[512];
    size_t n;

    (void)cls;
    vsnprintf(text, sizeof(text), fmt, ap);
    n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    log_msg(LOG_WARNING, "libmicrohttpd: %s", text);
}

static struct MHD_Daemon *start_daemon(struct http_server *hsrv, struct sockaddr_storage *ss)
{
    const struct settings *settings = hsrv->settings;

    /* the logger first: libmicrohttpd prints raw text for whatever comes before it */
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                                MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                                (ss->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                            0, NULL, NULL, on_request, hsrv,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
                            MHD_OPTION_THREAD_POOL_SIZE, settings->http_threads,
                            MHD_OPTION_CONNECTION_LIMIT, settings->max_connections,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                            settings->max_connections_per_address,
                            MHD_OPTION_CONNECTION_TIMEOUT, settings->http_idle_timeout_s,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, hsrv,
                            MHD_OPTION_NOTIFY_CONNECTION, http_conn_notify, hsrv,
                            MHD_OPTION_END);
}

/* Wait for a termination signal; meanwhile, every second, end idle sessions, send keepalives
 * and cut off connections past the header deadline. SIGHUP reopens the audit file. Returns
 * the signal. */
static int run_ticker(struct http_server *hsrv)
{
    sigset_t sigs;
    int sig;

    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    for (;;) {
        struct timespec tick = {1, 0};
        sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig == SIGHUP) {
            mcp_server_reopen_logs(hsrv->mcp);
            continue;
        }
        if (sig > 0)
            return sig;
        http_sessions_expire(hsrv);
        sse_tick();
        http_conns_tick(hsrv);
    }
}

/* The address the daemon is bound to, "127.0.0.1:40123" or "[::1]:40123" (the kernel's port
 * when port 0 was asked for); `asked` when the socket cannot tell. */
static const char *bound_address(struct MHD_Daemon *d, const char *asked, char *buf, size_t n)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[INET6_ADDRSTRLEN];

    if (!di || getsockname(di->listen_fd, (struct sockaddr *)&ss, &len) < 0)
        return asked;
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        if (!inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host)))
            return asked;
        snprintf(buf, n, "[%s]:%u", host, ntohs(a->sin6_port));
        return buf;
    }
    const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
    if (ss.ss_family != AF_INET || !inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host)))
        return asked;
    snprintf(buf, n, "%s:%u", host, ntohs(a->sin_port));
    return buf;
}

int http_serve(struct mcp_server *srv, const struct settings *settings)
{
    struct http_server hsrv = {.mcp = srv, .settings = settings};
    struct sockaddr_storage ss;
    struct MHD_Daemon *d;
    char bound[80];
    int sig, rc;

    if ((rc = prepare(&hsrv, &ss)) != 0)
        return rc;
    raise_fd_limit(settings->max_connections);
    pthread_mutex_init(&hsrv.lock, NULL);
    pthread_mutex_init(&hsrv.conns_lock, NULL);
    d = start_daemon(&hsrv, &ss);
    if (!d) {
        int e = errno;
        log_msg(LOG_CRITICAL, "cannot listen on %s: %s%s", settings->listen, strerror(e),
                e == EADDRINUSE ? " (another process holds the port; 'ss -ltnp' names it)" : "");
        pthread_mutex_destroy(&hsrv.conns_lock);
        pthread_mutex_destroy(&hsrv.lock);
        return 1;
    }
    log_msg(LOG_NOTICE, "listening on http://%s/mcp", bound_address(d, settings->listen, bound,
                                                                     sizeof(bound)));
    hsrv.admin = http_sessions_admin(&hsrv);
    mcp_server_set_session_admin(srv, &hsrv.admin);

    sig = run_ticker(&hsrv);
    log_msg(LOG_INFO, "signal %d: shutting down", sig);

    mcp_server_set_session_admin(srv, NULL);
    sse_stop();
    http_sessions_end_all(&hsrv);
    sse_wake_all();
    sse_drain(1000);
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&hsrv.conns_lock);
    pthread_mutex_destroy(&hsrv.lock);
    return 0;
}
