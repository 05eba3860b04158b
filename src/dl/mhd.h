/* mhd: libmicrohttpd, bound on first use (see dynlib.h). Include this instead of
 * <microhttpd.h>; call dl_mhd_load() before any MHD_ function. */
#ifndef DL_MHD_H
#define DL_MHD_H

#include <microhttpd.h>

#include "dl/dynlib.h"

/* Every libmicrohttpd function the HTTP transport uses, one row each (the columns:
 * dl/dynlib.h). MHD_start_daemon, variadic, is wrapped by hand over MHD_start_daemon_va. */
#define DL_MHD_FUNCTIONS(X)                                                                   \
    X(FN, MHD_start_daemon_va, struct MHD_Daemon *,                                           \
      (unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,        \
       MHD_AccessHandlerCallback dh, void *dh_cls, va_list ap),                               \
      (flags, port, apc, apc_cls, dh, dh_cls, ap))                                            \
    X(PROC, MHD_stop_daemon, void, (struct MHD_Daemon *d), (d))                               \
    X(FN, MHD_lookup_connection_value, const char *,                                          \
      (struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key), (c, kind, key))   \
    X(FN, MHD_create_response_from_buffer, struct MHD_Response *,                             \
      (size_t size, void *buffer, enum MHD_ResponseMemoryMode mode), (size, buffer, mode))    \
    X(FN, MHD_create_response_from_callback, struct MHD_Response *,                           \
      (uint64_t size, size_t block_size, MHD_ContentReaderCallback crc, void *crc_cls,        \
       MHD_ContentReaderFreeCallback crfc),                                                   \
      (size, block_size, crc, crc_cls, crfc))                                                 \
    X(FN, MHD_add_response_header, enum MHD_Result,                                           \
      (struct MHD_Response *r, const char *header, const char *content), (r, header, content)) \
    X(FN, MHD_queue_response, enum MHD_Result,                                                \
      (struct MHD_Connection *c, unsigned int status_code, struct MHD_Response *r),           \
      (c, status_code, r))                                                                    \
    X(PROC, MHD_destroy_response, void, (struct MHD_Response *r), (r))                        \
    X(FN, MHD_lookup_connection_value_n, enum MHD_Result,                                     \
      (struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key, size_t key_size,   \
       const char **value, size_t *value_size),                                               \
      (c, kind, key, key_size, value, value_size))                                            \
    X(PROC, MHD_suspend_connection, void, (struct MHD_Connection *c), (c))                    \
    X(PROC, MHD_resume_connection, void, (struct MHD_Connection *c), (c))                     \
    X(VA, MHD_get_connection_info, const union MHD_ConnectionInfo *,                          \
      (struct MHD_Connection *c, enum MHD_ConnectionInfoType info_type, ...), ())             \
    X(VA, MHD_get_daemon_info, const union MHD_DaemonInfo *,                                  \
      (struct MHD_Daemon *d, enum MHD_DaemonInfoType info_type, ...), ())

struct dl_mhd {
    DL_MHD_FUNCTIONS(DYNLIB_SLOT)
};
extern struct dl_mhd dl_mhd;

/* Returns 0, or -1 with a sentence in err. */
int dl_mhd_load(char *err, size_t errlen);

/* The VA rows. */
#ifndef DL_MHD_IMPL
#define MHD_get_connection_info (*dl_mhd.MHD_get_connection_info)
#define MHD_get_daemon_info (*dl_mhd.MHD_get_daemon_info)
#endif

#endif
