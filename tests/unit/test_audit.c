/* Unit tests for the audit trail: records, redaction, refusals, concurrency, logrotate, failures,
 * and the off, syslog and syslog://HOST:PORT destinations. */
#include <dirent.h>
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/audit.h"
#include "check.h"
#include "jsonload.h"
#include "log.h"
#include "mi/catalogue.h"

static char dir[] = "/tmp/opensips-mcp-audit-XXXXXX";

static void path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

/* The whole file as a string (caller frees), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)size + 1)) != NULL) {
        size_t got = fread(buf, 1, (size_t)size, f);
        buf[got] = '\0';
    }
    fclose(f);
    return buf;
}

/* Parse every line of the file into an array; *bad counts lines that are not a JSON object,
 * *longest is the longest line. A missing final newline counts as bad. New reference. */
static json_t *read_records(const char *path, int *bad, size_t *longest)
{
    char *text = slurp(path), *line, *nl;
    json_t *out = json_array();

    *bad = 0;
    if (longest)
        *longest = 0;
    if (!text)
        return out;
    for (line = text; *line; line = nl + 1) {
        json_t *rec;

        nl = strchr(line, '\n');
        if (!nl) {
            (*bad)++;
            break;
        }
        *nl = '\0';
        if (longest && (size_t)(nl - line) > *longest)
            *longest = (size_t)(nl - line);
        rec = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
        if (json_is_object(rec))
            json_array_append_new(out, rec);
        else {
            json_decref(rec);
            (*bad)++;
        }
    }
    free(text);
    return out;
}

static const char *str(const json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

static uint64_t num(const json_t *rec, const char *key)
{
    return (uint64_t)json_integer_value(json_object_get(rec, key));
}

static int is_iso_ms_utc(const char *ts)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";

    if (!ts || strlen(ts) != sizeof(shape) - 1)
        return 0;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (ts[i] < '0' || ts[i] > '9') : ts[i] != shape[i])
            return 0;
    return 1;
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        n++;
    closedir(d);
    return n;
}

