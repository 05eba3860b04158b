/* cfg/render: m4 runs of a template and the no-effect measurement (cfg/render.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg/render.h"
#include "exec/exec.h"
#include "file/rootfile.h"

void cfg_render_result_release(struct cfg_render_result *r)
{
    free(r->text);
    for (size_t i = 0; i < r->n_no_effect; i++) {
        free(r->no_effect[i].name);
        free(r->no_effect[i].reason);
    }
    free(r->no_effect);
    memset(r, 0, sizeof(*r));
}

static bool value_valid(const char *v)
{
    if (!v || strlen(v) > CFG_VALUE_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '`' || *p == '\'' || *p == '#')
            return false;
    return true;
}

static int check_choices(const struct cfg_choice *c, size_t n, char *errbuf, size_t errlen)
{
    if (n > CFG_CHOICES_MAX) {
        snprintf(errbuf, errlen, "%zu flags chosen: at most %d", n, CFG_CHOICES_MAX);
        return CFG_ERR_INVALID;
    }
    for (size_t i = 0; i < n; i++) {
        if (!cfg_flag_name_valid(c[i].name)) {
            snprintf(errbuf, errlen,
                     "bad flag name '%.80s': a macro name is letters, digits and '_', not "
                     "starting with a digit, at most %d bytes",
                     c[i].name ? c[i].name : "", CFG_NAME_MAX);
            return CFG_ERR_INVALID;
        }
        if (!value_valid(c[i].value)) {
            snprintf(errbuf, errlen,
                     "bad value for flag '%s': printable text of at most %d bytes without '`', "
                     "''' or '#'",
                     c[i].name, CFG_VALUE_MAX);
            return CFG_ERR_INVALID;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c[i].name, c[j].name)) {
                snprintf(errbuf, errlen, "flag '%s' chosen twice", c[i].name);
                return CFG_ERR_INVALID;
            }
    }
    return CFG_OK;
}

static const struct cfg_choice *chosen(const struct cfg_choice *c, size_t n, size_t skip,
                                       const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (i != skip && !strcmp(c[i].name, name))
            return &c[i];
    return NULL;
}

static bool word_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* The choice (not c[skip]) a top-level define() at line start s names, with [*v, *ve) the span
 * of its value (quotes included) and the text up to e. NULL when the line is not one. */
static const struct cfg_choice *define_at(const char *s, const char *e, const struct cfg_choice *c,
                                          size_t n, size_t skip, const char **v,
                                          const char **ve)
{
    const char *p = s;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(e - p) < 7 || strncmp(p, "define(", 7))
        return NULL;
    p += 7;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    bool quoted = p < e && *p == '`';
    p += quoted;
    const char *w = p;
    while (p < e && word_char(*p))
        p++;
    const struct cfg_choice *hit = NULL;
    for (size_t i = 0; i < n && !hit; i++)
        if (i != skip && strlen(c[i].name) == (size_t)(p - w) && !strncmp(c[i].name, w, p - w))
            hit = &c[i];
    if (!hit || (quoted && (p >= e || *p++ != '\'')))
        return NULL;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && *p == ')') { /* define(`NAME'): an empty value, inserted before ')' */
        *v = *ve = p;
        return hit;
    }
    if (p >= e || *p++ != ',')
        return NULL;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n'))
        p++;
    *v = p;
    if (p < e && *p == '`') { /* `...' with nested quotes, possibly over several lines */
        if (!(p = cfg_m4_quote_end(p, e)))
            return NULL;
        *ve = p + 1;
        return hit;
    }
    while (p < e && *p != ')' && *p != '\n') /* unquoted: up to the ')' */
        p++;
    if (p >= e || *p != ')')
        return NULL;
    *ve = p;
    return hit;
}

int cfg_template_rewrite(const char *text, size_t len, const struct cfg_choice *c, size_t n,
                         size_t skip, char **out, size_t *out_len)
{
    const char *e = text + len;
    char *buf = NULL;
    size_t used = 0, cap = 0;
    const char *copied = text; /* text before this is in buf */

    *out = NULL;
    *out_len = 0;
    for (const char *s = text; s < e;) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        const char *v, *ve;
        const struct cfg_choice *hit = define_at(s, e, c, n, skip, &v, &ve);
        if (hit) {
            size_t vl = strlen(hit->value);
            size_t need = used + (size_t)(v - copied) + vl + 5 + (size_t)(e - ve) + 1;
            if (need > cap) {
                char *b = realloc(buf, need);
                if (!b) {
                    free(buf);
                    return CFG_ERR_NOMEM;
                }
                buf = b;
                cap = need;
            }
            /* quoted twice, as -D`NAME=`VALUE'' is: the definition is `VALUE', text when it
             * is expanded, never m4 code */
            used += (size_t)snprintf(buf + used, cap - used, "%.*s%s``%s''", (int)(v - copied),
                                     copied, *v == ')' ? ", " : "", hit->value);
            copied = ve;
            nl = memchr(ve, '\n', (size_t)(e - ve));
        }
        s = nl ? nl + 1 : e;
    }
    if (!buf)
        return CFG_OK;
    size_t rest = (size_t)(e - copied);
    if (used + rest + 1 > cap) {
        char *b = realloc(buf, used + rest + 1);
        if (!b) {
            free(buf);
            return CFG_ERR_NOMEM;
        }
        buf = b;
    }
    memcpy(buf + used, copied, rest);
    used += rest;
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    return CFG_OK;
}

