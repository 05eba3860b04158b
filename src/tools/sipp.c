/* tools/sipp: sipp_run_scenario, SIPp load against a SIP target (the Python server's tool of
 * that name). SIPp runs on the exec backend (exec/exec.h): an argument vector built here from a
 * whitelist of typed options, never a shell; a scenario that is one of SIPp's built-ins or an
 * XML file read from the allowed root (file/rootfile.h) and handed to SIPp as a private copy;
 * its own global timeout (-timeout -timeout_error) under a hard deadline a little longer;
 * progress from its statistics file (-trace_stat) read on exec's tick while it runs;
 * cancellation ending its process group; and the result read from that file's last row.
 * Facts: SIPp 3.6.1's options, statistics columns and exit codes. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "jsonrpc.h"
#include "file/rootfile.h"
#include "mcp/server.h"
#include "settings.h"
#include "tools/be_exec.h"
#include "tools/row.h"
#include "tools/sipp.h"
#include "tools/tool.h"

#define SIPP_SCENARIO_MAX (1u << 20)  /* bytes of a scenario file */
#define SIPP_DURATION_DEFAULT 60      /* seconds of a run when duration_sec is not given */
#define SIPP_DURATION_MAX 3000        /* seconds; the hard deadline must stay under exec's max */
#define SIPP_GRACE_MS 5000u           /* past duration_sec before SIPp is killed */
#define SIPP_OUTPUT_MAX (64u * 1024)  /* bytes of stdout and of stderr kept */
#define SIPP_LINE_MAX (64u * 1024)    /* bytes of the statistics file's header or one row */
#define SIPP_INSTALL "install the Debian package sip-tester (apt-get install sip-tester), or set " \
                     "OPENSIPS_MCP_SIPP (--sipp) to its path"

/* SIPp 3.6's built-in scenarios this tool runs, and what each does (SIPp's reference manual,
 * "Integrated scenarios"); the order is sipp_builtins'. */
const char *const sipp_builtins[] = {"uac", "uas", "regexp", "branchc", "branchs", NULL};
static const char *const builtin_what[] = {
    "caller: INVITE, ACK on 200, a pause, BYE (the SipStone UAC)",
    "callee: answers an INVITE 180 then 200, and a BYE 200 (the SipStone UAS)",
    "caller like uac that extracts header values with regular expressions into variables",
    "caller with conditional branching (pairs with branchs)",
    "callee with conditional branching (pairs with branchc)",
};

/* The options SIPp may be given, and the flag each becomes. */
struct sipp_opt {
    const char *name, *flag;
};
static const struct sipp_opt opts[] = {
    {"rate", "-r"},          {"rate_period_ms", "-rp"}, {"limit", "-l"},
    {"calls", "-m"},         {"call_duration_ms", "-d"}, {"recv_timeout_ms", "-recv_timeout"},
    {"transport", "-t"},     {"local_port", "-p"},       {"local_ip", "-i"},
    {"duration_sec", NULL},  {NULL, NULL},
};

static bool is_builtin(const char *s)
{
    for (const char *const *b = sipp_builtins; *b; b++)
        if (!strcmp(*b, s))
            return true;
    return false;
}

/* host, IPv4, or [IPv6], then an optional :port; never starting with '-' (an option). */
static bool target_ok(const char *t)
{
    const char *p = t, *host_end;

    if (*t == '[') {
        if (!(host_end = strchr(t, ']')))
            return false;
        char v6[64];
        size_t n = (size_t)(host_end - t - 1);
        struct in6_addr a;
        if (n == 0 || n >= sizeof(v6))
            return false;
        memcpy(v6, t + 1, n);
        v6[n] = '\0';
        if (inet_pton(AF_INET6, v6, &a) != 1)
            return false;
        p = host_end + 1;
    } else {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '.' || *p == '-')
            p++;
        if (p - t > 253)
            return false;
    }
    if (!*p)
        return true;
    if (*p++ != ':' || !*p || strlen(p) > 5)
        return false;
    long port = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        port = port * 10 + (*p - '0');
    }
    return port >= 1 && port <= 65535;
}

