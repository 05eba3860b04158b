/* Integration tests for mi/client against opensips-mi-sim over http, fifo, udp and unix
 * datagram: calls, MI errors, parameter checks without a round trip, naming (4.0 and 3.6
 * profiles), every simulator fault -> the right typed error within the deadline + 10 %, no
 * write ever sent twice (the simulator's request counters), relearning the command list when
 * a node restarted as another version answers -32601, concurrency, and nothing left
 * behind (fds, reply FIFOs). Writes docs/mi-faults.md, the fault matrix. Skips (exit 0, says
 * so) only when the simulator was not built (make NO_SIM=1). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cancel.h"
#include "mi/client.h"
#include "mi/stream.h"

#define DEADLINE_MS 1000u
#define SLACK_MS (DEADLINE_MS / 10)

static char sim_bin[PATH_MAX];
static char dir[] = "/tmp/mi-client-test-XXXXXX";
static char reply_dir[128];
static pid_t sims[8];
static int nsims;

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the DIR's own fd */
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *de;
    if (!d)
        return -1;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static pid_t sim_start(const char *const *args)
{
    char logpath[256];
    snprintf(logpath, sizeof logpath, "%s/sim%d.log", dir, nsims);
    pid_t pid = fork();
    if (pid == 0) {
        const char *argv[32] = {sim_bin, "--timing", "none"};
        int n = 3;
        for (int i = 0; args[i] && n < 30; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        FILE *f = freopen(logpath, "w", stderr);
        (void)f;
        execv(sim_bin, (char **)argv);
        _exit(127);
    }
    sims[nsims++] = pid;
    return pid;
}

/* stop one simulator and forget it */
static void sim_stop(pid_t pid)
{
    for (int i = 0; i < nsims; i++) {
        if (sims[i] != pid)
            continue;
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        sims[i] = sims[--nsims];
        return;
    }
}

static void sims_stop(void)
{
    for (int i = 0; i < nsims; i++) {
        kill(sims[i], SIGTERM);
        waitpid(sims[i], NULL, 0);
    }
    nsims = 0;
}

static int wait_ready(struct mi_client *c, const char *node)
{
    for (int i = 0; i < 300; i++) { /* up to 15 s: a loaded machine starts slowly */
        json_t *r;
        if (mi_client_call_raw(c, node, "version", NULL, mi_deadline_after(200), &r, NULL) ==
            MI_OK) {
            json_decref(r);
            return 0;
        }
        sleep_ms(50);
    }
    return -1;
}

static enum mi_err raw(struct mi_client *c, const char *node, const char *method,
                       const char *params)
{
    json_t *p = params ? json_loads(params, 0, NULL) : NULL, *r = NULL;
    struct mi_error e;
    enum mi_err rc = mi_client_call_raw(c, node, method, p, mi_deadline_after(2000), &r, &e);
    if (rc != MI_OK)
        fprintf(stderr, "raw %s on %s: %s\n", method, node, e.text);
    json_decref(p);
    json_decref(r);
    return rc;
}

/* requests the simulator counted for `key` (a resolved command) or method */
static long sim_count(struct mi_client *c, const char *node, const char *group, const char *key)
{
    json_t *r = NULL;
    if (mi_client_call_raw(c, node, "sim:requests", NULL, mi_deadline_after(2000), &r, NULL) !=
        MI_OK)
        return -1;
    long n = (long)json_integer_value(json_object_get(json_object_get(r, group), key));
    json_decref(r);
    return n;
}

static enum mi_err call(struct mi_client *c, const char *node, const char *cmd,
                        const char *params, unsigned ms, struct mi_error *e, json_t **out)
{
    json_t *p = params ? json_loads(params, 0, NULL) : NULL, *r = NULL;
    enum mi_err rc = mi_client_call(c, node, cmd, p, mi_deadline_after(ms), &r, e);
    json_decref(p);
    if (out)
        *out = r;
    else
        json_decref(r);
    return rc;
}

/* ---- the fault matrix ---- */

static const char *const transports[] = {"http", "fifo", "udp", "unix"};
#define NT 4
static const struct fault_case {
    const char *kind, *spec, *what;
    enum mi_err want[NT]; /* http, fifo, udp, unix */
} faults[] = {
    {"none", NULL, "no fault", {MI_OK, MI_OK, MI_OK, MI_OK}},
    {"delay", "\"ms\":3000", "answer after 3 s",
     {MI_ERR_TIMEOUT, MI_ERR_TIMEOUT, MI_ERR_TIMEOUT, MI_ERR_TIMEOUT}},
    {"drop", NULL, "run the command, never answer",
     {MI_ERR_TIMEOUT, MI_ERR_TIMEOUT, MI_ERR_TIMEOUT, MI_ERR_TIMEOUT}},
    {"http500", NULL, "HTTP 500 / plain \"500 Internal error\"",
     {MI_ERR_HTTP_STATUS, MI_ERR_SERVER, MI_ERR_TOO_LARGE, MI_ERR_TOO_LARGE}},
    {"garbage", NULL, "bytes that are not JSON",
     {MI_ERR_GARBAGE, MI_ERR_GARBAGE, MI_ERR_GARBAGE, MI_ERR_GARBAGE}},
    {"truncate", NULL, "first half of the reply",
     {MI_ERR_GARBAGE, MI_ERR_GARBAGE, MI_ERR_GARBAGE, MI_ERR_GARBAGE}},
    {"huge", "\"bytes\":300000", "reply padded to 300 000 bytes (limit 65 536)",
     {MI_ERR_TOO_LARGE, MI_ERR_TOO_LARGE, MI_ERR_TOO_LARGE, MI_ERR_TOO_LARGE}},
    {"deep", NULL, "result nested 2 040 deep (limit 64)",
     {MI_ERR_GARBAGE, MI_ERR_GARBAGE, MI_ERR_GARBAGE, MI_ERR_GARBAGE}},
    {"error", NULL, "run the command, answer JSON-RPC error 500 \"Internal error\"",
     {MI_ERR_MI, MI_ERR_MI, MI_ERR_MI, MI_ERR_MI}},
    {"chunked", NULL, "HTTP 200, chunked body that never ends",
     {MI_ERR_TIMEOUT, MI_ERR_TIMEOUT, MI_ERR_TIMEOUT, MI_ERR_TIMEOUT}},
    {"refuse", "\"ms\":1500", "endpoint stops listening for 1.5 s",
     {MI_ERR_UNREACHABLE, MI_ERR_UNREACHABLE, MI_ERR_UNREACHABLE, MI_ERR_UNREACHABLE}},
};
#define NF (sizeof faults / sizeof faults[0])

struct cell {
    enum mi_err got;
    unsigned attempts;
    uint64_t ms;
};

static void run_matrix(struct mi_client *c, struct cell out[NF][NT])
{
    for (size_t f = 0; f < NF; f++) {
        for (int t = 0; t < NT; t++) {
            const char *node = transports[t];
            char spec[256];
            raw(c, node, "sim:clear_faults", NULL);
            if (f) {
                bool refuse = !strcmp(faults[f].kind, "refuse");
                snprintf(spec, sizeof spec, "{\"kind\":\"%s\"%s%s%s}", faults[f].kind,
                         refuse ? "" : ",\"command\":\"core:uptime\"", faults[f].spec ? "," : "",
                         faults[f].spec ? faults[f].spec : "");
                CHECK(raw(c, node, "sim:fault", spec) == MI_OK);
                if (refuse)
                    sleep_ms(200); /* the simulator closes its listeners on its next turn */
            }
            struct mi_error e;
            uint64_t t0 = mi_now_ms();
            enum mi_err rc = call(c, node, "core:uptime", NULL, DEADLINE_MS, &e, NULL);
            struct cell *cl = &out[f][t];
            cl->got = rc;
            cl->ms = mi_now_ms() - t0;
            cl->attempts = mi_client_last_attempts();
            if (rc != faults[f].want[t] || cl->ms > DEADLINE_MS + SLACK_MS) {
                check_failed++;
                fprintf(stderr, "matrix: %s x %s: got %s in %llu ms (%s), want %s\n", node,
                        faults[f].kind, mi_err_name(rc), (unsigned long long)cl->ms, e.text,
                        mi_err_name(faults[f].want[t]));
            } else {
                check_passed++;
            }
            if (!strcmp(faults[f].kind, "refuse"))
                sleep_ms(1700); /* let the endpoints come back */
            else
                raw(c, node, "sim:clear_faults", NULL);
        }
    }
}

/* ---- replies parsed as they stream (mi_client_call_stream) ---- */

struct ev_count {
    unsigned events, resets;
};

static int count_event(void *arg, enum mi_ev ev, const char *text, size_t len, unsigned depth)
{
    (void)ev, (void)text, (void)len, (void)depth;
    ((struct ev_count *)arg)->events++;
    return 0;
}

static void count_reset(void *arg)
{
    ((struct ev_count *)arg)->resets++;
}

/* Every fault on the reply's bytes, on every transport: a streamed call fails as the held call
 * does (same error; the same words where jansson's and yajl's syntax messages do not differ),
 * gets a reset before each attempt, and events only from a good reply. */
static void check_streamed(struct mi_client *c)
{
    static const struct mi_stream_cb cb = {.event = count_event, .reset = count_reset};
    static const struct {
        const char *kind, *spec;
        bool same_words;
    } cases[] = {
        {"none", NULL, true},
        {"http500", NULL, true},
        {"garbage", NULL, false},
        {"truncate", NULL, false},
        {"huge", "\"bytes\":2000000", false}, /* over 65 536 held and 16 x that streamed */
        {"deep", NULL, false},
        {"error", NULL, true}, /* a JSON-RPC error object instead of the result */
    };
    for (size_t f = 0; f < sizeof cases / sizeof cases[0]; f++) {
        for (int t = 0; t < NT; t++) {
            const char *node = transports[t];
            char spec[256];
            raw(c, node, "sim:clear_faults", NULL);
            if (f) {
                snprintf(spec, sizeof spec, "{\"kind\":\"%s\",\"command\":\"core:uptime\"%s%s}",
                         cases[f].kind, cases[f].spec ? "," : "", cases[f].spec ? cases[f].spec : "");
                CHECK(raw(c, node, "sim:fault", spec) == MI_OK);
            }
            struct mi_error held, streamed;
            struct ev_count n = {0, 0};
            enum mi_err hrc = call(c, node, "core:uptime", NULL, DEADLINE_MS, &held, NULL);
            enum mi_err src = mi_client_call_stream(c, node, "core:uptime", NULL,
                                                    mi_deadline_after(DEADLINE_MS), &cb, &n,
                                                    &streamed);
            CHECK(src == hrc);
            CHECK(n.resets == mi_client_last_attempts());
            CHECK(src == MI_OK ? n.events > 0 : true);
            if (src != hrc || (cases[f].same_words && src != MI_OK &&
                               strcmp(streamed.text, held.text)))
                fprintf(stderr, "streamed: %s x %s: got %s (%s), held %s (%s)\n", node,
                        cases[f].kind, mi_err_name(src), streamed.text, mi_err_name(hrc),
                        held.text);
            if (cases[f].same_words && src != MI_OK)
                CHECK_STR(streamed.text, held.text);
            raw(c, node, "sim:clear_faults", NULL);
        }
    }
}

static void write_matrix(struct cell m[NF][NT])
{
    FILE *f = fopen("docs/mi-faults.md", "w");
    if (!f)
        return;
    fprintf(f, "<!-- generated by tests/unit/test_mi_client.c (make unit), do not edit -->\n"
               "# MI client fault matrix\n\n"
               "Each cell: the typed error `mi_client_call()` returned for the read-only command "
               "`core:uptime` with a %u ms deadline while opensips-mi-sim injected the fault, "
               "and the attempts made (reads are retried on connect failure, time-out and 5xx). "
               "Every call ended within the deadline + 10 %% (checked), left no fd or reply FIFO "
               "behind (checked), and no write was sent twice (checked separately with the "
               "simulator's request counters).\n\n"
               "| fault | what the simulator does | http | fifo | udp | unix |\n"
               "|---|---|---|---|---|---|\n",
            DEADLINE_MS);
    for (size_t i = 0; i < NF; i++) {
        fprintf(f, "| %s | %s |", faults[i].kind, faults[i].what);
        for (int t = 0; t < NT; t++)
            fprintf(f, " `%s` (%u) |", mi_err_name(m[i][t].got), m[i][t].attempts);
        fprintf(f, "\n");
    }
    fprintf(f, "\nOn mi_datagram a plain `500 Internal error` is what OpenSIPS sends when a "
               "reply does not fit one datagram (recordings/datagram/"
               "err_response_too_large_ul_dump.txt), so the client reports `mi_too_large`; the "
               "simulator's `http500` fault sends the same bytes. `chunked` acts like `drop` "
               "outside HTTP.\n");
    fclose(f);
}

/* ---- relearning: the node restarts as another version on the same address ---- */

/* The methods the simulator logged, in order, as one string "a b c". */
static void logged_methods(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t len = 0;
    out[0] = '\0';
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        const char *m = json_string_value(json_object_get(j, "method"));
        if (m && len < n)
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " " : "", m);
        json_decref(j);
    }
    fclose(f);
}