/* One m4 run: every choice but c[skip] (skip >= n: all), and for a menuconfig template every
 * _def.m4 default not chosen. *text owned on CFG_OK. */
static int run_m4(const struct cfg_template *t, const struct cfg_choice *c, size_t n,
                  size_t skip, const char *src, size_t src_len, const char *m4,
                  unsigned deadline_ms, char **text, size_t *len, char *errbuf, size_t errlen)
{
    int rc = CFG_ERR_NOMEM;
    size_t nd = n + t->n_flags, k = 0;
    const char **argv = calloc(nd + 4, sizeof(*argv));
    char **defs = calloc(nd, sizeof(*defs));
    char *copy = NULL;
    size_t copy_len = 0;
    struct exec_result res = {0};
    if (!argv || !defs)
        goto out;
    /* the template's own define()s of the choices, rewritten in a copy fed on stdin */
    if (src && cfg_template_rewrite(src, src_len, c, n, skip, &copy, &copy_len))
        goto out;
    argv[k++] = m4;
    size_t nd_used = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == skip)
            continue;
        if (asprintf(&defs[nd_used], "-D%s=`%s'", c[i].name, c[i].value) < 0) {
            defs[nd_used] = NULL;
            goto out;
        }
        argv[k++] = defs[nd_used++];
    }
    for (size_t i = 0; t->set == CFG_SET_MENUCONFIG && i < t->n_flags; i++) {
        const struct cfg_flag *f = &t->flags[i];
        if (!f->defined_in_defs || chosen(c, n, skip, f->name))
            continue;
        if (asprintf(&defs[nd_used], "-D%s=%s", f->name, f->default_value) < 0) {
            defs[nd_used] = NULL;
            goto out;
        }
        argv[k++] = defs[nd_used++];
    }
    argv[k++] = "--";
    argv[k++] = copy ? "-" : t->file;
    struct exec_spec s = {.argv = argv,
                          .deadline_ms = deadline_ms,
                          .stdout_max = CFG_RENDER_OUT_MAX,
                          .stderr_max = 4096,
                          .stdin_data = copy,
                          .stdin_len = copy_len};
    char why[512];
    int er = exec_run(&s, NULL, &res, why, sizeof(why));
    if (er != EXEC_OK) {
        rc = er == EXEC_ERR_NOT_FOUND ? CFG_ERR_NOT_FOUND : CFG_ERR_RUN;
        snprintf(errbuf, errlen, "%s%s", why,
                 er == EXEC_ERR_NOT_FOUND ? "; install the m4 package (GNU m4)" : "");
        goto out;
    }
    rc = CFG_ERR_RUN;
    if (res.timed_out || res.cancelled) {
        snprintf(errbuf, errlen, "m4 on template '%s' %s", t->name,
                 res.timed_out ? "did not finish before its deadline" : "was cancelled");
        goto out;
    }
    if (res.status != 0) {
        size_t el = res.err_len;
        while (el && (res.err[el - 1] == '\n' || res.err[el - 1] == '\r'))
            el--;
        snprintf(errbuf, errlen, "m4 failed on template '%s' (exit status %d): %.*s", t->name,
                 res.status, (int)(el > 300 ? 300 : el), res.err);
        goto out;
    }
    if (res.stdout_truncated) {
        snprintf(errbuf, errlen, "template '%s' renders to more than %u bytes", t->name,
                 CFG_RENDER_OUT_MAX);
        goto out;
    }
    *text = res.out;
    *len = res.out_len;
    res.out = NULL;
    rc = CFG_OK;
out:
    if (rc == CFG_ERR_NOMEM)
        snprintf(errbuf, errlen, "out of memory rendering template '%s'", t->name);
    exec_result_release(&res);
    free(copy);
    for (size_t i = 0; defs && i < nd; i++)
        free(defs[i]);
    free(defs);
    free(argv);
    return rc;
}

/* The tested names nothing defines ("'A', 'B'"), or NULL when there is none. */
static char *undefined_tests(const struct cfg_template *t)
{
    char *s = NULL;
    size_t len = 0;
    for (size_t i = 0; i < t->n_flags; i++) {
        const struct cfg_flag *f = &t->flags[i];
        if (f->default_value || f->internal || !f->n_uses)
            continue;
        size_t add = strlen(f->name) + 4;
        char *n = realloc(s, len + add + 1);
        if (!n)
            break;
        s = n;
        len += (size_t)snprintf(s + len, add + 1, "%s'%s'", len ? ", " : "", f->name);
    }
    return s;
}

