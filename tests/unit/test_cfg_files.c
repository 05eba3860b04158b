/* Unit tests for tools/cfg_files: m4 on a caller's text with the real GNU m4 (skipped when it
 * is not installed): local then main, include(`local.cfg.m4') taken as read, and every builtin
 * that runs a command or touches a file unable to act, however it is reached (directly,
 * builtin, indir, defn, popdef, changequote); a macro that expands forever stopped by the
 * memory limit, one that loops by the deadline, one that writes without end by the output
 * bound; and the backup names. */
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/render.h"
#include "cfg/templates.h"
#include "check.h"
#include "tools/cfg_files.h"

static char dir[64], err[600];

/* Render main after local; r released by the caller. */
static int render(const char *local, const char *main, unsigned deadline_ms,
                  struct cfg_m4_result *r)
{
    err[0] = '\0';
    return cfg_m4_guarded(NULL, local, strlen(local), main, strlen(main), deadline_ms, r, err,
                          sizeof(err));
}

static bool exists(const char *name)
{
    char p[128];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return lstat(p, &st) == 0;
}

static void test_render(void)
{
    struct cfg_m4_result r;

    CHECK(render("divert(-1)define(`PORT', `5060')divert(0)dnl\n",
                 "include(`local.cfg.m4')dnl\nsocket=udp:127.0.0.1:PORT\n", 0, &r) == CFG_OK);
    CHECK(r.status == 0 && !r.timed_out && !r.too_large && !r.out_of_memory);
    CHECK_STR(r.out, "socket=udp:127.0.0.1:5060\n");
    cfg_m4_result_release(&r);
    CHECK(r.out == NULL && r.err == NULL);

    /* sinclude and a path ending in /local.cfg.m4 are taken as read too */
    CHECK(render("", "sinclude(`local.cfg.m4')include(`/etc/opensips/local.cfg.m4')ok\n", 0,
                 &r) == CFG_OK);
    CHECK(r.status == 0);
    CHECK_STR(r.out, "ok\n");
    cfg_m4_result_release(&r);

    /* local's own output comes first, as `m4 local.cfg.m4 opensips.cfg.m4` gives it */
    CHECK(render("L\n", "M\n", 0, &r) == CFG_OK);
    CHECK_STR(r.out, "L\nM\n");
    cfg_m4_result_release(&r);

    /* an m4 error names the text it is in */
    CHECK(render("", "x\n`unclosed", 0, &r) == CFG_OK);
    CHECK(r.status == 1);
    CHECK_CONTAINS(r.err, "opensips.cfg.m4:2: ERROR: end of file in string");
    cfg_m4_result_release(&r);
}

/* Each attack, in main_m4 and in local_m4: m4 stops or passes it through as text, and the file
 * it names is never created (nor anything read into the output). */
