/* tool: what rows' logic shares: its context (struct tool_ctx), MI calls with their failures
 * as tool errors, the node an argument names, what running an MI command needs (scope,
 * confirmation, known defects; the gate asks), and a cap on how much of a reply reaches the
 * model. */
#ifndef TOOLS_TOOL_H
#define TOOLS_TOOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "mcp/call.h"
#include "mcp/registry.h"
#include "mi/client.h"
#include "tools/backends.h"
#include "tools/error.h"

struct mi_cmd;
struct tool_def;

/* What a row's logic gets for one call: the request (progress, cancellation, the client), the
 * row, the backends, and the node it runs on (NULL: the default node). */
struct tool_ctx {
    struct mcp_call *call;
    const struct tool_def *def;
    const struct tool_backends *be;
    const char *node;
};

/* Call MI command `cmd` (catalogue key) with `params` (borrowed; NULL for none) on x's node.
 * Returns TOOL_OK with *result set (new reference), or the kind with *e filled: its name is the
 * MI client's ("mi_timeout"), code the node's error code. */
enum tool_err tool_mi(struct tool_ctx *x, const char *cmd, const json_t *params, json_t **result,
                      struct tool_error *e);

/* tool_mi for a reply parsed as it arrives (mi_client_call_stream): the result's events go to
 * cb (mi/stream.h) with ctx; nothing is built. TOOL_OK, or the kind with *e filled as tool_mi
 * fills it. */
enum tool_err tool_mi_stream(struct tool_ctx *x, const char *cmd, const json_t *params,
                             const struct mi_stream_cb *cb, void *ctx, struct tool_error *e);

/* The MI failure `m` as a tool error (mi_err_name as its name). */
void tool_error_from_mi(struct tool_error *e, const struct mi_error *m);

/* Whether e is the MI client's failure `err`, told by its stable name: an error the node
 * answered (MI_ERR_MI, with its code) shares TOOL_E_REFUSED with an HTTP status. */
bool tool_mi_is(const struct tool_error *e, enum mi_err err);

/* The context a check of the gate runs in (struct mcp_needs.check, before the tool's logic):
 * the call's row, its backends and the node args name. */
struct tool_ctx tool_ctx_of(struct mcp_call *c, const json_t *args);

/* The isError result for e, which is also the call's outcome in the audit trail. */
json_t *tool_error_result(struct mcp_call *c, const char *tool, const struct tool_error *e);

/* How much of one node's answer reaches the model: bytes of compact JSON (tool_cap, list pages).
 * A tool result carries its structured content twice (structuredContent and the same as text,
 * server/tools.mdx, the text copy escaped), so 22 KB keeps a whole result under 50 KB. */
#define TOOL_RESULT_CAP (22 * 1024)

/* The items of an MI listing as a new array: result[plural] when it is an array, or — as OpenSIPS
 * answers a listing filtered to one item (dialog:list {callid} gives "Dialog", not "Dialogs") —
 * the singular member wrapped in an array; an empty array otherwise. */
json_t *tool_list_items(const json_t *result, const char *plural);

/* obj[key] when it is a string, else def. */
const char *tool_str(const json_t *obj, const char *key, const char *def);

/* The "node" argument, or NULL for the default node. */
const char *tool_node(const json_t *args);

/* What running the MI command `cmd` needs, the one rule mi_execute and cluster_send_command
 * share: a read needs mi.read, a write (`write`: the command's class for these parameters)
 * needs mi.write and the user's confirmation; either is checked against the known OpenSIPS
 * defects (guards.h) first. Fills n's scopes, scope_why, confirm, check and subject; n->what is
 * the caller's. */
void tool_mi_cmd_needs(const struct mi_cmd *cmd, bool write, struct mcp_needs *n);

/* A struct mcp_needs check: guard_allows for n->subject on the node args name. */
bool tool_guard_check(struct mcp_call *c, const json_t *args, struct mcp_needs *n,
                      json_t **result);

/* Keep `value` (stolen) within `cap` bytes of compact JSON: drop the last items of its longest
 * array (the one with most items) until it fits; when no array does it (none, or the rest alone
 * is too large), answer {text_prefix, truncated: true}: the beginning of its text, cut on a UTF-8
 * character boundary so that the result is valid JSON within cap. Cuts in place, never copies,
 * and counts sizes only as far as the cap. Returns the value to send (NULL only out of memory)
 * and sets *note (NULL when nothing was cut) to a sentence saying what was cut and how to get
 * the rest. */
json_t *tool_cap(json_t *value, size_t cap, char **note);

#endif
