/* cfg/flags: the lexical scan of an m4 config template for its flags (cfg/templates.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/templates.h"

enum occ { OCC_DEF_TOP, OCC_DEF_COND, OCC_TEST, OCC_OTHER };

static bool is_word_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_word(char c)
{
    return is_word_start(c) || (c >= '0' && c <= '9');
}

bool cfg_flag_name_valid(const char *name)
{
    if (!name || !is_word_start(name[0]))
        return false;
    size_t n = 0;
    for (; name[n]; n++)
        if (!is_word(name[n]) || n >= CFG_NAME_MAX)
            return false;
    return true;
}

/* The effective end of line [s, e): the first '#' or a 'dnl' word. */
static const char *line_end(const char *s, const char *e)
{
    for (const char *p = s; p < e; p++) {
        if (*p == '#')
            return p;
        if (p + 3 <= e && !strncmp(p, "dnl", 3) && (p == s || !is_word(p[-1])) &&
            (p + 3 == e || !is_word(p[3])))
            return p;
    }
    return e;
}

/* Is the word at w preceded by "<macro>(" and an optional '`' (spaces allowed)? */
static bool after_call(const char *s, const char *w, const char *macro)
{
    const char *p = w;
    while (p > s && (p[-1] == '`' || p[-1] == ' ' || p[-1] == '\t'))
        p--;
    if (p == s || p[-1] != '(')
        return false;
    p--;
    size_t n = strlen(macro);
    if ((size_t)(p - s) < n || strncmp(p - n, macro, n))
        return false;
    return p - n == s || !is_word((p - n)[-1]);
}

static struct cfg_flag *flag_get(struct cfg_template *t, const char *w, size_t n, int *rc)
{
    for (size_t i = 0; i < t->n_flags; i++)
        if (strlen(t->flags[i].name) == n && !strncmp(t->flags[i].name, w, n))
            return &t->flags[i];
    if (t->n_flags >= CFG_FLAGS_MAX) {
        *rc = CFG_ERR_INVALID;
        return NULL;
    }
    if (!(t->n_flags & (t->n_flags + 1))) { /* grow at 0, 1, 3, 7, ...: capacity 2^k */
        struct cfg_flag *f = realloc(t->flags, (t->n_flags * 2 + 1) * sizeof(*f));
        if (!f) {
            *rc = CFG_ERR_NOMEM;
            return NULL;
        }
        t->flags = f;
    }
    struct cfg_flag *f = &t->flags[t->n_flags];
    memset(f, 0, sizeof(*f));
    if (!(f->name = strndup(w, n))) {
        *rc = CFG_ERR_NOMEM;
        return NULL;
    }
    t->n_flags++;
    return f;
}

static struct cfg_flag *flag_peek(struct cfg_template *t, const char *w, size_t n)
{
    for (size_t i = 0; i < t->n_flags; i++)
        if (strlen(t->flags[i].name) == n && !strncmp(t->flags[i].name, w, n))
            return &t->flags[i];
    return NULL;
}

const char *cfg_m4_quote_end(const char *p, const char *e)
{
    int depth = 0;
    for (; p < e; p++) {
        if (*p == '`')
            depth++;
        else if (*p == '\'' && depth && !--depth)
            return p;
    }
    return NULL;
}

/* The quoted value after "NAME'" in a define: `...' with nesting, on the same line. */
static char *define_value(const char *p, const char *e, const char **after)
{
    if (p < e && *p == '\'')
        p++;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= e || *p != ',')
        return NULL;
    p++;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && *p == '`') {
        const char *v = p + 1;
        if (!(p = cfg_m4_quote_end(p, e)))
            return NULL;
        *after = p + 1;
        return strndup(v, (size_t)(p - v));
    }
    const char *v = p; /* unquoted: up to ')' */
    while (p < e && *p != ')')
        p++;
    *after = p;
    return strndup(v, (size_t)(p - v));
}

static char *define_comment(const char *p, const char *e)
{
    while (p < e && *p != '#')
        p++;
    if (p >= e)
        return NULL;
    p++;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    return p < e ? strndup(p, (size_t)(e - p)) : NULL;
}

