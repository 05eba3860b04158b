/* row: an OpenSIPS tool as a row of data — name, toolset, arguments (JSON type, description,
 * constraints, the MI parameter each fills), the MI command by catalogue key, the scope it needs,
 * its annotations and how its reply is shaped. Registration turns rows into MCP tools with
 * generated input and output schemas; one generic handler runs most of them, and a row names its
 * own handler only where real logic lives. tools/list, docs/tools.md and the tests all come from
 * these rows. (Redis's command table and OpenSIPS's mi_export_t are the models.) */
#ifndef TOOLS_ROW_H
#define TOOLS_ROW_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/roles.h"
#include "mcp/registry.h"

#define ARG_REQUIRED  (1u << 0)
#define ARG_STRINGIFY (1u << 1) /* send a number to MI as a string (the command reads a string) */

struct tool_arg {
    const char *name;        /* as the Python server names it */
    const char *type;        /* JSON type: string, integer, number, boolean, object, array */
    const char *description; /* what to pass and where to find it */
    unsigned flags;          /* ARG_* */
    const char *extra;       /* more JSON Schema members, without braces ("\"minimum\":0"), or NULL;
                                a "default" here is what an absent argument takes, both in the
                                MI parameters and in the args a handler gets */
    const char *mi;          /* the MI parameter it fills; NULL: not sent as such */
};

/* Row flags beyond the TOOL_F_* annotations (registry.h). */
#define ROW_LIST   (1u << 8) /* pages a list: adds limit, offset and fields; shapes to items/total */
#define ROW_MI_PAGE (1u << 9) /* the MI command pages itself with index/counter (dialog:list) */
#define ROW_SERVER (1u << 10) /* about this MCP server, not a node: no "node" argument */

struct tool_def;
/* A row's say in what one call needs (struct mcp_needs), for tools whose needs depend on the
 * arguments: mi_execute's on the command's class. `args` have their declared defaults; `n`
 * holds the row's defaults (every write asks, the row's guard). NULL to go on, or a result that
 * ends the call before anything is sent. */
typedef json_t *(*row_needs_fn)(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                                struct mcp_needs *n);

struct tool_def {
    const char *name;
    const char *title;
    const char *description;
    const char *toolset;        /* dialog, registrations, dispatcher, routing, stats, status, mi, ... */
    const char *mi;             /* catalogue key; NULL when the handler makes its own calls */
    const struct tool_arg *args;/* terminated by a row with name NULL; NULL for none */
    scopes_t scope;             /* SCOPE_BIT(...) the caller needs */
    unsigned flags;             /* TOOL_F_* | ROW_* */
    const char *list;           /* ROW_LIST: the member of the MI result that holds the items */
    const char *item_schema;    /* JSON Schema of one item (lists) or of the result; NULL: any */
    mcp_tool_fn handler;        /* NULL: row_run, the generic MI handler */
    const char *mapping;        /* for docs: how it maps onto MI, and what differs from the Python
                                   server's mapping */
    row_needs_fn needs;         /* NULL: every row that is not read-only asks for confirmation,
                                   and the row's mi is checked against the known defects */
    const char *module_cmd;     /* a handler row's main command (catalogue key), or NULL: the node
                                   must offer it (or `mi`) before anything runs, so a missing module
                                   is said first, not a guard's refusal or an empty answer */
};

/* The row behind a registered tool, or NULL for a tool that did not come from a row. */
const struct tool_def *row_of(const struct mcp_tool *t);

/* Register the rows of `rows` (n of them) whose toolset is enabled ("all" enables every one;
 * `toolsets` is a comma-separated list). Each registered tool calls its row's handler (or
 * row_run) with the arguments' declared defaults filled in, and answers node "*" itself: a read
 * tool is run on every node at once, a write refused. Every row that is not read-only is
 * registered with TOOL_F_CONFIRM and a needs hook (the row's guard, its needs function), so the
 * gate asks the user before its handler runs; no handler asks itself. Returns 0, or -1 (out of
 * memory, duplicate name). */
int rows_register(struct registry *reg, const struct tool_def *rows, size_t n, const char *toolsets);

/* 0 when every name in `toolsets` (comma-separated; "all" allowed) is the toolset of some row,
 * else -1 with a sentence in err naming the unknown one and the toolsets there are. */
int rows_check_toolsets(const char *toolsets, char *err, size_t errlen);

/* The generic handler: map arguments onto the MI command's parameters, call the node (or every node for node "*" on read tools), shape the
 * reply (lists: total, offset, limit, next_offset, items with the chosen fields). */
json_t *row_run(struct mcp_call *c, const struct mcp_tool *t, json_t *args);

/* MI parameters from the arguments as the row maps them (new object). `args` are the ones
 * handlers receive, declared defaults already filled in by the row's entry point. */
json_t *row_mi_params(const struct tool_def *def, const json_t *args);

/* Page and trim a list of items (stolen): {total, offset, limit, items, next_offset, note?}.
 * `total` is the full count when known from elsewhere (MI-side paging), else the array's size.
 * A page over TOOL_RESULT_CAP bytes is shortened (a lone item too large is cut itself):
 * next_offset then follows the last item returned and "note" says so. */
json_t *row_page(json_t *items, const json_t *args, long long total, long long offset_done);

/* Every row of every area, for docs and tests: the tables and their sizes. */
struct row_table {
    const struct tool_def *rows;
    size_t n;
};
extern const struct row_table *const row_tables[];
extern const size_t row_table_count;

/* An area file ends with ROW_TABLE(area, rows): it defines the area's table for tables.c. */
#define ROW_TABLE(area, rows) \
    const struct row_table area##_table = {(rows), sizeof(rows) / sizeof((rows)[0])}

#endif
