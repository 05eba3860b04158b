/* bench/bigreply: what one tools/call over a large MI reply costs a stdio MCP server — its own CPU
 * time and its peak RSS — and, for comparison, what parsing that reply alone costs. */
/*
 * usage: bigreply CALL_JSON COMMAND [ARG...]
 *        bigreply --parse FILE
 *
 * The first form spawns COMMAND with pipes on stdin/stdout (stderr to /dev/null), writes initialize,
 * notifications/initialized and one tools/call line (CALL_JSON: {"name":...,"arguments":...}), reads
 * until the response to that call (id 2) is complete, closes stdin and reaps the server with wait4().
 * It prints "<wall ms> <cpu ms> <peak RSS KiB> <response bytes>": wall from spawn to the response,
 * cpu the server's user + system time over its whole life (start-up, one call, exit: its own work,
 * not the MI backend's), peak RSS its ru_maxrss. Every wait is bounded (60 s, 10 s for the exit).
 *
 * CALL_JSON may also be a JSON array of calls: they go one after another on the same session, each
 * once the answer to the one before is in (ids 2, 3, ...), and the line ends with each call's own
 * time, request written -> answer read: "... <call 1 ms> <call 2 ms> ..." (page 1, then page 2 of
 * a listing). The response bytes are the first call's.
 *
 * --parse reads FILE into memory, parses it with jansson (json_loadb, as the server's MI client
 * does with the reply bytes it holds), frees both and prints "<cpu ms> <peak RSS KiB>" of this
 * process: the floor that holding one parsed copy of the reply costs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ANSWER_TIMEOUT_MS 60000
#define EXIT_TIMEOUT_MS 10000
#define MAX_RESPONSE (8u << 20)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(const struct rusage *ru)
{
    return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e3 +
           (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e3;
}

static int parse_only(const char *path)
{
    struct rusage ru;
    struct stat st;
    json_error_t je;
    int fd = open(path, O_RDONLY);
    char *buf;
    size_t got = 0;

    if (fd < 0 || fstat(fd, &st) < 0 || !(buf = malloc((size_t)st.st_size + 1))) {
        perror("bigreply: read");
        return 1;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0) {
            perror("bigreply: read");
            return 1;
        }
        got += (size_t)n;
    }
    close(fd);
    json_t *v = json_loadb(buf, got, 0, &je);
    if (!v) {
        fprintf(stderr, "bigreply: %s is not JSON: %s\n", path, je.text);
        return 1;
    }
    free(buf); /* the server frees the raw bytes once parsed too */
    json_decref(v);
    getrusage(RUSAGE_SELF, &ru);
    printf("%.3f %ld\n", cpu_ms(&ru), ru.ru_maxrss);
    return 0;
}

/* Read until a complete line holding "id":<id> arrives; returns its length, or -1. */
static long read_response(int fd, double start, int id)
{
    char want[32];
    snprintf(want, sizeof want, "\"id\":%d,", id);
    size_t cap = 1 << 16, len = 0, line = 0;
    char *buf = malloc(cap);

    while (buf) {
        int left = (int)(start + ANSWER_TIMEOUT_MS - now_ms());
        if (left <= 0) {
            fprintf(stderr, "bigreply: no answer to the call within %d ms\n", ANSWER_TIMEOUT_MS);
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, left);
        if (r <= 0)
            continue;
        if (len + 65536 > cap) {
            char *grown = cap < MAX_RESPONSE ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                fprintf(stderr, "bigreply: response over %u bytes\n", MAX_RESPONSE);
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "bigreply: server closed stdout before answering the call\n");
            break;
        }
        len += (size_t)n;
        buf[len] = '\0';
        char *nl;
        while ((nl = memchr(buf + line, '\n', len - line))) {
            *nl = '\0';
            if (strstr(buf + line, want)) {
                long size = (long)(nl - (buf + line));
                if (strstr(buf + line, "\"isError\":true"))
                    fprintf(stderr, "bigreply: the call failed: %.300s\n", buf + line);
                free(buf);
                return size;
            }
            line = (size_t)(nl - buf) + 1;
        }
    }
    free(buf);
    return -1;
}

static int reap(pid_t pid, struct rusage *ru)
{
    double deadline = now_ms() + EXIT_TIMEOUT_MS;
    int status = 0;

    for (;;) {
        pid_t r = wait4(pid, &status, WNOHANG, ru);
        if (r == pid)
            break;
        if (now_ms() > deadline) {
            fprintf(stderr, "bigreply: server did not exit within %d ms of EOF\n", EXIT_TIMEOUT_MS);
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, ru);
            return -1;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    int in[2], out[2];
    struct rusage ru;
    char *msgs;
    pid_t pid;

    if (argc == 3 && !strcmp(argv[1], "--parse"))
        return parse_only(argv[2]);
    if (argc < 3) {
        fprintf(stderr, "usage: bigreply CALL_JSON COMMAND [ARG...] | bigreply --parse FILE\n");
        return 2;
    }
    json_t *calls = argv[1][0] == '[' ? json_loads(argv[1], 0, NULL) : NULL;
    size_t ncalls = calls ? json_array_size(calls) : 1;
    double call_ms[64];
    if (argv[1][0] == '[' && (!ncalls || ncalls > 64)) {
        fprintf(stderr, "bigreply: CALL_JSON: a JSON array of 1 to 64 calls\n");
        return 2;
    }
    char *first = calls ? json_dumps(json_array_get(calls, 0), JSON_COMPACT) : strdup(argv[1]);
    if (!first ||
        asprintf(&msgs,
                 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                 "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{"
                 "\"name\":\"opensips-mcp-bench\",\"version\":\"0.0.0\"}}}\n"
                 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":%s}\n",
                 first) < 0)
        return 1;
    free(first);
    signal(SIGPIPE, SIG_IGN);
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
        return 1;
    double start = now_ms();
    if ((pid = fork()) < 0)
        return 1;
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || devnull < 0 || dup2(devnull, 2) < 0)
            _exit(126);
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (write(in[1], msgs, strlen(msgs)) != (ssize_t)strlen(msgs)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 1;
    }
    double t0 = now_ms();
    long size = read_response(out[0], start, 2);
    double wall = now_ms() - start;
    call_ms[0] = now_ms() - t0;
    for (size_t i = 1; size >= 0 && i < ncalls; i++) {
        char *c = json_dumps(json_array_get(calls, i), JSON_COMPACT), *line = NULL;
        int id = (int)i + 2;
        if (!c || asprintf(&line, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\","
                                 "\"params\":%s}\n", id, c) < 0) {
            size = -1;
            free(c);
            break;
        }
        free(c);
        t0 = now_ms();
        if (write(in[1], line, strlen(line)) != (ssize_t)strlen(line) ||
            read_response(out[0], t0, id) < 0)
            size = -1;
        call_ms[i] = now_ms() - t0;
        free(line);
    }
    close(in[1]);
    if (size < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 1;
    }
    if (reap(pid, &ru) < 0) {
        fprintf(stderr, "bigreply: server did not exit cleanly\n");
        return 1;
    }
    printf("%.3f %.3f %ld %ld", wall, cpu_ms(&ru), ru.ru_maxrss, size);
    for (size_t i = 0; calls && i < ncalls; i++)
        printf(" %.3f", call_ms[i]);
    printf("\n");
    json_decref(calls);
    free(msgs);
    return 0;
}
