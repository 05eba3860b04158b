/* tools/cfg_files: cfg_dry_run (m4 of a caller's text, then opensips -C), cfg_backup,
 * cfg_list_backups and cfg_rollback (files under the cfg root), the Python server's tools of
 * those names (tools/cfg_files.h). */
#include "tools/cfg_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/render.h"
#include "exec/exec.h"
#include "file/rootfile.h"
#include "mcp/content.h"
#include "mcp/server.h"
#include "settings.h"
#include "tools/be_exec.h"
#include "tools/cfg_common.h"
#include "tools/row.h"
#include "tools/tool.h"
#include "utf8.h"

#define M4_ERR_MAX (64u << 10) /* bytes of m4's messages kept */
#define M4_INSTALL "install the m4 package (apt-get install m4), or set --m4 (OPENSIPS_MCP_M4)"

/* ---- m4 on a caller's text ---- */

/* GNU m4 1.4's builtins that reach outside m4: syscmd and esyscmd run a shell command;
 * include, sinclude and undivert(`file') read a file; maketemp and mkstemp create one;
 * debugfile creates or truncates one; builtin and indir call a builtin by name, also one that
 * was removed (builtin(`esyscmd', ...)). changeword is absent from Debian's build; it is
 * listed so that a build that has it cannot change what a name is. (m4exit, errprint,
 * traceon, dumpdef and the rest only touch m4's own state and its stdout and stderr.)
 *
 * Why -U and not -P or a prelude alone: -U removes each from m4's symbol table before any input
 * is read, so no quoting trick (changequote, defn, pushdef/popdef, indir) in the text can reach
 * them: there is nothing left to reach, and a name defined again by the prelude below is only
 * a macro (popdef of it leaves the name undefined, i.e. plain text). -P would only rename them
 * (m4_esyscmd still runs). The prelude, read from stdin before the texts, only makes the names
 * say why they fail instead of passing through as text. */
static const char *const unsafe[][2] = {
    {"syscmd", "it runs a shell command"},
    {"esyscmd", "it runs a shell command"},
    {"undivert", "undivert(`file') reads a file; diversions are output at the end anyway"},
    {"maketemp", "it creates a file"},
    {"mkstemp", "it creates a file"},
    {"debugfile", "it writes a file"},
    {"builtin", "it calls the builtins that are disabled"},
    {"indir", "it calls the builtins that are disabled"},
    {"changeword", "it changes what a macro name is"},
    {"include", NULL},
    {"sinclude", NULL},
};
#define N_UNSAFE (sizeof(unsafe) / sizeof(unsafe[0]))

/* include(`local.cfg.m4') is what an opensips.cfg.m4 of the local.cfg.m4 pattern says
 * (config-templates.md §3): local_m4 has been read already, so it expands to nothing; any
 * other name stops m4. No file is ever read. Each stub that stops m4 first puts the quotes back
 * (changequote(`,')): under a text's own quotes its message would be unquoted, and a name in it
 * would call the stub again, without end. */
static const char include_stub[] =
    "define(`include', `ifelse(regexp(`$1', `\\(^\\|/\\)local\\.cfg\\.m4$'), `-1', "
    "`changequote(`,')errprint(`cfg_dry_run: $1 is not read: no file is; pass its text as "
    "local_m4, which is read before main_m4 so that local.cfg.m4 needs no including\n"
    "')m4exit(`1')')')"
    "define(`sinclude', defn(`include'))";

static char *prelude(void)
{
    size_t cap = sizeof(include_stub) + 64, len;
    char *p;

    for (size_t i = 0; i < N_UNSAFE; i++)
        if (unsafe[i][1])
            cap += 2 * strlen(unsafe[i][0]) + strlen(unsafe[i][1]) + 80;
    if (!(p = malloc(cap)))
        return NULL;
    len = (size_t)snprintf(p, cap, "divert(-1)%s", include_stub);
    for (size_t i = 0; i < N_UNSAFE; i++)
        if (unsafe[i][1])
            len += (size_t)snprintf(p + len, cap - len, "define(`%s', `changequote(`,')"
                                    "errprint(`cfg_dry_run: "
                                    "%s is disabled: %s\n')m4exit(`1')')", unsafe[i][0],
                                    unsafe[i][0], unsafe[i][1]);
    snprintf(p + len, cap - len, "divert(0)dnl\n");
    return p;
}

static int put_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    size_t off = 0;

    while (fd >= 0 && off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int e = errno;
    if (fd >= 0 && close(fd) == 0 && off == len)
        return 0;
    errno = e ? e : EIO;
    return -1;
}

