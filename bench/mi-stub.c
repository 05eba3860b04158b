/* bench/mi-stub: the smallest mi_http an MCP server can forward to, for the throughput benchmark. */
/*
 * usage: mi-stub HOST:PORT [BYTES]
 *        mi-stub --print BYTES
 *
 * Answers every `POST /mi` JSON-RPC request on a keep-alive HTTP/1.1 connection with a fixed `uptime`
 * result (echoing the request's id), headers and body in one write, so that a forwarding server's
 * figures are its own and not its MI backend's. One thread per connection; SIGTERM/SIGINT exit 0.
 * With BYTES, every answer is instead a dialog:list-like listing of about BYTES bytes (built once at
 * start), for the large-reply benchmark — but version and which, which a server asks first to
 * learn the node, are answered as OpenSIPS 4.0.1; --print writes that reply (id 1) and exits.
 * It exists because opensips-mi-sim writes an answer's header and body in two writes, which, with
 * Nagle's algorithm and the client's delayed ACK, can stall a keep-alive client ~40 ms per request
 * (bench/README.md). Not a simulator: it knows no commands.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve.h"

#define BUF 65536

/* The large listing: "{\"jsonrpc\":\"2.0\",\"result\":" + big + ",\"id\":" ID "}". */
static char *big;
static size_t big_len;

/* A listing of dialogs, each like OpenSIPS's dialog:list item, to about `bytes` in all. */
static int make_big(size_t bytes)
{
    size_t cap = bytes + 4096, n = 0;
    int i = 0;

    if (!(big = malloc(cap)))
        return -1;
    n += (size_t)snprintf(big, cap, "{\"count\":0,\"Dialogs\":[");
    while (n + 1024 < bytes) {
        n += (size_t)snprintf(big + n, cap - n,
            "%s{\"ID\":\"%d.%d\",\"state\":4,\"user_flags\":0,\"timestart\":1764590400,"
            "\"timeout\":1764594000,\"callid\":\"a84b4c76e66710-%08d@pc33.example.com\","
            "\"from_uri\":\"sip:alice%d@example.com\",\"to_uri\":\"sip:bob%d@example.net\","
            "\"caller_tag\":\"1928301774-%d\",\"caller_contact\":\"sip:alice@192.0.2.%d:5060\","
            "\"callee_tag\":\"a6c85cf-%d\",\"callee_contact\":\"sip:bob@198.51.100.%d:5060\","
            "\"CALLEE_sdp\":\"v=0 o=- 2890844527 2890844527 IN IP4 198.51.100.%d\","
            "\"values\":[{\"acc\":\"yes\"},{\"route\":\"pstn\"}]}",
            i ? "," : "", 1000 + i % 4096, 100000 + i, i, i, i, i, i % 250, i, i % 250, i % 250);
        i++;
    }
    n += (size_t)snprintf(big + n, cap - n, "]}");
    big_len = n;
    return 0;
}

/* Send the large reply for request `id`: headers, then the listing, in few writes. */
static int send_big(int fd, long id)
{
    static const char pre[] = "{\"jsonrpc\":\"2.0\",\"result\":";
    char head[256], tail[64];
    int tn = snprintf(tail, sizeof(tail), ",\"id\":%ld}", id);
    int hn = snprintf(head, sizeof(head),
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                      sizeof(pre) - 1 + big_len + (size_t)tn, pre);
    for (size_t off = 0; off < big_len;) {
        ssize_t w;
        if (off == 0 && send(fd, head, (size_t)hn, MSG_NOSIGNAL | MSG_MORE) != hn)
            return -1;
        if ((w = send(fd, big + off, big_len - off, MSG_NOSIGNAL | MSG_MORE)) <= 0)
            return -1;
        off += (size_t)w;
    }
    return send(fd, tail, (size_t)tn, MSG_NOSIGNAL) == tn ? 0 : -1;
}

static void *serve(void *arg)
{
    int fd = (int)(long)arg, one = 1;
    char buf[BUF], out[1024];
    size_t len = 0;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    for (;;) {
        char *hend;
        ssize_t r;
        while (!(hend = memmem(buf, len, "\r\n\r\n", 4))) {
            if (len >= sizeof(buf) - 1 || (r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) <= 0)
                goto done;
            len += (size_t)r;
        }
        size_t hlen = (size_t)(hend - buf) + 4, blen = 0;
        buf[hlen - 1] = '\0';
        char *cl = strcasestr(buf, "\r\nContent-Length:");
        if (cl)
            blen = strtoul(cl + 17, NULL, 10);
        if (hlen + blen >= sizeof(buf))
            goto done;
        while (len < hlen + blen) {
            if ((r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) <= 0)
                goto done;
            len += (size_t)r;
        }
        buf[hlen + blen] = '\0';
        long id = 0;
        char *idp = strstr(buf + hlen, "\"id\":");
        if (idp)
            id = strtol(idp + 5, NULL, 10);
        char *method = strstr(buf + hlen, "\"method\":\"");
        bool learn = method && (!strncmp(method + 10, "version\"", 8) ||
                                !strncmp(method + 10, "which\"", 6));
        if (big && learn) {
            /* a server learns the node's version and commands first: answer as OpenSIPS 4.0.1 */
            char small[512];
            int bn = !strncmp(method + 10, "version", 7)
                ? snprintf(small, sizeof(small), "{\"jsonrpc\":\"2.0\",\"result\":{\"Server\":"
                           "\"OpenSIPS (4.0.1 (x86_64/linux))\"},\"id\":%ld}", id)
                : snprintf(small, sizeof(small), "{\"jsonrpc\":\"2.0\",\"result\":[\"core:version\","
                           "\"core:which\",\"core:uptime\",\"dialog:list\"],\"id\":%ld}", id);
            int n = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: %d\r\n\r\n%s", bn, small);
            if (send(fd, out, (size_t)n, MSG_NOSIGNAL) != n)
                goto done;
            memmove(buf, buf + hlen + blen, len - hlen - blen);
            len -= hlen + blen;
            continue;
        }
        if (big) {
            if (send_big(fd, id) < 0)
                goto done;
            memmove(buf, buf + hlen + blen, len - hlen - blen);
            len -= hlen + blen;
            continue;
        }
        char body[256];
        int bn = snprintf(body, sizeof(body),
                          "{\"jsonrpc\":\"2.0\",\"result\":{\"Now\":\"Mon Nov 23 12:00:00 2026\","
                          "\"Up since\":\"Mon Nov 23 11:00:00 2026\",\"Up time\":\"3600 [sec]\"},"
                          "\"id\":%ld}", id);
        int n = snprintf(out, sizeof(out),
                         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                         bn, body);
        if (send(fd, out, (size_t)n, MSG_NOSIGNAL) != n)
            goto done;
        memmove(buf, buf + hlen + blen, len - hlen - blen);
        len -= hlen + blen;
    }
done:
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--print")) {
        if (make_big(strtoul(argv[2], NULL, 10)) < 0)
            return 1;
        printf("{\"jsonrpc\":\"2.0\",\"result\":%s,\"id\":1}", big);
        return 0;
    }
    if (argc < 2 || argc > 3 || !strrchr(argv[1], ':')) {
        fprintf(stderr, "usage: mi-stub HOST:PORT [BYTES] | mi-stub --print BYTES\n");
        return 2;
    }
    if (argc == 3 && make_big(strtoul(argv[2], NULL, 10)) < 0)
        return 1;
    return bench_serve("mi-stub", argv[1], serve, 256 * 1024);
}
