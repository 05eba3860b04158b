/* Unit tests for the SQL-table backend (tools/be_sql.c) over a recording driver: the statement
 * each operation builds from the example table spec (identifiers from the spec only, every value
 * a bound parameter, in both placeholder styles), paging with a count, the checks before a write
 * (ranges per database, drouting lists against the tables), the transaction, not-found, and the
 * reload after a change that cannot run. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db/db.h"
#include "fixtures/examples.h"
#include "tools/be_sql.h"
#include "tools/tool.h"

/* A driver that records every statement and answers from a queue. */
struct recorder {
    json_t *log;     /* [[sql, params], ...] */
    json_t *answers; /* [{rows: [...]} | {affected: n} | {fail: kind}, ...]; empty: affected 1 */
    enum db_placeholder ph;
    int begun, committed, rolled;
};

static enum tool_err record(void *ctx, const char *sql, const json_t *params, json_t **rows,
                            long long *affected, struct tool_error *e)
{
    struct recorder *r = ctx;
    json_t *a = json_array_get(r->answers, 0);

    json_array_append_new(r->log, json_pack("[s,O]", sql, params));
    *rows = NULL;
    *affected = 1;
    if (!a)
        return TOOL_OK;
    json_incref(a);
    json_array_remove(r->answers, 0);
    if (json_object_get(a, "fail")) {
        enum tool_err k = (enum tool_err)json_integer_value(json_object_get(a, "fail"));
        tool_fail(e, k, "db_duplicate", 1062, "duplicate entry");
        json_decref(a);
        return k;
    }
    if (json_object_get(a, "rows"))
        *rows = json_incref(json_object_get(a, "rows"));
    else
        *affected = json_integer_value(json_object_get(a, "affected"));
    json_decref(a);
    return TOOL_OK;
}

static enum tool_err rec_begin(void *ctx, struct tool_error *e)
{
    (void)e;
    ((struct recorder *)ctx)->begun++;
    return TOOL_OK;
}

static enum tool_err rec_commit(void *ctx, struct tool_error *e)
{
    (void)e;
    ((struct recorder *)ctx)->committed++;
    return TOOL_OK;
}

static void rec_rollback(void *ctx)
{
    ((struct recorder *)ctx)->rolled++;
}

static struct recorder *the_recorder;

static enum tool_err connect_recorder(const struct db_config *c, const char *node,
                                      struct db_driver *d, struct tool_error *e)
{
    (void)c, (void)node, (void)e;
    *d = (struct db_driver){.name = "recorder", .placeholder = the_recorder->ph, .query = record,
                            .begin = rec_begin, .commit = rec_commit, .rollback = rec_rollback,
                            .ctx = the_recorder};
    return TOOL_OK;
}

static const char *logged(struct recorder *r, size_t i)
{
    return json_string_value(json_array_get(json_array_get(r->log, i), 0));
}

static const json_t *logged_params(struct recorder *r, size_t i)
{
    return json_array_get(json_array_get(r->log, i), 1);
}

static const struct tool_def *row(const char *name)
{
    for (size_t i = 0; i < examples_table.n; i++)
        if (!strcmp(examples_table.rows[i].name, name))
            return &examples_table.rows[i];
    return NULL;
}

static void test_statements(void)
{
    struct tool_error e;
    json_t *params, *args = json_pack("{s:s, s:s, s:i}", "domain", "example.com", "attrs",
                                      "x'; DROP TABLE domain; --", "id", 7);
    const struct sql_row *add = row("example_domain_add")->sql;
    const struct sql_row *del = row("example_domain_delete")->sql;
    const struct sql_row *list = row("example_domain_list")->sql;
    struct sql_row upd = {.table = add->table, .op = SQL_UPDATE};
    char *sql;

    /* the key (serial) is the database's to assign: an add never sets it */
    sql = sql_statement(add, args, DB_DOLLAR, &params, &e);
    CHECK_STR(sql, "INSERT INTO domain (domain, attrs) VALUES ($1, $2) RETURNING id");
    CHECK(json_array_size(params) == 2);
    CHECK_STR(json_string_value(json_array_get(params, 1)), "x'; DROP TABLE domain; --");
    free(sql);
    json_decref(params);

    sql = sql_statement(add, args, DB_QUESTION, &params, &e);
    CHECK_STR(sql, "INSERT INTO domain (domain, attrs) VALUES (?, ?)");
    free(sql);
    json_decref(params);

    sql = sql_statement(&upd, args, DB_QUESTION, &params, &e);
    CHECK_STR(sql, "UPDATE domain SET domain = ?, attrs = ? WHERE id = ?");
    CHECK(json_integer_value(json_array_get(params, 2)) == 7);
    free(sql);
    json_decref(params);

    sql = sql_statement(del, args, DB_DOLLAR, &params, &e);
    CHECK_STR(sql, "DELETE FROM domain WHERE id = $1");
    free(sql);
    json_decref(params);

    /* every column of the table is read back, paged by bound integers */
    sql = sql_statement(list, args, DB_DOLLAR, &params, &e);
    CHECK_STR(sql, "SELECT id, domain, attrs, accept_subdomain, last_modified FROM domain "
                   "ORDER BY id LIMIT $1 OFFSET $2");
    CHECK(json_integer_value(json_array_get(params, 0)) == 50);
    free(sql);
    json_decref(params);

    /* an update that sets nothing is refused before any statement */
    json_decref(args);
    args = json_pack("{s:i}", "id", 7);
    CHECK(sql_statement(&upd, args, DB_DOLLAR, &params, &e) == NULL);
    CHECK(e.kind == TOOL_E_BAD_ARGS);
    CHECK_CONTAINS(e.text, "nothing to change");
    json_decref(args);
}

