/* registry: tools, resources, resource templates and prompts as rows of static tables, gathered
 * into one registry per server. Listing is paginated with opaque cursors in a fixed order. */
#ifndef MCP_REGISTRY_H
#define MCP_REGISTRY_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/roles.h"
#include "mcp/call.h"

/* Tool flags: MCP annotations (server/tools.mdx, ToolAnnotations) stated explicitly. */
#define TOOL_F_READONLY    (1u << 0)
#define TOOL_F_DESTRUCTIVE (1u << 1)
#define TOOL_F_IDEMPOTENT  (1u << 2)
#define TOOL_F_OPENWORLD   (1u << 3)
/* Not an annotation: the tool may run for minutes (sampling windows), so it is served on the
 * long-job lane (settings long-workers) and never holds a worker interactive calls need. */
#define TOOL_F_LONG        (1u << 5)
/* Not an annotation: the gate asks the user (elicitation, or confirm: true) before the handler
 * runs, unless the tool's needs hook says this call does not change state. */
#define TOOL_F_CONFIRM     (1u << 4)

/* What one call needs besides its tool's scope, decided by the gate before the handler runs:
 * the tool's needs hook fills it from the arguments (mi_execute: by the command's own class). */
struct mcp_needs {
    scopes_t scopes;      /* more scopes this call needs (mi.write for an MI write); 0: none */
    char scope_why[200];  /* for the refusal when one is missing: "'core:kill' changes state" */
    bool confirm;         /* ask the user first; starts as TOOL_F_CONFIRM says */
    char what[512];       /* the change in words, valid UTF-8, for the question and the
                             refusal: "run the MI command 'core:kill' on node default" */
    /* A last check before the question, which may ask the node (a known OpenSIPS defect):
     * true to go on, else false with *result set to the refusal. NULL: none. */
    bool (*check)(struct mcp_call *c, const json_t *args, struct mcp_needs *n,
                  json_t **result);
    const char *subject;  /* what check is about (an MI command's catalogue key); static */
    unsigned long verdict;/* what check decided for the handler (which steps of a batch it
                             refused, say); the handler reads it with mcp_call_verdict */
    char node[64];        /* the node the call is about by its real name ("pbx1" when the
                             arguments name none), for the audit trail; "": as the arguments
                             say (their "node") */
};

struct mcp_tool;
/* Returns a CallToolResult (new reference). `args` is valid against the input schema. */
typedef json_t *(*mcp_tool_fn)(struct mcp_call *c, const struct mcp_tool *tool, json_t *args);

struct mcp_tool {
    const char *name;          /* [A-Za-z0-9_.-]{1,128}, unique */
    const char *title;
    const char *description;
    const char *input_schema;  /* JSON text; NULL: takes no arguments */
    const char *output_schema; /* JSON text; NULL: unstructured result */
    unsigned flags;            /* TOOL_F_* */
    mcp_tool_fn handler;
    scopes_t scope;            /* SCOPE_BIT(x) the caller's role needs; 0 for none */
    /* Instead of the two texts above: build the input (output = false) or output schema when
     * the registry is built (register_all, at start: every toolset in about 1 ms). Returns a
     * new reference, or NULL for "no output schema". */
    json_t *(*make_schema)(const struct mcp_tool *t, bool output);
    /* What this call needs (struct mcp_needs, filled with the defaults first); NULL: only the
     * defaults. Returns NULL to go on, or a result (new reference) that ends the call before
     * anything is sent (an argument found wrong on the way, such as an unknown MI command). */
    json_t *(*needs)(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                     struct mcp_needs *n);
    /* Content items the gate appends to a successful result (resource_link, MCP 2025-06-18
     * server/tools.mdx "Resource Links"), never to an error, and only for a session that
     * negotiated 2025-06-18 or later: a new array, or NULL for none. `args` as the call gave
     * them, `structured` the result's structuredContent (may be NULL). Not listed: tools/list
     * does not show it. NULL: no links. */
    json_t *(*links)(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                     const json_t *structured);
    /* A client capability the tool cannot work without ("sampling"), or NULL: a modern
     * (2026-07-28) request whose _meta lacks it is refused with -32021 before it runs. */
    const char *needs_client;
};

struct mcp_resource;
/* Returns ReadResourceResult.contents (a new array), or NULL with e set. `vars` holds the
 * template's variables (NULL for a fixed resource). */
typedef json_t *(*mcp_resource_fn)(struct mcp_call *c, const struct mcp_resource *r,
                                   const char *uri, json_t *vars, struct rpc_err *e);

/* Candidates computed per request (from a node, within a short deadline), for a completion row
 * without fixed values: append to `out` (an array) those for `argument` that start with `prefix`,
 * at most `max` of them, and return how many match in all (may exceed what was appended), or -1
 * with e set. `ctx` is the owning prompt's or resource's; `context` the request's
 * context.arguments (the values already chosen, such as a template's {node}; may be NULL). */
