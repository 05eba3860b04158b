/* Unit tests for cfg/compose: flags as NAME or NAME=VALUE (case ignored, WITH_* mapped with a
 * note), unknown flags naming the template's own, duplicates and the limit; site parameters
 * (the Python server's keys mapped, a key without counterpart noted, MPATH kept); the
 * post-render fixes (mpath, db_mysql -> db_postgres) with their lines; modules and modparams
 * of a text; the module directory of an installation; template and flag suggestions from a
 * description; session ids. */
#include "cfg/compose.h"
#include "cfg/templates.h"
#include "cfg_prefix.h"
#include "check.h"

static char errbuf[1024];

static const char tmpl[] =
    "divert(-1)\n"
    "define(`LISTEN_IP', `127.0.0.1') # IP address\n"
    "define(`DB_URL', `mysql://x@y/z') # Database URL\n"
    "define(`USE_AUTH', `no') # authenticate\n"
    "define(`USE_DBACC', `no') # accounting\n"
    "define(`ENABLE_TLS', `no') # TLS\n"
    "divert(0)dnl\n"
    "ifelse(USE_AUTH, `yes', `a', `')ifelse(USE_DBACC, `yes', `b', `')\n"
    "ifelse(ENABLE_TLS, `yes', `c', `')ifelse(DISABLE_PROBING, `yes', `d', `')\n"
    "LISTEN_IP DB_URL\n";

static bool has_note(const struct cfg_compose *k, const char *s)
{
    for (size_t i = 0; i < k->n_notes; i++)
        if (check_contains(k->notes[i], s))
            return true;
    return false;
}

