/* Unit tests for cfg/render, through the real m4 (/usr/bin/m4): chosen flags change the text;
 * a flag the template define()s itself is rewritten in a copy (quote nesting, the rest of the line
 * kept) and takes effect; each kind of no-effect is reported with its reason (defined but never
 * tested, unknown, the default's value); values are text, never m4 code; bad names, values,
 * duplicates and too many choices are refused; a missing, a failing and a hanging m4 are clear
 * errors;
 * the real templates of 4.0.1 and 3.6.8: a choice works on examples/ and menuconfig/ alike,
 * DISABLE_PINGING is said to have no effect, the menuconfig defaults hold. */
#include <unistd.h>

#include "cfg/render.h"
#include "cfg/templates.h"
#include "cfg_fixture.h"
#include "cfg_prefix.h"
#include "check.h"

static char errbuf[1024];

static const char fixture[] =
    "divert(-1)\n"
    "define(`TOP', `no') # overridden by the template\n"
    "define(`DEAD', `yes') # never tested\n"
    "divert(0)dnl\n"
    "ifelse(ON, `yes', `on=1', `on=0')\n"
    "ifelse(TOP, `yes', `top=1', `top=0')\n"
    "ifelse(GHOST, `yes', `ghost=1', `ghost=0')\n"
    "v=VAL.\n";

static const struct cfg_no_effect *ne(const struct cfg_render_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_no_effect; i++)
        if (!strcmp(r->no_effect[i].name, name))
            return &r->no_effect[i];
    return NULL;
}

static int render(const struct cfg_template *t, const struct cfg_choice *c, size_t n,
                  struct cfg_render_result *r)
{
    errbuf[0] = '\0';
    return cfg_render(t, c, n, NULL, 0, r, errbuf, sizeof(errbuf));
}

