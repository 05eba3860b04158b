/* Unit tests for cfg/migrate: every rule of the table fires on a script written for it (and the
 * test fails when a rule is never seen), comments and strings, several findings on one line,
 * line and column, modparam's module as OpenSIPS matches it, included files, idempotence (the plan of migrated_content rewrites nothing), the hops and
 * their notes, bad versions, the input limits and long lines; and the proof on the real
 * OpenSIPS builds: the 3.6 scripts of tests/unit/data/cfg_migrate/ pass 3.6.8's `opensips -C`,
 * fail 4.0.1's, and pass it once migrated; create_dialog("B"), which -C cannot see, stops 4.0.1
 * at startup and its migrated form starts. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg/check.h"
#include "cfg/migrate.h"
#include "cfg/templates.h"
#include "cfg_fixture.h"
#include "cfg_prefix.h"
#include "check.h"

#define DATA "tests/unit/data/cfg_migrate/"

static char errbuf[1024];
static bool seen[256]; /* rule ids seen in some finding, by index in the table */

static void mark_seen(const struct cfg_migrate_plan *p)
{
    for (size_t i = 0; i < p->n_findings; i++)
        for (size_t k = 0; k < cfg_migrate_rule_count() && k < 256; k++)
            if (!strcmp(cfg_migrate_rule_id(k, NULL, NULL, NULL), p->findings[i].rule))
                seen[k] = true;
}

/* Plan text from..to; CFG_OK expected. */
static void plan(const char *text, const char *from, const char *to, struct cfg_migrate_plan *p)
{
    int rc = cfg_migrate_plan(text, strlen(text), from, to, p, errbuf, sizeof(errbuf));
    CHECK(rc == CFG_OK);
    if (rc != CFG_OK)
        fprintf(stderr, "  plan failed: %s\n", errbuf);
    mark_seen(p);
}

/* The index of the first finding of rule id (from index `after`), or -1. */
static long find(const struct cfg_migrate_plan *p, const char *id, size_t after)
{
    for (size_t i = after; i < p->n_findings; i++)
        if (!strcmp(p->findings[i].rule, id))
            return (long)i;
    return -1;
}

static size_t count(const struct cfg_migrate_plan *p, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_findings; i++)
        n += !strcmp(p->findings[i].rule, id);
    return n;
}

static bool at(const struct cfg_migrate_plan *p, const char *id, unsigned line, unsigned col,
               enum cfg_migrate_kind kind, const char *text)
{
    long i = find(p, id, 0);
    if (i < 0) {
        fprintf(stderr, "  no finding of %s\n", id);
        return false;
    }
    const struct cfg_migrate_finding *f = &p->findings[i];
    bool ok = f->line == line && f->column == col && f->kind == kind && check_str(f->text, text) &&
              f->reason && *f->reason && f->fix && *f->fix;
    if (!ok)
        fprintf(stderr, "  %s at %u:%u kind %d text '%s'\n", id, f->line, f->column, f->kind,
                f->text);
    return ok;
}

/* The plan of p's migrated text rewrites nothing and leaves it as it is. */
static void idempotent(const struct cfg_migrate_plan *p, const char *from, const char *to)
{
    struct cfg_migrate_plan q;
    plan(p->migrated, from, to, &q);
    CHECK(q.rewrites_applied == 0);
    CHECK(q.migrated_len == p->migrated_len && !strcmp(q.migrated, p->migrated));
    CHECK(q.manual_count == p->manual_count);
    for (size_t i = 0; i < q.n_findings; i++)
        CHECK(q.findings[i].kind == CFG_MIGRATE_MANUAL);
    cfg_migrate_plan_release(&q);
}

static void test_core(void)
{
    struct cfg_migrate_plan p;
    plan("log_level=3\n"
         "log_stderror=yes\n"
         "log_facility=LOG_LOCAL0\n"
         "log_name=\"osips\"\n"
         "  listen = udp:127.0.0.1:5060 as 192.0.2.1:5060   # the public address\n"
         "tcp_parallel_read_on_workers=yes\n",
         "3.6", "4.0", &p);
    CHECK(at(&p, "core-log_stderror", 2, 1, CFG_MIGRATE_REWRITE, "log_stderror=yes"));
    CHECK(at(&p, "core-log_facility", 3, 1, CFG_MIGRATE_REWRITE, "log_facility=LOG_LOCAL0"));
    CHECK(at(&p, "core-log_name", 4, 1, CFG_MIGRATE_REWRITE, "log_name=\"osips\""));
    CHECK(at(&p, "core-listen", 5, 3, CFG_MIGRATE_REWRITE,
             "listen = udp:127.0.0.1:5060 as 192.0.2.1:5060"));
    CHECK(at(&p, "core-tcp_parallel_read_on_workers", 6, 1, CFG_MIGRATE_MANUAL,
             "tcp_parallel_read_on_workers=yes"));
    CHECK(p.rewrites_applied == 4 && p.manual_count == 1 && p.n_findings == 5);
    CHECK_STR(p.migrated, "log_level=3\n"
                          "stderror_enabled=yes syslog_enabled=no\n"
                          "syslog_facility=LOG_LOCAL0\n"
                          "syslog_name=\"osips\"\n"
                          "  socket = udp:127.0.0.1:5060 as 192.0.2.1:5060   # the public address\n"
                          "tcp_parallel_read_on_workers=yes\n");
    CHECK_CONTAINS(p.findings[0].fix, "rewritten to 'stderror_enabled=yes syslog_enabled=no'");
    CHECK_CONTAINS(p.findings[0].reason, "5a4725df86");
    idempotent(&p, "3.6", "4.0");
    cfg_migrate_plan_release(&p);

    /* every spelling of log_stderror's value, and one that is none */
    const char *vals[][2] = {{"no", "stderror_enabled=no syslog_enabled=yes"},
                             {"1", "stderror_enabled=1 syslog_enabled=0"},
                             {"off", "stderror_enabled=off syslog_enabled=on"},
                             {"TRUE", "stderror_enabled=true syslog_enabled=false"}};
    for (size_t i = 0; i < 4; i++) {
        char in[64];
        snprintf(in, sizeof(in), "log_stderror= %s\n", vals[i][0]);
        plan(in, "3.6", "4.0", &p);
        char want[96];
        snprintf(want, sizeof(want), "%s\n", vals[i][1]);
        CHECK_STR(p.migrated, want);
        cfg_migrate_plan_release(&p);
    }
    plan("log_stderror=$var(x)\n", "3.6", "4.0", &p);
    CHECK(at(&p, "core-log_stderror", 1, 1, CFG_MIGRATE_MANUAL, "log_stderror=$var(x)"));
    CHECK(p.rewrites_applied == 0 && !strcmp(p.migrated, "log_stderror=$var(x)\n"));
    cfg_migrate_plan_release(&p);

    /* not an assignment: a comparison, a script variable, a word elsewhere */
    plan("route { if ($var(listen) == 1) xlog(\"listen=1\"); $listen = 2; }\n"
         "loadmodule \"listen.so\"\n", "3.6", "4.0", &p);
    CHECK(p.n_findings == 0 && p.rewrites_applied == 0);
    cfg_migrate_plan_release(&p);
}