static const struct sql_table wide = {
    .table = "domain",
    .columns = COLUMNS(COL("id", COL_KEY),
                       COL("domain", COL_WRITABLE),
                       COL("accept_subdomain", COL_WRITABLE))};
static const struct tool_def wide_add = {.name = "t", .backend = BACKEND_SQL,
                                         .sql = SQL(&wide, SQL_ADD)};

static const struct sql_table rules = {
    .table = "dr_rules",
    .columns = COLUMNS(COL("ruleid", COL_KEY),
                       CHECKED("groupid", COL_WRITABLE, SQL_CHECK_INT_LIST),
                       COL("prefix", COL_WRITABLE),
                       CHECKED("gwlist", COL_WRITABLE, SQL_CHECK_GWLIST))};
static const struct tool_def rules_add = {.name = "t", .backend = BACKEND_SQL,
                                    .sql = SQL(&rules, SQL_ADD)};

static void test_run(void)
{
    struct recorder rec = {.log = json_array(), .answers = json_array(), .ph = DB_DOLLAR};
    struct tool_backends be = {.db_connect = connect_recorder}; /* no MI node */
    struct tool_ctx x = {.be = &be};
    struct tool_error e = {0};
    json_t *args, *out;

    the_recorder = &rec;

    /* a list counts, then reads one page; the total comes from the count */
    x.def = row("example_domain_list");
    json_array_append_new(rec.answers, json_pack("{s:[{s:i}]}", "rows", "n", 3));
    json_array_append_new(rec.answers, json_pack("{s:[{s:i,s:s}]}", "rows", "id", 2, "domain",
                                                 "b.example"));
    args = json_pack("{s:i,s:i}", "limit", 1, "offset", 1);
    out = sql_row_run(&x, args, &e);
    CHECK(out && json_integer_value(json_object_get(out, "total")) == 3);
    CHECK(json_array_size(json_object_get(out, "items")) == 1);
    CHECK(json_integer_value(json_object_get(out, "next_offset")) == 2);
    CHECK_STR(logged(&rec, 0), "SELECT COUNT(*) AS n FROM domain");
    CHECK(json_integer_value(json_array_get(logged_params(&rec, 1), 1)) == 1);
    json_decref(out);
    json_decref(args);

    /* a delete of a row that is not there: not found, rolled back */
    x.def = row("example_domain_delete");
    json_array_clear(rec.log);
    json_array_append_new(rec.answers, json_pack("{s:i}", "affected", 0));
    args = json_pack("{s:i}", "id", 9);
    CHECK(sql_row_run(&x, args, &e) == NULL);
    CHECK(e.kind == TOOL_E_NOT_FOUND);
    CHECK_CONTAINS(e.text, "nothing was changed");
    CHECK(rec.begun == 1 && rec.rolled == 1 && rec.committed == 0);

    /* found: committed; no MI node, so it is committed but not live, and says why */
    out = sql_row_run(&x, args, &e);
    CHECK(out && json_integer_value(json_object_get(out, "changed")) == 1);
    CHECK_STR(json_string_value(json_object_get(out, "status")), "committed");
    CHECK_CONTAINS(json_string_value(json_object_get(out, "note")), "domain:reload");
    CHECK(rec.committed == 1);
    json_decref(out);
    json_decref(args);

    /* reload: false says so, whatever the MI nodes */
    args = json_pack("{s:i,s:b}", "id", 9, "reload", 0);
    out = sql_row_run(&x, args, &e);
    CHECK_CONTAINS(json_string_value(json_object_get(out, "note")), "reload: false");
    json_decref(out);
    json_decref(args);

    /* an add returns the new id (PostgreSQL: RETURNING) */
    x.def = row("example_domain_add");
    json_array_append_new(rec.answers, json_pack("{s:[{s:i}]}", "rows", "id", 41));
    args = json_pack("{s:s}", "domain", "a.example");
    out = sql_row_run(&x, args, &e);
    CHECK(out && json_integer_value(json_object_get(out, "id")) == 41);
    json_decref(out);

    /* MySQL: LAST_INSERT_ID() on the same connection, inside the transaction */
    rec.ph = DB_QUESTION;
    json_array_clear(rec.log);
    json_array_append_new(rec.answers, json_pack("{s:i}", "affected", 1));
    json_array_append_new(rec.answers, json_pack("{s:[{s:i}]}", "rows", "id", 42));
    out = sql_row_run(&x, args, &e);
    CHECK(out && json_integer_value(json_object_get(out, "id")) == 42);
    CHECK_STR(logged(&rec, 1), "SELECT LAST_INSERT_ID() AS id");
    json_decref(out);

    /* a duplicate: the driver's error, nothing committed */
    int commits = rec.committed;
    json_array_append_new(rec.answers, json_pack("{s:i}", "fail", TOOL_E_BAD_ARGS));
    CHECK(sql_row_run(&x, args, &e) == NULL);
    CHECK(e.kind == TOOL_E_BAD_ARGS && !strcmp(e.name, "db_duplicate") && e.code == 1062);
    CHECK_CONTAINS(e.text, "nothing was changed");
    CHECK(rec.committed == commits);
    json_decref(args);

    /* domain.accept_subdomain is int unsigned: PostgreSQL holds less than MySQL */
    x.def = &wide_add;
    rec.ph = DB_DOLLAR;
    json_array_clear(rec.log);
    args = json_pack("{s:s,s:I}", "domain", "x", "accept_subdomain", (json_int_t)3000000000LL);
    CHECK(sql_row_run(&x, args, &e) == NULL);
    CHECK(e.kind == TOOL_E_BAD_ARGS);
    CHECK_CONTAINS(e.text, "PostgreSQL");
    CHECK(json_array_size(rec.log) == 0); /* refused before any statement */
    rec.ph = DB_QUESTION;
    json_array_append_new(rec.answers, json_pack("{s:i}", "affected", 1));
    json_array_append_new(rec.answers, json_pack("{s:[{s:i}]}", "rows", "id", 1));
    out = sql_row_run(&x, args, &e);
    CHECK(out != NULL); /* MySQL's unsigned int holds it */
    json_decref(out);
    json_decref(args);

    be.db_connect = NULL;
    CHECK(sql_row_run(&x, args = json_object(), &e) == NULL);
    CHECK(e.kind == TOOL_E_CONFIG && !strcmp(e.name, "db_not_configured"));
    json_decref(args);
    json_decref(rec.log);
    json_decref(rec.answers);
}