static void test_attacks(void)
{
    static const char *const attacks[] = {
        "esyscmd(`touch %s/a1')",
        "syscmd(`touch %s/a2')",
        "builtin(`esyscmd', `touch %s/a3')",
        "builtin(`syscmd', `touch %s/a4')",
        "indir(`esyscmd', `touch %s/a5')",
        "indir(`syscmd', `touch %s/a6')",
        "popdef(`esyscmd')esyscmd(`touch %s/a7')",
        "undefine(`syscmd')syscmd(`touch %s/a8')",
        "define(`run', defn(`esyscmd'))run(`touch %s/a9')",
        "changequote([,])builtin([esyscmd],[touch %s/a10])",
        "changequote([,])indir([syscmd],[touch %s/a11])",
        "changequote([,])esyscmd([touch %s/a19])",
        "changequote(,)esyscmd(touch %s/a20)",
        "pushdef(`esyscmd', `x')popdef(`esyscmd')popdef(`esyscmd')esyscmd(`touch %s/a12')",
        "debugfile(`%s/a13')traceon(`define')define(`q', 1)",
        "mkstemp(`%s/a14XXXXXX')",
        "maketemp(`%s/a15XXXXXX')",
        "m4wrap(`esyscmd(`touch %s/a16')')",
        "changeword(`[a-z]+')esyscmd(`touch %s/a17')",
        "define(`e', `esys'`cmd')e(`touch %s/a18')",
    };
    char text[256], name[16];
    struct cfg_m4_result r;

    for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
        for (int in_local = 0; in_local < 2; in_local++) {
            snprintf(text, sizeof(text), attacks[i], dir);
            CHECK(render(in_local ? text : "", in_local ? "" : text, 3000, &r) == CFG_OK);
            CHECK(!r.timed_out && !r.out_of_memory);
            cfg_m4_result_release(&r);
            snprintf(name, sizeof(name), "a%zu", i + 1);
            CHECK(!exists(name));
            if (exists(name))
                fprintf(stderr, "  attack ran: %s\n", text);
        }
    }
    /* a14/a15 are prefixes: nothing at all was made in the directory */
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", dir);
    CHECK(system(cmd) == 0);

    /* a disabled builtin stops m4 and says why */
    CHECK(render("", "esyscmd(`id')", 0, &r) == CFG_OK);
    CHECK(r.status == 1 && r.out_len == 0);
    CHECK_CONTAINS(r.err, "cfg_dry_run: esyscmd is disabled: it runs a shell command");
    cfg_m4_result_release(&r);

    /* files are never read: include, sinclude, undivert of a file */
    static const char *const reads[] = {"include(`/etc/passwd')", "sinclude(`/etc/passwd')",
                                        "undivert(`/etc/passwd')",
                                        "builtin(`include', `/etc/passwd')",
                                        "changequote([,])include([/etc/passwd])",
                                        "include(`/etc/passwd/local.cfg.m4x')"};
    for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
        CHECK(render("", reads[i], 3000, &r) == CFG_OK);
        CHECK(!check_contains(r.out, "root:") && r.status == 1 && !r.timed_out);
        if (check_contains(r.out, "root:"))
            fprintf(stderr, "  read a file: %s\n", reads[i]);
        cfg_m4_result_release(&r);
    }
    CHECK(render("", "include(`/etc/passwd')", 0, &r) == CFG_OK);
    CHECK(r.status == 1);
    CHECK_CONTAINS(r.err, "cfg_dry_run: /etc/passwd is not read: no file is; pass its text as "
                          "local_m4");
    cfg_m4_result_release(&r);
}

static void test_bounds(void)
{
    struct cfg_m4_result r;

    /* grows without end: the address-space limit stops it, and says so */
    CHECK(render("", "define(`x', `x x')x", 0, &r) == CFG_OK);
    CHECK(r.out_of_memory && r.status != 0 && !r.timed_out);
    cfg_m4_result_release(&r);
    /* loops without growing: the deadline */
    CHECK(render("", "define(`l', `l')l", 1000, &r) == CFG_OK);
    CHECK(r.timed_out && !r.out_of_memory);
    cfg_m4_result_release(&r);
    /* writes without end: the output bound, then the deadline */
    CHECK(render("define(`y', `yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy z')",
                 "define(`z', `y')z", 1500, &r) == CFG_OK);
    CHECK(r.too_large && r.out_len == CFG_RENDER_OUT_MAX);
    cfg_m4_result_release(&r);

    /* a missing m4 is said as such */
    CHECK(cfg_m4_guarded("/nonexistent/m4", "", 0, "", 0, 0, &r, err, sizeof(err)) ==
          CFG_ERR_NOT_FOUND);
    CHECK_CONTAINS(err, "install the m4 package");
    CHECK(cfg_m4_guarded("no-such-m4", "", 0, "", 0, 0, &r, err, sizeof(err)) ==
          CFG_ERR_NOT_FOUND);
    cfg_m4_result_release(&r);
}