static void test_modparams(void)
{
    struct cfg_migrate_plan p;
    plan("loadmodule \"usrloc.so\"\n"
         "modparam(\"usrloc\", \"db_mode\", 2)\n"
         "modparam(\"usrloc\",\"use_domain\",0)\n"
         "modparam(\"usrloc\", \"shared_pinging\", 1)\n"
         "modparam( \"rtpproxy\" , \"rtpp_bind_local_avp\", \"$avp(bind)\" )\n"
         "modparam(\"proto_tcp\", \"tcp_parallel_handling\", 1)\n"
         "modparam(\"script_helper\", \"create_dialog_flags\", \"Rr\")\n"
         "modparam(\"mi_xmlrpc_ng\", \"port\", 8080)\n",
         "3.6", "4.0", &p);
    CHECK(at(&p, "usrloc-db_mode", 2, 1, CFG_MIGRATE_REWRITE,
             "modparam(\"usrloc\", \"db_mode\", 2)"));
    CHECK(at(&p, "usrloc-shared_pinging", 4, 1, CFG_MIGRATE_MANUAL,
             "modparam(\"usrloc\", \"shared_pinging\", 1)"));
    CHECK(at(&p, "rtpproxy-rtpp_bind_local_avp", 5, 1, CFG_MIGRATE_MANUAL,
             "modparam( \"rtpproxy\" , \"rtpp_bind_local_avp\", \"$avp(bind)\" )"));
    CHECK(at(&p, "proto_tcp-tcp_parallel_handling", 6, 1, CFG_MIGRATE_MANUAL,
             "modparam(\"proto_tcp\", \"tcp_parallel_handling\", 1)"));
    CHECK(at(&p, "script_helper-create_dialog_flags", 7, 1, CFG_MIGRATE_REWRITE,
             "modparam(\"script_helper\", \"create_dialog_flags\", \"Rr\")"));
    CHECK(at(&p, "mi_xmlrpc_ng-modparam", 8, 1, CFG_MIGRATE_REWRITE,
             "modparam(\"mi_xmlrpc_ng\", \"port\", 8080)"));
    CHECK(find(&p, "use_domain-usrloc", 0) < 0); /* it is set */
    CHECK_STR(p.migrated,
              "loadmodule \"usrloc.so\"\n"
              "modparam(\"usrloc\", \"working_mode_preset\", \"single-instance-sql-write-back\")\n"
              "modparam(\"usrloc\",\"use_domain\",0)\n"
              "modparam(\"usrloc\", \"shared_pinging\", 1)\n"
              "modparam( \"rtpproxy\" , \"rtpp_bind_local_avp\", \"$avp(bind)\" )\n"
              "modparam(\"proto_tcp\", \"tcp_parallel_handling\", 1)\n"
              "modparam(\"script_helper\", \"create_dialog_flags\", "
              "\"reinvite-ping-caller,reinvite-ping-callee\")\n"
              "modparam(\"mi_xmlrpc\", \"port\", 8080)\n");
    idempotent(&p, "3.6", "4.0");
    cfg_migrate_plan_release(&p);

    /* each db_mode, as a number or a string; one out of range is manual */
    static const char *const presets[] = {"single-instance-no-db",
        "single-instance-sql-write-through", "single-instance-sql-write-back", "sql-only"};
    for (int m = 0; m < 4; m++) {
        char in[96], want[128];
        snprintf(in, sizeof(in), "modparam(\"usrloc\", \"db_mode\", %s%d%s)\n", m & 1 ? "\"" : "",
                 m, m & 1 ? "\"" : "");
        snprintf(want, sizeof(want), "modparam(\"usrloc\", \"working_mode_preset\", \"%s\")\n",
                 presets[m]);
        plan(in, "3.6", "4.0", &p);
        CHECK_STR(p.migrated, want);
        cfg_migrate_plan_release(&p);
    }
    plan("modparam(\"usrloc\", \"db_mode\", 7)\nmodparam(\"usrloc\", \"db_mode\", -1)\n", "3.6",
         "4.0", &p);
    CHECK(count(&p, "usrloc-db_mode") == 2 && p.manual_count == 2 && p.rewrites_applied == 0);
    cfg_migrate_plan_release(&p);

    /* a modparam that is not one: no value, not strings */
    plan("modparam(\"usrloc\", \"db_mode\")\nmodparam(usrloc, db_mode, 1)\n", "3.6", "4.0", &p);
    CHECK(p.n_findings == 0);
    cfg_migrate_plan_release(&p);
}

