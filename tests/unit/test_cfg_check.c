/* Unit tests for cfg/check: the stderr of the real `opensips -C` of 4.0.1 and 3.6.8, recorded
 * in tests/unit/data/cfg_check/ (a syntax error, a missing module, an unknown modparam, an
 * unknown function, a missing file, a valid config), parsed into {file, line, column, message};
 * odd lines (no log prefix, a dump line, huge numbers, warnings, too many errors); and real runs
 * of both binaries on a valid and an invalid config, a missing binary and missing arguments. */
#include "cfg/check.h"
#include "cfg/templates.h"
#include "cfg_fixture.h"
#include "cfg_prefix.h"
#include "check.h"

#define DATA "tests/unit/data/cfg_check/"

static char errbuf[1024];

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open '%s' (run from the repository's top)\n", path);
        return NULL;
    }
    char *buf = malloc(1 << 16);
    *len = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    if (buf)
        buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void parse_file(const char *name, const char *v, struct cfg_check_result *r)
{
    char path[256];
    snprintf(path, sizeof(path), DATA "%s-%s.stderr", name, v);
    size_t len = 0;
    char *text = slurp(path, &len);
    memset(r, 0, sizeof(*r));
    CHECK(text && cfg_check_parse(text, len, r) == CFG_OK);
    free(text);
}

static bool err_is(const struct cfg_check_result *r, size_t i, const char *file, unsigned line,
                   unsigned col, unsigned col_end, const char *msg)
{
    if (i >= r->n_errors)
        return false;
    const struct cfg_check_error *e = &r->errors[i];
    if (file ? !check_str(e->file, file) : e->file != NULL)
        return false;
    return e->line == line && e->column == col && e->column_end == col_end &&
           check_str(e->message, msg);
}

static void test_recorded(const char *v)
{
    struct cfg_check_result r;
    char file[64];

    parse_file("syntax", v, &r); /* reported twice by yyerror; the empty second one dropped */
    snprintf(file, sizeof(file), "bad1-%s.cfg", v);
    CHECK(r.n_errors == 1 && err_is(&r, 0, file, 20, 13, 16, "syntax error"));
    cfg_check_result_release(&r);

    parse_file("missing-module", v, &r);
    snprintf(file, sizeof(file), "bad2-%s.cfg", v);
    CHECK(r.n_errors == 2);
    CHECK(err_is(&r, 0, NULL, 0, 0, 0, "failed to load module 'nosuch.so' - not found"));
    CHECK(err_is(&r, 1, file, 50, 13, 14, "failed to load module nosuch.so"));
    cfg_check_result_release(&r);

    parse_file("unknown-param", v, &r);
    snprintf(file, sizeof(file), "bad3-%s.cfg", v);
    CHECK(r.n_errors == 2);
    CHECK(err_is(&r, 0, NULL, 0, 0, 0, "parameter <nosuchparam> not found in module <tm>"));
    CHECK(err_is(&r, 1, file, 54, 19, 20,
                 "Parameter <nosuchparam> not found in module <tm> - can't set"));
    cfg_check_result_release(&r);

    parse_file("unknown-function", v, &r);
    snprintf(file, sizeof(file), "bad4-%s.cfg", v);
    CHECK(r.n_errors == 4);
    CHECK(err_is(&r, 0, file, 2, 14, 15, "unknown command <nosuchfunc>, missing loadmodule?"));
    CHECK(err_is(&r, 1, file, 5, 14, 15, "syntax error"));
    CHECK(err_is(&r, 2, file, 5, 14, 15, "bare word <x> found, command calls need '()'"));
    CHECK(err_is(&r, 3, file, 5, 14, 15, "bad command: missing ';'?"));
    cfg_check_result_release(&r);

    parse_file("no-file", v, &r);
    CHECK(r.n_errors == 1 &&
          err_is(&r, 0, NULL, 0, 0, 0,
                 "loading config file /nonexistent.cfg: No such file or directory"));
    cfg_check_result_release(&r);

    parse_file("ok", v, &r);
    CHECK(r.n_errors == 0 && r.n_warnings == 0);
    cfg_check_result_release(&r);
}

