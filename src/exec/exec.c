/* exec: posix_spawn into a new process group, then one poll loop over the output pipes, the
 * child's pidfd and the cancellation until the program is reaped and its output closed. */
#include "exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"

#define READS_PER_WAKE 16   /* then look at the clock again: a fast writer cannot hold the loop */
#define WAIT_SLICE_MS 10    /* without a pidfd, how often waitid looks for the program's exit */
#define FIRST_CAP 4096

struct sink {
    int fd;       /* our end of the pipe, -1 once closed */
    char *buf;    /* cap bytes, of which len hold output and one more the NUL */
    size_t len, cap, max;
    bool truncated;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;

    if (errbuf && errlen) {
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* fd moved to 3 or above (close-on-exec), so that the child's dup2 onto 0..2 can never clobber
 * another of ours, whatever the caller left closed. Returns the fd or -1. */
static int above_stdio(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return hi;
}

static bool executable(const char *path, struct stat *st)
{
    return stat(path, st) == 0 && S_ISREG(st->st_mode) && access(path, X_OK) == 0;
}

/* argv[0] as a path to run: itself when it holds a '/', else the first executable of that name
 * in EXEC_PATH. */
static int resolve(const char *name, char *path, size_t n, char *errbuf, size_t errlen)
{
    struct stat st;

    if (strchr(name, '/')) {
        if (strlen(name) >= n)
            return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run '%.64s...': the path is "
                        "too long", name);
        if (stat(name, &st) < 0)
            return fail(errbuf, errlen, EXEC_ERR_NOT_FOUND, "cannot run '%s': %s", name,
                        strerror(errno));
        if (!executable(name, &st))
            return fail(errbuf, errlen, EXEC_ERR_NOT_FOUND, "cannot run '%s': not an "
                        "executable file", name);
        memcpy(path, name, strlen(name) + 1);
        return EXEC_OK;
    }
    bool seen = false;
    for (const char *dir = EXEC_PATH, *end; *dir; dir = *end ? end + 1 : end) {
        end = strchr(dir, ':');
        if (!end)
            end = dir + strlen(dir);
        int w = snprintf(path, n, "%.*s/%s", (int)(end - dir), dir, name);
        if (w < 0 || (size_t)w >= n)
            return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run '%.64s...': the name is "
                        "too long", name);
        if (executable(path, &st))
            return EXEC_OK;
        seen = seen || stat(path, &st) == 0;
    }
    return fail(errbuf, errlen, EXEC_ERR_NOT_FOUND, seen
                    ? "cannot run '%s': it is in %s but not an executable file"
                    : "cannot run '%s': no such program in %s (%s)",
                name, EXEC_PATH, strerror(ENOENT));
}

char *exec_find(const char *name)
{
    char path[PATH_MAX], why[160];
    return name && resolve(name, path, sizeof(path), why, sizeof(why)) == EXEC_OK ? strdup(path)
                                                                                   : NULL;
}

/* "NAME=value" with NAME of letters, digits and '_', not starting with a digit. */
static size_t env_name_len(const char *e)
{
    size_t i = 0;

    for (; e[i] && e[i] != '='; i++)
        if (!(e[i] == '_' || (e[i] >= 'A' && e[i] <= 'Z') || (e[i] >= 'a' && e[i] <= 'z') ||
              (i && e[i] >= '0' && e[i] <= '9')))
            return 0;
    return e[i] == '=' ? i : 0;
}

/* The child's environment into envp (EXEC_ENV_MAX + 3 slots): the two defaults, then the extras,
 * a later entry of a name replacing an earlier one. */
static int build_env(const char *prog, const char *const *extra, const char **envp,
                     char *errbuf, size_t errlen)
{
    size_t n = 0, k = 0;

    envp[n++] = "PATH=" EXEC_PATH;
    envp[n++] = "LANG=C";
    for (; extra && extra[k]; k++) {
        size_t len = env_name_len(extra[k]), i;
        if (!len)
            return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run '%s': environment entry "
                        "'%.64s' is not NAME=value", prog, extra[k]);
        if (k >= EXEC_ENV_MAX)
            return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run '%s': more than %d "
                        "environment entries", prog, EXEC_ENV_MAX);
        for (i = 0; i < n && strncmp(envp[i], extra[k], len + 1); i++)
            ;
        envp[i] = extra[k];
        if (i == n)
            n++;
    }
    envp[n] = NULL;
    return EXEC_OK;
}