static void relearn_after_restart(int port)
{
    char addr[64], url[128], log36[PATH_MAX], methods[1024];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    snprintf(url, sizeof url, "http://%s/mi", addr);
    snprintf(log36, sizeof log36, "%s/relearn-3.6.log", dir);
    struct mi_config cfg;
    struct mi_error e;
    mi_config_init(&cfg);
    mi_config_set_node(&cfg, "edge", url, NULL, "test", &e);
    struct mi_client *c = mi_client_new(&cfg, &e);
    CHECK(c != NULL);
    if (!c)
        return;

    /* first contact: a 4.0 node, the 4.x name */
    pid_t p40 = sim_start((const char *[]){"--http", addr, NULL});
    CHECK(wait_ready(c, "edge") == 0);
    CHECK(call(c, "edge", "dialog:list", NULL, 3000, &e, NULL) == MI_OK);
    CHECK(sim_count(c, "edge", "methods", "which") == 1);
    CHECK(sim_count(c, "edge", "methods", "dialog:list") == 1);
    json_t *info = mi_client_node_info(c, "edge");
    CHECK(json_integer_value(json_object_get(info, "major")) == 4);
    json_decref(info);

    /* the node comes back as 3.6 on the same address; the client still holds the 4.0 list */
    sim_stop(p40);
    pid_t p36 = sim_start(
        (const char *[]){"--opensips", "3.6", "--http", addr, "--request-log", log36, NULL});
    CHECK(wait_ready(c, "edge") == 0);
    CHECK(raw(c, "edge", "sim:reset_requests", NULL) == MI_OK);
    info = mi_client_node_info(c, "edge");
    CHECK(json_integer_value(json_object_get(info, "major")) == 4);
    json_decref(info);

    /* dialog:list -> -32601, relearn once (version, which), then dlg_list */
    json_t *r = NULL;
    CHECK(call(c, "edge", "dialog:list", NULL, 3000, &e, &r) == MI_OK);
    CHECK(json_is_array(json_object_get(r, "Dialogs")));
    json_decref(r);
    CHECK(sim_count(c, "edge", "methods", "dialog:list") == 1);
    CHECK(sim_count(c, "edge", "methods", "version") == 1);
    CHECK(sim_count(c, "edge", "methods", "which") == 1);
    CHECK(sim_count(c, "edge", "methods", "dlg_list") == 1);
    info = mi_client_node_info(c, "edge");
    CHECK(json_integer_value(json_object_get(info, "major")) == 3);
    CHECK_CONTAINS(json_string_value(json_object_get(info, "version")), "3.6");
    json_decref(info);
    logged_methods(log36, methods, sizeof methods);
    CHECK(check_contains(methods, "dialog:list version which dlg_list"));
    if (!check_contains(methods, "dialog:list version which dlg_list"))
        fprintf(stderr, "relearn: the simulator saw: %s\n", methods);

    /* learned: the next calls go straight out under the 3.x name, no more which */
    CHECK(call(c, "edge", "dialog:list", NULL, 3000, &e, NULL) == MI_OK);
    CHECK(call(c, "edge", "dialog:end_dlg", "{\"dialog_id\":\"123.456\"}", 3000, &e, NULL) ==
          MI_ERR_MI && e.code == 404);
    CHECK(sim_count(c, "edge", "methods", "dlg_list") == 2);
    CHECK(sim_count(c, "edge", "methods", "dlg_end_dlg") == 1);
    CHECK(sim_count(c, "edge", "methods", "which") == 1);
    CHECK(sim_count(c, "edge", "methods", "dialog:list") == 1);

    sim_stop(p36);
    mi_client_free(c);
}

