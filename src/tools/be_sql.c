/* be_sql: list/get/add/update/delete on a provisioning table, from the table's spec. */
#include "tools/be_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "tools/tool.h"

#define SQL_MAX 4096

static const struct sql_row *spec(const struct tool_def *d)
{
    return d->sql;
}

/* Whether column c is an argument of op, and whether it is required there. */
static bool takes(const struct sql_column *c, enum sql_op op, bool *required)
{
    *required = false;
    switch (op) {
    case SQL_LIST:
        return false;
    case SQL_GET:
    case SQL_DELETE:
        return (*required = (c->flags & COL_KEY) != 0);
    case SQL_ADD:
        *required = (c->flags & COL_REQUIRED) != 0;
        return (c->flags & (COL_WRITABLE | COL_KEY)) != 0;
    case SQL_UPDATE:
        *required = (c->flags & COL_KEY) != 0;
        return (c->flags & (COL_WRITABLE | COL_KEY)) != 0;
    }
    return false;
}

int sql_row_args(const struct tool_def *d, json_t *props, json_t *required, char *why, size_t n)
{
    const struct sql_row *r = spec(d);

    for (const struct sql_column *c = r->table->columns; c->name; c++) {
        bool req;
        if (!takes(c, r->op, &req))
            continue;
        struct tool_arg a = {.name = c->name, .type = c->type, .description = c->description,
                             .max_len = c->type == T_STRING ? c->max_len : 0};
        json_t *s = row_arg_schema(&a, why, n);
        if (!s)
            return -1;
        json_object_set_new(props, c->name, s);
        if (req)
            json_array_append_new(required, json_string(c->name));
    }
    return 0;
}

const char *sql_row_unsound(const struct tool_def *d)
{
    const struct sql_row *r = spec(d);
    size_t keys = 0;

    if (!r || !r->table || !r->table->table || !r->table->columns)
        return "names no table";
    if (r->op < SQL_LIST || r->op > SQL_DELETE)
        return "names no operation";
    for (const struct sql_column *c = r->table->columns; c->name; c++) {
        keys += (c->flags & COL_KEY) != 0;
        if (c->type != T_STRING && c->type != T_INTEGER)
            return "has a column that is neither a string nor an integer";
        if (strspn(c->name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(c->name))
            return "has a column name that is not a plain identifier";
    }
    if (!keys)
        return "has a table without a key column";
    if ((r->op == SQL_LIST) != ((d->flags & ROW_LIST) != 0))
        return "lists without ROW_LIST, or is ROW_LIST without listing";
    if ((r->op == SQL_LIST || r->op == SQL_GET) != ((d->flags & TOOL_F_READONLY) != 0))
        return "reads without TOOL_F_READONLY, or writes with it";
    return NULL;
}

/* Append text to the statement; -1 when it would not fit. */
static int put(char *sql, size_t *used, const char *fmt, const char *a)
{
    int w = snprintf(sql + *used, SQL_MAX - *used, fmt, a);

    if (w < 0 || (size_t)w >= SQL_MAX - *used)
        return -1;
    *used += (size_t)w;
    return 0;
}

/* The next placeholder, "$n" or "?". */
static int placeholder(char *sql, size_t *used, int ph, json_t *params)
{
    char p[16];

    snprintf(p, sizeof(p), ph == DB_DOLLAR ? "$%zu" : "?", json_array_size(params));
    return put(sql, used, "%s", p);
}

/* " WHERE k1 = $1 AND k2 = $2" over the key columns present in args (all, for get/update/delete). */
static int where_keys(const struct sql_table *t, const json_t *args, int ph, char *sql,
                      size_t *used, json_t *params)
{
    bool first = true;

    for (const struct sql_column *c = t->columns; c->name; c++) {
        json_t *v = json_object_get(args, c->name);
        if (!(c->flags & COL_KEY) || !v)
            continue;
        json_array_append(params, v);
        if (put(sql, used, first ? " WHERE %s = " : " AND %s = ", c->name) < 0 ||
            placeholder(sql, used, ph, params) < 0)
            return -1;
        first = false;
    }
    return 0;
}

char *sql_statement(const struct sql_table *t, enum sql_op op, const json_t *args, int ph,
                    json_t **params, struct tool_error *e)
{
    char sql[SQL_MAX];
    size_t used = 0, n = 0;
    int rc = 0;

    *params = json_array();
    switch (op) {
    case SQL_LIST:
    case SQL_GET:
        rc |= put(sql, &used, "SELECT ", "");
        for (const struct sql_column *c = t->columns; c->name; c++)
            if (!(c->flags & COL_SECRET))
                rc |= put(sql, &used, n++ ? ", %s" : "%s", c->name);
        rc |= put(sql, &used, " FROM %s", t->table);
        if (op == SQL_GET)
            rc |= where_keys(t, args, ph, sql, &used, *params);
        n = 0;
        rc |= put(sql, &used, " ORDER BY ", "");
        for (const struct sql_column *c = t->columns; c->name; c++)
            if (c->flags & COL_KEY)
                rc |= put(sql, &used, n++ ? ", %s" : "%s", c->name);
        break;
    case SQL_ADD:
        rc |= put(sql, &used, "INSERT INTO %s (", t->table);
        for (const struct sql_column *c = t->columns; c->name; c++) {
            json_t *v = json_object_get(args, c->name);
            if (v && (c->flags & (COL_WRITABLE | COL_KEY))) {
                rc |= put(sql, &used, n++ ? ", %s" : "%s", c->name);
                json_array_append(*params, v);
            }
        }
        rc |= put(sql, &used, ") VALUES (", "");
        for (size_t i = 0; i < n; i++) {
            char p[16];
            snprintf(p, sizeof(p), ph == DB_DOLLAR ? "$%zu" : "?", i + 1);
            rc |= put(sql, &used, i ? ", %s" : "%s", p);
        }
        rc |= put(sql, &used, ")", "");
        break;
    case SQL_UPDATE:
        rc |= put(sql, &used, "UPDATE %s SET ", t->table);
        for (const struct sql_column *c = t->columns; c->name; c++) {
            json_t *v = json_object_get(args, c->name);
            if (v && (c->flags & COL_WRITABLE) && !(c->flags & COL_KEY)) {
                json_array_append(*params, v);
                rc |= put(sql, &used, n++ ? ", %s = " : "%s = ", c->name);
                rc |= placeholder(sql, &used, ph, *params);
            }
        }
        if (!n) {
            json_decref(*params);
            *params = NULL;
            return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0,
                             "nothing to change: give at least one column to set besides the "
                             "key; nothing was changed");
        }
        rc |= where_keys(t, args, ph, sql, &used, *params);
        break;
    case SQL_DELETE:
        rc |= put(sql, &used, "DELETE FROM %s", t->table);
        rc |= where_keys(t, args, ph, sql, &used, *params);
        break;
    }
    if (rc) {
        json_decref(*params);
        *params = NULL;
        return tool_fail(e, TOOL_E_TOO_LARGE, NULL, 0, "the statement for table %s is over %d "
                         "bytes (a bug in its spec)", t->table, SQL_MAX);
    }
    return strdup(sql);
}

