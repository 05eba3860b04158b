/* workers: a bounded job queue served by threads created on demand. */
#include "workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <stdlib.h>

struct job {
    void (*fn)(void *arg);
    void *arg;
    struct job *next;
};

struct workers {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct job *head, *tail;
    unsigned queued, max_queue;
    unsigned threads, idle, max_threads;
    unsigned spinning;      /* workers looking for a job before they sleep (spin_for_job) */
    bool stopping;
    pthread_t *tids;
};

/* Slow MI calls block in poll(), and every JSON a job walks recursively (parse, redaction,
 * dumps, json_decref) was read through jsonload (at most JSONLOAD_DEPTH_MAX = 64 levels), so a
 * modest stack is plenty and keeps the footprint of a busy pool small. jansson's own limit
 * (2 048) is not enough: its dump of that depth overruns this stack. */
#define WORKER_STACK (512 * 1024)

/* A worker that has just finished a job looks for the next one up to WORKER_SPIN_LOOKS times
 * before it sleeps, yielding the CPU between looks (about 1 us each on the 2-core development
 * machine, so a fraction of a millisecond): under load the next job comes within that, and
 * taking it without a sleep saves the futex wake-up and two context switches per hand-off, the
 * known cost of every HTTP tools/call (bench/README.md, throughput: +20-30% calls/s at 8
 * clients). The yield lets every runnable thread go first, so the looks cost CPU only when
 * nothing else wants it, and an idle pool pays them once per job. Counted, not timed: a clock
 * read per look measured slower. */
#define WORKER_SPIN_LOOKS 200

/* Under w->lock: look for a job up to WORKER_SPIN_LOOKS times, yielding between looks. */
static void spin_for_job(struct workers *w)
{
    w->spinning++;
    for (int i = 0; i < WORKER_SPIN_LOOKS && !w->head && !w->stopping; i++) {
        pthread_mutex_unlock(&w->lock);
        sched_yield();
        pthread_mutex_lock(&w->lock);
    }
    w->spinning--;
}

static void *worker_main(void *arg)
{
    struct workers *w = arg;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        spin_for_job(w);
        while (!w->head && !w->stopping) {
            w->idle++;
            pthread_cond_wait(&w->wake, &w->lock);
            w->idle--;
        }
        if (!w->head)
            break;
        struct job *j = w->head;
        w->head = j->next;
        if (!w->head)
            w->tail = NULL;
        w->queued--;
        pthread_mutex_unlock(&w->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct workers *workers_new(unsigned max_threads, unsigned max_queue)
{
    struct workers *w = calloc(1, sizeof(*w));

    if (!w)
        return NULL;
    w->tids = calloc(max_threads ? max_threads : 1, sizeof(*w->tids));
    if (!w->tids) {
        free(w);
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->max_threads = max_threads ? max_threads : 1;
    w->max_queue = max_queue;
    return w;
}

int workers_submit(struct workers *w, void (*fn)(void *arg), void *arg)
{
    struct job *j;
    int rc = -1;

    pthread_mutex_lock(&w->lock);
    if (w->stopping || w->queued >= w->max_queue)
        goto out;
    j = malloc(sizeof(*j));
    if (!j)
        goto out;
    j->fn = fn;
    j->arg = arg;
    j->next = NULL;
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    w->queued++;
    if (w->idle + w->spinning < w->queued && w->threads < w->max_threads) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, WORKER_STACK);
        if (!pthread_create(&w->tids[w->threads], &attr, worker_main, w))
            w->threads++;
        pthread_attr_destroy(&attr);
    }
    if (w->threads == 0) {
        /* Could not start any thread: undo, the caller reports the failure. */
        w->head = w->tail = NULL;
        w->queued = 0;
        free(j);
        goto out;
    }
    if (w->spinning < w->queued)
        pthread_cond_signal(&w->wake); /* else a looking worker takes it without a wake-up */
    rc = 0;
out:
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void workers_free(struct workers *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
    for (unsigned i = 0; i < w->threads; i++)
        pthread_join(w->tids[i], NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w->tids);
    free(w);
}