/* Remove what we and m4 left in the private directory (no subdirectories are made), then it. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d) {
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

int cfg_m4_guarded(const char *m4, const char *local, size_t llen, const char *main,
                   size_t mlen, unsigned deadline_ms, struct cfg_m4_result *r, char *errbuf,
                   size_t errlen)
{
    char dir[] = "/tmp/opensips-mcp-m4-XXXXXX", as[32], cpu[32], fsize[32], tmpdir[64];
    const char *argv[16 + 2 * N_UNSAFE];
    char *m4path = NULL, *limiter = NULL, *pre = NULL;
    struct exec_result res = {0};
    size_t n = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    if (!deadline_ms)
        deadline_ms = CFG_RENDER_DEADLINE_MS;
    if (!m4 || !*m4)
        m4 = "m4";
    if (!(m4path = exec_find(m4))) {
        snprintf(errbuf, errlen, "cannot run '%s': no such program in " EXEC_PATH "; " M4_INSTALL,
                 m4);
        return CFG_ERR_NOT_FOUND;
    }
    if (!(limiter = exec_find(CFG_PRLIMIT))) {
        free(m4path);
        snprintf(errbuf, errlen, "cannot run '" CFG_PRLIMIT "' (util-linux), which limits the "
                 "memory m4 may use on a caller's text: no such program in " EXEC_PATH "; "
                 "install util-linux");
        return CFG_ERR_NOT_FOUND;
    }
    if (!(pre = prelude())) {
        free(m4path);
        free(limiter);
        snprintf(errbuf, errlen, "out of memory");
        return CFG_ERR_NOMEM;
    }
    if (!mkdtemp(dir)) {
        snprintf(errbuf, errlen, "cannot make a private directory under /tmp: %s",
                 strerror(errno));
        rc = CFG_ERR_IO;
        goto out_nodir;
    }
    if (put_file(dir, "local.cfg.m4", local, llen) < 0 ||
        put_file(dir, "opensips.cfg.m4", main, mlen) < 0) {
        snprintf(errbuf, errlen, "cannot write the texts in %s: %s", dir, strerror(errno));
        rc = CFG_ERR_IO;
        goto out;
    }
    /* prlimit sets the limits on itself and then execs m4: m4 never runs without them. exec
     * (posix_spawn) cannot set a limit of its own. */
    snprintf(as, sizeof(as), "--as=%u", CFG_M4_AS_MAX);
    snprintf(cpu, sizeof(cpu), "--cpu=%u", (deadline_ms + 999) / 1000 + 1);
    snprintf(fsize, sizeof(fsize), "--fsize=%u", CFG_M4_FSIZE_MAX);
    snprintf(tmpdir, sizeof(tmpdir), "TMPDIR=%s", dir);
    argv[n++] = limiter;
    argv[n++] = as;
    argv[n++] = cpu;
    argv[n++] = fsize;
    argv[n++] = "--core=0";
    argv[n++] = "--";
    argv[n++] = m4path;
    for (size_t i = 0; i < N_UNSAFE; i++) {
        argv[n++] = "-U";
        argv[n++] = unsafe[i][0];
    }
    argv[n++] = "-";
    argv[n++] = "local.cfg.m4";
    argv[n++] = "opensips.cfg.m4";
    argv[n] = NULL;
    const char *env[] = {tmpdir, NULL};
    struct exec_spec spec = {.argv = argv, .deadline_ms = deadline_ms,
                             .stdout_max = CFG_RENDER_OUT_MAX, .stderr_max = M4_ERR_MAX,
                             .cwd = dir, .env = env, .stdin_data = pre,
                             .stdin_len = strlen(pre)};
    rc = exec_run(&spec, NULL, &res, errbuf, errlen);
    if (rc == EXEC_ERR_NOT_FOUND) {
        rc = CFG_ERR_NOT_FOUND;
        goto out;
    }
    if (rc != EXEC_OK) {
        rc = CFG_ERR_RUN;
        goto out;
    }
    if (res.cancelled) {
        snprintf(errbuf, errlen, "m4 was stopped: the request was cancelled");
        rc = CFG_ERR_RUN;
        goto out;
    }
    r->status = res.status;
    /* the CPU limit is a second past the deadline: either one is the deadline */
    r->timed_out = res.timed_out || res.status == -SIGXCPU;
    r->too_large = res.stdout_truncated;
    r->out_of_memory = res.status != 0 && res.err && strstr(res.err, "memory exhausted");
    r->out = res.out;
    r->out_len = res.out_len;
    r->err = res.err;
    r->err_len = res.err_len;
    res.out = res.err = NULL;
    rc = CFG_OK;
out:
    exec_result_release(&res);
    remove_dir(dir);
out_nodir:
    free(pre);
    free(m4path);
    free(limiter);
    return rc;
}