static void test_odd(void)
{
    const char text[] =
        "not a log line: parse error in x.cfg:1:2-3: nothing\n"
        "\n"
        "Dec  1 21:39:58 [1] CRITICAL:parse error in dump.cfg:1:1: a dumped config line\n"
        "Dec  1 21:39:58 [1] CRITICAL:core:yyerror: parse error in a:b.cfg:7:99999999999-2: x\n"
        "Dec  1 21:39:58 [1] CRITICAL:core:yyerror: parse error in a:b.cfg:7:3: msg: with: colons\n"
        "Dec  1 21:39:58 [1] CRITICAL:core:yyerror: parse error in no position\n"
        "Dec  1 21:39:58 [1] WARNING:core:yywarn: warning in config file w.cfg, line 4, column "
        "2-9: deprecated thing\n"
        "Dec  1 21:39:58 [1] WARNING:core:x: something else\n"
        "Dec  1 21:39:58 [1] ERROR:core:main: plain\r\n"
        "Dec  1 21:39:58 [1] NOTICE:core:main: Exiting....\n"
        "Dec  1 21:39:58 [1] ERROR:core:main: no newline at the end";
    struct cfg_check_result r = {0};
    CHECK(cfg_check_parse(text, sizeof(text) - 1, &r) == CFG_OK);
    CHECK(r.n_errors == 5);
    /* an overflowing column is no position: the text after "in " is the message */
    CHECK(err_is(&r, 0, NULL, 0, 0, 0, "a:b.cfg:7:99999999999-2: x"));
    CHECK(err_is(&r, 1, "a:b.cfg", 7, 3, 0, "msg: with: colons"));
    CHECK(err_is(&r, 2, NULL, 0, 0, 0, "no position"));
    CHECK(err_is(&r, 3, NULL, 0, 0, 0, "plain"));
    CHECK(err_is(&r, 4, NULL, 0, 0, 0, "no newline at the end"));
    CHECK(r.n_warnings == 2);
    CHECK(r.n_warnings == 2 && check_str(r.warnings[0].file, "w.cfg") &&
          r.warnings[0].line == 4 && r.warnings[0].column == 2 &&
          r.warnings[0].column_end == 9 && check_str(r.warnings[0].message, "deprecated thing"));
    CHECK(r.n_warnings == 2 && !r.warnings[1].file &&
          check_str(r.warnings[1].message, "something else"));
    cfg_check_result_release(&r);

    /* bounded: errors past the limit are counted as truncated, a long message is cut */
    size_t n = (CFG_CHECK_ERRORS_MAX + 10) * 64 + 2048;
    char *many = malloc(n), *p = many;
    CHECK(many != NULL);
    if (!many)
        return;
    for (int i = 0; i < CFG_CHECK_ERRORS_MAX + 10; i++)
        p += snprintf(p, n - (size_t)(p - many), "Dec  1 21:39:58 [1] ERROR:core:x: e%d\n", i);
    p += snprintf(p, n - (size_t)(p - many), "Dec  1 21:39:58 [1] ERROR:core:x: ");
    memset(p, 'm', 1000);
    p[1000] = '\0';
    p += 1000;
    CHECK(cfg_check_parse(many, (size_t)(p - many), &r) == CFG_OK);
    CHECK(r.n_errors == CFG_CHECK_ERRORS_MAX && r.errors_truncated);
    cfg_check_result_release(&r);
    CHECK(cfg_check_parse(p - 1000 - 34, 1034, &r) == CFG_OK);
    CHECK(r.n_errors == 1 && strlen(r.errors[0].message) == CFG_CHECK_MESSAGE_MAX);
    cfg_check_result_release(&r);
    free(many);
}