/* ---- the statistics file ---- */

struct stats {
    char *header;          /* the first line, owned */
    char **cols;           /* header split on ';' (into header) */
    size_t ncols;
};

static void stats_release(struct stats *s)
{
    free(s->header);
    free(s->cols);
    memset(s, 0, sizeof(*s));
}

/* Split line (modified) on ';' into at most max fields; returns the count. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;

    while (n < max) {
        f[n++] = p;
        char *sc = strchr(p, ';');
        if (!sc)
            break;
        *sc = '\0';
        p = sc + 1;
    }
    return n;
}

/* The header (read once) and the last complete row of the file at path, as fields; *row owned.
 * -1 when the file has no row yet. */
static int stats_last(const char *path, struct stats *s, char **row, char ***fields,
                      size_t *nfields)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    char *buf = NULL;
    int rc = -1;

    *row = NULL;
    *fields = NULL;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 2)
        goto out;
    if (!s->header) {
        size_t n = (size_t)st.st_size < SIPP_LINE_MAX ? (size_t)st.st_size : SIPP_LINE_MAX;
        char *h = malloc(n + 1), *nl;
        ssize_t got = h ? pread(fd, h, n, 0) : -1;
        if (got <= 0 || !(nl = memchr(h, '\n', (size_t)got))) {
            free(h);
            goto out;
        }
        *nl = '\0';
        s->header = h;
        s->cols = calloc(1024, sizeof(*s->cols));
        if (!s->cols) {
            stats_release(s);
            goto out;
        }
        s->ncols = split(s->header, s->cols, 1024);
    }
    /* the tail: the last row ends with the last '\n' of the file */
    size_t n = (size_t)st.st_size < 2 * SIPP_LINE_MAX ? (size_t)st.st_size : 2 * SIPP_LINE_MAX;
    off_t from = st.st_size - (off_t)n;
    if (!(buf = malloc(n + 1)))
        goto out;
    ssize_t got = pread(fd, buf, n, from);
    if (got <= 0)
        goto out;
    buf[got] = '\0';
    char *end = NULL;
    for (ssize_t i = got - 1; i >= 0; i--)
        if (buf[i] == '\n') {
            end = buf + i;
            break;
        }
    if (!end)
        goto out;
    *end = '\0';
    char *start = strrchr(buf, '\n');
    start = start ? start + 1 : buf;
    if (from == 0 && start == buf)
        goto out; /* only the header */
    if (!(*row = strdup(start)) || !(*fields = calloc(s->ncols + 1, sizeof(**fields)))) {
        free(*row);
        *row = NULL;
        goto out;
    }
    *nfields = split(*row, *fields, s->ncols + 1);
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

static const char *field(const struct stats *s, char **f, size_t nf, const char *name)
{
    for (size_t i = 0; i < s->ncols && i < nf; i++)
        if (!strcmp(s->cols[i], name))
            return f[i];
    return NULL;
}

