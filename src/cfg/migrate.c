/* cfg/migrate: the migration rules as one table and the lexical scan that applies them
 * (cfg/migrate.h). Facts: ../shared/reference/config-templates.md §5; the removed MI names from
 * the MI catalogues (migrate_mi.h, generated). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/migrate.h"
#include "cfg/migrate_mi.h"
#include "cfg/templates.h"

/* ---- the rules ---- */

static const char *const series[] = {"3.4", "3.5", "3.6", "4.0"};
#define N_SERIES (sizeof(series) / sizeof(series[0]))
const char cfg_migrate_supported[] = "3.4, 3.5, 3.6 and 4.0 (or a full version such as 3.6.8)";

/* The hop a rule belongs to: from series[h] to series[h + 1]; HOP_ANY: every plan that has a
 * hop (counted in none). */
enum hop { HOP_34_35, HOP_35_36, HOP_36_40, HOP_COUNT, HOP_ANY = HOP_COUNT };
_Static_assert(HOP_COUNT == N_SERIES - 1, "a hop between each pair of consecutive series");
_Static_assert(HOP_COUNT <= CFG_MIGRATE_HOPS_MAX, "room for every hop in a plan");

/* What a rule matches. */
enum match {
    M_NOTE,       /* nothing in a script: a note of its hop (the command line, docs) */
    M_CORE,       /* a core parameter assignment: `name=value` */
    M_MODPARAM,   /* modparam("module", "name", value); name NULL: any parameter of module */
    M_LOADMODULE, /* loadmodule "module.so" (a path or not) */
    M_FUNC,       /* a call name(...) and its first argument */
    M_MI,         /* an MI command name inside a string (a word of it) */
    M_DEFAULT,    /* module loaded and modparam(owner, name) nowhere: its default flipped */
    M_INCLUDE,    /* name "file": another file of the script, which this plan does not see */
};

/* How an exact rewrite is made; FIX_NONE: the rule is manual. */
enum fixer {
    FIX_NONE,
    FIX_RENAME,    /* the matched name (word, module, MI name) becomes `to` */
    FIX_STDERROR,  /* log_stderror=V -> stderror_enabled=V syslog_enabled=!V */
    FIX_DB_MODE,   /* "db_mode", N -> "working_mode_preset", "<preset N>" */
    FIX_DLG_FLAGS, /* create_dialog letters -> the CSV of names */
};

struct rule {
    const char *id;
    enum hop hop;
    enum match match;
    const char *module; /* M_MODPARAM, M_LOADMODULE, M_DEFAULT */
    const char *name;   /* core parameter, modparam, function or MI name; M_DEFAULT: the
                           parameter whose default flipped */
    const char *owner;  /* M_DEFAULT: the module whose modparam sets it (NULL: module) */
    enum fixer fixer;
    const char *to;     /* FIX_RENAME: the new name */
    const char *reason; /* what changed, and the evidence */
    const char *fix;    /* what to do */
};

#define C3640 "OpenSIPS 4.0 commit 5a4725df86 (\"drop various deprecated parameters\")"
#define USE_DOMAIN(mod, own)                                                                    \
    {"use_domain-" mod, HOP_36_40, M_DEFAULT, mod, "use_domain", own, FIX_NONE, NULL,           \
     "the default of use_domain flipped from 0 to 1 (OpenSIPS 4.0 commit 6c7d6bf0ec, "          \
     "\"fully backwards-incompatible\"): " mod " is loaded and the script does not set it, so "  \
     "4.0 matches users with their domain where 3.6 did not",                                   \
     "to keep 3.6's behaviour add modparam(\"" own "\", \"use_domain\", 0); to take 4.0's, "   \
     "make sure the stored users carry their domains"}
#define MI_REMOVED(old, mod, new)                                                               \
    {"mi-" old, HOP_36_40, M_MI, NULL, old, NULL, FIX_RENAME, new,                              \
     "MI command '" old "' (" mod ") is not accepted by OpenSIPS 4.0, which registers it only "  \
     "as '" new "' (MI catalogue 4.0.1, names_from_3_6_not_accepted_by_4_0)",                   \
     "call '" new "'"},

