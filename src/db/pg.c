/* pg: the PostgreSQL driver over libpq's asynchronous API, so that every wait is a
 * cancel_poll on the connection's socket: the calling thread's cancellation and the client-side
 * deadline both stop it, and a statement still running is cancelled on the server (PQcancel). */
#include "db/db.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cancel.h"
#include "db/conn.h"
#include "dl/pq.h"

/* The client waits this much longer than the server-side statement_timeout before it cancels
 * itself, and this long for the server to acknowledge a cancel before it drops the connection. */
#define PG_GRACE_MS 1000
#define PG_CANCEL_WAIT_MS 2000
#define PG_PARAMS_MAX 1000

struct pg {
    struct db_conn base;
    PGconn *conn;
    int timeout_set;      /* the statement_timeout the session has, -1 unknown */
    bool in_tx;
};

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static void drop(struct pg *p)
{
    if (p->conn)
        PQfinish(p->conn);
    p->conn = NULL;
    p->timeout_set = -1;
    /* in_tx stays: the transaction is gone with the connection, and the statements still to
     * come in it must fail, not run on a new connection outside it (commit/rollback clear it) */
}

/* libpq's message, its trailing newline cut, the first line only. */
static void pq_message(const char *m, char *out, size_t n)
{
    size_t len = m ? strcspn(m, "\n") : 0;
    snprintf(out, n, "%.*s", (int)len, m ? m : "");
}

/* Wait for `events` on the connection until deadline; 1 ready, or a kind with e filled. */
static enum tool_err wait_fd(struct pg *p, short events, long long deadline, const char *doing,
                             struct tool_error *e)
{
    struct pollfd pfd = {.fd = PQsocket(p->conn), .events = events};
    long long left = deadline - db_now_ms();
    int r;

    if (left < 0)
        left = 0;
    r = cancel_poll(&pfd, 1, (int)(left > 600000 ? 600000 : left));
    if (r > 0)
        return TOOL_OK;
    if (r == 0) {
        tool_fail(e, TOOL_E_TIMEOUT, "db_timeout", 0, "postgresql at %s: no answer before the time-out %s",
                  p->base.redacted, doing);
        return TOOL_E_TIMEOUT;
    }
    if (errno == ECANCELED) {
        tool_fail(e, TOOL_E_CANCELLED, "db_cancelled", 0, "postgresql at %s: cancelled %s", p->base.redacted,
                  doing);
        return TOOL_E_CANCELLED;
    }
    tool_fail(e, TOOL_E_SYSTEM, "db_error", errno, "postgresql at %s: poll: %s", p->base.redacted, strerror(errno));
    return TOOL_E_SYSTEM;
}

static enum tool_err pg_connect(struct pg *p, struct tool_error *e)
{
    char port[8] = "", cto[16];
    const struct db_url *u = &p->base.url;
    const char *keys[10], *vals[10];
    int n = 0;
    long long deadline = db_now_ms() + p->base.connect_ms;
    char msg[400];

    drop(p);
    snprintf(cto, sizeof(cto), "%d", (p->base.connect_ms + 999) / 1000 < 2 ? 2 : (p->base.connect_ms + 999) / 1000);
    if (u->port)
        snprintf(port, sizeof(port), "%d", u->port);
    keys[n] = "host", vals[n++] = u->host;
    if (port[0])
        keys[n] = "port", vals[n++] = port;
    if (u->user[0])
        keys[n] = "user", vals[n++] = u->user;
    if (u->password[0])
        keys[n] = "password", vals[n++] = u->password;
    if (u->database[0])
        keys[n] = "dbname", vals[n++] = u->database;
    keys[n] = "connect_timeout", vals[n++] = cto;
    keys[n] = "client_encoding", vals[n++] = "UTF8";
    keys[n] = "application_name", vals[n++] = "opensips-mcp";
    keys[n] = NULL, vals[n] = NULL;
    p->conn = PQconnectStartParams(keys, vals, 0);
    if (!p->conn)
        return tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "postgresql: out of memory"), TOOL_E_SYSTEM;
    for (;;) {
        PostgresPollingStatusType st;
        enum tool_err k;

        if (PQstatus(p->conn) == CONNECTION_BAD)
            st = PGRES_POLLING_FAILED;
        else
            st = PQconnectPoll(p->conn);
        if (st == PGRES_POLLING_OK)
            break;
        if (st == PGRES_POLLING_FAILED) {
            pq_message(PQerrorMessage(p->conn), msg, sizeof(msg));
            drop(p);
            tool_fail(e, TOOL_E_UNREACHABLE, "db_unreachable", 0, "postgresql at %s: cannot connect: %s",
                      p->base.redacted, msg);
            return TOOL_E_UNREACHABLE;
        }
        k = wait_fd(p, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline, "while connecting", e);
        if (k != TOOL_OK) {
            drop(p);
            return k;
        }
    }
    PQsetNoticeProcessor(p->conn, quiet, NULL);
    PQsetnonblocking(p->conn, 1);
    return TOOL_OK;
}