static long long count(const struct stats *s, char **f, size_t nf, const char *name)
{
    const char *v = field(s, f, nf, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

/* "HH:MM:SS:usec" as milliseconds (SIPp's ResponseTime and CallLength), or -1. */
static double hms_ms(const char *v)
{
    unsigned h, m, sec;
    unsigned long us;
    if (!v || sscanf(v, "%u:%u:%u:%lu", &h, &m, &sec, &us) != 4)
        return -1;
    return ((h * 60.0 + m) * 60.0 + sec) * 1000.0 + (double)us / 1000.0;
}

/* "HH:MM:SS" as seconds, or -1. */
static long long hms_s(const char *v)
{
    unsigned h, m, sec;
    if (!v || sscanf(v, "%u:%u:%u", &h, &m, &sec) != 3)
        return -1;
    return (h * 60LL + m) * 60LL + sec;
}

/* ---- progress on exec's tick ---- */

struct run {
    struct tool_ctx *x;
    char path[128];
    struct stats st;
    long long calls, duration;
};

static void on_tick(void *arg)
{
    struct run *r = arg;
    char *row, **f, msg[256];
    size_t nf;

    if (stats_last(r->path, &r->st, &row, &f, &nf) < 0)
        return;
    long long ok = count(&r->st, f, nf, "SuccessfulCall(C)");
    long long bad = count(&r->st, f, nf, "FailedCall(C)");
    long long cur = count(&r->st, f, nf, "CurrentCall");
    long long rtx = count(&r->st, f, nf, "Retransmissions(C)");
    long long el = hms_s(field(&r->st, f, nf, "ElapsedTime(C)"));
    snprintf(msg, sizeof(msg), "%lld s: %lld calls ended (%lld successful, %lld failed), %lld "
             "running, %lld retransmissions", el < 0 ? 0 : el, ok + bad, ok, bad, cur, rtx);
    if (r->calls)
        mcp_call_progress(r->x->call, (double)(ok + bad), (double)r->calls, msg);
    else
        mcp_call_progress(r->x->call, (double)(el < 0 ? 0 : el), (double)r->duration, msg);
    free(row);
    free(f);
}

/* ---- the result ---- */

static const char *meaning(int status, bool timed_out)
{
    if (timed_out)
        return "the run reached duration_sec before its calls ended (SIPp -timeout_error): the "
               "calls still running count as neither successful nor failed";
    switch (status) {
    case 0: return "all calls succeeded";
    case 1: return "at least one call failed";
    case 97: return "SIPp exited on an internal command; calls may have been processed";
    case 99: return "normal exit without calls processed";
    case 254: return "fatal error binding a socket (is the local port in use?)";
    case 255: return "fatal error";
    default: return "an exit status SIPp does not document";
    }
}

/* The statistics of the last row as the result's members. */
static void add_stats(json_t *out, const struct stats *s, char **f, size_t nf)
{
    json_t *failures = json_object();
    long long in = count(s, f, nf, "IncomingCall(C)"), outg = count(s, f, nf, "OutgoingCall(C)");

    json_object_set_new(out, "calls", json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I}", "attempted", (json_int_t)count(s, f, nf, "TotalCallCreated"),
        "successful", (json_int_t)count(s, f, nf, "SuccessfulCall(C)"),
        "failed", (json_int_t)count(s, f, nf, "FailedCall(C)"),
        "running", (json_int_t)count(s, f, nf, "CurrentCall"), "incoming", (json_int_t)in,
        "outgoing", (json_int_t)outg));
    for (size_t i = 0; i < s->ncols && i < nf; i++) {
        size_t l = strlen(s->cols[i]);
        char name[64];
        if (strncmp(s->cols[i], "Failed", 6) || l < 10 || strcmp(s->cols[i] + l - 3, "(C)") ||
            !strcmp(s->cols[i], "FailedCall(C)") || l - 9 >= sizeof(name))
            continue;
        long long v = strtoll(f[i], NULL, 10);
        snprintf(name, sizeof(name), "%.*s", (int)(l - 9), s->cols[i] + 6);
        if (v)
            json_object_set_new(failures, name, json_integer(v));
    }
    json_object_set_new(out, "failures", failures);
    json_object_set_new(out, "retransmissions",
                        json_integer(count(s, f, nf, "Retransmissions(C)")));
    double rt = hms_ms(field(s, f, nf, "ResponseTime1(C)"));
    double rsd = hms_ms(field(s, f, nf, "ResponseTime1StDev(C)"));
    double cl = hms_ms(field(s, f, nf, "CallLength(C)"));
    double csd = hms_ms(field(s, f, nf, "CallLengthStDev(C)"));
    if (rt >= 0)
        json_object_set_new(out, "response_time_ms", json_pack("{s:f, s:f}", "mean", rt, "stdev",
                                                              rsd < 0 ? 0.0 : rsd));
    if (cl >= 0)
        json_object_set_new(out, "call_length_ms", json_pack("{s:f, s:f}", "mean", cl, "stdev",
                                                            csd < 0 ? 0.0 : csd));
    long long el = hms_s(field(s, f, nf, "ElapsedTime(C)"));
    if (el >= 0)
        json_object_set_new(out, "elapsed_sec", json_integer(el));
}