static const struct rule rules[] = {
    /* any hop: what the plan cannot see */
    {"include_file", HOP_ANY, M_INCLUDE, NULL, "include_file", NULL, FIX_NONE, NULL,
     "the script includes another file, which this plan does not read",
     "plan the included file too, with the same versions"},
    {"import_file", HOP_ANY, M_INCLUDE, NULL, "import_file", NULL, FIX_NONE, NULL,
     "the script imports another file, which this plan does not read",
     "plan the imported file too, with the same versions"},

    /* 3.4 -> 3.5: avpops was replaced by sqlops (modules/avpops up to 3.4.0, modules/sqlops
     * from 3.5.0) */
    {"avpops-module", HOP_34_35, M_LOADMODULE, "avpops", NULL, NULL, FIX_RENAME, "sqlops",
     "avpops does not exist from OpenSIPS 3.5 on: sqlops replaced it", "load sqlops"},
    {"avpops-modparam", HOP_34_35, M_MODPARAM, "avpops", NULL, NULL, FIX_NONE, NULL,
     "avpops does not exist from OpenSIPS 3.5 on: its parameters belong to sqlops now",
     "set it on sqlops (modparam(\"sqlops\", ...)) after checking that sqlops has a parameter "
     "of that name"},
    {"avpops-avp_db_load", HOP_34_35, M_FUNC, NULL, "avp_db_load", NULL, FIX_RENAME,
     "sql_avp_load", "avpops' avp_db_load() is sqlops' sql_avp_load() from 3.5 on",
     "call sql_avp_load()"},
    {"avpops-avp_db_store", HOP_34_35, M_FUNC, NULL, "avp_db_store", NULL, FIX_RENAME,
     "sql_avp_store", "avpops' avp_db_store() is sqlops' sql_avp_store() from 3.5 on",
     "call sql_avp_store()"},
    {"avpops-avp_db_delete", HOP_34_35, M_FUNC, NULL, "avp_db_delete", NULL, FIX_RENAME,
     "sql_avp_delete", "avpops' avp_db_delete() is sqlops' sql_avp_delete() from 3.5 on",
     "call sql_avp_delete()"},
    {"avpops-avp_db_query", HOP_34_35, M_FUNC, NULL, "avp_db_query", NULL, FIX_RENAME,
     "sql_query", "avpops' avp_db_query() is sqlops' sql_query() from 3.5 on",
     "call sql_query()"},
    {"avpops-note", HOP_34_35, M_NOTE, NULL, NULL, NULL, FIX_NONE, NULL,
     "avpops -> sqlops: avp_db_load/store/delete/query become sql_avp_load/store/delete and "
     "sql_query (rewritten here); sqlops adds sql_select, sql_update, sql_insert, sql_delete "
     "and sql_replace; check any other avpops function against the 3.5 documentation", NULL},

    /* 3.6 -> 4.0, config-templates.md §5 by item */
    /* 1 (and 7, refreshWatchers): MI names, from the catalogues. The other 3.6 names are kept
     * as aliases in 4.0 (commit 761c3f3673) and need nothing. */
    CFG_MIGRATE_MI_REMOVED(MI_REMOVED)
    /* 2 */
    {"core-listen", HOP_36_40, M_CORE, NULL, "listen", NULL, FIX_RENAME, "socket",
     "the core parameter listen= is removed in 4.0 (deprecated in 3.6): " C3640,
     "write socket= with the same value"},
    /* 3 */
    {"core-log_stderror", HOP_36_40, M_CORE, NULL, "log_stderror", NULL, FIX_STDERROR, NULL,
     "the core parameter log_stderror is removed in 4.0 (deprecated in 3.6): " C3640,
     "write stderror_enabled and syslog_enabled (yes: stderror_enabled=yes syslog_enabled=no; "
     "no: the reverse)"},
    {"core-log_facility", HOP_36_40, M_CORE, NULL, "log_facility", NULL, FIX_RENAME,
     "syslog_facility", "the core parameter log_facility is removed in 4.0: " C3640,
     "write syslog_facility= with the same value"},
    {"core-log_name", HOP_36_40, M_CORE, NULL, "log_name", NULL, FIX_RENAME, "syslog_name",
     "the core parameter log_name is removed in 4.0: " C3640,
     "write syslog_name= with the same value"},
    /* 4 */
    {"cmdline-E", HOP_36_40, M_NOTE, NULL, NULL, NULL, FIX_NONE, NULL,
     "the command-line option -E is gone in 4.0 (3.6 only printed a deprecation error): check "
     "the scripts and units that start OpenSIPS (" C3640 ", main.c)", NULL},
    /* 5 */
    {"usrloc-db_mode", HOP_36_40, M_MODPARAM, "usrloc", "db_mode", NULL, FIX_DB_MODE, NULL,
     "usrloc's db_mode is removed in 4.0 (modules/usrloc/ul_mod.c): " C3640,
     "set working_mode_preset: 0 single-instance-no-db, 1 single-instance-sql-write-through, "
     "2 single-instance-sql-write-back, 3 sql-only"},
    /* 6 */
    {"usrloc-shared_pinging", HOP_36_40, M_MODPARAM, "usrloc", "shared_pinging", NULL, FIX_NONE,
     NULL, "usrloc's shared_pinging is removed in 4.0 (deprecated in 3.6): " C3640,
     "delete the modparam (4.0 refuses it at startup) and set up pinging as usrloc's 4.0 "
     "README describes"},
    /* 8 */
    {"dialog-create_dialog-flags", HOP_36_40, M_FUNC, NULL, "create_dialog", NULL,
     FIX_DLG_FLAGS, NULL,
     "create_dialog() takes comma-separated flag names in 4.0, not letters (commit 06c9a9840c, "
     "modules/dialog/dlg_load.h); a letter fails the fixup when OpenSIPS starts, which "
     "opensips -C does not run",
     "write the names: B bye-on-timeout, P options-ping-caller, p options-ping-callee, "
     "R reinvite-ping-caller, r reinvite-ping-callee, E end-on-race-condition"},
    {"script_helper-create_dialog_flags", HOP_36_40, M_MODPARAM, "script_helper",
     "create_dialog_flags", NULL, FIX_DLG_FLAGS, NULL,
     "script_helper's create_dialog_flags is read by the same parser as create_dialog() and "
     "takes comma-separated names in 4.0, not letters (commit 06c9a9840c)",
     "write the names: B bye-on-timeout, P options-ping-caller, p options-ping-callee, "
     "R reinvite-ping-caller, r reinvite-ping-callee, E end-on-race-condition"},
    /* 9: registrar, mid_registrar and pua_reginfo take use_domain from usrloc */
    USE_DOMAIN("auth_db", "auth_db"),
    USE_DOMAIN("registrar", "usrloc"),
    USE_DOMAIN("usrloc", "usrloc"),
    USE_DOMAIN("group", "group"),
    USE_DOMAIN("sqlops", "sqlops"),
    USE_DOMAIN("carrierroute", "carrierroute"),
    USE_DOMAIN("cpl_c", "cpl_c"),
    USE_DOMAIN("mid_registrar", "usrloc"),
    USE_DOMAIN("pua_reginfo", "usrloc"),
    USE_DOMAIN("userblacklist", "userblacklist"),
    /* 10 */
    {"auth_db-load_credentials", HOP_36_40, M_DEFAULT, "auth_db", "load_credentials", NULL,
     FIX_NONE, NULL,
     "auth_db's load_credentials default changed from \"rpid\" to \"\" in 4.0 "
     "(modules/auth_db/authdb_mod.c): auth_db is loaded and the script does not set it",
     "if the script reads the rpid AVP after authentication, add "
     "modparam(\"auth_db\", \"load_credentials\", \"rpid\")"},
    /* 11 */
    {"mi_xmlrpc_ng-module", HOP_36_40, M_LOADMODULE, "mi_xmlrpc_ng", NULL, NULL, FIX_RENAME,
     "mi_xmlrpc", "the module mi_xmlrpc_ng is renamed mi_xmlrpc in 4.0 (ChangeLog)",
     "load mi_xmlrpc"},
    {"mi_xmlrpc_ng-modparam", HOP_36_40, M_MODPARAM, "mi_xmlrpc_ng", NULL, NULL, FIX_RENAME,
     "mi_xmlrpc", "the module mi_xmlrpc_ng is renamed mi_xmlrpc in 4.0 (ChangeLog)",
     "set the parameter on mi_xmlrpc"},
    /* 12 */
    {"new-modules", HOP_36_40, M_NOTE, NULL, NULL, NULL, FIX_NONE, NULL,
     "4.0 adds the modules auth_web3 and opentelemetry (the latter not built by default): "
     "nothing to change", NULL},
    /* 13 */
    {"rtpproxy-rtpp_bind_local_avp", HOP_36_40, M_MODPARAM, "rtpproxy", "rtpp_bind_local_avp",
     NULL, FIX_NONE, NULL,
     "rtpproxy's rtpp_bind_local_avp is removed in 4.0 (commit 7d49a46731)",
     "delete the modparam and pass the bind-local address as the extra parameter of the "
     "offer/answer functions"},
    /* 14 */
    {"core-tcp_parallel_read_on_workers", HOP_36_40, M_CORE, NULL,
     "tcp_parallel_read_on_workers", NULL, FIX_NONE, NULL,
     "the core parameter tcp_parallel_read_on_workers is removed in 4.0 (commit 75ce0544b6; "
     "tcp_mgm table version 2 drops parallel_read)",
     "delete it; 4.0 has no parallel TCP reads to configure"},
    {"proto_tcp-tcp_parallel_handling", HOP_36_40, M_MODPARAM, "proto_tcp",
     "tcp_parallel_handling", NULL, FIX_NONE, NULL,
     "proto_tcp's tcp_parallel_handling is removed in 4.0 (commit 75ce0544b6)",
     "delete the modparam"},
    /* 15 */
    {"httpd-ip-default", HOP_36_40, M_DEFAULT, "httpd", "ip", NULL, FIX_NONE, NULL,
     "httpd (under mi_http and the other HTTP modules) binds 127.0.0.1 by default in 4.0, not "
     "every address (commit 39e5e02993); 4.0 also adds Basic Auth (auth_realm, auth_username, "
     "auth_password)",
     "to keep serving other hosts add modparam(\"httpd\", \"ip\", \"<address>\"), and "
     "consider auth_username/auth_password"},
    /* 16 */
    {"module-docs", HOP_36_40, M_NOTE, NULL, NULL, NULL, FIX_NONE, NULL,
     "module documentation is README.md (Markdown) in 4.0 and its doc directory is docs: "
     "documentation only, nothing in a script", NULL},
};
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static const char *const hop_names[HOP_COUNT + 1] = {"3.4->3.5", "3.5->3.6", "3.6->4.0",
                                                     "every hop"};