typedef long (*mcp_complete_fn)(struct mcp_call *c, const void *ctx, const char *argument,
                                const char *prefix, const json_t *context, json_t *out,
                                size_t max, struct rpc_err *e);

struct mcp_completion {
    const char *argument;       /* prompt argument or template variable */
    const char *const *values;  /* NULL-terminated candidates; or NULL and complete set */
    mcp_complete_fn complete;   /* candidates computed per request; NULL: values */
};

struct mcp_resource {
    const char *uri;            /* a fixed URI, or an RFC 6570 level-1 template when templated */
    bool templated;
    const char *name;
    const char *title;
    const char *description;
    const char *mime_type;
    mcp_resource_fn read;
    const struct mcp_completion *completions; /* for template variables; NULL-terminated by argument */
    const void *ctx;            /* the layer's own row, for read and complete (borrowed); may be NULL */
    unsigned scope;             /* SCOPE_BIT(...) a reader needs (auth/roles.h), 0: none. A caller
                                   without it does not see it listed, and cannot read or follow it */
};

struct mcp_prompt_arg {
    const char *name;
    const char *description;
    bool required;
};

struct mcp_prompt;
/* Returns a GetPromptResult (new reference), or NULL with e set. */
typedef json_t *(*mcp_prompt_fn)(struct mcp_call *c, const struct mcp_prompt *p, json_t *args,
                                 struct rpc_err *e);

struct mcp_prompt {
    const char *name;
    const char *title;
    const char *description;
    const struct mcp_prompt_arg *args;        /* terminated by a row with name NULL */
    mcp_prompt_fn get;
    const struct mcp_completion *completions; /* terminated by a row with argument NULL */
    const void *ctx;            /* the layer's own row, for get and complete (borrowed); may be NULL */
};

enum registry_kind { REG_TOOLS, REG_RESOURCES, REG_TEMPLATES, REG_PROMPTS, REG_KIND_COUNT };

struct registry {
    const struct mcp_tool **tools;
    size_t ntools;
    const struct mcp_resource **resources; /* fixed and templated together */
    size_t nresources;
    const struct mcp_prompt **prompts;
    size_t nprompts;

    /* Built once, by registry_build (at start) or on first use: the listing of each kind, and
     * parsed tool schemas. */
    pthread_mutex_t lock;
    atomic_bool built;          /* set once build() has run: the fast path reads it unlocked */
    json_t *listing[REG_KIND_COUNT];
    json_t **input_schemas;
    json_t **output_schemas;
    int build_error;
};

void registry_init(struct registry *r);
void registry_release(struct registry *r);
/* Add rows from a table of n entries. Returns 0 or -1 (out of memory, or a duplicate name). */
int registry_add_tools(struct registry *r, const struct mcp_tool *rows, size_t n);
int registry_add_resources(struct registry *r, const struct mcp_resource *rows, size_t n);
int registry_add_prompts(struct registry *r, const struct mcp_prompt *rows, size_t n);
/* Parse and check every schema now; returns 0 or -1 with the offending tool in err. */
int registry_build(struct registry *r, char *err, size_t errlen);

/* Which tools a caller sees; NULL shows all. */
typedef bool (*registry_visible_fn)(const void *row, const void *ctx);

/* One page of a listing: {"<key>":[...], "nextCursor"?}. NULL with e set for a bad cursor.
 * `visible` (may be NULL) filters the list before paging: it gets the row (a struct mcp_tool,
 * mcp_resource or mcp_prompt, by kind) and ctx. */
json_t *registry_list(struct registry *r, enum registry_kind kind, const json_t *params,
                      size_t page_size, registry_visible_fn visible, const void *ctx,
                      struct rpc_err *e);

const struct mcp_tool *registry_tool(struct registry *r, const char *name, size_t *index);
const json_t *registry_input_schema(struct registry *r, size_t index);
const json_t *registry_output_schema(struct registry *r, size_t index);
/* The resource that serves `uri` (fixed first, then templates); vars receives template
 * variables as a new object (NULL for fixed ones). */
const struct mcp_resource *registry_resource(struct registry *r, const char *uri, json_t **vars);
const struct mcp_resource *registry_template(struct registry *r, const char *uri_template);
const struct mcp_prompt *registry_prompt(struct registry *r, const char *name);

/* Match `uri` against an RFC 6570 level-1 template ("test://template/{id}/data"): each {var}
 * matches one or more characters other than '/'. Returns a new object of variables or NULL. */
json_t *uri_template_match(const char *tmpl, const char *uri);

/* The bytes a resource URI's variable carries as they are (ALPHA DIGIT - . _ ~ @ : +); every
 * other byte is %XX, upper-case hex. */
bool uri_plain(unsigned char c);
/* The form of `uri` two spellings of one resource share: each %XX of a plain byte decoded
 * (alice%40example.com is alice@example.com), every other escape's hex upper-cased. Into out
 * (NUL-terminated): 0, or -1 when it does not fit in n bytes. Subscriptions match on it. */
int uri_canon(const char *uri, char *out, size_t n);

#endif
