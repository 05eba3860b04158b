/* exec: run an external program (sipp, m4, fail2ban-client, opensips -C, docker) safely: an
 * argument vector and never a shell, a scrubbed environment, every other descriptor closed, its
 * own process group, a deadline, bounded stdout and stderr, and cancellation. Nothing of the
 * program survives the call: when it exits, or on the deadline or a cancellation, its whole
 * process group is killed and reaped.
 *
 * Thread-safe: no global state; the child is waited for by its pid (pidfd, or waitid in slices),
 * never through SIGCHLD. The process must not set SIGCHLD to SIG_IGN (children would be reaped
 * by the kernel and their status lost) nor reap children it did not start (waitpid(-1)). */
#ifndef EXEC_EXEC_H
#define EXEC_EXEC_H

#include <stdbool.h>
#include <stddef.h>

struct cancel;

/* Where a name without '/' in argv[0] is looked for, and the child's PATH. */
#define EXEC_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

#define EXEC_DEADLINE_DEFAULT_MS 10000u
#define EXEC_DEADLINE_MAX_MS 3600000u    /* one hour: a longer deadline is refused */
#define EXEC_OUTPUT_DEFAULT (1u << 20)   /* bytes kept of stdout or stderr when 0 is given */
#define EXEC_OUTPUT_MAX (64u << 20)      /* a larger stdout_max or stderr_max is refused */
#define EXEC_STDIN_MAX (64u << 20)       /* a larger stdin_len is refused */
#define EXEC_ARGV_MAX 4096               /* arguments, argv[0] included */
#define EXEC_ENV_MAX 64                  /* extra environment entries */
#define EXEC_TERM_GRACE_MS 500u          /* SIGTERM, then SIGKILL this much later */
#define EXEC_DRAIN_MS 200u               /* reading on after the program was reaped */
#define EXEC_TICK_DEFAULT_MS 1000u
#define EXEC_TICK_MIN_MS 10u             /* a shorter tick_ms is taken as this */

struct exec_spec {
    /* argv[0]: a path (with a '/'), or a name looked for in EXEC_PATH; NULL-terminated.
     * Borrowed. */
    const char *const *argv;
    unsigned deadline_ms;      /* 0: EXEC_DEADLINE_DEFAULT_MS */
    size_t stdout_max;         /* bytes kept, the rest read and dropped; 0: EXEC_OUTPUT_DEFAULT */
    size_t stderr_max;         /* likewise */
    const char *cwd;           /* working directory, or NULL for the caller's */
    /* Extra "NAME=value" entries (NULL-terminated, or NULL). The child's environment is only
     * PATH=EXEC_PATH, LANG=C and these; an entry named PATH or LANG replaces the default. */
    const char *const *env;
    const char *stdin_data;    /* fed as the child's stdin; NULL: stdin is /dev/null */
    size_t stdin_len;
    /* Called on the calling thread every tick_ms while the program runs (neither once it has
     * exited nor while it is being stopped): to report progress from a file the program
     * writes. It must not block for long: the output pipes wait meanwhile. NULL: none. */
    void (*tick)(void *arg);
    void *tick_arg;
    unsigned tick_ms;          /* 0 with a tick: EXEC_TICK_DEFAULT_MS; at least EXEC_TICK_MIN_MS */
};

struct exec_result {
    int status;             /* exit code (0..255), or -signal when a signal ended it */
    bool timed_out;         /* the deadline passed: the group was terminated */
    bool cancelled;         /* the cancellation fired: the group was terminated */
    bool stdout_truncated;  /* more than stdout_max bytes came: out holds the first ones */
    bool stderr_truncated;
    char *out;              /* owned; NUL-terminated (the bytes may hold NULs too) */
    size_t out_len;
    char *err;              /* owned; NUL-terminated */
    size_t err_len;
};

enum exec_err {
    EXEC_OK = 0,
    EXEC_ERR_INVALID = -1,   /* the spec is wrong: no argv, a bad env entry, a limit over its max */
    EXEC_ERR_NOT_FOUND = -2, /* no such program, or not an executable file */
    EXEC_ERR_START = -3,     /* it could not be started: cwd, pipes, memory, posix_spawn */
    EXEC_ERR_CANCELLED = -4, /* the cancellation had fired already: nothing was started */
};

/* Run s->argv to its end, the deadline or the cancellation, whichever comes first. cancel
 * (borrowed) may be NULL: then the calling thread's binding (cancel_bound()) is used, if any.
 *
 * The child runs in a new process group with the environment above, stdin from s->stdin_data or
 * /dev/null, stdout and stderr on pipes, and no other descriptor; signals are reset to their
 * defaults and unblocked. Its output is read as it comes (the child never blocks on a full
 * pipe). When the program exits, whatever it left in its process group is killed (SIGKILL); on
 * the deadline or the cancellation the group gets SIGTERM, then SIGKILL after
 * EXEC_TERM_GRACE_MS; either way the program is reaped before the call returns (a program stuck
 * in the kernel past SIGKILL holds the call until it dies). Output still held open by a process
 * that left the group is read for at most EXEC_DRAIN_MS more; the deadline counts from the
 * start, so the call ends by deadline + EXEC_TERM_GRACE_MS + EXEC_DRAIN_MS.
 *
 * Returns EXEC_OK when the program ran, whatever its status (r filled, to be released with
 * exec_result_release), or a negative enum exec_err with errbuf (size errlen) set to a sentence
 * naming the program and the cause ("cannot run 'sipp': no such program in /usr/sbin:..."; the
 * caller adds how to install it) and r zeroed (releasing it is harmless). */
int exec_run(const struct exec_spec *s, struct cancel *cancel, struct exec_result *r,
             char *errbuf, size_t errlen);

/* The program exec_run runs for argv[0] `name`: itself when it holds a '/', else the first
 * executable of that name in EXEC_PATH. Owned; NULL when there is none (or out of memory). */
char *exec_find(const char *name);

/* Free r's buffers and zero it. */
void exec_result_release(struct exec_result *r);

#endif