/* ---- concurrency ---- */

struct worker {
    struct mi_client *c;
    const char *node;
    int ok;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 25; i++) {
        json_t *r = NULL;
        if (mi_client_call(w->c, w->node, "dialog:list", NULL, mi_deadline_after(3000), &r,
                           NULL) == MI_OK && json_is_object(r))
            w->ok++;
        json_decref(r);
    }
    return NULL;
}

/* A base port whose next n ports are free for TCP and UDP on loopback, below the kernel's
 * ephemeral range (32768+) so that outgoing connections never take them meanwhile. */
static int free_port_block(int n)
{
    for (int tries = 0; tries < 200; tries++) {
        int base = 10000 + (int)((getpid() * 7919u + (unsigned)tries * 104729u) % 20000u);
        int ok = 1;
        for (int k = 0; k < n && ok; k++) {
            for (int type = 0; type < 2 && ok; type++) {
                int fd = socket(AF_INET, type ? SOCK_DGRAM : SOCK_STREAM, 0);
                struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(base + k))};
                a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
                if (fd >= 0)
                    close(fd);
            }
        }
        if (ok)
            return base;
    }
    return 10000 + (int)(getpid() % 20000);
}

/* Fire a cancellation after a short wait, from another thread (as notifications/cancelled and
 * shutdown do). */
