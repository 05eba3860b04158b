/* mi/cancel: cancellation of waiting MI calls, an eventfd per token and a per-thread binding. */
#include "mi/cancel.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mi/transport.h"

#define MI_POLL_FDS_MAX 8

static _Thread_local struct mi_cancel *bound;

void mi_cancel_init(struct mi_cancel *c)
{
    atomic_init(&c->fired, false);
    c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

void mi_cancel_fire(struct mi_cancel *c)
{
    uint64_t one = 1;

    if (atomic_exchange(&c->fired, true))
        return;
    if (c->fd >= 0 && write(c->fd, &one, sizeof(one)) < 0) {
        /* the counter cannot overflow from one write; nothing else to do: waiters still see
         * `fired` at their next slice */
    }
}

void mi_cancel_release(struct mi_cancel *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

struct mi_cancel *mi_cancel_bind(struct mi_cancel *c)
{
    struct mi_cancel *old = bound;
    bound = c;
    return old;
}

struct mi_cancel *mi_cancel_bound(void)
{
    return bound;
}

bool mi_cancelled(void)
{
    return bound && atomic_load(&bound->fired);
}

int mi_poll(struct pollfd *fds, int n, int timeout_ms)
{
    struct pollfd all[MI_POLL_FDS_MAX + 1];
    uint64_t end = mi_now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
    int k = n < MI_POLL_FDS_MAX ? n : MI_POLL_FDS_MAX;

    for (;;) {
        if (mi_cancelled()) {
            errno = ECANCELED;
            return -1;
        }
        uint64_t now = mi_now_ms();
        int left = now >= end ? 0 : (int)(end - now), slice = left, m = k;
        for (int i = 0; i < k; i++) {
            all[i] = fds[i];
            all[i].revents = 0;
        }
        if (bound && bound->fd >= 0)
            all[m++] = (struct pollfd){.fd = bound->fd, .events = POLLIN};
        else if (bound && slice > MI_CANCEL_SLICE_MS)
            slice = MI_CANCEL_SLICE_MS;
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
