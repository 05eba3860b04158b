/* mi/cancel: a way to abandon MI calls that are waiting. A caller owns a struct mi_cancel, binds it
 * to the thread that makes MI calls, and fires it from any thread: every call the bound threads are
 * waiting in (poll on a socket or FIFO, libcurl's transfer, the back-off between retries) stops
 * with MI_ERR_CANCELLED. Used for notifications/cancelled and for shutdown, so that a slow node
 * never holds a worker or the exit past the caller's own limits. */
#ifndef MI_CANCEL_H
#define MI_CANCEL_H

#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>

struct mi_cancel {
    atomic_bool fired;
    int fd; /* an eventfd, readable once fired (never read, so it wakes every waiter); -1 when
               none could be made: waits then look at `fired` every MI_CANCEL_SLICE_MS */
};

#define MI_CANCEL_SLICE_MS 100

/* Not fired. Never fails: without an eventfd, waits poll in slices instead. */
void mi_cancel_init(struct mi_cancel *c);
/* Fire: idempotent, from any thread. */
void mi_cancel_fire(struct mi_cancel *c);
/* Close the eventfd. No thread may still have it bound. */
void mi_cancel_release(struct mi_cancel *c);

/* Bind c (borrowed; NULL unbinds) to the calling thread; returns the one bound before, so that a
 * caller can restore it. */
struct mi_cancel *mi_cancel_bind(struct mi_cancel *c);
/* The calling thread's binding, or NULL. */
struct mi_cancel *mi_cancel_bound(void);
/* Whether the calling thread's binding has fired. */
bool mi_cancelled(void);

/* poll(2) on fds (n may be 0) for at most timeout_ms (>= 0), also woken by the calling thread's
 * cancellation. Returns poll's count, 0 on time-out, or -1 with errno: ECANCELED once cancelled
 * (checked first), or poll's own error. EINTR is retried inside the time-out. */
int mi_poll(struct pollfd *fds, int n, int timeout_ms);

#endif