static void test_modules(void)
{
    struct cfg_migrate_plan p;
    plan("loadmodule \"/usr/lib/x86_64-linux-gnu/opensips/modules/mi_xmlrpc_ng.so\"\n"
         "loadmodule \"httpd.so\"\n"
         "loadmodule \"auth_db.so\"\n"
         "loadmodule \"registrar\"\n",
         "3.6", "4.0", &p);
    CHECK(at(&p, "mi_xmlrpc_ng-module", 1, 1, CFG_MIGRATE_REWRITE,
             "loadmodule \"/usr/lib/x86_64-linux-gnu/opensips/modules/mi_xmlrpc_ng.so\""));
    CHECK(at(&p, "httpd-ip-default", 2, 1, CFG_MIGRATE_MANUAL, "loadmodule \"httpd.so\""));
    CHECK(at(&p, "use_domain-auth_db", 3, 1, CFG_MIGRATE_MANUAL, "loadmodule \"auth_db.so\""));
    CHECK(at(&p, "auth_db-load_credentials", 3, 1, CFG_MIGRATE_MANUAL,
             "loadmodule \"auth_db.so\""));
    CHECK(at(&p, "use_domain-registrar", 4, 1, CFG_MIGRATE_MANUAL, "loadmodule \"registrar\""));
    /* registrar takes use_domain from usrloc: the fix says where to set it */
    CHECK_CONTAINS(p.findings[find(&p, "use_domain-registrar", 0)].fix,
                   "modparam(\"usrloc\", \"use_domain\", 0)");
    CHECK_STR(p.migrated, "loadmodule \"/usr/lib/x86_64-linux-gnu/opensips/modules/mi_xmlrpc.so\"\n"
                          "loadmodule \"httpd.so\"\n"
                          "loadmodule \"auth_db.so\"\n"
                          "loadmodule \"registrar\"\n");
    idempotent(&p, "3.6", "4.0");
    cfg_migrate_plan_release(&p);

    /* every module of §5 item 9, one warning each; none once each sets use_domain */
    static const char *const mods[][2] = {
        {"auth_db", "auth_db"}, {"registrar", "usrloc"}, {"usrloc", "usrloc"},
        {"group", "group"}, {"sqlops", "sqlops"}, {"carrierroute", "carrierroute"},
        {"cpl_c", "cpl_c"}, {"mid_registrar", "usrloc"}, {"pua_reginfo", "usrloc"},
        {"userblacklist", "userblacklist"}};
    char in[2048] = "", set[2048] = "";
    size_t o = 0, so = 0;
    for (size_t i = 0; i < 10; i++) {
        o += (size_t)snprintf(in + o, sizeof(in) - o, "loadmodule \"%s.so\"\n", mods[i][0]);
        so += (size_t)snprintf(set + so, sizeof(set) - so, "modparam(\"%s\", \"use_domain\", 1)\n",
                               mods[i][1]);
    }
    plan(in, "3.6", "4.0", &p);
    for (size_t i = 0; i < 10; i++) {
        char id[64];
        snprintf(id, sizeof(id), "use_domain-%s", mods[i][0]);
        CHECK(count(&p, id) == 1 && p.findings[find(&p, id, 0)].line == i + 1);
    }
    cfg_migrate_plan_release(&p);
    strncat(in, set, sizeof(in) - strlen(in) - 1);
    strncat(in, "modparam(\"auth_db\", \"load_credentials\", \"\")\n", sizeof(in) - strlen(in) - 1);
    plan(in, "3.6", "4.0", &p);
    CHECK(p.n_findings == 0);
    cfg_migrate_plan_release(&p);

    plan("loadmodule \"httpd.so\"\nmodparam(\"httpd\", \"ip\", \"0.0.0.0\")\n", "3.6", "4.0", &p);
    CHECK(p.n_findings == 0);
    cfg_migrate_plan_release(&p);

    /* a modparam's module is a regular expression to OpenSIPS (^(...)$, case ignored): names
     * joined by '|' set each; a rename of one of them is left to a person */
    plan("loadmodule \"auth_db.so\"\nloadmodule \"usrloc.so\"\nloadmodule \"registrar.so\"\n"
         "modparam(\"Auth_DB|usrloc\", \"use_domain\", 0)\n"
         "modparam(\"auth_db\", \"load_credentials\", \"rpid\")\n"
         "modparam(\"usrloc|registrar\", \"db_mode\", 1)\n"
         "modparam(\"mi_xmlrpc_ng|httpd\", \"port\", 8080)\n",
         "3.6", "4.0", &p);
    CHECK(p.n_findings == 2);
    CHECK(at(&p, "usrloc-db_mode", 6, 1, CFG_MIGRATE_REWRITE,
             "modparam(\"usrloc|registrar\", \"db_mode\", 1)"));
    CHECK(at(&p, "mi_xmlrpc_ng-modparam", 7, 1, CFG_MIGRATE_MANUAL,
             "modparam(\"mi_xmlrpc_ng|httpd\", \"port\", 8080)"));
    CHECK_CONTAINS(p.migrated, "modparam(\"usrloc|registrar\", \"working_mode_preset\", "
                               "\"single-instance-sql-write-through\")\n"
                               "modparam(\"mi_xmlrpc_ng|httpd\", \"port\", 8080)\n");
    cfg_migrate_plan_release(&p);
}

static void test_includes(void)
{
    struct cfg_migrate_plan p;
    plan("include_file \"/etc/opensips/local.cfg\"\nroute { import_file 'routes.cfg' }\n", "3.4",
         "3.5", &p);
    CHECK(at(&p, "include_file", 1, 1, CFG_MIGRATE_MANUAL,
             "include_file \"/etc/opensips/local.cfg\""));
    CHECK(at(&p, "import_file", 2, 9, CFG_MIGRATE_MANUAL, "import_file 'routes.cfg'"));
    CHECK_CONTAINS(p.findings[0].fix, "plan the included file too");
    CHECK(p.hops[0].rules == 6); /* rules of every hop are counted in none */
    cfg_migrate_plan_release(&p);
    plan("include_file \"x.cfg\"\n", "4.0", "4.0", &p); /* no hop, nothing to say */
    CHECK(p.n_findings == 0);
    cfg_migrate_plan_release(&p);
}

