/* Unit tests for cfg/templates: the share directory found from a binary, a prefix or itself; the
 * real templates of OpenSIPS 4.0.1 and 3.6.8 listed with their flags (the two traps included);
 * fixture templates for the scan's rules (top-level and conditional defines, comments, dnl, a
 * flag defined but never tested, a test of a name nothing defines); a clear error when there is
 * no template, a symbolic link, and the flag limit. */
#include <unistd.h>

#include "cfg/templates.h"
#include "cfg_fixture.h"
#include "cfg_prefix.h"
#include "check.h"

static char errbuf[1024];

static bool uses_line(const struct cfg_flag *f, unsigned line)
{
    for (size_t i = 0; f && i < f->n_uses; i++)
        if (f->uses[i] == line)
            return true;
    return false;
}

static void test_real(const char *v)
{
    char prefix[4096], bin[4200];
    if (!cfg_prefix(v, prefix, sizeof(prefix)))
        return;
    snprintf(bin, sizeof(bin), "%s/sbin/opensips", prefix);
    char *dir = NULL;
    CHECK(cfg_share_dir_resolve(bin, &dir, errbuf, sizeof(errbuf)) == CFG_OK);
    char want[4200];
    snprintf(want, sizeof(want), "%s/share/opensips", prefix);
    CHECK_STR(dir, want);
    char *dir2 = NULL;
    CHECK(cfg_share_dir_resolve(prefix, &dir2, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK_STR(dir2, want);
    free(dir2);
    CHECK(cfg_share_dir_resolve(want, &dir2, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK_STR(dir2, want);
    free(dir2);

    struct cfg_templates t;
    CHECK(cfg_templates_load(dir, &t, errbuf, sizeof(errbuf)) == CFG_OK);
    /* both versions install both sets: the 3.6.8 tarball has examples/templates/ too, although
     * config-templates.md §1 says the set is new in 4.0 */
    CHECK(t.n == 6);
    const char *names[] = {"examples/loadbalancer", "examples/residential", "examples/trunking",
                           "menuconfig/loadbalancer", "menuconfig/residential",
                           "menuconfig/trunking"};
    for (size_t i = 0; i < 6 && i < t.n; i++)
        CHECK_STR(t.items[i].name, names[i]);
    CHECK(!cfg_templates_find(&t, "residential"));

    const struct cfg_template *ex = cfg_templates_find(&t, "examples/residential");
    CHECK(ex && ex->set == CFG_SET_EXAMPLES && !ex->defs_file);
    const struct cfg_flag *f = ex ? cfg_template_flag(ex, "USE_AUTH") : NULL;
    CHECK(f && check_str(f->default_value, "no") && f->overridden_by_template &&
          !f->defined_in_defs && !f->no_effect && f->n_uses > 0 && f->defined_line > 0);
    CHECK(f && check_contains(f->comment, "authenticate"));
    f = ex ? cfg_template_flag(ex, "LISTEN_IP") : NULL;
    CHECK(f && check_str(f->default_value, "127.0.0.1") && f->overridden_by_template &&
          f->n_uses >= 3);
    f = ex ? cfg_template_flag(ex, "DB_NEEDED") : NULL; /* set by the template from others */
    CHECK(f && f->internal && !f->default_value && !f->overridden_by_template && f->n_uses > 0);
    CHECK(ex && !cfg_template_flag(ex, "ifelse") && !cfg_template_flag(ex, "loadmodule"));

    const struct cfg_template *mc = cfg_templates_find(&t, "menuconfig/residential");
    CHECK(mc && mc->set == CFG_SET_MENUCONFIG && check_contains(mc->defs_file, "_def.m4"));
    f = mc ? cfg_template_flag(mc, "USE_AUTH") : NULL;
    CHECK(f && check_str(f->default_value, "no") && f->defined_in_defs &&
          !f->overridden_by_template && f->n_uses > 0 && f->defined_line == 5);
    f = mc ? cfg_template_flag(mc, "USE_DR_PSTN") : NULL;
    CHECK(f && uses_line(f, 76)); /* ifelse(USE_DR_PSTN,`yes',`ifelse(HAVE_INBOUND_PSTN,... */

    /* the load-balancer trap, in both sets */
    for (int s = 0; s < 2; s++) {
        const struct cfg_template *lb =
            cfg_templates_find(&t, s ? "menuconfig/loadbalancer" : "examples/loadbalancer");
        f = lb ? cfg_template_flag(lb, "DISABLE_PINGING") : NULL;
        CHECK(f && check_str(f->default_value, "yes") && f->no_effect && f->n_uses == 0);
        f = lb ? cfg_template_flag(lb, "DISABLE_PROBING") : NULL;
        CHECK(f && !f->default_value && !f->no_effect && !f->internal && f->n_uses == 2);
        f = lb ? cfg_template_flag(lb, "USE_DISPATCHER") : NULL;
        CHECK(f && !f->no_effect && f->n_uses > 3);
    }
    cfg_templates_release(&t);
    free(dir);
}

static const char fixture[] =
    "divert(-1)\n"                                           /* 1 */
    "define(`TOP', `no') # the top flag\n"                   /* 2 */
    "define(`DEAD', `yes') # defined, never tested\n"        /* 3 */
    "define(`VAL', `a:LISTEN:b')\n"                          /* 4 */
    "divert(0)dnl\n"                                         /* 5 */
    "# ifelse(INCOMMENT, `yes', `x')\n"                      /* 6 */
    "ifelse(TOP, `yes', `define(`HELPER', `yes')')dnl\n"     /* 7 */
    "ifdef(`HELPER', `helper on')\n"                         /* 8 */
    "ifelse(GHOST, `yes', `ghost') dnl GHOST TOP\n"          /* 9 */
    "v=VAL TOP\n";                                           /* 10 */

static void test_fixture(void)
{
    char buf[64], *dir = cfg_fixture_dir(buf, sizeof(buf));
    CHECK(dir != NULL);
    if (!dir)
        return;
    cfg_fixture_write(dir, "examples/templates/fix.m4", fixture);
    cfg_fixture_write(dir, "examples/templates/README.md", "not a template\n");
    cfg_fixture_write(dir, "menuconfig_templates/opensips_mc.m4",
                      "ifelse(MC, `yes', `mc on')\nifelse(OWN, `yes', `own')\n"
                      "define(`OWN', `no')\n");
    cfg_fixture_write(dir, "menuconfig_templates/opensips_mc_def.m4",
                      "divert(-1)\ndefine(`MC', `no') # menu flag\ndefine(`OWN', `yes')\n"
                      "divert");
    struct cfg_templates t;
    CHECK(cfg_templates_load(dir, &t, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(t.n == 2);
    const struct cfg_template *x = cfg_templates_find(&t, "examples/fix");
    CHECK(x != NULL);
    if (x) {
        const struct cfg_flag *f = cfg_template_flag(x, "TOP");
        CHECK(f && check_str(f->default_value, "no") && f->defined_line == 2 &&
              f->overridden_by_template && check_str(f->comment, "the top flag"));
        CHECK(f && f->n_uses == 2 && uses_line(f, 7) && uses_line(f, 10) && !uses_line(f, 9));
        f = cfg_template_flag(x, "DEAD");
        CHECK(f && f->no_effect && f->n_uses == 0 && f->overridden_by_template);
        f = cfg_template_flag(x, "VAL");
        CHECK(f && check_str(f->default_value, "a:LISTEN:b") && uses_line(f, 10));
        f = cfg_template_flag(x, "HELPER");
        CHECK(f && f->internal && !f->default_value && f->n_uses == 1 && uses_line(f, 8));
        f = cfg_template_flag(x, "GHOST");
        CHECK(f && !f->default_value && !f->internal && !f->no_effect && f->n_uses == 1);
        CHECK(!cfg_template_flag(x, "INCOMMENT"));  /* '#' comment */
        CHECK(!cfg_template_flag(x, "LISTEN"));     /* a word, but never defined or tested */
    }
    const struct cfg_template *m = cfg_templates_find(&t, "menuconfig/mc");
    CHECK(m && m->defs_file);
    if (m) {
        const struct cfg_flag *f = cfg_template_flag(m, "MC");
        CHECK(f && f->defined_in_defs && !f->overridden_by_template && f->defined_line == 2 &&
              check_str(f->comment, "menu flag") && uses_line(f, 1));
        /* the template's own define() wins over its _def.m4 (it runs later) */
        f = cfg_template_flag(m, "OWN");
        CHECK(f && f->overridden_by_template && !f->defined_in_defs &&
              check_str(f->default_value, "no") && f->defined_line == 3);
    }
    cfg_templates_release(&t);

    /* a template that is a symbolic link is refused, naming it */
    char target[4200], link[4200];
    snprintf(target, sizeof(target), "%s/examples/templates/fix.m4", dir);
    snprintf(link, sizeof(link), "%s/examples/templates/linked.m4", dir);
    CHECK(symlink(target, link) == 0);
    CHECK(cfg_templates_load(dir, &t, errbuf, sizeof(errbuf)) == CFG_ERR_IO);
    CHECK_CONTAINS(errbuf, "linked.m4");
    cfg_templates_release(&t);
    cfg_fixture_rm(dir);
}

static void test_none(void)
{
    char buf[64], *dir = cfg_fixture_dir(buf, sizeof(buf));
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *share = NULL;
    CHECK(cfg_share_dir_resolve(dir, &share, errbuf, sizeof(errbuf)) == CFG_ERR_NOT_FOUND);
    CHECK(!share);
    CHECK_CONTAINS(errbuf, "no OpenSIPS config templates for");
    CHECK_CONTAINS(errbuf, "menuconfig_templates/");
    CHECK(cfg_share_dir_resolve("/nonexistent/sbin/opensips", &share, errbuf,
                                sizeof(errbuf)) == CFG_ERR_NOT_FOUND);
    CHECK(cfg_share_dir_resolve("", &share, errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);

    struct cfg_templates t;
    CHECK(cfg_templates_load(dir, &t, errbuf, sizeof(errbuf)) == CFG_ERR_NOT_FOUND);
    CHECK_CONTAINS(errbuf, "no OpenSIPS config templates in");
    cfg_templates_release(&t);
    cfg_fixture_write(dir, "examples/templates/README.md", "only a readme\n");
    CHECK(cfg_templates_load(dir, &t, errbuf, sizeof(errbuf)) == CFG_ERR_NOT_FOUND);
    cfg_templates_release(&t);
    CHECK(cfg_templates_load("relative/dir", &t, errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    cfg_templates_release(&t);
    cfg_fixture_rm(dir);
}

static void test_limits(void)
{
    size_t n = (CFG_FLAGS_MAX + 1) * 24 + 1;
    char *text = malloc(n), *p = text;
    CHECK(text != NULL);
    if (!text)
        return;
    for (int i = 0; i <= CFG_FLAGS_MAX; i++)
        p += snprintf(p, n - (size_t)(p - text), "ifdef(`F%d', `x')\n", i);
    struct cfg_template t = {.name = "big"};
    CHECK(cfg_template_scan(&t, text, NULL, errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK_CONTAINS(errbuf, "more than 256 flags");
    CHECK(t.n_flags == 0 && !t.flags);
    free(text);

    CHECK(cfg_flag_name_valid("USE_AUTH") && cfg_flag_name_valid("_x1"));
    CHECK(!cfg_flag_name_valid("1X") && !cfg_flag_name_valid("A-B") && !cfg_flag_name_valid("") &&
          !cfg_flag_name_valid(NULL));
    char longname[CFG_NAME_MAX + 2];
    memset(longname, 'A', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    CHECK(!cfg_flag_name_valid(longname));
    /* a name too long to choose is not a flag (the fuzzer's first finding) */
    char longtext[CFG_NAME_MAX + 64];
    snprintf(longtext, sizeof(longtext), "ifdef(`%s', `x')\nifelse(OK, `yes')\n", longname);
    struct cfg_template lt = {.name = "long"};
    CHECK(cfg_template_scan(&lt, longtext, NULL, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(lt.n_flags == 1 && check_str(lt.flags[0].name, "OK"));
    cfg_template_flags_release(&lt);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(cfg_versions) / sizeof(*cfg_versions); i++)
        test_real(cfg_versions[i]);
    test_fixture();
    test_none();
    test_limits();
    return check_done("test_cfg_templates");
}