/* SQLSTATE "ABCDE" as a number, for tool_error.code. */
static int state_code(const char *s)
{
    return s && strlen(s) == 5 ? (int)strtol(s, NULL, 36) : 0;
}

static enum tool_err map_error(struct pg *p, PGresult *r, bool we_cancelled, bool cancel_fired,
                               struct tool_error *e)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    enum tool_err kind = TOOL_E_REFUSED;
    const char *name = "db_error";
    char msg[300], det[300] = "";

    pq_message(primary, msg, sizeof(msg));
    if (detail)
        pq_message(detail, det, sizeof(det));
    if (!state)
        state = "";
    if (!strcmp(state, "23505")) {
        kind = TOOL_E_BAD_ARGS, name = "db_duplicate";
    } else if (!strncmp(state, "22", 2) || !strcmp(state, "23502") || !strcmp(state, "23514")) {
        kind = TOOL_E_BAD_ARGS, name = "db_bad_value";
    } else if (!strcmp(state, "42P01")) {
        kind = TOOL_E_UNSUPPORTED, name = "db_missing_table";
    } else if (!strcmp(state, "57014")) {
        if (cancel_fired)
            kind = TOOL_E_CANCELLED, name = "db_cancelled";
        else
            kind = TOOL_E_TIMEOUT, name = "db_timeout";
        (void)we_cancelled;
    } else if ((!strncmp(state, "08", 2) && strcmp(state, "08P01") != 0) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
               !strcmp(state, "57P03")) {
        kind = TOOL_E_UNREACHABLE, name = "db_unreachable";
    }
    tool_fail(e, kind, name, state_code(state), "postgresql at %s: %s%s%s (SQLSTATE %s)", p->base.redacted, msg,
              det[0] ? ": " : "", det, state[0] ? state : "none");
    return kind;
}

/* The server closed the session (a shutdown or restart), not the statement failing. */
static bool shutdown_state(PGresult *r)
{
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    return s && (!strncmp(s, "57P0", 4) || (!strncmp(s, "08", 2) && strcmp(s, "08P01") != 0));
}

static enum tool_err lost(struct pg *p, const char *doing, struct tool_error *e)
{
    char msg[300];

    pq_message(p->conn ? PQerrorMessage(p->conn) : "", msg, sizeof(msg));
    drop(p);
    tool_fail(e, TOOL_E_UNREACHABLE, "db_unreachable", 0, "postgresql at %s: connection lost %s%s%s",
              p->base.redacted, doing, msg[0] ? ": " : "", msg);
    return TOOL_E_UNREACHABLE;
}

static void send_cancel(struct pg *p)
{
    PGcancel *c = PQgetCancel(p->conn);
    char buf[256];

    if (c) {
        PQcancel(c, buf, sizeof(buf));
        PQfreeCancel(c);
    }
}

/* One statement; *res the result to read (caller clears) when TOOL_OK. *was_lost tells a
 * connection that failed before any answer came. */
