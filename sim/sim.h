/* sim: the simulator's shared context (one OpenSIPS instance), its options and its lock. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "catalogue.h"
#include "recorded.h"

enum sim_timing { SIM_TIMING_NONE, SIM_TIMING_ASYNC, SIM_TIMING_ALL };
enum sim_crash { SIM_CRASH_SURVIVE, SIM_CRASH_EXIT };

struct sim {
    enum sim_version version;
    const char *data_dir;     /* holds recordings/, recordings-3.6/, catalogue/ */
    char *rec_dir;            /* the profile's recordings directory */
    bool extended;            /* the extension modules of the 4.0.1 test bed are loaded */
    struct catalogue cat;
    struct recorded rec;
    enum sim_timing timing;
    enum sim_crash crash;
    unsigned dlg_linger_ms;   /* an ended dialog stays listed (state 5) this long */
    unsigned long gen_dialogs, gen_contacts;
    unsigned traffic;         /* simulated SIP requests per second moving the core counters */
    time_t start;             /* "Up since" */
    pthread_mutex_t lock;     /* held while a command runs: state is not thread-safe */
    atomic_int stopping; /* set by main on a signal, read by every serving thread */
};

extern struct sim sim;

/* Log a line on stderr with the program prefix. */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Milliseconds of a monotonic clock. */
unsigned long long sim_now_ms(void);
/* Sleep ms milliseconds, waking early when the simulator stops. */
void sim_sleep_ms(unsigned ms);

#endif