static void test_real(const char *v)
{
    char prefix[4096], bin[4200], dir_buf[64];
    if (!cfg_prefix(v, prefix, sizeof(prefix)))
        return;
    snprintf(bin, sizeof(bin), "%s/sbin/opensips", prefix);
    char *dir = cfg_fixture_dir(dir_buf, sizeof(dir_buf));
    CHECK(dir != NULL);
    if (!dir)
        return;
    char cfg[8400];
    snprintf(cfg, sizeof(cfg),
             "mpath=\"%s/lib64/opensips/modules/\"\n"
             "socket=udp:127.0.0.1:5060\n"
             "loadmodule \"proto_udp.so\"\n"
             "loadmodule \"sl.so\"\n"
             "route{\n\tsl_send_reply(404, \"Not here\");\n\texit;\n}\n",
             prefix);
    cfg_fixture_write(dir, "ok.cfg", cfg);
    /* an unknown function: the column is past the token (cfg/check.h) */
    snprintf(cfg, sizeof(cfg),
             "mpath=\"%s/lib64/opensips/modules/\"\n"
             "socket=udp:127.0.0.1:5060\n"
             "loadmodule \"proto_udp.so\"\n"
             "route{\n\tnosuchfunc();\n\texit;\n}\n",
             prefix);
    cfg_fixture_write(dir, "bad.cfg", cfg);
    char ok[4200], bad[4200];
    snprintf(ok, sizeof(ok), "%s/ok.cfg", dir);
    snprintf(bad, sizeof(bad), "%s/bad.cfg", dir);

    struct cfg_check_result r;
    CHECK(cfg_check(bin, ok, 0, &r, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(r.ok && r.exit_status == 0 && !r.timed_out && r.n_errors == 0);
    CHECK_CONTAINS(r.err, "config file ok, exiting...");
    CHECK_CONTAINS(r.out, "Listening on");
    cfg_check_result_release(&r);

    CHECK(cfg_check(bin, bad, 0, &r, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(!r.ok && r.exit_status == 255 && r.n_errors == 1);
    CHECK(err_is(&r, 0, bad, 5, 13, 14, "unknown command <nosuchfunc>, missing loadmodule?"));
    cfg_check_result_release(&r);

    char missing[4200];
    snprintf(missing, sizeof(missing), "%s/missing.cfg", dir);
    CHECK(cfg_check(bin, missing, 0, &r, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(!r.ok && r.exit_status == 255 && r.n_errors == 1 && !r.errors[0].file &&
          check_contains(r.errors[0].message, "No such file or directory"));
    cfg_check_result_release(&r);
    cfg_fixture_rm(dir);
}

static void test_bad_calls(void)
{
    struct cfg_check_result r;
    CHECK(cfg_check("/nonexistent/sbin/opensips", "/tmp/x.cfg", 0, &r, errbuf,
                    sizeof(errbuf)) == CFG_ERR_NOT_FOUND);
    CHECK_CONTAINS(errbuf, "/nonexistent/sbin/opensips");
    cfg_check_result_release(&r);
    CHECK(cfg_check("opensips", "", 0, &r, errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK_STR(errbuf, "no config file given to check with");
    CHECK(cfg_check(NULL, "/tmp/x.cfg", 0, &r, errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK_CONTAINS(cfg_check_note, "fixups");
    CHECK_CONTAINS(cfg_check_note, "mod_init");
    CHECK_CONTAINS(cfg_check_note, "databases");
}

int main(void)
{
    for (size_t i = 0; i < sizeof(cfg_versions) / sizeof(*cfg_versions); i++)
        test_recorded(cfg_versions[i]);
    test_odd();
    for (size_t i = 0; i < sizeof(cfg_versions) / sizeof(*cfg_versions); i++)
        test_real(cfg_versions[i]);
    test_bad_calls();
    return check_done("test_cfg_check");
}
