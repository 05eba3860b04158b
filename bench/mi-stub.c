/* bench/mi-stub: the smallest mi_http an MCP server can forward to, for the throughput benchmark. */
/*
 * usage: mi-stub HOST:PORT
 *
 * Answers every `POST /mi` JSON-RPC request on a keep-alive HTTP/1.1 connection with a fixed `uptime`
 * result (echoing the request's id), headers and body in one write, so that a forwarding server's
 * figures are its own and not its MI backend's. One thread per connection; SIGTERM/SIGINT exit 0.
 * It exists because opensips-mi-sim writes an answer's header and body in two writes, which, with
 * Nagle's algorithm and the client's delayed ACK, can stall a keep-alive client ~40 ms per request
 * (bench/README.md). Not a simulator: it knows no commands.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 65536

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

static void *acceptor(void *arg)
{
    int ls = (int)(long)arg;
    for (;;) {
        int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&a, 256 * 1024);
        if (pthread_create(&t, &a, serve, (void *)(long)fd))
            close(fd);
        pthread_attr_destroy(&a);
    }
}

int main(int argc, char **argv)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai;
    char *colon;
    int ls, one = 1, sig;
    sigset_t sigs;
    pthread_t t;

    if (argc != 2 || !(colon = strrchr(argv[1], ':'))) {
        fprintf(stderr, "usage: mi-stub HOST:PORT\n");
        return 2;
    }
    *colon = '\0';
    if (getaddrinfo(argv[1], colon + 1, &hints, &ai)) {
        fprintf(stderr, "mi-stub: bad address\n");
        return 2;
    }
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    if ((ls = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(ls, ai->ai_addr, ai->ai_addrlen) < 0 || listen(ls, 256) < 0) {
        perror("mi-stub: listen");
        return 1;
    }
    freeaddrinfo(ai);
    if (pthread_create(&t, NULL, acceptor, (void *)(long)ls))
        return 1;
    while (sigwait(&sigs, &sig) != 0)
        ;
    return 0;
}
