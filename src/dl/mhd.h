/* mhd: libmicrohttpd, bound on first use (see dynlib.h). Include this instead of
 * <microhttpd.h>; call dl_mhd_load() before any MHD_ function. */
#ifndef DL_MHD_H
#define DL_MHD_H

#include <microhttpd.h>

struct dl_mhd {
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_create_response_from_callback) *create_response_from_callback;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
    __typeof__(MHD_lookup_connection_value_n) *lookup_connection_value_n;
    __typeof__(MHD_suspend_connection) *suspend_connection;
    __typeof__(MHD_resume_connection) *resume_connection;
    __typeof__(MHD_get_connection_info) *get_connection_info;
};
extern struct dl_mhd dl_mhd;

/* Returns 0, or -1 with a sentence in err. */
int dl_mhd_load(char *err, size_t errlen);

#ifndef DL_MHD_IMPL
#define MHD_start_daemon (*dl_mhd.start_daemon)
#define MHD_stop_daemon (*dl_mhd.stop_daemon)
#define MHD_lookup_connection_value (*dl_mhd.lookup_connection_value)
#define MHD_create_response_from_buffer (*dl_mhd.create_response_from_buffer)
#define MHD_create_response_from_callback (*dl_mhd.create_response_from_callback)
#define MHD_add_response_header (*dl_mhd.add_response_header)
#define MHD_queue_response (*dl_mhd.queue_response)
#define MHD_destroy_response (*dl_mhd.destroy_response)
#define MHD_lookup_connection_value_n (*dl_mhd.lookup_connection_value_n)
#define MHD_suspend_connection (*dl_mhd.suspend_connection)
#define MHD_resume_connection (*dl_mhd.resume_connection)
#define MHD_get_connection_info (*dl_mhd.get_connection_info)
#endif

#endif
