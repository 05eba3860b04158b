/* my: the MySQL/MariaDB driver over libmariadb's non-blocking API (the _start/_cont pairs), so
 * that every wait is a cancel_poll on the connection's socket: the calling thread's cancellation
 * and the client-side deadline both stop it, and a statement still running is stopped on the
 * server with KILL QUERY from a second, short-lived connection. Statements are prepared, their
 * parameters bound: no value is ever written into SQL text. */
#include "db/conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cancel.h"
#include "dl/mariadb.h"

#define MY_GRACE_MS 1000       /* the client waits this much past max_statement_time */
#define MY_CANCEL_WAIT_MS 2000 /* and this long for a killed statement to come back */
#define MY_KILL_TIMEOUT_S 2    /* the KILL QUERY connection's connect/read/write time-outs */
#define MY_PARAMS_MAX 1000

struct my {
    struct db_conn base;
    MYSQL *m;
    int timeout_set; /* the session's max_statement_time in ms, -1 unknown */
    bool in_tx;
};

static void drop(struct my *c)
{
    if (c->m)
        mysql_close(c->m);
    c->m = NULL;
    c->timeout_set = -1;
    /* in_tx stays: the statements still to come in the lost transaction must fail, not run on
     * a new connection outside it (commit/rollback clear it) */
}

/* Wait for what libmariadb asked for (MYSQL_WAIT_*) until deadline; *ready what happened. */
static enum tool_err wait_status(struct my *c, int status, long long deadline, int *ready, const char *doing,
                                 struct tool_error *e)
{
    struct pollfd pfd = {.fd = mysql_get_socket(c->m)};
    long long left = deadline - db_now_ms();
    bool lib_timeout = false;
    int r;

    if (status & MYSQL_WAIT_READ)
        pfd.events |= POLLIN;
    if (status & MYSQL_WAIT_WRITE)
        pfd.events |= POLLOUT;
    if (status & MYSQL_WAIT_EXCEPT)
        pfd.events |= POLLPRI;
    if (left < 0)
        left = 0;
    if (status & MYSQL_WAIT_TIMEOUT) {
        long long lt = mysql_get_timeout_value_ms(c->m);
        if (lt < left)
            left = lt, lib_timeout = true;
    }
    r = cancel_poll(&pfd, 1, (int)(left > 600000 ? 600000 : left));
    if (r > 0) {
        *ready = 0;
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
            *ready |= MYSQL_WAIT_READ;
        if (pfd.revents & (POLLOUT | POLLHUP | POLLERR))
            *ready |= MYSQL_WAIT_WRITE;
        if (pfd.revents & POLLPRI)
            *ready |= MYSQL_WAIT_EXCEPT;
        return TOOL_OK;
    }
    if (r == 0 && lib_timeout) {
        *ready = MYSQL_WAIT_TIMEOUT;
        return TOOL_OK;
    }
    if (r == 0) {
        tool_fail(e, TOOL_E_TIMEOUT, "db_timeout", 0, "mysql at %s: no answer before the time-out %s",
                  c->base.redacted, doing);
        return TOOL_E_TIMEOUT;
    }
    if (errno == ECANCELED) {
        tool_fail(e, TOOL_E_CANCELLED, "db_cancelled", 0, "mysql at %s: cancelled %s", c->base.redacted, doing);
        return TOOL_E_CANCELLED;
    }
    tool_fail(e, TOOL_E_SYSTEM, "db_error", errno, "mysql at %s: poll: %s", c->base.redacted, strerror(errno));
    return TOOL_E_SYSTEM;
}

/* Drive one non-blocking operation: START is the _start call (returns a status), CONT(ready)
 * the _cont call. k is TOOL_OK when the operation finished (its own result in its ret). */
#define MY_DRIVE(k, c, deadline, doing, e, START, CONT)                                    \
    do {                                                                                    \
        int st_ = (START);                                                                  \
        (k) = TOOL_OK;                                                                      \
        while (st_) {                                                                       \
            int ready;                                                                      \
            if (((k) = wait_status((c), st_, (deadline), &ready, (doing), (e))) != TOOL_OK) \
                break;                                                                      \
            st_ = (CONT);                                                                   \
        }                                                                                   \
    } while (0)

