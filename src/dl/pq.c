/* pq: the libpq functions the PostgreSQL driver uses, bound with dlopen. */
#include "dl/pq.h"

#include <stdio.h>

struct dl_pq dl_pq;

#define SYM(kind, name, type, params, args) DYNLIB_SYM(dl_pq, name)
static const struct dynlib_sym syms[] = {DL_PQ_FUNCTIONS(SYM){NULL, NULL}};
static struct dynlib lib = DYNLIB_INIT("libpq.so.5", syms);

#define WRAP(kind, name, type, params, args) DYNLIB_WRAP(dl_pq, kind, name, type, params, args)
DL_PQ_FUNCTIONS(WRAP)

int dl_pq_load(char *err, size_t errlen)
{
    if (dynlib_load(&lib) == 0)
        return 0;
    snprintf(err, errlen, "%s (install the libpq5 package)", lib.error);
    return -1;
}
