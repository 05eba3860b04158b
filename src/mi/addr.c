/* mi/addr: parse MI addresses (http://, fifo:, udp:, unix:) and the shared helpers of the
 * transports (bounded buffer, monotonic clock, vtable lookup). */
#include "mi/transport.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <time.h>

#include "strparse.h"

static const char *const mi_addr_kind_names[] = {"http", "fifo", "udp", "unix"};
_Static_assert(sizeof mi_addr_kind_names / sizeof mi_addr_kind_names[0] == MI_ADDR_KIND_COUNT,
               "one name per kind");

const char *mi_addr_kind_name(enum mi_addr_kind k)
{
    return (unsigned)k < MI_ADDR_KIND_COUNT ? mi_addr_kind_names[k] : "unknown";
}

static enum mi_err bad(struct mi_error *e, const char *s, const char *why)
{
    return mi_error_set(e, MI_ERR_BAD_ADDRESS, 0,
                        "'%.200s': %s; use http://HOST:PORT/mi, fifo:/PATH, udp:HOST:PORT or "
                        "unix:/PATH",
                        s, why);
}

static enum mi_err parse_udp(const char *s, const char *hp, struct mi_addr *a, struct mi_error *e)
{
    char host[256];
    const char *port;
    if (hp[0] == '[') {
        const char *close = strchr(hp, ']');
        if (!close || close[1] != ':')
            return bad(e, s, "an IPv6 address needs brackets and a port: udp:[::1]:8080");
        if ((size_t)(close - hp - 1) >= sizeof host || close == hp + 1)
            return bad(e, s, "bad host");
        memcpy(host, hp + 1, (size_t)(close - hp - 1));
        host[close - hp - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(hp, ':');
        if (!colon)
            return bad(e, s, "missing port");
        if ((size_t)(colon - hp) >= sizeof host || colon == hp)
            return bad(e, s, "missing or too long host");
        memcpy(host, hp, (size_t)(colon - hp));
        host[colon - hp] = '\0';
        if (strchr(host, ':'))
            return bad(e, s, "an IPv6 address needs brackets: udp:[::1]:8080");
        port = colon + 1;
    }
    uint64_t p;
    if (parse_uint(port, 65535, &p) < 0 || p == 0)
        return bad(e, s, "port must be a number from 1 to 65535");
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || !res) {
        char why[300];
        snprintf(why, sizeof why, "cannot resolve '%s': %s", host, gai_strerror(rc));
        return bad(e, s, why);
    }
    memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
    a->salen = res->ai_addrlen;
    freeaddrinfo(res);
    return MI_OK;
}

enum mi_err mi_addr_parse(const char *s, const char *fifo_reply_dir, struct mi_addr *a,
                          struct mi_error *e)
{
    memset(a, 0, sizeof *a);
    if (!s || !*s)
        return bad(e, "", "empty address");
    if (strlen(s) >= sizeof a->text)
        return bad(e, s, "too long");
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return bad(e, s, "contains a space or control character");
    snprintf(a->text, sizeof a->text, "%s", s);

    if (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8)) {
        const char *host = strstr(s, "://") + 3;
        if (!*host || *host == '/')
            return bad(e, s, "missing host");
        a->kind = MI_ADDR_HTTP;
        snprintf(a->url, sizeof a->url, "%s", s);
        return MI_OK;
    }
    if (!strncmp(s, "fifo:", 5) || !strncmp(s, "unix:", 5)) {
        const char *path = s + 5;
        if (path[0] != '/')
            return bad(e, s, "the path must be absolute");
        if (strlen(path) >= MI_PATH_MAX)
            return bad(e, s, "path longer than 107 bytes");
        snprintf(a->path, sizeof a->path, "%s", path);
        if (s[0] == 'u') {
            struct sockaddr_un *un = (struct sockaddr_un *)&a->sa;
            a->kind = MI_ADDR_UNIX;
            un->sun_family = AF_UNIX;
            memcpy(un->sun_path, path, strlen(path) + 1);
            a->salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
            return MI_OK;
        }
        a->kind = MI_ADDR_FIFO;
        const char *rd = fifo_reply_dir && *fifo_reply_dir ? fifo_reply_dir : "/tmp/";
        size_t n = strlen(rd);
        if (rd[0] != '/')
            return bad(e, s, "the FIFO reply directory must be absolute");
        if (n + 2 > MI_REPLY_DIR_MAX)
            return bad(e, s, "FIFO reply directory longer than 94 bytes (OpenSIPS allows 128 "
                             "for directory and reply name)");
        snprintf(a->reply_dir, sizeof a->reply_dir, "%s%s", rd, rd[n - 1] == '/' ? "" : "/");
        return MI_OK;
    }
    if (!strncmp(s, "udp:", 4)) {
        a->kind = MI_ADDR_UDP;
        return parse_udp(s, s + 4, a, e);
    }
    return bad(e, s, "unknown scheme");
}

void mi_buf_init(struct mi_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->sink = NULL;
    b->sink_arg = NULL;
}

void mi_buf_init_sink(struct mi_buf *b, size_t max, int (*sink)(void *, const void *, size_t),
                      void *arg)
{
    mi_buf_init(b, max);
    b->sink = sink;
    b->sink_arg = arg;
}

int mi_buf_add(struct mi_buf *b, const void *p, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return -1;
    if (b->sink) {
        b->len += n;
        return b->sink(b->sink_arg, p, n) < 0 ? -3 : 0;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return -2;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

void mi_buf_release(struct mi_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

uint64_t mi_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const struct mi_transport *mi_transport_for(enum mi_addr_kind k)
{
    switch (k) {
    case MI_ADDR_HTTP:
        return &mi_transport_http;
    case MI_ADDR_FIFO:
        return &mi_transport_fifo;
    case MI_ADDR_UDP:
    case MI_ADDR_UNIX:
        return &mi_transport_datagram;
    default:
        return NULL;
    }
}