size_t cfg_migrate_rule_count(void)
{
    return N_RULES;
}

const char *cfg_migrate_rule_id(size_t i, const char **hop, enum cfg_migrate_kind *kind,
                                bool *note)
{
    if (i >= N_RULES)
        return NULL;
    if (hop)
        *hop = hop_names[rules[i].hop];
    if (kind)
        *kind = rules[i].fixer == FIX_NONE ? CFG_MIGRATE_MANUAL : CFG_MIGRATE_REWRITE;
    if (note)
        *note = rules[i].match == M_NOTE;
    return rules[i].id;
}

/* ---- versions ---- */

static int series_index(const char *v)
{
    if (!v)
        return -1;
    for (size_t i = 0; i < N_SERIES; i++) {
        size_t n = strlen(series[i]);
        if (strncmp(v, series[i], n))
            continue;
        const char *p = v + n;
        if (!*p)
            return (int)i;
        if (*p != '.' || !p[1] || strlen(p + 1) > 4)
            return -1;
        for (p++; *p; p++)
            if (*p < '0' || *p > '9')
                return -1;
        return (int)i;
    }
    return -1;
}

const char *cfg_migrate_series(const char *v)
{
    int i = series_index(v);
    return i < 0 ? NULL : series[i];
}

/* ---- the lexer ---- */

enum tok_type { TK_END, TK_WORD, TK_STRING, TK_PUNCT };

struct tok {
    enum tok_type type;
    size_t start, len; /* the whole token; a string's quotes included */
    unsigned line, col;
};

struct lex {
    const char *s;
    size_t len, pos, line_start;
    unsigned line;
};

