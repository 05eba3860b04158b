/* curl: libcurl, bound on first use (see dynlib.h). Include this instead of <curl/curl.h>;
 * call dl_curl_load() before any curl_ function (it is cheap after the first time). */
#ifndef DL_CURL_H
#define DL_CURL_H

#include <curl/curl.h>
#include <stddef.h>

#include "dl/dynlib.h"

/* Every libcurl function the MI client uses, one row each (the columns: dl/dynlib.h). */
#define DL_CURL_FUNCTIONS(X)                                                                  \
    X(FN, curl_global_init, CURLcode, (long flags), (flags))                                  \
    X(PROC, curl_global_cleanup, void, (void), ())                                            \
    X(FN, curl_easy_init, CURL *, (void), ())                                                 \
    X(VA, curl_easy_setopt, CURLcode, (CURL *curl, CURLoption option, ...), ())              \
    X(FN, curl_easy_perform, CURLcode, (CURL *curl), (curl))                                  \
    X(PROC, curl_easy_cleanup, void, (CURL *curl), (curl))                                    \
    X(PROC, curl_easy_reset, void, (CURL *curl), (curl))                                      \
    X(VA, curl_easy_getinfo, CURLcode, (CURL *curl, CURLINFO info, ...), ())                 \
    X(FN, curl_easy_strerror, const char *, (CURLcode code), (code))                          \
    X(FN, curl_slist_append, struct curl_slist *, (struct curl_slist *list, const char *data), \
      (list, data))                                                                           \
    X(PROC, curl_slist_free_all, void, (struct curl_slist *list), (list))                     \
    X(FN, curl_multi_init, CURLM *, (void), ())                                               \
    X(FN, curl_multi_add_handle, CURLMcode, (CURLM *m, CURL *curl), (m, curl))                \
    X(FN, curl_multi_remove_handle, CURLMcode, (CURLM *m, CURL *curl), (m, curl))             \
    X(FN, curl_multi_perform, CURLMcode, (CURLM *m, int *running), (m, running))              \
    X(FN, curl_multi_poll, CURLMcode,                                                         \
      (CURLM *m, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,     \
       int *ret),                                                                             \
      (m, extra_fds, extra_nfds, timeout_ms, ret))                                            \
    X(FN, curl_multi_info_read, CURLMsg *, (CURLM *m, int *msgs_in_queue), (m, msgs_in_queue)) \
    X(FN, curl_multi_cleanup, CURLMcode, (CURLM *m), (m))

/* curl.h may define the variadic two as type-checking macros; they go through the table. */
#undef curl_easy_setopt
#undef curl_easy_getinfo

struct dl_curl {
    DL_CURL_FUNCTIONS(DYNLIB_SLOT)
};
extern struct dl_curl dl_curl;

/* Returns 0, or -1 with a sentence in err. */
int dl_curl_load(char *err, size_t errlen);

/* The VA rows. */
#ifndef DL_CURL_IMPL
#define curl_easy_setopt (*dl_curl.curl_easy_setopt)
#define curl_easy_getinfo (*dl_curl.curl_easy_getinfo)
#endif

#endif