static void *fire_later(void *arg)
{
    sleep_ms(200);
    cancel_fire(arg);
    return NULL;
}

/* A call waiting for a reply that never comes stops once cancelled, on every transport, long
 * before its deadline, and says so; a cancelled binding stops the next call before it is sent. */
static void check_cancel(struct mi_client *c)
{
    for (int t = 0; t < NT; t++) {
        const char *node = transports[t];
        struct cancel cancel;
        struct mi_error e;
        pthread_t tid;

        raw(c, node, "sim:clear_faults", NULL);
        CHECK(raw(c, node, "sim:fault", "{\"kind\":\"drop\",\"command\":\"core:uptime\"}") ==
              MI_OK);
        cancel_init(&cancel);
        CHECK(cancel_bind(&cancel) == NULL);
        CHECK(pthread_create(&tid, NULL, fire_later, &cancel) == 0);
        uint64_t t0 = mi_now_ms();
        CHECK(call(c, node, "core:uptime", NULL, 4000, &e, NULL) == MI_ERR_CANCELLED);
        uint64_t took = mi_now_ms() - t0;
        pthread_join(tid, NULL);
        CHECK(took < 2000); /* at once (200 ms) on every transport; 4 s is the deadline */
        if (took >= 2000)
            fprintf(stderr, "cancel on %s took %llu ms\n", node, (unsigned long long)took);
        CHECK_CONTAINS(e.text, "MI call cancelled: ");
        CHECK(!strcmp(mi_err_name(e.err), "mi_cancelled"));
        CHECK(mi_client_last_attempts() == 1); /* a cancelled read is not retried */
        CHECK(cancel_bind(NULL) == &cancel); /* the simulator's controls must not be cancelled */
        raw(c, node, "sim:reset_requests", NULL);
        cancel_bind(&cancel);
        CHECK(call(c, node, "core:uptime", NULL, 4000, &e, NULL) == MI_ERR_CANCELLED);
        CHECK_CONTAINS(e.text, "was not sent to node");
        cancel_bind(NULL);
        CHECK(sim_count(c, node, "methods", "core:uptime") == 0);
        cancel_release(&cancel);
        /* the next token reuses that (pooled) eventfd: it must start quiet, not fired */
        struct cancel next;
        cancel_init(&next);
        CHECK(!cancel_fired(&next));
        cancel_bind(&next);
        CHECK(cancel_poll(NULL, 0, 20) == 0);
        cancel_bind(NULL);
        cancel_release(&next);
        raw(c, node, "sim:clear_faults", NULL);
    }
}

