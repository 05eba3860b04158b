/* be_sql: list/get/add/update/delete on a provisioning table, from the table's spec. */
#include "tools/be_sql.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/schema.h"
#include "mcp/schema.h"
#include "tools/tool.h"

#define SQL_MAX 4096
#define GWLIST_MAX 64 /* entries of one drouting list we check */

/* ---- the spec ---- */

static const struct db_table_schema *schema_of(const struct sql_table *t)
{
    return db_schema_table(t->table);
}

static bool in_list(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (!strcmp(*list, name))
            return true;
    return false;
}

static bool is_key(const struct sql_row *r, const struct sql_column *c)
{
    return r->keys ? in_list(r->keys, c->name) && !(c->flags & COL_FILTERS)
                   : (c->flags & COL_KEY) != 0;
}

static const char *arg_of(const struct sql_column *c)
{
    return c->arg.name ? c->arg.name : c->name;
}

/* Whether column c is an argument of op, and whether it is required there. */
static bool takes(const struct sql_row *r, const struct sql_column *c, bool *required)
{
    *required = false;
    if (c->flags & COL_HIDDEN)
        return false;
    switch (r->op) {
    case SQL_LIST:
        return (c->flags & COL_FILTERS) != 0;
    case SQL_GET:
    case SQL_DELETE:
        return (*required = is_key(r, c));
    case SQL_ADD:
        *required = (c->flags & COL_REQUIRED) != 0;
        return (c->flags & COL_WRITABLE) && !(c->flags & COL_FILTERS);
    case SQL_UPDATE:
        if ((*required = is_key(r, c)))
            return true;
        return (c->flags & COL_WRITABLE) && !(c->flags & COL_FILTERS);
    }
    return false;
}

/* c's argument with the schema's type and limits filled in where the spec leaves them. */
static struct tool_arg column_arg(const struct sql_row *r, const struct sql_column *c, bool full)
{
    const struct db_column *s = db_schema_column(schema_of(r->table), c->name);
    struct tool_arg a = c->arg;

    a.name = arg_of(c);
    a.flags &= ~ARG_REQUIRED;
    if (!a.description && (c->flags & COL_FILTERS))
        a.description = c->flags & COL_LIKE ? "Contains this" : "Equals this";
    if (r->op != SQL_ADD)
        a.def = NULL; /* an update sets only what it is given; a filter filters only when given */
    if (r->op == SQL_UPDATE && !is_key(r, c) && !full) {
        /* The add tool of the table says what each column is and takes; an update's value is
         * held to the same at run time (check_values), so its listing keeps only the type. */
        struct tool_arg bare = {.name = a.name, .type = a.type, .ints = a.ints,
                                .nints = a.nints, .values = a.values,
                                .description = a.description};
        if (!bare.type) {
            const struct db_column *sc = db_schema_column(schema_of(r->table), c->name);
            bare.type = sc && (sc->type == DBT_INT || sc->type == DBT_SERIAL) ? T_INTEGER
                        : sc && sc->type == DBT_REAL ? T_NUMBER : T_STRING;
        }
        return bare;
    }
    if (!s)
        return a.type ? a : (a.type = T_STRING, a);
    switch (s->type) {
    case DBT_SERIAL:
    case DBT_INT:
        if (!a.type)
            a.type = T_INTEGER;
        /* The column's range is held at run time, to each database's own (check_values):
         * the listing keeps only bounds the spec states (address.mask 0..128). */
        break;
    case DBT_CHAR:
        if (!a.type)
            a.type = T_STRING;
        if (a.type == T_STRING && !a.max_len && !a.values && !(c->flags & COL_FILTERS))
            a.max_len = s->width;
        break;
    case DBT_DATETIME:
        if (!a.type)
            a.type = T_STRING; /* its form is checked at run time (check_values) */
        if (!a.max_len)
            a.max_len = 19;
        break;
    case DBT_REAL:
        if (!a.type)
            a.type = T_NUMBER;
        break;
    case DBT_BLOB:
        if (!a.type)
            a.type = T_STRING;
        if (!a.max_len)
            a.max_len = 65535;
        break;
    }
    if (!full && r->op == SQL_ADD && !(c->flags & COL_REQUIRED) && !a.pattern)
        a.max_len = 0; /* an optional column's width is held at run time (check_values) */
    return a;
}

static const struct tool_arg reload_arg = {.name = "reload", .type = T_BOOLEAN, .def = "true",
                                           .description = "Reload after"};

