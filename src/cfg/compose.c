/* cfg/compose: flags and site parameters onto a template, post-render fixes, and what a
 * rendered config loads (cfg/compose.h). */
#include "cfg/compose.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>

void cfg_compose_init(struct cfg_compose *k, const struct cfg_template *t)
{
    memset(k, 0, sizeof(*k));
    k->t = t;
}

void cfg_compose_release(struct cfg_compose *k)
{
    for (size_t i = 0; i < k->n; i++)
        free((char *)k->choices[i].value);
    for (size_t i = 0; i < k->n_notes; i++)
        free(k->notes[i]);
    free(k->mpath);
    memset(k, 0, sizeof(*k));
}

int cfg_compose_note(struct cfg_compose *k, const char *fmt, ...)
{
    if (k->n_notes >= CFG_NOTES_MAX)
        return CFG_OK;
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0)
        return CFG_ERR_NOMEM;
    k->notes[k->n_notes++] = s;
    return CFG_OK;
}

/* The template's flag named `name` (n bytes), case ignored; NULL when none. */
static const struct cfg_flag *flag_nocase(const struct cfg_template *t, const char *name,
                                          size_t n)
{
    for (size_t i = 0; i < t->n_flags; i++)
        if (strlen(t->flags[i].name) == n && !strncasecmp(t->flags[i].name, name, n))
            return &t->flags[i];
    return NULL;
}

/* The Python server's WITH_<X> names whose X is not the template's word. */
static const struct {
    const char *with, *flag;
} renames[] = {
    {"ACCDB", "USE_DBACC"},
    {"USRLOCDB", "USE_DBUSRLOC"},
    {"ALIASDB", "USE_ALIASES"},
};

static const struct cfg_flag *with_flag(const struct cfg_template *t, const char *x, size_t n)
{
    static const char *const prefixes[] = {"", "USE_", "ENABLE_"};
    char buf[CFG_NAME_MAX + 16];
    for (size_t r = 0; r < sizeof(renames) / sizeof(*renames); r++)
        if (strlen(renames[r].with) == n && !strncasecmp(renames[r].with, x, n))
            return cfg_template_flag(t, renames[r].flag);
    for (size_t p = 0; p < sizeof(prefixes) / sizeof(*prefixes); p++) {
        int len = snprintf(buf, sizeof(buf), "%s%.*s", prefixes[p], (int)n, x);
        const struct cfg_flag *f;
        if (len > 0 && (size_t)len < sizeof(buf) && (f = flag_nocase(t, buf, (size_t)len)))
            return f;
    }
    return NULL;
}

/* The template's flag names, "A, B, C" cut to fit len. */
static void flag_list(const struct cfg_template *t, bool values_only, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_flags && used + 1 < len; i++) {
        if (values_only && strcmp(cfg_flag_kind(&t->flags[i]), "value"))
            continue;
        int r = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", t->flags[i].name);
        if (r < 0 || (size_t)r >= len - used) {
            buf[used] = '\0';
            break;
        }
        used += (size_t)r;
    }
}

static int add_choice(struct cfg_compose *k, const struct cfg_flag *f, const char *value,
                      size_t vlen, const char *what, char *errbuf, size_t errlen)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->choices[i].name, f->name)) {
            snprintf(errbuf, errlen, "flag '%s' is given twice (%s)", f->name, what);
            return CFG_ERR_INVALID;
        }
    if (k->n >= CFG_CHOICES_MAX) {
        snprintf(errbuf, errlen, "more than %d flags and site parameters chosen",
                 CFG_CHOICES_MAX);
        return CFG_ERR_INVALID;
    }
    char *v = strndup(value, vlen);
    if (!v)
        return CFG_ERR_NOMEM;
    k->choices[k->n].name = f->name;
    k->choices[k->n].value = v;
    k->n++;
    if (!strcmp(f->name, "DB_URL"))
        k->db_url = v;
    return CFG_OK;
}

int cfg_compose_flag(struct cfg_compose *k, const char *spec, char *errbuf, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
    while (n && (spec[n - 1] == ' ' || spec[n - 1] == '\t'))
        n--;
    if (!n) {
        snprintf(errbuf, errlen, "flag '%.80s' has no name: give NAME or NAME=VALUE", spec);
        return CFG_ERR_INVALID;
    }
    const struct cfg_flag *f = flag_nocase(k->t, spec, n);
    if (!f && n > 5 && !strncasecmp(spec, "WITH_", 5) && (f = with_flag(k->t, spec + 5, n - 5))) {
        if (cfg_compose_note(k, "%.*s is %s in template '%s'", (int)n, spec, f->name,
                             k->t->name))
            return CFG_ERR_NOMEM;
    }
    if (!f) {
        char list[600];
        flag_list(k->t, false, list, sizeof(list));
        snprintf(errbuf, errlen, "unknown flag '%.*s' for template '%s'; its flags are: %s "
                 "(cfg_list_flags shows them)", (int)(n > 80 ? 80 : n), spec, k->t->name, list);
        return CFG_ERR_NOT_FOUND;
    }
    const char *v = eq ? eq + 1 : "yes";
    return add_choice(k, f, v, strlen(v), "in flags", errbuf, errlen);
}