json_t *sql_row_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const struct sql_row *r = spec(x->def);
    struct db_driver drv, *db = &drv;
    json_t *params, *rows = NULL, *out, *reply = NULL;
    long long affected = 0;
    char *sql;

    if (!x->be->db_connect)
        return tool_fail(e, TOOL_E_CONFIG, "db_not_configured", 0,
                         "no provisioning database is configured (set --db-url); nothing was "
                         "read or changed");
    if (x->be->db_connect(x->be->db, x->node, db, e) != TOOL_OK)
        return NULL;
    if (!(sql = sql_statement(r->table, r->op, args, db->placeholder, &params, e)))
        return NULL;
    enum tool_err rc = db->query(db->ctx, sql, params, &rows, &affected, e);
    free(sql);
    json_decref(params);
    if (rc != TOOL_OK)
        return NULL;
    switch (r->op) {
    case SQL_LIST:
        return row_page(rows ? rows : json_array(), args, -1, 0);
    case SQL_GET:
        if (!json_array_size(rows)) {
            json_decref(rows);
            return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "no row of table %s has this key",
                             r->table->table);
        }
        out = json_pack("{s:O}", "result", json_array_get(rows, 0));
        json_decref(rows);
        return out;
    default:
        json_decref(rows);
        if (r->op != SQL_ADD && affected == 0)
            return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "no row of table %s has this key; "
                             "nothing was changed", r->table->table);
        out = json_pack("{s:I}", "changed", (json_int_t)affected);
        if (r->table->reload) {
            /* OpenSIPS caches the table: make it re-read it, and say whether it did. */
            enum tool_err mrc = x->be->mi ? tool_mi(x, r->table->reload, NULL, &reply, e)
                                          : TOOL_E_CONFIG;
            json_decref(reply);
            json_object_set_new(out, "reloaded", json_boolean(mrc == TOOL_OK));
            if (mrc != TOOL_OK)
                json_object_set_new(out, "note", json_pack("s++", "the change is saved, but "
                                    "OpenSIPS did not re-read the table: ", r->table->reload,
                                    " failed; run it again once the node answers"));
        }
        return out;
    }
}