static int count_occurrences(const char *text, const char *needle)
{
    int n = 0;

    for (const char *p = text; p && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Send stderr (log_msg) to `path` until stderr_restore(); returns the saved descriptor. */
static int stderr_to(const char *path)
{
    int saved, fd;

    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
    return saved;
}

static void stderr_restore(int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
}

static void test_open_errors(void)
{
    char err[512], p[256];
    struct audit *a;

    a = audit_open("audit.jsonl", err, sizeof(err));
    CHECK(a == NULL);
    CHECK_CONTAINS(err, "'audit.jsonl' is a relative path");
    CHECK_CONTAINS(err, "absolute path");

    a = audit_open("/nonexistent-opensips-mcp-dir/audit.jsonl", err, sizeof(err));
    CHECK(a == NULL);
    CHECK_CONTAINS(err, "cannot open audit file '/nonexistent-opensips-mcp-dir/audit.jsonl'");
    CHECK_CONTAINS(err, "No such file or directory");

    a = audit_open(dir, err, sizeof(err)); /* a directory */
    CHECK(a == NULL);
    CHECK_CONTAINS(err, "not a regular file");

    path_in(p, sizeof(p), "plain");
    close(open(p, O_WRONLY | O_CREAT, 0600));
    strcat(p, "/audit.jsonl"); /* below a regular file */
    a = audit_open(p, err, sizeof(err));
    CHECK(a == NULL);
    CHECK_CONTAINS(err, "Not a directory");

    path_in(p, sizeof(p), "fifo"); /* would block forever without a reader: refused at once */
    CHECK(mkfifo(p, 0600) == 0);
    a = audit_open(p, err, sizeof(err));
    CHECK(a == NULL);
    CHECK_CONTAINS(err, "not a regular file");

    if (geteuid() != 0) { /* root writes anywhere */
        path_in(p, sizeof(p), "ro");
        CHECK(mkdir(p, 0500) == 0);
        strcat(p, "/audit.jsonl");
        a = audit_open(p, err, sizeof(err));
        CHECK(a == NULL);
        CHECK_CONTAINS(err, "Permission denied");
    }
}

static void test_records(void)
{
    char err[512], p[256];
    struct audit *a;
    struct stat st;
    json_t *args, *recs;
    const json_t *r;
    uint64_t id1, id2;
    int bad;
    char *text;

    path_in(p, sizeof(p), "audit.jsonl");
    a = audit_open(p, err, sizeof(err));
    CHECK(a != NULL);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);

    args = json_loads("{\"callid\":\"abc@host\",\"password\":\"hunter2-SECRET1\","
                      "\"nested\":{\"auth_token\":\"SECRET2\"},"
                      "\"list\":[{\"api_key\":\"SECRET3\",\"n\":1}],\"confirm\":true}",
                      0, NULL);
    struct audit_call w = {.principal = "alice", .role = "operator", .tool = "dlg_end",
                           .node = "edge-1", .args = args, .write = true};
    struct audit_call rd = {.principal = "stdio", .role = "viewer", .tool = "dlg_list",
                            .node = NULL, .args = NULL, .write = false};

    CHECK(audit_begin(a, &w, &id1) == 0);
    CHECK(id1 > 0);
    CHECK(audit_end(a, id1, &w, "ok", NULL, 12.3456) == 0);
    CHECK(audit_begin(a, &rd, &id2) == 0);
    CHECK(id2 > id1);
    CHECK(audit_end(a, id2, &rd, "mi_timeout", "MI call timed out after 5000 ms", -1) == 0);
    CHECK(audit_refused(a, &w, AUDIT_REFUSED, "role 'viewer' lacks scope 'mi.write'") == 0);
    CHECK(audit_refused(a, &w, AUDIT_DECLINED, "the user declined the confirmation") == 0);
    CHECK(audit_refused(a, &w, AUDIT_UNCONFIRMED, "pass confirm: true to end the dialog") == 0);
    CHECK(audit_refused(a, &w, AUDIT_ALLOWED, "x") == 0); /* written as refused */
    audit_close(a);

    recs = read_records(p, &bad, NULL);
    CHECK(bad == 0);
    CHECK(json_array_size(recs) == 8);

    r = json_array_get(recs, 0); /* begin of a write */
    CHECK(is_iso_ms_utc(str(r, "ts")));
    CHECK(num(r, "id") == id1);
    CHECK(num(r, "pid") == (uint64_t)getpid());
    CHECK_STR(str(r, "event"), "begin");
    CHECK_STR(str(r, "decision"), "allowed");
    CHECK_STR(str(r, "principal"), "alice");
    CHECK_STR(str(r, "role"), "operator");
    CHECK_STR(str(r, "tool"), "dlg_end");
    CHECK_STR(str(r, "node"), "edge-1");
    CHECK(json_is_true(json_object_get(r, "write")));
    CHECK_STR(str(json_object_get(r, "args"), "callid"), "abc@host");
    CHECK_STR(str(json_object_get(r, "args"), "password"), "***");
    CHECK_STR(str(json_object_get(json_object_get(r, "args"), "nested"), "auth_token"), "***");
    CHECK(json_is_true(json_object_get(json_object_get(r, "args"), "confirm")));
    CHECK(json_object_size(r) == 11);

    r = json_array_get(recs, 1); /* its end */
    CHECK_STR(str(r, "event"), "end");
    CHECK(num(r, "id") == id1);
    CHECK_STR(str(r, "tool"), "dlg_end");
    CHECK_STR(str(r, "outcome"), "ok");
    CHECK(json_is_null(json_object_get(r, "error")));
    CHECK(json_real_value(json_object_get(r, "duration_ms")) == 12.346);
    CHECK(json_object_get(r, "args") == NULL);
    CHECK(json_object_size(r) == 13);

    r = json_array_get(recs, 2); /* a read, no node, no arguments */
    CHECK_STR(str(r, "event"), "begin");
    CHECK(num(r, "id") == id2);
    CHECK(json_is_null(json_object_get(r, "node")));
    CHECK(json_is_null(json_object_get(r, "args")));
    CHECK(json_is_false(json_object_get(r, "write")));

    r = json_array_get(recs, 3); /* a failed call */
    CHECK(num(r, "id") == id2);
    CHECK_STR(str(r, "outcome"), "mi_timeout");
    CHECK_STR(str(r, "error"), "MI call timed out after 5000 ms");
    CHECK(json_real_value(json_object_get(r, "duration_ms")) == 0);

    r = json_array_get(recs, 4); /* refused */
    CHECK_STR(str(r, "event"), "refused");
    CHECK_STR(str(r, "decision"), "refused");
    CHECK_STR(str(r, "reason"), "role 'viewer' lacks scope 'mi.write'");
    CHECK_STR(str(r, "principal"), "alice");
    CHECK_STR(str(json_object_get(r, "args"), "password"), "***");
    CHECK(num(r, "id") > id2);
    CHECK(is_iso_ms_utc(str(r, "ts")));
    CHECK_STR(str(json_array_get(recs, 5), "decision"), "declined");
    CHECK_STR(str(json_array_get(recs, 6), "decision"), "unconfirmed");
    CHECK_STR(str(json_array_get(recs, 7), "decision"), "refused");
    CHECK(num(json_array_get(recs, 7), "id") > num(json_array_get(recs, 6), "id"));
    json_decref(recs);

    text = slurp(p);
    CHECK(text && !strstr(text, "SECRET"));
    CHECK(text && !strstr(text, "hunter2"));
    free(text);
    json_decref(args);
}

/* Outside strings that could break a line or the JSON: cut, replaced, escaped; huge arguments
 * replaced by their redacted head. */
static void test_bounds(void)
{
    char err[512], p[256], node[2000], *big;
    struct audit *a;
    json_t *args, *recs;
    const json_t *r;
    const char *s;
    uint64_t id;
    size_t longest;
    int bad;

    path_in(p, sizeof(p), "bounds.jsonl");
    a = audit_open(p, err, sizeof(err));
    CHECK(a != NULL);
    memset(node, 'n', sizeof(node) - 1);
    node[sizeof(node) - 1] = '\0';
    big = malloc(40001);
    memset(big, 'x', 40000);
    big[40000] = '\0';
    args = json_pack("{s:s, s:s}", "password", "SECRET-BIG", "blob", big);
    struct audit_call c = {.principal = "bad\xff\xfeutf8", .role = "ro\nle", .tool = "t\"ool",
                           .node = node, .args = args, .write = false};
    CHECK(audit_begin(a, &c, &id) == 0);
    CHECK(audit_end(a, id, &c, "tool_error", big, 1) == 0);
    audit_close(a);

    recs = read_records(p, &bad, &longest);
    CHECK(bad == 0);
    CHECK(json_array_size(recs) == 2);
    CHECK(longest < AUDIT_LINE_MAX);
    r = json_array_get(recs, 0);
    CHECK_STR(str(r, "principal"), "bad??utf8");
    CHECK_STR(str(r, "role"), "ro\nle");
    CHECK_STR(str(r, "tool"), "t\"ool");
    s = str(r, "node");
    CHECK(s && strlen(s) == AUDIT_FIELD_MAX + 3 && !strcmp(s + AUDIT_FIELD_MAX, "..."));
    CHECK(json_is_null(json_object_get(r, "args")));
    CHECK(num(r, "args_bytes") > 40000);
    s = str(r, "args_head");
    CHECK(s && strlen(s) <= AUDIT_ARGS_HEAD + 3);
    CHECK_CONTAINS(s, "\"password\":\"***\"");
    s = str(json_array_get(recs, 1), "error");
    CHECK(s && strlen(s) == AUDIT_TEXT_MAX + 3);
    json_decref(recs);
    big = (free(big), slurp(p));
    CHECK(big && !strstr(big, "SECRET"));
    free(big);
    json_decref(args);
}

#define THREADS 8
#define PER_THREAD 200

static atomic_int written, rotation_done;

struct writer {
    struct audit *a;
    int n;
    int failures;
};

static void *writer_run(void *arg)
{
    struct writer *w = arg;
    char tool[32];
    uint64_t id;

    snprintf(tool, sizeof(tool), "tool_%d", w->n);
    for (int i = 0; i < PER_THREAD; i++) {
        if (i == PER_THREAD - 1) /* so that the new file gets records from every thread */
            while (!atomic_load(&rotation_done))
                usleep(100);
        json_t *args = json_pack("{s:i, s:i, s:s}", "thread", w->n, "i", i, "token", "SECRET-T");
        struct audit_call c = {.principal = "p", .role = "admin", .tool = tool, .args = args,
                               .write = i % 25 == 0};
        if (audit_begin(w->a, &c, &id) < 0)
            w->failures++;
        json_decref(args);
        atomic_fetch_add(&written, 1);
    }
    return NULL;
}

/* 8 threads x 200 records, with a logrotate rename and audit_reopen() in the middle: every line
 * whole, every id once, nothing lost between the two files. */
static void test_concurrency_and_rotation(void)
{
    char err[512], p[256], rotated[256];
    struct audit *a;
    struct writer w[THREADS];
    pthread_t t[THREADS];
    json_t *old_recs, *new_recs, *all;
    uint64_t *ids;
    size_t n, i;
    int bad_old, bad_new, per[THREADS] = {0}, failures = 0, dup = 0;

    path_in(p, sizeof(p), "busy.jsonl");
    path_in(rotated, sizeof(rotated), "busy.jsonl.1");
    a = audit_open(p, err, sizeof(err));
    CHECK(a != NULL);
    for (i = 0; i < THREADS; i++) {
        w[i] = (struct writer){.a = a, .n = (int)i};
        pthread_create(&t[i], NULL, writer_run, &w[i]);
    }
    while (atomic_load(&written) < THREADS * PER_THREAD / 4) /* rotate while they write */
        usleep(50);
    CHECK(rename(p, rotated) == 0);
    CHECK(audit_reopen(a) == 0);
    atomic_store(&rotation_done, 1);
    for (i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        failures += w[i].failures;
    }
    audit_close(a);
    CHECK(failures == 0);

    old_recs = read_records(rotated, &bad_old, NULL);
    new_recs = read_records(p, &bad_new, NULL);
    CHECK(bad_old == 0 && bad_new == 0);
    CHECK(json_array_size(old_recs) >= THREADS * PER_THREAD / 4);
    CHECK(json_array_size(new_recs) >= THREADS);
    all = json_array();
    json_array_extend(all, old_recs);
    json_array_extend(all, new_recs);
    n = json_array_size(all);
    CHECK(n == THREADS * PER_THREAD);
    ids = calloc(n ? n : 1, sizeof(*ids));
    for (i = 0; i < n; i++) {
        const json_t *r = json_array_get(all, i);
        json_int_t th = json_integer_value(json_object_get(json_object_get(r, "args"), "thread"));
        if (th >= 0 && th < THREADS)
            per[th]++;
        ids[i] = num(r, "id");
    }
    for (i = 0; i < THREADS; i++)
        CHECK(per[i] == PER_THREAD);
    for (i = 0; i < n; i++) /* quadratic, but 1600 */
        for (size_t j = i + 1; j < n; j++)
            dup += ids[i] == ids[j];
    CHECK(dup == 0);
    free(ids);
    json_decref(old_recs);
    json_decref(new_recs);
    json_decref(all);
}

/* logrotate without load: the renamed file keeps the old record, the path gets a new 0600 file;
 * a reopen that cannot open the path keeps writing to the file it has. */
static void test_reopen(void)
{
    char err[512], p[256], rotated[256], sub[256], moved[256], errlog[256], *logged;
    struct audit *a;
    struct stat st;
    json_t *recs;
    uint64_t id;
    int bad, saved_stderr;
    struct audit_call c = {.principal = "p", .role = "admin", .tool = "before"};

    path_in(p, sizeof(p), "rot.jsonl");
    path_in(rotated, sizeof(rotated), "rot.jsonl.1");
    a = audit_open(p, err, sizeof(err));
    CHECK(a != NULL);
    CHECK(audit_begin(a, &c, &id) == 0);
    CHECK(rename(p, rotated) == 0);
    CHECK(audit_reopen(a) == 0);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
    c.tool = "after";
    CHECK(audit_begin(a, &c, &id) == 0);
    audit_close(a);
    recs = read_records(rotated, &bad, NULL);
    CHECK(bad == 0 && json_array_size(recs) == 1);
    CHECK_STR(str(json_array_get(recs, 0), "tool"), "before");
    json_decref(recs);
    recs = read_records(p, &bad, NULL);
    CHECK(bad == 0 && json_array_size(recs) == 1);
    CHECK_STR(str(json_array_get(recs, 0), "tool"), "after");
    json_decref(recs);

    path_in(sub, sizeof(sub), "sub");
    path_in(moved, sizeof(moved), "moved");
    CHECK(mkdir(sub, 0700) == 0);
    strcat(sub, "/a.jsonl");
    a = audit_open(sub, err, sizeof(err));
    CHECK(a != NULL);
    path_in(sub, sizeof(sub), "sub");
    CHECK(rename(sub, moved) == 0);
    path_in(errlog, sizeof(errlog), "stderr-reopen.txt");
    saved_stderr = stderr_to(errlog);
    CHECK(audit_reopen(a) == -1); /* sub/ is gone */
    stderr_restore(saved_stderr);
    logged = slurp(errlog);
    CHECK_CONTAINS(logged, "a.jsonl': No such file or directory");
    CHECK_CONTAINS(logged, "still go to the file open before");
    free(logged);
    CHECK(audit_begin(a, &c, &id) == 0);
    audit_close(a);
    strcat(moved, "/a.jsonl");
    recs = read_records(moved, &bad, NULL);
    CHECK(bad == 0 && json_array_size(recs) == 1);
    json_decref(recs);
}

/* A full disk, simulated with RLIMIT_FSIZE: every record fails without crashing, the burst is
 * logged once, the count is kept, a torn line does not swallow the next record. */
static void test_write_failure(void)
{
    char err[512], p[256], errlog[256], *logged;
    struct audit *a;
    struct rlimit saved, lim;
    struct stat st;
    json_t *recs;
    uint64_t id;
    int bad, saved_stderr, rc[5];
    struct audit_call c = {.principal = "p", .role = "admin", .tool = "t", .write = true};

    path_in(p, sizeof(p), "full.jsonl");
    path_in(errlog, sizeof(errlog), "stderr.txt");
    a = audit_open(p, err, sizeof(err));
    CHECK(a != NULL);
    CHECK(audit_begin(a, &c, &id) == 0);
    CHECK(stat(p, &st) == 0);

    signal(SIGXFSZ, SIG_IGN);
    CHECK(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    saved_stderr = stderr_to(errlog);

    lim = saved;
    lim.rlim_cur = (rlim_t)st.st_size + 10; /* the next record is cut after 10 bytes */
    setrlimit(RLIMIT_FSIZE, &lim);
    for (int i = 0; i < 5; i++)
        rc[i] = audit_begin(a, &c, &id);
    setrlimit(RLIMIT_FSIZE, &saved);
    int after = audit_begin(a, &c, &id);

    stderr_restore(saved_stderr);
    audit_close(a);

    for (int i = 0; i < 5; i++)
        CHECK(rc[i] == -1);
    CHECK(after == 0);
    logged = slurp(errlog);
    CHECK(count_occurrences(logged, "cannot write audit record") == 1);
    CHECK_CONTAINS(logged, "File too large");
    CHECK_CONTAINS(logged, "5 were dropped");
    free(logged);

    recs = read_records(p, &bad, NULL);
    CHECK(bad == 1); /* the 10 torn bytes, alone on their line */
    CHECK(json_array_size(recs) == 2);
    json_decref(recs);
}

static void test_off_and_syslog(void)
{
    char err[512];
    struct audit *a;
    uint64_t id1 = 0, id2 = 0;
    int before = count_entries(dir);
    json_t *args = json_pack("{s:s}", "password", "SECRET-SYSLOG");
    struct audit_call c = {.principal = "p", .role = "admin", .tool = "t", .args = args,
                           .write = true};

    a = audit_open("off", err, sizeof(err));
    CHECK(a != NULL);
    CHECK(audit_begin(a, &c, &id1) == 0 && id1 > 0);
    CHECK(audit_end(a, id1, &c, "ok", NULL, 1) == 0);
    CHECK(audit_refused(a, &c, AUDIT_REFUSED, "no") == 0);
    CHECK(audit_reopen(a) == 0);
    audit_close(a);
    CHECK(audit_begin(NULL, &c, &id2) == 0 && id2 > id1); /* NULL is off too */
    CHECK(audit_end(NULL, id2, &c, NULL, NULL, 0) == 0);
    CHECK(audit_dropped(NULL) == 0);
    CHECK(count_entries(dir) == before); /* nothing written anywhere we can see */

    /* syslog: only that it opens, writes and reopens without failing; the messages themselves
     * go to the system's logger, which this test cannot read. */
    a = audit_open("syslog", err, sizeof(err));
    CHECK(a != NULL);
    CHECK(audit_begin(a, &c, &id1) == 0);
    CHECK(audit_end(a, id1, &c, "ok", NULL, 2.5) == 0);
    CHECK(audit_refused(a, &c, AUDIT_DECLINED, "declined") == 0);
    CHECK(audit_reopen(a) == 0);
    CHECK(audit_begin(a, &c, &id2) == 0);
    CHECK(audit_dropped(a) == 0);
    audit_close(a);
    json_decref(args);

    CHECK_STR(audit_decision_name(AUDIT_UNCONFIRMED), "unconfirmed");
    CHECK_STR(audit_decision_name(AUDIT_DECISION_COUNT), "unknown");
}

/* A UDP socket bound to 127.0.0.1 on an ephemeral port; its port in *port. */
static int udp_listener(int *port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
        return -1;
    *port = ntohs(sin.sin_port);
    return fd;
}

/* One datagram from fd into buf (NUL-terminated), waiting at most 2 s; its length or -1. */
static ssize_t recv_one(int fd, char *buf, size_t n)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ssize_t got;

    if (poll(&pfd, 1, 2000) != 1)
        return -1;
    got = recv(fd, buf, n - 1, 0);
    if (got >= 0)
        buf[got] = '\0';
    return got;
}

static void test_remote_errors(void)
{
    static const struct {
        const char *dest, *want;
    } bad[] = {
        {"syslog://", "names no host"},
        {"syslog://:514", "names no host"},
        {"syslog://[]:514", "names no host"},
        {"syslog://127.0.0.1:0", "has a bad port '0'; give a number from 1 to 65535"},
        {"syslog://127.0.0.1:65536", "has a bad port '65536'"},
        {"syslog://127.0.0.1:99999999999999999999", "has a bad port"},
        {"syslog://127.0.0.1:abc", "has a bad port 'abc'"},
        {"syslog://127.0.0.1:-1", "has a bad port '-1'"},
        {"syslog://127.0.0.1:+5", "has a bad port '+5'"},
        {"syslog://127.0.0.1:", "has a bad port ''"},
        {"syslog://127.0.0.1:514/x", "has a bad port '514/x'"},
        {"syslog://127.0.0.1/x", "has '/x' after the host"},
        {"syslog://user@127.0.0.1", "has '@127.0.0.1' after the host"},
        {"syslog://[::1", "without its closing ']'"},
        {"syslog://[::1]x", "has 'x' after the address"},
        {"syslog://a b:514", "not printable ASCII"},
        {"syslog://no-such-host.invalid:514", "cannot resolve 'no-such-host.invalid'"},
    };
    char err[512], longhost[400];
    struct audit *a;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        a = audit_open(bad[i].dest, err, sizeof(err));
        CHECK(a == NULL);
        CHECK_CONTAINS(err, bad[i].want);
        if (!strstr(err, bad[i].want))
            fprintf(stderr, "  %s: %s\n", bad[i].dest, err);
        audit_close(a);
    }
    memset(longhost, 'h', sizeof(longhost));
    memcpy(longhost, "syslog://", 9);
    longhost[sizeof(longhost) - 1] = '\0';
    a = audit_open(longhost, err, sizeof(err));
    CHECK(a == NULL);
    CHECK_CONTAINS(err, "a host longer than 255 bytes");
}