/* The Python server's site parameter keys that are named otherwise in the templates. */
static const struct {
    const char *key, *flag;
} site_keys[] = {
    {"LISTEN", "LISTEN_IP"},
    {"RTP_PROXY_ADDR", "RTPPROXY_SOCKET"},
};

int cfg_compose_site(struct cfg_compose *k, const char *key, const char *value, char *errbuf,
                     size_t errlen)
{
    if (!strcasecmp(key, "MPATH")) {
        if (!value[0] || strchr(value, '"') || strchr(value, '\n')) {
            snprintf(errbuf, errlen, "site parameter MPATH must be a directory path without "
                     "'\"' or a newline");
            return CFG_ERR_INVALID;
        }
        free(k->mpath);
        return (k->mpath = strdup(value)) ? CFG_OK : CFG_ERR_NOMEM;
    }
    const struct cfg_flag *f = flag_nocase(k->t, key, strlen(key));
    for (size_t i = 0; !f && i < sizeof(site_keys) / sizeof(*site_keys); i++)
        if (!strcasecmp(site_keys[i].key, key) &&
            (f = cfg_template_flag(k->t, site_keys[i].flag)) &&
            cfg_compose_note(k, "site parameter %s is %s in template '%s'", site_keys[i].key,
                             f->name, k->t->name))
            return CFG_ERR_NOMEM;
    if (!f) {
        char list[400];
        flag_list(k->t, true, list, sizeof(list));
        bool first = !k->values_listed;
        k->values_listed = true;
        return cfg_compose_note(k, "site parameter '%.64s' has no counterpart in template '%s' "
                                "and was ignored%s%s", key, k->t->name,
                                first ? "; its site values are: " : "",
                                first ? (list[0] ? list : "none") : "");
    }
    return add_choice(k, f, value, strlen(value), "in site_params", errbuf, errlen);
}

const char *cfg_flag_kind(const struct cfg_flag *f)
{
    if (f->internal)
        return "internal";
    if (!f->default_value)
        return "undefined";
    if (!strcmp(f->default_value, "yes") || !strcmp(f->default_value, "no"))
        return "switch";
    return "value";
}

void cfg_fixes_release(struct cfg_fixes *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->items[i].what);
    memset(f, 0, sizeof(*f));
}

/* [*vs, *ve) is the quoted value of a `mpath = "..."` line starting at s (up to e). */
static bool mpath_line(const char *s, const char *e, const char **vs, const char **ve)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if ((size_t)(e - s) < 5 || strncmp(s, "mpath", 5))
        return false;
    s += 5;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if (s >= e || *s++ != '=')
        return false;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if (s >= e || *s != '"')
        return false;
    const char *q = memchr(s + 1, '"', (size_t)(e - s - 1));
    if (!q)
        return false;
    *vs = s + 1;
    *ve = q;
    return true;
}

/* [*vs, *ve) is the module file of a `loadmodule "..."` line starting at s. */
static bool loadmodule_line(const char *s, const char *e, const char **vs, const char **ve)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if ((size_t)(e - s) < 10 || strncmp(s, "loadmodule", 10))
        return false;
    s += 10;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if (s >= e || *s != '"')
        return false;
    const char *q = memchr(s + 1, '"', (size_t)(e - s - 1));
    if (!q)
        return false;
    *vs = s + 1;
    *ve = q;
    return true;
}

