/* Unit tests for the SQL-table backend (tools/be_sql.c) over a recording driver: the statement
 * each operation builds from the example table spec (identifiers from the spec only, every value
 * a bound parameter, in both placeholder styles), the shaping of rows, not-found, the reload
 * after a change, and a reload that fails. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db/db.h"
#include "fixtures/examples.h"
#include "tools/be_sql.h"
#include "tools/tool.h"

struct recorder {
    char sql[1024];
    json_t *params;
    json_t *rows;       /* what the next query answers (stolen) */
    long long affected;
    enum tool_err fail;
};

static enum tool_err record(void *ctx, const char *sql, const json_t *params, json_t **rows,
                            long long *affected, struct tool_error *e)
{
    struct recorder *r = ctx;

    snprintf(r->sql, sizeof(r->sql), "%s", sql);
    json_decref(r->params);
    r->params = json_deep_copy(params);
    if (r->fail) {
        tool_fail(e, r->fail, "db_duplicate", 1062, "duplicate entry");
        return r->fail;
    }
    *rows = r->rows;
    r->rows = NULL;
    *affected = r->affected;
    return TOOL_OK;
}

static void test_statements(void)
{
    struct tool_error e;
    json_t *params, *args = json_pack("{s:s, s:s, s:i}", "domain", "example.com", "attrs",
                                      "x'; DROP TABLE domain; --", "id", 7);
    char *sql;

    sql = sql_statement(&example_domain_table, SQL_ADD, args, DB_DOLLAR, &params, &e);
    CHECK_STR(sql, "INSERT INTO domain (id, domain, attrs) VALUES ($1, $2, $3)");
    CHECK(json_array_size(params) == 3);
    CHECK_STR(json_string_value(json_array_get(params, 2)), "x'; DROP TABLE domain; --");
    free(sql);
    json_decref(params);

    sql = sql_statement(&example_domain_table, SQL_UPDATE, args, DB_QUESTION, &params, &e);
    CHECK_STR(sql, "UPDATE domain SET domain = ?, attrs = ? WHERE id = ?");
    CHECK(json_integer_value(json_array_get(params, 2)) == 7);
    free(sql);
    json_decref(params);

    sql = sql_statement(&example_domain_table, SQL_UPDATE, args, DB_DOLLAR, &params, &e);
    CHECK_STR(sql, "UPDATE domain SET domain = $1, attrs = $2 WHERE id = $3");
    free(sql);
    json_decref(params);

    sql = sql_statement(&example_domain_table, SQL_DELETE, args, DB_DOLLAR, &params, &e);
    CHECK_STR(sql, "DELETE FROM domain WHERE id = $1");
    free(sql);
    json_decref(params);

    sql = sql_statement(&example_domain_table, SQL_LIST, args, DB_DOLLAR, &params, &e);
    CHECK_STR(sql, "SELECT id, domain, attrs FROM domain ORDER BY id");
    CHECK(json_array_size(params) == 0);
    free(sql);
    json_decref(params);

    /* an update that sets nothing is refused before any statement */
    json_decref(args);
    args = json_pack("{s:i}", "id", 7);
    CHECK(sql_statement(&example_domain_table, SQL_UPDATE, args, DB_DOLLAR, &params, &e) == NULL);
    CHECK(e.kind == TOOL_E_BAD_ARGS);
    CHECK_CONTAINS(e.text, "nothing to change");
    json_decref(args);
}

static const struct tool_def *row(const char *name)
{
    for (size_t i = 0; i < examples_table.n; i++)
        if (!strcmp(examples_table.rows[i].name, name))
            return &examples_table.rows[i];
    return NULL;
}

static struct recorder *the_recorder;

static enum tool_err connect_recorder(const struct db_config *c, const char *node,
                                      struct db_driver *d, struct tool_error *e)
{
    (void)c, (void)node, (void)e;
    *d = (struct db_driver){.name = "recorder", .placeholder = DB_DOLLAR, .query = record,
                            .ctx = the_recorder};
    return TOOL_OK;
}

static void test_run(void)
{
    struct recorder rec = {0};
    struct tool_backends be = {.db_connect = connect_recorder}; /* no MI: the reload fails */
    struct tool_ctx x = {.be = &be};

    the_recorder = &rec;
    struct tool_error e = {0};
    json_t *args, *out;

    x.def = row("example_domain_list");
    rec.rows = json_pack("[{s:i,s:s},{s:i,s:s}]", "id", 1, "domain", "a.example", "id", 2,
                         "domain", "b.example");
    args = json_pack("{s:i}", "limit", 1);
    out = sql_row_run(&x, args, &e);
    CHECK(out && json_integer_value(json_object_get(out, "total")) == 2);
    CHECK(json_array_size(json_object_get(out, "items")) == 1);
    CHECK(json_integer_value(json_object_get(out, "next_offset")) == 1);
    json_decref(out);
    json_decref(args);

    x.def = row("example_domain_delete");
    rec.affected = 0;
    args = json_pack("{s:i}", "id", 9);
    CHECK(sql_row_run(&x, args, &e) == NULL);
    CHECK(e.kind == TOOL_E_NOT_FOUND);
    CHECK_CONTAINS(e.text, "nothing was changed");
    rec.affected = 1;
    out = sql_row_run(&x, args, &e);
    CHECK(out && json_integer_value(json_object_get(out, "changed")) == 1);
    CHECK(json_is_false(json_object_get(out, "reloaded")));
    CHECK_CONTAINS(json_string_value(json_object_get(out, "note")), "domain:reload");
    json_decref(out);
    json_decref(args);

    x.def = row("example_domain_add");
    rec.fail = TOOL_E_REFUSED;
    args = json_pack("{s:s}", "domain", "a.example");
    CHECK(sql_row_run(&x, args, &e) == NULL);
    CHECK(e.kind == TOOL_E_REFUSED && !strcmp(e.name, "db_duplicate") && e.code == 1062);
    json_decref(args);

    be.db_connect = NULL;
    CHECK(sql_row_run(&x, args = json_object(), &e) == NULL);
    CHECK(e.kind == TOOL_E_CONFIG && !strcmp(e.name, "db_not_configured"));
    json_decref(args);
    json_decref(rec.params);
}

int main(void)
{
    test_statements();
    test_run();
    return check_done("be_sql");
}
