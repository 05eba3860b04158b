/* db: the per-thread connection cache in front of the drivers. */
#include "db/conn.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Thread_local struct db_conn *cache[DB_CACHE_PER_THREAD];
static _Thread_local long long clock_tick;

/* A thread that exits with connections in its cache closes them (a key destructor), so that a
 * worker thread that never calls db_thread_close() leaks no connection. */
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static int exit_key_ok;

static void on_thread_exit(void *arg)
{
    (void)arg;
    db_thread_close();
}

static void make_exit_key(void)
{
    exit_key_ok = pthread_key_create(&exit_key, on_thread_exit) == 0;
}

long long db_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void db_conn_wipe(struct db_conn *c)
{
    volatile char *p = (volatile char *)c->url.password;

    for (size_t i = 0; i < sizeof(c->url.password); i++)
        p[i] = 0;
    p = (volatile char *)c->key;
    for (size_t i = 0; i < sizeof(c->key); i++)
        p[i] = 0;
}

static void fill(struct db_conn *c, struct db_driver *d)
{
    *d = (struct db_driver){
        .name = c->ops->name,
        .placeholder = c->ops->placeholder,
        .query = c->ops->query,
        .begin = c->ops->begin,
        .commit = c->ops->commit,
        .rollback = c->ops->rollback,
        .ctx = c,
    };
}

enum tool_err db_open(const char *url, const struct db_open_opts *o, struct db_driver *d, struct tool_error *e)
{
    struct db_url u;
    char err[600], red[DB_URL_MAX + 8];
    const struct db_conn_ops *ops;
    struct db_conn *c;
    int slot = 0;

    if (!url || strlen(url) > DB_URL_MAX || o->connect_timeout_ms <= 0 || o->statement_timeout_ms <= 0) {
        tool_fail(e, TOOL_E_CONFIG, "db_config", 0, "database URL missing or over %d bytes, or a time-out not positive",
                  DB_URL_MAX);
        return TOOL_E_CONFIG;
    }
    for (int i = 0; i < DB_CACHE_PER_THREAD; i++) {
        if (cache[i] && !strcmp(cache[i]->key, url)) {
            c = cache[i];
            c->connect_ms = o->connect_timeout_ms;
            c->statement_ms = o->statement_timeout_ms;
            c->used = ++clock_tick;
            fill(c, d);
            return TOOL_OK;
        }
    }
    if (db_url_parse(url, &u, err, sizeof(err)) < 0) {
        memset(u.password, 0, sizeof(u.password));
        tool_fail(e, TOOL_E_CONFIG, "db_config", 0, "%s", err);
        return TOOL_E_CONFIG;
    }
    db_url_redact(url, red, sizeof(red));
    ops = u.kind == DB_POSTGRES ? &db_pg_ops : &db_my_ops;
    c = ops->open(&u, red, o->connect_timeout_ms, e);
    memset(u.password, 0, sizeof(u.password));
    if (!c)
        return e->kind;
    c->ops = ops;
    snprintf(c->key, sizeof(c->key), "%s", url);
    c->connect_ms = o->connect_timeout_ms;
    c->statement_ms = o->statement_timeout_ms;
    c->used = ++clock_tick;
    for (int i = 0; i < DB_CACHE_PER_THREAD; i++) {
        if (!cache[i]) {
            slot = i;
            break;
        }
        if (cache[i]->used < cache[slot]->used)
            slot = i;
    }
    if (cache[slot])
        cache[slot]->ops->close(cache[slot]);
    cache[slot] = c;
    pthread_once(&exit_once, make_exit_key);
    if (exit_key_ok)
        pthread_setspecific(exit_key, (void *)1);
    fill(c, d);
    return TOOL_OK;
}

void db_thread_close(void)
{
    for (int i = 0; i < DB_CACHE_PER_THREAD; i++) {
        if (cache[i])
            cache[i]->ops->close(cache[i]);
        cache[i] = NULL;
    }
}