static int is_word(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

static void newline(struct lex *L, size_t at)
{
    L->line++;
    L->line_start = at + 1;
}

/* Skip whitespace and comments. */
static void skip(struct lex *L)
{
    while (L->pos < L->len) {
        char c = L->s[L->pos];
        if (c == '\n') {
            newline(L, L->pos);
            L->pos++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            L->pos++;
        } else if (c == '#' || (c == '/' && L->pos + 1 < L->len && L->s[L->pos + 1] == '/')) {
            const char *nl = memchr(L->s + L->pos, '\n', L->len - L->pos);
            L->pos = nl ? (size_t)(nl - L->s) : L->len;
        } else if (c == '/' && L->pos + 1 < L->len && L->s[L->pos + 1] == '*') {
            /* they nest, as in cfg.lex (comment_nest) */
            size_t depth = 1;
            L->pos += 2;
            while (L->pos < L->len && depth) {
                char d = L->s[L->pos], e = L->pos + 1 < L->len ? L->s[L->pos + 1] : '\0';
                if (d == '*' && e == '/') {
                    depth--;
                    L->pos += 2;
                } else if (d == '/' && e == '*') {
                    depth++;
                    L->pos += 2;
                } else {
                    if (d == '\n')
                        newline(L, L->pos);
                    L->pos++;
                }
            }
        } else {
            return;
        }
    }
}

static void next(struct lex *L, struct tok *t)
{
    skip(L);
    t->start = L->pos;
    t->line = L->line;
    t->col = (unsigned)(L->pos - L->line_start + 1);
    if (L->pos >= L->len) {
        t->type = TK_END;
        t->len = 0;
        return;
    }
    char c = L->s[L->pos];
    if (is_word((unsigned char)c)) {
        while (L->pos < L->len && is_word((unsigned char)L->s[L->pos]))
            L->pos++;
        t->type = TK_WORD;
    } else if (c == '"' || c == '\'') {
        L->pos++;
        while (L->pos < L->len && L->s[L->pos] != c) {
            if (c == '"' && L->s[L->pos] == '\\' && L->pos + 1 < L->len)
                L->pos++; /* only "..." has escapes (cfg.lex STRING1; '...' is STRING2) */
            if (L->s[L->pos] == '\n')
                newline(L, L->pos);
            L->pos++;
        }
        if (L->pos < L->len)
            L->pos++;
        t->type = TK_STRING;
    } else {
        L->pos++;
        if ((c == '=' || c == '!' || c == '<' || c == '>') && L->pos < L->len &&
            L->s[L->pos] == '=')
            L->pos++;
        t->type = TK_PUNCT;
    }
    t->len = L->pos - t->start;
}

static bool tok_is(const struct lex *L, const struct tok *t, const char *s)
{
    size_t n = strlen(s);
    return t->len == n && !memcmp(L->s + t->start, s, n);
}

/* A string token's content: between its quotes (an unterminated one runs to the end). */
static void str_content(const struct lex *L, const struct tok *t, size_t *start, size_t *len)
{
    *start = t->start + 1;
    bool closed = t->len >= 2 && L->s[t->start + t->len - 1] == L->s[t->start];
    *len = t->len - 1 - (closed ? 1 : 0);
}

static bool content_is(const struct lex *L, const struct tok *t, const char *s)
{
    size_t a, n;
    if (t->type != TK_STRING)
        return false;
    str_content(L, t, &a, &n);
    return n == strlen(s) && !memcmp(L->s + a, s, n);
}

/* Whether a modparam's module s (n bytes) names module: OpenSIPS matches it as the extended
 * regular expression ^(s)$, case ignored (modparam.c set_mod_param_regex); this reads the forms
 * scripts use, a name or names joined by '|'. */
static bool module_is(const char *s, size_t n, const char *module)
{
    size_t m = strlen(module);
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        if (j - i == m && !strncasecmp(s + i, module, m))
            return true;
        i = j + 1;
    }
    return false;
}

/* ---- the scan ---- */

struct edit {
    size_t start, len;
    char *repl; /* owned */
};

struct loaded {
    const char *name; /* the rule's static name after a rename, or a pointer into the text */
    size_t name_len;
    struct tok at;    /* the loadmodule word */
    size_t end;       /* past its string */
};

struct setting {
    size_t mod, mod_len, param, param_len; /* into the text */
};

struct scan {
    const char *s;
    size_t len;
    int from, to; /* series indexes */
    struct cfg_migrate_plan *p;
    size_t cap_findings;
    struct edit *edits;
    size_t n_edits, cap_edits;
    struct loaded *loaded;
    size_t n_loaded, cap_loaded;
    struct setting *set;
    size_t n_set, cap_set;
    bool nomem;
};

static bool active(const struct scan *S, const struct rule *r)
{
    if (r->hop == HOP_ANY)
        return S->from < S->to;
    return (int)r->hop >= S->from && (int)r->hop < S->to;
}