int sql_row_args(const struct tool_def *d, json_t *props, json_t *required, char *why, size_t n)
{
    const struct sql_row *r = d->sql;

    for (const struct sql_column *c = r->table->columns; c->name && !r->own_args; c++) {
        bool req;
        if (!takes(r, c, &req))
            continue;
        struct tool_arg a = column_arg(r, c, false);
        json_t *s = row_arg_schema(&a, why, n);
        if (!s)
            return -1;
        json_object_set_new(props, a.name, s);
        if (req)
            json_array_append_new(required, json_string(a.name));
    }
    if (r->op >= SQL_ADD && r->table->reload) {
        json_t *s = row_arg_schema(&reload_arg, why, n);
        if (!s)
            return -1;
        json_object_set_new(props, reload_arg.name, s);
    }
    return 0;
}

static bool plain_identifier(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

const char *sql_row_unsound(const struct tool_def *d)
{
    const struct sql_row *r = d->sql;
    const struct db_table_schema *s;
    size_t keys = 0;

    if (!r || !r->table || !r->table->table || !r->table->columns)
        return "names no table";
    if (!(s = schema_of(r->table)))
        return "names a table that db/schema.h does not have";
    if (r->op < SQL_LIST || r->op > SQL_DELETE)
        return "names no operation";
    for (const struct sql_column *c = r->table->columns; c->name; c++) {
        if (!plain_identifier(c->name) || !plain_identifier(arg_of(c)))
            return "has a column or argument name that is not a plain identifier";
        if (!(c->flags & COL_EXTRA) && !db_schema_column(s, c->name))
            return "has a column that its table does not have (COL_EXTRA if the operator adds it)";
        keys += is_key(r, c);
    }
    for (const char *const *k = r->keys; k && *k; k++) {
        bool found = false;
        for (const struct sql_column *c = r->table->columns; c->name; c++)
            found |= !strcmp(c->name, *k);
        if (!found)
            return "names a key that is no column of its table spec";
    }
    if (r->table->order && !db_schema_column(s, r->table->order))
        return "orders by a column its table does not have";
    if (!keys && r->op != SQL_LIST && r->op != SQL_ADD)
        return "names a row by no key column";
    if ((r->op == SQL_LIST) != ((d->flags & ROW_LIST) != 0))
        return "lists without ROW_LIST, or is ROW_LIST without listing";
    if ((r->op == SQL_LIST || r->op == SQL_GET) != ((d->flags & TOOL_F_READONLY) != 0))
        return "reads without TOOL_F_READONLY, or writes with it";
    return NULL;
}

/* ---- statements ---- */

struct sqlbuf {
    char s[SQL_MAX];
    size_t used;
    bool over;
    enum db_placeholder ph;
    json_t *params;
};

static void put(struct sqlbuf *b, const char *fmt, const char *a)
{
    int w;

    if (b->over)
        return;
    w = snprintf(b->s + b->used, SQL_MAX - b->used, fmt, a);
    if (w < 0 || (size_t)w >= SQL_MAX - b->used)
        b->over = true;
    else
        b->used += (size_t)w;
}

/* Bind v (borrowed) and write its placeholder: "$n" or "?". */
static void bind_value(struct sqlbuf *b, json_t *v)
{
    char p[16];

    json_array_append(b->params, v);
    snprintf(p, sizeof(p), b->ph == DB_DOLLAR ? "$%zu" : "?", json_array_size(b->params));
    put(b, "%s", p);
}

/* The columns a read returns: the table's, less the spec's secrets. PostgreSQL sends a BYTEA
 * (tls_mgm's PEMs) as hex ("\\x43..."): read back in the escape form a write takes, which is
 * the text itself for a PEM. */
static void select_list(struct sqlbuf *b, const struct sql_table *t)
{
    const struct db_table_schema *s = schema_of(t);
    size_t n = 0;

    for (const struct db_column *dc = s->columns; dc->name; dc++) {
        bool secret = false;
        for (const struct sql_column *c = t->columns; c->name; c++)
            secret |= !strcmp(c->name, dc->name) && (c->flags & COL_SECRET);
        if (secret)
            continue;
        put(b, n++ ? ", " : "", "");
        if (dc->type == DBT_BLOB && b->ph == DB_DOLLAR) {
            put(b, "encode(%s, 'escape')", dc->name);
            put(b, " AS %s", dc->name);
        } else {
            put(b, "%s", dc->name);
        }
    }
}

/* " WHERE k1 = $1 AND k2 = $2" over the row's keys. */
static void where_keys(struct sqlbuf *b, const struct sql_row *r, const json_t *values)
{
    bool first = true;

    for (const struct sql_column *c = r->table->columns; c->name; c++) {
        json_t *v = json_object_get(values, arg_of(c));
        if (!is_key(r, c) || !v)
            continue;
        put(b, first ? " WHERE %s = " : " AND %s = ", c->name);
        bind_value(b, v);
        first = false;
    }
}

/* A LIKE pattern matching `s` anywhere, with '!' escaping the pattern's own characters. */
static json_t *contains(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(2 * n + 3), *q = p;
    json_t *out;

    if (!p)
        return NULL;
    *q++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '!')
            *q++ = '!';
        *q++ = *s;
    }
    *q++ = '%';
    *q = '\0';
    out = json_string(p);
    free(p);
    return out;
}