static const char *sock_or_null(const struct db_url *u)
{
    return u->socket ? u->host : NULL;
}

static const char *host_or_local(const struct db_url *u)
{
    return u->socket ? "localhost" : u->host;
}

static bool lost_errno(unsigned n)
{
    return n == 2002 || n == 2003 || n == 2005 || n == 2006 || n == 2013 || n == 2055 || n == 1927 ||
           n == 1053 || n == 4031;
}

static enum tool_err my_connect(struct my *c, struct tool_error *e)
{
    const struct db_url *u = &c->base.url;
    long long deadline = db_now_ms() + c->base.connect_ms;
    unsigned int secs = (unsigned)((c->base.connect_ms + 999) / 1000);
    unsigned int zero = 0;
    MYSQL *ret = NULL;
    enum tool_err k;

    drop(c);
    if (!(c->m = mysql_init(NULL))) {
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "mysql: out of memory");
        return TOOL_E_SYSTEM;
    }
    mysql_options(c->m, MYSQL_OPT_NONBLOCK, 0);
    mysql_options(c->m, MYSQL_OPT_CONNECT_TIMEOUT, &secs);
    mysql_options(c->m, MYSQL_OPT_LOCAL_INFILE, &zero);
    mysql_options(c->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    MY_DRIVE(k, c, deadline, "while connecting", e,
             mysql_real_connect_start(&ret, c->m, host_or_local(u), u->user[0] ? u->user : NULL,
                                      u->password[0] ? u->password : NULL, u->database[0] ? u->database : NULL,
                                      (unsigned)u->port, sock_or_null(u),
                                      /* matched rows, as PostgreSQL counts: an update that
                                         sets what is there already still found its row */
                                      CLIENT_FOUND_ROWS),
             mysql_real_connect_cont(&ret, c->m, ready));
    if (k != TOOL_OK) {
        drop(c);
        return k;
    }
    if (!ret) {
        unsigned n = mysql_errno(c->m);
        tool_fail(e, TOOL_E_UNREACHABLE, "db_unreachable", (int)n, "mysql at %s: cannot connect: %s (error %u)",
                  c->base.redacted, mysql_error(c->m), n);
        drop(c);
        return TOOL_E_UNREACHABLE;
    }
    return TOOL_OK;
}

/* Stop the statement running on c's connection: KILL QUERY from a second connection. */
static void kill_query(struct my *c)
{
    const struct db_url *u = &c->base.url;
    unsigned int to = MY_KILL_TIMEOUT_S;
    MYSQL *k = mysql_init(NULL);
    char sql[64];

    if (!k)
        return;
    mysql_options(k, MYSQL_OPT_CONNECT_TIMEOUT, &to);
    mysql_options(k, MYSQL_OPT_READ_TIMEOUT, &to);
    mysql_options(k, MYSQL_OPT_WRITE_TIMEOUT, &to);
    if (mysql_real_connect(k, host_or_local(u), u->user[0] ? u->user : NULL, u->password[0] ? u->password : NULL,
                           NULL, (unsigned)u->port, sock_or_null(u), 0)) {
        snprintf(sql, sizeof(sql), "KILL QUERY %lu", mysql_thread_id(c->m));
        mysql_real_query(k, sql, strlen(sql));
    }
    mysql_close(k);
}

static enum tool_err map_errno(struct my *c, unsigned n, const char *msg, const char *state, bool stopped,
                               struct tool_error *e)
{
    enum tool_err kind = TOOL_E_REFUSED;
    const char *name = "db_error";

    switch (n) {
    case 1062:
        kind = TOOL_E_BAD_ARGS, name = "db_duplicate";
        break;
    case 1048: /* column cannot be null */
    case 1264: /* out of range */
    case 1265: /* data truncated */
    case 1292: /* incorrect value */
    case 1366: /* incorrect integer/string value */
    case 1406: /* data too long */
    case 1411: /* incorrect value for function */
        kind = TOOL_E_BAD_ARGS, name = "db_bad_value";
        break;
    case 1146:
        kind = TOOL_E_UNSUPPORTED, name = "db_missing_table";
        break;
    case 1969: /* max_statement_time exceeded */
        kind = TOOL_E_TIMEOUT, name = "db_timeout";
        break;
    case 1317: /* interrupted: our KILL QUERY */
        if (cancel_bound_fired())
            kind = TOOL_E_CANCELLED, name = "db_cancelled";
        else
            kind = TOOL_E_TIMEOUT, name = "db_timeout";
        break;
    default:
        if (lost_errno(n))
            kind = TOOL_E_UNREACHABLE, name = "db_unreachable";
    }
    (void)stopped;
    tool_fail(e, kind, name, (int)n, "mysql at %s: %s (error %u, SQLSTATE %s)", c->base.redacted, msg, n,
              state && *state ? state : "none");
    return kind;
}