static void test_dialog_flags(void)
{
    struct cfg_migrate_plan p;
    plan("route {\n"
         "\tif (is_method(\"INVITE\"))\n"
         "\t\tcreate_dialog(\"BPpRrE\");\n"
         "\tcreate_dialog( 'BB' );\n"
         "\tcreate_dialog();\n"
         "\tcreate_dialog(\"\");\n"
         "\tcreate_dialog(\"Bye-On-Timeout, auto-prack\");\n"
         "\tcreate_dialog(\"X\");\n"
         "\tcreate_dialog($var(flags));\n"
         "\tcreate_dialog(\"bye-on-timeout,nosuch\");\n"
         "}\n",
         "3.6", "4.0", &p);
    CHECK(at(&p, "dialog-create_dialog-flags", 3, 3, CFG_MIGRATE_REWRITE,
             "create_dialog(\"BPpRrE\")"));
    CHECK(count(&p, "dialog-create_dialog-flags") == 5);
    CHECK(p.rewrites_applied == 2 && p.manual_count == 3);
    long i = find(&p, "dialog-create_dialog-flags", 2);
    CHECK(i >= 0 && p.findings[i].line == 8 && p.findings[i].kind == CFG_MIGRATE_MANUAL);
    i = find(&p, "dialog-create_dialog-flags", 3);
    CHECK(i >= 0 && p.findings[i].line == 9 &&
          check_contains(p.findings[i].fix, "not a literal string"));
    CHECK(p.n_findings == 5 && p.findings[4].line == 10);
    CHECK_STR(p.migrated,
              "route {\n"
              "\tif (is_method(\"INVITE\"))\n"
              "\t\tcreate_dialog(\"bye-on-timeout,options-ping-caller,options-ping-callee,"
              "reinvite-ping-caller,reinvite-ping-callee,end-on-race-condition\");\n"
              "\tcreate_dialog( 'bye-on-timeout' );\n"
              "\tcreate_dialog();\n"
              "\tcreate_dialog(\"\");\n"
              "\tcreate_dialog(\"Bye-On-Timeout, auto-prack\");\n"
              "\tcreate_dialog(\"X\");\n"
              "\tcreate_dialog($var(flags));\n"
              "\tcreate_dialog(\"bye-on-timeout,nosuch\");\n"
              "}\n");
    idempotent(&p, "3.6", "4.0");
    cfg_migrate_plan_release(&p);
}

static void test_mi_names(void)
{
    struct cfg_migrate_plan p;
    /* every removed name, each in a string; the kept aliases (ds_reload) need nothing */
    plan("route {\n"
         "\texec(\"opensips-cli -x mi ds_reload; opensips-cli -x mi pike_list\");\n"
         "\tmi(\"bdb_reload\"); mi(\"flat_rotate\"); mi(\"domain_reload\"); mi(\"domain_dump\");\n"
         "\tmi(\"nh_enable_ping\"); mi(\"pike_rm\", \"1.2.3.4\"); mi(\"refreshWatchers\");\n"
         "\t$var(c) = \"rtpengine_enable rtpengine_show rtpengine_reload\";\n"
         "\t$var(c) = 'rtpproxy_enable,rtpproxy_show\n"
         "rtpproxy_reload';\n"
         "\txlog(\"my_pike_list pike_lists pike:list\");\n"
         "\t# opensips-cli -x mi pike_rm\n"
         "}\n",
         "3.6", "4.0", &p);
    CHECK(p.rewrites_applied == 14 && p.manual_count == 0 && p.n_findings == 14);
    CHECK(at(&p, "mi-pike_list", 2, 57, CFG_MIGRATE_REWRITE, "pike_list"));
    CHECK(at(&p, "mi-refreshWatchers", 4, 54, CFG_MIGRATE_REWRITE, "refreshWatchers"));
    CHECK(at(&p, "mi-rtpproxy_reload", 7, 1, CFG_MIGRATE_REWRITE, "rtpproxy_reload"));
    CHECK(at(&p, "mi-rtpproxy_show", 6, 29, CFG_MIGRATE_REWRITE, "rtpproxy_show"));
    CHECK_CONTAINS(p.findings[find(&p, "mi-pike_list", 0)].fix, "call 'pike:list'");
    CHECK_CONTAINS(p.findings[find(&p, "mi-pike_list", 0)].reason,
                   "names_from_3_6_not_accepted_by_4_0");
    CHECK_STR(p.migrated,
              "route {\n"
              "\texec(\"opensips-cli -x mi ds_reload; opensips-cli -x mi pike:list\");\n"
              "\tmi(\"db_berkeley:reload\"); mi(\"db_flatstore:rotate\"); mi(\"domain:reload\"); "
              "mi(\"domain:dump\");\n"
              "\tmi(\"nathelper:enable_ping\"); mi(\"pike:rm\", \"1.2.3.4\"); "
              "mi(\"presence:refresh_watchers\");\n"
              "\t$var(c) = \"rtpengine:enable rtpengine:show rtpengine:reload\";\n"
              "\t$var(c) = 'rtpproxy:enable,rtpproxy:show\n"
              "rtpproxy:reload';\n"
              "\txlog(\"my_pike_list pike_lists pike:list\");\n"
              "\t# opensips-cli -x mi pike_rm\n"
              "}\n");
    idempotent(&p, "3.6", "4.0");
    cfg_migrate_plan_release(&p);

    /* outside a string an MI name is a word of the script, not a command */
    plan("pike_list=1\nroute { pike_list(); }\n", "3.6", "4.0", &p);
    CHECK(p.n_findings == 0);
    cfg_migrate_plan_release(&p);
}