/* The last ~600 bytes of text, for an error sentence. */
static const char *tail(const char *t, size_t len)
{
    return len > 600 ? t + len - 600 : t;
}

/* Remove what SIPp and we left in the private directory, then the directory. */
static void cleanup(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d) {
        int dfd = dirfd(d);
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                unlinkat(dfd, de->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

/* A scenario file's content that SIPp must not be given: <exec> runs shell commands and plays
 * files, an entity declaration could pull in others (SIPp's own scenarios name a DOCTYPE, which
 * its parser does not read: allowed). NULL when none. */
static const char *scenario_refused(const char *xml, size_t len)
{
    static const char *const bad[] = {"<exec", "<!ENTITY", NULL};
    for (const char *const *b = bad; *b; b++) {
        size_t bl = strlen(*b);
        for (size_t i = 0; i + bl <= len; i++)
            if (!strncasecmp(xml + i, *b, bl))
                return *b;
    }
    return NULL;
}

static json_t *sipp_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const struct settings *set = mcp_server_settings(mcp_call_server(x->call));
    const char *prog = set && set->sipp && *set->sipp ? set->sipp : "sipp";
    const char *scen = tool_str(args, "scenario_file", ""), *target = tool_str(args, "target", "");
    const json_t *o = json_object_get(args, "options"), *v;
    const char *key, *argv[48];
    char dir[] = "/tmp/opensips-mcp-sipp-XXXXXX", sfile[128], why[512];
    char nums[16][32];
    struct run r = {.x = x};
    struct exec_result res = {0};
    json_t *out = NULL;
    size_t n = 0, k = 0;
    char *xml = NULL, *row = NULL, **f = NULL;
    size_t xml_len = 0, nf = 0;
    bool have_dir = false;

    /* the options: only the whitelisted ones, of their types */
    if (o && !json_is_object(o))
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "options must be an object; nothing was run");
    json_object_foreach((json_t *)o, key, v) {
        const struct sipp_opt *p = opts;
        while (p->name && strcmp(p->name, key))
            p++;
        if (!p->name)
            return tool_fail(e, TOOL_E_BAD_ARGS, "option_not_allowed", 0,
                             "option '%.64s' is not allowed; the allowed ones are rate, "
                             "rate_period_ms, limit, calls, call_duration_ms, recv_timeout_ms, "
                             "transport, local_port, local_ip and duration_sec. Nothing was run.",
                             key);
    }
    if (!target_ok(target))
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "target '%.100s' is not host[:port], "
                         "IPv4[:port] or [IPv6][:port]; nothing was run", target);
    const char *ip = tool_str(o, "local_ip", NULL);
    unsigned char addr[16];
    if (ip && inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1)
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "local_ip '%.64s' is not an IPv4 or IPv6 "
                         "address; nothing was run", ip);
    long long duration = SIPP_DURATION_DEFAULT;
    if ((v = json_object_get(o, "duration_sec")))
        duration = json_integer_value(v);

    /* the scenario: a built-in, or a file under the root copied where only we can write */
    bool builtin = is_builtin(scen);
    if (!builtin) {
        const char *root = x->be->files_root, *rel;
        size_t sl = strlen(scen);
        if (!strchr(scen, '/') && (sl < 4 || strcmp(scen + sl - 4, ".xml")))
            return tool_fail(e, TOOL_E_NOT_FOUND, "unknown_scenario", 0,
                             "scenario '%.64s' is not one of SIPp's built-in scenarios (uac, "
                             "uas, regexp, branchc, branchs) nor an .xml file; nothing was run",
                             scen);
        if (!root || root[0] != '/')
            return tool_fail(e, TOOL_E_CONFIG, NULL, 0, "scenario files are not available: no "
                             "directory is allowed for them. The operator must set "
                             "OPENSIPS_MCP_OUT_DIR_ROOT (or --out-dir-root); the built-in "
                             "scenarios (uac, uas, regexp, branchc, branchs) need none");
        if (!(rel = rootfile_relative(root, scen)))
            return tool_fail(e, TOOL_E_BAD_ARGS, "outside_root", 0, "scenario file '%.200s' is "
                             "outside the allowed directory %s; nothing was run", scen, root);
        int rc = rootfile_read(root, rel, SIPP_SCENARIO_MAX, &xml, &xml_len, why, sizeof(why));
        if (rc != ROOTFILE_OK)
            return tool_fail(e, rc == ROOTFILE_ERR_NOT_FOUND ? TOOL_E_NOT_FOUND : TOOL_E_BAD_ARGS,
                             rc == ROOTFILE_ERR_LINK ? "link" : rc == ROOTFILE_ERR_NOT_FOUND
                                                                  ? "unknown_scenario" : NULL,
                             0, "scenario file cannot be read: %s; nothing was run", why);
        const char *bad = scenario_refused(xml, xml_len);
        if (bad) {
            free(xml);
            return tool_fail(e, TOOL_E_BAD_ARGS, "scenario_refused", 0, "scenario file '%.200s' "
                             "holds %s, which this tool does not run (it runs programs or reads "
                             "other files); nothing was run", scen, bad);
        }
    }
    if (!mkdtemp(dir)) {
        free(xml);
        return tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "cannot make a directory for SIPp's "
                         "statistics: %s", strerror(errno));
    }
    have_dir = true;
    snprintf(r.path, sizeof(r.path), "%s/stats.csv", dir);
    if (xml) {
        snprintf(sfile, sizeof(sfile), "%s/scenario.xml", dir);
        int fd = open(sfile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        size_t done = 0;
        while (fd >= 0 && done < xml_len) {
            ssize_t w = write(fd, xml + done, xml_len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            done += (size_t)w;
        }
        if (fd >= 0)
            close(fd);
        if (fd < 0 || done < xml_len) {
            tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "cannot copy the scenario for SIPp: %s",
                      strerror(errno));
            goto out;
        }
    }

    /* the argument vector */
    argv[n++] = prog;
    argv[n++] = target;
    argv[n++] = xml ? "-sf" : "-sn";
    argv[n++] = xml ? sfile : scen;
    for (const struct sipp_opt *p = opts; p->name; p++) {
        if (!p->flag || !(v = json_object_get(o, p->name)) || json_is_null(v))
            continue;
        argv[n++] = p->flag;
        if (json_is_string(v))
            argv[n++] = json_string_value(v);
        else {
            snprintf(nums[k], sizeof(nums[k]), "%lld", (long long)json_integer_value(v));
            argv[n++] = nums[k++];
        }
    }
    snprintf(nums[k], sizeof(nums[k]), "%llds", duration);
    argv[n++] = "-timeout";
    argv[n++] = nums[k++];
    argv[n++] = "-timeout_error";
    argv[n++] = "-nostdin";
    argv[n++] = "-trace_stat";
    argv[n++] = "-stf";
    argv[n++] = r.path;
    argv[n++] = "-fd";
    argv[n++] = "1";
    argv[n] = NULL;

    r.duration = duration;
    r.calls = json_integer_value(json_object_get(o, "calls"));
    struct exec_spec spec = {.argv = argv, .cwd = dir,
                             .deadline_ms = (unsigned)duration * 1000u + SIPP_GRACE_MS,
                             .stdout_max = SIPP_OUTPUT_MAX, .stderr_max = SIPP_OUTPUT_MAX,
                             .tick = on_tick, .tick_arg = &r, .tick_ms = 1000};
    int rc = exec_run(&spec, NULL, &res, why, sizeof(why));
    if (rc == EXEC_ERR_NOT_FOUND) {
        tool_fail(e, TOOL_E_UNSUPPORTED, "not_installed", 0, "SIPp is not installed: %s; %s",
                  why, SIPP_INSTALL);
        goto out;
    }
    if (rc == EXEC_ERR_CANCELLED) {
        tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "cancelled before SIPp started");
        goto out;
    }
    if (rc != EXEC_OK) {
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "%s", why);
        goto out;
    }
    if (res.cancelled) {
        tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "SIPp was stopped: the request was cancelled");
        goto out;
    }
    if (res.timed_out) {
        tool_fail(e, TOOL_E_TIMEOUT, NULL, 0, "SIPp did not stop within duration_sec (%lld s) "
                  "plus %u ms and was killed", duration, SIPP_GRACE_MS);
        goto out;
    }
    bool have = stats_last(r.path, &r.st, &row, &f, &nf) == 0;
    if (!have) {
        tool_fail(e, TOOL_E_REFUSED, "exit_status", res.status, "SIPp exited with status %d "
                  "before it ran the scenario: %.600s", res.status,
                  res.err_len ? tail(res.err, res.err_len) : tail(res.out, res.out_len));
        goto out;
    }
    /* SIPp says "... timed out after 'N' seconds"; the elapsed time says it as well */
    bool timed_out = res.status == 255 &&
                     (strstr(res.err, "timed out after") ||
                      hms_s(field(&r.st, f, nf, "ElapsedTime(C)")) >= duration);
    if (!timed_out && (res.status == 254 || res.status == 255) &&
        !count(&r.st, f, nf, "TotalCallCreated")) {
        tool_fail(e, TOOL_E_REFUSED, "exit_status", res.status, "SIPp exited with status %d "
                  "(%s) before running any call: %.600s", res.status, meaning(res.status, false),
                  res.err_len ? tail(res.err, res.err_len) : tail(res.out, res.out_len));
        goto out;
    }
    json_t *av = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(av, json_string(argv[i]));
    out = json_pack("{s:i, s:s, s:b, s:o}", "status", res.status, "meaning",
                    meaning(res.status, timed_out), "timed_out", timed_out, "argv", av);
    add_stats(out, &r.st, f, nf);