int main(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    const char *env = getenv("MI_SIM_BIN");
    snprintf(sim_bin, sizeof sim_bin, "%s/opensips-mi-sim", dirname(dirname(self)));
    if (env)
        snprintf(sim_bin, sizeof sim_bin, "%s", env);
    if (access(sim_bin, X_OK) != 0) {
        printf("test_mi_client: SKIPPED, no simulator at %s (built without it: NO_SIM=1)\n",
               sim_bin);
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    CHECK(mi_transport_global_init() == 0);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(reply_dir, sizeof reply_dir, "%s/replies/", dir);
    mkdir(reply_dir, 0700);

    int port = free_port_block(4);
    char http[64], udp[64], fifo[128], unx[160], http36[64], ports[4][200];
    snprintf(http, sizeof http, "127.0.0.1:%d", port);
    snprintf(udp, sizeof udp, "udp:127.0.0.1:%d", port + 1);
    snprintf(http36, sizeof http36, "127.0.0.1:%d", port + 2);
    snprintf(fifo, sizeof fifo, "%s/opensips_fifo", dir);
    snprintf(unx, sizeof unx, "unix:%s/mi.sock", dir);
    sim_start((const char *[]){"--http", http, "--fifo", fifo, "--fifo-reply-dir", reply_dir,
                               "--datagram", udp, NULL});
    sim_start((const char *[]){"--datagram", unx, NULL});
    sim_start((const char *[]){"--opensips", "3.6", "--http", http36, NULL});

    struct mi_config cfg;
    struct mi_error e;
    mi_config_init(&cfg);
    cfg.max_reply = 65536;
    snprintf(ports[0], sizeof ports[0], "http://%s/mi", http);
    snprintf(ports[1], sizeof ports[1], "fifo:%s", fifo);
    snprintf(ports[2], sizeof ports[2], "http://%s/mi", http36);
    mi_config_set_node(&cfg, "http", ports[0], NULL, "test", &e);
    mi_config_set_node(&cfg, "fifo", ports[1], reply_dir, "test", &e);
    mi_config_set_node(&cfg, "udp", udp, NULL, "test", &e);
    mi_config_set_node(&cfg, "unix", unx, NULL, "test", &e);
    mi_config_set_node(&cfg, "v36", ports[2], NULL, "test", &e);
    mi_config_set_node(&cfg, "dead_http", "http://127.0.0.1:1/mi", NULL, "test", &e);
    snprintf(ports[3], sizeof ports[3], "fifo:%s/no_fifo", dir);
    mi_config_set_node(&cfg, "dead_fifo", ports[3], reply_dir, "test", &e);
    mi_config_set_node(&cfg, "dead_udp", "udp:127.0.0.1:1", NULL, "test", &e);
    mi_config_set_node(&cfg, "dead_unix", "unix:/nonexistent/mi.sock", NULL, "test", &e);
    struct mi_client *c = mi_client_new(&cfg, &e);
    CHECK(c != NULL);
    if (!c) {
        fprintf(stderr, "%s\n", e.text);
        sims_stop();
        return 1;
    }
    const char *live[] = {"http", "fifo", "udp", "unix", "v36"};
    for (int i = 0; i < 5; i++) {
        if (wait_ready(c, live[i]) == 0)
            continue;
        check_failed++;
        fprintf(stderr, "simulator for node '%s' not ready; its logs:\n", live[i]);
        char cmd[256];
        snprintf(cmd, sizeof cmd, "cat '%s'/sim*.log >&2", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "(no logs)\n");
        mi_client_free(c);
        sims_stop();
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
        return check_done("test_mi_client");
    }
    int fds0 = count_fds();

    /* a successful call on every transport, names learned on first contact */
    for (int t = 0; t < NT; t++) {
        json_t *r = NULL;
        CHECK(call(c, transports[t], "dialog:list", NULL, 3000, &e, &r) == MI_OK);
        CHECK(json_is_array(json_object_get(r, "Dialogs")));
        json_decref(r);
        CHECK(call(c, transports[t], "uptime", NULL, 3000, &e, NULL) == MI_OK);
        json_t *info = mi_client_node_info(c, transports[t]);
        CHECK(json_integer_value(json_object_get(info, "major")) == 4);
        CHECK(json_integer_value(json_object_get(info, "commands")) > 100);
        json_decref(info);
    }
    CHECK(sim_count(c, "http", "methods", "dialog:list") >= 1);
    CHECK(sim_count(c, "http", "methods", "dlg_list") == 0);

    /* 3.6 profile: the same key goes out under its 3.x name */
    json_t *r = NULL;
    CHECK(call(c, "v36", "dialog:list", NULL, 3000, &e, &r) == MI_OK);
    CHECK(json_is_array(json_object_get(r, "Dialogs")));
    json_decref(r);
    CHECK(sim_count(c, "v36", "methods", "dlg_list") == 1);
    CHECK(sim_count(c, "v36", "methods", "dialog:list") == 0);
    json_t *info = mi_client_node_info(c, "v36");
    CHECK(json_integer_value(json_object_get(info, "major")) == 3);
    CHECK_CONTAINS(json_string_value(json_object_get(info, "version")), "3.6");
    json_decref(info);
    CHECK(call(c, "v36", "core:profiling_proc", NULL, 3000, &e, NULL) == MI_ERR_UNKNOWN_COMMAND);
    CHECK_CONTAINS(e.text, "does not offer 'core:profiling_proc'");
    CHECK(call(c, "v36", "callops:hold", "{\"callid\":\"a\",\"leg\":\"caller\"}", 3000, &e,
               NULL) != MI_OK);

    /* MI errors come back typed, with code and message */
    CHECK(call(c, "http", "dialog:end_dlg", "{\"dialog_id\":\"123.456\"}", 3000, &e, NULL) ==
          MI_ERR_MI);
    CHECK(e.code == 404 && check_str(e.message, "Requested Dialog not found"));
    CHECK_CONTAINS(e.text, "MI command 'dialog:end_dlg' failed on node 'http': Requested Dialog "
                           "not found (404)");
    CHECK(call(c, "fifo", "dlg_end_dlg", "{\"dialog_id\":\"123.456\"}", 3000, &e, NULL) ==
          MI_ERR_MI && e.code == 404);

    /* a command's own longer time-out: with 300 ms configured, dialog:list (15 s, the
     * catalogue's mi_slow) waits out a 1 s answer, and core:uptime times out */
    {
        struct mi_config sc;
        mi_config_init(&sc);
        sc.timeout_ms = 300;
        sc.retry_max = 1;
        mi_config_set_node(&sc, "http", ports[0], NULL, "test", &e);
        struct mi_client *slow = mi_client_new(&sc, &e);
        CHECK(slow != NULL);
        CHECK(mi_catalogue_find("dialog:list", NULL)->min_timeout_ms == 15000);
        CHECK(mi_catalogue_find("tm:uac_dlg", NULL)->min_timeout_ms >= 30000); /* async */
        CHECK(mi_catalogue_find("core:uptime", NULL)->min_timeout_ms == 0);
        json_t *sr = NULL;
        raw(c, "http", "sim:fault", "{\"kind\":\"delay\",\"command\":\"dialog:list\",\"ms\":1000}");
        CHECK(slow && mi_client_call(slow, "http", "dialog:list", NULL, 0, &sr, &e) == MI_OK);
        json_decref(sr);
        raw(c, "http", "sim:clear_faults", NULL);
        raw(c, "http", "sim:fault", "{\"kind\":\"delay\",\"command\":\"core:uptime\",\"ms\":1000}");
        CHECK(slow && mi_client_call(slow, "http", "core:uptime", NULL, 0, &sr, &e) == MI_ERR_TIMEOUT);
        raw(c, "http", "sim:clear_faults", NULL);
        mi_client_free(slow);
    }

    /* bad parameters: refused before anything is sent */
    raw(c, "udp", "sim:reset_requests", NULL);
    CHECK(call(c, "udp", "dialog:end_dlg", "{\"h_entry\":1,\"h_id\":2}", 3000, &e, NULL) ==
          MI_ERR_BAD_PARAMS);
    CHECK_CONTAINS(e.text, "accepted sets: {dialog_id} or {dialog_id, extra_hdrs}");
    CHECK(sim_count(c, "udp", "methods", "dialog:end_dlg") == 0);
    CHECK(sim_count(c, "udp", "total", "") >= 0);

    /* a write is never sent twice; a read is retried */
    for (int t = 0; t < NT; t++) {
        const char *node = transports[t];
        raw(c, node, "sim:reset_requests", NULL);
        CHECK(raw(c, node, "sim:fault", "{\"kind\":\"http500\",\"command\":\"dialog:end_dlg\"}") ==
              MI_OK);
        CHECK(call(c, node, "dialog:end_dlg", "{\"dialog_id\":\"1.2\"}", DEADLINE_MS, &e, NULL) !=
              MI_OK);
        CHECK(mi_client_last_attempts() == 1);
        CHECK(sim_count(c, node, "commands", "dialog:end_dlg") == 1);
        raw(c, node, "sim:clear_faults", NULL);
        CHECK(raw(c, node, "sim:fault", "{\"kind\":\"drop\",\"command\":\"dialog:end_dlg\"}") ==
              MI_OK);
        CHECK(call(c, node, "dialog:end_dlg", "{\"dialog_id\":\"1.2\"}", 300, &e, NULL) ==
              MI_ERR_TIMEOUT);
        CHECK(sim_count(c, node, "commands", "dialog:end_dlg") == 2);
        raw(c, node, "sim:clear_faults", NULL);
    }
    raw(c, "http", "sim:reset_requests", NULL);
    CHECK(raw(c, "http", "sim:fault", "{\"kind\":\"http500\",\"command\":\"dialog:list\"}") ==
          MI_OK);
    CHECK(call(c, "http", "dialog:list", NULL, DEADLINE_MS, &e, NULL) == MI_ERR_HTTP_STATUS);
    CHECK(e.code == 500 && mi_client_last_attempts() == 3);
    CHECK(sim_count(c, "http", "commands", "dialog:list") == 3);
    /* a read that fails once, then succeeds */
    raw(c, "http", "sim:clear_faults", NULL);
    CHECK(raw(c, "http", "sim:fault",
              "{\"kind\":\"http500\",\"command\":\"dialog:list\",\"count\":1}") == MI_OK);
    CHECK(call(c, "http", "dialog:list", NULL, DEADLINE_MS, &e, NULL) == MI_OK);
    CHECK(mi_client_last_attempts() == 2);
    raw(c, "http", "sim:clear_faults", NULL);

    /* nothing listens: unreachable, fast */
    const char *dead[] = {"dead_http", "dead_fifo", "dead_udp", "dead_unix"};
    for (int i = 0; i < 4; i++) {
        uint64_t t0 = mi_now_ms();
        CHECK(call(c, dead[i], "dialog:end_dlg", "{\"dialog_id\":\"1\"}", DEADLINE_MS, &e,
                   NULL) == MI_ERR_UNREACHABLE);
        CHECK(mi_now_ms() - t0 < 200);
    }

    check_cancel(c);

    /* the fault matrix */
    static struct cell matrix[NF][NT];
    run_matrix(c, matrix);
    write_matrix(matrix);
    check_streamed(c);

    /* concurrency: 4 threads x 25 calls per transport at once */
    struct worker w[NT * 4];
    pthread_t th[NT * 4];
    for (int i = 0; i < NT * 4; i++) {
        w[i] = (struct worker){.c = c, .node = transports[i % NT]};
        pthread_create(&th[i], NULL, worker_run, &w[i]);
    }
    int ok = 0;
    for (int i = 0; i < NT * 4; i++) {
        pthread_join(th[i], NULL);
        ok += w[i].ok;
    }
    CHECK(ok == NT * 4 * 25);

    /* relearning after the node restarted as 3.6 */
    relearn_after_restart(port + 3);

    /* nothing left behind, once this thread's kept-alive http connection is closed */
    mi_transport_thread_release();
    cancel_pool_free();
    CHECK(count_fds() == fds0);
    CHECK(count_entries(reply_dir) == 0);

    mi_client_free(c);
    sims_stop();
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    mi_transport_global_cleanup();
    return check_done("test_mi_client");
}