void cfg_m4_result_release(struct cfg_m4_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

/* ---- backup names ---- */

bool cfg_backup_name(const char *base, time_t t, unsigned attempt, char *out, size_t n)
{
    struct tm tmv;
    char stamp[32];
    int len;

    if (!gmtime_r(&t, &tmv) || !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tmv))
        return false;
    len = attempt ? snprintf(out, n, "%s.bak-%s-%u", base, stamp, attempt)
                  : snprintf(out, n, "%s.bak-%s", base, stamp);
    return len > 0 && (size_t)len < n;
}

bool cfg_is_backup_of(const char *name, const char *base)
{
    size_t bl = strlen(base);
    return bl && !strncmp(name, base, bl) && !strncmp(name + bl, ".bak-", 5) && name[bl + 5];
}

/* ---- paths under the cfg root ---- */

/* What a config.read reader may see of the cfg root. The cfg tools of config.read expose no
 * file's content today: cfg_list_backups gives the names, sizes and times of "<name>.bak-*"
 * files, cfg_dry_run reads nothing from disk (the caller gives the text), and cfg_backup and
 * cfg_rollback (config.write) copy a file without showing it. The root is --out-dir-root unless
 * --cfg-root is set, and then also holds what other tools write there: statistics snapshots,
 * Homer exports (SIP messages of users), SIPp scenarios, cfg sessions (site values such as
 * DB_URL). So the resource serves configs and their backups, the files the cfg tools are about,
 * and nothing else of the root. */
static bool ends_with(const char *s, size_t n, const char *tail)
{
    size_t t = strlen(tail);
    return n > t && !memcmp(s + n - t, tail, t);
}

char *cfg_redact_urls(const char *s, size_t len, size_t *out_len, unsigned *redacted)
{
    /* the shortest, "://:p@", is 6 bytes and grows by 2 ("p" becomes "***"): room for all */
    char *out = malloc(len + 2 * (len / 6 + 1) + 1);
    size_t o = 0;

    *redacted = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        if (i + 3 <= len && !memcmp(s + i, "://", 3)) {
            /* the userinfo runs to '@', and stops at anything a URL's authority cannot hold */
            size_t at = i + 3, colon = 0;
            while (at < len && s[at] && !strchr("@/\"' \t\r\n;)", s[at])) {
                if (s[at] == ':' && !colon)
                    colon = at;
                at++;
            }
            if (at < len && s[at] == '@' && colon && colon + 1 < at) {
                memcpy(out + o, s + i, colon + 1 - i);
                o += colon + 1 - i;
                memcpy(out + o, "***", 3);
                o += 3;
                i = at;
                ++*redacted;
                continue;
            }
        }
        out[o++] = s[i++];
    }
    out[o] = 0;
    *out_len = o;
    return out;
}

bool cfg_is_config_name(const char *name)
{
    const char *bak;
    size_t n = strlen(name);

    if (!n || name[0] == '.' || strchr(name, '/'))
        return false;
    if ((bak = strstr(name, ".bak-")) && bak[5])
        n = (size_t)(bak - name); /* a backup: what it is a backup of */
    return ends_with(name, n, ".cfg") || ends_with(name, n, ".m4");
}

const char *cfg_files_root(struct tool_ctx *x, struct tool_error *e)
{
    const struct settings *s = x->call ? mcp_server_settings(mcp_call_server(x->call)) : NULL;
    const char *root = s && s->cfg_root && *s->cfg_root ? s->cfg_root : x->be->files_root;

    if (root && root[0] == '/')
        return root;
    return tool_fail(e, TOOL_E_CONFIG, "no_cfg_root", 0, "no directory is allowed for configs: "
                     "the operator must set --cfg-root (OPENSIPS_MCP_CFG_ROOT) to the directory "
                     "holding them, e.g. /etc/opensips (or --out-dir-root). Nothing was done.");
}

/* The path argument `what` relative to root (borrowed from path), or NULL with e filled. */
static const char *under(const char *root, const char *what, const char *path,
                         struct tool_error *e)
{
    const char *rel = rootfile_relative(root, path);
    if (!rel)
        tool_fail(e, TOOL_E_BAD_ARGS, "outside_root", 0, "%s '%.300s' is outside the allowed "
                  "directory %s; give a path under it (or relative to it). Nothing was done.",
                  what, path, root);
    return rel;
}

/* rel's directory (into dir, size n) and its last component (borrowed), or NULL when rel names
 * no file. */
static const char *split_base(const char *rel, char *dir, size_t n)
{
    const char *slash = strrchr(rel, '/'), *base = slash ? slash + 1 : rel;
    size_t dl = slash ? (size_t)(slash - rel) : 0;

    if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || dl >= n)
        return NULL;
    memcpy(dir, rel, dl);
    dir[dl] = '\0';
    return base;
}

