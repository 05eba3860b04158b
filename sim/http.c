/* http: mi_http (POST /mi) over a small HTTP/1.1 server of our own, so that the framing quirks of
 * OpenSIPS 4.0.1/3.6.8's libmicrohttpd replies (a chunked body that never ends, a connection closed
 * with no response) and the faults can be reproduced byte for byte. One thread per connection. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "faults.h"
#include "rpc.h"
#include "sim.h"
#include "transport.h"

#define HTTP_MAX_HEAD (16u << 10)
#define HTTP_MAX_BODY (16u << 20)
#define HTTP_MAX_CONNS 256
#define HTTP_IDLE_MS 30000        /* a keep-alive connection idle this long is closed */
#define HTTP_HANG_MS (600u * 1000) /* a never-ending body is held at most this long */

static struct sockaddr_storage http_addr;
static unsigned http_addrlen;
static int http_fd = -1;
static atomic_int http_conns;

static int http_listen(void)
{
    int fd = socket(http_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&http_addr, http_addrlen) < 0 || listen(fd, 128) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void http_date(char *out, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Write every iovec, with as few write calls as the socket allows (one, normally). */
static int http_writev_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t k = writev(fd, iov, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        while (n > 0 && (size_t)k >= iov->iov_len) {
            k -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + k;
            iov->iov_len -= (size_t)k;
        }
    }
    return 0;
}

/* Status line, headers as libmicrohttpd sends them for OpenSIPS (Date first, then the ones httpd
 * adds) and the body parts, all in one write: a head and body in two segments would leave a
 * keep-alive client waiting for the delayed ACK. */
static int http_send(int fd, const char *status, const char *extra, const struct iovec *body,
                     int nbody)
{
    char date[64], head[512];
    http_date(date, sizeof date);
    int n = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nDate: %s\r\n%s\r\n", status, date, extra);
    if (n < 0 || (size_t)n >= sizeof head || nbody > 4)
        return -1;
    struct iovec iov[5] = {{head, (size_t)n}};
    int k = 1;
    for (int i = 0; i < nbody; i++)
        if (body[i].iov_len)
            iov[k++] = body[i];
    return http_writev_all(fd, iov, k);
}

static int http_send_head(int fd, const char *status, const char *extra)
{
    return http_send(fd, status, extra, NULL, 0);
}

static int http_send_json(int fd, const char *body, size_t len)
{
    char extra[128];
    snprintf(extra, sizeof extra, "Content-Type: application/json\r\nContent-Length: %zu\r\n", len);
    struct iovec b = {(void *)body, len};
    return http_send(fd, "200 OK", extra, &b, 1);
}

/* Hold the connection open, sending nothing more, until the client goes or we stop. */
static void http_hang(int fd)
{
    unsigned long long until = sim_now_ms() + HTTP_HANG_MS;
    char tmp[4096];
    while (!sim.stopping && sim_now_ms() < until) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, 200);
        if (r < 0 && errno != EINTR)
            return;
        if (r > 0) {
            ssize_t n = read(fd, tmp, sizeof tmp);
            if (n <= 0)
                return;
        }
    }
}

/* The status line and headers of an error OpenSIPS's httpd never finishes. */
static void http_never_ending(int fd, const char *status, bool close_hdr)
{
    const char *extra = close_hdr ? "Connection: close\r\nContent-Type: application/json\r\n"
                                    "Transfer-Encoding: chunked\r\n"
                                  : "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n";
    if (http_send_head(fd, status, extra) == 0)
        http_hang(fd);
}

