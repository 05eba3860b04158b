/* server: the MCP side of the program — sessions, the method table, dispatch of JSON-RPC
 * messages, and in-flight requests. Transports feed it bytes and give it somewhere to write;
 * it knows nothing of how the bytes travel. */
#ifndef MCP_SERVER_H
#define MCP_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/tokens.h"
#include "mcp/registry.h"
#include "settings.h"

struct mcp_server;
struct mcp_session;

/* Where messages go. send() gets one compact JSON message (no newline). `final` marks the end
 * of a request: its reply, or — when the reply is suppressed by cancellation — line == NULL.
 * A transport may free the channel after the final send; the session never touches it again. */
struct mcp_out {
    void (*send)(struct mcp_out *out, const char *line, size_t len, bool final);
    void *ctx;
};

/* A server over the given settings (borrowed; must outlive it), with an empty registry: the
 * caller fills it (main: register_all, which builds it too) before serving. NULL with err on
 * failure. */
struct mcp_server *mcp_server_new(const struct settings *settings, char *err, size_t errlen);
/* Cancel what still runs, wait for the workers, free. */
void mcp_server_free(struct mcp_server *srv);
struct registry *mcp_server_registry(struct mcp_server *srv);
const struct settings *mcp_server_settings(struct mcp_server *srv);

/* A session: one MCP connection (stdio) or one Mcp-Session-Id (HTTP). `notify` (borrowed, may
 * be NULL) carries messages that belong to no request, such as resource updates. */
struct mcp_session *mcp_session_new(struct mcp_server *srv, struct mcp_out *notify);
/* Who is behind the session and what their role allows (default: "local", the `role` setting). */
void mcp_session_set_principal(struct mcp_session *s, const char *principal, const struct role *role);
const char *mcp_session_principal(struct mcp_session *s);
const struct tokens *mcp_server_tokens(struct mcp_server *srv);
/* Reopen the audit file (SIGHUP, after logrotate moved it). */
void mcp_server_reopen_logs(struct mcp_server *srv);

/* Whether the session has no request in flight. */
bool mcp_session_idle(struct mcp_session *s);

/* What a transport with sessions of its own (HTTP) lets admin tools see and end; stdio has none.
 * Both run on a tool's worker thread. */
struct mcp_session_admin {
    json_t *(*list)(void *ctx);            /* a new array of session objects */
    int (*end)(void *ctx, const char *id); /* 0, or -1 when no session has that id */
    void *ctx;
};
/* Register `a` (borrowed, until it is replaced by NULL, which waits for calls in progress). */
void mcp_server_set_session_admin(struct mcp_server *srv, const struct mcp_session_admin *a);
/* The transport's sessions as a new array; NULL when the transport has none (stdio). */
json_t *mcp_server_sessions_list(struct mcp_server *srv);
/* End the transport's session `id`: 0, -1 when there is no such session, -2 when the transport
 * has no sessions (stdio). */
int mcp_server_session_end(struct mcp_server *srv, const char *id);

/* Cancel the session's requests and drop the transport's reference. Requests still running
 * keep the session alive until they finish; their replies are suppressed. */
void mcp_session_close(struct mcp_session *s);

enum mcp_handled {
    MCP_NO_REPLY, /* a notification or a response: nothing will be sent on `out` */
    MCP_REPLY,    /* a reply (or a final NULL) is or will be sent on `out` */
};

/* Handle one message of `len` bytes. Replies and the messages related to a request (progress,
 * logs, requests to the client) go to `out`, possibly later from a worker thread. */
enum mcp_handled mcp_session_handle(struct mcp_session *s, const char *buf, size_t len,
                                    struct mcp_out *out);
struct jsonrpc_msg;
/* The same for a message the transport already parsed (jsonrpc_parse): a request's message
 * is taken over (msg->root becomes NULL); the caller still releases msg. */
enum mcp_handled mcp_session_handle_msg(struct mcp_session *s, struct jsonrpc_msg *msg,
                                        struct mcp_out *out);
/* Whether a request for `method` may emit messages before its reply (progress, logs, requests
 * to the client): the HTTP transport answers those with an SSE stream, the rest with JSON. */
bool mcp_method_streams(const char *method);

/* Whether the `len` bytes at `v` name a protocol revision this server speaks: the one list
 * that initialize negotiates from (basic/lifecycle.mdx, "Version Negotiation") and the HTTP
 * transport checks MCP-Protocol-Version against (basic/transports.mdx, "Protocol Version
 * Header"). */
bool mcp_protocol_supported(const char *v, size_t len);

/* Error codes of MCP 2026-07-28 (basic/index.mdx; -32020...-32099 are the spec's). */
#define MCP_ERR_HEADER_MISMATCH -32020       /* an Mcp-* header disagrees with the body */
#define MCP_ERR_MISSING_CAPABILITY -32021    /* the request needs a client capability it lacks */
#define MCP_ERR_UNSUPPORTED_VERSION -32022   /* the _meta protocol version is not spoken here */

/* A session for one stateless (MCP 2026-07-28) HTTP request, with the caller's principal and
 * role (NULL, NULL: "local" with the default role): every request on it must be modern. Close it (mcp_session_close) when the response is
 * over: a request still running then is cancelled (the client went away), which is how a
 * modern client cancels over HTTP. */
struct mcp_session *mcp_session_new_stateless(struct mcp_server *srv, const char *principal,
                                              const struct role *role);
/* Whether a request's HTTP reply for JSON-RPC error `code` of a stateless request is an HTTP
 * error status (basic/transports.mdx 2026-07-28): 404 for -32601, 400 for the request's own
 * faults; 200 otherwise. */
unsigned mcp_modern_http_status(int code);

/* Answer a message that was refused before parsing (too large): -32600 with id null. */
void mcp_session_reject(struct mcp_session *s, struct mcp_out *out, int code, const char *message);

/* Wait up to `grace_ms` for running requests, then cancel the rest and wait for them. */
void mcp_session_drain(struct mcp_session *s, unsigned grace_ms);

/* Tell every session subscribed to `uri` that it changed (notifications/resources/updated):
 * over HTTP on the session's GET stream (dropped when none is open), over stdio inline. */
void mcp_server_resource_updated(struct mcp_server *srv, const char *uri);
/* Whether some open session is subscribed to `uri` (resources/subscribe): the event listener
 * keeps nothing for a resource no one follows. */
bool mcp_server_resource_subscribed(struct mcp_server *srv, const char *uri);

/* The lists a client may follow (subscriptions/listen's toolsListChanged, promptsListChanged,
 * resourcesListChanged). */
#define LISTEN_TOOLS     (1u << 0)
#define LISTEN_PROMPTS   (1u << 1)
#define LISTEN_RESOURCES (1u << 2)
/* Tell sessions and listen streams that follow it that list `kind` (LISTEN_*) changed:
 * notifications/{tools,prompts,resources}/list_changed. */
void mcp_server_list_changed(struct mcp_server *srv, unsigned kind);

/* subscriptions/listen streams one session may hold open at once (a stdio client; over HTTP
 * each stream is a session of its own, bounded by the connection limits). */
#define MCP_LISTENS_MAX 8

/* Resources one session may be subscribed to at once, and the longest URI it may subscribe to;
 * resources/subscribe past either is refused (so a session's subscriptions stay under 512 KiB). */
#define MCP_SUBSCRIPTIONS_MAX 256
#define MCP_SUBSCRIPTION_URI_MAX 2048

#endif