static void test_flags(const struct cfg_template *t)
{
    struct cfg_compose k;
    cfg_compose_init(&k, t);
    CHECK(cfg_compose_flag(&k, "use_auth", errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(cfg_compose_flag(&k, "WITH_ACCDB", errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(cfg_compose_flag(&k, "with_tls=no", errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(cfg_compose_flag(&k, "DB_URL=postgres://a@b/c", errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(k.n == 4);
    CHECK_STR(k.choices[0].name, "USE_AUTH");
    CHECK_STR(k.choices[0].value, "yes");
    CHECK_STR(k.choices[1].name, "USE_DBACC");
    CHECK_STR(k.choices[2].name, "ENABLE_TLS");
    CHECK_STR(k.choices[2].value, "no");
    CHECK(k.db_url && !strcmp(k.db_url, "postgres://a@b/c"));
    CHECK(has_note(&k, "WITH_ACCDB is USE_DBACC in template 'examples/t'"));
    CHECK(has_note(&k, "with_tls is ENABLE_TLS"));
    /* unknown, twice, empty */
    CHECK(cfg_compose_flag(&k, "WITH_NOPE", errbuf, sizeof(errbuf)) == CFG_ERR_NOT_FOUND);
    CHECK_CONTAINS(errbuf, "unknown flag 'WITH_NOPE' for template 'examples/t'; its flags are: "
                           "LISTEN_IP, DB_URL, USE_AUTH");
    CHECK(cfg_compose_flag(&k, "USE_AUTH=no", errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK_STR(errbuf, "flag 'USE_AUTH' is given twice (in flags)");
    CHECK(cfg_compose_flag(&k, "=yes", errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK_CONTAINS(errbuf, "has no name");
    /* site parameters */
    CHECK(cfg_compose_site(&k, "LISTEN", "192.0.2.1", errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(has_note(&k, "site parameter LISTEN is LISTEN_IP in template 'examples/t'"));
    CHECK(cfg_compose_site(&k, "TLS_CERT_PATH", "/x", errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(has_note(&k, "site parameter 'TLS_CERT_PATH' has no counterpart in template "
                       "'examples/t' and was ignored; its site values are: LISTEN_IP, DB_URL"));
    CHECK(cfg_compose_site(&k, "CHILDREN", "8", errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(has_note(&k, "site parameter 'CHILDREN' has no counterpart in template 'examples/t' "
                       "and was ignored"));
    CHECK(!check_contains(k.notes[k.n_notes - 1], "its site values")); /* said once */
    CHECK(cfg_compose_site(&k, "db_url", "mysql://q", errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK_STR(errbuf, "flag 'DB_URL' is given twice (in site_params)");
    CHECK(cfg_compose_site(&k, "MPATH", "/opt/m/", errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(k.mpath && !strcmp(k.mpath, "/opt/m/"));
    CHECK(cfg_compose_site(&k, "mpath", "a\"b", errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK(k.n == 5);
    /* the tested-only name is a flag too (DISABLE_PROBING) */
    CHECK(cfg_compose_flag(&k, "disable_probing", errbuf, sizeof(errbuf)) == CFG_OK);
    cfg_compose_release(&k);

    /* the limit */
    cfg_compose_init(&k, t);
    for (size_t i = 0; i < CFG_CHOICES_MAX; i++)
        k.choices[k.n++] = (struct cfg_choice){"X", strdup("v")};
    CHECK(cfg_compose_flag(&k, "USE_AUTH", errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK_CONTAINS(errbuf, "more than 64");
    cfg_compose_release(&k);

    CHECK_STR(cfg_flag_kind(cfg_template_flag(t, "USE_AUTH")), "switch");
    CHECK_STR(cfg_flag_kind(cfg_template_flag(t, "DB_URL")), "value");
    CHECK_STR(cfg_flag_kind(cfg_template_flag(t, "DISABLE_PROBING")), "undefined");
}

static void test_fixes(void)
{
    const char *in = "x=1\n  mpath=\"/usr/local/lib/opensips/modules/\"\nloadmodule \"db_mysql.so\"\n"
                     "loadmodule \"tm.so\"\nmodparam(\"tm\", \"a\", 1)\n modparam (\"x\",\"b\",2)\n";
    char *text = strdup(in);
    size_t len = strlen(text);
    struct cfg_fixes f;
    CHECK(cfg_fix_text(&text, &len, "/opt/os/lib64/opensips/modules/", NULL,
                       "postgresql://u@h/db", &f) == CFG_OK);
    CHECK_STR(text, "x=1\n  mpath=\"/opt/os/lib64/opensips/modules/\"\nloadmodule "
                    "\"db_postgres.so\"\nloadmodule \"tm.so\"\nmodparam(\"tm\", \"a\", 1)\n"
                    " modparam (\"x\",\"b\",2)\n");
    CHECK(len == strlen(text));
    CHECK(f.n == 2 && f.items[0].line == 2 && f.items[1].line == 3);
    CHECK_CONTAINS(f.items[0].what, "mpath \"/usr/local/lib/opensips/modules/\" set to "
                                    "\"/opt/os/lib64/opensips/modules/\", the module directory");
    CHECK_CONTAINS(f.items[1].what, "db_postgres.so");
    cfg_fixes_release(&f);
    /* MPATH wins; a mysql URL and a matching mpath change nothing */
    CHECK(cfg_fix_text(&text, &len, "/opt/os/lib64/opensips/modules/", "/m/", "mysql://x", &f) ==
          CFG_OK);
    CHECK(f.n == 1 && check_contains(f.items[0].what, "the site parameter MPATH"));
    CHECK_CONTAINS(text, "mpath=\"/m/\"\n");
    cfg_fixes_release(&f);
    char *before = strdup(text);
    CHECK(cfg_fix_text(&text, &len, "/m/", NULL, NULL, &f) == CFG_OK);
    CHECK(f.n == 0 && !strcmp(before, text));
    free(before);
    char **mods;
    long n = cfg_modules(text, &mods);
    CHECK(n == 2 && !strcmp(mods[0], "db_postgres") && !strcmp(mods[1], "tm"));
    cfg_modules_free(mods, (size_t)n);
    CHECK(cfg_modparams(text) == 2);
    free(text);
}

static void test_suggest(const struct cfg_template *t)
{
    char why[64], kw[8][64];
    CHECK_STR(cfg_suggest_template("A small PBX for 50 subscribers", why, sizeof(why)),
              "residential");
    CHECK_STR(why, "subscribers"); /* the first row that matched, in the description's words */
    CHECK_STR(cfg_suggest_template("SIP trunking to a carrier", why, sizeof(why)), "trunking");
    CHECK_STR(why, "trunking");
    CHECK_STR(cfg_suggest_template("Load balancer in front of Asterisk", why, sizeof(why)),
              "loadbalancer");
    CHECK_STR(why, "Load balancer");
    /* two trunking words against one residential word */
    CHECK_STR(cfg_suggest_template("subscribers reach the PSTN through a gateway", why,
                                   sizeof(why)), "trunking");
    CHECK_STR(cfg_suggest_template("something", why, sizeof(why)), "residential");
    CHECK_STR(why, "");
    const char *d = "Registrar with TLS, authentication, CDR accounting; behind NAT";
    const char *got[8] = {0};
    size_t n = 0;
    while (n < 8 && (got[n] = cfg_suggest_flag(t, d, n, kw[n], sizeof(kw[n]))))
        n++;
    CHECK(n == 3);
    CHECK_STR(got[0], "ENABLE_TLS");
    CHECK_STR(kw[0], "TLS");
    CHECK_STR(got[1], "USE_AUTH");
    CHECK_STR(kw[1], "authentication");
    CHECK_STR(got[2], "USE_DBACC"); /* accounting and CDR: once; NAT: USE_NAT not in t */
    CHECK_STR(kw[2], "accounting");
    CHECK(!cfg_suggest_flag(t, "national natural", 0, kw[0], sizeof(kw[0])));
}

static void test_ids(void)
{
    char a[CFG_SESSION_ID_LEN + 1], b[CFG_SESSION_ID_LEN + 1];
    CHECK(cfg_session_id_new(a) == 0 && cfg_session_id_new(b) == 0);
    CHECK(strlen(a) == 16 && cfg_session_id_valid(a) && strcmp(a, b));
    CHECK(!cfg_session_id_valid("../x"));
    CHECK(!cfg_session_id_valid("0123456789abcdeg"));
    CHECK(!cfg_session_id_valid("0123456789ABCDEF"));
    CHECK(!cfg_session_id_valid("0123456789abcdef0"));
    CHECK(!cfg_session_id_valid(""));
    CHECK(!cfg_session_id_valid(NULL));
}

static void test_module_dir(void)
{
    char prefix[4096], bin[4200];
    if (!cfg_prefix("4.0.1", prefix, sizeof(prefix)))
        return;
    snprintf(bin, sizeof(bin), "%s/sbin/opensips", prefix);
    char *d = cfg_module_dir(bin);
    CHECK(d && check_contains(d, "/lib64/opensips/modules/"));
    free(d);
    CHECK(cfg_module_dir("/nonexistent/sbin/opensips") == NULL);
}

int main(void)
{
    struct cfg_template t = {.name = "examples/t", .set = CFG_SET_EXAMPLES, .file = "/x/t.m4"};
    CHECK(cfg_template_scan(&t, tmpl, NULL, errbuf, sizeof(errbuf)) == CFG_OK);
    test_flags(&t);
    test_suggest(&t);
    cfg_template_flags_release(&t);
    test_fixes();
    test_ids();
    test_module_dir();
    return check_done("test_cfg_compose");
}