static void test_remote(void)
{
    char err[512], dest[64], buf[AUDIT_LINE_MAX + 512], host[256], *rec;
    struct audit *a;
    uint64_t id;
    int port = 0, fd = udp_listener(&port), pri, pid;
    json_t *j;
    json_t *args = json_pack("{s:s,s:s}", "command", "uptime", "password", "SECRET-REMOTE");
    struct audit_call rd = {.principal = "p", .role = "admin", .tool = "mi_execute",
                            .node = "pbx1", .args = args};
    struct audit_call wr = rd;

    wr.write = true;
    CHECK(fd >= 0);
    snprintf(dest, sizeof(dest), "syslog://127.0.0.1:%d", port);
    a = audit_open(dest, err, sizeof(err));
    CHECK(a != NULL);
    if (!a)
        return;

    /* "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG", the record as MSG. */
    CHECK(audit_begin(a, &rd, &id) == 0);
    CHECK(recv_one(fd, buf, sizeof(buf)) > 0);
    CHECK(sscanf(buf, "<%d>1 %*4d-%*2d-%*2dT%*2d:%*2d:%*2d.%*3dZ %255s opensips-mcp %d audit - ",
                 &pri, host, &pid) == 3);
    CHECK(pri == (10 << 3 | 6)); /* authpriv.info */
    CHECK(pid == (int)getpid());
    CHECK(strcmp(host, "") && !strchr(host, ' '));
    rec = strstr(buf, " audit - ");
    CHECK(rec != NULL);
    j = rec ? json_loads(rec + 9, JSON_REJECT_DUPLICATES, NULL) : NULL;
    CHECK(j != NULL);
    CHECK_STR(json_string_value(json_object_get(j, "event")), "begin");
    CHECK(json_integer_value(json_object_get(j, "id")) == (json_int_t)id);
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "args"), "password")), "***");
    CHECK(!strstr(buf, "SECRET-REMOTE"));
    CHECK(!strchr(buf, '\n')); /* the message is the record, no line end */
    json_decref(j);

    CHECK(audit_end(a, id, &wr, "ok", NULL, 3) == 0); /* a write: authpriv.notice */
    CHECK(recv_one(fd, buf, sizeof(buf)) > 0);
    CHECK(sscanf(buf, "<%d>1 ", &pri) == 1 && pri == (10 << 3 | 5));
    CHECK_CONTAINS(buf, "\"event\":\"end\"");
    CHECK(audit_refused(a, &rd, AUDIT_DECLINED, "declined") == 0);
    CHECK(recv_one(fd, buf, sizeof(buf)) > 0);
    CHECK(sscanf(buf, "<%d>1 ", &pri) == 1 && pri == (10 << 3 | 5));
    CHECK_CONTAINS(buf, "\"decision\":\"declined\"");
    CHECK(audit_reopen(a) == 0); /* resolves and connects again: records still arrive */
    CHECK(audit_begin(a, &rd, &id) == 0);
    CHECK(recv_one(fd, buf, sizeof(buf)) > 0);
    CHECK(audit_dropped(a) == 0);

    /* The collector's port closes: the ICMP answer makes a later send fail, counted as dropped
     * and logged once; the records arrive again when the port is back. */
    char errlog[256], *logged;
    int saved_stderr, failed = 0;
    path_in(errlog, sizeof(errlog), "remote-stderr.txt");
    close(fd);
    saved_stderr = stderr_to(errlog);
    for (int i = 0; i < 20 && !failed; i++) {
        failed = audit_begin(a, &rd, &id) < 0;
        usleep(10000);
    }
    stderr_restore(saved_stderr);
    CHECK(failed);
    CHECK(audit_dropped(a) >= 1);
    logged = slurp(errlog);
    CHECK_CONTAINS(logged, "cannot write audit record to 'syslog://127.0.0.1:");
    CHECK_CONTAINS(logged, "Connection refused");
    free(logged);
    audit_close(a);
    json_decref(args);
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char sub[512];
    struct stat st;

    if (!d) {
        unlink(path);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(sub);
        else
            unlink(sub);
    }
    closedir(d);
    rmdir(path);
}

