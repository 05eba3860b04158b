/* curl: the libcurl functions the MI client uses, bound with dlopen. */
#define DL_CURL_IMPL
#include "dl/curl.h"

#include <stdio.h>

#include "dl/dynlib.h"

struct dl_curl dl_curl;

#define SYM(f) {"curl_" #f, (void **)&dl_curl.f}
static const struct dynlib_sym syms[] = {
    SYM(global_init), SYM(global_cleanup), SYM(easy_init), SYM(easy_setopt), SYM(easy_perform),
    SYM(easy_cleanup), SYM(easy_reset), SYM(easy_getinfo), SYM(easy_strerror), SYM(slist_append),
    SYM(slist_free_all), SYM(multi_init), SYM(multi_add_handle), SYM(multi_remove_handle),
    SYM(multi_perform), SYM(multi_poll), SYM(multi_info_read), SYM(multi_cleanup), {NULL, NULL},
};
static struct dynlib lib = DYNLIB_INIT("libcurl.so.4", syms);

int dl_curl_load(char *err, size_t errlen)
{
    if (dynlib_load(&lib) == 0)
        return 0;
    snprintf(err, errlen, "%s (install the libcurl4 package)", lib.error);
    return -1;
}
