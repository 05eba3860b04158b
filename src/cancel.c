/* cancel: cancellation of waiting calls, an eventfd per token and a per-thread binding. */
#include "cancel.h"

#include <errno.h>
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

void cancel_init(struct cancel *c)
{
    atomic_init(&c->fired, false);
    c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
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
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
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