static void test_comments_strings(void)
{
    struct cfg_migrate_plan p;
    plan("# listen=udp:1.2.3.4:5060\n"
         "// log_name=\"x\"\n"
         "/* log_stderror=yes\n"
         "   /* nested */ listen=udp:1.2.3.4:5060\n"
         "   create_dialog(\"B\") */ log_name=\"a#b//c\" listen=udp:1.2.3.4:5060 # listen=x\n"
         "xlog(\"listen=udp:1.2.3.4:5060 /* not a comment */ # nor this\"); log_facility=LOG_LOCAL1\n"
         "xlog('it\\'); listen=udp:5.6.7.8:5060\n"
         "/* unterminated listen=x\n",
         "3.6", "4.0", &p);
    CHECK(p.n_findings == 4 && p.rewrites_applied == 4);
    CHECK(at(&p, "core-log_name", 5, 26, CFG_MIGRATE_REWRITE, "log_name=\"a#b//c\""));
    long i = find(&p, "core-listen", 0);
    CHECK(i >= 0 && p.findings[i].line == 5 && p.findings[i].column == 44 &&
          check_str(p.findings[i].text, "listen=udp:1.2.3.4:5060"));
    CHECK(at(&p, "core-log_facility", 6, 65, CFG_MIGRATE_REWRITE, "log_facility=LOG_LOCAL1"));
    /* '...' has no escapes: the quote after the backslash ends it */
    i = find(&p, "core-listen", (size_t)i + 1);
    CHECK(i >= 0 && p.findings[i].line == 7 && p.findings[i].column == 14);
    CHECK_CONTAINS(p.migrated, "syslog_name=\"a#b//c\" socket=udp:1.2.3.4:5060 # listen=x\n");
    CHECK_CONTAINS(p.migrated, "xlog(\"listen=udp:1.2.3.4:5060 /* not a comment */ # nor this\")");
    CHECK_CONTAINS(p.migrated, "/* unterminated listen=x\n");
    idempotent(&p, "3.6", "4.0");
    cfg_migrate_plan_release(&p);

    /* an unterminated string runs to the end, and nothing in it is code */
    plan("log_name=\"x\nlisten=udp:1.2.3.4:5060\n", "3.6", "4.0", &p);
    CHECK(p.n_findings == 1 && !strcmp(p.findings[0].rule, "core-log_name"));
    cfg_migrate_plan_release(&p);
}

static void test_several_on_a_line(void)
{
    struct cfg_migrate_plan p;
    plan("route { create_dialog(\"B\"); exec(\"opensips-cli -x mi pike_list\"); "
         "mi(\"rtpproxy_show\"); }\n",
         "3.6", "4.0", &p);
    CHECK(p.n_findings == 3);
    CHECK(p.n_findings == 3 && !strcmp(p.findings[0].rule, "dialog-create_dialog-flags") &&
          p.findings[0].column == 9 && !strcmp(p.findings[1].rule, "mi-pike_list") &&
          p.findings[1].column == 54 && !strcmp(p.findings[2].rule, "mi-rtpproxy_show") &&
          p.findings[2].column == 71);
    CHECK_STR(p.migrated, "route { create_dialog(\"bye-on-timeout\"); exec(\"opensips-cli -x mi "
                          "pike:list\"); mi(\"rtpproxy:show\"); }\n");
    cfg_migrate_plan_release(&p);

    /* a finding made when a module is loaded sorts into its line */
    plan("loadmodule \"httpd.so\" listen=udp:1.2.3.4:5060\n", "3.6", "4.0", &p);
    CHECK(p.n_findings == 2 && !strcmp(p.findings[0].rule, "httpd-ip-default") &&
          !strcmp(p.findings[1].rule, "core-listen"));
    cfg_migrate_plan_release(&p);
}

static void test_avpops(void)
{
    struct cfg_migrate_plan p;
    const char *in = "loadmodule \"avpops.so\"\n"
                     "modparam(\"avpops\", \"db_url\", \"mysql://u:p@h/db\")\n"
                     "listen=udp:127.0.0.1:5060\n"
                     "route {\n"
                     "\tavp_db_load(\"$fu\", \"$avp(prefs)\");\n"
                     "\tavp_db_store(\"$fu\", \"$avp(prefs)\");\n"
                     "\tavp_db_delete(\"$fu\", \"$avp(prefs)\");\n"
                     "\tavp_db_query(\"select 1\", \"$avp(one)\");\n"
                     "}\n";
    plan(in, "3.4", "3.5", &p);
    CHECK(p.n_hops == 1 && !strcmp(p.hops[0].from, "3.4") && !strcmp(p.hops[0].to, "3.5"));
    CHECK(at(&p, "avpops-module", 1, 1, CFG_MIGRATE_REWRITE, "loadmodule \"avpops.so\""));
    CHECK(at(&p, "avpops-modparam", 2, 1, CFG_MIGRATE_MANUAL,
             "modparam(\"avpops\", \"db_url\", \"mysql://u:p@h/db\")"));
    CHECK(at(&p, "avpops-avp_db_load", 5, 2, CFG_MIGRATE_REWRITE, "avp_db_load"));
    CHECK(at(&p, "avpops-avp_db_store", 6, 2, CFG_MIGRATE_REWRITE, "avp_db_store"));
    CHECK(at(&p, "avpops-avp_db_delete", 7, 2, CFG_MIGRATE_REWRITE, "avp_db_delete"));
    CHECK(at(&p, "avpops-avp_db_query", 8, 2, CFG_MIGRATE_REWRITE, "avp_db_query"));
    CHECK(find(&p, "core-listen", 0) < 0); /* a 4.0 rule: not on this hop */
    CHECK(p.n_findings == 6);
    CHECK_STR(p.migrated, "loadmodule \"sqlops.so\"\n"
                          "modparam(\"avpops\", \"db_url\", \"mysql://u:p@h/db\")\n"
                          "listen=udp:127.0.0.1:5060\n"
                          "route {\n"
                          "\tsql_avp_load(\"$fu\", \"$avp(prefs)\");\n"
                          "\tsql_avp_store(\"$fu\", \"$avp(prefs)\");\n"
                          "\tsql_avp_delete(\"$fu\", \"$avp(prefs)\");\n"
                          "\tsql_query(\"select 1\", \"$avp(one)\");\n"
                          "}\n");
    CHECK(p.hops[0].n_notes == 1 && check_contains(p.hops[0].notes[0], "sql_select"));
    idempotent(&p, "3.4", "3.5");
    cfg_migrate_plan_release(&p);

    /* 3.4 -> 4.0: three hops, both rule sets, and the module sqlops became is checked for
     * use_domain as sqlops */
    plan(in, "3.4.0", "4.0.1", &p);
    CHECK(p.n_hops == 3 && !strcmp(p.from, "3.4") && !strcmp(p.to, "4.0"));
    CHECK(p.n_hops == 3 && p.hops[1].rules == 0 && p.hops[1].n_notes == 1 &&
          check_contains(p.hops[1].notes[0], "no rules for this hop"));
    CHECK(p.hops[0].rules == 6 && p.hops[2].rules > 30 && p.hops[2].n_notes == 3);
    CHECK(find(&p, "core-listen", 0) >= 0 && find(&p, "use_domain-sqlops", 0) >= 0);
    CHECK(p.rewrites_applied == 6 && p.manual_count == 2);
    idempotent(&p, "3.4", "4.0");
    cfg_migrate_plan_release(&p);

    /* 3.6 -> 4.0 does not know avpops (3.6 has none) */
    plan(in, "3.6", "4.0", &p);
    CHECK(find(&p, "avpops-avp_db_load", 0) < 0 && find(&p, "avpops-module", 0) < 0);
    cfg_migrate_plan_release(&p);
}

