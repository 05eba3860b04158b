/* bench/floor: the least an MCP server can do per tools/call, for the throughput benchmark. */
/*
 * usage: floor HOST:PORT MI_HOST:PORT
 *
 * Speaks just enough Streamable HTTP for bench/throughput: `initialize` is answered with a fixed
 * result and a session id, `notifications/initialized` with 202, DELETE with 200, and every other
 * POST (the tools/call) by one mi_http round trip: a fixed `uptime` request to the MI backend on a
 * keep-alive connection of this client connection's own, whose reply is answered, as it is, inside a
 * fixed tools/call result. No JSON is parsed, checked or built, nothing is logged or audited; one
 * blocking thread per connection, TCP_NODELAY, each answer in one send. So its calls/s are what the
 * machine allows for the two loopback round trips every forwarding server makes per call (the
 * client's and the MI leg's), the scheduling they need and the load generator beside it: the ceiling
 * against which any real server's figure, and any ratio to the peer, can be read (bench/README.md).
 * Not a server: it knows no MCP beyond that. Every socket wait is bounded (10 s); SIGTERM/SIGINT
 * exit 0.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "serve.h"

#define BUF 65536

static struct addrinfo *mi_ai;

static void tune(int fd)
{
    struct timeval tv = {10, 0};
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* One HTTP/1.1 message (headers and a Content-Length body) from fd into b (len bytes already
 * there, the rest of a previous read). Returns its full length, *body and *blen set; -1 on EOF, a
 * time-out or a message larger than the buffer. */
static long read_msg(int fd, char *b, size_t *len, char **body, size_t *blen)
{
    char *hend;
    ssize_t r;

    while (!(hend = memmem(b, *len, "\r\n\r\n", 4))) {
        if (*len >= BUF - 1 || (r = recv(fd, b + *len, BUF - 1 - *len, 0)) <= 0)
            return -1;
        *len += (size_t)r;
    }
    size_t hlen = (size_t)(hend - b) + 4;
    b[hlen - 1] = '\0';
    char *cl = strcasestr(b, "\r\nContent-Length:");
    *blen = cl ? strtoul(cl + 17, NULL, 10) : 0;
    if (hlen + *blen >= BUF)
        return -1;
    while (*len < hlen + *blen) {
        if ((r = recv(fd, b + *len, BUF - 1 - *len, 0)) <= 0)
            return -1;
        *len += (size_t)r;
    }
    *body = b + hlen;
    return (long)(hlen + *blen);
}

/* Drop the first n bytes of b (a message handled), keeping what followed it. */
static void consume(char *b, size_t *len, size_t n)
{
    memmove(b, b + n, *len - n);
    *len -= n;
}

static int mi_connect(void)
{
    int fd = socket(mi_ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    tune(fd);
    if (connect(fd, mi_ai->ai_addr, mi_ai->ai_addrlen) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One round trip to the MI backend; its reply body, escaped as a JSON string's content, into txt
 * (at most cap bytes). Returns the text's length, or -1. */
static int mi_uptime(int mi, char *mb, char *txt, size_t cap)
{
    static const char req[] = "POST /mi HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Type: application/json\r\nContent-Length: 41\r\n\r\n"
                              "{\"jsonrpc\":\"2.0\",\"method\":\"uptime\",\"id\":1}";
    size_t len = 0, blen, n = 0;
    char *body;

    if (send(mi, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1 ||
        read_msg(mi, mb, &len, &body, &blen) < 0 || strncmp(mb, "HTTP/1.1 200", 12))
        return -1;
    for (size_t i = 0; i < blen && n + 2 < cap; i++) {
        if (body[i] == '"' || body[i] == '\\')
            txt[n++] = '\\';
        txt[n++] = body[i];
    }
    return (int)n;
}

static void *serve(void *arg)
{
    static const char init[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-11-25\","
        "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"floor\",\"version\":\"0\"}}}";
    int fd = (int)(long)arg, mi = mi_connect();
    char *b = malloc(BUF), *mb = malloc(BUF), *out = malloc(2 * BUF), *txt = malloc(BUF);
    size_t len = 0, blen;
    char *body;
    long n;

    tune(fd);
    while (mi >= 0 && b && mb && out && txt && (n = read_msg(fd, b, &len, &body, &blen)) > 0) {
        int w;
        if (!strncmp(b, "DELETE ", 7)) {
            w = snprintf(out, 2 * BUF, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        } else if (memmem(body, blen, "\"notifications/", 15)) {
            w = snprintf(out, 2 * BUF, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        } else if (memmem(body, blen, "\"initialize\"", 12)) {
            w = snprintf(out, 2 * BUF,
                         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Mcp-Session-Id: 00000000000000000000000000000001\r\n"
                         "Content-Length: %zu\r\n\r\n%s",
                         sizeof(init) - 1, init);
        } else {
            char *idp = memmem(body, blen, "\"id\":", 5);
            long id = idp ? strtol(idp + 5, NULL, 10) : 0;
            int tn = mi_uptime(mi, mb, txt, BUF);
            if (tn < 0)
                break;
            char res[BUF + 128];
            int rn = snprintf(res, sizeof(res),
                              "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":{\"content\":"
                              "[{\"type\":\"text\",\"text\":\"%.*s\"}]}}",
                              id, tn, txt);
            w = snprintf(out, 2 * BUF,
                         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Content-Length: %d\r\n\r\n%s",
                         rn, res);
        }
        if (send(fd, out, (size_t)w, MSG_NOSIGNAL) != w)
            break;
        consume(b, &len, (size_t)n);
    }
    if (mi >= 0)
        close(mi);
    close(fd);
    free(b);
    free(mb);
    free(out);
    free(txt);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 || !strrchr(argv[1], ':') || !(mi_ai = bench_resolve(argv[2], 0))) {
        fprintf(stderr, "usage: floor HOST:PORT MI_HOST:PORT\n");
        return 2;
    }
    return bench_serve("floor", argv[1], serve, 512 * 1024);
}