out:
    free(row);
    free(f);
    free(xml);
    stats_release(&r.st);
    exec_result_release(&res);
    if (have_dir)
        cleanup(dir);
    return out;
}

static const struct tool_def sipp_tools[] = {
    {.name = "sipp_run_scenario",
     .title = "Run a SIPp scenario",
     .description = "Runs SIPp against a SIP target with a built-in scenario or an .xml file "
                    "under the allowed directory, for at most duration_sec; shows progress, can "
                    "be cancelled. Answers calls attempted/successful/failed, failure causes, "
                    "retransmissions and response times.",
     .toolset = "sipp",
     .scope = SCOPE_BIT(SCOPE_PROCESS_MANAGE),
     .flags = TOOL_F_LONG | TOOL_F_OPENWORLD,
     .backend = BACKEND_EXEC,
     .exec = &(const struct exec_row){.program = "sipp", .install = SIPP_INSTALL},
     .args = ARGS(
         {.name = "scenario_file", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1,
          .max_len = 1024,
          .description = "uac, uas, regexp, branchc, branchs, or an .xml path (no <exec>)"},
         {.name = "target", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 300,
          .description = "host[:port], IPv4[:port] or [IPv6][:port]"},
         {.name = "options", .type = T_OBJECT,
          .description = "Only these SIPp options",
          .fields = FIELDS(
              {.name = "rate", .type = T_INTEGER, MINIMUM(1), MAXIMUM(10000),
               .description = "-r: calls per period"},
              {.name = "rate_period_ms", .type = T_INTEGER, MINIMUM(1), MAXIMUM(3600000),
               .description = "-rp"},
              {.name = "limit", .type = T_INTEGER, MINIMUM(1), MAXIMUM(100000),
               .description = "-l: calls at once"},
              {.name = "calls", .type = T_INTEGER, MINIMUM(1), MAXIMUM(10000000),
               .description = "-m: total calls"},
              {.name = "call_duration_ms", .type = T_INTEGER, MINIMUM(0), MAXIMUM(3600000),
               .description = "-d"},
              {.name = "recv_timeout_ms", .type = T_INTEGER, MINIMUM(1), MAXIMUM(3600000),
               .description = "-recv_timeout"},
              {.name = "transport", .type = T_STRING, .values = VALUES("u1", "un", "t1", "tn"),
               .description = "-t"},
              {.name = "local_port", .type = T_INTEGER, MINIMUM(1), MAXIMUM(65535),
               .description = "-p"},
              {.name = "local_ip", .type = T_STRING, .max_len = 64, .description = "-i"},
              {.name = "duration_sec", .type = T_INTEGER, MINIMUM(1), MAXIMUM(SIPP_DURATION_MAX),
               .description = "Longest run (default 60)"})}),
     .run = sipp_run,
     .mapping = "sipp <target> -sn|-sf ... -timeout Ns -timeout_error -nostdin -trace_stat -stf "
                "FILE -fd 1, as an argument vector. Fixed: the Python server takes options as a "
                "JSON string of any SIPp flags (-bg, -trace_*, -inf with any file) and runs any "
                "scenario path; ours takes a typed whitelist, reads scenario files only under the "
                "allowed root, and bounds every run"},
};
ROW_TABLE(sipp, sipp_tools);