static char *reason(const struct cfg_template *t, const struct cfg_choice *c)
{
    const struct cfg_flag *f = cfg_template_flag(t, c->name);
    char *s = NULL;
    int r;
    if (!f)
        r = asprintf(&s, "template '%s' does not use '%s'", t->name, c->name);
    else if (f->no_effect) {
        char *u = undefined_tests(t);
        r = asprintf(&s, "template '%s' defines '%s' but never tests it%s%s%s", t->name, f->name,
                     u ? " (it tests " : "", u ? u : "", u ? ", which nothing defines)" : "");
        free(u);
    } else
        r = asprintf(&s, "the text is the same without it: '%s' gives what the default gives",
                     c->value);
    return r < 0 ? NULL : s;
}

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

/* What is left of the whole render's deadline, or 0 when it has passed. */
static unsigned left_ms(unsigned long long start, unsigned deadline_ms)
{
    unsigned long long spent = now_ms() - start;
    return spent >= deadline_ms ? 0 : (unsigned)(deadline_ms - spent);
}

/* The template's text when a choice is a flag it defines itself (its define() must be
 * rewritten: m4 -D alone is overwritten by it), else *src NULL. Read as the templates were
 * loaded: no symbolic link, at most CFG_TEMPLATE_MAX bytes. */
static int read_if_overridden(const struct cfg_template *t, const struct cfg_choice *c, size_t n,
                              char **src, size_t *len, char *errbuf, size_t errlen)
{
    bool need = false;
    for (size_t i = 0; i < n && !need; i++) {
        const struct cfg_flag *f = cfg_template_flag(t, c[i].name);
        need = f && f->overridden_by_template;
    }
    *src = NULL;
    *len = 0;
    if (!need)
        return CFG_OK;
    const char *slash = strrchr(t->file, '/');
    if (!slash || slash == t->file) {
        snprintf(errbuf, errlen, "template '%s' has no directory: '%s'", t->name, t->file);
        return CFG_ERR_INVALID;
    }
    char *dir = strndup(t->file, (size_t)(slash - t->file)), why[512];
    if (!dir)
        return CFG_ERR_NOMEM;
    int r = rootfile_read(dir, slash + 1, CFG_TEMPLATE_MAX, src, len, why, sizeof(why));
    free(dir);
    if (r != ROOTFILE_OK) {
        snprintf(errbuf, errlen, "cannot read template '%s': %s", t->name, why);
        return r == ROOTFILE_ERR_TOO_LARGE ? CFG_ERR_INVALID : CFG_ERR_IO;
    }
    return CFG_OK;
}

int cfg_render(const struct cfg_template *t, const struct cfg_choice *choices, size_t n,
               const char *m4, unsigned deadline_ms, struct cfg_render_result *r, char *errbuf,
               size_t errlen)
{
    memset(r, 0, sizeof(*r));
    int rc = check_choices(choices, n, errbuf, errlen);
    if (rc)
        return rc;
    if (!m4)
        m4 = CFG_M4_DEFAULT;
    if (!deadline_ms)
        deadline_ms = CFG_RENDER_DEADLINE_MS;
    unsigned long long start = now_ms();
    char *src = NULL;
    size_t src_len = 0;
    if ((rc = read_if_overridden(t, choices, n, &src, &src_len, errbuf, errlen)))
        return rc;
    rc = run_m4(t, choices, n, n, src, src_len, m4, deadline_ms, &r->text, &r->len, errbuf,
                errlen);
    for (size_t i = 0; !rc && i < n; i++) {
        char *alt = NULL;
        size_t alt_len = 0;
        unsigned left = left_ms(start, deadline_ms);
        if (!left) {
            snprintf(errbuf, errlen,
                     "rendering template '%s' did not finish before its deadline (%u ms)",
                     t->name, deadline_ms);
            rc = CFG_ERR_RUN;
            break;
        }
        if ((rc = run_m4(t, choices, n, i, src, src_len, m4, left, &alt, &alt_len, errbuf,
                         errlen)))
            break;
        bool same = alt_len == r->len && !memcmp(alt, r->text, alt_len);
        free(alt);
        if (!same)
            continue;
        struct cfg_no_effect *ne = realloc(r->no_effect, (r->n_no_effect + 1) * sizeof(*ne));
        if (!ne) {
            rc = CFG_ERR_NOMEM;
            break;
        }
        r->no_effect = ne;
        ne = &ne[r->n_no_effect];
        ne->name = strdup(choices[i].name);
        ne->reason = reason(t, &choices[i]);
        r->n_no_effect++;
        if (!ne->name || !ne->reason)
            rc = CFG_ERR_NOMEM;
    }
    free(src);
    if (rc == CFG_ERR_NOMEM)
        snprintf(errbuf, errlen, "out of memory rendering template '%s'", t->name);
    return rc;
}