/* Write one begin record of `args` (a JSON text) to a fresh file; returns the file's text. */
static char *record_of(const char *name, const char *args_text)
{
    char err[512], p[256];
    struct audit *a;
    json_t *args = json_loads(args_text, 0, NULL);
    struct audit_call c = {.principal = "stdio", .role = "admin", .tool = "mi_execute",
                           .args = args};
    uint64_t id;
    char *text;

    CHECK(args != NULL);
    path_in(p, sizeof(p), name);
    a = audit_open(p, err, sizeof(err));
    CHECK(a != NULL);
    CHECK(audit_begin(a, &c, &id) == 0);
    audit_close(a);
    json_decref(args);
    text = slurp(p);
    CHECK(text != NULL);
    return text ? text : strdup("");
}

/* Secrets are found at any depth, under keys of any length, by position in an MI command's
 * parameter array, and inside mi_params given as JSON text (issue 9 item 10). */
static void test_redaction(void)
{
    char *t, key[200];

    log_redact_set_positional(mi_catalogue_param_is_secret);
    /* uac_registrant:upsert by position: its 7th parameter is "password" */
    t = record_of("pos.jsonl", "{\"command\":\"uac_registrant:upsert\",\"params\":[\"sip:a@b\","
                               "\"sip:c@d\",\"sip:r\",\"\",\"\",\"alice\",\"s3cret-POS1\"]}");
    CHECK(!strstr(t, "s3cret-POS1"));
    CHECK_CONTAINS(t, "\"params\":[\"sip:a@b\",\"sip:c@d\",\"sip:r\",\"\",\"\",\"alice\",\"***\"]");
    free(t);
    /* the same as JSON text (cluster_send_command's mi_params), by position and by name */
    t = record_of("text.jsonl", "{\"mi_cmd\":\"reg_upsert\",\"mi_params\":\"[\\\"sip:a\\\",\\\"c\\\","
                                "\\\"r\\\",\\\"\\\",\\\"\\\",\\\"u\\\",\\\"s3cret-POS2\\\"]\"}");
    CHECK(!strstr(t, "s3cret-POS2"));
    CHECK_CONTAINS(t, "\\\"u\\\",\\\"***\\\"]");
    free(t);
    t = record_of("named.jsonl", "{\"mi_cmd\":\"x\",\"mi_params\":\"{\\\"aor\\\":\\\"sip:a\\\","
                                 "\\\"password\\\":\\\"s3cret-TXT\\\"}\"}");
    CHECK(!strstr(t, "s3cret-TXT"));
    CHECK_CONTAINS(t, "\\\"aor\\\":\\\"sip:a\\\"");
    free(t);
    /* JSON text in any string, nested objects and arrays */
    t = record_of("nested.jsonl", "{\"params\":{\"a\":[{\"b\":{\"Auth_Password\":\"s3cret-N1\"}}],"
                                  "\"note\":\" {\\\"token\\\":\\\"s3cret-N2\\\"}\","
                                  "\"plain\":\"[not json s3cret-OK\"}}");
    CHECK(!strstr(t, "s3cret-N1") && !strstr(t, "s3cret-N2"));
    CHECK_CONTAINS(t, "[not json s3cret-OK"); /* not JSON, no secret key: kept */
    free(t);
    /* a key longer than 63 bytes (log.c used to cut it before testing) */
    memset(key, 'x', 120);
    strcpy(key + 120, "_password");
    char args[400];
    snprintf(args, sizeof(args), "{\"%s\":\"s3cret-LONG\"}", key);
    t = record_of("long.jsonl", args);
    CHECK(!strstr(t, "s3cret-LONG"));
    free(t);
    /* a key holding a NUL before the secret word (built: jansson parses no such key) */
    json_t *o = json_object(), *red;
    json_object_setn_new(o, "a\0password", 10, json_string("s3cret-NUL"));
    red = log_redact(o);
    CHECK_STR(json_string_value(json_object_getn(red, "a\0password", 10)), "***");
    json_decref(red);
    json_decref(o);
    /* no hook, unknown command: positions cannot be named, values stay */
    log_redact_set_positional(NULL);
    t = record_of("nohook.jsonl", "{\"command\":\"uac_registrant:upsert\",\"params\":[\"a\",\"b\","
                                  "\"c\",\"d\",\"e\",\"f\",\"g\"]}");
    CHECK_CONTAINS(t, "\"g\"]");
    free(t);
    CHECK(log_key_is_secret("MI_PASSWORD") && log_key_is_secretn("ab\0token", 8) &&
          !log_key_is_secretn("ab\0token", 2) && !log_key_is_secret("callid"));
}