/* " WHERE ..." for a list's filters that values carries. */
static void where_filters(struct sqlbuf *b, const struct sql_table *t, const json_t *values)
{
    bool first = true;

    for (const struct sql_column *c = t->columns; c->name; c++) {
        json_t *v = json_object_get(values, arg_of(c));
        if (!(c->flags & COL_FILTERS) || !v)
            continue;
        put(b, first ? " WHERE %s" : " AND %s", c->name);
        first = false;
        if (c->flags & COL_LIKE) {
            json_t *p = contains(json_string_value(v));
            put(b, " LIKE ", "");
            bind_value(b, p);
            put(b, " ESCAPE '!'", "");
            json_decref(p);
        } else {
            put(b, c->flags & COL_SINCE ? " >= " : c->flags & COL_UNTIL ? " < " : " = ", "");
            bind_value(b, v);
        }
    }
}

static void order_by(struct sqlbuf *b, const struct sql_table *t)
{
    size_t n = 0;

    put(b, " ORDER BY ", "");
    if (t->order) {
        put(b, "%s", t->order);
        return;
    }
    for (const struct sql_column *c = t->columns; c->name; c++)
        if (c->flags & COL_KEY)
            put(b, n++ ? ", %s" : "%s", c->name);
    if (!n)
        put(b, "%s", "id");
}

/* Whether c is written (add, update) for values: given, writable, and no earlier entry of the
 * same column was (an old argument name for a column: dispatcher's flags for probe_mode). */
static bool writes(const struct sql_row *r, const struct sql_column *c, const json_t *values)
{
    if (!json_object_get(values, arg_of(c)) || !(c->flags & COL_WRITABLE) ||
        (c->flags & COL_FILTERS) || (r->op == SQL_UPDATE && is_key(r, c)))
        return false;
    for (const struct sql_column *p = r->table->columns; p < c; p++)
        if (!strcmp(p->name, c->name) && writes(r, p, values))
            return false;
    return true;
}

/* The table's column the database assigns (serial), or NULL. */
static const char *serial_of(const struct sql_table *t)
{
    for (const struct db_column *dc = schema_of(t)->columns; dc->name; dc++)
        if (dc->type == DBT_SERIAL)
            return dc->name;
    return NULL;
}

static char *finish(struct sqlbuf *b, const struct sql_table *t, json_t **params,
                    struct tool_error *e)
{
    if (b->over) {
        json_decref(b->params);
        return tool_fail(e, TOOL_E_TOO_LARGE, NULL, 0, "the statement for table %s is over %d "
                         "bytes (a bug in its spec)", t->table, SQL_MAX);
    }
    *params = b->params;
    return strdup(b->s);
}

