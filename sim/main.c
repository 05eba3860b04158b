/* main: opensips-mi-sim, an OpenSIPS MI server (http, fifo, datagram) that behaves as the
 * recordings in data/ show. Command line, start-up, signals. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "faults.h"
#include "reqlog.h"
#include "sim.h"
#include "transport.h"

#ifndef SIM_DATA_DIR
#define SIM_DATA_DIR "data"
#endif

struct sim sim = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .timing = SIM_TIMING_ASYNC,
    .dlg_linger_ms = 5000,
    .extended = true,
};

void sim_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "opensips-mi-sim: %s\n", line);
}

unsigned long long sim_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
}

void sim_sleep_ms(unsigned ms)
{
    unsigned long long until = sim_now_ms() + ms;
    while (!sim.stopping) {
        unsigned long long now = sim_now_ms();
        if (now >= until)
            return;
        unsigned long long left = until - now;
        struct timespec ts = {0, (long)((left > 50 ? 50 : left) * 1000000ull)};
        nanosleep(&ts, NULL);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: opensips-mi-sim [options]\n"
            "  --http ADDR:PORT          mi_http on POST /mi\n"
            "  --fifo PATH               mi_fifo on PATH (created, removed on exit)\n"
            "  --fifo-reply-dir DIR      where reply FIFOs are (default /tmp/)\n"
            "  --datagram udp:ADDR:PORT | unix:PATH   mi_datagram\n"
            "  --opensips 4.0|3.6        naming and recordings profile (default 4.0)\n"
            "  --modules extended|base   4.0: the module set loaded (default extended, 176 commands)\n"
            "  --data DIR                recordings and catalogues (default " SIM_DATA_DIR ")\n"
            "  --request-log FILE        append one JSON line per request\n"
            "  --fault SPEC              kind=K[,cmd=NAME][,rate=R][,ms=N][,bytes=N][,depth=N][,count=N]\n"
            "                            K: delay drop http500 garbage truncate huge chunked refuse deep error\n"
            "  --timing none|async|all   reproduce recorded latencies (default async)\n"
            "  --crash survive|exit      on a request that crashed OpenSIPS (default survive)\n"
            "  --dialogs N --contacts N  add N generated dialogs / contacts\n"
            "  --dlg-linger-ms N         an ended dialog stays listed this long (default 5000)\n"
            "  --traffic N               simulated SIP requests per second moving core counters\n");
}

static int parse_num(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    const char *http = NULL, *fifo = NULL, *reply_dir = "/tmp/", *dgram = NULL, *rlog = NULL;
    sim.data_dir = SIM_DATA_DIR;
    struct fault faults[64];
    size_t nfaults = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long n;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            sim_log("option '%s' needs a value (or is unknown)", a);
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "--http") == 0) {
            http = v;
        } else if (strcmp(a, "--fifo") == 0) {
            fifo = v;
        } else if (strcmp(a, "--fifo-reply-dir") == 0) {
            reply_dir = v;
        } else if (strcmp(a, "--datagram") == 0) {
            dgram = v;
        } else if (strcmp(a, "--opensips") == 0 && (strcmp(v, "4.0") == 0 || strcmp(v, "3.6") == 0)) {
            sim.version = strcmp(v, "4.0") == 0 ? SIM_V40 : SIM_V36;
        } else if (strcmp(a, "--modules") == 0 && (!strcmp(v, "base") || !strcmp(v, "extended"))) {
            sim.extended = strcmp(v, "extended") == 0;
        } else if (strcmp(a, "--data") == 0) {
            sim.data_dir = v;
        } else if (strcmp(a, "--request-log") == 0) {
            rlog = v;
        } else if (strcmp(a, "--fault") == 0) {
            const char *why = NULL;
            if (nfaults == 64 || fault_parse_spec(v, &faults[nfaults], &why) < 0) {
                sim_log("bad --fault '%s': %s", v, why ? why : "too many");
                return 2;
            }
            nfaults++;
        } else if (strcmp(a, "--timing") == 0 &&
                   (!strcmp(v, "none") || !strcmp(v, "async") || !strcmp(v, "all"))) {
            sim.timing = !strcmp(v, "none") ? SIM_TIMING_NONE
                         : !strcmp(v, "async") ? SIM_TIMING_ASYNC : SIM_TIMING_ALL;
        } else if (strcmp(a, "--crash") == 0 && (!strcmp(v, "survive") || !strcmp(v, "exit"))) {
            sim.crash = strcmp(v, "exit") == 0 ? SIM_CRASH_EXIT : SIM_CRASH_SURVIVE;
        } else if (strcmp(a, "--dialogs") == 0 && parse_num(v, 10000000, &n) == 0) {
            sim.gen_dialogs = n;
        } else if (strcmp(a, "--contacts") == 0 && parse_num(v, 10000000, &n) == 0) {
            sim.gen_contacts = n;
        } else if (strcmp(a, "--dlg-linger-ms") == 0 && parse_num(v, 86400000, &n) == 0) {
            sim.dlg_linger_ms = (unsigned)n;
        } else if (strcmp(a, "--traffic") == 0 && parse_num(v, 1000000, &n) == 0) {
            sim.traffic = (unsigned)n;
        } else {
            sim_log("unknown option or bad value: %s %s", a, v);
            usage(stderr);
            return 2;
        }
    }
    if (!http && !fifo && !dgram) {
        sim_log("no transport: give --http, --fifo and/or --datagram");
        usage(stderr);
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    sim.start = time(NULL);
    char cat_file[4096], which_file[4096];
    bool v40 = sim.version == SIM_V40;
    if (asprintf(&sim.rec_dir, "%s/%s", sim.data_dir, v40 ? "recordings" : "recordings-3.6") < 0)
        return 1;
    snprintf(cat_file, sizeof cat_file, "%s/catalogue/opensips-mi-catalogue-%s.json", sim.data_dir,
             v40 ? "4.0.1" : "3.6.8");
    snprintf(which_file, sizeof which_file, "%s/http/%s", sim.rec_dir,
             v40 && sim.extended ? "which_extended.json" : "which.json");
    if (catalogue_load(&sim.cat, sim.version, cat_file, which_file) < 0)
        return 1;
    if (recorded_load(&sim.rec, sim.rec_dir, &sim.cat) < 0) {
        sim_log("cannot load the recordings under '%s'", sim.rec_dir);
        return 1;
    }
    unsigned long long t0 = sim_now_ms();
    if (commands_init_state() < 0) {
        sim_log("cannot build the initial state from '%s'", sim.rec_dir);
        return 1;
    }
    if (rlog && reqlog_open(rlog) < 0) {
        sim_log("cannot open request log '%s': %s", rlog, strerror(errno));
        return 1;
    }
    for (size_t i = 0; i < nfaults; i++)
        faults_add(&faults[i]);
    if ((http && http_start(http) < 0) || (fifo && fifo_start(fifo, reply_dir) < 0) ||
        (dgram && datagram_start(dgram) < 0)) {
        fifo_stop();
        datagram_stop();
        return 1;
    }
    sim_log("OpenSIPS %s MI simulator ready: %zu commands loaded, %zu recorded replies, state "
            "built in %llu ms%s%s%s%s%s%s",
            v40 ? "4.0.1" : "3.6.8", sim.cat.nloaded, sim.rec.n, sim_now_ms() - t0,
            http ? ", http " : "", http ? http : "", fifo ? ", fifo " : "", fifo ? fifo : "",
            dgram ? ", datagram " : "", dgram ? dgram : "");
    int sig = 0;
    for (;;) {
        sigwait(&set, &sig);
        if (sig != SIGUSR1)
            break;
        faults_clear(FAULT_NONE); /* SIGUSR1: clear every fault, refuse included */
        sim_log("SIGUSR1: faults cleared");
    }
    sim.stopping = 1;
    sim_log("signal %d: stopping", sig);
    fifo_stop();
    datagram_stop();
    return 0;
}
