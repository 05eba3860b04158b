/* mariadb: the libmariadb functions the MySQL driver uses, bound with dlopen. */
#include "dl/mariadb.h"

#include <pthread.h>
#include <stdio.h>

struct dl_mariadb dl_mariadb;

#define SYM(kind, name, type, params, args) DYNLIB_SYM(dl_mariadb, name)
static const struct dynlib_sym syms[] = {DL_MARIADB_FUNCTIONS(SYM){NULL, NULL}};
static struct dynlib lib = DYNLIB_INIT("libmariadb.so.3", syms);

#define WRAP(kind, name, type, params, args) DYNLIB_WRAP(dl_mariadb, kind, name, type, params, args)
DL_MARIADB_FUNCTIONS(WRAP)

/* mysql_init initialises the library itself on first use, which is not thread-safe: done
 * once here instead. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = -1;

static void init_library(void)
{
    init_status = mysql_server_init(0, NULL, NULL) == 0 ? 0 : -1;
}

int dl_mariadb_load(char *err, size_t errlen)
{
    if (dynlib_load(&lib) < 0) {
        snprintf(err, errlen, "%s (install the libmariadb3 package)", lib.error);
        return -1;
    }
    pthread_once(&init_once, init_library);
    if (init_status < 0) {
        snprintf(err, errlen, "libmariadb.so.3 failed to initialise");
        return -1;
    }
    return 0;
}