static void test_versions(void)
{
    struct cfg_migrate_plan p;
    const char *good[][3] = {{"3.4", "3.4", ""}, {"3.6", "3.6.8", ""}, {"3.5", "3.6", "3.5"},
                             {"3.6.8", "4.0.1", "3.6"}, {"4.0", "4.0", ""}};
    for (size_t i = 0; i < 5; i++) {
        CHECK(cfg_migrate_plan("listen=x\n", 9, good[i][0], good[i][1], &p, errbuf,
                               sizeof(errbuf)) == CFG_OK);
        CHECK(p.n_hops == (strcmp(p.from, p.to) ? 1u : 0u));
        if (!*good[i][2])
            CHECK(p.n_findings == 0 && !strcmp(p.migrated, "listen=x\n"));
        else
            CHECK_STR(p.hops[0].from, good[i][2]);
        cfg_migrate_plan_release(&p);
    }
    const char *bad[] = {"3.7", "4", "", "3.6.", "3.6.x", "3.6.8.1", "v3.6", "3.66", "4.0.12345",
                         "40", NULL};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        CHECK(cfg_migrate_plan("x", 1, bad[i], "4.0", &p, errbuf, sizeof(errbuf)) ==
              CFG_ERR_INVALID);
        CHECK_CONTAINS(errbuf, "in from_version: supported are 3.4, 3.5, 3.6 and 4.0");
        cfg_migrate_plan_release(&p);
        CHECK(cfg_migrate_plan("x", 1, "3.6", bad[i], &p, errbuf, sizeof(errbuf)) ==
              CFG_ERR_INVALID);
        CHECK_CONTAINS(errbuf, "in to_version");
        cfg_migrate_plan_release(&p);
    }
    CHECK(cfg_migrate_plan("x", 1, "3.7", "4.0", &p, errbuf, sizeof(errbuf)) == CFG_ERR_INVALID);
    CHECK_STR(errbuf, "unknown OpenSIPS version '3.7' in from_version: supported are 3.4, 3.5, "
                      "3.6 and 4.0 (or a full version such as 3.6.8)");
    CHECK(cfg_migrate_plan("x", 1, "4.0", "3.6.8", &p, errbuf, sizeof(errbuf)) ==
          CFG_ERR_INVALID);
    CHECK_STR(errbuf, "from_version 4.0 is newer than to_version 3.6: a plan only goes forward "
                      "(supported: 3.4, 3.5, 3.6 and 4.0 (or a full version such as 3.6.8))");
    CHECK(p.migrated == NULL && p.n_findings == 0);
    CHECK_STR(cfg_migrate_series("3.6.8"), "3.6");
    CHECK(cfg_migrate_series("3.3") == NULL);
}