char *sql_statement(const struct sql_row *r, const json_t *values, enum db_placeholder ph,
                    json_t **params, struct tool_error *e)
{
    const struct sql_table *t = r->table;
    struct sqlbuf b = {.ph = ph, .params = json_array()};
    size_t n = 0;

    *params = NULL;
    b.s[0] = '\0';
    switch (r->op) {
    case SQL_LIST:
    case SQL_GET:
        put(&b, "SELECT ", "");
        select_list(&b, t);
        put(&b, " FROM %s", t->table);
        if (r->op == SQL_GET)
            where_keys(&b, r, values);
        else
            where_filters(&b, t, values);
        order_by(&b, t);
        if (r->op == SQL_LIST) {
            json_t *lim = json_object_get(values, "limit"), *off = json_object_get(values, "offset");
            json_t *l = json_integer(json_is_integer(lim) ? json_integer_value(lim) : 50);
            json_t *o = json_integer(json_is_integer(off) ? json_integer_value(off) : 0);
            put(&b, " LIMIT ", "");
            bind_value(&b, l);
            put(&b, " OFFSET ", "");
            bind_value(&b, o);
            json_decref(l);
            json_decref(o);
        }
        break;
    case SQL_ADD:
        put(&b, "INSERT INTO %s (", t->table);
        for (const struct sql_column *c = t->columns; c->name; c++)
            if (writes(r, c, values))
                put(&b, n++ ? ", %s" : "%s", c->name);
        put(&b, ") VALUES (", "");
        n = 0;
        for (const struct sql_column *c = t->columns; c->name; c++) {
            if (writes(r, c, values)) {
                put(&b, n++ ? ", " : "", "");
                bind_value(&b, json_object_get(values, arg_of(c)));
            }
        }
        put(&b, ")", "");
        if (ph == DB_DOLLAR && serial_of(t))
            put(&b, " RETURNING %s", serial_of(t));
        break;
    case SQL_UPDATE:
        put(&b, "UPDATE %s SET ", t->table);
        for (const struct sql_column *c = t->columns; c->name; c++) {
            if (writes(r, c, values)) {
                put(&b, n++ ? ", %s = " : "%s = ", c->name);
                bind_value(&b, json_object_get(values, arg_of(c)));
            }
        }
        if (!n) {
            json_decref(b.params);
            return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0,
                             "nothing to change: give at least one column to set besides the "
                             "key; nothing was changed");
        }
        where_keys(&b, r, values);
        break;
    case SQL_DELETE:
        put(&b, "DELETE FROM %s", t->table);
        where_keys(&b, r, values);
        break;
    }
    return finish(&b, t, params, e);
}

/* SELECT COUNT(*) over a list's filters. */
static char *count_statement(const struct sql_table *t, const json_t *values,
                             enum db_placeholder ph, json_t **params, struct tool_error *e)
{
    struct sqlbuf b = {.ph = ph, .params = json_array()};

    put(&b, "SELECT COUNT(*) AS n FROM %s", t->table);
    where_filters(&b, t, values);
    return finish(&b, t, params, e);
}

/* ---- checks before a statement ---- */

static const char *kind_name(enum db_placeholder ph)
{
    return ph == DB_DOLLAR ? "PostgreSQL" : "MySQL";
}

/* "a,b;c=3": each entry (without its weight, spaces around it trimmed) into out[], their count
 * into *n; -1 with why in bad on a malformed list. */
static int split_list(const char *s, char out[][65], size_t *n, char *bad, size_t badlen)
{
    *n = 0;
    for (;;) {
        size_t len = strcspn(s, ",;");
        const char *a = s, *z = s + len;
        while (a < z && *a == ' ')
            a++;
        while (z > a && z[-1] == ' ')
            z--;
        if (a == z) {
            snprintf(bad, badlen, "it has an empty entry");
            return -1;
        }
        if (*n == GWLIST_MAX || z - a > 64) {
            snprintf(bad, badlen, "an entry is over 64 characters, or there are over %d",
                     GWLIST_MAX);
            return -1;
        }
        char *item = out[(*n)++];
        memcpy(item, a, (size_t)(z - a));
        item[z - a] = '\0';
        char *w = strchr(item, '=');
        if (w) {
            if (!w[1] || strspn(w + 1, "0123456789") != strlen(w + 1)) {
                snprintf(bad, badlen, "'%.64s' has a weight that is no whole number", item);
                return -1;
            }
            *w = '\0';
        }
        if (!*item || strchr(item, ' ')) {
            snprintf(bad, badlen, "'%.64s' is not a name", item);
            return -1;
        }
        if (!s[len])
            return 0;
        s += len + 1;
    }
}

/* Whether every one of names[] (n) exists as column col of table: missing gets the first
 * absent one. TOOL_OK or the driver's failure. */
static enum tool_err all_exist(struct db_driver *d, const char *table, const char *col,
                               char names[][65], size_t n, const char **missing,
                               struct tool_error *e)
{
    struct sqlbuf b = {.ph = d->placeholder, .params = json_array()};
    json_t *rows = NULL, *params = NULL;
    long long affected;
    enum tool_err rc;
    char head[128];