/* A rootfile failure as a tool error about `what` (a sentence ending in why). NULL. */
static void *file_fail(struct tool_error *e, int rc, const char *what, const char *why)
{
    enum tool_err k = rc == ROOTFILE_ERR_NOT_FOUND ? TOOL_E_NOT_FOUND
                      : rc == ROOTFILE_ERR_TOO_LARGE ? TOOL_E_TOO_LARGE
                      : rc == ROOTFILE_ERR_ROOT ? TOOL_E_CONFIG
                      : rc == ROOTFILE_ERR_IO ? TOOL_E_SYSTEM
                      : rc == ROOTFILE_ERR_EXISTS ? TOOL_E_REFUSED : TOOL_E_BAD_ARGS;
    const char *name = rc == ROOTFILE_ERR_LINK ? "not_regular_file"
                       : rc == ROOTFILE_ERR_PATH ? "bad_path" : NULL;
    return tool_fail(e, k, name, 0, "%s: %s. Nothing was changed.", what, why);
}

static void iso_time(time_t t, char *out, size_t n)
{
    struct tm tmv;
    if (!gmtime_r(&t, &tmv) || !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tmv))
        snprintf(out, n, "%lld", (long long)t);
}

/* data as a new backup of the file `base` in dir (relative to root): the first free name of
 * cfg_backup_name (never replacing one, even one made meanwhile), readable by no more than the
 * source (`mode`) and ROOTFILE_MODE allow. path (size n) gets its absolute path. */
static int write_backup(const char *root, const char *dir, const char *base, const char *data,
                        size_t len, unsigned mode, unsigned flags, time_t now, char *path,
                        size_t n, char *why, size_t whylen)
{
    char name[ROOTFILE_NAME_MAX + 32], rel[ROOTFILE_PATH_MAX + 1];
    int rc = ROOTFILE_ERR_EXISTS;

    for (unsigned a = 0; a <= CFG_BACKUP_SUFFIX_MAX && rc == ROOTFILE_ERR_EXISTS; a++) {
        if (!cfg_backup_name(base, now, a, name, sizeof(name)) ||
            (size_t)snprintf(rel, sizeof(rel), "%s%s%s", dir, *dir ? "/" : "", name) >=
                sizeof(rel)) {
            snprintf(why, whylen, "the backup's path is longer than %d bytes",
                     ROOTFILE_PATH_MAX);
            return ROOTFILE_ERR_PATH;
        }
        rc = rootfile_write_mode(root, rel, data, len, flags, mode & ROOTFILE_MODE, path, n, why,
                                 whylen);
    }
    if (rc == ROOTFILE_ERR_EXISTS)
        snprintf(why, whylen, "%u backups of '%s' were made in this second already; try again "
                 "in a second", CFG_BACKUP_SUFFIX_MAX + 1, base);
    return rc;
}

