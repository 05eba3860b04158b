/* be_sql: rows over a provisioning table. A table spec names the table, its columns (type,
 * key, writable, required on add, limits, secret) and the MI command that makes OpenSIPS
 * re-read it; a row names the spec and one operation, and gets its arguments, its statement and
 * its result from them: list/get/add/update/delete on a table is data, with no handler. */
#ifndef TOOLS_BE_SQL_H
#define TOOLS_BE_SQL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tools/row.h"

#define COL_KEY      (1u << 0) /* identifies a row: get, update and delete name it */
#define COL_WRITABLE (1u << 1) /* add and update may set it */
#define COL_REQUIRED (1u << 2) /* add must set it */
#define COL_SECRET   (1u << 3) /* never read back: list and get leave it out */

struct sql_column {
    const char *name;        /* the column, as OpenSIPS's schema names it */
    enum arg_type type;      /* T_STRING, T_INTEGER */
    unsigned flags;          /* COL_* */
    unsigned max_len;        /* strings: the column's width; 0: none */
    const char *description; /* for the tool's argument */
};
#define COLUMNS(...) ((const struct sql_column[]){__VA_ARGS__, {0}})

struct sql_table {
    const char *table;               /* "domain" */
    const struct sql_column *columns;/* COLUMNS(...) */
    const char *reload;              /* MI command (catalogue key) after a change, or NULL */
};

enum sql_op { SQL_LIST = 1, SQL_GET, SQL_ADD, SQL_UPDATE, SQL_DELETE };

/* A SQL row's spec: .sql = SQL(&domain_table, SQL_ADD). */
struct sql_row {
    const struct sql_table *table;
    enum sql_op op;
};
#define SQL(tbl, operation) (&(const struct sql_row){.table = (tbl), .op = (operation)})

/* The arguments an operation takes, from the table's columns, into props/required. 0, or -1
 * with why. */
int sql_row_args(const struct tool_def *d, json_t *props, json_t *required, char *why, size_t n);

/* Why a SQL row cannot work, or NULL. */
const char *sql_row_unsound(const struct tool_def *d);

/* The generic handler: the statement built from the spec, run on the database, the reply
 * shaped (list: a page; get: {result}; writes: {changed, reloaded}). */
json_t *sql_row_run(struct tool_ctx *x, const json_t *args, struct tool_error *e);

/* The statement (new string) and its parameters (new array) that `op` on `table` runs for
 * `args`, for `ph`: exposed for tests and docs. NULL with e set when the arguments cannot make
 * one (an update that sets nothing). */
char *sql_statement(const struct sql_table *t, enum sql_op op, const json_t *args, int ph,
                    json_t **params, struct tool_error *e);

#endif
