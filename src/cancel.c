/* cancel: cancellation of waiting calls, an eventfd per token and a per-thread binding. */
#include "cancel.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static _Thread_local struct cancel *bound;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Released eventfds, reset, for the next tokens: every HTTP or stdio request that may block
 * takes one, and making and closing one per request measured about 4% of the server's CPU per
 * tools/call under load (bench/README.md, throughput). Bounded: past CANCEL_FD_POOL, closed. */
#define CANCEL_FD_POOL 64

static struct {
    pthread_mutex_t lock;
    int fds[CANCEL_FD_POOL];
    int n;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

void cancel_init(struct cancel *c)
{
    int fd = -1;

    atomic_init(&c->fired, false);
    pthread_mutex_lock(&pool.lock);
    if (pool.n)
        fd = pool.fds[--pool.n];
    pthread_mutex_unlock(&pool.lock);
    c->fd = fd >= 0 ? fd : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

void cancel_fire(struct cancel *c)
{
    uint64_t one = 1;

    if (atomic_exchange(&c->fired, true))
        return;
    if (c->fd >= 0 && write(c->fd, &one, sizeof(one)) < 0) {
        /* the counter cannot overflow from one write; nothing else to do: waiters still see
         * `fired` at their next slice */
    }
}

void cancel_release(struct cancel *c)
{
    uint64_t count;
    bool kept = false;

    if (c->fd < 0)
        return;
    /* a fired one is read back to zero (it is non-blocking), so that it wakes no next waiter */
    if (atomic_load(&c->fired) && read(c->fd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
        close(c->fd);
        c->fd = -1;
        return;
    }
    pthread_mutex_lock(&pool.lock);
    if (pool.n < CANCEL_FD_POOL) {
        pool.fds[pool.n++] = c->fd;
        kept = true;
    }
    pthread_mutex_unlock(&pool.lock);
    if (!kept)
        close(c->fd);
    c->fd = -1;
}

void cancel_pool_free(void)
{
    pthread_mutex_lock(&pool.lock);
    while (pool.n)
        close(pool.fds[--pool.n]);
    pthread_mutex_unlock(&pool.lock);
}

struct cancel *cancel_bind(struct cancel *c)
{
    struct cancel *old = bound;
    bound = c;
    return old;
}

struct cancel *cancel_bound(void)
{
    return bound;
}

bool cancel_fired(const struct cancel *c)
{
    return c && atomic_load(&c->fired);
}

int cancel_fd(const struct cancel *c)
{
    return c ? c->fd : -1;
}

bool cancel_bound_fired(void)
{
    return bound && atomic_load(&bound->fired);
}

int cancel_poll(struct pollfd *fds, int n, int timeout_ms)
{
    struct pollfd all[CANCEL_POLL_FDS_MAX + 1];
    uint64_t end = now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
    int k = n < CANCEL_POLL_FDS_MAX ? n : CANCEL_POLL_FDS_MAX;

    for (;;) {
        if (cancel_bound_fired()) {
            errno = ECANCELED;
            return -1;
        }
        uint64_t now = now_ms();
        int left = now >= end ? 0 : (int)(end - now), slice = left, m = k;
        for (int i = 0; i < k; i++) {
            all[i] = fds[i];
            all[i].revents = 0;
        }
        if (bound && bound->fd >= 0)
            all[m++] = (struct pollfd){.fd = bound->fd, .events = POLLIN};
        else if (bound && slice > CANCEL_SLICE_MS)
            slice = CANCEL_SLICE_MS;
        int r = poll(all, (nfds_t)m, slice);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (m > k && all[k].revents) {
            errno = ECANCELED;
            return -1;
        }
        if (r == 0 && slice < left)
            continue;
        for (int i = 0; i < k; i++)
            fds[i].revents = all[i].revents;
        return r;
    }
}
