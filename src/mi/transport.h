/* mi/transport: MI addresses, and the const vtable each transport (http, fifo, datagram) fills. */
#ifndef MI_TRANSPORT_H
#define MI_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mi/error.h"

enum mi_addr_kind { MI_ADDR_HTTP, MI_ADDR_FIFO, MI_ADDR_UDP, MI_ADDR_UNIX, MI_ADDR_KIND_COUNT };

#define MI_PATH_MAX 108      /* sun_path; FIFO paths share the bound */
#define MI_REPLY_DIR_MAX 96  /* OpenSIPS refuses reply_dir + name of 128 bytes or more */
#define MI_FIFO_REQUEST_MAX 4096 /* mi_fifo's read buffer (edge_cases.json max_request_bytes) */
#define MI_DATAGRAM_MAX 65457    /* the largest UDP payload; mi_datagram replies fit one datagram */

/* One parsed MI address. Plain data: copy it freely. */
struct mi_addr {
    enum mi_addr_kind kind;
    char text[512];                /* as written, for messages */
    char url[512];                 /* http: the URL given to libcurl */
    char path[MI_PATH_MAX];        /* fifo: the server FIFO; unix: the server socket */
    char reply_dir[MI_REPLY_DIR_MAX]; /* fifo: OpenSIPS's mi_fifo reply_dir, ends in '/' */
    struct sockaddr_storage sa;    /* udp, unix: where requests go */
    socklen_t salen;
};

/* Parse "http://host:port/mi" (or https), "fifo:/path", "udp:host:port" (host may be [v6]),
 * "unix:/path". fifo_reply_dir may be NULL ("/tmp/", OpenSIPS's default). Returns MI_OK or
 * MI_ERR_BAD_ADDRESS with the reason in e. Resolves udp host names (getaddrinfo). */
enum mi_err mi_addr_parse(const char *s, const char *fifo_reply_dir, struct mi_addr *a,
                          struct mi_error *e);
/* "http", "fifo", "udp", "unix". */
const char *mi_addr_kind_name(enum mi_addr_kind k);

/* A reply buffer bounded by `max` bytes (curl's dynbuf with toobig). Always NUL-terminated.
 * With a sink (mi/stream: a reply parsed as it arrives) nothing is held: each piece goes to
 * sink(sink_arg, p, n), data stays NULL and len counts the bytes passed on. */
struct mi_buf {
    char *data;
    size_t len, cap, max;
    int (*sink)(void *arg, const void *p, size_t n);
    void *sink_arg;
};
void mi_buf_init(struct mi_buf *b, size_t max);
void mi_buf_init_sink(struct mi_buf *b, size_t max, int (*sink)(void *, const void *, size_t),
                      void *arg);
/* Append; -1 when the total would pass max (nothing appended), -2 on out of memory, -3 when the
 * sink refused the bytes (the reply already failed: the transport stops, the caller asks the
 * sink why). */
int mi_buf_add(struct mi_buf *b, const void *p, size_t n);
void mi_buf_release(struct mi_buf *b);

/* Milliseconds on the monotonic clock. */
uint64_t mi_now_ms(void);

/* One transport. call() sends one request and fills reply with the raw reply bytes, all within
 * deadline (mi_now_ms() scale); it never waits past it and leaves no fd, FIFO or memory behind.
 * Returns MI_OK or an error with e filled. The reply may still be garbage: the caller parses. */
#define MI_CALL_REUSE (1u << 0)

struct mi_transport {
    const char *name;
    /* flags: MI_CALL_REUSE lets a connection-oriented transport keep its connection for the
     * next call (only for requests that may safely be sent twice: a reused connection that
     * turns out dead is retried by libcurl itself). */
    enum mi_err (*call)(const struct mi_addr *a, const char *req, size_t len, uint64_t deadline,
                        unsigned flags, struct mi_buf *reply, struct mi_error *e);
};

extern const struct mi_transport mi_transport_http;
extern const struct mi_transport mi_transport_fifo;
extern const struct mi_transport mi_transport_datagram;

/* The transport serving an address kind. */
const struct mi_transport *mi_transport_for(enum mi_addr_kind k);

/* Call once at start, before any thread runs an MI call: binds libcurl and runs
 * curl_global_init. -1 when libcurl is missing (fifo and datagram still work; http calls then
 * fail with MI_ERR_SYSTEM naming the package). Calls without it initialise on first use. */
int mi_transport_global_init(void);
void mi_transport_global_cleanup(void);
/* Close the connection this thread keeps to an http node (MI_CALL_REUSE), if any. Threads that
 * end release theirs by themselves. */
void mi_transport_thread_release(void);

#endif