static enum tool_err run(struct pg *p, const char *sql, int n, const char *const *vals, PGresult **res,
                         bool *was_lost, struct tool_error *e)
{
    long long deadline = db_now_ms() + p->base.statement_ms + PG_GRACE_MS;
    enum tool_err k = TOOL_OK, stop = TOOL_OK;
    struct tool_error stop_e, saved_e;
    PGresult *r, *keep = NULL, *err = NULL;
    int f;

    *res = NULL;
    *was_lost = false;
    if (!PQsendQueryParams(p->conn, sql, n, NULL, vals, NULL, NULL, 0)) {
        *was_lost = PQstatus(p->conn) == CONNECTION_BAD;
        return lost(p, "sending the statement", e);
    }
    while ((f = PQflush(p->conn)) == 1) {
        if ((k = wait_fd(p, POLLOUT | POLLIN, deadline, "while sending", e)) != TOOL_OK) {
            drop(p);
            return k;
        }
        if (!PQconsumeInput(p->conn))
            return *was_lost = true, lost(p, "while sending", e);
    }
    if (f < 0)
        return *was_lost = true, lost(p, "while sending", e);
    for (;;) {
        while (PQisBusy(p->conn)) {
            /* once stopping, the wait for the server's answer to the cancel must not itself be
             * cut short by the cancellation that caused it */
            struct cancel *was = stop ? cancel_bind(NULL) : NULL;
            k = wait_fd(p, POLLIN, deadline, "while waiting for the statement", stop ? &stop_e : e);
            if (stop)
                cancel_bind(was);
            if (k != TOOL_OK && stop) {
                /* the server does not acknowledge the cancel: give the connection up */
                drop(p);
                *e = saved_e;
                return stop;
            }
            if (k == TOOL_E_TIMEOUT || k == TOOL_E_CANCELLED) {
                stop = k;
                stop_e = saved_e = *e;
                send_cancel(p);
                deadline = db_now_ms() + PG_CANCEL_WAIT_MS;
                continue;
            }
            if (k != TOOL_OK) {
                drop(p);
                return k;
            }
            if (!PQconsumeInput(p->conn)) {
                /* lost before any answer: the server's own goodbye (57P01 on a restart) counts */
                *was_lost = !keep && !stop && (!err || shutdown_state(err));
                if (keep)
                    PQclear(keep);
                if (err)
                    PQclear(err);
                return lost(p, "waiting for the answer", e);
            }
        }
        r = PQgetResult(p->conn);
        if (!r)
            break;
        if (PQresultStatus(r) == PGRES_FATAL_ERROR && !err) {
            err = r;
        } else {
            if (keep)
                PQclear(keep);
            keep = r;
        }
    }
    if (err) {
        *was_lost = !keep && !stop && shutdown_state(err) && PQstatus(p->conn) == CONNECTION_BAD;
        k = map_error(p, err, stop != TOOL_OK, cancel_bound_fired(), e);
        if (stop && k == TOOL_E_REFUSED)
            k = stop, *e = stop_e;
        if (stop == TOOL_E_CANCELLED && k == TOOL_E_TIMEOUT)
            k = stop, *e = stop_e;
        PQclear(err);
        if (keep)
            PQclear(keep);
        if (PQstatus(p->conn) == CONNECTION_BAD)
            drop(p);
        return k;
    }
    if (stop) {
        /* it finished before the cancel arrived; the caller's time is still up */
        if (keep)
            PQclear(keep);
        *e = stop_e;
        return stop;
    }
    if (!keep || (PQresultStatus(keep) != PGRES_TUPLES_OK && PQresultStatus(keep) != PGRES_COMMAND_OK)) {
        if (keep)
            PQclear(keep);
        tool_fail(e, TOOL_E_GARBAGE, "db_error", 0, "postgresql at %s: unexpected answer to the statement",
                  p->base.redacted);
        return TOOL_E_GARBAGE;
    }
    *res = keep;
    return TOOL_OK;
}

static json_t *value(PGresult *r, int row, int col)
{
    const char *v = PQgetvalue(r, row, col);

    if (PQgetisnull(r, row, col))
        return json_null();
    switch (PQftype(r, col)) {
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
    case 26: /* oid */ {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (!errno && !*end)
            return json_integer(n);
        break;
    }
    case 16: /* bool */
        return json_boolean(v[0] == 't');
    }
    return json_stringn(v, (size_t)PQgetlength(r, row, col));
}