static void test_fixture(void)
{
    char buf[64], *dir = cfg_fixture_dir(buf, sizeof(buf));
    CHECK(dir != NULL);
    if (!dir)
        return;
    cfg_fixture_write(dir, "examples/templates/fix.m4", fixture);
    cfg_fixture_write(dir, "examples/templates/fail.m4", "before\nm4exit(3)\n");
    cfg_fixture_write(dir, "examples/templates/hang.m4", "define(`L', `L')L\n");
    struct cfg_templates ts;
    CHECK(cfg_templates_load(dir, &ts, errbuf, sizeof(errbuf)) == CFG_OK);
    const struct cfg_template *t = cfg_templates_find(&ts, "examples/fix");
    CHECK(t != NULL);
    if (!t)
        goto out;
    struct cfg_render_result r;

    CHECK(render(t, NULL, 0, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "on=0\ntop=0\nghost=0\nv=VAL.\n");
    CHECK(r.n_no_effect == 0 && r.len == strlen(r.text));
    cfg_render_result_release(&r);

    struct cfg_choice on[] = {{"ON", "yes"}, {"VAL", "x:y@z/w"}};
    CHECK(render(t, on, 2, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "on=1\n");
    CHECK_CONTAINS(r.text, "v=x:y@z/w.\n");
    CHECK(r.n_no_effect == 0);
    cfg_render_result_release(&r);

    /* the template's own define() is rewritten: the choice takes effect */
    struct cfg_choice top[] = {{"TOP", "yes"}};
    CHECK(render(t, top, 1, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "on=0\ntop=1\nghost=0\n");
    CHECK(r.n_no_effect == 0);
    cfg_render_result_release(&r);

    /* every kind of no effect, each with its reason */
    struct cfg_choice none[] = {
        {"TOP", "no"}, {"DEAD", "no"}, {"NOPE", "yes"}, {"ON", "no"}, {"GHOST", "yes"}};
    CHECK(render(t, none, 5, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "top=0\n");
    CHECK_CONTAINS(r.text, "ghost=1\n");
    CHECK(r.n_no_effect == 4);
    const struct cfg_no_effect *x = ne(&r, "TOP");
    CHECK(x && check_contains(x->reason, "the text is the same without it: 'no'"));
    x = ne(&r, "DEAD");
    CHECK(x && check_contains(x->reason, "defines 'DEAD' but never tests it"));
    /* ON and GHOST are tested and not defined: named as what the template may mean */
    CHECK(x && check_contains(x->reason, "(it tests 'ON', 'GHOST', which nothing defines)"));
    x = ne(&r, "NOPE");
    CHECK(x && check_contains(x->reason, "does not use 'NOPE'"));
    x = ne(&r, "ON");
    CHECK(x && check_contains(x->reason, "the text is the same without it: 'no'"));
    CHECK(!ne(&r, "GHOST"));
    cfg_render_result_release(&r);

    /* a value is text: m4 words and parentheses in it do not run */
    struct cfg_choice code[] = {{"VAL", "dnl syscmd(touch /tmp/cfgtest-pwned) divert(-1)"}};
    CHECK(render(t, code, 1, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "v=dnl syscmd(touch /tmp/cfgtest-pwned) divert(-1).\n");
    CHECK(access("/tmp/cfgtest-pwned", F_OK) != 0);
    cfg_render_result_release(&r);
    /* the same through a rewritten define() */
    struct cfg_choice code2[] = {{"TOP", "dnl syscmd(touch /tmp/cfgtest-pwned)"}};
    CHECK(render(t, code2, 1, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "top=0\n");
    CHECK(access("/tmp/cfgtest-pwned", F_OK) != 0);
    cfg_render_result_release(&r);

    /* refused before m4 runs */
    struct cfg_choice bad[][1] = {{{"1X", "yes"}}, {{"A-B", "yes"}}, {{NULL, "yes"}},
                                  {{"ON", "`yes'"}}, {{"ON", "a'b"}}, {{"ON", "x # y"}},
                                  {{"ON", "a\nb"}}, {{"ON", NULL}}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        CHECK(render(t, bad[i], 1, &r) == CFG_ERR_INVALID);
        CHECK(!r.text);
        CHECK(check_prefix(errbuf, "bad flag name") || check_prefix(errbuf, "bad value"));
    }
    char longv[CFG_VALUE_MAX + 2];
    memset(longv, 'v', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    struct cfg_choice lv[] = {{"ON", longv}};
    CHECK(render(t, lv, 1, &r) == CFG_ERR_INVALID);
    struct cfg_choice twice[] = {{"ON", "yes"}, {"ON", "no"}};
    CHECK(render(t, twice, 2, &r) == CFG_ERR_INVALID);
    CHECK_STR(errbuf, "flag 'ON' chosen twice");
    struct cfg_choice many[CFG_CHOICES_MAX + 1];
    char names[CFG_CHOICES_MAX + 1][16];
    for (int i = 0; i <= CFG_CHOICES_MAX; i++) {
        snprintf(names[i], sizeof(names[i]), "F%d", i);
        many[i] = (struct cfg_choice){names[i], "yes"};
    }
    CHECK(render(t, many, CFG_CHOICES_MAX + 1, &r) == CFG_ERR_INVALID);
    CHECK_CONTAINS(errbuf, "at most 64");

    /* m4 missing, m4 failing */
    CHECK(cfg_render(t, NULL, 0, "/nonexistent/m4", 0, &r, errbuf, sizeof(errbuf)) ==
          CFG_ERR_NOT_FOUND);
    CHECK_CONTAINS(errbuf, "install the m4 package");
    const struct cfg_template *f = cfg_templates_find(&ts, "examples/fail");
    CHECK(f && render(f, NULL, 0, &r) == CFG_ERR_RUN);
    CHECK_CONTAINS(errbuf, "m4 failed on template 'examples/fail' (exit status 3)");
    CHECK(!r.text);
    /* a template m4 never finishes: the deadline ends it */
    const struct cfg_template *h = cfg_templates_find(&ts, "examples/hang");
    CHECK(h && cfg_render(h, NULL, 0, NULL, 300, &r, errbuf, sizeof(errbuf)) == CFG_ERR_RUN);
    CHECK_CONTAINS(errbuf, "m4 on template 'examples/hang' did not finish before its deadline");
    CHECK(!r.text);
out:
    cfg_templates_release(&ts);
    cfg_fixture_rm(dir);
}

static void test_rewrite(void)
{
    static const char text[] =
        "divert(-1)\n"
        "define(`A', `no') # keep me\n"
        "  define(B, yes)dnl\n"
        "define(`C', `x`nested'y') # after\n"
        "define(`D', `multi\nline') tail\n"
        "define(`E')\n"
        "ifelse(A, `yes', `define(`A', `no')')\n"
        "define(`AB', `no')\n";
    struct cfg_choice c[] = {{"A", "yes"}, {"B", "v1"}, {"C", "v2"}, {"D", "v3"}, {"E", "v4"}};
    char *out = NULL;
    size_t len = 0;
    CHECK(cfg_template_rewrite(text, strlen(text), c, 5, 5, &out, &len) == CFG_OK);
    CHECK(out && len == strlen(out));
    CHECK_STR(out, "divert(-1)\n"
                   "define(`A', ``yes'') # keep me\n"
                   "  define(B, ``v1'')dnl\n"
                   "define(`C', ``v2'') # after\n"
                   "define(`D', ``v3'') tail\n"
                   "define(`E', ``v4'')\n"
                   "ifelse(A, `yes', `define(`A', `no')')\n"
                   "define(`AB', `no')\n");
    free(out);
    /* c[0] skipped: A keeps its value; nothing chosen: no copy */
    CHECK(cfg_template_rewrite(text, strlen(text), c, 1, 0, &out, &len) == CFG_OK);
    CHECK(out == NULL && len == 0);
    struct cfg_choice other[] = {{"Z", "yes"}};
    CHECK(cfg_template_rewrite(text, strlen(text), other, 1, 1, &out, &len) == CFG_OK);
    CHECK(out == NULL);
    /* an unclosed quote is left alone */
    static const char open_q[] = "define(`A', `no\n";
    CHECK(cfg_template_rewrite(open_q, strlen(open_q), c, 1, 1, &out, &len) == CFG_OK);
    CHECK(out == NULL);
}

static void test_real(const char *v)
{
    char prefix[4096], *dir = NULL;
    if (!cfg_prefix(v, prefix, sizeof(prefix)))
        return;
    struct cfg_templates ts;
    CHECK(cfg_share_dir_resolve(prefix, &dir, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(cfg_templates_load(dir, &ts, errbuf, sizeof(errbuf)) == CFG_OK);
    free(dir);
    struct cfg_render_result r;
    struct cfg_choice auth[] = {{"USE_AUTH", "yes"}};

    /* trap 1: the example template's own define() would overwrite -D; it is rewritten, so
     * the choice adds the auth modules, and a site value lands in the text */
    const struct cfg_template *ex = cfg_templates_find(&ts, "examples/residential");
    CHECK(ex != NULL);
    if (ex) {
        CHECK(render(ex, NULL, 0, &r) == CFG_OK);
        CHECK(!check_contains(r.text, "loadmodule \"auth_db.so\""));
        cfg_render_result_release(&r);
        struct cfg_choice ex_auth[] = {{"USE_AUTH", "yes"}, {"LISTEN_IP", "192.0.2.7"}};
        CHECK(render(ex, ex_auth, 2, &r) == CFG_OK);
        CHECK_CONTAINS(r.text, "loadmodule \"auth.so\"");
        CHECK_CONTAINS(r.text, "loadmodule \"auth_db.so\"");
        CHECK_CONTAINS(r.text, "socket=udp:192.0.2.7:5060");
        CHECK(r.n_no_effect == 0);
        cfg_render_result_release(&r);
    }

    /* the menuconfig template takes -D: its defaults come from _def.m4 as -D too */
    const struct cfg_template *mc = cfg_templates_find(&ts, "menuconfig/residential");
    CHECK(mc && render(mc, auth, 1, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "loadmodule \"auth_db.so\"");
    CHECK(r.n_no_effect == 0);
    cfg_render_result_release(&r);

    /* trap 2: DISABLE_PINGING; the defaults keep dialog and load_balancer loaded (without the
     * _def.m4 values USE_DISPATCHER would be undefined and dialog.so would be dropped) */
    const struct cfg_template *lb = cfg_templates_find(&ts, "menuconfig/loadbalancer");
    struct cfg_choice ping[] = {{"DISABLE_PINGING", "no"}};
    CHECK(lb && render(lb, ping, 1, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "loadmodule \"dialog.so\"");
    CHECK_CONTAINS(r.text, "loadmodule \"load_balancer.so\"");
    CHECK_CONTAINS(r.text, "\"probing_interval\", 30)");
    CHECK(r.n_no_effect == 1 && ne(&r, "DISABLE_PINGING") &&
          check_contains(ne(&r, "DISABLE_PINGING")->reason,
                         "never tests it (it tests 'DISABLE_PROBING', which nothing defines)"));
    cfg_render_result_release(&r);
    struct cfg_choice probe[] = {{"DISABLE_PROBING", "yes"}};
    CHECK(lb && render(lb, probe, 1, &r) == CFG_OK);
    CHECK_CONTAINS(r.text, "\"probing_interval\", 0)");
    CHECK(r.n_no_effect == 0);
    cfg_render_result_release(&r);
    cfg_templates_release(&ts);
}

int main(void)
{
    test_fixture();
    test_rewrite();
    for (size_t i = 0; i < sizeof(cfg_versions) / sizeof(*cfg_versions); i++)
        test_real(cfg_versions[i]);
    return check_done("test_cfg_render");
}
