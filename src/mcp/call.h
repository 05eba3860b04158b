/* call: what a method, tool, resource or prompt handler may do while it serves one request —
 * notice cancellation, sleep or wait cancellably, report progress, log to the client, and send
 * requests to the client (elicitation, sampling) and wait for their answers. */
#ifndef MCP_CALL_H
#define MCP_CALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct mcp_call;
struct mcp_server;
struct mcp_tool;

/* A JSON-RPC error a method handler returns instead of a result. */
struct rpc_err {
    int code;
    char message[512];
    json_t *data; /* owned, may be NULL */
};
void rpc_err_set(struct rpc_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* True once the client sent notifications/cancelled for this request or the session ended. */
bool mcp_call_cancelled(struct mcp_call *c);
/* Sleep up to `ms` milliseconds. Returns 0, or -1 as soon as the call is cancelled. */
int mcp_call_sleep_ms(struct mcp_call *c, unsigned ms);

/* notifications/progress when the request carried _meta.progressToken; `total` < 0 means
 * unknown, `message` may be NULL. Values that do not increase are dropped (progress MUST
 * increase, basic/utilities/progress.mdx). */
void mcp_call_progress(struct mcp_call *c, double progress, double total, const char *message);

/* notifications/message when `level` is at or above the session's logging/setLevel level.
 * `data` (stolen) is redacted of secrets before it is sent. */
void mcp_call_log(struct mcp_call *c, enum log_level level, const char *logger, json_t *data);

/* Whether the client declared capability `name` ("elicitation", "sampling", ...) at initialize. */
bool mcp_call_client_supports(struct mcp_call *c, const char *name);

/* Ask the client (elicitation/create, sampling/createMessage, roots/list). `params` is stolen.
 * Legacy era: the request goes on this call's stream and the call waits for the answer.
 * Modern era (2026-07-28, MRTR): nothing is sent; the answer is the one the request brought
 * under `key` (inputResponses, or requestState from an earlier round), and when there is none
 * the question is kept and the call answers input_required, whatever its handler returns
 * (mcp_call_input_pending tells a handler that asks several things that it need not go on).
 * Returns the answer (new reference), or NULL with a sentence in err: the client's error, a
 * time-out after `timeout_ms`, cancellation, or "input required". `key` is a short stable name
 * of the question ("confirm"), the same in every round. */
json_t *mcp_call_client_request(struct mcp_call *c, const char *key, const char *method,
                                json_t *params, unsigned timeout_ms, char *err, size_t errlen);
/* Whether the call asked the client something it has no answer for yet (modern era). */
bool mcp_call_input_pending(struct mcp_call *c);
/* Whether the call is of the stateless 2026-07-28 era. */
bool mcp_call_modern(struct mcp_call *c);

/* What the tool's needs check decided for its handler (struct mcp_needs.verdict), 0 when it
 * has none. */
unsigned long mcp_call_verdict(struct mcp_call *c);

/* The tool this call runs (tools/call), or NULL. */
const struct mcp_tool *mcp_call_tool(struct mcp_call *c);

/* The server this call runs in (registries, settings). */
struct mcp_server *mcp_call_server(struct mcp_call *c);

/* Say how the call ended, for the audit trail, when the result alone does not ("unconfirmed",
 * "declined"). `outcome` must be a string literal. */
void mcp_call_set_outcome(struct mcp_call *c, const char *outcome);

/* Whether the caller's role holds every scope in `scopes` (SCOPE_BIT(...) | ...). */
bool mcp_call_has_scopes(struct mcp_call *c, unsigned scopes);
/* The caller's principal and role names (borrowed, valid during the call). */
const char *mcp_call_principal(struct mcp_call *c);
const char *mcp_call_role(struct mcp_call *c);

#endif
