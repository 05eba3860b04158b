/* be_sql: rows over a provisioning table. A table spec names the table (its columns' types,
 * widths and ranges come from db/schema.h), the columns tools touch and in which role, and the
 * MI command that makes OpenSIPS re-read it; a row names the spec and one operation, and gets
 * its arguments, its statement and its result from them: list/get/add/update/delete on a table
 * is data, with no handler. Every statement is built from the static spec with bound
 * parameters, so no identifier ever comes from a caller and no value is ever spliced into SQL. */
#ifndef TOOLS_BE_SQL_H
#define TOOLS_BE_SQL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "auth/roles.h"
#include "db/db.h"
#include "tools/row.h"

#define COL_KEY      (1u << 0) /* identifies a row: get, update and delete name it (unless the
                                  row names other keys); the database assigns it on add */
#define COL_WRITABLE (1u << 1) /* add and update may set it */
#define COL_REQUIRED (1u << 2) /* add must set it */
#define COL_SECRET   (1u << 3) /* never read back: list and get leave it out */
#define COL_FILTER   (1u << 4) /* list: only rows whose column equals the argument */
#define COL_LIKE     (1u << 5) /* list: only rows whose column contains the argument */
#define COL_SINCE    (1u << 6) /* list: only rows whose column is >= the argument (a time) */
#define COL_UNTIL    (1u << 7) /* list: only rows whose column is < the argument (a time) */
#define COL_EXTRA    (1u << 8) /* not in OpenSIPS's stock schema: the operator adds it (acc's
                                  extra columns); a database without it gets a clear error */
#define COL_HIDDEN   (1u << 9) /* set by the row's logic, never an argument (derived hashes) */
#define COL_FILTERS  (COL_FILTER | COL_LIKE | COL_SINCE | COL_UNTIL)

/* What a value must be beyond its type, checked against the database before a write. */
enum sql_check {
    SQL_CHECK_NONE,
    SQL_CHECK_INT_LIST, /* "1,2,3": comma-separated non-negative integers (dr_rules.groupid) */
    SQL_CHECK_GWLIST,   /* drouting's list: gwids and #carrierids, separated by ',' or ';',
                           each with an optional =weight; every one must exist */
    SQL_CHECK_GWIDS,    /* dr_carriers.gwlist: gwids only, each must exist */
};

/* One column a table's tools touch. `arg` is its argument: its name (NULL: the column's), its
 * description and any constraint beyond the schema's; the type, maxLength and integer range
 * come from db/schema.h unless arg sets them. A column may appear twice with different
 * arguments and roles (acc.time as date_from and date_to). */
struct sql_column {
    const char *name;
    unsigned flags;        /* COL_* */
    struct tool_arg arg;
    enum sql_check check;
};
#define COLUMNS(...) ((const struct sql_column[]){__VA_ARGS__, {0}})
/* COL("dpid", COL_WRITABLE | COL_REQUIRED, .description = "..."): the argument's members after
 * the flags; CHECKED adds a check: CHECKED("gwlist", COL_WRITABLE, SQL_CHECK_GWLIST, ...). */
#define COL(n, f, ...) {.name = (n), .flags = (f), .arg = {.flags = 0, __VA_ARGS__}}
#define CHECKED(n, f, chk, ...) \
    {.name = (n), .flags = (f), .check = (chk), .arg = {.flags = 0, __VA_ARGS__}}

struct sql_table {
    const char *table;                /* "dispatcher": a table of db/schema.h */
    const struct sql_column *columns; /* COLUMNS(...) */
    const char *reload;               /* MI command (catalogue key) after a change, or NULL */
    const char *order;                /* list order: a column, NULL for the key columns */
    const char *manual;               /* no reload: how a change takes effect (TLS: a guarded
                                         reload the operator runs); NULL with no reload: OpenSIPS
                                         reads the table on every use, a change is live */
};

/* What every row of toolset db shares, after its name, title and description: a page of a table
 * or one read that is no list (db.read), or a change to one (db.write; the gate asks first). */
#define DB_READ(...)  .toolset = "db", .scope = SCOPE_BIT(SCOPE_DB_READ), .backend = BACKEND_SQL, \
                      .flags = TOOL_F_READONLY | ROW_LIST, __VA_ARGS__
#define DB_GET(...)   .toolset = "db", .scope = SCOPE_BIT(SCOPE_DB_READ), .backend = BACKEND_SQL, \
                      .flags = TOOL_F_READONLY, __VA_ARGS__
#define DB_WRITE(...) .toolset = "db", .scope = SCOPE_BIT(SCOPE_DB_WRITE), .backend = BACKEND_SQL, \
                      __VA_ARGS__

enum sql_op { SQL_LIST = 1, SQL_GET, SQL_ADD, SQL_UPDATE, SQL_DELETE };

/* A SQL row's spec: .sql = SQL(&dispatcher_table, SQL_UPDATE) or, naming the row by other
 * columns than the table's COL_KEY ones, SQL(&dr_gw_table, SQL_DELETE, .keys = VALUES("gwid")). */
struct sql_row {
    const struct sql_table *table;
    enum sql_op op;
    const char *const *keys; /* VALUES(...) of column names; NULL: the COL_KEY columns */
    bool own_args;           /* the row's .args only: its logic makes the column values */
};
#define SQL(tbl, operation, ...) (&(const struct sql_row){.table = (tbl), .op = (operation), __VA_ARGS__})

/* The arguments an operation takes, from the table's columns, into props/required. 0, or -1
 * with why. */
int sql_row_args(const struct tool_def *d, json_t *props, json_t *required, char *why, size_t n);

/* Why a SQL row cannot work, or NULL: a table or column db/schema.h lacks, a key that is no
 * column, an operation its flags contradict. */
const char *sql_row_unsound(const struct tool_def *d);

/* The generic handler: the row's operation with args. List: a page {items, total, offset,
 * limit, next_offset}; get: {result}; writes: sql_apply's result. */
json_t *sql_row_run(struct tool_ctx *x, const json_t *args, struct tool_error *e);

/* Apply the row's write (add, update or delete) once for each of the n objects of column
 * values in `values` (argument names, as args carry them), all in one transaction: checked
 * against the schema and the database first, nothing written unless all succeed. Then, unless
 * args has reload: false, the table's MI reload on x's node. Returns {changed, id (add: the
 * new row's, ids for several), status: "live" | "committed", note} or NULL with e set (and
 * nothing committed). For row logic that computes values (hashes, generated names, batches). */
json_t *sql_apply(struct tool_ctx *x, const json_t *const *values, size_t n, const json_t *args,
                  struct tool_error *e);

/* For docs/tools.md: the row's table, operation, columns (argument, role, type) and reload. */
void sql_row_doc(FILE *out, const struct tool_def *d);

/* A driver on x's node's database (the backends' db_connect). */
enum tool_err sql_connect(struct tool_ctx *x, struct db_driver *d, struct tool_error *e);

/* The statement (new string) and its parameters (new array) that `op` on `table` runs for
 * `values`, for `ph`: exposed for tests and docs. NULL with e set when the arguments cannot
 * make one (an update that sets nothing). */
char *sql_statement(const struct sql_row *r, const json_t *values, enum db_placeholder ph,
                    json_t **params, struct tool_error *e);

#endif