/* Run a statement without parameters or rows (SET, START TRANSACTION, COMMIT, ROLLBACK). */
static enum tool_err plain(struct my *c, const char *sql, bool *was_lost, struct tool_error *e)
{
    long long deadline = db_now_ms() + c->base.statement_ms + MY_GRACE_MS;
    int ret = 0;
    enum tool_err k;

    *was_lost = false;
    MY_DRIVE(k, c, deadline, "while waiting for the statement", e,
             mysql_real_query_start(&ret, c->m, sql, strlen(sql)), mysql_real_query_cont(&ret, c->m, ready));
    if (k != TOOL_OK) {
        drop(c);
        return k;
    }
    if (ret) {
        unsigned n = mysql_errno(c->m);
        *was_lost = lost_errno(n);
        k = map_errno(c, n, mysql_error(c->m), mysql_sqlstate(c->m), false, e);
        if (*was_lost)
            drop(c);
        return k;
    }
    return TOOL_OK;
}

static enum tool_err sync_timeout(struct my *c, bool *was_lost, struct tool_error *e)
{
    char sql[80];
    enum tool_err k;

    if (c->timeout_set == c->base.statement_ms)
        return TOOL_OK;
    snprintf(sql, sizeof(sql), "SET SESSION max_statement_time = %d.%03d", c->base.statement_ms / 1000,
             c->base.statement_ms % 1000);
    if ((k = plain(c, sql, was_lost, e)) == TOOL_OK)
        c->timeout_set = c->base.statement_ms;
    return k;
}

struct params {
    MYSQL_BIND *b;
    unsigned long *len;
    long long *ints;
    double *reals;
    size_t n;
};

static void params_free(struct params *p)
{
    free(p->b);
    free(p->len);
    free(p->ints);
    free(p->reals);
}

static enum tool_err params_bind(const json_t *params, struct params *p, struct my *c, struct tool_error *e)
{
    size_t i;
    const json_t *v;

    memset(p, 0, sizeof(*p));
    if (!params)
        return TOOL_OK;
    if (!json_is_array(params) || json_array_size(params) > MY_PARAMS_MAX) {
        tool_fail(e, TOOL_E_BAD_ARGS, "db_bad_value", 0, "mysql at %s: parameters must be an array of at most %d",
                  c->base.redacted, MY_PARAMS_MAX);
        return TOOL_E_BAD_ARGS;
    }
    p->n = json_array_size(params);
    if (!p->n)
        return TOOL_OK;
    p->b = calloc(p->n, sizeof(*p->b));
    p->len = calloc(p->n, sizeof(*p->len));
    p->ints = calloc(p->n, sizeof(*p->ints));
    p->reals = calloc(p->n, sizeof(*p->reals));
    if (!p->b || !p->len || !p->ints || !p->reals) {
        params_free(p);
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "out of memory");
        return TOOL_E_SYSTEM;
    }
    json_array_foreach(params, i, v) {
        MYSQL_BIND *b = &p->b[i];
        if (json_is_string(v)) {
            b->buffer_type = MYSQL_TYPE_STRING;
            b->buffer = (void *)json_string_value(v);
            p->len[i] = json_string_length(v);
            b->buffer_length = p->len[i];
            b->length = &p->len[i];
        } else if (json_is_integer(v) || json_is_boolean(v)) {
            p->ints[i] = json_is_integer(v) ? json_integer_value(v) : json_is_true(v);
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &p->ints[i];
        } else if (json_is_real(v)) {
            p->reals[i] = json_real_value(v);
            b->buffer_type = MYSQL_TYPE_DOUBLE;
            b->buffer = &p->reals[i];
        } else if (json_is_null(v)) {
            b->buffer_type = MYSQL_TYPE_NULL;
        } else {
            params_free(p);
            tool_fail(e, TOOL_E_BAD_ARGS, "db_bad_value", 0, "parameter %zu is an object or array, not a value", i + 1);
            return TOOL_E_BAD_ARGS;
        }
    }
    return TOOL_OK;
}