    *missing = NULL;
    snprintf(head, sizeof(head), "SELECT %s AS v FROM %s WHERE %s IN (", col, table, col);
    put(&b, "%s", head);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_string(names[i]);
        put(&b, i ? ", " : "", "");
        bind_value(&b, v);
        json_decref(v);
    }
    put(&b, ")", "");
    char *sql = finish(&b, &(struct sql_table){.table = table}, &params, e);
    if (!sql)
        return e->kind;
    rc = d->query(d->ctx, sql, params, &rows, &affected, e);
    free(sql);
    json_decref(params);
    if (rc != TOOL_OK)
        return rc;
    for (size_t i = 0; i < n && !*missing; i++) {
        bool found = false;
        size_t j;
        json_t *row;
        json_array_foreach(rows, j, row)
            found |= !strcmp(tool_str(row, "v", ""), names[i]);
        if (!found)
            *missing = names[i];
    }
    json_decref(rows);
    return TOOL_OK;
}

/* The check of column c's value v, on the database d. */
static enum tool_err check_list(struct db_driver *d, const struct sql_column *c, const char *v,
                                struct tool_error *e)
{
    char items[GWLIST_MAX][65], bad[160], gws[GWLIST_MAX][65], crs[GWLIST_MAX][65];
    size_t n, ngw = 0, ncr = 0;
    const char *missing;
    enum tool_err rc;

    if (split_list(v, items, &n, bad, sizeof(bad)) < 0) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s: %s; nothing was changed", arg_of(c), bad);
        return TOOL_E_BAD_ARGS;
    }
    for (size_t i = 0; i < n; i++) {
        if (c->check == SQL_CHECK_INT_LIST) {
            if (strspn(items[i], "0123456789") != strlen(items[i]) || strchr(v, ';') ||
                strchr(v, '=')) {
                tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s takes whole numbers separated by "
                          "commas (\"1,2\"), not '%s'; nothing was changed", arg_of(c), v);
                return TOOL_E_BAD_ARGS;
            }
        } else if (items[i][0] == '#' && c->check == SQL_CHECK_GWLIST) {
            strcpy(crs[ncr++], items[i] + 1);
        } else if (items[i][0] == '#') {
            tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s of a carrier lists gateways only, "
                      "not the carrier '%s'; nothing was changed", arg_of(c), items[i]);
            return TOOL_E_BAD_ARGS;
        } else {
            strcpy(gws[ngw++], items[i]);
        }
    }
    if (ngw && (rc = all_exist(d, "dr_gateways", "gwid", gws, ngw, &missing, e)) != TOOL_OK)
        return rc;
    if (ngw && missing) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s names the gateway '%s', which dr_gateways "
                  "does not have (see drouting_list_gateways); nothing was changed",
                  arg_of(c), missing);
        return TOOL_E_BAD_ARGS;
    }
    if (ncr && (rc = all_exist(d, "dr_carriers", "carrierid", crs, ncr, &missing, e)) != TOOL_OK)
        return rc;
    if (ncr && missing) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s names the carrier '#%s', which dr_carriers "
                  "does not have (see drouting_list_carriers); nothing was changed",
                  arg_of(c), missing);
        return TOOL_E_BAD_ARGS;
    }
    return TOOL_OK;
}

/* Check values against what this database's columns hold, and write times as both databases
 * read them ("2026-01-02 03:04:05"). values is the caller's copy. */
static enum tool_err check_values(struct db_driver *d, const struct sql_row *r, json_t *values,
                                  struct tool_error *e)
{
    const struct db_table_schema *s = schema_of(r->table);