static bool grow(void **a, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 16;
    void *b = realloc(*a, c * size);
    if (!b)
        return false;
    *a = b;
    *cap = c;
    return true;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    if (vasprintf(&s, f, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

/* Record an edit (repl stolen); false when it overlaps the previous one (it is dropped) or
 * memory runs out. Edits come in the order of the text. */
static bool add_edit(struct scan *S, size_t start, size_t len, char *repl)
{
    if (!repl) {
        S->nomem = true;
        return false;
    }
    if (S->n_edits) {
        const struct edit *last = &S->edits[S->n_edits - 1];
        if (start < last->start + last->len) {
            free(repl);
            return false;
        }
    }
    if (!grow((void **)&S->edits, &S->cap_edits, S->n_edits, sizeof(*S->edits))) {
        free(repl);
        S->nomem = true;
        return false;
    }
    S->edits[S->n_edits++] = (struct edit){start, len, repl};
    return true;
}

/* Record a finding of rule r at t over text [start, end) of the input; fix (stolen) NULL: the
 * rule's own. */
static void add_finding(struct scan *S, const struct rule *r, bool rewrite, unsigned line,
                        unsigned col, size_t start, size_t end, char *fix)
{
    struct cfg_migrate_plan *p = S->p;
    if (rewrite)
        p->rewrites_applied++;
    else
        p->manual_count++;
    if (p->n_findings >= CFG_MIGRATE_FINDINGS_MAX) {
        p->findings_truncated = true;
        free(fix);
        return;
    }
    if (!grow((void **)&p->findings, &S->cap_findings, p->n_findings, sizeof(*p->findings))) {
        free(fix);
        S->nomem = true;
        return;
    }
    size_t n = end - start;
    if (n > CFG_MIGRATE_TEXT_MAX) {
        n = CFG_MIGRATE_TEXT_MAX;
        while (n > 0 && ((unsigned char)S->s[start + n] & 0xC0) == 0x80)
            n--; /* not in the middle of a UTF-8 character */
    }
    char *text = strndup(S->s + start, n);
    if (!fix)
        fix = strdup(r->fix ? r->fix : "");
    if (!text || !fix) {
        free(text);
        free(fix);
        S->nomem = true;
        return;
    }
    p->findings[p->n_findings++] = (struct cfg_migrate_finding){
        .line = line, .column = col, .rule = r->id,
        .kind = rewrite ? CFG_MIGRATE_REWRITE : CFG_MIGRATE_MANUAL,
        .text = text, .reason = r->reason, .fix = fix};
}

/* A rewrite: the edit, then its finding (none when the edit overlaps an earlier one). */
static void rewrite(struct scan *S, const struct rule *r, const struct tok *at, size_t start,
                    size_t len, char *repl, size_t text_end)
{
    char *fix = repl ? fmt("%s (rewritten to '%s')", r->fix, repl) : NULL;
    if (add_edit(S, start, len, repl))
        add_finding(S, r, true, at->line, at->col, at->start, text_end, fix);
    else
        free(fix);
}

/* The dialog flags in s (n bytes): a new CSV of names when they are letters, NULL with *bad
 * false when there is nothing to do (empty, or names already), NULL with *bad true when they
 * are neither (an unknown letter or name, a variable). */
static char *dlg_flags(const char *s, size_t n, bool *bad)
{
    static const struct { char letter; const char *name; } map[] = {
        {'B', "bye-on-timeout"},       {'P', "options-ping-caller"},
        {'p', "options-ping-callee"},  {'R', "reinvite-ping-caller"},
        {'r', "reinvite-ping-callee"}, {'E', "end-on-race-condition"},
    };
    static const char *const names[] = {"bye-on-timeout", "options-ping-caller",
        "options-ping-callee", "reinvite-ping-caller", "reinvite-ping-callee",
        "end-on-race-condition", "auto-prack"};
    *bad = false;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return NULL;
    if (memchr(s, '-', n) || memchr(s, ',', n)) {
        /* names: each must be one of them (case ignored) */
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && s[j] != ',')
                j++;
            size_t a = i, b = j;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
                b--;
            bool known = false;
            for (size_t k = 0; k < sizeof(names) / sizeof(*names) && !known; k++)
                known = strlen(names[k]) == b - a && !strncasecmp(names[k], s + a, b - a);
            if (!known) {
                *bad = true;
                return NULL;
            }
            i = j + 1;
        }
        return NULL;
    }
    unsigned seen = 0;
    char out[160] = "";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sizeof(map) / sizeof(*map) && map[k].letter != s[i])
            k++;
        if (k == sizeof(map) / sizeof(*map)) {
            *bad = true;
            return NULL;
        }
        if (seen & (1u << k))
            continue;
        seen |= 1u << k;
        /* six names of at most 21 bytes and their commas fit 160 */
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? "," : "", map[k].name);
    }
    return strdup(out);
}

/* name=value: the value's end (a string, or up to ';', a comment or the end of the line, trailing
 * blanks left out: `listen=udp:1.2.3.4:5060 as 192.0.2.1:5060`). */
static size_t value_end(const struct lex *L, size_t at)
{
    size_t i = at;
    while (i < L->len && (L->s[i] == ' ' || L->s[i] == '\t'))
        i++;
    if (i < L->len && (L->s[i] == '"' || L->s[i] == '\'')) {
        struct lex V = *L;
        struct tok t;
        V.pos = i;
        next(&V, &t);
        return t.start + t.len;
    }
    size_t cap = at + 2 * CFG_MIGRATE_TEXT_MAX; /* only a finding's text: never the whole line */
    while (i < L->len && i < cap && !strchr("\r\n;#", L->s[i]) &&
           !(L->s[i] == '/' && i + 1 < L->len && (L->s[i + 1] == '/' || L->s[i + 1] == '*')))
        i++;
    while (i > at && (L->s[i - 1] == ' ' || L->s[i - 1] == '\t'))
        i--;
    return i;
}