static void test_names(void)
{
    char n[300];

    CHECK(cfg_backup_name("opensips.cfg", 1795041000, 0, n, sizeof(n))); /* 2026-11-18 ... */
    CHECK_STR(n, "opensips.cfg.bak-20261118-223000");
    CHECK(cfg_backup_name("opensips.cfg", 1795041000, 2, n, sizeof(n)));
    CHECK_STR(n, "opensips.cfg.bak-20261118-223000-2");
    CHECK(!cfg_backup_name("opensips.cfg", 0, 0, n, 20)); /* does not fit */

    CHECK(cfg_is_backup_of("opensips.cfg.bak-20261118-223000", "opensips.cfg"));
    CHECK(cfg_is_backup_of("opensips.cfg.bak-manual", "opensips.cfg"));
    CHECK(!cfg_is_backup_of("opensips.cfg", "opensips.cfg"));
    CHECK(!cfg_is_backup_of("opensips.cfg.bak-", "opensips.cfg"));
    CHECK(!cfg_is_backup_of("opensips.cfg.old", "opensips.cfg"));
    CHECK(!cfg_is_backup_of("other.cfg.bak-20261118-223000", "opensips.cfg"));
    CHECK(!cfg_is_backup_of("opensips.cfg.bak-1", ""));
    /* a swap of the two paths is no backup */
    CHECK(!cfg_is_backup_of("opensips.cfg", "opensips.cfg.bak-20261118-223000"));

    /* what the opensips-mcp://cfg/{file} resource serves: configs and their backups only */
    CHECK(cfg_is_config_name("opensips.cfg"));
    CHECK(cfg_is_config_name("opensips.cfg.m4"));
    CHECK(cfg_is_config_name("local.cfg.m4"));
    CHECK(cfg_is_config_name("a.m4"));
    CHECK(cfg_is_config_name("opensips.cfg.bak-20261118-223000"));
    CHECK(cfg_is_config_name("opensips.cfg.bak-20261118-223000-2"));
    CHECK(cfg_is_config_name("opensips.cfg.m4.bak-manual"));
    CHECK(!cfg_is_config_name("opensips.cfg.bak-")); /* no backup of anything */
    CHECK(!cfg_is_config_name("session.json"));
    CHECK(!cfg_is_config_name("scenario.xml"));
    CHECK(!cfg_is_config_name("opensips.cfg.old"));
    CHECK(!cfg_is_config_name("opensips.cfgx"));
    CHECK(!cfg_is_config_name("notes.bak-1"));
    CHECK(!cfg_is_config_name(".cfg"));
    CHECK(!cfg_is_config_name(".hidden.cfg"));
    CHECK(!cfg_is_config_name(".rootfile-x.cfg"));
    CHECK(!cfg_is_config_name("dir/opensips.cfg")); /* one component */
    CHECK(!cfg_is_config_name(""));
    CHECK(!cfg_is_config_name("cfg"));
    CHECK(!cfg_is_config_name("x.cfg.bakx"));
}

/* cfg_redact_urls on s: the text shown and the count */
static void redacts(const char *s, const char *want, unsigned count)
{
    size_t n;
    unsigned k;
    char *got = cfg_redact_urls(s, strlen(s), &n, &k);
    CHECK(got != NULL);
    CHECK_STR(got, want);
    CHECK(n == strlen(want));
    CHECK(k == count);
    free(got);
}

static void test_redact(void)
{
    redacts("modparam(\"usrloc\", \"db_url\", \"mysql://opensips:opensipsrw@localhost/opensips\")",
            "modparam(\"usrloc\", \"db_url\", \"mysql://opensips:***@localhost/opensips\")", 1);
    redacts("a postgres://u:p@h/d b mysql://v:longer-secret@h2/d2",
            "a postgres://u:***@h/d b mysql://v:***@h2/d2", 2);
    redacts("://:p@", "://:***@", 1); /* the shortest grows the most */
    redacts("://:p@://:p@://:p@", "://:***@://:***@://:***@", 3);
    /* no password, no userinfo, or not a URL's: as is */
    redacts("mysql://opensips@localhost/db", "mysql://opensips@localhost/db", 0);
    redacts("sip:alice:x@example.com", "sip:alice:x@example.com", 0);
    redacts("http://host:8888/mi user@x", "http://host:8888/mi user@x", 0);
    redacts("udp:127.0.0.1:5060", "udp:127.0.0.1:5060", 0);
    redacts("x://a:@h", "x://a:@h", 0);
    redacts("", "", 0);
    redacts("://", "://", 0);
}

int main(void)
{
    test_names();
    test_redact();
    if (access("/usr/bin/m4", X_OK) != 0) {
        fprintf(stderr, "cfg_files: m4 is not installed; the m4 tests are skipped\n");
        return check_done("cfg_files");
    }
    snprintf(dir, sizeof(dir), "/tmp/test_cfg_files_XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    test_render();
    test_attacks();
    test_bounds();
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("cfg_files");
}
