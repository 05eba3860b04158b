/* pq: libpq, bound on first use (see dynlib.h). Include this instead of <libpq-fe.h>; call
 * dl_pq_load() before any PQ function (it is cheap after the first time). */
#ifndef DL_PQ_H
#define DL_PQ_H

#include <libpq-fe.h>
#include <stddef.h>

#include "dl/dynlib.h"

/* Every libpq function the PostgreSQL driver (db/pg.c) uses, one row each. */
#define DL_PQ_FUNCTIONS(X)                                                                    \
    X(FN, PQconnectStartParams, PGconn *,                                                     \
      (const char *const *keywords, const char *const *values, int expand_dbname),           \
      (keywords, values, expand_dbname))                                                      \
    X(FN, PQconnectPoll, PostgresPollingStatusType, (PGconn *conn), (conn))                   \
    X(FN, PQstatus, ConnStatusType, (const PGconn *conn), (conn))                             \
    X(FN, PQtransactionStatus, PGTransactionStatusType, (const PGconn *conn), (conn))         \
    X(FN, PQsocket, int, (const PGconn *conn), (conn))                                        \
    X(FN, PQerrorMessage, char *, (const PGconn *conn), (conn))                               \
    X(PROC, PQfinish, void, (PGconn *conn), (conn))                                           \
    X(FN, PQsetnonblocking, int, (PGconn *conn, int arg), (conn, arg))                        \
    X(FN, PQsetNoticeProcessor, PQnoticeProcessor,                                            \
      (PGconn *conn, PQnoticeProcessor proc, void *arg), (conn, proc, arg))                   \
    X(FN, PQsendQueryParams, int,                                                             \
      (PGconn *conn, const char *command, int nParams, const Oid *paramTypes,                 \
       const char *const *paramValues, const int *paramLengths, const int *paramFormats,      \
       int resultFormat),                                                                     \
      (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,           \
       resultFormat))                                                                         \
    X(FN, PQflush, int, (PGconn *conn), (conn))                                               \
    X(FN, PQconsumeInput, int, (PGconn *conn), (conn))                                        \
    X(FN, PQisBusy, int, (PGconn *conn), (conn))                                              \
    X(FN, PQgetResult, PGresult *, (PGconn *conn), (conn))                                    \
    X(FN, PQresultStatus, ExecStatusType, (const PGresult *res), (res))                       \
    X(FN, PQresultErrorField, char *, (const PGresult *res, int fieldcode), (res, fieldcode)) \
    X(PROC, PQclear, void, (PGresult *res), (res))                                            \
    X(FN, PQntuples, int, (const PGresult *res), (res))                                       \
    X(FN, PQnfields, int, (const PGresult *res), (res))                                       \
    X(FN, PQfname, char *, (const PGresult *res, int field_num), (res, field_num))            \
    X(FN, PQftype, Oid, (const PGresult *res, int field_num), (res, field_num))               \
    X(FN, PQgetisnull, int, (const PGresult *res, int tup_num, int field_num),                \
      (res, tup_num, field_num))                                                              \
    X(FN, PQgetvalue, char *, (const PGresult *res, int tup_num, int field_num),              \
      (res, tup_num, field_num))                                                              \
    X(FN, PQgetlength, int, (const PGresult *res, int tup_num, int field_num),                \
      (res, tup_num, field_num))                                                              \
    X(FN, PQcmdTuples, char *, (PGresult *res), (res))                                        \
    X(FN, PQgetCancel, PGcancel *, (PGconn *conn), (conn))                                    \
    X(FN, PQcancel, int, (PGcancel *cancel, char *errbuf, int errbufsize),                    \
      (cancel, errbuf, errbufsize))                                                           \
    X(PROC, PQfreeCancel, void, (PGcancel *cancel), (cancel))

struct dl_pq {
    DL_PQ_FUNCTIONS(DYNLIB_SLOT)
};
extern struct dl_pq dl_pq;

/* Returns 0, or -1 with a sentence in err. */
int dl_pq_load(char *err, size_t errlen);

#endif
