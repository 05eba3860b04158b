/* curl: libcurl, bound on first use (see dynlib.h). Include this instead of <curl/curl.h>;
 * call dl_curl_load() before any curl_ function (it is cheap after the first time). */
#ifndef DL_CURL_H
#define DL_CURL_H

#include <curl/curl.h>
#include <stddef.h>

struct dl_curl {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_global_cleanup) *global_cleanup;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_perform) *easy_perform;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_reset) *easy_reset;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
    __typeof__(curl_multi_init) *multi_init;
    __typeof__(curl_multi_add_handle) *multi_add_handle;
    __typeof__(curl_multi_remove_handle) *multi_remove_handle;
    __typeof__(curl_multi_perform) *multi_perform;
    __typeof__(curl_multi_poll) *multi_poll;
    __typeof__(curl_multi_info_read) *multi_info_read;
    __typeof__(curl_multi_cleanup) *multi_cleanup;
};
extern struct dl_curl dl_curl;

/* Returns 0, or -1 with a sentence in err. */
int dl_curl_load(char *err, size_t errlen);

#ifndef DL_CURL_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (*dl_curl.global_init)
#define curl_global_cleanup (*dl_curl.global_cleanup)
#define curl_easy_init (*dl_curl.easy_init)
#define curl_easy_setopt (*dl_curl.easy_setopt)
#define curl_easy_perform (*dl_curl.easy_perform)
#define curl_easy_cleanup (*dl_curl.easy_cleanup)
#define curl_easy_reset (*dl_curl.easy_reset)
#define curl_easy_getinfo (*dl_curl.easy_getinfo)
#define curl_easy_strerror (*dl_curl.easy_strerror)
#define curl_slist_append (*dl_curl.slist_append)
#define curl_slist_free_all (*dl_curl.slist_free_all)
#define curl_multi_init (*dl_curl.multi_init)
#define curl_multi_add_handle (*dl_curl.multi_add_handle)
#define curl_multi_remove_handle (*dl_curl.multi_remove_handle)
#define curl_multi_perform (*dl_curl.multi_perform)
#define curl_multi_poll (*dl_curl.multi_poll)
#define curl_multi_info_read (*dl_curl.multi_info_read)
#define curl_multi_cleanup (*dl_curl.multi_cleanup)
#endif

#endif