/* `word=` at t (the lexer past the '='). */
static void match_core(struct scan *S, const struct lex *L, const struct tok *t)
{
    for (size_t i = 0; i < N_RULES; i++) {
        const struct rule *r = &rules[i];
        if (r->match != M_CORE || !active(S, r) || !tok_is(L, t, r->name))
            continue;
        size_t vend = value_end(L, L->pos);
        if (r->fixer == FIX_RENAME) {
            rewrite(S, r, t, t->start, t->len, strdup(r->to), vend);
        } else if (r->fixer == FIX_STDERROR) {
            static const char *const pairs[][2] = {{"yes", "no"}, {"true", "false"},
                                                  {"on", "off"},  {"1", "0"}};
            struct lex V = *L;
            struct tok v;
            next(&V, &v);
            const char *val = NULL, *neg = NULL;
            for (size_t k = 0; k < 4 && v.type == TK_WORD && !val; k++)
                for (int side = 0; side < 2; side++)
                    if (v.len == strlen(pairs[k][side]) &&
                        !strncasecmp(L->s + v.start, pairs[k][side], v.len)) {
                        val = pairs[k][side];
                        neg = pairs[k][!side];
                        break;
                    }
            if (val)
                rewrite(S, r, t, t->start, v.start + v.len - t->start,
                        fmt("stderror_enabled=%s syslog_enabled=%s", val, neg), vend);
            else
                add_finding(S, r, false, t->line, t->col, t->start, vend, NULL);
        } else {
            add_finding(S, r, false, t->line, t->col, t->start, vend, NULL);
        }
    }
}

/* `name(` at t (the lexer past the '('): the rule's first argument. */
static void match_func(struct scan *S, const struct lex *L, const struct tok *t)
{
    for (size_t i = 0; i < N_RULES; i++) {
        const struct rule *r = &rules[i];
        if (r->match != M_FUNC || !active(S, r) || !tok_is(L, t, r->name))
            continue;
        if (r->fixer == FIX_RENAME) {
            rewrite(S, r, t, t->start, t->len, strdup(r->to), t->start + t->len);
            continue;
        }
        struct lex V = *L;
        struct tok a;
        next(&V, &a);
        if (a.type == TK_PUNCT && tok_is(L, &a, ")"))
            continue; /* no flags */
        bool bad = true;
        char *names = NULL;
        size_t cs = 0, cn = 0;
        if (a.type == TK_STRING) {
            str_content(L, &a, &cs, &cn);
            names = dlg_flags(L->s + cs, cn, &bad);
        }
        size_t end = a.start + a.len;
        struct tok close;
        next(&V, &close);
        if (tok_is(L, &close, ")"))
            end = close.start + 1;
        if (names)
            rewrite(S, r, t, cs, cn, names, end);
        else if (bad)
            add_finding(S, r, false, t->line, t->col, t->start, end,
                        a.type == TK_STRING ? NULL
                                            : strdup("the flags are not a literal string: make "
                                                     "sure what it holds is names, not letters"));
    }
}

/* loadmodule "x" at t (s: the string). */
static void match_loadmodule(struct scan *S, const struct lex *L, const struct tok *t,
                             const struct tok *s)
{
    size_t cs, cn;
    str_content(L, s, &cs, &cn);
    size_t b = cs, e = cs + cn;
    for (size_t i = cs; i < e; i++)
        if (L->s[i] == '/')
            b = i + 1;
    if (e - b > 3 && !memcmp(L->s + e - 3, ".so", 3))
        e -= 3;
    const char *name = L->s + b;
    size_t name_len = e - b;
    for (size_t i = 0; i < N_RULES; i++) {
        const struct rule *r = &rules[i];
        if (r->match != M_LOADMODULE || !active(S, r) || strlen(r->module) != e - b ||
            memcmp(L->s + b, r->module, e - b))
            continue;
        if (r->fixer == FIX_RENAME) {
            rewrite(S, r, t, b, e - b, strdup(r->to), s->start + s->len);
            name = r->to;
            name_len = strlen(r->to);
        } else {
            add_finding(S, r, false, t->line, t->col, t->start, s->start + s->len, NULL);
        }
    }
    if (!grow((void **)&S->loaded, &S->cap_loaded, S->n_loaded, sizeof(*S->loaded))) {
        S->nomem = true;
        return;
    }
    S->loaded[S->n_loaded++] = (struct loaded){name, name_len, *t, s->start + s->len};
}