/* drouting's lists: malformed ones refused before the database; names checked against it. */
static void test_lists(void)
{
    struct recorder rec = {.log = json_array(), .answers = json_array(), .ph = DB_DOLLAR};
    struct tool_backends be = {.db_connect = connect_recorder};
    struct tool_ctx x = {.be = &be, .def = &rules_add};
    struct tool_error e = {0};
    static const char *const bad[][2] = {
        {"1,x", "gw1"}, {"1,,2", "gw1"}, {"1;2", "gw1"}, {"1", "gw1,"}, {"1", "gw1=a"},
        {"1", ",gw1"}, {"1", "gw 1"}, {"1", ""},
    };

    the_recorder = &rec;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *args = json_pack("{s:s,s:s,s:s}", "groupid", bad[i][0], "prefix", "49",
                                 "gwlist", bad[i][1]);
        json_array_clear(rec.log);
        CHECK(sql_row_run(&x, args, &e) == NULL);
        CHECK(e.kind == TOOL_E_BAD_ARGS);
        CHECK(json_array_size(rec.log) == 0);
        json_decref(args);
    }

    /* gw2 is missing from dr_gateways: named, nothing inserted */
    json_t *args = json_pack("{s:s,s:s,s:s}", "groupid", "1,2", "prefix", "49", "gwlist",
                             "gw1=10; gw2, #c1");
    json_array_clear(rec.log);
    json_array_append_new(rec.answers, json_pack("{s:[{s:s}]}", "rows", "v", "gw1"));
    CHECK(sql_row_run(&x, args, &e) == NULL);
    CHECK_CONTAINS(e.text, "'gw2'");
    CHECK_STR(logged(&rec, 0), "SELECT gwid AS v FROM dr_gateways WHERE gwid IN ($1, $2)");
    CHECK(json_array_size(rec.log) == 1);

    /* all there: the carrier checked too, then the insert */
    json_array_clear(rec.log);
    json_array_append_new(rec.answers, json_pack("{s:[{s:s},{s:s}]}", "rows", "v", "gw1", "v", "gw2"));
    json_array_append_new(rec.answers, json_pack("{s:[{s:s}]}", "rows", "v", "c1"));
    json_array_append_new(rec.answers, json_pack("{s:[{s:i}]}", "rows", "ruleid", 5));
    json_t *out = sql_row_run(&x, args, &e);
    CHECK(out && json_integer_value(json_object_get(out, "id")) == 5);
    CHECK_STR(logged(&rec, 1), "SELECT carrierid AS v FROM dr_carriers WHERE carrierid IN ($1)");
    json_decref(out);
    json_decref(args);
    json_decref(rec.log);
    json_decref(rec.answers);
}

int main(void)
{
    test_statements();
    test_run();
    test_lists();
    return check_done("be_sql");
}
