/* resources: the product resources as rows of data, like the tool rows (tools/row.h): a URI or
 * an RFC 6570 template, name, title, description, MIME type, the toolset that lists it, the
 * scope a reader needs, the MI commands whose answers make its body (or a read function where
 * real logic lives), where each template variable's completions come from, and the node events
 * that change it (the hook the live-updates work uses).
 *
 * URIs: opensips://{node}/... is the state of one OpenSIPS node, the node's name as the URI's
 * authority (a node is a host; a client shows them grouped); opensips-mcp://... is this server's
 * own (its docs, its nodes), so that no node name can shadow it. Variables are percent-decoded
 * before use ({callid} may hold '/' as %2F). Resources are read on demand, nothing is cached.
 *
 * Errors of resources/read: -32002 (resource not found) for a URI no row serves, a node not
 * configured, a bad escape, or a variable naming nothing on the node (no such dialog, AOR,
 * statistic group, MI command), or nothing this server may serve (a config missing or refused,
 * no cfg root, no database for the node); -32603 when the node could not answer (down,
 * time-out, MI error), with the MI client's sentence, or the server could not serve what
 * exists (a config over its size cap or not UTF-8, a database that fails); -32600 when the
 * caller's role lacks the row's scope. */
#ifndef RESOURCES_RESOURCES_H
#define RESOURCES_RESOURCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "auth/roles.h"
#include "complete/complete.h"
#include "mcp/registry.h"

struct mcp_server;
struct tool_backends;

/* A template variable other than {node} (which always completes from the node names). */
struct resource_var {
    const char *name;
    enum compl_source complete;
};

struct resource_def;

/* What a read function gets: the call, its backends, the node (its real name) and the
 * variables (percent-decoded strings). */
struct resource_ctx {
    struct mcp_call *call;
    const struct resource_def *def;
    const struct tool_backends *be;
    const char *node;        /* NULL for a resource of this server */
    const json_t *vars;
};

/* The body: a JSON value (sent as application/json text) or a string (sent as is, the row's
 * MIME type); NULL with e set (MCP_RESOURCE_NOT_FOUND for a variable naming nothing). */
typedef json_t *(*resource_read_fn)(struct resource_ctx *x, struct rpc_err *e);

struct resource_def {
    const char *uri;         /* fixed, or a template with {node} and RVARS' variables */
    const char *name;
    const char *title;
    const char *description;
    const char *mime;        /* "application/json", "text/markdown" */
    const char *toolset;     /* listed only when this toolset is enabled; NULL: always */
    scopes_t scope;          /* SCOPE_BIT(...) a reader's role needs; 0: none */
    const char *const *mi;   /* RMI(...): the MI commands (catalogue keys) whose answers make
                                the body, {key: answer}; used when read is NULL */
    resource_read_fn read;   /* the row's own logic; NULL: the commands above */
    const struct resource_var *vars; /* RVARS(...): variables besides {node}; NULL: none */
    /* The hook for live updates: the node events (E_UL_AOR_INSERT, ...) after which this
     * resource may read differently; resources_changed() tells its subscribers. NULL: none. */
    const char *const *events;
};

#define RMI(...)    ((const char *const[]){__VA_ARGS__, NULL})
#define REVENTS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define RVARS(...)  ((const struct resource_var[]){__VA_ARGS__, {0}})

/* Longest variable value, decoded, in bytes. */
#define RESOURCE_VAR_MAX 256

extern const struct resource_def resource_rows[];
extern const size_t resource_row_count;

/* Register the rows whose toolset `toolsets` enables, over `be` (borrowed; outlives the
 * registry). 0, or -1 out of memory. */
int resources_register(struct registry *reg, const struct tool_backends *be,
                       const char *toolsets);

/* The URI of row d for `node` and `vars` (strings, percent-encoded here; NULL when the row has
 * only {node}) into buf: 0, or -1 when a variable is missing or buf is too small. */
int resources_uri(const struct resource_def *d, const char *node, const json_t *vars,
                  char *buf, size_t n);

/* The row whose URI (or URI template) is exactly `uri`, or NULL. */
const struct resource_def *resources_find(const char *uri);

/* A resource_link content item pointing at row d's resource for `node` and `vars` (MCP
 * 2025-06-18 server/tools.mdx, "Resource Links"): {type, uri, name, title, mimeType} (new
 * reference). NULL when a variable of the URI is missing or empty, a value (node included) is
 * longer than RESOURCE_VAR_MAX bytes (resources/read would refuse it), or the URI does not fit
 * in RESOURCE_URI_MAX. */
json_t *resources_link(const struct resource_def *d, const char *node, const json_t *vars);

/* For the live-updates work: tell every session subscribed to row d's resource for node and
 * vars that it changed (notifications/resources/updated). */
void resources_changed(struct mcp_server *srv, const struct resource_def *d, const char *node,
                       const json_t *vars);

/* Whether row d is changed by the node event `event` (its events list names it). */
bool resources_watch(const struct resource_def *d, const char *event);

/* Longest resource URI the event hook builds, in bytes with the NUL. */
#define RESOURCE_URI_MAX 1024

/* The URIs node event `event` (its parameters `params`, an object as the event datagram
 * carries them) changes on `node`: one per row that watches it, its variables taken from the
 * event parameters of the same name ({aor} from "aor", {callid} from "callid"); a row whose
 * variable the event lacks is skipped. Into uris (at most max); returns how many. */
size_t resources_event_uris(const char *node, const char *event, const json_t *params,
                            char (*uris)[RESOURCE_URI_MAX], size_t max);

/* The one call the live-updates work makes per event: fn with each URI resources_event_uris
 * gives. Returns how many. */
size_t resources_event_each(const char *node, const char *event, const json_t *params,
                            void (*fn)(const char *uri, void *ctx), void *ctx);

/* Most distinct events the resource rows watch. */
#define RESOURCE_EVENTS_MAX 32
/* The distinct events the registered rows (those of enabled toolsets) watch, into names (at
 * most max, NULL after the last): what the server subscribes its nodes to. Returns how many. */
size_t resources_events(const char **names, size_t max);

/* Percent-decode src (at most RESOURCE_VAR_MAX decoded bytes) into a new string; NULL for a
 * bad escape, a NUL, or a value too long. */
char *resources_decode(const char *src);

/* Markdown for every resource row (URI, what it is for, toolset, scope, variables with their
 * completion, the events that change it). 0 or -1. */
int resources_markdown(FILE *out);
/* The whole reference, prompts then resources: docs/prompts.md, opensips-mcp://docs/prompts. */
int prompts_resources_markdown(FILE *out);

#endif