    for (const struct sql_column *c = r->table->columns; c->name; c++) {
        json_t *v = json_object_get(values, arg_of(c));
        const struct db_column *dc = db_schema_column(s, c->name);
        bool req;
        enum tool_err rc;

        if (!v || !dc || (!takes(r, c, &req) && !(c->flags & COL_HIDDEN)))
            continue;
        if (r->op >= SQL_ADD && !is_key(r, c) && !(c->flags & COL_HIDDEN)) {
            struct tool_arg full = column_arg(r, c, true);
            char why[256];
            json_t *schema = row_arg_schema(&full, why, sizeof(why));
            int bad = schema && schema_validate(schema, v, why, sizeof(why)) < 0;
            json_decref(schema);
            if (bad) {
                tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s: %s; nothing was changed",
                          arg_of(c), why);
                return TOOL_E_BAD_ARGS;
            }
        }
        if ((dc->type == DBT_INT || dc->type == DBT_SERIAL) && json_is_integer(v)) {
            const long long *range = d->placeholder == DB_DOLLAR ? dc->pg : dc->my;
            json_int_t i = json_integer_value(v);
            if (i < range[0] || i > range[1]) {
                tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s: %lld does not fit %s.%s, which "
                          "holds %lld to %lld on %s%s; nothing was changed", arg_of(c),
                          (long long)i, r->table->table, c->name, range[0], range[1],
                          kind_name(d->placeholder),
                          d->placeholder == DB_DOLLAR && range[1] != dc->my[1]
                              ? " (OpenSIPS's PostgreSQL schema has no unsigned types)" : "");
                return TOOL_E_BAD_ARGS;
            }
        }
        if (dc->type == DBT_DATETIME && json_is_string(v)) {
            /* YYYY-MM-DD, then optionally [T ]HH:MM and :SS: as both databases read it */
            static const char form[] = "dddd-dd-dd hh:mm:ss";
            const char *t = json_string_value(v);
            size_t len = strlen(t);
            bool ok = len == 10 || len == 16 || len == 19;
            char out[20];
            for (size_t i = 0; ok && i < len; i++) {
                char f = form[i];
                ok = f == 'd' || f == 'h' || f == 'm' || f == 's' ? isdigit((unsigned char)t[i])
                     : f == ' ' ? t[i] == ' ' || t[i] == 'T' : t[i] == f;
                out[i] = t[i] == 'T' ? ' ' : t[i];
            }
            if (!ok) {
                tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s: '%.40s' is not a time of the form "
                          "YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (no zone: "
                          "the database's own time)", arg_of(c), t);
                return TOOL_E_BAD_ARGS;
            }
            out[len] = '\0';
            json_object_set_new(values, arg_of(c), json_string(out));
        }
        if (c->check && json_is_string(v) &&
            (rc = check_list(d, c, json_string_value(v), e)) != TOOL_OK)
            return rc;
    }
    return TOOL_OK;
}

/* ---- running ---- */

enum tool_err sql_connect(struct tool_ctx *x, struct db_driver *d, struct tool_error *e)
{
    if (!x->be || !x->be->db_connect) {
        tool_fail(e, TOOL_E_CONFIG, "db_not_configured", 0,
                  "no provisioning database is configured (set --db-url, or database_url in "
                  "opensips-cli's config); nothing was read or changed");
        return TOOL_E_CONFIG;
    }
    return x->be->db_connect(x->be->db, x->node, d, e);
}

/* An error of the database saying a column does not exist (SQLSTATE 42703, MySQL 1054)
 * while the call used a column the stock schema lacks: the clear sentence. */
static void explain_extra(const struct sql_table *t, const json_t *args, struct tool_error *e)
{
    char given[160] = "";
    size_t used = 0;

    if (e->code != (int)strtol("42703", NULL, 36) && e->code != 1054)
        return;
    for (const struct sql_column *c = t->columns; c->name; c++)
        if ((c->flags & COL_EXTRA) && json_object_get(args, arg_of(c)) && used < sizeof(given))
            used += (size_t)snprintf(given + used, sizeof(given) - used, "%s%s",
                                     used ? ", " : "", c->name);
    if (!used)
        return;
    char was[sizeof(e->text)];
    snprintf(was, sizeof(was), "%s", e->text);
    tool_fail(e, TOOL_E_UNSUPPORTED, "db_missing_column", e->code,
              "table %s lacks a column this call filters on (%s): OpenSIPS's stock schema has "
              "none of them; acc writes them only once its extra accounting fields name them. "
              "Add the columns, or call without those arguments (%s)", t->table, given, was);
}

static json_t *run_query(struct db_driver *d, char *sql, json_t *params, struct tool_error *e)
{
    json_t *rows = NULL;
    long long affected = 0;
    enum tool_err rc = d->query(d->ctx, sql, params, &rows, &affected, e);

    free(sql);
    json_decref(params);
    if (rc != TOOL_OK)
        return NULL;
    return rows ? rows : json_array();
}

static json_t *run_list(struct tool_ctx *x, struct db_driver *d, json_t *values,
                        struct tool_error *e)
{
    const struct sql_row *r = x->def->sql;
    json_t *params, *rows, *count;
    char *sql;

