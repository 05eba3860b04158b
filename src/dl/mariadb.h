/* mariadb: libmariadb (MariaDB Connector/C, also for MySQL servers), bound on first use (see
 * dynlib.h). Include this instead of <mysql.h>; call dl_mariadb_load() before any mysql_
 * function (it is cheap after the first time; the first call also initialises the library). */
#ifndef DL_MARIADB_H
#define DL_MARIADB_H

#include <mysql.h>
#include <stddef.h>

#include "dl/dynlib.h"

/* Every libmariadb function the MySQL driver (db/my.c) uses, one row each. The _start/_cont
 * pairs are the non-blocking API, which lets a wait also watch the cancel fd. */
#define DL_MARIADB_FUNCTIONS(X)                                                               \
    X(FN, mysql_server_init, int, (int argc, char **argv, char **groups), (argc, argv, groups)) \
    X(FN, mysql_init, MYSQL *, (MYSQL *mysql), (mysql))                                       \
    X(FN, mysql_options, int, (MYSQL *mysql, enum mysql_option option, const void *arg),      \
      (mysql, option, arg))                                                                   \
    X(FN, mysql_real_connect, MYSQL *,                                                        \
      (MYSQL *mysql, const char *host, const char *user, const char *passwd, const char *db, \
       unsigned int port, const char *unix_socket, unsigned long clientflag),                \
      (mysql, host, user, passwd, db, port, unix_socket, clientflag))                         \
    X(FN, mysql_real_connect_start, int,                                                      \
      (MYSQL **ret, MYSQL *mysql, const char *host, const char *user, const char *passwd,    \
       const char *db, unsigned int port, const char *unix_socket, unsigned long clientflag), \
      (ret, mysql, host, user, passwd, db, port, unix_socket, clientflag))                    \
    X(FN, mysql_real_connect_cont, int, (MYSQL **ret, MYSQL *mysql, int status),              \
      (ret, mysql, status))                                                                   \
    X(FN, mysql_get_socket, my_socket, (MYSQL *mysql), (mysql))                               \
    X(FN, mysql_get_timeout_value_ms, unsigned int, (const MYSQL *mysql), (mysql))            \
    X(FN, mysql_errno, unsigned int, (MYSQL *mysql), (mysql))                                 \
    X(FN, mysql_error, const char *, (MYSQL *mysql), (mysql))                                 \
    X(FN, mysql_sqlstate, const char *, (MYSQL *mysql), (mysql))                              \
    X(FN, mysql_thread_id, unsigned long, (MYSQL *mysql), (mysql))                            \
    X(PROC, mysql_close, void, (MYSQL *sock), (sock))                                         \
    X(FN, mysql_real_query, int, (MYSQL *mysql, const char *q, unsigned long length),         \
      (mysql, q, length))                                                                     \
    X(FN, mysql_real_query_start, int, (int *ret, MYSQL *mysql, const char *q,               \
                                        unsigned long length),                                \
      (ret, mysql, q, length))                                                                \
    X(FN, mysql_real_query_cont, int, (int *ret, MYSQL *mysql, int status), (ret, mysql, status)) \
    X(PROC, mysql_free_result, void, (MYSQL_RES *result), (result))                           \
    X(FN, mysql_num_fields, unsigned int, (MYSQL_RES *res), (res))                            \
    X(FN, mysql_fetch_fields, MYSQL_FIELD *, (MYSQL_RES *res), (res))                         \
    X(FN, mysql_stmt_init, MYSQL_STMT *, (MYSQL *mysql), (mysql))                             \
    X(FN, mysql_stmt_prepare_start, int,                                                      \
      (int *ret, MYSQL_STMT *stmt, const char *query, unsigned long length),                 \
      (ret, stmt, query, length))                                                             \
    X(FN, mysql_stmt_prepare_cont, int, (int *ret, MYSQL_STMT *stmt, int status),             \
      (ret, stmt, status))                                                                    \
    X(FN, mysql_stmt_param_count, unsigned long, (MYSQL_STMT *stmt), (stmt))                  \
    X(FN, mysql_stmt_bind_param, my_bool, (MYSQL_STMT *stmt, MYSQL_BIND *bnd), (stmt, bnd))   \
    X(FN, mysql_stmt_execute_start, int, (int *ret, MYSQL_STMT *stmt), (ret, stmt))           \
    X(FN, mysql_stmt_execute_cont, int, (int *ret, MYSQL_STMT *stmt, int status),             \
      (ret, stmt, status))                                                                    \
    X(FN, mysql_stmt_result_metadata, MYSQL_RES *, (MYSQL_STMT *stmt), (stmt))                \
    X(FN, mysql_stmt_attr_set, my_bool,                                                       \
      (MYSQL_STMT *stmt, enum enum_stmt_attr_type attr_type, const void *attr),               \
      (stmt, attr_type, attr))                                                                \
    X(FN, mysql_stmt_store_result_start, int, (int *ret, MYSQL_STMT *stmt), (ret, stmt))      \
    X(FN, mysql_stmt_store_result_cont, int, (int *ret, MYSQL_STMT *stmt, int status),        \
      (ret, stmt, status))                                                                    \
    X(FN, mysql_stmt_bind_result, my_bool, (MYSQL_STMT *stmt, MYSQL_BIND *bnd), (stmt, bnd))  \
    X(FN, mysql_stmt_fetch, int, (MYSQL_STMT *stmt), (stmt))                                  \
    X(FN, mysql_stmt_affected_rows, unsigned long long, (MYSQL_STMT *stmt), (stmt))           \
    X(FN, mysql_stmt_field_count, unsigned int, (MYSQL_STMT *stmt), (stmt))                   \
    X(FN, mysql_stmt_errno, unsigned int, (MYSQL_STMT *stmt), (stmt))                         \
    X(FN, mysql_stmt_error, const char *, (MYSQL_STMT *stmt), (stmt))                         \
    X(FN, mysql_stmt_sqlstate, const char *, (MYSQL_STMT *stmt), (stmt))                      \
    X(FN, mysql_stmt_close, my_bool, (MYSQL_STMT *stmt), (stmt))

struct dl_mariadb {
    DL_MARIADB_FUNCTIONS(DYNLIB_SLOT)
};
extern struct dl_mariadb dl_mariadb;

/* Returns 0, or -1 with a sentence in err. */
int dl_mariadb_load(char *err, size_t errlen);

#endif
