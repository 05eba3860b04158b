/* http_checks: what a request to the Streamable HTTP endpoint passes before it reaches a
 * session — complete headers within the header deadline, then the endpoint, Host (DNS
 * rebinding), Origin, the bearer token, MCP-Protocol-Version, and for POST the media types and
 * the size. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "jsonrpc.h"
#include "log.h"
#include "strparse.h"
#include "transport/http_headers.h"
#include "transport/http_internal.h"

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

void http_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
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
        t->since = http_mono_now();
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

void http_conn_request(struct http_server *hsrv, struct MHD_Connection *conn, bool start)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn_track *t = ci ? ci->socket_context : NULL;

    if (!t)
        return;
    pthread_mutex_lock(&hsrv->conns_lock);
    t->in_request = start;
    if (!start)
        t->since = http_mono_now();
    pthread_mutex_unlock(&hsrv->conns_lock);
}

void http_conns_tick(struct http_server *hsrv)
{
    time_t now = http_mono_now();
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

/* ---- the header checks ---- */

/* Whether a browser page of `origin` may talk to us: a loopback page, or one of
 * allowed-origins. */
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

static bool check_host_origin(const struct http_server *hsrv, struct MHD_Connection *conn,
                              enum MHD_Result *rc)
{
    const char *host, *origin;
    size_t hostl, originl;
    struct http_host hh;

    if (http_header(conn, MHD_HTTP_HEADER_HOST, &host, &hostl)) {
        if (http_host_parse(host, hostl, &hh) < 0) {
            *rc = http_refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                              "Bad Request: malformed Host header (host[:port], IPv6 in "
                              "brackets)");
            return false;
        }
        if (hsrv->loopback && !http_host_is_loopback(&hh)) {
            *rc = http_refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                              "Forbidden: Host must be a loopback name (DNS rebinding "
                              "protection)");
            return false;
        }
    }
    if (http_header(conn, "Origin", &origin, &originl) && !origin_allowed(hsrv, origin, originl)) {
        *rc = http_refuse(conn, MHD_HTTP_FORBIDDEN, -32000,
                          "Forbidden: Origin is not allowed (allowed-origins)");
        return false;
    }
    return true;
}

/* Authenticate the request when tokens are configured: 401 (with WWW-Authenticate: Bearer) for
 * a missing or wrong token, 403 for a role that may do nothing at all. */
static bool authenticate(struct http_server *hsrv, struct MHD_Connection *conn,
                         struct http_request *req, enum MHD_Result *rc)
{
    const struct tokens *tokens = mcp_server_tokens(hsrv->mcp);
    const char *h;
    size_t hl;

    if (tokens->count == 0)
        return true;
    if (!http_header(conn, MHD_HTTP_HEADER_AUTHORIZATION, &h, &hl) || hl <= 7 ||
        strncasecmp(h, "Bearer ", 7)) {
        *rc = http_refuse_with(conn, MHD_HTTP_UNAUTHORIZED, -32000,
                               "Unauthorized: send Authorization: Bearer <token>",
                               "Bearer realm=\"opensips-mcp\"");
        return false;
    }
    req->token = tokens_check(tokens, h + 7, hl - 7);
    if (!req->token) {
        log_msg(LOG_NOTICE, "refused a request with an unknown bearer token");
        *rc = http_refuse_with(conn, MHD_HTTP_UNAUTHORIZED, -32000, "Unauthorized: unknown token",
                               "Bearer realm=\"opensips-mcp\", error=\"invalid_token\"");
        return false;
    }
    if (req->token->role->scopes == 0) {
        log_msg(LOG_NOTICE, "refused %s: role %s has no scopes", req->token->name,
                req->token->role->name);
        *rc = http_refuse_with(conn, MHD_HTTP_FORBIDDEN, -32000,
                               "Forbidden: this token's role has no permissions on this server",
                               "Bearer realm=\"opensips-mcp\", error=\"insufficient_scope\"");
        return false;
    }
    return true;
}

int http_accepts(struct MHD_Connection *conn, const char *type)
{
    const char *v;
    size_t n;

    return http_header(conn, MHD_HTTP_HEADER_ACCEPT, &v, &n) ? http_accept_rates(v, n, type) : 0;
}

enum MHD_Result http_refuse_bad_accept(struct MHD_Connection *conn)
{
    return http_refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                       "Bad Request: malformed Accept header (media ranges are type/subtype, "
                       "type/* or */*, with optional ;q=0 to 1)");
}

/* A POST carries one JSON-RPC message of at most max-message-size, and its client takes both
 * answers the transport may give (JSON, or an SSE stream). */
static bool check_post(const struct http_server *hsrv, struct MHD_Connection *conn,
                       enum MHD_Result *rc)
{
    const char *ctype, *clen;
    size_t ctypel;
    uint64_t n;

    if (!http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE, &ctype, &ctypel) ||
        !http_content_type_is_json(ctype, ctypel)) {
        *rc = http_refuse(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, -32000,
                          "Unsupported Media Type: Content-Type must be application/json");
        return false;
    }
    int aj = http_accepts(conn, "application/json"), as = http_accepts(conn, "text/event-stream");
    if (aj < 0 || as < 0) {
        *rc = http_refuse_bad_accept(conn);
        return false;
    }
    if (!aj || !as) {
        *rc = http_refuse(conn, MHD_HTTP_NOT_ACCEPTABLE, -32000,
                          "Not Acceptable: the client must accept both application/json and "
                          "text/event-stream");
        return false;
    }
    clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (clen && (parse_uint(clen, UINT64_MAX, &n) < 0 || n > hsrv->settings->max_message_size)) {
        *rc = http_refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, JSONRPC_INVALID_REQUEST,
                          "Invalid Request: body exceeds max-message-size");
        return false;
    }
    return true;
}

bool http_check_headers(struct http_server *hsrv, struct MHD_Connection *conn, const char *url,
                        const char *method, struct http_request *req, enum MHD_Result *rc)
{
    const char *pv;
    size_t pvl;

    if (strcmp(url, "/mcp")) {
        *rc = http_refuse(conn, MHD_HTTP_NOT_FOUND, -32000, "Not Found: the MCP endpoint is /mcp");
        return false;
    }
    if (!check_host_origin(hsrv, conn, rc) || !authenticate(hsrv, conn, req, rc))
        return false;
    /* Without a session the version is the body's to say (a stateless request checks header
     * against _meta after the body is in: -32020 or -32022, not this). */
    if (http_header(conn, "Mcp-Session-Id", &pv, &pvl) &&
        http_header(conn, "MCP-Protocol-Version", &pv, &pvl) && !mcp_protocol_supported(pv, pvl)) {
        *rc = http_refuse(conn, MHD_HTTP_BAD_REQUEST, -32000,
                          "Bad Request: unsupported MCP-Protocol-Version");
        return false;
    }
    return strcmp(method, "POST") || check_post(hsrv, conn, rc);
}
