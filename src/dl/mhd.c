/* mhd: the libmicrohttpd functions the HTTP transport uses, bound with dlopen. */
#define DL_MHD_IMPL
#include "dl/mhd.h"

#include <stdarg.h>
#include <stdio.h>

struct dl_mhd dl_mhd;

#define SYM(kind, name, type, params, args) DYNLIB_SYM(dl_mhd, name)
static const struct dynlib_sym syms[] = {DL_MHD_FUNCTIONS(SYM){NULL, NULL}};
static struct dynlib lib = DYNLIB_INIT("libmicrohttpd.so.12", syms);

#define WRAP(kind, name, type, params, args) DYNLIB_WRAP(dl_mhd, kind, name, type, params, args)
DL_MHD_FUNCTIONS(WRAP)

/* What libmicrohttpd's own MHD_start_daemon does: hand the options on as a va_list. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
                                    MHD_AcceptPolicyCallback apc, void *apc_cls,
                                    MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    struct MHD_Daemon *d;
    va_list ap;

    va_start(ap, dh_cls);
    d = MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

int dl_mhd_load(char *err, size_t errlen)
{
    if (dynlib_load(&lib) == 0)
        return 0;
    snprintf(err, errlen, "%s (install the libmicrohttpd12 package)", lib.error);
    return -1;
}
