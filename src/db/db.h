/* db: the provisioning database as a backend: one call interface over a driver (libpq,
 * libmariadb: issue 13 adds them), statements with bound parameters only. The tools layer builds
 * every statement from a row's static table spec (tools/be_sql.c), so no identifier ever comes
 * from a caller and no value is ever spliced into SQL text. */
#ifndef DB_DB_H
#define DB_DB_H

#include <jansson.h>
#include <stddef.h>

#include "tools/error.h"

/* How a driver writes the n-th (1-based) parameter: "$1" (PostgreSQL) or "?" (MySQL). */
enum db_placeholder { DB_DOLLAR, DB_QUESTION };

struct db_driver {
    const char *name;                  /* "postgresql", "mysql" */
    enum db_placeholder placeholder;
    /* Run `sql` with `params` (an array of strings, integers or null; borrowed). A statement
     * that returns rows sets *rows to a new array of objects {column: value}; one that does not
     * sets *rows to NULL and *affected to the rows it changed. Returns TOOL_OK, or a kind with
     * e filled (its name the driver's: "db_unreachable", "db_duplicate", ...). Honours the
     * calling thread's cancellation (cancel.h) and the driver's deadline. */
    enum tool_err (*query)(void *ctx, const char *sql, const json_t *params, json_t **rows,
                           long long *affected, struct tool_error *e);
    void *ctx;
};

#endif