    if (check_values(d, r, values, e) != TOOL_OK)
        return NULL;
    if (!(sql = count_statement(r->table, values, d->placeholder, &params, e)) ||
        !(count = run_query(d, sql, params, e))) {
        explain_extra(r->table, values, e);
        return NULL;
    }
    json_t *nv = json_object_get(json_array_get(count, 0), "n");
    long long total = json_is_integer(nv) ? json_integer_value(nv)
                                          : strtoll(json_string_value(nv) ? json_string_value(nv) : "0", NULL, 10);
    json_decref(count);
    if (!(sql = sql_statement(r, values, d->placeholder, &params, e)) ||
        !(rows = run_query(d, sql, params, e)))
        return NULL;
    return row_page(rows, values, total, 1);
}

static json_t *run_get(struct tool_ctx *x, struct db_driver *d, json_t *values,
                       struct tool_error *e)
{
    const struct sql_row *r = x->def->sql;
    json_t *params, *rows, *out;
    char *sql;

    if (!(sql = sql_statement(r, values, d->placeholder, &params, e)) ||
        !(rows = run_query(d, sql, params, e)))
        return NULL;
    if (!json_array_size(rows)) {
        json_decref(rows);
        return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "table %s has no such row (see its "
                         "list tool)", r->table->table);
    }
    out = json_pack("{s:O}", "result", json_array_get(rows, 0));
    json_decref(rows);
    return out;
}

json_t *sql_row_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct db_driver d;
    json_t *values, *out;

    if (x->def->sql->op >= SQL_ADD)
        return sql_apply(x, &args, 1, args, e);
    if (sql_connect(x, &d, e) != TOOL_OK)
        return NULL;
    values = json_deep_copy(args);
    out = x->def->sql->op == SQL_LIST ? run_list(x, &d, values, e) : run_get(x, &d, values, e);
    json_decref(values);
    return out;
}

/* Append "; nothing was changed" to a failure inside a write, unless it says so already. */
static void nothing_changed(struct tool_error *e)
{
    size_t n = strlen(e->text);

    if (!strstr(e->text, "nothing was changed") && n + 22 < sizeof(e->text))
        memcpy(e->text + n, "; nothing was changed", 22);
}

/* One write of the row with values (checked and bound); the new row's id into *id (add). */
static enum tool_err write_one(struct db_driver *d, const struct sql_row *r, json_t *values,
                               long long *affected, json_t **id, struct tool_error *e)
{
    json_t *params, *rows = NULL;
    enum tool_err rc;
    char *sql;

    *id = NULL;
    if ((rc = check_values(d, r, values, e)) != TOOL_OK)
        return rc;
    if (!(sql = sql_statement(r, values, d->placeholder, &params, e)))
        return e->kind;
    rc = d->query(d->ctx, sql, params, &rows, affected, e);
    free(sql);
    json_decref(params);
    if (rc != TOOL_OK)
        return rc;
    if (rows) { /* RETURNING id */
        *affected = (long long)json_array_size(rows);
        *id = json_incref(json_object_get(json_array_get(rows, 0), serial_of(r->table)));
        json_decref(rows);
    } else if (r->op == SQL_ADD && serial_of(r->table)) {
        json_t *p = json_array();
        rows = run_query(d, strdup("SELECT LAST_INSERT_ID() AS id"), p, e);
        if (!rows)
            return e->kind;
        *id = json_incref(json_object_get(json_array_get(rows, 0), "id"));
        json_decref(rows);
    }
    if (r->op != SQL_ADD && *affected == 0) {
        tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "table %s has no row with %s (see its list "
                  "tool); nothing was changed", r->table->table,
                  r->keys ? r->keys[0] : "this id");
        return TOOL_E_NOT_FOUND;
    }
    return TOOL_OK;
}

json_t *sql_apply(struct tool_ctx *x, const json_t *const *values, size_t n, const json_t *args,
                  struct tool_error *e)
{
    const struct sql_row *r = x->def->sql;
    const char *reload = r->table->reload;
    struct db_driver d;
    json_t *ids = json_array(), *out, *reply = NULL;
    long long changed = 0;
    enum tool_err rc;

