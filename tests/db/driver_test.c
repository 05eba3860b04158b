/* driver_test: the db drivers against a real server. usage: driver_test URL CTL
 * CTL is a shell command taking "stop" or "start" that stops/starts the server the URL names
 * (tests/db/driver.sh passes itself). Prints one line per step with its time. */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"
#include "check.h"
#include "db/conn.h"
#include "db/db.h"

static struct db_driver d;
static const char *url, *ctl;
static struct db_open_opts opts = {.connect_timeout_ms = 3000, .statement_timeout_ms = 10000};

/* "?" placeholders turned into "$n" for PostgreSQL. */
static const char *sqlf(const char *sql)
{
    static char buf[1024];
    size_t o = 0;
    int n = 0;

    if (d.placeholder == DB_QUESTION)
        return sql;
    for (const char *p = sql; *p && o < sizeof(buf) - 8; p++) {
        if (*p == '?')
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "$%d", ++n);
        else
            buf[o++] = *p;
    }
    buf[o] = 0;
    return buf;
}

static enum tool_err q(const char *sql, json_t *params, json_t **rows, long long *aff, struct tool_error *e)
{
    enum tool_err k;
    json_t *r = NULL;
    long long a = 0;

    memset(e, 0, sizeof(*e));
    CHECK(db_open(url, &opts, &d, e) == TOOL_OK);
    k = d.query(d.ctx, sqlf(sql), params, &r, &a, e);
    json_decref(params);
    if (k == TOOL_OK)
        memset(e, 0, sizeof(*e)); /* a reconnect's first failure is not the answer */
    if (rows)
        *rows = r;
    else
        json_decref(r);
    if (aff)
        *aff = a;
    return k;
}

static long long t0;
static void step(const char *what, const struct tool_error *e)
{
    printf("  %-44s %5lld ms  %s%s%s\n", what, db_now_ms() - t0, e && e->name ? e->name : "",
           e && e->name ? ": " : "", e && e->name ? e->text : "");
    t0 = db_now_ms();
}

static struct cancel canceller;
static void *fire_later(void *arg)
{
    (void)arg;
    usleep(300 * 1000);
    cancel_fire(&canceller);
    return NULL;
}

static long long sessions(bool my)
{
    struct tool_error e;
    json_t *rows;
    long long n = -1;

    if (q(my ? "SELECT COUNT(*) AS c FROM information_schema.PROCESSLIST WHERE USER = 'opensips'"
             : "SELECT COUNT(*) AS c FROM pg_stat_activity WHERE application_name = 'opensips-mcp'",
          NULL, &rows, NULL, &e) == TOOL_OK)
        n = json_integer_value(json_object_get(json_array_get(rows, 0), "c"));
    json_decref(rows);
    return n;
}

/* A thread that opens a connection and exits without db_thread_close(). */
static void *open_and_exit(void *arg)
{
    struct tool_error e;
    struct db_driver dd;
    json_t *rows = NULL;
    long long n;

    (void)arg;
    if (db_open(url, &opts, &dd, &e) == TOOL_OK)
        dd.query(dd.ctx, "SELECT 1", NULL, &rows, &n, &e);
    json_decref(rows);
    return NULL;
}

static void run_ctl(const char *what)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "%s %s", ctl, what);
    CHECK(system(cmd) == 0);
}

