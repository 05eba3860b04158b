/* bench/serve.h: the listening half of the small bench servers (mi-stub, floor): a thread per
 * accepted connection running serve(fd), until SIGTERM or SIGINT. Header-only, so that each
 * harness stays one `cc` of one file. */
#ifndef BENCH_SERVE_H
#define BENCH_SERVE_H

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct bench_listener {
    int fd;
    void *(*serve)(void *fd_as_ptr);
    size_t stack;
};

static void *bench_acceptor(void *arg)
{
    struct bench_listener *l = arg;

    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&a, l->stack);
        if (pthread_create(&t, &a, l->serve, (void *)(long)fd))
            close(fd);
        pthread_attr_destroy(&a);
    }
}

/* "HOST:PORT" (split at the last colon; hp is modified) into an address, or NULL. */
static struct addrinfo *bench_resolve(char *hp, int passive)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = passive ? AI_PASSIVE : 0}, *ai;
    char *colon = strrchr(hp, ':');

    if (!colon)
        return NULL;
    *colon = '\0';
    return getaddrinfo(hp, colon + 1, &hints, &ai) ? NULL : ai;
}

/* Listen on hostport and serve each connection on a thread of `stack` bytes until SIGTERM or
 * SIGINT: returns 0 then, 2 for a bad address, 1 when it cannot listen. */
static int bench_serve(const char *name, char *hostport, void *(*serve)(void *), size_t stack)
{
    static struct bench_listener l;
    struct addrinfo *ai = bench_resolve(hostport, 1);
    int one = 1, sig;
    sigset_t sigs;
    pthread_t t;

    if (!ai) {
        fprintf(stderr, "%s: bad address\n", name);
        return 2;
    }
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    if ((l.fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(l.fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(l.fd, 256) < 0) {
        fprintf(stderr, "%s: listen: %s\n", name, strerror(errno));
        return 1;
    }
    freeaddrinfo(ai);
    l.serve = serve;
    l.stack = stack;
    if (pthread_create(&t, NULL, bench_acceptor, &l))
        return 1;
    while (sigwait(&sigs, &sig) != 0)
        ;
    return 0;
}

#endif