/* U+2028, U+2029 and U+0085 are written as \u escapes: readers that split lines on them (JavaScript
 * before ES2019, Python's splitlines) see one record, not a forged second one (item 11). */
static void test_separators(void)
{
    char *t = record_of("sep.jsonl", "{\"note\":\"a\\u2028{\\\"event\\\":\\\"forged\\\"}\\u2029b"
                                     "\\u0085c\\u2027\"}");
    int bad;
    char p[256];
    json_t *recs;

    CHECK(!strstr(t, "\xe2\x80\xa8") && !strstr(t, "\xe2\x80\xa9") && !strstr(t, "\xc2\x85"));
    CHECK_CONTAINS(t, "a\\u2028{\\\"event\\\":\\\"forged\\\"}\\u2029b\\u0085c\xe2\x80\xa7");
    CHECK(count_occurrences(t, "\n") == 1);
    free(t);
    path_in(p, sizeof(p), "sep.jsonl");
    recs = read_records(p, &bad, NULL);
    CHECK(bad == 0 && json_array_size(recs) == 1);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(recs, 0), "args"),
                                                "note")),
              "a\xe2\x80\xa8{\"event\":\"forged\"}\xe2\x80\xa9" "b\xc2\x85" "c\xe2\x80\xa7");
    json_decref(recs);
}