int main(int argc, char **argv)
{
    struct tool_error e;
    json_t *rows;
    long long aff;
    enum tool_err k;
    bool my;

    if (argc != 3) {
        fprintf(stderr, "usage: driver_test URL CTL\n");
        return 2;
    }
    url = argv[1];
    ctl = argv[2];
    t0 = db_now_ms();
    CHECK(db_open(url, &opts, &d, &e) == TOOL_OK);
    step("connect", NULL);
    my = d.placeholder == DB_QUESTION;

    q("DROP TABLE IF EXISTS drv_t", NULL, NULL, NULL, &e);
    CHECK(q(my ? "CREATE TABLE drv_t (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE, "
                 "n SMALLINT, note TEXT)"
               : "CREATE TABLE drv_t (id SERIAL PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE, n SMALLINT, note TEXT)",
            NULL, NULL, NULL, &e) == TOOL_OK);
    step("create table", &e);

    /* inserts with bound parameters, affected counts */
    CHECK(q("INSERT INTO drv_t (name, n, note) VALUES (?, ?, ?)", json_pack("[sin]", "alice", 5), NULL, &aff, &e) ==
          TOOL_OK);
    CHECK(aff == 1);
    CHECK(q("INSERT INTO drv_t (name, n, note) VALUES (?, ?, ?)", json_pack("[sis]", "bob", 7, "hi"), NULL, &aff, &e) ==
          TOOL_OK);
    CHECK(aff == 1);
    step("insert x2", &e);

    /* a select with a parameter; typed values */
    CHECK(q("SELECT id, name, n, note FROM drv_t WHERE name = ? ORDER BY id", json_pack("[s]", "alice"), &rows, &aff,
            &e) == TOOL_OK);
    CHECK(json_array_size(rows) == 1);
    CHECK(json_is_integer(json_object_get(json_array_get(rows, 0), "id")));
    CHECK(json_integer_value(json_object_get(json_array_get(rows, 0), "n")) == 5);
    CHECK(json_is_null(json_object_get(json_array_get(rows, 0), "note")));
    CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 0), "name")), "alice");
    json_decref(rows);
    step("select with a parameter", &e);

    /* an SQL-injection string stays a value */
    const char *evil = "x'); DROP TABLE drv_t; -- \\' \" ;";
    CHECK(q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", evil), NULL, &aff, &e) == TOOL_OK);
    CHECK(q("SELECT name FROM drv_t WHERE name = ?", json_pack("[s]", evil), &rows, NULL, &e) == TOOL_OK);
    CHECK(json_array_size(rows) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 0), "name")), evil);
    json_decref(rows);
    CHECK(q("SELECT COUNT(*) AS c FROM drv_t", NULL, &rows, NULL, &e) == TOOL_OK);
    CHECK(json_integer_value(json_object_get(json_array_get(rows, 0), "c")) == 3);
    json_decref(rows);
    step("injection string stays a value", &e);

    /* update and delete counts */
    CHECK(q("UPDATE drv_t SET n = ? WHERE name IN (?, ?)", json_pack("[iss]", 9, "alice", "bob"), NULL, &aff, &e) ==
          TOOL_OK);
    CHECK(aff == 2);
    CHECK(q("DELETE FROM drv_t WHERE name = ?", json_pack("[s]", evil), NULL, &aff, &e) == TOOL_OK);
    CHECK(aff == 1);
    CHECK(q("DELETE FROM drv_t WHERE name = ?", json_pack("[s]", "nobody"), NULL, &aff, &e) == TOOL_OK);
    CHECK(aff == 0);
    step("update 2, delete 1, delete 0", &e);

    /* errors */
    k = q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", "alice"), NULL, NULL, &e);
    CHECK(k == TOOL_E_BAD_ARGS);
    CHECK_STR(e.name, "db_duplicate");
    step("unique violation", &e);
    k = q("INSERT INTO drv_t (name, n) VALUES (?, ?)", json_pack("[si]", "carol", 70000), NULL, NULL, &e);
    CHECK(k == TOOL_E_BAD_ARGS);
    CHECK_STR(e.name, "db_bad_value");
    step("out of range", &e);
    k = q("INSERT INTO drv_t (name, n) VALUES (?, ?)", json_pack("[ss]", "carol", "abc"), NULL, NULL, &e);
    CHECK(k == TOOL_E_BAD_ARGS);
    CHECK_STR(e.name, "db_bad_value");
    step("wrong type", &e);
    k = q("SELECT * FROM drv_no_such_table", NULL, NULL, NULL, &e);
    CHECK(k == TOOL_E_UNSUPPORTED);
    CHECK_STR(e.name, "db_missing_table");
    step("missing table", &e);
    k = q("SELEC nonsense", NULL, NULL, NULL, &e);
    CHECK(k == TOOL_E_REFUSED);
    CHECK_STR(e.name, "db_error");
    step("syntax error", &e);

    /* parameters the drivers refuse before sending */
    k = q("SELECT ? AS v", json_pack("[{}]"), NULL, NULL, &e);
    CHECK(k == TOOL_E_BAD_ARGS);
    CHECK_STR(e.name, "db_bad_value");
    k = q("SELECT ? AS v", json_pack("[[]]"), NULL, NULL, &e);
    CHECK(k == TOOL_E_BAD_ARGS);
    k = q("SELECT ? AS v", json_pack("[s%]", "a\0b", (size_t)3), &rows, NULL, &e);
    if (my) { /* bound with its length: the NUL is data */
        CHECK(k == TOOL_OK);
        CHECK(json_string_length(json_object_get(json_array_get(rows, 0), "v")) == 3);
        json_decref(rows);
    } else { /* text parameters end at a NUL: refused rather than cut short */
        CHECK(k == TOOL_E_BAD_ARGS);
        CHECK_STR(e.name, "db_bad_value");
    }
    k = q("SELECT ? AS v", json_pack("[ss]", "a", "b"), NULL, NULL, &e);
    CHECK(k == (my ? TOOL_E_BAD_ARGS : TOOL_E_REFUSED));
    CHECK_STR(e.name, "db_error");
    /* values of every JSON kind round-trip as typed values */
    CHECK(q(my ? "SELECT ? AS i, ? AS s, ? AS n, CAST(? AS SIGNED) AS b"
               : "SELECT ?::bigint AS i, ?::text AS s, ?::text AS n, ?::boolean AS b",
            json_pack("[Isnb]", (json_int_t)9007199254740993LL, "\u00e9\u4e2d", 1), &rows, NULL, &e) == TOOL_OK);
    CHECK(json_integer_value(json_object_get(json_array_get(rows, 0), "i")) == 9007199254740993LL);
    CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 0), "s")), "\u00e9\u4e2d");
    CHECK(json_is_null(json_object_get(json_array_get(rows, 0), "n")));
    CHECK(my ? json_integer_value(json_object_get(json_array_get(rows, 0), "b")) == 1
             : json_is_true(json_object_get(json_array_get(rows, 0), "b")));
    json_decref(rows);
    step("bad parameters, typed round-trip", &e);

    /* transactions */
    CHECK(db_open(url, &opts, &d, &e) == TOOL_OK);
    CHECK(d.begin(d.ctx, &e) == TOOL_OK);
    CHECK(q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", "tx1"), NULL, &aff, &e) == TOOL_OK);
    d.rollback(d.ctx);
    CHECK(q("SELECT name FROM drv_t WHERE name = ?", json_pack("[s]", "tx1"), &rows, NULL, &e) == TOOL_OK);
    CHECK(json_array_size(rows) == 0);
    json_decref(rows);
    CHECK(d.begin(d.ctx, &e) == TOOL_OK);
    CHECK(q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", "tx2"), NULL, &aff, &e) == TOOL_OK);
    CHECK(d.commit(d.ctx, &e) == TOOL_OK);
    CHECK(q("SELECT name FROM drv_t WHERE name = ?", json_pack("[s]", "tx2"), &rows, NULL, &e) == TOOL_OK);
    CHECK(json_array_size(rows) == 1);
    json_decref(rows);
    /* a failed statement inside: nothing of the transaction stays */
    CHECK(d.begin(d.ctx, &e) == TOOL_OK);
    CHECK(q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", "tx3"), NULL, &aff, &e) == TOOL_OK);
    CHECK(q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", "alice"), NULL, &aff, &e) == TOOL_E_BAD_ARGS);
    d.rollback(d.ctx);
    CHECK(q("SELECT name FROM drv_t WHERE name = ?", json_pack("[s]", "tx3"), &rows, NULL, &e) == TOOL_OK);
    CHECK(json_array_size(rows) == 0);
    json_decref(rows);
    step("begin/rollback, begin/commit, failed tx", NULL);

    /* a slow statement hits the statement time-out */
    opts.statement_timeout_ms = 500;
    k = q(my ? "SELECT SLEEP(5)" : "SELECT pg_sleep(5)", NULL, &rows, NULL, &e);
    CHECK(k == TOOL_E_TIMEOUT);
    CHECK_STR(e.name, "db_timeout");
    step("slow query, 500 ms time-out", &e);
    opts.statement_timeout_ms = 10000;
    CHECK(q("SELECT 1 AS one", NULL, &rows, NULL, &e) == TOOL_OK);
    CHECK(json_integer_value(json_object_get(json_array_get(rows, 0), "one")) == 1);
    json_decref(rows);
    step("usable after the time-out", &e);

    /* cancellation from another thread; the connection is kept (same server session) */
    long long session;
    const char *session_sql = my ? "SELECT CONNECTION_ID() AS s" : "SELECT pg_backend_pid() AS s";
    CHECK(q(session_sql, NULL, &rows, NULL, &e) == TOOL_OK);
    session = json_integer_value(json_object_get(json_array_get(rows, 0), "s"));
    json_decref(rows);
    pthread_t th;
    cancel_init(&canceller);
    cancel_bind(&canceller);
    pthread_create(&th, NULL, fire_later, NULL);
    k = q(my ? "SELECT SLEEP(5)" : "SELECT pg_sleep(5)", NULL, &rows, NULL, &e);
    pthread_join(th, NULL);
    cancel_bind(NULL);
    CHECK(k == TOOL_E_CANCELLED);
    CHECK_STR(e.name, "db_cancelled");
    step("cancelled after 300 ms of a 5 s sleep", &e);
    cancel_release(&canceller);
    CHECK(q(session_sql, NULL, &rows, NULL, &e) == TOOL_OK);
    CHECK(json_integer_value(json_object_get(json_array_get(rows, 0), "s")) == session);
    json_decref(rows);
    step("usable after the cancel, same session", &e);

    /* a server that stops answering (SIGSTOP): the client-side deadline, the cancel request
     * and the give-up still bound the call */
    opts.statement_timeout_ms = 500;
    CHECK(q("SELECT 1", NULL, NULL, NULL, &e) == TOOL_OK); /* the SET of the time-out done */
    if (my)
        run_ctl("hang");
    else
        kill((pid_t)session, SIGSTOP);
    long long th0 = db_now_ms();
    k = q("SELECT 1", NULL, NULL, NULL, &e);
    CHECK(k == TOOL_E_TIMEOUT);
    CHECK_STR(e.name, "db_timeout");
    CHECK(db_now_ms() - th0 < 15000); /* only against a hang */
    if (my)
        run_ctl("resume");
    else
        kill((pid_t)session, SIGCONT);
    step("server hung, 500 ms time-out", &e);
    opts.statement_timeout_ms = 10000;
    CHECK(q("SELECT 1 AS one", NULL, &rows, NULL, &e) == TOOL_OK);
    json_decref(rows);
    step("usable after the hang", &e);

    /* a restart inside a transaction: the rest of it fails, never runs outside it */
    CHECK(db_open(url, &opts, &d, &e) == TOOL_OK);
    CHECK(d.begin(d.ctx, &e) == TOOL_OK);
    CHECK(q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", "tx4"), NULL, &aff, &e) == TOOL_OK);
    run_ctl("stop");
    run_ctl("start");
    k = q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", "tx5"), NULL, &aff, &e);
    CHECK(k == TOOL_E_UNREACHABLE);
    CHECK_STR(e.name, "db_unreachable");
    k = q("INSERT INTO drv_t (name) VALUES (?)", json_pack("[s]", "tx6"), NULL, &aff, &e);
    CHECK(k == TOOL_E_UNREACHABLE);
    CHECK(d.commit(d.ctx, &e) != TOOL_OK);
    CHECK(q("SELECT name FROM drv_t WHERE name IN (?, ?, ?)", json_pack("[sss]", "tx4", "tx5", "tx6"), &rows, NULL,
            &e) == TOOL_OK);
    CHECK(json_array_size(rows) == 0);
    json_decref(rows);
    step("restart inside a transaction", NULL);

    /* a restart: the cached connection reconnects on its first statement */
    run_ctl("stop");
    run_ctl("start");
    step("server restarted", NULL);
    k = q("SELECT COUNT(*) AS c FROM drv_t", NULL, &rows, NULL, &e);
    CHECK(k == TOOL_OK);
    CHECK(json_integer_value(json_object_get(json_array_get(rows, 0), "c")) == 3);
    json_decref(rows);
    step("first statement after the restart", &e);

    /* the server stopped */
    run_ctl("stop");
    step("server stopped", NULL);
    k = q("SELECT 1", NULL, NULL, NULL, &e);
    CHECK(k == TOOL_E_UNREACHABLE);
    CHECK_STR(e.name, "db_unreachable");
    step("statement with the server down", &e);
    db_thread_close();
    CHECK(db_open(url, &opts, &d, &e) == TOOL_E_UNREACHABLE);
    CHECK_STR(e.name, "db_unreachable");
    step("connect with the server down", &e);
    run_ctl("start");

    /* a thread that exits closes its cached connections */
    {
        long long before, after = -1;
        pthread_t t2;
        CHECK(db_open(url, &opts, &d, &e) == TOOL_OK);
        before = sessions(my);
        pthread_create(&t2, NULL, open_and_exit, NULL);
        pthread_join(t2, NULL);
        for (int i = 0; i < 40 && (after = sessions(my)) != before; i++)
            usleep(50 * 1000);
        CHECK(before >= 1);
        CHECK(after == before);
        step("thread exit closes its connections", NULL);
    }

    /* a wrong password: refused, and not in the text */
    {
        char bad[1100];
        const char *at = strrchr(url, '@'), *colon = strchr(strstr(url, "://") + 3, ':');
        snprintf(bad, sizeof(bad), "%.*s:Wr0ngPassw0rd%s", (int)(colon - url), url, at);
        CHECK(db_open(bad, &opts, &d, &e) == TOOL_E_UNREACHABLE);
        CHECK(!strstr(e.text, "Wr0ngPassw0rd"));
        CHECK_CONTAINS(e.text, ":***@");
        step("wrong password", &e);
    }
    CHECK(db_open(url, &opts, &d, &e) == TOOL_OK);
    q("DROP TABLE drv_t", NULL, NULL, NULL, &e);
    db_thread_close();
    return check_done(my ? "db driver (mysql)" : "db driver (postgresql)");
}
