/* Unit tests for exec: output captured, exit status and signals, a missing program, output over
 * its limit, a deadline and a cancellation that end the program and its grandchild, the
 * environment scrubbed, no descriptor leaked, stdin fed, bad specs refused, and several runs on
 * threads at once. sh is the program under test where a script is needed. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"
#include "check.h"
#include "exec/exec.h"

static char errbuf[512];

static int run(const char *const *argv, unsigned deadline_ms, struct exec_result *r)
{
    struct exec_spec s = {.argv = argv, .deadline_ms = deadline_ms};
    errbuf[0] = '\0';
    return exec_run(&s, NULL, r, errbuf, sizeof(errbuf));
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Gone: no such process, or a zombie left for init to reap. Waits up to 2 s (a hang bound). */
static bool gone(pid_t pid)
{
    for (int i = 0; i < 200; i++) {
        char path[64], buf[256];
        if (kill(pid, 0) < 0 && errno == ESRCH)
            return true;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(buf, 1, sizeof(buf) - 1, f);
            fclose(f);
            buf[n] = '\0';
            char *close_paren = strrchr(buf, ')');
            if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z')
                return true;
        }
        sleep_ms(10);
    }
    return false;
}

static void test_output_and_status(void)
{
    struct exec_result r;

    CHECK(run((const char *[]){"echo", "hello", "world", NULL}, 0, &r) == EXEC_OK);
    CHECK_STR(r.out, "hello world\n");
    CHECK(r.out_len == 12 && r.err_len == 0 && r.status == 0);
    CHECK(!r.timed_out && !r.cancelled && !r.stdout_truncated && !r.stderr_truncated);
    exec_result_release(&r);

    /* an argument vector, never a shell: metacharacters arrive as they are */
    CHECK(run((const char *[]){"/usr/bin/printf", "%s|%s", "$HOME; rm", "*", NULL}, 0, &r) ==
          EXEC_OK);
    CHECK_STR(r.out, "$HOME; rm|*");
    exec_result_release(&r);

    CHECK(run((const char *[]){"sh", "-c", "echo out; echo err >&2; exit 3", NULL}, 0, &r) ==
          EXEC_OK);
    CHECK(r.status == 3);
    CHECK_STR(r.out, "out\n");
    CHECK_STR(r.err, "err\n");
    exec_result_release(&r);

    CHECK(run((const char *[]){"sh", "-c", "kill -9 $$", NULL}, 0, &r) == EXEC_OK);
    CHECK(r.status == -SIGKILL && !r.timed_out);
    exec_result_release(&r);

    /* SIGPIPE is the default in the child even though this process ignores it */
    CHECK(run((const char *[]){"sh", "-c", "yes | head -c 10 >/dev/null; echo ok", NULL}, 2000,
              &r) == EXEC_OK);
    CHECK_STR(r.out, "ok\n");
    CHECK(r.err_len == 0); /* with SIGPIPE ignored: "yes: standard output: Broken pipe" */
    CHECK(!r.timed_out);
    exec_result_release(&r);
}

static void test_missing_program(void)
{
    struct exec_result r;

    CHECK(run((const char *[]){"no-such-program-xyz", "-v", NULL}, 0, &r) == EXEC_ERR_NOT_FOUND);
    CHECK_CONTAINS(errbuf, "cannot run 'no-such-program-xyz': no such program in " EXEC_PATH);
    CHECK_CONTAINS(errbuf, "No such file or directory");
    CHECK(r.out == NULL && r.status == 0);
    exec_result_release(&r);

    CHECK(run((const char *[]){"/nonexistent/sipp", NULL}, 0, &r) == EXEC_ERR_NOT_FOUND);
    CHECK_STR(errbuf, "cannot run '/nonexistent/sipp': No such file or directory");

    CHECK(run((const char *[]){"/etc/passwd", NULL}, 0, &r) == EXEC_ERR_NOT_FOUND);
    CHECK_STR(errbuf, "cannot run '/etc/passwd': not an executable file");

    CHECK(run((const char *[]){"/tmp", NULL}, 0, &r) == EXEC_ERR_NOT_FOUND);
    /* a name is looked for in the fixed PATH only, not in this process's */
    char dir[] = "/tmp/test_exec_XXXXXX", tool[64], *old = getenv("PATH"), path[4096];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(tool, sizeof(tool), "%s/mytool", dir);
    FILE *f = fopen(tool, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("#!/bin/sh\necho mine\n", f);
        fclose(f);
    }
    chmod(tool, 0755);
    snprintf(path, sizeof(path), "%s:%s", dir, old ? old : "");
    setenv("PATH", path, 1);
    CHECK(run((const char *[]){"mytool", NULL}, 0, &r) == EXEC_ERR_NOT_FOUND);
    CHECK(run((const char *[]){tool, NULL}, 0, &r) == EXEC_OK); /* by its path it runs */
    CHECK_STR(r.out, "mine\n");
    exec_result_release(&r);
    if (old)
        setenv("PATH", old, 1);
    unlink(tool);
    rmdir(dir);
}