/* huge: a valid reply padded to about `bytes`, streamed so memory stays bounded */
static int http_send_huge(int fd, unsigned long bytes)
{
    static const char pre[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"padding\":\"";
    static const char post[] = "\"},\"id\":null}";
    unsigned long pad = bytes > sizeof pre + sizeof post ? bytes - (sizeof pre + sizeof post - 2) : 1;
    char extra[128];
    snprintf(extra, sizeof extra, "Content-Type: application/json\r\nContent-Length: %lu\r\n",
             pad + sizeof pre + sizeof post - 2);
    struct iovec b = {(void *)pre, sizeof pre - 1};
    if (http_send(fd, "200 OK", extra, &b, 1) < 0)
        return -1;
    char blk[8192];
    memset(blk, 'x', sizeof blk);
    while (pad > 0 && !sim.stopping) {
        size_t k = pad < sizeof blk ? pad : sizeof blk;
        if (transport_write_all(fd, blk, k) < 0)
            return -1;
        pad -= k;
    }
    return transport_write_all(fd, post, sizeof post - 1);
}

/* Send a normal JSON reply through the fault; returns false when the connection must close. */
static bool http_reply(int fd, struct rpc_result *res)
{
    if (!res->has_fault)
        return http_send_json(fd, res->body, res->len) == 0;
    switch (res->fault.kind) {
    case FAULT_DROP:
        http_hang(fd);
        return false;
    case FAULT_HTTP500: {
        static const char b[] = "500 Internal error";
        char extra[128];
        snprintf(extra, sizeof extra, "Content-Type: text/plain\r\nContent-Length: %zu\r\n",
                 sizeof b - 1);
        struct iovec v = {(void *)b, sizeof b - 1};
        return http_send(fd, "500 Internal Server Error", extra, &v, 1) == 0;
    }
    case FAULT_GARBAGE: {
        char g[64];
        transport_garbage(g, sizeof g);
        return http_send_json(fd, g, sizeof g) == 0;
    }
    case FAULT_TRUNCATE: {
        char extra[128];
        snprintf(extra, sizeof extra, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                 res->len);
        struct iovec v = {res->body, res->len / 2};
        http_send(fd, "200 OK", extra, &v, 1);
        return false;
    }
    case FAULT_HUGE:
        return http_send_huge(fd, res->fault.bytes) == 0;
    case FAULT_CHUNKED: {
        char sz[32];
        size_t half = res->len / 2;
        int n = snprintf(sz, sizeof sz, "%zx\r\n", half);
        struct iovec v[3] = {{sz, half ? (size_t)n : 0}, {res->body, half}, {(void *)"\r\n", half ? 2 : 0}};
        if (http_send(fd, "200 OK", "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                      v, 3) < 0)
            return false;
        http_hang(fd);
        return false;
    }
    default:
        return http_send_json(fd, res->body, res->len) == 0;
    }
}

/* Read until the head is complete; returns the head length, 0 on clean EOF/idle, -1 on error. */
static long http_read_head(int fd, struct buf *in)
{
    for (;;) {
        char *end = in->data ? strstr(in->data, "\r\n\r\n") : NULL;
        if (end)
            return (long)(end - in->data) + 4;
        if (in->len >= HTTP_MAX_HEAD)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, HTTP_IDLE_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || sim.stopping)
            return 0;
        char tmp[4096];
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n <= 0)
            return n == 0 && in->len == 0 ? 0 : -1;
        /* a NUL in the head would hide the end marker from strstr: refuse it */
        if (memchr(tmp, '\0', (size_t)n) || buf_add(in, tmp, (size_t)n) < 0)
            return -1;
    }
}

static const char *http_header(const char *head, size_t hlen, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    const char *p = strstr(head, "\r\n");
    while (p && (size_t)(p - head) < hlen) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            const char *e = strstr(v, "\r\n");
            if (!e)
                return NULL;
            *vlen = (size_t)(e - v);
            return v;
        }
        p = strstr(p, "\r\n");
    }
    return NULL;
}

