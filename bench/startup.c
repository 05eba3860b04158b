/* bench/startup: time one stdio MCP server from spawn to its initialize response, and its peak RSS. */
/*
 * usage: startup COMMAND [ARG...]
 * Prints one line: "<startup ms> <peak RSS KiB>", e.g. "1.234 2048".
 *
 * The clock (CLOCK_MONOTONIC) starts just before fork() and stops when the first complete line arrives on
 * the server's stdout, which must be the response to the initialize request written at once. Then stdin
 * is closed (the MCP stdio shutdown, basic/lifecycle.mdx) and the child reaped with wait4(), whose
 * ru_maxrss is the peak resident set of the server (KiB on Linux). Every wait is bounded: a server that
 * does not answer in 30 s or exit within 10 s of EOF is killed and the run fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ANSWER_TIMEOUT_MS 30000
#define EXIT_TIMEOUT_MS 10000

static const char init_request[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
    "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
    "\"clientInfo\":{\"name\":\"opensips-mcp-bench\",\"version\":\"0.0.0\"}}}\n";

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fail(const char *what)
{
    fprintf(stderr, "startup: %s: %s\n", what, errno ? strerror(errno) : "failed");
    return -1;
}

/* Read until the first newline, at most ANSWER_TIMEOUT_MS after start. Returns 0 when the line is an
 * initialize result, -1 otherwise. */
static int read_answer(int fd, double start)
{
    char buf[65536];
    size_t len = 0;

    for (;;) {
        int left = (int)(start + ANSWER_TIMEOUT_MS - now_ms());
        if (left <= 0) {
            fprintf(stderr, "startup: no initialize answer within %d ms\n", ANSWER_TIMEOUT_MS);
            return -1;
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return fail("poll");
        if (r == 0)
            continue;
        ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail("read");
        if (n == 0) {
            fprintf(stderr, "startup: server closed stdout before answering\n");
            return -1;
        }
        len += (size_t)n;
        buf[len] = '\0';
        if (memchr(buf, '\n', len)) {
            if (!strstr(buf, "\"result\"") || !strstr(buf, "\"protocolVersion\"")) {
                fprintf(stderr, "startup: first line is not an initialize result: %.200s\n", buf);
                return -1;
            }
            return 0;
        }
        if (len == sizeof(buf) - 1) {
            fprintf(stderr, "startup: first line longer than %zu bytes\n", sizeof(buf) - 1);
            return -1;
        }
    }
}

/* Reap pid, at most EXIT_TIMEOUT_MS, then SIGKILL. Returns 0 on a clean exit, filling ru. */
static int reap(pid_t pid, struct rusage *ru)
{
    double deadline = now_ms() + EXIT_TIMEOUT_MS;
    int status = 0;

    for (;;) {
        pid_t r = wait4(pid, &status, WNOHANG, ru);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return fail("wait4");
        if (now_ms() > deadline) {
            fprintf(stderr, "startup: server did not exit within %d ms of stdin EOF\n", EXIT_TIMEOUT_MS);
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, ru);
            return -1;
        }
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "startup: server ended with status 0x%x\n", status);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int in[2] = { -1, -1 }, out[2] = { -1, -1 };
    struct rusage ru;
    pid_t pid;
    double start, elapsed;

    if (argc < 2) {
        fprintf(stderr, "usage: startup COMMAND [ARG...]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        fail("pipe");
        return 1;
    }

    start = now_ms();
    pid = fork();
    if (pid < 0) {
        fail("fork");
        return 1;
    }
    if (pid == 0) {
        /* The server's stderr goes to /dev/null; ours stays on a saved descriptor for exec errors. */
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        int err = fcntl(2, F_DUPFD_CLOEXEC, 3);
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || devnull < 0 || dup2(devnull, 2) < 0)
            _exit(126);
        if (err >= 0)
            stderr = fdopen(err, "w");
        execvp(argv[1], argv + 1);
        fprintf(stderr, "startup: cannot execute '%s': %s\n", argv[1], strerror(errno));
        fflush(stderr);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);

    if (write(in[1], init_request, sizeof(init_request) - 1) != (ssize_t)(sizeof(init_request) - 1)) {
        fail("write");
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 1;
    }
    if (read_answer(out[0], start) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 1;
    }
    elapsed = now_ms() - start;

    close(in[1]);
    if (reap(pid, &ru) < 0)
        return 1;
    close(out[0]);
    printf("%.3f %ld\n", elapsed, ru.ru_maxrss);
    return 0;
}