    if (sql_connect(x, &d, e) != TOOL_OK) {
        json_decref(ids);
        nothing_changed(e);
        return NULL;
    }
    rc = d.begin ? d.begin(d.ctx, e) : TOOL_OK;
    for (size_t i = 0; rc == TOOL_OK && i < n; i++) {
        json_t *v = json_deep_copy(values[i]), *id;
        long long affected = 0;
        rc = write_one(&d, r, v, &affected, &id, e);
        json_decref(v);
        changed += affected;
        if (id)
            json_array_append_new(ids, id);
    }
    if (rc == TOOL_OK && d.commit)
        rc = d.commit(d.ctx, e);
    if (rc != TOOL_OK) {
        if (d.rollback)
            d.rollback(d.ctx);
        json_decref(ids);
        nothing_changed(e);
        return NULL;
    }
    out = json_pack("{s:I}", "changed", (json_int_t)changed);
    if (json_array_size(ids) == 1)
        json_object_set(out, "id", json_array_get(ids, 0));
    else if (json_array_size(ids) > 1)
        json_object_set(out, "ids", ids);
    json_decref(ids);
    if (!reload) {
        json_object_set_new(out, "status", json_string(r->table->manual ? "committed" : "live"));
        if (r->table->manual)
            json_object_set_new(out, "note", json_string(r->table->manual));
        return out;
    }
    json_t *want = json_object_get(args, "reload");
    struct tool_error me = {0};
    if (json_is_false(want)) {
        json_object_set_new(out, "status", json_string("committed"));
        json_object_set_new(out, "note", json_pack("s++", "not reloaded (reload: false): "
                            "OpenSIPS goes on with its old copy until ", reload, " runs"));
    } else if (!x->be->mi) {
        json_object_set_new(out, "status", json_string("committed"));
        json_object_set_new(out, "note", json_pack("s++", "committed, but no MI node is "
                            "configured to run ", reload, ": OpenSIPS goes on with its old copy"));
    } else if (tool_mi(x, reload, NULL, &reply, &me) == TOOL_OK) {
        json_object_set_new(out, "status", json_string("live"));
    } else {
        json_object_set_new(out, "status", json_string("committed"));
        json_object_set_new(out, "note", json_pack("s+++", "committed, but OpenSIPS did not "
                            "re-read the table: ", reload, " failed: ", me.text));
    }
    json_decref(reply);
    return out;
}

/* ---- docs ---- */

static const char *const op_names[] = {
    [SQL_LIST] = "list (count, then one page)", [SQL_GET] = "get one row",
    [SQL_ADD] = "insert", [SQL_UPDATE] = "update", [SQL_DELETE] = "delete"};

static const char *role_of(const struct sql_row *r, const struct sql_column *c, bool *req)
{
    if (c->flags & COL_HIDDEN)
        return "set by the tool";
    if (r->op == SQL_LIST)
        return c->flags & COL_LIKE ? "filter: contains" : c->flags & COL_SINCE ? "filter: >="
               : c->flags & COL_UNTIL ? "filter: <" : "filter: equals";
    if (is_key(r, c))
        return "names the row";
    return *req ? "set (required)" : "set";
}

void sql_row_doc(FILE *out, const struct tool_def *d)
{
    const struct sql_row *r = d->sql;
    const struct db_table_schema *s = schema_of(r->table);
    bool any = false;

    fprintf(out, "- database: table `%s` (module %s), %s", r->table->table,
            s ? s->module : "?", op_names[r->op]);
    if (r->op >= SQL_ADD)
        fprintf(out, "%s; then %s%s%s\n", r->own_args ? " of the rows its logic makes" : "",
                r->table->reload ? "`" : "",
                r->table->reload ? r->table->reload : r->table->manual ? r->table->manual
                                 : "nothing: OpenSIPS reads the table on every use",
                r->table->reload ? "` on the node unless `reload` is false" : "");
    else
        fputs("\n", out);
    for (const struct sql_column *c = r->table->columns; c->name; c++) {
        bool req;
        if (r->own_args || (!takes(r, c, &req) && !((c->flags & COL_HIDDEN) && r->op >= SQL_ADD)))
            continue;
        if (!any)
            fprintf(out, "\n| argument | column | role | description |\n|---|---|---|---|\n");
        any = true;
        req = (c->flags & COL_REQUIRED) != 0;
        fprintf(out, "| %s%s%s | `%s` | %s | %s |\n", c->flags & COL_HIDDEN ? "" : "`",
                c->flags & COL_HIDDEN ? "—" : arg_of(c), c->flags & COL_HIDDEN ? "" : "`",
                c->name, role_of(r, c, &req), c->arg.description ? c->arg.description : "");
    }
}
