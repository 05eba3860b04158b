/* mi/client: the one way the server talks to OpenSIPS. A call names a node, a command by
 * catalogue key ("dialog:end_dlg"), named parameters and a deadline; it returns the result or a
 * typed error (mi/error.h). The client learns each node's version and command list on first
 * contact (version, which), sends the name that node accepts (4.x "dialog:end_dlg", 3.x
 * "dlg_end_dlg"), checks parameters against the catalogue's recipes before anything is sent,
 * and retries only read-only commands, only on connect failure, time-out or 5xx, inside the
 * deadline. Thread-safe: any number of threads may call at once. */
#ifndef MI_CLIENT_H
#define MI_CLIENT_H

#include <jansson.h>
#include <stdint.h>

#include "mi/catalogue.h"
#include "mi/config.h"
#include "mi/error.h"
#include "mi/transport.h"

struct mi_client;

/* A client for the nodes in cfg (copied; cfg may be released after). When cfg has no node,
 * OpenSIPS's default FIFO becomes node "default" if it exists (mi_config_fallback; logged at
 * notice). NULL with e filled when a node's address is invalid, names repeat, or the default
 * node is unknown. Call mi_transport_global_init() once before. */
struct mi_client *mi_client_new(const struct mi_config *cfg, struct mi_error *e);
void mi_client_free(struct mi_client *c);

/* A deadline `ms` milliseconds from now, on the scale calls take. */
uint64_t mi_deadline_after(unsigned ms);

/* Run `command` (catalogue key, 3.x name or 4.x alias) on `node` (NULL: the default node) with
 * `params` (borrowed JSON object, NULL for none), finishing by `deadline` (0: the configured
 * time-out from now, or the command's own longer one, mi_cmd.min_timeout_ms). On MI_OK *result is the reply's "result" (new reference). On
 * failure *result is NULL and e (may be NULL) says why; e->text is a sentence for a person. */
enum mi_err mi_client_call(struct mi_client *c, const char *node, const char *command,
                           const json_t *params, uint64_t deadline, json_t **result,
                           struct mi_error *e);

struct mi_stream_cb;

/* mi_client_call, but the reply is parsed as it arrives (mi/stream.h) and its result's events
 * go to cb->event(ctx, ...) instead of being built: for replies too big to hold (usrloc:dump).
 * Such a reply may be MI_STREAM_FACTOR times the MI reply limit (mi_stream_max): what is held
 * is what the callbacks keep. Same naming, checks, retries (cb->reset before each attempt) and
 * errors as mi_client_call; on anything but MI_OK, drop what the callbacks kept. Small replies
 * are best left to mi_client_call. */
enum mi_err mi_client_call_stream(struct mi_client *c, const char *node, const char *command,
                                  const json_t *params, uint64_t deadline,
                                  const struct mi_stream_cb *cb, void *ctx, struct mi_error *e);

/* A streamed reply may be this many times the MI reply limit (--mi-max-reply, 16 MiB: 256 MiB):
 * a held reply costs about 13 bytes of memory per byte once jansson has built it, a streamed one
 * only what its callbacks keep. */
#define MI_STREAM_FACTOR 16
size_t mi_stream_max(size_t max_reply);

/* Whether `node` offers `command` (catalogue key, 3.x name or 4.x alias) under some name of its
 * version, as learned from `which` (learning first if needed, and once more when the command is
 * missing: a module may have been loaded since). MI_OK when it does; MI_ERR_UNKNOWN_COMMAND with
 * a sentence naming the command and asking whether its module is loaded when it does not; any
 * other error when the node could not be asked. Nothing but version and which is sent. */
enum mi_err mi_client_offers(struct mi_client *c, const char *node, const char *command,
                             struct mi_error *e);

/* Send `method` exactly as given (no catalogue, no naming, no parameter check, no retry), one
 * attempt. For diagnostics, benchmarks and the simulator's sim:* control methods. */
enum mi_err mi_client_call_raw(struct mi_client *c, const char *node, const char *method,
                               const json_t *params, uint64_t deadline, json_t **result,
                               struct mi_error *e);

/* What the client knows of a node: {"name","address","transport","default","learned",
 * "version","major","commands"} (new reference), or NULL for an unknown node. */
json_t *mi_client_node_info(struct mi_client *c, const char *node);
/* The name of the node `node` resolves to: the default node's for NULL or "", the configured
 * name for a configured one; NULL for an unknown name or when no node is configured. Borrowed,
 * valid as long as the client. */
const char *mi_client_resolve_name(const struct mi_client *c, const char *node);
/* Number of nodes, and the name of the i-th (borrowed; NULL out of range). */
size_t mi_client_node_count(const struct mi_client *c);
const char *mi_client_node_name(const struct mi_client *c, size_t i);

/* Attempts made by the last mi_client_call on this thread (1 = no retry); for tests. */
unsigned mi_client_last_attempts(void);

#endif