static bool integer_type(enum enum_field_types t)
{
    return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_LONGLONG ||
           t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_YEAR;
}

/* The stored result of stmt as rows; NULL with e filled. */
static json_t *fetch_rows(struct my *c, MYSQL_STMT *stmt, struct tool_error *e)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(stmt);
    unsigned nf = meta ? mysql_num_fields(meta) : 0;
    MYSQL_FIELD *f = meta ? mysql_fetch_fields(meta) : NULL;
    MYSQL_BIND *b = calloc(nf ? nf : 1, sizeof(*b));
    unsigned long *len = calloc(nf ? nf : 1, sizeof(*len));
    my_bool *isnull = calloc(nf ? nf : 1, sizeof(*isnull));
    json_t *rows = json_array();
    bool ok = meta && b && len && isnull && rows;
    int r;

    for (unsigned i = 0; ok && i < nf; i++) {
        unsigned long cap = f[i].max_length;
        if (cap < 64)
            cap = 64;
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer = malloc(cap + 1);
        b[i].buffer_length = cap + 1;
        b[i].length = &len[i];
        b[i].is_null = &isnull[i];
        ok = b[i].buffer != NULL;
    }
    if (ok && mysql_stmt_bind_result(stmt, b)) {
        ok = false;
        tool_fail(e, TOOL_E_GARBAGE, "db_error", 0, "mysql at %s: cannot bind the result: %s", c->base.redacted,
                  mysql_stmt_error(stmt));
    } else if (!ok) {
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "out of memory");
    }
    while (ok && (r = mysql_stmt_fetch(stmt)) != MYSQL_NO_DATA) {
        json_t *o;
        if (r != 0) {
            ok = false;
            tool_fail(e, TOOL_E_GARBAGE, "db_error", 0, "mysql at %s: reading a row failed: %s", c->base.redacted,
                      r == MYSQL_DATA_TRUNCATED ? "a value longer than announced" : mysql_stmt_error(stmt));
            break;
        }
        if (!(o = json_object()) || json_array_append_new(rows, o) < 0) {
            ok = false;
            tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "out of memory");
            break;
        }
        for (unsigned i = 0; i < nf; i++) {
            const char *s = b[i].buffer;
            json_t *v = NULL;
            if (isnull[i]) {
                v = json_null();
            } else if (integer_type(f[i].type)) {
                char *end;
                ((char *)b[i].buffer)[len[i]] = '\0';
                errno = 0;
                long long n = strtoll(s, &end, 10);
                if (!errno && !*end && end != s)
                    v = json_integer(n);
            }
            if (!v)
                v = json_stringn(s, len[i]);
            json_object_set_new(o, f[i].name, v);
        }
    }
    for (unsigned i = 0; b && i < nf; i++)
        free(b[i].buffer);
    free(b);
    free(len);
    free(isnull);
    if (meta)
        mysql_free_result(meta);
    if (!ok) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