static void test_limits(void)
{
    struct cfg_migrate_plan p;
    size_t n = CFG_MIGRATE_INPUT_MAX;
    char *big = malloc(n + 2);
    CHECK(big != NULL);
    if (!big)
        return;
    /* exactly the limit, one line of one word: accepted */
    memset(big, 'x', n);
    big[n] = '\0';
    CHECK(cfg_migrate_plan(big, n, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(p.migrated_len == n && p.n_findings == 0);
    cfg_migrate_plan_release(&p);
    /* one byte over */
    big[n] = 'x';
    big[n + 1] = '\0';
    CHECK(cfg_migrate_plan(big, n + 1, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) ==
          CFG_ERR_INVALID);
    CHECK_STR(errbuf, "config_content is 1048577 bytes, over the limit of 1048576 (1 MiB): split "
                      "it at its include_file lines and plan each part");
    cfg_migrate_plan_release(&p);
    /* a NUL byte */
    CHECK(cfg_migrate_plan("listen=x\0y", 10, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) ==
          CFG_ERR_INVALID);
    CHECK_CONTAINS(errbuf, "NUL byte");
    cfg_migrate_plan_release(&p);
    CHECK(cfg_migrate_plan("", 0, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(p.migrated && p.migrated_len == 0 && p.n_findings == 0);
    cfg_migrate_plan_release(&p);

    /* one line of 1 MiB holding a removed MI name every 10 bytes inside one string: the
     * findings stop at the limit, every rewrite is still made */
    size_t o = 0;
    big[o++] = '"';
    size_t names = 0;
    while (o + 11 < n) {
        memcpy(big + o, "pike_list ", 10);
        o += 10;
        names++;
    }
    big[o++] = '"';
    big[o] = '\0';
    CHECK(cfg_migrate_plan(big, o, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(p.n_findings == CFG_MIGRATE_FINDINGS_MAX && p.findings_truncated);
    CHECK(p.rewrites_applied == names);
    CHECK(p.migrated_len == o && strstr(p.migrated, "pike_list") == NULL);
    CHECK(p.findings[CFG_MIGRATE_FINDINGS_MAX - 1].column ==
          2 + 10 * (CFG_MIGRATE_FINDINGS_MAX - 1));
    cfg_migrate_plan_release(&p);

    /* a line of 1 MiB of assignments: each text is cut to CFG_MIGRATE_TEXT_MAX */
    o = 0;
    while (o + 40 < n)
        o += (size_t)snprintf(big + o, n - o, "listen=udp:127.0.0.1:5060 ");
    memset(big + o, 'y', n - o);
    big[n] = '\0';
    CHECK(cfg_migrate_plan(big, n, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(p.n_findings == CFG_MIGRATE_FINDINGS_MAX && p.findings_truncated);
    CHECK(strlen(p.findings[0].text) == CFG_MIGRATE_TEXT_MAX);
    cfg_migrate_plan_release(&p);

    /* 1 MiB of loadmodule and modparam lines: a warning per module loaded, in line order */
    o = 0;
    size_t loads = 0;
    while (o + 80 < n) {
        o += (size_t)snprintf(big + o, n - o, "loadmodule \"usrloc.so\"\n"
                                              "modparam(\"usrloc\", \"nat_bflag\", \"NAT\")\n");
        loads++;
    }
    big[o] = '\0';
    CHECK(cfg_migrate_plan(big, o, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(p.manual_count == loads && p.n_findings == CFG_MIGRATE_FINDINGS_MAX);
    CHECK(p.findings[1].line == 3 && p.findings[CFG_MIGRATE_FINDINGS_MAX - 1].line ==
                                         2 * CFG_MIGRATE_FINDINGS_MAX - 1);
    cfg_migrate_plan_release(&p);

    /* a block comment and a string of 1 MiB, unterminated */
    memset(big, ' ', n);
    memcpy(big, "/*", 2);
    CHECK(cfg_migrate_plan(big, n, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) == CFG_OK);
    CHECK(p.n_findings == 0);
    cfg_migrate_plan_release(&p);
    big[0] = '\'';
    CHECK(cfg_migrate_plan(big, n, "3.6", "4.0", &p, errbuf, sizeof(errbuf)) == CFG_OK);
    cfg_migrate_plan_release(&p);
    free(big);
}

/* Every row of the table that matches something fired in some test above. */
static void test_every_rule_seen(void)
{
    size_t notes = 0;
    for (size_t k = 0; k < cfg_migrate_rule_count(); k++) {
        bool note = false;
        const char *hop = NULL;
        const char *id = cfg_migrate_rule_id(k, &hop, NULL, &note);
        CHECK(id && hop);
        if (note) {
            notes++;
            continue;
        }
        if (!seen[k])
            fprintf(stderr, "  rule %s (%s) was never seen\n", id, hop);
        CHECK(seen[k]);
    }
    CHECK(notes == 4); /* §5 items 4, 12 and 16, and the avpops note */
    CHECK(cfg_migrate_rule_id(cfg_migrate_rule_count(), NULL, NULL, NULL) == NULL);
}

/* ---- the real OpenSIPS builds ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open '%s' (run from the repository's top)\n", path);
        return NULL;
    }
    char *buf = malloc(1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

/* text with every @MPATH@ replaced by mpath (new) */
static char *with_mpath(const char *text, const char *mpath)
{
    size_t n = strlen(text) + 16 * strlen(mpath) + 1, o = 0;
    char *out = malloc(n);
    if (!out)
        return NULL;
    for (const char *p = text; *p && o + strlen(mpath) + 1 < n;) {
        if (!strncmp(p, "@MPATH@", 7)) {
            o += (size_t)snprintf(out + o, n - o, "%s", mpath);
            p += 7;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

static bool check_ok(const char *bin, const char *dir, const char *name, const char *text)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    cfg_fixture_write(dir, name, text);
    struct cfg_check_result r;
    bool ok = cfg_check(bin, path, 0, &r, errbuf, sizeof(errbuf)) == CFG_OK && r.ok;
    if (!ok && r.n_errors)
        printf("  %s: %s:%u: %s\n", name, r.errors[0].file ? r.errors[0].file : "", r.errors[0].line,
               r.errors[0].message);
    cfg_check_result_release(&r);
    return ok;
}

static void test_real_configs(void)
{
    char p36[4096], p40[4096];
    if (!cfg_prefix("3.6.8", p36, sizeof(p36)) || !cfg_prefix("4.0.1", p40, sizeof(p40)))
        return;
    char bin36[4200], bin40[4200], mp36[4200], mp40[4200], dir_buf[64];
    snprintf(bin36, sizeof(bin36), "%s/sbin/opensips", p36);
    snprintf(bin40, sizeof(bin40), "%s/sbin/opensips", p40);
    snprintf(mp36, sizeof(mp36), "%s/lib64/opensips/modules/", p36);
    snprintf(mp40, sizeof(mp40), "%s/lib64/opensips/modules/", p40);
    char *dir = cfg_fixture_dir(dir_buf, sizeof(dir_buf));
    CHECK(dir != NULL);
    if (!dir)
        return;
    static const char *const names[] = {"residential", "trunking", "loadbalancer"};
    for (size_t i = 0; i < 3; i++) {
        char path[256], out[128];
        snprintf(path, sizeof(path), DATA "%s-3.6.cfg", names[i]);
        char *src = slurp(path), *c36 = src ? with_mpath(src, mp36) : NULL,
             *c40 = src ? with_mpath(src, mp40) : NULL;
        CHECK(c36 && c40);
        if (!c36 || !c40) {
            free(src), free(c36), free(c40);
            continue;
        }
        snprintf(out, sizeof(out), "%s-3.6.8.cfg", names[i]);
        CHECK(check_ok(bin36, dir, out, c36));
        snprintf(out, sizeof(out), "%s-4.0.1.cfg", names[i]);
        printf("  (the 4.0.1 error of %s, expected:)\n", names[i]);
        CHECK(!check_ok(bin40, dir, out, c40));

        struct cfg_migrate_plan p;
        plan(c40, "3.6.8", "4.0.1", &p);
        CHECK(p.rewrites_applied >= 5);
        CHECK(find(&p, "core-listen", 0) >= 0 && find(&p, "core-log_stderror", 0) >= 0 &&
              find(&p, "dialog-create_dialog-flags", 0) >= 0);
        snprintf(out, sizeof(out), "%s-migrated-4.0.1.cfg", names[i]);
        CHECK(p.migrated && check_ok(bin40, dir, out, p.migrated));
        printf("  %s: %zu rewrites, %zu manual, migrated passes 4.0.1's -C\n", names[i],
               p.rewrites_applied, p.manual_count);
        idempotent(&p, "3.6", "4.0");
        cfg_migrate_plan_release(&p);
        free(src), free(c36), free(c40);
    }
    cfg_fixture_rm(dir);
}

/* A UDP port on 127.0.0.1 that nobody holds at this moment. */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof(a);
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

/* Start `bin -F -f cfg` in its own process group and read its log until it forks its workers
 * (it started: it is stopped, 1) or it exits (0, with the log in log); -1 when it cannot run or
 * the upper bound passes (a hang). */
static int start(const char *bin, const char *cfg, char *log, size_t loglen)
{
    int fd[2];
    if (pipe(fd) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(fd[1], 2);
        close(fd[0]);
        execl(bin, bin, "-F", "-f", cfg, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    close(fd[1]);
    size_t o = 0;
    int verdict = -1;
    time_t until = time(NULL) + 60; /* an upper bound only: a start takes well under a second */
    log[0] = '\0';
    while (time(NULL) < until) {
        struct pollfd pf = {.fd = fd[0], .events = POLLIN};
        if (poll(&pf, 1, 1000) <= 0)
            continue;
        char buf[4096];
        ssize_t r = read(fd[0], buf, sizeof(buf));
        if (r <= 0) {
            verdict = 0;
            break;
        }
        size_t take = (size_t)r < loglen - 1 - o ? (size_t)r : loglen - 1 - o;
        memcpy(log + o, buf, take);
        o += take;
        log[o] = '\0';
        if (strstr(log, "forking new process")) {
            verdict = 1;
            break;
        }
    }
    kill(-pid, verdict == 0 ? 0 : SIGTERM);
    int st;
    for (int i = 0; i < 100 && waitpid(pid, &st, WNOHANG) == 0; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (i == 60)
            kill(-pid, SIGKILL);
    }
    kill(-pid, SIGKILL); /* whatever of the group is left (it is ours) */
    close(fd[0]);
    return verdict;
}

/* -C passes create_dialog("B") on 4.0.1, which then refuses to start; the migrated script
 * starts. 3.6.8 starts with the letter. */
static void test_real_start(void)
{
    char p36[4096], p40[4096];
    if (!cfg_prefix("3.6.8", p36, sizeof(p36)) || !cfg_prefix("4.0.1", p40, sizeof(p40)))
        return;
    int port = free_port();
    CHECK(port > 0);
    char dir_buf[64], *dir = cfg_fixture_dir(dir_buf, sizeof(dir_buf));
    CHECK(dir != NULL);
    if (!dir || port <= 0)
        return;
    static char log[1 << 16];
    const char *prefixes[] = {p36, p40};
    for (int v = 0; v < 2; v++) {
        char cfg[8800], bin[4200], path[4400];
        snprintf(bin, sizeof(bin), "%s/sbin/opensips", prefixes[v]);
        snprintf(cfg, sizeof(cfg),
                 "log_level=4\n"
                 "socket=udp:127.0.0.1:%d\n"
                 "udp_workers=1\n"
                 "mpath=\"%s/lib64/opensips/modules/\"\n"
                 "loadmodule \"proto_udp.so\"\n"
                 "loadmodule \"signaling.so\"\n"
                 "loadmodule \"sl.so\"\n"
                 "loadmodule \"tm.so\"\n"
                 "loadmodule \"dialog.so\"\n"
                 "route {\n\tcreate_dialog(\"B\");\n\tt_relay();\n}\n",
                 port, prefixes[v]);
        snprintf(path, sizeof(path), "%s/start.cfg", dir);
        cfg_fixture_write(dir, "start.cfg", cfg);
        if (v == 0) {
            CHECK(start(bin, path, log, sizeof(log)) == 1);
            continue;
        }
        CHECK(check_ok(bin, dir, "start.cfg", cfg)); /* -C cannot see it */
        CHECK(start(bin, path, log, sizeof(log)) == 0);
        CHECK_CONTAINS(log, "unknown create_dialog flag: B");
        struct cfg_migrate_plan p;
        plan(cfg, "3.6", "4.0", &p);
        CHECK(p.rewrites_applied == 1 && p.migrated);
        if (p.migrated) {
            cfg_fixture_write(dir, "start.cfg", p.migrated);
            CHECK(start(bin, path, log, sizeof(log)) == 1);
            printf("  create_dialog(\"B\") stops 4.0.1 at startup; migrated, it starts\n");
        }
        cfg_migrate_plan_release(&p);
    }
    cfg_fixture_rm(dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_core();
    test_modparams();
    test_modules();
    test_includes();
    test_dialog_flags();
    test_mi_names();
    test_comments_strings();
    test_several_on_a_line();
    test_avpops();
    test_versions();
    test_limits();
    test_every_rule_seen();
    test_real_configs();
    test_real_start();
    return check_done("test_cfg_migrate");
}