static void sha256_hex(const char *data, size_t len, char out[2 * SHA256_DIGEST_SIZE + 1])
{
    struct sha256_ctx c;
    unsigned char d[SHA256_DIGEST_SIZE];

    sha256_init(&c);
    sha256_update(&c, len, (const uint8_t *)data);
    sha256_digest(&c, sizeof(d), d);
    for (size_t i = 0; i < sizeof(d); i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Without a root nothing can be touched: say so before anyone is asked to confirm. */
static json_t *files_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                           struct mcp_needs *n)
{
    struct tool_ctx x = tool_ctx_of(c, args);
    struct tool_error e = {0};

    if (!x.be || !cfg_files_root(&x, &e))
        return content_error_result("%s: not available: %s", d->name, e.text);
    if (!strcmp(d->name, "cfg_rollback"))
        snprintf(n->what, sizeof(n->what), "replace the config %.180s with its backup %.180s "
                 "(the current file is kept as a new backup%s)", tool_str(args, "target_path", ""),
                 tool_str(args, "backup_path", ""),
                 json_is_false(json_object_get(args, "validate_after"))
                     ? "; the backup is NOT checked with opensips -C first"
                     : ", after opensips -C accepts the backup");
    else
        snprintf(n->what, sizeof(n->what), "copy the config %.200s to a new backup file in %.200s",
                 tool_str(args, "config_path", ""), tool_str(args, "backup_dir", "its directory"));
    return NULL;
}

/* ---- cfg_dry_run ---- */

/* The last ~600 bytes of m4's messages, for an error sentence, without the closing newline
 * (cut in place). */
static const char *tail(char *t, size_t len)
{
    while (len && (t[len - 1] == '\n' || t[len - 1] == ' '))
        t[--len] = '\0';
    const char *p = len > 600 ? t + len - 600 : t;
    while (p < t + len && ((unsigned char)*p & 0xC0) == 0x80)
        p++; /* not inside a character */
    return p;
}

static json_t *dry_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const json_t *jm = json_object_get(args, "main_m4"), *jl = json_object_get(args, "local_m4");
    const char *mtext = json_string_value(jm), *ltext = json_string_value(jl);
    size_t mlen = json_string_length(jm), llen = json_string_length(jl);
    struct cfg_m4_result r;
    struct tool_error ce = {0};
    char why[600];
    json_t *out = NULL, *check = NULL, *text;

    if (mlen > CFG_DRY_TEXT_MAX || llen > CFG_DRY_TEXT_MAX)
        return tool_fail(e, TOOL_E_TOO_LARGE, NULL, 0, "%s is %zu bytes; at most %u are taken. "
                         "Nothing was run.", mlen > CFG_DRY_TEXT_MAX ? "main_m4" : "local_m4",
                         mlen > CFG_DRY_TEXT_MAX ? mlen : llen, CFG_DRY_TEXT_MAX);
    int rc = cfg_m4_guarded(cfg_tool_m4(x), ltext ? ltext : "", llen, mtext ? mtext : "", mlen, 0,
                            &r, why, sizeof(why));
    if (rc == CFG_ERR_NOT_FOUND) {
        tool_fail(e, TOOL_E_UNSUPPORTED, "not_installed", 0, "%s", why);
        goto out;
    }
    if (rc) {
        cfg_tool_fail(x, e, rc, why);
        goto out;
    }
    if (r.out_of_memory) {
        tool_fail(e, TOOL_E_TOO_LARGE, "m4_memory", 0, "m4 ran out of the %u MiB it may use: a "
                  "macro that expands forever (like define(`x', `x x')x)? Nothing was checked.",
                  CFG_M4_AS_MAX >> 20);
        goto out;
    }
    if (r.too_large) {
        tool_fail(e, TOOL_E_TOO_LARGE, NULL, 0, "m4 wrote more than %u bytes: a macro that "
                  "expands forever? Nothing was checked.", CFG_RENDER_OUT_MAX);
        goto out;
    }
    if (r.timed_out) {
        tool_fail(e, TOOL_E_TIMEOUT, NULL, 0, "m4 did not finish within %u ms and was killed: "
                  "a macro that expands forever? Nothing was checked.", CFG_RENDER_DEADLINE_MS);
        goto out;
    }
    if (r.status) {
        tool_fail(e, TOOL_E_BAD_ARGS, "m4_failed", r.status, "m4 failed (exit status %d): %s. "
                  "Nothing was checked.", r.status,
                  r.err_len ? tail(r.err, r.err_len) : "it said nothing");
        goto out;
    }
    if (!(text = json_stringn(r.out, r.out_len))) {
        tool_fail(e, TOOL_E_GARBAGE, NULL, 0, "m4's output is not valid UTF-8; nothing was "
                  "checked");
        goto out;
    }
    check = cfg_tool_check_text(x, r.out, r.out_len, "opensips.cfg", &ce);
    if (!check && (!ce.name || strcmp(ce.name, "opensips_not_found"))) {
        json_decref(text);
        *e = ce;
        goto out;
    }
    /* the whole text was checked; the model is shown what fits a result, cut on a line */
    size_t shown = r.out_len;
    if (shown > TOOL_RESULT_CAP) {
        const char *nl = memrchr(r.out, '\n', TOOL_RESULT_CAP);
        shown = nl ? (size_t)(nl - r.out) + 1 : utf8_prefix_len(r.out, r.out_len, TOOL_RESULT_CAP);
        json_decref(text);
        text = json_stringn(r.out, shown);
    }
    out = json_pack("{s:o, s:I}", "rendered", text, "bytes", (json_int_t)r.out_len);
    if (shown < r.out_len)
        json_object_set_new(out, "rendered_truncated", json_true());
    if (r.err_len)
        json_object_set_new(out, "m4_messages", json_stringn(tail(r.err, r.err_len),
                                                            strlen(tail(r.err, r.err_len))));
    if (check)
        json_object_set_new(out, "check", check);
    else
        json_object_set_new(out, "note", json_sprintf("not checked: %s", ce.text));
out:
    cfg_m4_result_release(&r);
    return out;
}

/* ---- cfg_backup ---- */