/* Arguments nested far past the limit (built, not parsed: nothing outside can send them) are
 * written cut at JSONLOAD_DEPTH_MAX, on a stack as small as a worker's (item 1). */
static void *deep_begin(void *arg)
{
    struct audit *a = arg;
    json_t *v = json_string("bottom");
    for (int i = 0; i < 2040; i++) {
        json_t *o = json_array();
        json_array_append_new(o, v);
        v = o;
    }
    json_t *args = json_pack("{s:o}", "x", v);
    struct audit_call c = {.principal = "stdio", .role = "viewer", .tool = "server_version",
                           .args = args};
    uint64_t id;
    CHECK(audit_refused(a, &c, AUDIT_REFUSED, "unknown argument") == 0);
    CHECK(audit_begin(a, &c, &id) == 0);
    /* json_decref is recursive too: free the chain from the top, one level at a time */
    json_incref(v);
    json_decref(args);
    while (json_is_array(v)) {
        json_t *in = json_incref(json_array_get(v, 0));
        json_decref(v); /* frees v alone: `in` is still held */
        v = in;
    }
    json_decref(v);
    return NULL;
}

static void test_deep_args(void)
{
    char err[512], p[256];
    pthread_attr_t attr;
    pthread_t t;
    struct audit *a;
    json_t *recs, *v;
    int bad, depth = 0;

    path_in(p, sizeof(p), "deep.jsonl");
    a = audit_open(p, err, sizeof(err));
    CHECK(a != NULL);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    CHECK(pthread_create(&t, &attr, deep_begin, a) == 0);
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    audit_close(a);
    recs = read_records(p, &bad, NULL);
    CHECK(bad == 0 && json_array_size(recs) == 2);
    for (v = json_object_get(json_object_get(json_array_get(recs, 1), "args"), "x");
         json_is_array(v); v = json_array_get(v, 0))
        depth++;
    CHECK(depth == JSONLOAD_DEPTH_MAX - 1 && json_is_string(v));
    json_decref(recs);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_open_errors();
    test_records();
    test_bounds();
    test_concurrency_and_rotation();
    test_reopen();
    test_write_failure();
    test_off_and_syslog();
    test_remote_errors();
    test_remote();
    test_redaction();
    test_separators();
    test_deep_args();
    remove_tree(dir);
    return check_done("audit");
}