/* One request on the connection; false when the connection is done. */
static bool http_one(int fd, struct buf *in)
{
    long hlen = http_read_head(fd, in);
    if (hlen <= 0)
        return false;
    char method[16] = "";
    if (sscanf(in->data, "%15s", method) != 1)
        return false;
    size_t vlen = 0;
    const char *cl = http_header(in->data, (size_t)hlen, "Content-Length", &vlen);
    unsigned long long clen = 0;
    if (cl) {
        char num[24];
        if (vlen == 0 || vlen >= sizeof num)
            return false;
        memcpy(num, cl, vlen);
        num[vlen] = '\0';
        char *end;
        clen = strtoull(num, &end, 10);
        if (*end || num[0] == '-' || clen > HTTP_MAX_BODY)
            return false;
    } else if (http_header(in->data, (size_t)hlen, "Transfer-Encoding", &vlen)) {
        return false; /* chunked uploads are not something the MI clients send */
    }
    while (in->len < (size_t)hlen + clen) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, HTTP_IDLE_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        char tmp[65536];
        size_t want = (size_t)hlen + clen - in->len;
        ssize_t n = read(fd, tmp, want < sizeof tmp ? want : sizeof tmp);
        if (n <= 0 || buf_add(in, tmp, (size_t)n) < 0)
            return false;
    }
    const char *body = in->data + hlen;
    if (strcmp(method, "POST") != 0) {
        /* mi_http answers anything but POST with 405 and a body it never finishes */
        http_never_ending(fd, "405 Method Not Allowed", true);
        return false;
    }
    const char *ct = http_header(in->data, (size_t)hlen, "Content-Type", &vlen);
    if (!ct || vlen < 16 || strncasecmp(ct, "application/json", 16) != 0 ||
        (vlen > 16 && ct[16] != ';' && ct[16] != ' ')) {
        /* recorded: no response at all, the connection is closed */
        return false;
    }
    struct rpc_result res;
    rpc_handle(body, (size_t)clen, "http", &res);
    /* the rest of the buffer is the next pipelined request */
    size_t used = (size_t)hlen + (size_t)clen;
    memmove(in->data, in->data + used, in->len - used);
    in->len -= used;
    in->data[in->len] = '\0';

    unsigned delay = res.delay_ms;
    if (res.has_fault && res.fault.kind == FAULT_DELAY)
        delay += res.fault.ms;
    if (delay)
        sim_sleep_ms(delay);
    bool keep = false;
    switch (res.outcome) {
    case RPC_REPLY:
    case RPC_PARSE_ERROR:
        keep = http_reply(fd, &res);
        break;
    case RPC_NOTIFY:
        http_never_ending(fd, "202 Accepted", false);
        break;
    case RPC_BAD_ID:
        http_never_ending(fd, "500 Internal Server Error", false);
        break;
    case RPC_EMPTY:
        http_never_ending(fd, "400 Bad Request", false);
        break;
    case RPC_CRASH:
        sim_log("emulated crash: connection closed with no response");
        if (sim.crash == SIM_CRASH_EXIT) {
            sim_log("exiting as OpenSIPS did (--crash exit)");
            exit(3);
        }
        break;
    }
    rpc_result_release(&res);
    return keep;
}

static void *http_conn(void *arg)
{
    int fd = (int)(long)arg;
    struct buf in;
    buf_init(&in, HTTP_MAX_HEAD + HTTP_MAX_BODY);
    while (!sim.stopping && http_one(fd, &in))
        ;
    buf_release(&in);
    close(fd);
    atomic_fetch_sub(&http_conns, 1);
    return NULL;
}

static void *http_loop(void *arg)
{
    (void)arg;
    while (!sim.stopping) {
        bool refuse = faults_refusing();
        if (refuse && http_fd >= 0) {
            close(http_fd);
            http_fd = -1;
        } else if (!refuse && http_fd < 0) {
            http_fd = http_listen();
            if (http_fd < 0) {
                sim_sleep_ms(100);
                continue;
            }
        }
        if (http_fd < 0) {
            sim_sleep_ms(50);
            continue;
        }
        struct pollfd p = {.fd = http_fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int c = accept4(http_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        if (atomic_fetch_add(&http_conns, 1) >= HTTP_MAX_CONNS) {
            atomic_fetch_sub(&http_conns, 1);
            close(c);
            continue;
        }
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, http_conn, (void *)(long)c) != 0) {
            atomic_fetch_sub(&http_conns, 1);
            close(c);
        }
        pthread_attr_destroy(&at);
    }
    return NULL;
}

int http_start(const char *addrport)
{
    if (transport_parse_inet(addrport, &http_addr, &http_addrlen) < 0) {
        sim_log("bad --http address '%s' (want ADDR:PORT)", addrport);
        return -1;
    }
    http_fd = http_listen();
    if (http_fd < 0) {
        sim_log("cannot listen on '%s': %s", addrport, strerror(errno));
        return -1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, http_loop, NULL) != 0)
        return -1;
    pthread_detach(t);
    return 0;
}
