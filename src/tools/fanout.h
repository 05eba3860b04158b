/* fanout: run one job per node at once, on threads that stay: each node has a small pool of
 * its own, so that a thread asks the same node every time and keeps its connection alive (the
 * MI client's libcurl handle is per thread). A node's pool serves two fan-outs at once; more
 * wait their turn on it, and a full queue runs the job on the caller's thread. */
#ifndef TOOLS_FANOUT_H
#define TOOLS_FANOUT_H

#include <pthread.h>
#include <stddef.h>

#define FANOUT_THREADS_PER_NODE 2
#define FANOUT_QUEUE_PER_NODE 64
#define FANOUT_NODES_MAX 256 /* nodes past this many run on the caller's thread */

/* One fan-out's jobs, to wait for together. */
struct fanout {
    pthread_mutex_t lock;
    pthread_cond_t done;
    size_t left;
};

void fanout_init(struct fanout *f);
/* Run fn(arg) for the node at `index` (0-based, as the MI client numbers them). */
void fanout_submit(struct fanout *f, size_t index, void (*fn)(void *arg), void *arg);
/* Wait for every job submitted to f, then release it. */
void fanout_wait(struct fanout *f);

#endif