static json_t *backup(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *root, *rel, *rdir = NULL, *base, *cp = tool_str(args, "config_path", "");
    const char *bd = tool_str(args, "backup_dir", NULL);
    char dir[ROOTFILE_PATH_MAX], path[PATH_MAX + ROOTFILE_PATH_MAX], why[600], what[400];
    char sum[2 * SHA256_DIGEST_SIZE + 1], iso[32];
    struct rootfile_stat st;
    char *data = NULL;
    size_t len;
    json_t *out = NULL;

    if (!(root = cfg_files_root(x, e)) || !(rel = under(root, "config_path", cp, e)) ||
        (bd && !(rdir = under(root, "backup_dir", bd, e))))
        return NULL;
    snprintf(what, sizeof(what), "config_path '%.300s'", cp);
    if (!(base = split_base(rel, dir, sizeof(dir))))
        return tool_fail(e, TOOL_E_BAD_ARGS, "bad_path", 0, "%s names no file. Nothing was "
                         "changed.", what);
    int rc = rootfile_read_stat(root, rel, CFG_FILE_MAX, &data, &len, &st, why, sizeof(why));
    if (rc)
        return file_fail(e, rc, what, why);
    time_t now = time(NULL);
    rc = write_backup(root, rdir ? rdir : dir, base, data, len, st.mode,
                      rdir ? ROOTFILE_MKDIRS : 0, now, path, sizeof(path), why, sizeof(why));
    if (rc) {
        snprintf(what, sizeof(what), "the backup of '%.300s' cannot be written", cp);
        file_fail(e, rc, what, why);
        goto out;
    }
    sha256_hex(data, len, sum);
    iso_time(now, iso, sizeof(iso));
    out = json_pack("{s:s, s:I, s:s, s:s}", "backup_path", path, "size", (json_int_t)len,
                    "sha256", sum, "created", iso);
out:
    free(data);
    return out;
}

/* ---- cfg_list_backups ---- */

static int newest_first(const void *a, const void *b)
{
    const struct rootfile_entry *x = a, *y = b;
    if (x->st.mtime.tv_sec != y->st.mtime.tv_sec)
        return x->st.mtime.tv_sec < y->st.mtime.tv_sec ? 1 : -1;
    if (x->st.mtime.tv_nsec != y->st.mtime.tv_nsec)
        return x->st.mtime.tv_nsec < y->st.mtime.tv_nsec ? 1 : -1;
    return -strcmp(x->name, y->name);
}

static json_t *list_backups(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *root, *rel, *rdir = NULL, *base, *cp = tool_str(args, "config_path", "");
    const char *bd = tool_str(args, "backup_dir", NULL);
    char dir[ROOTFILE_PATH_MAX], prefix[ROOTFILE_NAME_MAX + 8], why[600], what[400], iso[32];
    struct rootfile_list l;

    if (!(root = cfg_files_root(x, e)) || !(rel = under(root, "config_path", cp, e)) ||
        (bd && !(rdir = under(root, "backup_dir", bd, e))))
        return NULL;
    if (!(base = split_base(rel, dir, sizeof(dir))))
        return tool_fail(e, TOOL_E_BAD_ARGS, "bad_path", 0, "config_path '%.300s' names no "
                         "file", cp);
    snprintf(prefix, sizeof(prefix), "%s.bak-", base);
    int rc = rootfile_list(root, rdir ? rdir : dir, prefix, 0, &l, why, sizeof(why));
    if (rc) {
        snprintf(what, sizeof(what), "the backups of '%.300s' cannot be listed", cp);
        file_fail(e, rc, what, why);
        return NULL;
    }
    if (l.n_files > 1) /* qsort of NULL, even with 0, is undefined */
        qsort(l.files, l.n_files, sizeof(*l.files), newest_first);
    json_t *items = json_array(), *skipped = json_array();
    for (size_t i = 0; i < l.n_files && i < CFG_BACKUPS_SHOWN_MAX; i++) {
        iso_time(l.files[i].st.mtime.tv_sec, iso, sizeof(iso));
        json_array_append_new(items, json_pack("{s:s++, s:I, s:s}", "path", l.dir_path, "/",
                                               l.files[i].name, "size",
                                               (json_int_t)l.files[i].st.size, "mtime", iso));
    }
    for (size_t i = 0; i < l.n_skipped && i < CFG_BACKUPS_SHOWN_MAX; i++)
        json_array_append_new(skipped, json_pack("{s:s++, s:s}", "path", l.dir_path, "/",
                                                 l.skipped[i].name, "why", l.skipped[i].skipped));
    json_t *out = json_pack("{s:o, s:I}", "backups", items, "total", (json_int_t)l.n_files);
    if (l.truncated || l.n_files > CFG_BACKUPS_SHOWN_MAX || l.n_skipped > CFG_BACKUPS_SHOWN_MAX)
        json_object_set_new(out, "truncated", json_true());
    if (json_array_size(skipped))
        json_object_set_new(out, "skipped", skipped);
    else
        json_decref(skipped);
    rootfile_list_release(&l);
    return out;
}

