/* row: a tool as a row of data — name, toolset, arguments (typed, with their constraints and
 * the MI parameter each fills), the backend it runs on and that backend's spec (an MI command by
 * catalogue key, a table and an operation, a program and its argument template), the scope it
 * needs, its annotations and how its answer is shaped. Registration turns rows into MCP tools
 * with generated input and output schemas; each backend's generic handler runs most of them, and
 * a row names a run function only where real logic lives. tools/list, docs/tools.md and the
 * tests all come from these rows. (Redis's command table and OpenSIPS's mi_export_t are the
 * models; docs/adding-a-tool.md shows one of each kind.) */
#ifndef TOOLS_ROW_H
#define TOOLS_ROW_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/roles.h"
#include "mcp/registry.h"

/* An argument's JSON type (and an output field's). */
enum arg_type { T_NONE, T_STRING, T_INTEGER, T_NUMBER, T_BOOLEAN, T_OBJECT, T_ARRAY,
                T_NUMBER_OR_STRING /* output only: a statistic's value */ };

#define ARG_REQUIRED  (1u << 0)
#define ARG_STRINGIFY (1u << 1) /* send a number to MI as a string (the command reads a string) */

/* One argument of a tool, or one field of what it answers: its name, JSON type and
 * constraints as typed members, which become its JSON Schema. Rows are written with designated
 * initialisers; a list of them is ARGS(...) or FIELDS(...), which adds the terminator. A
 * constraint that does not fit its type (a pattern on an integer) fails the registry's build. */
struct tool_arg {
    const char *name;        /* as the Python server names it */
    enum arg_type type;
    const char *description; /* what to pass and where to find it (optional for output fields) */
    unsigned flags;          /* ARG_* */
    bool has_min, has_max;   /* MINIMUM(v), MAXIMUM(v): numeric bounds */
    double min, max;
    unsigned min_len, max_len;   /* string lengths, or array sizes; 0: none */
    const char *pattern;         /* ECMA-262 regular expression a string must match */
    const char *const *values;   /* VALUES("a", "b"): the strings it may be */
    const long long *ints;       /* INTS(0, 1): the integers it may be */
    size_t nints;
    const char *def;         /* what an absent argument takes, as JSON text ("3600", "\"mcp\""):
                                both in the MI parameters and in the args a handler gets */
    const struct tool_arg *item;   /* T_ARRAY: ITEM(...), what each element is; NULL: anything */
    const struct tool_arg *fields; /* T_OBJECT: FIELDS(...), its members; NULL: any */
    const char *mi;          /* the MI parameter it fills; NULL: not sent as such */
    const char *with;        /* another argument this one is used only together with: given
                                alone, the call is refused before anything is sent */
};

#define ARGS(...)     ((const struct tool_arg[]){__VA_ARGS__, {0}})
#define FIELDS(...)   ((const struct tool_arg[]){__VA_ARGS__, {0}})
#define ITEM(...)     (&(const struct tool_arg){__VA_ARGS__})
#define VALUES(...)   ((const char *const[]){__VA_ARGS__, NULL})
#define INTS(...)     .ints = (const long long[]){__VA_ARGS__}, \
                      .nints = sizeof((const long long[]){__VA_ARGS__}) / sizeof(long long)
/* Whitespace for a pattern's bracket expression: "[^" NO_SPACE "]" (not "\\s", which POSIX
 * ERE reads as a backslash or an s; the registry refuses such escapes). */
#define NO_SPACE      " \t\n\r\f\v"
#define MINIMUM(v)    .has_min = true, .min = (v)
#define MAXIMUM(v)    .has_max = true, .max = (v)

/* Row flags beyond the TOOL_F_* annotations (registry.h). */
#define ROW_LIST   (1u << 8) /* pages a list: adds limit, offset and fields; shapes to items/total */

/* What a row runs on. The MCP core knows none of these: main builds the backends and hands
 * them to the tools layer (tools_register). */
enum tool_backend {
    BACKEND_NONE,   /* a row that names none: the registry's build fails */
    BACKEND_MI,     /* an OpenSIPS node over MI: the "node" argument, fan-out with node "*" */
    BACKEND_SERVER, /* this MCP server itself: no node */
    BACKEND_SQL,    /* the provisioning database: .sql names a table spec and an operation
                       (be_sql.h); its arguments come from the table's columns */
    BACKEND_EXEC,   /* a program on this host: .exec names it and maps the arguments
                       (be_exec.h) */
};

/* An MI row: the command the generic handler calls (or, with a run function, the
 * command the node must offer before anything runs, so that a missing module is said first),
 * and how its reply becomes the result. */