static int fix_add(struct cfg_fixes *out, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fix_add(struct cfg_fixes *out, unsigned line, const char *fmt, ...)
{
    if (out->n >= CFG_FIXES_MAX)
        return CFG_OK;
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(&out->items[out->n].what, fmt, ap);
    va_end(ap);
    if (r < 0)
        return CFG_ERR_NOMEM;
    out->items[out->n++].line = line;
    return CFG_OK;
}

int cfg_fix_text(char **text, size_t *len, const char *module_dir, const char *mpath,
                 const char *db_url, struct cfg_fixes *out)
{
    const char *want = mpath ? mpath : module_dir;
    bool pg = db_url && (!strncmp(db_url, "postgres://", 11) || !strncmp(db_url, "postgresql://", 13));
    const char *src = *text, *e = *text + *len;
    size_t cap = *len + 1 + (want ? strlen(want) * 8 : 0) + 64, used = 0;
    char *buf = malloc(cap);
    bool changed = false;
    unsigned line = 0;
    int rc = CFG_OK;

    memset(out, 0, sizeof(*out));
    if (!buf)
        return CFG_ERR_NOMEM;
    for (const char *s = src; s < e && !rc;) {
        const char *nl = memchr(s, '\n', (size_t)(e - s)), *le = nl ? nl : e, *vs, *ve;
        const char *next = nl ? nl + 1 : e;
        line++;
        const char *repl = NULL;
        size_t keep_before = 0, drop = 0;
        if (want && mpath_line(s, le, &vs, &ve) &&
            ((size_t)(ve - vs) != strlen(want) || strncmp(vs, want, (size_t)(ve - vs)))) {
            repl = want;
            rc = fix_add(out, line, "mpath \"%.*s\" set to \"%s\", %s", (int)(ve - vs), vs, want,
                         mpath ? "the site parameter MPATH"
                               : "the module directory of the configured OpenSIPS (--opensips)");
            keep_before = (size_t)(vs - s);
            drop = (size_t)(ve - vs);
        } else if (pg && loadmodule_line(s, le, &vs, &ve) && (size_t)(ve - vs) == 11 &&
                   !strncmp(vs, "db_mysql.so", 11)) {
            repl = "db_postgres.so";
            rc = fix_add(out, line, "loadmodule \"db_mysql.so\" set to \"db_postgres.so\": "
                         "DB_URL is a PostgreSQL URL");
            keep_before = (size_t)(vs - s);
            drop = 11;
        }
        size_t need = used + (size_t)(next - s) + (repl ? strlen(repl) : 0) + 1;
        if (need > cap) {
            char *b = realloc(buf, need * 2);
            if (!b) {
                rc = CFG_ERR_NOMEM;
                break;
            }
            buf = b;
            cap = need * 2;
        }
        if (repl) {
            memcpy(buf + used, s, keep_before);
            used += keep_before;
            memcpy(buf + used, repl, strlen(repl));
            used += strlen(repl);
            const char *rest = s + keep_before + drop;
            memcpy(buf + used, rest, (size_t)(next - rest));
            used += (size_t)(next - rest);
            changed = true;
        } else {
            memcpy(buf + used, s, (size_t)(next - s));
            used += (size_t)(next - s);
        }
        s = next;
    }
    if (rc || !changed) {
        free(buf);
        if (rc)
            cfg_fixes_release(out);
        return rc;
    }
    buf[used] = '\0';
    free(*text);
    *text = buf;
    *len = used;
    return CFG_OK;
}

long cfg_modules(const char *text, char ***names)
{
    size_t n = 0;
    char **v = NULL;
    *names = NULL;
    for (const char *s = text; *s && n < CFG_MODULES_MAX;) {
        const char *nl = strchr(s, '\n'), *le = nl ? nl : s + strlen(s), *vs, *ve;
        if (loadmodule_line(s, le, &vs, &ve)) {
            const char *slash = memrchr(vs, '/', (size_t)(ve - vs));
            if (slash)
                vs = slash + 1;
            if (ve - vs > 3 && !strncmp(ve - 3, ".so", 3))
                ve -= 3;
            char **g = realloc(v, (n + 1) * sizeof(*v));
            if (!g || !(g[n] = strndup(vs, (size_t)(ve - vs)))) {
                cfg_modules_free(g ? g : v, n);
                return -1;
            }
            v = g;
            n++;
        }
        s = nl ? nl + 1 : le;
    }
    *names = v;
    return (long)n;
}

void cfg_modules_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

size_t cfg_modparams(const char *text)
{
    size_t n = 0;
    for (const char *s = text; *s;) {
        const char *p = s;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!strncmp(p, "modparam", 8)) {
            p += 8;
            while (*p == ' ' || *p == '\t')
                p++;
            n += *p == '(';
        }
        const char *nl = strchr(s, '\n');
        s = nl ? nl + 1 : s + strlen(s);
    }
    return n;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *cfg_module_dir(const char *opensips_path)
{
    static const char *const libs[] = {"lib64", "lib", "lib/x86_64-linux-gnu",
                                       "lib/aarch64-linux-gnu"};
    char *real = opensips_path ? realpath(opensips_path, NULL) : NULL;
    if (!real)
        return NULL;
    for (int up = 0; up < 2; up++) { /* <prefix>/sbin/opensips */
        char *slash = strrchr(real, '/');
        if (!slash || slash == real) {
            free(real);
            return NULL;
        }
        *slash = '\0';
    }
    for (size_t i = 0; i < sizeof(libs) / sizeof(*libs); i++) {
        char *d;
        if (asprintf(&d, "%s/%s/opensips/modules/", real, libs[i]) < 0)
            break;
        if (is_dir(d)) {
            free(real);
            return d;
        }
        free(d);
    }
    free(real);
    return NULL;
}

/* Where word w occurs in s at a word start (and, unless prefix, ending at a word end), case
 * ignored; NULL when it does not. */
static const char *find_word(const char *s, const char *w, bool prefix)
{
    size_t n = strlen(w);
    for (const char *p = s; (p = strcasestr(p, w)); p++) {
        bool start = p == s || !((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z'));
        char c = p[n];
        bool end = prefix || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
        if (start && end)
            return p;
    }
    return NULL;
}

/* The description's own word at p (a match of w): through the end of that word. */
static void said(const char *p, const char *w, char *buf, size_t len)
{
    size_t n = strlen(w);
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || p[n] == '-')
        n++;
    snprintf(buf, len, "%.*s", (int)(n > 60 ? 60 : n), p);
}

static const struct {
    const char *word, *set_name;
    bool prefix;
} template_words[] = {
    {"residential", "residential", false}, {"registrar", "residential", true},
    {"subscriber", "residential", true},   {"pbx", "residential", false},
    {"trunk", "trunking", true},           {"carrier", "trunking", true},
    {"pstn", "trunking", false},           {"gateway", "trunking", true},
    {"load balanc", "loadbalancer", true}, {"load-balanc", "loadbalancer", true},
    {"loadbalanc", "loadbalancer", true},  {"balancing", "loadbalancer", false},
    {"dispatcher", "loadbalancer", false},
};

const char *cfg_suggest_template(const char *description, char *why, size_t whylen)
{
    static const char *const names[] = {"residential", "trunking", "loadbalancer"};
    size_t score[3] = {0}, first[3] = {0}, best = 0;
    const char *at[3] = {NULL};
    for (size_t i = 0; i < sizeof(template_words) / sizeof(*template_words); i++) {
        const char *p = find_word(description, template_words[i].word, template_words[i].prefix);
        if (!p)
            continue;
        for (size_t j = 0; j < 3; j++)
            if (!strcmp(names[j], template_words[i].set_name) && !score[j]++) {
                first[j] = i;
                at[j] = p;
            }
    }
    for (size_t j = 1; j < 3; j++)
        if (score[j] > score[best])
            best = j;
    why[0] = '\0';
    if (!score[best])
        return names[0];
    said(at[best], template_words[first[best]].word, why, whylen);
    return names[best];
}

static const struct {
    const char *word, *flag;
    bool prefix;
} flag_words[] = {
    {"tls", "ENABLE_TLS", false},        {"tcp", "ENABLE_TCP", false},
    {"nat", "USE_NAT", false},           {"auth", "USE_AUTH", true},
    {"accounting", "USE_DBACC", false},  {"cdr", "USE_DBACC", true},
    {"dialog", "USE_DIALOG", true},      {"presence", "USE_PRESENCE", false},
    {"alias", "USE_ALIASES", true},      {"multidomain", "USE_MULTIDOMAIN", false},
    {"multi-domain", "USE_MULTIDOMAIN", false}, {"voicemail", "VM_DIVERSION", false},
    {"dialplan", "USE_DIALPLAN", false}, {"dispatcher", "USE_DISPATCHER", false},
    {"call limit", "DO_CALL_LIMITATION", true}, {"pstn", "HAVE_OUTBOUND_PSTN", false},
    {"web interface", "USE_HTTP_MANAGEMENT_INTERFACE", false},
    {"http", "USE_HTTP_MANAGEMENT_INTERFACE", false},
};

const char *cfg_suggest_flag(const struct cfg_template *t, const char *description, size_t index,
                             char *word, size_t wordlen)
{
    size_t seen = 0;
    for (size_t i = 0; i < sizeof(flag_words) / sizeof(*flag_words); i++) {
        const char *p;
        if (!cfg_template_flag(t, flag_words[i].flag) ||
            !(p = find_word(description, flag_words[i].word, flag_words[i].prefix)))
            continue;
        bool dup = false; /* two words for one flag: suggested once */
        for (size_t j = 0; j < i && !dup; j++)
            dup = !strcmp(flag_words[j].flag, flag_words[i].flag) &&
                  find_word(description, flag_words[j].word, flag_words[j].prefix);
        if (dup)
            continue;
        if (seen++ == index) {
            said(p, flag_words[i].word, word, wordlen);
            return flag_words[i].flag;
        }
    }
    return NULL;
}

int cfg_session_id_new(char out[CFG_SESSION_ID_LEN + 1])
{
    unsigned char b[CFG_SESSION_ID_LEN / 2];
    size_t got = 0;
    while (got < sizeof(b)) {
        ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    for (size_t i = 0; i < sizeof(b); i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

bool cfg_session_id_valid(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (n >= CFG_SESSION_ID_LEN || !((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == CFG_SESSION_ID_LEN;
}