static int check_spec(const struct exec_spec *s, char *errbuf, size_t errlen)
{
    size_t n = 0;

    if (!s || !s->argv || !s->argv[0] || !s->argv[0][0])
        return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run a program: no program named");
    const char *p = s->argv[0];
    while (s->argv[n] && n <= EXEC_ARGV_MAX)
        n++;
    if (n > EXEC_ARGV_MAX)
        return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run '%s': more than %d arguments",
                    p, EXEC_ARGV_MAX);
    if (s->deadline_ms > EXEC_DEADLINE_MAX_MS)
        return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run '%s': a deadline of %u ms is "
                    "over the maximum of %u", p, s->deadline_ms, EXEC_DEADLINE_MAX_MS);
    if (s->stdout_max > EXEC_OUTPUT_MAX || s->stderr_max > EXEC_OUTPUT_MAX)
        return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run '%s': an output limit is over "
                    "the maximum of %u bytes", p, EXEC_OUTPUT_MAX);
    if (s->stdin_len > EXEC_STDIN_MAX || (!s->stdin_data && s->stdin_len))
        return fail(errbuf, errlen, EXEC_ERR_INVALID, "cannot run '%s': stdin of %zu bytes is "
                    "missing or over the maximum of %u", p, s->stdin_len, EXEC_STDIN_MAX);
    return EXEC_OK;
}

