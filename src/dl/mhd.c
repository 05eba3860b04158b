/* mhd: the libmicrohttpd functions the HTTP transport uses, bound with dlopen. */
#define DL_MHD_IMPL
#include "dl/mhd.h"

#include <stdio.h>

#include "dl/dynlib.h"

struct dl_mhd dl_mhd;

#define SYM(f) {"MHD_" #f, (void **)&dl_mhd.f}
static const struct dynlib_sym syms[] = {
    SYM(start_daemon), SYM(stop_daemon), SYM(lookup_connection_value),
    SYM(create_response_from_buffer), SYM(create_response_from_callback),
    SYM(add_response_header), SYM(queue_response), SYM(destroy_response),
    SYM(lookup_connection_value_n), SYM(suspend_connection), SYM(resume_connection),
    SYM(get_connection_info), {NULL, NULL},
};
static struct dynlib lib = DYNLIB_INIT("libmicrohttpd.so.12", syms);

int dl_mhd_load(char *err, size_t errlen)
{
    if (dynlib_load(&lib) == 0)
        return 0;
    snprintf(err, errlen, "%s (install the libmicrohttpd12 package)", lib.error);
    return -1;
}