/* modparam at t: ( "module" , "param" , value ). The lexer is left past the param string. */
static void match_modparam(struct scan *S, struct lex *L, const struct tok *t)
{
    struct lex V = *L;
    struct tok open, mod, c1, par, c2, val, neg;
    next(&V, &open);
    next(&V, &mod);
    next(&V, &c1);
    next(&V, &par);
    if (!tok_is(&V, &open, "(") || mod.type != TK_STRING || !tok_is(&V, &c1, ",") ||
        par.type != TK_STRING)
        return;
    struct lex after_par = V;
    next(&V, &c2);
    next(&V, &val);
    neg.type = TK_END;
    if (tok_is(&V, &val, "-")) {
        neg = val;
        next(&V, &val);
    }
    if (!tok_is(&V, &c2, ",") || (val.type != TK_STRING && val.type != TK_WORD))
        return;
    *L = after_par;

    size_t ms, mn, ps, pn;
    str_content(L, &mod, &ms, &mn);
    str_content(L, &par, &ps, &pn);
    if (!grow((void **)&S->set, &S->cap_set, S->n_set, sizeof(*S->set))) {
        S->nomem = true;
        return;
    }
    S->set[S->n_set++] = (struct setting){ms, mn, ps, pn};

    size_t end = val.start + val.len;
    struct tok close;
    next(&V, &close);
    if (tok_is(&V, &close, ")"))
        end = close.start + 1;
    for (size_t i = 0; i < N_RULES; i++) {
        const struct rule *r = &rules[i];
        if (r->match != M_MODPARAM || !active(S, r) || !module_is(L->s + ms, mn, r->module) ||
            (r->name && !content_is(L, &par, r->name)))
            continue;
        if (r->fixer == FIX_RENAME && !content_is(L, &mod, r->module)) {
            /* a module among others ("a|b"): renaming the string would rename them all */
            add_finding(S, r, false, t->line, t->col, t->start, end, NULL);
        } else if (r->fixer == FIX_RENAME) {
            rewrite(S, r, t, ms, mn, strdup(r->to), end);
        } else if (r->fixer == FIX_DB_MODE) {
            static const char *const presets[] = {"single-instance-no-db",
                "single-instance-sql-write-through", "single-instance-sql-write-back",
                "sql-only"};
            size_t vs = val.start, vn = val.len;
            if (val.type == TK_STRING)
                str_content(L, &val, &vs, &vn);
            int mode = neg.type == TK_END && vn == 1 && L->s[vs] >= '0' && L->s[vs] <= '3'
                           ? L->s[vs] - '0' : -1;
            if (mode >= 0)
                rewrite(S, r, t, par.start, val.start + val.len - par.start,
                        fmt("\"working_mode_preset\", \"%s\"", presets[mode]), end);
            else
                add_finding(S, r, false, t->line, t->col, t->start, end, NULL);
        } else if (r->fixer == FIX_DLG_FLAGS) {
            bool bad = true;
            char *names = NULL;
            size_t vs = 0, vn = 0;
            if (val.type == TK_STRING) {
                str_content(L, &val, &vs, &vn);
                names = dlg_flags(L->s + vs, vn, &bad);
            }
            if (names)
                rewrite(S, r, t, vs, vn, names, end);
            else if (bad)
                add_finding(S, r, false, t->line, t->col, t->start, end, NULL);
        } else {
            add_finding(S, r, false, t->line, t->col, t->start, end, NULL);
        }
    }
}