struct mi_row {
    const char *cmd;         /* catalogue key */
    const char *list;        /* ROW_LIST: the member of the MI result that holds the items;
                                NULL: the result is the array */
    bool paged;              /* the command pages itself with index/counter (dialog:list) */
    const struct mi_param *params; /* PARAMS(...): fixed parameters sent with every call */
    bool params_optional;    /* a node that rejects `params` (an older version) is asked again
                                without them: the filter below then does their work */
    const char *absent;      /* what to say when the node lacks the command (its module is not
                                loaded), before the MI error; not said when the node could not
                                be asked; NULL: the MI error alone */
    const struct mi_part *parts; /* PARTS(...): one answer of several commands, {as: the items
                                of member, ...}; cmd is the first part's command */
    const char *wrap;        /* not a list: the result is {wrap: the items of `list`}, whether
                                the node answered the plural member or one item (singular) */
};

/* One command of a composite row: its command, the member holding its items, the name of
 * those items in the answer. */
struct mi_part {
    const char *cmd, *member, *as;
};
#define PARTS(...) ((const struct mi_part[]){__VA_ARGS__, {0}})

/* A fixed MI parameter of a row: name and string value. */
struct mi_param {
    const char *name, *value;
};
#define PARAMS(...) ((const struct mi_param[]){__VA_ARGS__, {0}})

/* Keep the items of a list whose member `field` equals either `equals` (a fixed string, ASCII
 * case ignored) or the value of the argument named `arg`, exactly, when the call gives it (an
 * argument the MI command cannot filter by itself: drouting's gw_id). One of the two. */
struct row_filter {
    const char *field, *equals, *arg;
};

/* A resource a row's successful result points at, as a resource_link content item the client
 * can read or subscribe to (MCP 2025-06-18 server/tools.mdx, "Resource Links"): the dialog a
 * call names, the node's dispatcher. The gate adds the links after the result (never to an
 * error), only for a resource registered (its toolset enabled) that the caller's role may read,
 * and only on a node the result names ("node"). Links are content, not schema: tools/list does
 * not change. */
struct row_link {
    const char *uri;    /* a resource row's URI template, as resource_rows[] spells it */
    const char *items;  /* NULL: one link, its variables from the call's arguments (declared
                           defaults filled in); else the member of the result holding a list,
                           one link per item, the variables from the item's fields */
    const char *field;  /* the argument or item field the template's variables take (the rows
                           have one besides {node}); NULL: the variable's own name. A value that
                           is not a non-empty string gives no link */
    const char *arg, *equals; /* only when argument `arg` is the string `equals` (ul_show_contact:
                                 the table the resource reads); NULL: always */
};
#define LINKS(...) ((const struct row_link[]){__VA_ARGS__, {0}})
/* Most links one result carries (about 130 bytes each): a page of 50 dialogs links 10. */
#define ROW_LINKS_MAX 10

struct tool_def;
struct tool_ctx;
struct tool_error;
struct sql_row;
struct exec_row;

/* A row's say in what one call needs (struct mcp_needs), for tools whose needs depend on the
 * arguments: mi_execute's on the command's class. `args` have their declared defaults; `n`
 * holds the row's defaults (every write asks, the row's guard). NULL to go on, or a result that
 * ends the call before anything is sent. */
typedef json_t *(*row_needs_fn)(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                                struct mcp_needs *n);

/* A row's own logic, for one node (or the server): the structured result (new reference; the
 * entry adds "node"), or NULL with *e saying why (tool_error.h). The entry point has already
 * checked scopes, arguments, confirmation, guards and the node's module. */
typedef json_t *(*tool_run_fn)(struct tool_ctx *x, const json_t *args, struct tool_error *e);

