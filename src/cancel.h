/* cancel: a way to abandon calls that are waiting, in any backend (MI, exec, ...). A caller owns
 * a struct cancel, binds it to the thread that makes the calls, and fires it from any thread:
 * every call the bound threads are waiting in (poll on a socket, FIFO or pipe, libcurl's
 * transfer, the back-off between retries, a child process) stops. Used for
 * notifications/cancelled and for shutdown, so that a slow node or program never holds a worker
 * or the exit past the caller's own limits. */
#ifndef CANCEL_H
#define CANCEL_H

#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>

struct cancel {
    atomic_bool fired;
    int fd; /* an eventfd, readable once fired (never read, so it wakes every waiter); -1 when
               none could be made: waits then look at `fired` every CANCEL_SLICE_MS */
};

#define CANCEL_SLICE_MS 100

/* Not fired. Never fails: without an eventfd, waits poll in slices instead. */
void cancel_init(struct cancel *c);
/* Fire: idempotent, from any thread. */
void cancel_fire(struct cancel *c);
/* Done with c: its eventfd, reset, goes back to a small pool for the next token (or is closed).
 * No thread may still have c bound, and none may fire it from now on. */
void cancel_release(struct cancel *c);

/* Close the pooled eventfds (at exit, after the last token is released). */
void cancel_pool_free(void);

/* Whether c has fired; false for NULL. */
bool cancel_fired(const struct cancel *c);
/* c's eventfd (borrowed; readable once fired), or -1 for NULL or when it has none: then look at
 * cancel_fired() every CANCEL_SLICE_MS. */
int cancel_fd(const struct cancel *c);

/* Bind c (borrowed; NULL unbinds) to the calling thread; returns the one bound before, so that a
 * caller can restore it. */
struct cancel *cancel_bind(struct cancel *c);
/* The calling thread's binding, or NULL. */
struct cancel *cancel_bound(void);
/* Whether the calling thread's binding has fired. */
bool cancel_bound_fired(void);

/* poll(2) on fds (n may be 0) for at most timeout_ms (>= 0), also woken by the calling thread's
 * cancellation. Returns poll's count, 0 on time-out, or -1 with errno: ECANCELED once cancelled
 * (checked first), or poll's own error. EINTR is retried inside the time-out. At most
 * CANCEL_POLL_FDS_MAX fds are looked at. */
#define CANCEL_POLL_FDS_MAX 8
int cancel_poll(struct pollfd *fds, int n, int timeout_ms);

#endif
