/* curl: the libcurl functions the MI client uses, bound with dlopen. */
#define DL_CURL_IMPL
#include "dl/curl.h"

#include <stdio.h>

struct dl_curl dl_curl;

#define SYM(kind, name, type, params, args) DYNLIB_SYM(dl_curl, name)
static const struct dynlib_sym syms[] = {DL_CURL_FUNCTIONS(SYM){NULL, NULL}};
static struct dynlib lib = DYNLIB_INIT("libcurl.so.4", syms);

#define WRAP(kind, name, type, params, args) DYNLIB_WRAP(dl_curl, kind, name, type, params, args)
DL_CURL_FUNCTIONS(WRAP)

int dl_curl_load(char *err, size_t errlen)
{
    if (dynlib_load(&lib) == 0)
        return 0;
    snprintf(err, errlen, "%s (install the libcurl4 package)", lib.error);
    return -1;
}