static json_t *to_rows(PGresult *r)
{
    int nr = PQntuples(r), nf = PQnfields(r);
    json_t *rows = json_array();

    for (int i = 0; rows && i < nr; i++) {
        json_t *o = json_object();
        for (int c = 0; o && c < nf; c++)
            json_object_set_new(o, PQfname(r, c), value(r, i, c));
        if (!o || json_array_append_new(rows, o) < 0) {
            json_decref(rows);
            return NULL;
        }
    }
    return rows;
}

/* The session's statement_timeout set to what db_open asked for. */
static enum tool_err sync_timeout(struct pg *p, bool *was_lost, struct tool_error *e)
{
    char sql[64];
    PGresult *r;
    enum tool_err k;

    if (p->timeout_set == p->base.statement_ms)
        return TOOL_OK;
    snprintf(sql, sizeof(sql), "SET statement_timeout = %d", p->base.statement_ms);
    k = run(p, sql, 0, NULL, &r, was_lost, e);
    if (k != TOOL_OK)
        return k;
    PQclear(r);
    p->timeout_set = p->base.statement_ms;
    return TOOL_OK;
}

static enum tool_err params_to_text(const json_t *params, const char **vals, char (*nums)[32], int *n,
                                    struct pg *p, struct tool_error *e)
{
    size_t i;
    const json_t *v;

    *n = 0;
    if (!params)
        return TOOL_OK;
    if (!json_is_array(params) || json_array_size(params) > PG_PARAMS_MAX) {
        tool_fail(e, TOOL_E_BAD_ARGS, "db_bad_value", 0, "postgresql at %s: parameters must be an array of at most %d",
                  p->base.redacted, PG_PARAMS_MAX);
        return TOOL_E_BAD_ARGS;
    }
    json_array_foreach(params, i, v) {
        if (json_is_string(v)) {
            if (strlen(json_string_value(v)) != json_string_length(v)) {
                tool_fail(e, TOOL_E_BAD_ARGS, "db_bad_value", 0, "parameter %zu contains a NUL character", i + 1);
                return TOOL_E_BAD_ARGS;
            }
            vals[i] = json_string_value(v);
        } else if (json_is_integer(v)) {
            snprintf(nums[i], 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            vals[i] = nums[i];
        } else if (json_is_real(v)) {
            snprintf(nums[i], 32, "%.17g", json_real_value(v));
            vals[i] = nums[i];
        } else if (json_is_boolean(v)) {
            vals[i] = json_is_true(v) ? "true" : "false";
        } else if (json_is_null(v)) {
            vals[i] = NULL;
        } else {
            tool_fail(e, TOOL_E_BAD_ARGS, "db_bad_value", 0, "parameter %zu is an object or array, not a value", i + 1);
            return TOOL_E_BAD_ARGS;
        }
    }
    *n = (int)json_array_size(params);
    return TOOL_OK;
}

static enum tool_err pg_query(void *ctx, const char *sql, const json_t *params, json_t **rows, long long *affected,
                              struct tool_error *e)
{
    struct pg *p = ctx;
    const char *vals[PG_PARAMS_MAX];
    static _Thread_local char nums[PG_PARAMS_MAX][32];
    PGresult *r = NULL;
    bool was_lost = false;
    enum tool_err k;
    int n;