static int add_use(struct cfg_flag *f, unsigned line)
{
    if (f->n_uses && f->uses[f->n_uses - 1] == line)
        return CFG_OK;
    if (f->n_uses >= CFG_USES_MAX) {
        f->uses_truncated = true;
        return CFG_OK;
    }
    if (!(f->n_uses & (f->n_uses + 1))) {
        unsigned *u = realloc(f->uses, (f->n_uses * 2 + 1) * sizeof(*u));
        if (!u)
            return CFG_ERR_NOMEM;
        f->uses = u;
    }
    f->uses[f->n_uses++] = line;
    return CFG_OK;
}

/* One pass over text. collect: create flags from definitions and tests (pass 1); otherwise
 * record uses of the known flags (pass 2). in_defs: text is the _def.m4. */
static int scan(struct cfg_template *t, const char *text, bool in_defs, bool collect)
{
    unsigned line = 0;
    int rc = CFG_OK;
    for (const char *s = text; *s; ) {
        const char *nl = strchr(s, '\n');
        const char *full = nl ? nl : s + strlen(s);
        const char *e = line_end(s, full);
        const char *first = s;
        line++;
        while (first < e && (*first == ' ' || *first == '\t'))
            first++;
        bool top = !strncmp(first, "define(", 7);
        for (const char *p = s; p < e; ) {
            if (!is_word_start(*p) || (p > s && is_word(p[-1]))) {
                p++;
                continue;
            }
            const char *w = p;
            while (p < e && is_word(*p))
                p++;
            size_t n = (size_t)(p - w);
            if (n > CFG_NAME_MAX)
                continue; /* no flag can be chosen by such a name (cfg_flag_name_valid) */
            bool def = after_call(s, w, "define") || after_call(s, w, "undefine");
            enum occ k = def ? (top && w <= first + 8 ? OCC_DEF_TOP : OCC_DEF_COND)
                       : (after_call(s, w, "ifelse") || after_call(s, w, "ifdef")) ? OCC_TEST
                                                                                 : OCC_OTHER;
            if (!collect) {
                struct cfg_flag *f;
                if (k != OCC_DEF_TOP && k != OCC_DEF_COND && !in_defs && (f = flag_peek(t, w, n)))
                    if ((rc = add_use(f, line)))
                        return rc;
                continue;
            }
            if (k == OCC_OTHER || (in_defs && k != OCC_DEF_TOP))
                continue;
            struct cfg_flag *f = flag_get(t, w, n, &rc);
            if (!f)
                return rc;
            if (k == OCC_DEF_COND && !f->default_value)
                f->internal = true;
            if (k != OCC_DEF_TOP || after_call(s, w, "undefine"))
                continue;
            const char *after = p;
            char *v = define_value(p, e, &after);
            char *c = define_comment(after, full);
            free(f->default_value);
            free(f->comment);
            f->default_value = v ? v : strdup("");
            f->comment = c;
            f->defined_line = line;
            f->defined_in_defs = in_defs;
            f->internal = false;
            if (!in_defs)
                f->overridden_by_template = true;
            if (!f->default_value)
                return CFG_ERR_NOMEM;
        }
        s = nl ? nl + 1 : full;
    }
    return rc;
}

void cfg_template_flags_release(struct cfg_template *t)
{
    for (size_t i = 0; i < t->n_flags; i++) {
        free(t->flags[i].name);
        free(t->flags[i].default_value);
        free(t->flags[i].comment);
        free(t->flags[i].uses);
    }
    free(t->flags);
    t->flags = NULL;
    t->n_flags = 0;
}

int cfg_template_scan(struct cfg_template *t, const char *text, const char *defs, char *errbuf,
                      size_t errlen)
{
    cfg_template_flags_release(t);
    int rc = CFG_OK;
    if (defs)
        rc = scan(t, defs, true, true);
    if (!rc)
        rc = scan(t, text, false, true);
    if (!rc)
        rc = scan(t, text, false, false);
    if (rc) {
        snprintf(errbuf, errlen, rc == CFG_ERR_NOMEM ? "out of memory scanning template '%s'"
                                                     : "template '%s' has more than %d flags",
                 t->name ? t->name : "?", CFG_FLAGS_MAX);
        cfg_template_flags_release(t);
        return rc;
    }
    for (size_t i = 0; i < t->n_flags; i++) {
        struct cfg_flag *f = &t->flags[i];
        f->no_effect = (f->default_value || f->internal) && !f->n_uses;
    }
    return CFG_OK;
}