/* exec_find names what exec_run would run, or nothing. */
static void test_find(void)
{
    char *p = exec_find("sh");
    CHECK(p && (!strcmp(p, "/usr/bin/sh") || !strcmp(p, "/bin/sh") || !strcmp(p, "/usr/sbin/sh")));
    free(p);
    CHECK((p = exec_find("/bin/sh")) && !strcmp(p, "/bin/sh"));
    free(p);
    CHECK(!exec_find("no-such-program-opensips-mcp"));
    char plain[] = "/tmp/opensips-mcp-find-XXXXXX"; /* a file that is not executable */
    int fd = mkstemp(plain);
    CHECK(fd >= 0 && fchmod(fd, 0644) == 0);
    close(fd);
    CHECK(!exec_find(plain));
    unlink(plain);
    CHECK(!exec_find("/nonexistent/sh"));
    CHECK(!exec_find("/tmp"));           /* a directory */
    CHECK(!exec_find(NULL));
}

static void test_bad_specs(void)
{
    struct exec_result r;
    struct exec_spec s = {.argv = (const char *[]){NULL}};

    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    CHECK_STR(errbuf, "cannot run a program: no program named");
    s.argv = NULL;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    s.argv = (const char *[]){"", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    CHECK(exec_run(NULL, NULL, &r, NULL, 0) == EXEC_ERR_INVALID);

    s.argv = (const char *[]){"true", NULL};
    s.env = (const char *[]){"NOEQUALS", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    CHECK_STR(errbuf, "cannot run 'true': environment entry 'NOEQUALS' is not NAME=value");
    s.env = (const char *[]){"=x", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    s.env = (const char *[]){"1A=x", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    s.env = (const char *[]){"A B=x", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    const char *many[EXEC_ENV_MAX + 2];
    for (int i = 0; i <= EXEC_ENV_MAX; i++)
        many[i] = "A=1";
    many[EXEC_ENV_MAX + 1] = NULL;
    s.env = many;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    CHECK_CONTAINS(errbuf, "more than 64 environment entries");
    s.env = NULL;

    s.deadline_ms = EXEC_DEADLINE_MAX_MS + 1;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    CHECK_CONTAINS(errbuf, "deadline");
    s.deadline_ms = 0;
    s.stdout_max = (size_t)EXEC_OUTPUT_MAX + 1;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    s.stdout_max = 0;
    s.stdin_len = 5; /* and no data */
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_INVALID);
    s.stdin_len = 0;

    s.cwd = "/nonexistent-dir";
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_START);
    CHECK_STR(errbuf, "cannot run 'true': working directory '/nonexistent-dir': No such file or "
                      "directory");
    s.cwd = "/tmp";
    s.argv = (const char *[]){"pwd", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK_STR(r.out, "/tmp\n");
    exec_result_release(&r);
}

static void test_truncation(void)
{
    struct exec_result r;
    /* 1 MB, far over a pipe's 64 KiB: the child must not block on a full pipe */
    struct exec_spec s = {
        .argv = (const char *[]){"sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; "
                                             "echo done >&2", NULL},
        .deadline_ms = 10000, .stdout_max = 1000, .stderr_max = 3};

    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(r.status == 0 && !r.timed_out);
    CHECK(r.out_len == 1000 && r.stdout_truncated);
    CHECK(r.out[0] == 'x' && r.out[999] == 'x' && r.out[1000] == '\0');
    CHECK(r.err_len == 3 && r.stderr_truncated);
    CHECK_STR(r.err, "don");
    exec_result_release(&r);

    /* exactly the limit is not truncated */
    s.argv = (const char *[]){"printf", "abc", NULL};
    s.stdout_max = 3;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(r.out_len == 3 && !r.stdout_truncated);
    exec_result_release(&r);
}

/* The program prints its background child's pid, then sleeps (a grandchild to find again). */
static const char *const sleeper[] = {"sh", "-c", "sleep 30 & echo $!; sleep 30", NULL};

static pid_t grandchild(const struct exec_result *r)
{
    long v = r->out ? strtol(r->out, NULL, 10) : 0;
    return v > 1 ? (pid_t)v : 0;
}

static void test_deadline(void)
{
    struct exec_result r;
    struct exec_spec s = {.argv = sleeper, .deadline_ms = 200};

    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(r.timed_out && !r.cancelled);
    CHECK(r.status == -SIGTERM);
    pid_t g = grandchild(&r);
    CHECK(g > 0);
    CHECK(g > 0 && gone(g));
    exec_result_release(&r);

    /* a program that ignores SIGTERM gets SIGKILL after the grace */
    s.argv = (const char *[]){"sh", "-c", "trap '' TERM; sleep 30 & echo $!; wait; wait", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(r.timed_out && r.status == -SIGKILL);
    g = grandchild(&r);
    CHECK(g > 0 && gone(g));
    exec_result_release(&r);

    /* what the program leaves in its group when it exits is ended too */
    s.argv = (const char *[]){"sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!", NULL};
    s.deadline_ms = 10000;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(!r.timed_out && r.status == 0);
    g = grandchild(&r);
    CHECK(g > 0 && gone(g));
    exec_result_release(&r);
}

struct firer {
    struct cancel *c;
    unsigned after_ms;
};

static void *fire_later(void *arg)
{
    struct firer *f = arg;
    sleep_ms(f->after_ms);
    cancel_fire(f->c);
    return NULL;
}

static void test_cancel(void)
{
    struct exec_result r;
    struct exec_spec s = {.argv = sleeper, .deadline_ms = 20000};
    struct cancel c;
    pthread_t t;

    /* given explicitly, fired from another thread */
    cancel_init(&c);
    struct firer f = {&c, 200};
    pthread_create(&t, NULL, fire_later, &f);
    CHECK(exec_run(&s, &c, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    pthread_join(t, NULL);
    CHECK(r.cancelled && !r.timed_out && r.status == -SIGTERM);
    pid_t g = grandchild(&r);
    CHECK(g > 0 && gone(g));
    exec_result_release(&r);

    /* fired already: nothing is started */
    s.argv = (const char *[]){"sh", "-c", "echo started > /tmp/test_exec_never", NULL};
    unlink("/tmp/test_exec_never");
    CHECK(exec_run(&s, &c, &r, errbuf, sizeof(errbuf)) == EXEC_ERR_CANCELLED);
    CHECK_STR(errbuf, "'sh' was not run: the request was cancelled");
    CHECK(access("/tmp/test_exec_never", F_OK) < 0);
    cancel_release(&c);

    /* the thread's binding, when none is given; and without an eventfd (slices) */
    for (int mode = 0; mode < 2; mode++) {
        cancel_init(&c);
        if (mode) {
            close(c.fd);
            c.fd = -1;
        }
        struct cancel *old = cancel_bind(&c);
        s.argv = sleeper;
        f = (struct firer){&c, 200};
        pthread_create(&t, NULL, fire_later, &f);
        CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
        pthread_join(t, NULL);
        CHECK(r.cancelled && !r.timed_out);
        g = grandchild(&r);
        CHECK(g > 0 && gone(g));
        exec_result_release(&r);
        cancel_bind(old);
        cancel_release(&c);
    }
}

static void test_environment(void)
{
    struct exec_result r;
    struct exec_spec s = {.argv = (const char *[]){"env", NULL},
                          .env = (const char *[]){"SIPP_X=1", "LANG=C.UTF-8", "SIPP_X=2", NULL}};

    setenv("EXEC_TEST_SECRET", "hunter2", 1);
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK_STR(r.out, "PATH=" EXEC_PATH "\nLANG=C.UTF-8\nSIPP_X=2\n");
    CHECK(!strstr(r.out, "EXEC_TEST_SECRET") && !strstr(r.out, "HOME="));
    exec_result_release(&r);

    s.env = NULL;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK_STR(r.out, "PATH=" EXEC_PATH "\nLANG=C\n");
    exec_result_release(&r);
    unsetenv("EXEC_TEST_SECRET");
}

static void test_no_fd_leak(void)
{
    struct exec_result r;
    /* descriptors without close-on-exec, as a careless library leaves them */
    int leak = open("/dev/null", O_RDONLY), p[2];
    CHECK(leak >= 0 && pipe(p) == 0);

    CHECK(run((const char *[]){"ls", "/proc/self/fd", NULL}, 0, &r) == EXEC_OK);
    CHECK_STR(r.out, "0\n1\n2\n3\n"); /* 3: the directory ls reads */
    exec_result_release(&r);
    /* stdin is /dev/null, stdout and stderr pipes */
    CHECK(run((const char *[]){"sh", "-c", "readlink /proc/self/fd/0; cat; "
                                           "test -p /proc/self/fd/1 && test -p /proc/self/fd/2 "
                                           "&& echo pipes", NULL}, 2000, &r) == EXEC_OK);
    CHECK_STR(r.out, "/dev/null\npipes\n");
    CHECK(!r.timed_out);
    exec_result_release(&r);
    close(leak);
    close(p[0]);
    close(p[1]);
}

static void test_stdin(void)
{
    struct exec_result r;
    static char big[200000];
    struct exec_spec s = {.argv = (const char *[]){"cat", NULL}, .stdin_data = "line 1\nline 2\n",
                          .stdin_len = 14};

    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK_STR(r.out, "line 1\nline 2\n");
    exec_result_release(&r);

    /* larger than a pipe, and the program reads only some of it */
    memset(big, 'y', sizeof(big));
    s.stdin_data = big;
    s.stdin_len = sizeof(big);
    s.argv = (const char *[]){"wc", "-c", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(strtol(r.out, NULL, 10) == (long)sizeof(big));
    exec_result_release(&r);
    s.argv = (const char *[]){"head", "-c", "2", NULL};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK_STR(r.out, "yy");
    CHECK(r.status == 0);
    exec_result_release(&r);
}

static void *run_on_thread(void *arg)
{
    struct exec_result r;
    char e[256], word[16];
    snprintf(word, sizeof(word), "t%d", (int)(intptr_t)arg);
    struct exec_spec s = {.argv = (const char *[]){"sh", "-c", "sleep 0.05; echo \"$0\"", word,
                                                   NULL}};
    for (int i = 0; i < 5; i++) {
        if (exec_run(&s, NULL, &r, e, sizeof(e)) != EXEC_OK)
            return (void *)1;
        bool ok = r.status == 0 && !strncmp(r.out, word, strlen(word)) &&
                  r.out[strlen(word)] == '\n';
        exec_result_release(&r);
        if (!ok)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[4];
    void *rv;
    int bad = 0;

    for (intptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, run_on_thread, (void *)i);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &rv);
        bad += rv != NULL;
    }
    CHECK(bad == 0);
}

/* The tick: what the program wrote so far, read while it runs. */
struct ticker {
    const char *path;
    int calls;
    int max_seen;  /* largest line count seen in the file */
    int ordered;   /* 0 while every read saw at least as many lines as the one before */
};

static void on_tick(void *arg)
{
    struct ticker *t = arg;
    FILE *f = fopen(t->path, "r");
    int lines = 0, c;

    t->calls++;
    if (f) {
        while ((c = fgetc(f)) != EOF)
            lines += c == '\n';
        fclose(f);
    }
    if (lines < t->max_seen)
        t->ordered = 1;
    if (lines > t->max_seen)
        t->max_seen = lines;
}

static void test_tick(void)
{
    char dir[] = "/tmp/test-exec-tick-XXXXXX", path[64], script[160];
    struct exec_result r;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/stats", dir);
    /* a line every 50 ms for 0.6 s: the tick sees the file grow while the program runs */
    snprintf(script, sizeof(script), "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo $i >>%s; "
             "sleep 0.05; done", path);
    struct ticker t = {.path = path};
    struct exec_spec s = {.argv = (const char *[]){"sh", "-c", script, NULL},
                          .tick = on_tick, .tick_arg = &t, .tick_ms = 100};
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(r.status == 0 && !r.timed_out);
    CHECK(t.calls >= 2);
    CHECK(t.max_seen >= 1 && t.max_seen <= 12 && !t.ordered);
    exec_result_release(&r);

    /* a program that ends before the first tick is never ticked */
    struct ticker quick = {.path = path};
    s.argv = (const char *[]){"true", NULL};
    s.tick_arg = &quick;
    s.tick_ms = 5000;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(r.status == 0 && quick.calls == 0);
    exec_result_release(&r);

    /* nor after the deadline, while it is being stopped */
    struct ticker stopped = {.path = path};
    s.argv = (const char *[]){"sh", "-c", "trap '' TERM; sleep 2", NULL};
    s.tick_arg = &stopped;
    s.tick_ms = 1; /* taken as EXEC_TICK_MIN_MS */
    s.deadline_ms = 100;
    CHECK(exec_run(&s, NULL, &r, errbuf, sizeof(errbuf)) == EXEC_OK);
    CHECK(r.timed_out && r.status == -SIGKILL);
    CHECK(stopped.calls >= 1 && stopped.calls <= 100 / (int)EXEC_TICK_MIN_MS + 1);
    exec_result_release(&r);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as the server does */
    test_output_and_status();
    test_missing_program();
    test_find();
    test_bad_specs();
    test_truncation();
    test_deadline();
    test_cancel();
    test_environment();
    test_no_fd_leak();
    test_stdin();
    test_threads();
    test_tick();
    return check_done("exec");
}
