/* workers: a small pool of threads that run slow jobs: the MCP core's lanes (tools/call and
 * resources/read, so that the reading thread keeps answering ping and cancellations) and the
 * tools layer's fan-out to nodes (tools/fanout.c). Threads start on demand and stay. */
#ifndef WORKERS_H
#define WORKERS_H

#include <stddef.h>

struct workers;

/* A pool of at most `max_threads` threads and at most `max_queue` jobs waiting. NULL on failure. */
struct workers *workers_new(unsigned max_threads, unsigned max_queue);
/* Queue fn(arg). Returns 0, or -1 when the queue is full or the pool is stopping (the caller
 * then answers "server busy" and frees arg itself). */
int workers_submit(struct workers *w, void (*fn)(void *arg), void *arg);
/* Run every queued job, wait for all of them, stop the threads and free the pool. */
void workers_free(struct workers *w);

#endif