struct tool_def {
    const char *name;
    const char *title;
    const char *description;
    const char *toolset;        /* dialog, registrations, dispatcher, routing, stats, status, mi, ... */
    enum tool_backend backend;
    struct mi_row mi;           /* BACKEND_MI */
    const struct sql_row *sql;  /* BACKEND_SQL: SQL(table, op) */
    const struct exec_row *exec;/* BACKEND_EXEC: &(const struct exec_row){...} */
    const struct tool_arg *args;/* ARGS(...), or NULL for none */
    scopes_t scope;             /* SCOPE_BIT(...) the caller needs */
    unsigned flags;             /* TOOL_F_* | ROW_* */
    const struct tool_arg *result; /* FIELDS(...) of one item (lists) or of the result; NULL: any */
    const struct tool_arg *result_each; /* ITEM(...): what every other member of it is */
    tool_run_fn run;            /* the row's logic; NULL: the backend's generic handler */
    const char *mapping;        /* for docs: how it maps onto MI, and what differs from the Python
                                   server's mapping */
    row_needs_fn needs;         /* NULL: every row that is not read-only asks for confirmation,
                                   and the row's MI command is checked against the known defects */
    struct row_filter filter;   /* ROW_LIST: keep only matching items; {NULL}: all */
    const char *note;           /* a sentence every result carries as "note" (what MI cannot
                                   show, how to read the answer), after the answer's own note
                                   ("...; <note>") when it has one (a shortened page); NULL: none */
    const char *unavailable;    /* the tool exists for parity only (OpenSIPS has no command for
                                   it): every call fails as unsupported with this sentence, and
                                   nothing is sent; such a row names no command and no logic */
    const struct row_link *links; /* LINKS(...): the resources its result points at; NULL: none */
};

/* The row behind a registered tool, or NULL for a tool that did not come from a row. */
const struct tool_def *row_of(const struct mcp_tool *t);

struct resource_def;
/* Whether a link to resource row r may be given (registered, readable by the caller). */
typedef bool (*row_link_ok_fn)(const struct resource_def *r, void *ctx);

/* The resource_link content items of row d's links for one successful result (`result`, its
 * structuredContent, borrowed; its "node" names the node) of a call with `args` (borrowed,
 * declared defaults filled in): a new array of at most ROW_LINKS_MAX, in the order of the row's
 * links and each list's items, without repeats; NULL when there is none. A link whose resource
 * `ok` refuses (ok may be NULL: all), whose variable is missing, or that needs a node the
 * result does not name, is left out. */
json_t *row_links(const struct tool_def *d, const json_t *args, const json_t *result,
                  row_link_ok_fn ok, void *ctx);

struct tool_backends;

/* Register the rows of `rows` (n of them) whose toolset is enabled ("all" enables every one;
 * `toolsets` is a comma-separated list), over the backends `be` (borrowed; they outlive the
 * registry). Each registered tool calls its row's run function or the backend's generic
 * handler with the arguments' declared defaults filled in, and answers node "*"
 * itself: a read tool is run on every node at once, a write refused. Every row that is not
 * read-only is registered with TOOL_F_CONFIRM and a needs hook (the node's module, the row's
 * guard, its needs function), so the gate asks the user before anything runs; no row's logic asks
 * itself. A malformed row fails the registry's build, naming the tool. Returns 0, or -1 (out of
 * memory, duplicate name). */
int rows_register(struct registry *reg, const struct tool_backends *be,
                  const struct tool_def *rows, size_t n, const char *toolsets);

/* 0 when every name in `toolsets` (comma-separated; "all" allowed) is the toolset of some row,
 * else -1 with a sentence in err naming the unknown one, the nearest name when it looks like a
 * typo of one, and the toolsets there are (not where the list came from: the caller says). */
int rows_check_toolsets(const char *toolsets, char *err, size_t errlen);

/* The backends a row tool was registered over; NULL for a tool that is not a row. */
const struct tool_backends *row_backends(const struct mcp_tool *t);

/* The generic MI handler, for logic that adjusts the arguments first: the row's command with
 * the mapped (and fixed) parameters, the reply shaped into a page of items or {result}. */
json_t *row_mi_run(struct tool_ctx *x, const json_t *args, struct tool_error *e);

/* The JSON Schema of one argument (new reference), or NULL with a sentence in why when the
 * row states it wrongly (a constraint its type cannot have, a default not of its type). */
json_t *row_arg_schema(const struct tool_arg *a, char *why, size_t n);

/* A row's input (output = false) or output schema (new reference), or NULL when the row is
 * malformed (the reason is logged). */
json_t *row_schema(const struct tool_def *d, bool output);

/* Build and check the schemas of every row of `tables` (n of them; register_all passes
 * row_tables) that `toolsets` does not enable (registry_build checks those), so that a
 * malformed row fails every start, not only those that enable its toolset. 0, or -1 with the
 * tool and the reason in err. */
struct row_table;
int rows_check_all(const struct row_table *const *tables, size_t ntables, const char *toolsets,
                   char *err, size_t errlen);

/* Whether `toolsets` (comma-separated, "all" allowed) enables the toolset `name`. */
bool rows_toolset_enabled(const char *toolsets, const char *name);

/* "string", "integer", ...; NULL for T_NONE. */
const char *arg_type_name(enum arg_type t);

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