    *rows = NULL;
    *affected = 0;
    if ((k = params_to_text(params, vals, nums, &n, p, e)) != TOOL_OK)
        return k;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool fresh = false;
        if (cancel_bound_fired()) {
            tool_fail(e, TOOL_E_CANCELLED, "db_cancelled", 0, "postgresql at %s: cancelled", p->base.redacted);
            return TOOL_E_CANCELLED;
        }
        if (!p->conn) {
            if (p->in_tx) {
                tool_fail(e, TOOL_E_UNREACHABLE, "db_unreachable", 0,
                          "postgresql at %s: the connection was lost inside the transaction", p->base.redacted);
                return TOOL_E_UNREACHABLE;
            }
            if ((k = pg_connect(p, e)) != TOOL_OK)
                return k;
            fresh = true;
        }
        k = sync_timeout(p, &was_lost, e);
        if (k == TOOL_OK)
            k = run(p, sql, n, vals, &r, &was_lost, e);
        if (k == TOOL_OK || !was_lost || fresh || p->in_tx)
            break;
        /* a cached connection the server dropped (a restart): once more on a new one */
    }
    if (k != TOOL_OK)
        return k;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        *rows = to_rows(r);
        if (!*rows) {
            PQclear(r);
            tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "out of memory");
            return TOOL_E_SYSTEM;
        }
        *affected = (long long)json_array_size(*rows);
    } else {
        *affected = atoll(PQcmdTuples(r));
    }
    PQclear(r);
    return TOOL_OK;
}

static enum tool_err pg_simple(struct pg *p, const char *sql, struct tool_error *e)
{
    json_t *rows;
    long long n;
    enum tool_err k = pg_query(p, sql, NULL, &rows, &n, e);

    json_decref(rows);
    return k;
}

static enum tool_err pg_begin(void *ctx, struct tool_error *e)
{
    struct pg *p = ctx;
    enum tool_err k;

    if (p->in_tx) {
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "postgresql at %s: a transaction is already open", p->base.redacted);
        return TOOL_E_SYSTEM;
    }
    if ((k = pg_simple(p, "BEGIN", e)) == TOOL_OK)
        p->in_tx = true;
    return k;
}

static enum tool_err pg_commit(void *ctx, struct tool_error *e)
{
    struct pg *p = ctx;
    bool aborted = p->conn && PQtransactionStatus(p->conn) == PQTRANS_INERROR;
    enum tool_err k;

    if (!p->in_tx) {
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "postgresql at %s: no transaction to commit", p->base.redacted);
        return TOOL_E_SYSTEM;
    }
    k = pg_simple(p, "COMMIT", e);
    p->in_tx = false;
    if (k == TOOL_OK && aborted) {
        p->timeout_set = -1;
        tool_fail(e, TOOL_E_REFUSED, "db_error", 0,
                  "postgresql at %s: the transaction had failed and was rolled back", p->base.redacted);
        return TOOL_E_REFUSED;
    }
    if (k != TOOL_OK && p->conn)
        pg_simple(p, "ROLLBACK", &(struct tool_error){0});
    return k;
}

static void pg_rollback(void *ctx)
{
    struct pg *p = ctx;
    struct tool_error ignored;

    if (p->in_tx && p->conn) {
        p->in_tx = false;
        /* what a cancel or time-out leaves must not fire on the ROLLBACK */
        struct cancel *was = cancel_bind(NULL);
        pg_simple(p, "ROLLBACK", &ignored);
        cancel_bind(was);
    }
    p->in_tx = false;
    p->timeout_set = -1; /* a SET inside the transaction was undone */
}

static struct db_conn *pg_open(const struct db_url *u, const char *redacted, int connect_ms, struct tool_error *e)
{
    char err[300];
    struct pg *p;

    if (dl_pq_load(err, sizeof(err)) < 0) {
        tool_fail(e, TOOL_E_CONFIG, "db_config", 0, "postgresql at %s: %s", redacted, err);
        return NULL;
    }
    if (!(p = calloc(1, sizeof(*p)))) {
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "out of memory");
        return NULL;
    }
    p->base.url = *u;
    snprintf(p->base.redacted, sizeof(p->base.redacted), "%s", redacted);
    p->base.connect_ms = connect_ms;
    p->base.statement_ms = 30000;
    p->timeout_set = -1;
    if (pg_connect(p, e) != TOOL_OK) {
        db_conn_wipe(&p->base);
        free(p);
        return NULL;
    }
    return &p->base;
}

static void pg_close(struct db_conn *c)
{
    struct pg *p = (struct pg *)c;

    drop(p);
    db_conn_wipe(&p->base);
    free(p);
}

const struct db_conn_ops db_pg_ops = {
    .name = "postgresql",
    .placeholder = DB_DOLLAR,
    .open = pg_open,
    .close = pg_close,
    .query = pg_query,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
};
