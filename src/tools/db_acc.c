/* db_acc: what happened — acc's CDR and missed_calls tables, by time window and party — and
 * db_check: whether a node's database has the tables and versions its OpenSIPS expects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/schema.h"
#include "tools/db_acc.h"
#include "tools/be_sql.h"
#include "tools/row.h"
#include "tools/tool.h"

#define TIME_DESC(what) what " YYYY-MM-DD[THH:MM[:SS]]"

#define CDR_COLUMNS                                                                       \
    COL("id", COL_KEY),                                                                   \
    COL("time", COL_SINCE, .name = "date_from", .description = TIME_DESC("From")),        \
    COL("time", COL_UNTIL, .name = "date_to", .description = TIME_DESC("Before")),        \
    COL("callid", COL_FILTER),                        \
    COL("sip_code", COL_FILTER),         \
    COL("caller", COL_LIKE | COL_EXTRA, .max_len = 128,                                   \
        .description = "Contains this"),                          \
    COL("callee", COL_LIKE | COL_EXTRA, .max_len = 128,                                   \
        .description = "Contains this")

static const struct sql_table acc = {
    .table = "acc", .columns = COLUMNS(CDR_COLUMNS), .order = "time"};
static const struct sql_table missed = {
    .table = "missed_calls", .columns = COLUMNS(CDR_COLUMNS), .order = "time"};

/* db_check: the tables of db/schema.h and the version rows the node's OpenSIPS expects. */
static const struct tool_arg check_args[] = ARGS(
    {.name = "version", .type = T_STRING, .pattern = "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$",
     .description = "OpenSIPS version to check against (default: the node's)"});

/* The OpenSIPS series `version` names, else the node's (core:version): its version rows, or
 * NULL with e filled. */
static const struct db_schema_version *check_version(struct tool_ctx *x, const char *version,
                                                     struct tool_error *e)
{
    const struct db_schema_version *want;
    json_t *reply = NULL;
    char ver[64] = "";

    if (!version && x->be->mi && tool_mi(x, "core:version", NULL, &reply, e) == TOOL_OK) {
        /* "Server": "OpenSIPS (4.0.1 (x86_64/linux))" */
        const char *s = strchr(tool_str(reply, "Server", ""), '(');
        if (s)
            snprintf(ver, sizeof(ver), "%.*s", (int)strcspn(s + 1, " )"), s + 1);
        version = *ver ? ver : NULL;
    }
    json_decref(reply);
    if (!(want = db_schema_version_of(version)))
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "no OpenSIPS version to check against (%s): give "
                  "version, e.g. \"4.0\" or \"3.6\"",
                  version ? "it is neither 4.0 nor 3.6" : "the node's MI did not say");
    return want;
}

/* A version given is checked before the database is reached, the node's asked after: a bad
 * version fails at once, and no database fails as such whatever the node answers. */
json_t *db_check_node(struct tool_ctx *x, const char *version, struct tool_error *e)
{
    const struct db_schema_version *want = NULL;
    json_t *rows, *tables, *params, *out;
    struct db_driver d;
    long long affected;
    size_t bad = 0;

    if (version && !(want = check_version(x, version, e)))
        return NULL;
    if (sql_connect(x, &d, e) != TOOL_OK || (!want && !(want = check_version(x, NULL, e))))
        return NULL;
    tables = json_array();
    params = json_array();
    if (d.query(d.ctx, "SELECT table_name, table_version FROM version", params, &rows,
                &affected, e) != TOOL_OK) {
        json_decref(tables);
        json_decref(params);
        return NULL;
    }
    json_decref(params);
    for (size_t i = 0; i < db_schema_ntables; i++) {
        const char *name = db_schema_tables[i].name;
        int expect = 0;
        json_t *have = NULL, *row;
        size_t j;
        for (const struct db_table_version *v = want->tables; v->table; v++)
            if (!strcmp(v->table, name))
                expect = v->version;
        json_array_foreach(rows, j, row)
            if (!strcmp(tool_str(row, "table_name", ""), name))
                have = json_object_get(row, "table_version");
        long long got = json_is_integer(have) ? json_integer_value(have)
                        : have ? strtoll(json_string_value(have) ? json_string_value(have) : "0",
                                         NULL, 10) : -1;
        const char *state = got < 0 ? "missing" : got == expect ? "ok" : "wrong_version";
        /* a table whose version row is there may still be absent: count it */
        json_t *one = json_pack("{s:s,s:s,s:i,s:s}", "table", name, "module",
                                db_schema_tables[i].module, "expected", expect, "state", state);
        if (got >= 0)
            json_object_set_new(one, "found", json_integer(got));
        char sql[96];
        json_t *p = json_array(), *r = NULL;
        struct tool_error te = {0};
        snprintf(sql, sizeof(sql), "SELECT COUNT(*) AS n FROM %s", name);
        if (d.query(d.ctx, sql, p, &r, &affected, &te) != TOOL_OK) {
            json_object_set_new(one, "state", json_string("missing"));
            json_object_set_new(one, "error", json_string(te.text));
        } else {
            json_object_set(one, "rows", json_object_get(json_array_get(r, 0), "n"));
        }
        json_decref(p);
        json_decref(r);
        bad += strcmp(json_string_value(json_object_get(one, "state")), "ok") != 0;
        json_array_append_new(tables, one);
    }
    json_decref(rows);
    out = json_pack("{s:s,s:b,s:o}", "opensips", want->opensips, "ok", bad == 0, "tables", tables);
    if (bad)
        json_object_set_new(out, "note", json_sprintf("%zu of the tables opensips-mcp uses are "
                            "missing or of another version than OpenSIPS %s expects: its module "
                            "refuses to start on a wrong version", bad, want->opensips));
    return out;
}

static json_t *db_check(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    return db_check_node(x, tool_str(args, "version", NULL), e);
}

static const struct tool_def db_acc_rows[] = {
    {.name = "acc_query_cdrs", .title = "Query call records",
     .description = "Lists acc's call records, oldest first; caller and callee need extra acc "
                    "columns of those names.",
     DB_READ(.sql = SQL(&acc, SQL_LIST))},
    {.name = "acc_missed_calls", .title = "Query missed calls",
     .description = "Lists acc's missed_calls, like acc_query_cdrs.",
     DB_READ(.sql = SQL(&missed, SQL_LIST))},
    {.name = "db_check", .title = "Check the database schema",
     .description = "Per table the db tools use: present, rows, and whether its version row is "
                    "what the node's OpenSIPS expects.",
     DB_GET(.sql = SQL(&acc, SQL_GET, .own_args = true), .args = check_args, .run = db_check)},
};
ROW_TABLE(db_acc, db_acc_rows);
