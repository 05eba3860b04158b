/* fanout: a pool of threads per node, made on first use and kept for the process. */
#include "tools/fanout.h"

#include <stdlib.h>

#include "workers.h"

static pthread_mutex_t pools_lock = PTHREAD_MUTEX_INITIALIZER;
static struct workers *pools[FANOUT_NODES_MAX];

struct job {
    struct fanout *f;
    void (*fn)(void *arg);
    void *arg;
};

static void finish(struct fanout *f)
{
    pthread_mutex_lock(&f->lock);
    if (--f->left == 0)
        pthread_cond_signal(&f->done);
    pthread_mutex_unlock(&f->lock);
}

static void run_job(void *arg)
{
    struct job *j = arg;
    struct fanout *f = j->f;

    j->fn(j->arg);
    free(j);
    finish(f);
}

void fanout_init(struct fanout *f)
{
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->done, NULL);
    f->left = 0;
}

static struct workers *pool(size_t index)
{
    struct workers *w;

    if (index >= FANOUT_NODES_MAX)
        return NULL;
    pthread_mutex_lock(&pools_lock);
    if (!(w = pools[index]))
        w = pools[index] = workers_new(FANOUT_THREADS_PER_NODE, FANOUT_QUEUE_PER_NODE);
    pthread_mutex_unlock(&pools_lock);
    return w;
}

void fanout_submit(struct fanout *f, size_t index, void (*fn)(void *arg), void *arg)
{
    struct workers *w = pool(index);
    struct job *j = malloc(sizeof(*j));

    pthread_mutex_lock(&f->lock);
    f->left++;
    pthread_mutex_unlock(&f->lock);
    if (j) {
        *j = (struct job){f, fn, arg};
        if (w && workers_submit(w, run_job, j) == 0)
            return;
        free(j);
    }
    fn(arg); /* no pool, or its queue is full: here, now */
    finish(f);
}

void fanout_wait(struct fanout *f)
{
    pthread_mutex_lock(&f->lock);
    while (f->left)
        pthread_cond_wait(&f->done, &f->lock);
    pthread_mutex_unlock(&f->lock);
    pthread_cond_destroy(&f->done);
    pthread_mutex_destroy(&f->lock);
}
