/* conn: what db.c (the per-thread cache) and the drivers (pg.c, my.c) share. Internal to src/db. */
#ifndef DB_CONN_H
#define DB_CONN_H

#include "db/db.h"

/* The part of a driver's connection db.c reads and sets; each driver embeds it first. */
struct db_conn {
    struct db_url url;                 /* holds the password: wiped by db_conn_wipe */
    char redacted[DB_URL_MAX + 8];     /* the URL for every message */
    char key[DB_URL_MAX + 1];          /* the URL as given: the cache key */
    int connect_ms;                    /* set by db_open on every call */
    int statement_ms;
    long long used;                    /* the cache's LRU clock */
    const struct db_conn_ops *ops;
};

struct db_conn_ops {
    const char *name;
    enum db_placeholder placeholder;
    /* Connect within connect_ms; returns NULL with e filled. */
    struct db_conn *(*open)(const struct db_url *u, const char *redacted, int connect_ms,
                            struct tool_error *e);
    void (*close)(struct db_conn *c);
    enum tool_err (*query)(void *ctx, const char *sql, const json_t *params, json_t **rows,
                           long long *affected, struct tool_error *e);
    enum tool_err (*begin)(void *ctx, struct tool_error *e);
    enum tool_err (*commit)(void *ctx, struct tool_error *e);
    void (*rollback)(void *ctx);
};
extern const struct db_conn_ops db_pg_ops, db_my_ops;

/* CLOCK_MONOTONIC in milliseconds. */
long long db_now_ms(void);
/* Overwrite the password and the key (which may hold it). */
void db_conn_wipe(struct db_conn *c);

#endif