/* ---- the scenario resources ---- */

#define SIPP_DUMP_MS 5000u  /* `sipp -sd` prints and exits at once */

json_t *sipp_read_scenarios(struct resource_ctx *x, struct rpc_err *e)
{
    json_t *list = json_array();
    (void)e;

    for (size_t i = 0; sipp_builtins[i]; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "name", sipp_builtins[i], "does",
                                              builtin_what[i], "uri",
                                              json_sprintf("opensips-mcp://sipp/scenario/%s",
                                                           sipp_builtins[i])));
    return json_pack("{s:o, s:s, s:b}", "builtin", list, "files",
                     "sipp_run_scenario also runs an .xml file under the allowed directory "
                     "(--out-dir-root), refused when it holds <exec> or <!ENTITY",
                     "files_allowed", x->be && x->be->files_root && x->be->files_root[0] == '/');
}

json_t *sipp_read_scenario(struct resource_ctx *x, struct rpc_err *e)
{
    const char *name = json_string_value(json_object_get(x->vars, "name"));
    const struct settings *set = mcp_server_settings(mcp_call_server(x->call));
    const char *prog = set && set->sipp && *set->sipp ? set->sipp : "sipp";
    const char *argv[] = {prog, "-sd", name, NULL};
    struct exec_spec spec = {.argv = argv, .deadline_ms = SIPP_DUMP_MS,
                             .stdout_max = SIPP_SCENARIO_MAX, .stderr_max = 4096};
    struct exec_result r = {0};
    char why[300];
    json_t *out = NULL;

    if (!name || !is_builtin(name)) {
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND, "Resource not found: '%.64s' is not one of the "
                    "built-in scenarios (uac, uas, regexp, branchc, branchs)", name ? name : "");
        return NULL;
    }
    if (exec_run(&spec, NULL, &r, why, sizeof(why)) < 0) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: %s; %s", why, SIPP_INSTALL);
    } else if ((r.status != 0 && r.status != 99) || r.timed_out || r.out_len == 0 ||
               strncmp(r.out, "<?xml", 5)) { /* SIPp 3.6 exits 99 after printing it */
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: '%s -sd %s' printed no "
                    "scenario (exit %d): %.200s", prog, name, r.status, r.err_len ? r.err : "");
    } else {
        out = json_stringn(r.out, r.out_len);
    }
    exec_result_release(&r);
    return out;
}