/* The stdin data in a memory file: the child reads it at its pace and we never block writing. */
static int stdin_file(const struct exec_spec *s)
{
    int fd = above_stdio(memfd_create("exec-stdin", MFD_CLOEXEC));
    size_t done = 0;

    while (fd >= 0 && done < s->stdin_len) {
        ssize_t w = write(fd, s->stdin_data + done, s->stdin_len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    if (fd >= 0 && lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int sink_init(struct sink *k, size_t max)
{
    k->fd = -1;
    k->max = max ? max : EXEC_OUTPUT_DEFAULT;
    k->cap = k->max + 1 < FIRST_CAP ? k->max + 1 : FIRST_CAP;
    k->len = 0;
    k->truncated = false;
    k->buf = malloc(k->cap);
    return k->buf ? 0 : -1;
}

/* Read what the pipe holds: into the buffer up to max, the rest dropped (and flagged). Closes
 * the fd at end of file. */
static void sink_read(struct sink *k)
{
    char drop[16384];

    for (int i = 0; i < READS_PER_WAKE && k->fd >= 0; i++) {
        char *dst = drop;
        size_t room = sizeof(drop);
        if (k->len < k->max) {
            if (k->cap - k->len < 2) {
                size_t cap = k->cap * 2 > k->max + 1 ? k->max + 1 : k->cap * 2;
                char *b = realloc(k->buf, cap);
                if (b) {
                    k->buf = b;
                    k->cap = cap;
                }
            }
            if (k->cap - k->len >= 2) {
                dst = k->buf + k->len;
                room = k->cap - 1 - k->len;
            }
        }
        ssize_t n = read(k->fd, dst, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            close(k->fd);
            k->fd = -1;
            return;
        }
        if (dst == drop)
            k->truncated = true;
        else
            k->len += (size_t)n;
    }
}

/* The process group and, should it have left the group, the program itself. */
static void signal_all(pid_t pid, int sig)
{
    kill(-pid, sig);
    kill(pid, sig);
}

/* Whether the program has exited; it stays a zombie (WNOWAIT), so that its pid, which is also
 * the group's id, cannot be reused while the group is signalled. */
static bool has_exited(pid_t pid)
{
    siginfo_t si;

    memset(&si, 0, sizeof(si));
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

static int spawn(const struct exec_spec *s, const char *path, const char **envp, int in_fd,
                 int out_fd, int err_fd, int cwd_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, all;
    int rc;

    if ((rc = posix_spawn_file_actions_init(&fa)))
        return rc;
    if ((rc = posix_spawnattr_init(&at))) {
        posix_spawn_file_actions_destroy(&fa);
        return rc;
    }
    sigemptyset(&none);
    sigfillset(&all);
    rc = in_fd >= 0 ? posix_spawn_file_actions_adddup2(&fa, in_fd, 0)
                    : posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    if (!rc && cwd_fd >= 0)
        rc = posix_spawn_file_actions_addfchdir_np(&fa, cwd_fd);
    /* Every other descriptor, whether or not its owner set close-on-exec. */
    if (!rc)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    if (!rc)
        rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                               POSIX_SPAWN_SETSIGDEF);
    if (!rc)
        rc = posix_spawnattr_setpgroup(&at, 0);
    if (!rc)
        rc = posix_spawnattr_setsigmask(&at, &none);
    /* SIG_IGN survives exec: the server ignores SIGPIPE, the program must not */
    if (!rc)
        rc = posix_spawnattr_setsigdefault(&at, &all);
    if (!rc)
        rc = posix_spawn(pid, path, &fa, &at, (char *const *)s->argv, (char *const *)envp);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* Wait for the program while reading its output, ending it on the deadline or cancellation. */
static void supervise(const struct exec_spec *s, pid_t pid, unsigned deadline_ms,
                      struct cancel *k, struct sink *out, struct sink *err, struct exec_result *r)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    uint64_t now = now_ms(), deadline = now + deadline_ms, term_at = 0, drain_end = 0;
    unsigned tick_ms = !s->tick_ms ? EXEC_TICK_DEFAULT_MS
                       : s->tick_ms < EXEC_TICK_MIN_MS ? EXEC_TICK_MIN_MS : s->tick_ms;
    uint64_t next_tick = now + tick_ms;
    enum { RUNNING, TERMINATING, KILLED } phase = RUNNING;
    bool reaped = false;

    for (;;) {
        now = now_ms();
        if (!reaped) {
            if (phase == RUNNING && (cancel_fired(k) || now >= deadline)) {
                if (cancel_fired(k))
                    r->cancelled = true;
                else
                    r->timed_out = true;
                signal_all(pid, SIGTERM);
                signal_all(pid, SIGCONT); /* a stopped program must see its SIGTERM */
                phase = TERMINATING;
                term_at = now;
            }
            if (phase == TERMINATING && now >= term_at + EXEC_TERM_GRACE_MS) {
                signal_all(pid, SIGKILL);
                phase = KILLED;
            }
            if (has_exited(pid)) {
                int st = 0;
                signal_all(pid, SIGKILL); /* what it left behind in its group */
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                    ;
                r->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? -WTERMSIG(st) : -1;
                reaped = true;
                drain_end = now + EXEC_DRAIN_MS;
            }
            if (!reaped && phase == RUNNING && s->tick && now >= next_tick) {
                s->tick(s->tick_arg);
                now = now_ms();
                next_tick = now + tick_ms;
            }
        }
        if (reaped && ((out->fd < 0 && err->fd < 0) || now >= drain_end))
            break;

        struct pollfd p[4];
        int n = 0, kfd = phase == RUNNING ? cancel_fd(k) : -1;
        uint64_t until = reaped ? drain_end : phase == RUNNING ? deadline
                                            : phase == TERMINATING ? term_at + EXEC_TERM_GRACE_MS
                                                                   : now + 1000;
        int64_t wait = until > now ? (int64_t)(until - now) : 0;
        if (!reaped && phase == RUNNING && s->tick && next_tick - now < (uint64_t)wait)
            wait = next_tick > now ? (int64_t)(next_tick - now) : 0;
        if (!reaped && pidfd < 0 && wait > WAIT_SLICE_MS)
            wait = WAIT_SLICE_MS;
        if (phase == RUNNING && k && kfd < 0 && wait > CANCEL_SLICE_MS)
            wait = CANCEL_SLICE_MS;
        if (out->fd >= 0)
            p[n++] = (struct pollfd){.fd = out->fd, .events = POLLIN};
        if (err->fd >= 0)
            p[n++] = (struct pollfd){.fd = err->fd, .events = POLLIN};
        if (!reaped && pidfd >= 0)
            p[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        if (kfd >= 0)
            p[n++] = (struct pollfd){.fd = kfd, .events = POLLIN};
        if (poll(p, (nfds_t)n, (int)wait) <= 0)
            continue; /* time-out or EINTR: the top of the loop decides */
        for (int i = 0; i < n; i++) {
            if (!p[i].revents)
                continue;
            if (p[i].fd == out->fd)
                sink_read(out);
            else if (p[i].fd == err->fd)
                sink_read(err);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
}

int exec_run(const struct exec_spec *s, struct cancel *cancel, struct exec_result *r,
             char *errbuf, size_t errlen)
{
    const char *envp[EXEC_ENV_MAX + 3];
    char path[4096];
    int in_fd = -1, cwd_fd = -1, po[2] = {-1, -1}, pe[2] = {-1, -1}, rc, e;
    struct sink out = {.fd = -1}, err = {.fd = -1};
    struct cancel *k = cancel ? cancel : cancel_bound();
    pid_t pid;

    memset(r, 0, sizeof(*r));
    if ((rc = check_spec(s, errbuf, errlen)) != EXEC_OK)
        return rc;
    const char *prog = s->argv[0];
    if ((rc = build_env(prog, s->env, envp, errbuf, errlen)) != EXEC_OK ||
        (rc = resolve(prog, path, sizeof(path), errbuf, errlen)) != EXEC_OK)
        return rc;
    if (cancel_fired(k))
        return fail(errbuf, errlen, EXEC_ERR_CANCELLED, "'%s' was not run: the request was "
                    "cancelled", prog);
    if (s->cwd && (cwd_fd = above_stdio(open(s->cwd, O_RDONLY | O_DIRECTORY | O_CLOEXEC))) < 0) {
        rc = fail(errbuf, errlen, EXEC_ERR_START, "cannot run '%s': working directory '%s': %s",
                  prog, s->cwd, strerror(errno));
        goto out;
    }
    if (s->stdin_data && (in_fd = stdin_file(s)) < 0) {
        rc = fail(errbuf, errlen, EXEC_ERR_START, "cannot run '%s': its stdin could not be "
                  "prepared (%s)", prog, strerror(errno));
        goto out;
    }
    if (sink_init(&out, s->stdout_max) < 0 || sink_init(&err, s->stderr_max) < 0) {
        rc = fail(errbuf, errlen, EXEC_ERR_START, "cannot run '%s': out of memory", prog);
        goto out;
    }
    if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
        (po[0] = above_stdio(po[0])) < 0 || (po[1] = above_stdio(po[1])) < 0 ||
        (pe[0] = above_stdio(pe[0])) < 0 || (pe[1] = above_stdio(pe[1])) < 0 ||
        fcntl(po[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(pe[0], F_SETFL, O_NONBLOCK) < 0) {
        rc = fail(errbuf, errlen, EXEC_ERR_START, "cannot run '%s': pipes: %s", prog,
                  strerror(errno));
        goto out;
    }
    if ((e = spawn(s, path, envp, in_fd, po[1], pe[1], cwd_fd, &pid))) {
        rc = fail(errbuf, errlen, e == ENOENT || e == ENOEXEC || e == EACCES || e == ENOTDIR
                                      ? EXEC_ERR_NOT_FOUND : EXEC_ERR_START,
                  "cannot run '%s': %s", prog, strerror(e));
        goto out;
    }
    /* Only the child may hold the write ends, or end of file would never come. */
    close(po[1]);
    close(pe[1]);
    po[1] = pe[1] = -1;
    out.fd = po[0];
    err.fd = pe[0];
    po[0] = pe[0] = -1;
    supervise(s, pid, s->deadline_ms ? s->deadline_ms : EXEC_DEADLINE_DEFAULT_MS, k, &out, &err, r);
    out.buf[out.len] = '\0';
    err.buf[err.len] = '\0';
    r->out = out.buf;
    r->out_len = out.len;
    r->stdout_truncated = out.truncated;
    r->err = err.buf;
    r->err_len = err.len;
    r->stderr_truncated = err.truncated;
    out.buf = err.buf = NULL;
    rc = EXEC_OK;
out:
    for (int i = 0; i < 2; i++) {
        if (po[i] >= 0)
            close(po[i]);
        if (pe[i] >= 0)
            close(pe[i]);
    }
    if (out.fd >= 0)
        close(out.fd);
    if (err.fd >= 0)
        close(err.fd);
    if (in_fd >= 0)
        close(in_fd);
    if (cwd_fd >= 0)
        close(cwd_fd);
    free(out.buf);
    free(err.buf);
    return rc;
}

void exec_result_release(struct exec_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}