/* ---- cfg_rollback ---- */

/* The check's errors as compact JSON in e's text, as many as fit. NULL. */
static void *check_refused(struct tool_error *e, const char *backup_path, const json_t *check)
{
    const json_t *errs = json_object_get(check, "errors");
    char head[400], *s = NULL;
    size_t n = json_array_size(errs), shown = n;

    snprintf(head, sizeof(head), "opensips -C refused the backup '%.200s' (exit status %d), so "
             "nothing was changed; fix it or choose another backup (cfg_list_backups). Errors: ",
             backup_path, (int)json_integer_value(json_object_get(check, "exit_status")));
    for (; shown; shown--) {
        json_t *part = json_array();
        for (size_t i = 0; i < shown; i++)
            json_array_append(part, json_array_get(errs, i));
        free(s);
        s = json_dumps(part, JSON_COMPACT);
        json_decref(part);
        if (s && strlen(head) + strlen(s) + 16 < sizeof(e->text))
            break;
    }
    tool_fail(e, TOOL_E_REFUSED, "check_failed", 0, "%s%s%s", head, shown && s ? s : "[]",
              shown < n ? " and more" : "");
    free(s);
    return NULL;
}

static json_t *rollback(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *bp = tool_str(args, "backup_path", ""), *tp = tool_str(args, "target_path", "");
    const char *root, *rb, *rt, *bbase, *tbase;
    char bdir[ROOTFILE_PATH_MAX], tdir[ROOTFILE_PATH_MAX], why[600], what[400];
    char saved[PATH_MAX + ROOTFILE_PATH_MAX], target[PATH_MAX + ROOTFILE_PATH_MAX];
    bool validate = !json_is_false(json_object_get(args, "validate_after"));
    struct rootfile_stat bst, tst;
    char *data = NULL, *cur = NULL;
    size_t len, cur_len;
    json_t *check = NULL, *out = NULL;
    int rc;

    if (!(root = cfg_files_root(x, e)) || !(rb = under(root, "backup_path", bp, e)) ||
        !(rt = under(root, "target_path", tp, e)))
        return NULL;
    if (!(bbase = split_base(rb, bdir, sizeof(bdir))) ||
        !(tbase = split_base(rt, tdir, sizeof(tdir))))
        return tool_fail(e, TOOL_E_BAD_ARGS, "bad_path", 0, "%s names no file. Nothing was "
                         "changed.", bbase ? "target_path" : "backup_path");
    /* a swap of the two paths, or a file that is no backup of this config, is refused: only
     * what cfg_backup made of a file of this name is put back over it */
    if (!cfg_is_backup_of(bbase, tbase))
        return tool_fail(e, TOOL_E_BAD_ARGS, "not_a_backup", 0, "'%.200s' is not a backup of "
                         "'%.200s': its name does not start with '%.200s.bak-'. Were the two "
                         "paths swapped? cfg_list_backups lists the backups of a config. Nothing "
                         "was changed.", bp, tp, tbase);
    snprintf(what, sizeof(what), "backup_path '%.300s'", bp);
    if ((rc = rootfile_read_stat(root, rb, CFG_FILE_MAX, &data, &len, &bst, why, sizeof(why))))
        return file_fail(e, rc, what, why);

    /* the backup is checked before anything is replaced: a config opensips refuses is never
     * put in place (the Python server checked after, and left it there) */
    if (validate) {
        if (!(check = cfg_tool_check_text(x, data, len, bp, e))) {
            if (e->name && !strcmp(e->name, "opensips_not_found"))
                snprintf(e->text + strlen(e->text), sizeof(e->text) - strlen(e->text),
                         "; or pass validate_after: false to restore it unchecked. Nothing was "
                         "changed.");
            goto out;
        }
        if (!json_is_true(json_object_get(check, "passed"))) {
            check_refused(e, bp, check);
            goto out;
        }
    }

    /* the current target is kept as a backup first; a missing one has nothing to keep */
    saved[0] = '\0';
    snprintf(what, sizeof(what), "target_path '%.300s'", tp);
    rc = rootfile_read_stat(root, rt, CFG_FILE_MAX, &cur, &cur_len, &tst, why, sizeof(why));
    if (rc == ROOTFILE_OK) {
        rc = write_backup(root, tdir, tbase, cur, cur_len, tst.mode, 0, time(NULL), saved,
                          sizeof(saved), why, sizeof(why));
        if (rc) {
            snprintf(what, sizeof(what), "the current '%.300s' cannot be backed up", tp);
            file_fail(e, rc, what, why);
            goto out;
        }
    } else if (rc != ROOTFILE_ERR_NOT_FOUND) { /* a missing directory fails the write below */
        file_fail(e, rc, what, why);
        goto out;
    }
    rc = rootfile_write_mode(root, rt, data, len, ROOTFILE_OVERWRITE | ROOTFILE_KEEP_MODE,
                             bst.mode, target, sizeof(target), why, sizeof(why));
    if (rc) {
        file_fail(e, rc, what, why);
        snprintf(e->text, sizeof(e->text), "'%.150s' cannot be replaced: %.300s; it was left as "
                 "it was%s%.200s", tp, why, saved[0] ? ", and a copy of it saved as " : "", saved);
        goto out;
    }
    out = json_pack("{s:b, s:s, s:s?, s:O?}", "restored", 1, "target_path", target,
                    "previous_saved_as", saved[0] ? saved : NULL, "check", check);
out:
    json_decref(check);
    free(data);
    free(cur);
    return out;
}