/* One prepared statement. */
static enum tool_err run(struct my *c, const char *sql, const json_t *params, json_t **rows, long long *affected,
                         bool *was_lost, struct tool_error *e)
{
    long long deadline = db_now_ms() + c->base.statement_ms + MY_GRACE_MS;
    MYSQL_STMT *stmt = NULL;
    struct params p;
    enum tool_err k, stop = TOOL_OK;
    struct tool_error stop_e;
    int ret = 0;
    my_bool one = 1;
    const char *phase = "prepare";

    *was_lost = false;
    if ((k = params_bind(params, &p, c, e)) != TOOL_OK)
        return k;
    if (!(stmt = mysql_stmt_init(c->m))) {
        params_free(&p);
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "out of memory");
        return TOOL_E_SYSTEM;
    }
    MY_DRIVE(k, c, deadline, "while preparing the statement", e,
             mysql_stmt_prepare_start(&ret, stmt, sql, strlen(sql)), mysql_stmt_prepare_cont(&ret, stmt, ready));
    if (k == TOOL_OK && !ret) {
        if (mysql_stmt_param_count(stmt) != p.n) {
            tool_fail(e, TOOL_E_BAD_ARGS, "db_error", 0, "mysql at %s: the statement takes %lu parameters, not %zu",
                      c->base.redacted, mysql_stmt_param_count(stmt), p.n);
            mysql_stmt_close(stmt);
            params_free(&p);
            return TOOL_E_BAD_ARGS;
        }
        if (p.n)
            mysql_stmt_bind_param(stmt, p.b);
        mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &one);
        phase = "execute";
        for (;;) {
            MY_DRIVE(k, c, deadline, "while waiting for the statement", e, mysql_stmt_execute_start(&ret, stmt),
                     mysql_stmt_execute_cont(&ret, stmt, ready));
            if (k == TOOL_OK || stop)
                break;
            if (k != TOOL_E_TIMEOUT && k != TOOL_E_CANCELLED)
                break;
            /* the statement runs on: stop it on the server, then wait for it to come back */
            stop = k;
            stop_e = *e;
            kill_query(c);
            deadline = db_now_ms() + MY_CANCEL_WAIT_MS;
            /* resume the same operation: the _cont loop again */
            {
                /* the wait for the killed statement must not be cut short by the cancellation
                 * that caused it */
                struct cancel *was = cancel_bind(NULL);
                int st = MYSQL_WAIT_READ;
                while (st) {
                    int ready;
                    struct tool_error ignored;
                    if (wait_status(c, st, deadline, &ready, "", &ignored) != TOOL_OK) {
                        k = stop;
                        break;
                    }
                    st = mysql_stmt_execute_cont(&ret, stmt, ready);
                    k = TOOL_OK;
                }
                cancel_bind(was);
            }
            break;
        }
        if (k == TOOL_OK && !ret && mysql_stmt_field_count(stmt) > 0) {
            /* after a kill that came too late the rows are read (and dropped) all the same, so
             * that the connection stays usable */
            struct cancel *was = stop ? cancel_bind(NULL) : NULL;
            phase = "store";
            MY_DRIVE(k, c, deadline, "while reading the rows", e, mysql_stmt_store_result_start(&ret, stmt),
                     mysql_stmt_store_result_cont(&ret, stmt, ready));
            if (stop)
                cancel_bind(was);
        }
    }
    params_free(&p);
    if (k != TOOL_OK) {
        /* an operation left half-way: the connection cannot be used again */
        mysql_stmt_close(stmt);
        drop(c);
        if (stop)
            *e = stop_e;
        return stop ? stop : k;
    }
    if (ret) {
        unsigned n = mysql_stmt_errno(stmt);
        *was_lost = lost_errno(n) && !stop && strcmp(phase, "store") != 0;
        k = map_errno(c, n, mysql_stmt_error(stmt), mysql_stmt_sqlstate(stmt), stop != TOOL_OK, e);
        if (stop && (k == TOOL_E_REFUSED || k == TOOL_E_TIMEOUT))
            k = stop, *e = stop_e;
        mysql_stmt_close(stmt);
        if (lost_errno(n))
            drop(c);
        return k;
    }
    if (stop) {
        mysql_stmt_close(stmt);
        *e = stop_e;
        return stop;
    }
    if (mysql_stmt_field_count(stmt) > 0) {
        *rows = fetch_rows(c, stmt, e);
        k = *rows ? TOOL_OK : e->kind;
        if (*rows)
            *affected = (long long)json_array_size(*rows);
    } else {
        *affected = (long long)mysql_stmt_affected_rows(stmt);
    }
    mysql_stmt_close(stmt);
    return k;
}

/* Before a statement: the caller's cancellation first, then a connection (made now when there is
 * none, *fresh then true; none made inside a transaction, whose loss is final). */
static enum tool_err ready(struct my *c, bool *fresh, struct tool_error *e)
{
    *fresh = false;
    if (cancel_bound_fired()) {
        tool_fail(e, TOOL_E_CANCELLED, "db_cancelled", 0, "mysql at %s: cancelled", c->base.redacted);
        return TOOL_E_CANCELLED;
    }
    if (c->m)
        return TOOL_OK;
    if (c->in_tx) {
        tool_fail(e, TOOL_E_UNREACHABLE, "db_unreachable", 0,
                  "mysql at %s: the connection was lost inside the transaction", c->base.redacted);
        return TOOL_E_UNREACHABLE;
    }
    *fresh = true;
    return my_connect(c, e);
}