/* The words of string t that are removed MI names. */
static void match_mi(struct scan *S, const struct lex *L, const struct tok *t)
{
    size_t cs, cn;
    str_content(L, t, &cs, &cn);
    /* where each name is, not where its string starts: a cursor that only moves forward */
    size_t q = t->start;
    unsigned line = t->line, col = t->col;
    for (size_t i = cs; i < cs + cn;) {
        if (!is_word((unsigned char)L->s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < cs + cn && is_word((unsigned char)L->s[j]))
            j++;
        for (size_t k = 0; k < N_RULES; k++) {
            const struct rule *r = &rules[k];
            if (r->match != M_MI || !active(S, r) || strlen(r->name) != j - i ||
                memcmp(L->s + i, r->name, j - i))
                continue;
            for (; q < i; q++) {
                if (L->s[q] == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            struct tok at = {TK_WORD, i, j - i, line, col};
            rewrite(S, r, &at, i, j - i, strdup(r->to), j);
            break;
        }
        i = j;
    }
}

/* include_file "x" / import_file "x" at t (s: the string): whether a rule took it. */
static bool match_include(struct scan *S, const struct lex *L, const struct tok *t,
                          const struct tok *s)
{
    for (size_t i = 0; i < N_RULES; i++) {
        const struct rule *r = &rules[i];
        if (r->match == M_INCLUDE && active(S, r) && tok_is(L, t, r->name)) {
            add_finding(S, r, false, t->line, t->col, t->start, s->start + s->len, NULL);
            return true;
        }
    }
    return false;
}

/* Modules loaded that leave a flipped default unset. Whether each rule's parameter is set is
 * decided once, so that many modules and many modparams stay linear. */
static void match_defaults(struct scan *S)
{
    bool set[N_RULES] = {false};
    for (size_t i = 0; i < N_RULES; i++) {
        const struct rule *r = &rules[i];
        if (r->match != M_DEFAULT || !active(S, r))
            continue;
        const char *owner = r->owner ? r->owner : r->module;
        for (size_t k = 0; k < S->n_set && !set[i]; k++) {
            const struct setting *x = &S->set[k];
            set[i] = module_is(S->s + x->mod, x->mod_len, owner) &&
                     x->param_len == strlen(r->name) &&
                     !memcmp(S->s + x->param, r->name, x->param_len);
        }
    }
    for (size_t l = 0; l < S->n_loaded; l++) {
        const struct loaded *m = &S->loaded[l];
        for (size_t i = 0; i < N_RULES; i++) {
            const struct rule *r = &rules[i];
            if (r->match == M_DEFAULT && active(S, r) && !set[i] &&
                strlen(r->module) == m->name_len && !memcmp(m->name, r->module, m->name_len))
                add_finding(S, r, false, m->at.line, m->at.col, m->at.start, m->end, NULL);
        }
    }
}

static void scan_text(struct scan *S)
{
    struct lex L = {S->s, S->len, 0, 0, 1};
    struct tok t, prev = {TK_END, 0, 0, 0, 0};
    bool any_mi = false;
    for (size_t i = 0; i < N_RULES; i++)
        any_mi |= rules[i].match == M_MI && active(S, &rules[i]);

    for (next(&L, &t); t.type != TK_END && !S->nomem; prev = t, next(&L, &t)) {
        if (t.type == TK_STRING) {
            if (any_mi)
                match_mi(S, &L, &t);
            continue;
        }
        if (t.type != TK_WORD || (prev.type == TK_PUNCT && tok_is(&L, &prev, "$")))
            continue;
        struct lex V = L;
        struct tok n;
        next(&V, &n);
        if (tok_is(&L, &t, "loadmodule") && n.type == TK_STRING) {
            match_loadmodule(S, &L, &t, &n);
            L = V;
            t = n;
        } else if (n.type == TK_STRING && match_include(S, &L, &t, &n)) {
            L = V;
            t = n;
        } else if (tok_is(&L, &t, "modparam") && tok_is(&L, &n, "(")) {
            match_modparam(S, &L, &t);
        } else if (n.type == TK_PUNCT && tok_is(&L, &n, "=")) {
            L = V;
            match_core(S, &L, &t);
            t = n;
        } else if (n.type == TK_PUNCT && tok_is(&L, &n, "(")) {
            L = V;
            match_func(S, &L, &t);
            t = n;
        }
    }
    if (!S->nomem)
        match_defaults(S);
}

/* ---- the plan ---- */

static int by_position(const void *a, const void *b)
{
    const struct cfg_migrate_finding *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return 0;
}

static int apply(struct scan *S)
{
    struct cfg_migrate_plan *p = S->p;
    size_t n = S->len;
    for (size_t i = 0; i < S->n_edits; i++)
        n = n - S->edits[i].len + strlen(S->edits[i].repl);
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return CFG_ERR_NOMEM;
    size_t at = 0;
    for (size_t i = 0; i < S->n_edits; i++) {
        const struct edit *e = &S->edits[i];
        memcpy(o, S->s + at, e->start - at);
        o += e->start - at;
        size_t r = strlen(e->repl);
        memcpy(o, e->repl, r);
        o += r;
        at = e->start + e->len;
    }
    memcpy(o, S->s + at, S->len - at);
    o += S->len - at;
    *o = '\0';
    p->migrated = out;
    p->migrated_len = (size_t)(o - out);
    return CFG_OK;
}

static int fail(char *errbuf, size_t errlen, int code, const char *f, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *errbuf, size_t errlen, int code, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    if (errbuf && errlen)
        vsnprintf(errbuf, errlen, f, ap);
    va_end(ap);
    return code;
}

int cfg_migrate_plan(const char *text, size_t len, const char *from, const char *to,
                     struct cfg_migrate_plan *p, char *errbuf, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    int a = series_index(from), b = series_index(to);
    if (a < 0)
        return fail(errbuf, errlen, CFG_ERR_INVALID,
                    "unknown OpenSIPS version '%.32s' in from_version: supported are %s",
                    from ? from : "", cfg_migrate_supported);
    if (b < 0)
        return fail(errbuf, errlen, CFG_ERR_INVALID,
                    "unknown OpenSIPS version '%.32s' in to_version: supported are %s",
                    to ? to : "", cfg_migrate_supported);
    if (a > b)
        return fail(errbuf, errlen, CFG_ERR_INVALID,
                    "from_version %s is newer than to_version %s: a plan only goes forward "
                    "(supported: %s)", series[a], series[b], cfg_migrate_supported);
    if (len > CFG_MIGRATE_INPUT_MAX)
        return fail(errbuf, errlen, CFG_ERR_INVALID,
                    "config_content is %zu bytes, over the limit of %u (1 MiB): split it at its "
                    "include_file lines and plan each part", len, CFG_MIGRATE_INPUT_MAX);
    if (text == NULL && len)
        return fail(errbuf, errlen, CFG_ERR_INVALID, "no config_content given");
    if (len && memchr(text, '\0', len))
        return fail(errbuf, errlen, CFG_ERR_INVALID,
                    "config_content holds a NUL byte: it is not a config's text");
    p->from = series[a];
    p->to = series[b];
    for (int h = a; h < b; h++) {
        struct cfg_migrate_hop *hop = &p->hops[p->n_hops++];
        hop->from = series[h];
        hop->to = series[h + 1];
        for (size_t i = 0; i < N_RULES; i++) {
            if (rules[i].hop == HOP_ANY || (int)rules[i].hop != h)
                continue;
            if (rules[i].match != M_NOTE)
                hop->rules++;
            else if (hop->n_notes < CFG_MIGRATE_NOTES_MAX)
                hop->notes[hop->n_notes++] = rules[i].reason;
        }
        if (!hop->rules && hop->n_notes < CFG_MIGRATE_NOTES_MAX)
            hop->notes[hop->n_notes++] =
                "no rules for this hop: config-templates.md lists no script change between "
                "these series, so nothing is reported for it";
    }

    struct scan S = {.s = text ? text : "", .len = len, .from = a, .to = b, .p = p};
    scan_text(&S);
    int rc = S.nomem ? CFG_ERR_NOMEM : apply(&S);
    for (size_t i = 0; i < S.n_edits; i++)
        free(S.edits[i].repl);
    free(S.edits);
    free(S.loaded);
    free(S.set);
    if (rc != CFG_OK) {
        cfg_migrate_plan_release(p);
        return fail(errbuf, errlen, rc, "out of memory planning the migration");
    }
    /* stable: equal positions keep the rule table's order (qsort is not stable) */
    for (size_t i = 1; i < p->n_findings; i++) {
        struct cfg_migrate_finding f = p->findings[i];
        size_t j = i;
        while (j > 0 && by_position(&p->findings[j - 1], &f) > 0) {
            p->findings[j] = p->findings[j - 1];
            j--;
        }
        p->findings[j] = f;
    }
    return CFG_OK;
}

void cfg_migrate_plan_release(struct cfg_migrate_plan *p)
{
    for (size_t i = 0; i < p->n_findings; i++) {
        free(p->findings[i].text);
        free(p->findings[i].fix);
    }
    free(p->findings);
    free(p->migrated);
    memset(p, 0, sizeof(*p));
}