/* ---- rows ---- */

#define PATH_ARG(n, d) \
    {.name = n, .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 4096, \
     .description = d}

static const struct tool_def cfg_files_tools[] = {
    {.name = "cfg_dry_run",
     .title = "Render and check an m4 config",
     .description = "Renders local_m4 then main_m4 with m4 (no builtin that runs commands or "
                    "touches files) and checks the result with opensips -C; error lines are of "
                    "the rendered text. Writes nothing.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT | TOOL_F_LONG,
     .backend = BACKEND_EXEC,
     .exec = &(const struct exec_row){.program = "m4", .install = M4_INSTALL},
     .args = ARGS(
         {.name = "main_m4", .type = T_STRING, .flags = ARG_REQUIRED,
          .description = "opensips.cfg.m4 text (at most 1 MiB); include(`local.cfg.m4') is "
                         "taken as read"},
         {.name = "local_m4", .type = T_STRING, .flags = ARG_REQUIRED,
          .description = "local.cfg.m4 text, read first (defines)"}),
     .run = dry_run,
     .mapping = "prlimit -- m4 -U <each builtin that runs or touches files> - local.cfg.m4 "
                "opensips.cfg.m4, then opensips -C -f of the output, in a private directory. "
                "Differs: the caller's text reaches no m4 builtin that runs a command or touches "
                "a file, and m4 runs under memory, CPU, output and time bounds"},
    {.name = "cfg_backup",
     .title = "Back up a config",
     .description = "Copies a config under the cfg root to <name>.bak-YYYYMMDD-HHMMSS (UTC) "
                    "beside it or in backup_dir; never overwrites, never follows links.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_WRITE),
     .backend = BACKEND_SERVER,
     .args = ARGS(PATH_ARG("config_path", "Absolute, or relative to the cfg root"),
                  {.name = "backup_dir", .type = T_STRING, .min_len = 1, .max_len = 4096,
                   .description = "Under the cfg root; default: the config's directory"}),
     .run = backup,
     .needs = files_needs,
     .mapping = "a new file beside the config (rootfile_write, never replacing). Differs: only "
                "under the cfg root (the Python server allows /tmp, /var/tmp, $HOME and "
                "OPENSIPS_MCP_OUT_DIR_ROOT); a name taken in the same second gets -1, -2 ...; "
                "no symbolic link is followed"},
    {.name = "cfg_list_backups",
     .title = "List config backups",
     .description = "Lists the <name>.bak-* backups of a config, newest first.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_SERVER,
     .args = ARGS(PATH_ARG("config_path", "Absolute, or relative to the cfg root"),
                  {.name = "backup_dir", .type = T_STRING, .min_len = 1, .max_len = 4096,
                   .description = "Default: the config's directory"}),
     .run = list_backups,
     .mapping = "a listing of the directory (rootfile_list), newest first; links and what is "
                "not a regular file are skipped and said"},
    {.name = "cfg_rollback",
     .title = "Restore a config backup",
     .description = "Replaces target_path with a backup of it, after opensips -C accepts the "
                    "backup; the current file is kept as a new backup first.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_LONG,
     .backend = BACKEND_SERVER,
     .args = ARGS(PATH_ARG("backup_path", "A <target name>.bak-* file"),
                  PATH_ARG("target_path", "The config to replace"),
                  {.name = "validate_after", .type = T_BOOLEAN, .def = "true",
                   .description = "Check the backup with opensips -C first"}),
     .run = rollback,
     .needs = files_needs,
     .mapping = "check the backup, back up the target, rename the backup's copy over it "
                "(mode and owner kept). Fixed: the Python server checked after replacing and "
                "left a broken config in place. A backup_path not named <target name>.bak-* is "
                "refused (swapped paths would overwrite the backup)"},
};
ROW_TABLE(cfg_files, cfg_files_tools);