static enum tool_err my_query(void *ctx, const char *sql, const json_t *params, json_t **rows, long long *affected,
                              struct tool_error *e)
{
    struct my *c = ctx;
    enum tool_err k = TOOL_OK;
    bool was_lost = false;

    *rows = NULL;
    *affected = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool fresh = false;
        if ((k = ready(c, &fresh, e)) != TOOL_OK)
            return k;
        k = sync_timeout(c, &was_lost, e);
        if (k == TOOL_OK)
            k = run(c, sql, params, rows, affected, &was_lost, e);
        if (k == TOOL_OK || !was_lost || fresh || c->in_tx)
            break;
    }
    return k;
}

static enum tool_err tx_plain(struct my *c, const char *sql, struct tool_error *e)
{
    bool was_lost = false;
    enum tool_err k = TOOL_OK;

    bool fresh;

    if ((k = ready(c, &fresh, e)) != TOOL_OK)
        return k;
    if ((k = sync_timeout(c, &was_lost, e)) == TOOL_OK)
        k = plain(c, sql, &was_lost, e);
    if (k != TOOL_OK && was_lost && !c->in_tx && !strcmp(sql, "START TRANSACTION")) {
        if ((k = my_connect(c, e)) == TOOL_OK && (k = sync_timeout(c, &was_lost, e)) == TOOL_OK)
            k = plain(c, sql, &was_lost, e);
    }
    return k;
}

static enum tool_err my_begin(void *ctx, struct tool_error *e)
{
    struct my *c = ctx;
    enum tool_err k;

    if (c->in_tx) {
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "mysql at %s: a transaction is already open", c->base.redacted);
        return TOOL_E_SYSTEM;
    }
    if ((k = tx_plain(c, "START TRANSACTION", e)) == TOOL_OK)
        c->in_tx = true;
    return k;
}

static enum tool_err my_commit(void *ctx, struct tool_error *e)
{
    struct my *c = ctx;
    enum tool_err k;

    if (!c->in_tx) {
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "mysql at %s: no transaction to commit", c->base.redacted);
        return TOOL_E_SYSTEM;
    }
    k = tx_plain(c, "COMMIT", e);
    if (k != TOOL_OK && c->m) {
        bool ignored;
        struct tool_error e2;
        plain(c, "ROLLBACK", &ignored, &e2);
    }
    c->in_tx = false;
    return k;
}

static void my_rollback(void *ctx)
{
    struct my *c = ctx;

    if (c->in_tx && c->m) {
        struct cancel *was = cancel_bind(NULL);
        bool ignored;
        struct tool_error e;
        plain(c, "ROLLBACK", &ignored, &e);
        cancel_bind(was);
    }
    c->in_tx = false;
}

static struct db_conn *my_open(const struct db_url *u, const char *redacted, int connect_ms, struct tool_error *e)
{
    char err[300];
    struct my *c;

    if (dl_mariadb_load(err, sizeof(err)) < 0) {
        tool_fail(e, TOOL_E_CONFIG, "db_config", 0, "mysql at %s: %s", redacted, err);
        return NULL;
    }
    if (!(c = calloc(1, sizeof(*c)))) {
        tool_fail(e, TOOL_E_SYSTEM, "db_error", 0, "out of memory");
        return NULL;
    }
    c->base.url = *u;
    snprintf(c->base.redacted, sizeof(c->base.redacted), "%s", redacted);
    c->base.connect_ms = connect_ms;
    c->base.statement_ms = 30000;
    c->timeout_set = -1;
    if (my_connect(c, e) != TOOL_OK) {
        db_conn_wipe(&c->base);
        free(c);
        return NULL;
    }
    return &c->base;
}

static void my_close(struct db_conn *base)
{
    struct my *c = (struct my *)base;

    drop(c);
    db_conn_wipe(&c->base);
    free(c);
}

const struct db_conn_ops db_my_ops = {
    .name = "mysql",
    .placeholder = DB_QUESTION,
    .open = my_open,
    .close = my_close,
    .query = my_query,
    .begin = my_begin,
    .commit = my_commit,
    .rollback = my_rollback,
};
