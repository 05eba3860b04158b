/* db: the provisioning database as a backend: one call interface over a driver (libpq,
 * libmariadb, both bound on first use: dl/pq.h, dl/mariadb.h), statements with bound parameters
 * only. The tools layer builds every statement from a row's static table spec (tools/be_sql.c),
 * so no identifier ever comes from a caller and no value is ever spliced into SQL text. */
#ifndef DB_DB_H
#define DB_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tools/error.h"

/* How a driver writes the n-th (1-based) parameter: "$1" (PostgreSQL) or "?" (MySQL). */
enum db_placeholder { DB_DOLLAR, DB_QUESTION };

/* Stable error names every driver uses in tool_error.name (static strings):
 *   db_unreachable   TOOL_E_UNREACHABLE  cannot connect, or the connection was lost
 *   db_timeout       TOOL_E_TIMEOUT      connect or statement over its time-out
 *   db_cancelled     TOOL_E_CANCELLED    the calling thread's cancel (cancel.h) fired
 *   db_duplicate     TOOL_E_BAD_ARGS     a unique key is violated (SQLSTATE 23505, MySQL 1062)
 *   db_bad_value     TOOL_E_BAD_ARGS     a value the column cannot take (22xxx, MySQL 1264/1366..)
 *   db_missing_table TOOL_E_UNSUPPORTED  no such table (42P01, MySQL 1146)
 *   db_config        TOOL_E_CONFIG       a bad URL, or the driver library is not installed
 *   db_error         TOOL_E_REFUSED      any other error the server reports
 * e->code is the server's code: the SQLSTATE's five characters as base-36 (PostgreSQL; the
 * text carries the SQLSTATE too) or the MySQL error number. No text ever holds a password. */

struct db_driver {
    const char *name;                  /* "postgresql", "mysql" */
    enum db_placeholder placeholder;
    /* Run `sql` with `params` (an array of strings, integers, reals, booleans or null;
     * borrowed). A statement that returns rows sets *rows to a new array of objects
     * {column: value} (integers as JSON integers, NULL as null, anything else as a string);
     * one that does not sets *rows to NULL and *affected to the rows it changed. Returns
     * TOOL_OK, or a kind with e filled (names above). Honours the calling thread's
     * cancellation (cancel.h) and the statement time-out of db_open. Outside a transaction a
     * connection found lost on the first try (no answer at all: a server restart) is reopened
     * once and the statement sent again; a statement whose answer alone was lost could then run
     * twice, so every write belongs in a transaction, where a lost connection fails the
     * statement and every later one until commit/rollback, and nothing is retried. */
    enum tool_err (*query)(void *ctx, const char *sql, const json_t *params, json_t **rows,
                           long long *affected, struct tool_error *e);
    /* A transaction: begin, then queries, then commit or rollback. A failed commit has rolled
     * back. rollback never fails in a way the caller can act on (a lost connection has rolled
     * back by itself); it may be called after any failure, also when no transaction is open.
     * NULL in drivers without transactions (test recorders). */
    enum tool_err (*begin)(void *ctx, struct tool_error *e);
    enum tool_err (*commit)(void *ctx, struct tool_error *e);
    void (*rollback)(void *ctx);
    void *ctx;
};

/* ---- URLs (url.c) ---- */

enum db_kind { DB_POSTGRES, DB_MYSQL };

#define DB_URL_MAX 1024

/* An OpenSIPS-style URL, decoded: scheme://[user[:password]@]host[:port][/database]
 *   scheme   postgres, postgresql, mysql (a "+driver" suffix is accepted and ignored)
 *   host     a name, an IPv4 address, [an IPv6 address], or a unix socket path written
 *            percent-encoded (%2Frun%2Fmysqld%2Fmysqld.sock; for PostgreSQL the socket's
 *            directory) or as unix(/path)
 *   port     1-65535; 0 here means the driver's default (5432, 3306)
 * user, password and database are percent-decoded; every field is NUL-terminated and
 * empty when absent. */
struct db_url {
    enum db_kind kind;
    char user[128];
    char password[256];
    char host[256];
    bool socket;    /* host is a unix socket path */
    int port;
    char database[128];
};

/* Parse `url` into *u. Returns 0, or -1 with a sentence in err that never contains the
 * password (the URL is quoted only in its redacted form). */
int db_url_parse(const char *url, struct db_url *u, char *err, size_t errlen);

/* The URL for logs and errors, with any password replaced by "***":
 * "postgres://user:***@host:5432/db". Works on URLs db_url_parse refuses too (anything after
 * "://" up to the last '@' before the host is treated as credentials). Always NUL-terminates. */
void db_url_redact(const char *url, char *out, size_t outlen);

/* ---- connections (db.c) ---- */

struct db_open_opts {
    int connect_timeout_ms;    /* > 0; the driver's connect gives up after it */
    int statement_timeout_ms;  /* > 0; every statement is cut off after it (server side, and
                                  on the client a little later should the server not answer) */
};

/* A driver for `url` on a connection from the calling thread's cache (DB_CACHE_PER_THREAD
 * connections, keyed by URL; the least recently used is closed to make room). Connects when
 * the cache has none. *d is valid on this thread until db_thread_close() or the next db_open
 * that evicts it; never share it across threads. Returns TOOL_OK, or a kind with e filled. */
#define DB_CACHE_PER_THREAD 4
enum tool_err db_open(const char *url, const struct db_open_opts *o, struct db_driver *d,
                      struct tool_error *e);

/* Close every connection of the calling thread's cache (a thread that exits does it itself). */
void db_thread_close(void);

#endif
