/* codegen/mi_codegen: a new MI command in an OpenSIPS module's source, as line edits over a
 * small C lexer (comments, strings, preprocessor lines, brackets), and the unified diff of them. */
#include "codegen/mi_codegen.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output text ---- */

struct text {
    char *s;
    size_t len, cap;
    bool oom;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->oom)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            t->oom = true;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void puts_(struct text *t, const char *s) { put(t, s, strlen(s)); }

static void putf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct text *t, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
        t->oom = true; /* never: every caller's pieces are bounded far below */
        return;
    }
    put(t, buf, (size_t)n);
}

/* ---- lexer ---- */

enum tok_kind { TK_IDENT, TK_NUMBER, TK_STRING, TK_CHAR, TK_PUNCT };

struct tok {
    enum tok_kind kind;
    size_t off, len;
};

struct span {
    size_t off, len;
};

/* A #define NAME "literal" of the source: how entries name their commands by macro. */
struct define {
    struct span name, value; /* value: between the quotes */
};

struct src {
    const char *s;
    size_t len;
    size_t *lines; /* offset of each line's start; nlines of them */
    size_t nlines;
    struct tok *toks;
    size_t ntoks, captoks;
    size_t *match; /* per token: the token closing the bracket it opens, or 0 */
    struct span *comments;
    size_t ncomments, capcomments;
    struct define *defs;
    size_t ndefs, capdefs;
    const char *eol; /* "\n" or "\r\n", as the first line ends */
    const char *unit; /* one level of indentation: "\t" or four spaces */
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* 1-based line of offset off. */
static unsigned line_of(const struct src *x, size_t off)
{
    size_t lo = 0, hi = x->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return (unsigned)lo + 1;
}

static bool is_ident0(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(char c) { return is_ident0(c) || (c >= '0' && c <= '9'); }

/* Past a backslash-newline at i, or i. */
static size_t splice(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] == '\\') {
        if (i + 1 < len && s[i + 1] == '\n')
            i += 2;
        else if (i + 2 < len && s[i + 1] == '\r' && s[i + 2] == '\n')
            i += 3;
        else
            break;
    }
    return i;
}

/* The end of a string or character literal opened at i (q is its quote), or 0 when the line
 * ends first. */
static size_t literal_end(const char *s, size_t len, size_t i, char q)
{
    for (size_t j = i + 1; j < len; j++) {
        if (s[j] == '\\') {
            j++;
            continue;
        }
        if (s[j] == '\n')
            return 0;
        if (s[j] == q)
            return j + 1;
    }
    return 0;
}

/* Record `#define NAME "literal"` from the directive [i, end). */
static int directive(struct src *x, size_t i, size_t end)
{
    const char *s = x->s;
    i++; /* '#' */
    while (i < end && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (end - i < 6 || memcmp(s + i, "define", 6) || (i + 6 < end && is_ident(s[i + 6])))
        return 0;
    i += 6;
    while (i < end && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t n0 = i;
    while (i < end && is_ident(s[i]))
        i++;
    if (i == n0 || (i < end && s[i] == '('))
        return 0;
    struct span name = {n0, i - n0};
    while (i < end && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= end || s[i] != '"')
        return 0;
    size_t q = literal_end(s, end, i, '"'), k = q;
    if (!q)
        return 0;
    while (k < end && strchr(" \t\r", s[k]))
        k++;
    if (k < end && !(k + 1 < end && s[k] == '/' && (s[k + 1] == '*' || s[k + 1] == '/')))
        return 0; /* more than one literal ("a" "b", "a" X): not a name this file settles */
    if (grow((void **)&x->defs, &x->capdefs, x->ndefs, sizeof(*x->defs)) < 0)
        return -1;
    x->defs[x->ndefs++] = (struct define){name, {i + 1, q - i - 2}};
    return 0;
}

static int add_tok(struct src *x, enum tok_kind k, size_t off, size_t len)
{
    if (grow((void **)&x->toks, &x->captoks, x->ntoks, sizeof(*x->toks)) < 0)
        return -1;
    x->toks[x->ntoks++] = (struct tok){k, off, len};
    return 0;
}

static int add_comment(struct src *x, size_t off, size_t len)
{
    if (grow((void **)&x->comments, &x->capcomments, x->ncomments, sizeof(*x->comments)) < 0)
        return -1;
    x->comments[x->ncomments++] = (struct span){off, len};
    return 0;
}

/* Lines, tokens, comments and string macros of the source. MI_CODEGEN_OK, _NOT_MODULE (an
 * unterminated comment or literal, with err) or _NOMEM. */
static int lex(struct src *x, char *err, size_t errlen)
{
    const char *s = x->s;
    size_t len = x->len;
    size_t caplines = 0;
    bool line_start = true;

    for (size_t i = 0; i <= len; i++)
        if (i == 0 || (s[i - 1] == '\n' && i < len)) {
            if (grow((void **)&x->lines, &caplines, x->nlines, sizeof(*x->lines)) < 0)
                return MI_CODEGEN_E_NOMEM;
            x->lines[x->nlines++] = i;
        }
    const char *nl = memchr(s, '\n', len);
    x->eol = nl && nl > s && nl[-1] == '\r' ? "\r\n" : "\n";

    size_t tabs = 0, spaces = 0;
    for (size_t l = 0; l < x->nlines; l++) {
        char c = s[x->lines[l]];
        tabs += c == '\t';
        spaces += c == ' ' && x->lines[l] + 1 < len && s[x->lines[l] + 1] == ' ';
    }
    x->unit = spaces > tabs ? "    " : "\t";

    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '\n') {
            line_start = true;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        size_t j = splice(s, len, i);
        if (j != i) {
            i = j;
            continue;
        }
        if (c == '#' && line_start) {
            /* to the end of the directive: its continuations, comments and literals */
            for (j = i; j < len && s[j] != '\n';) {
                size_t k = splice(s, len, j);
                if (k != j) {
                    j = k;
                } else if (s[j] == '/' && j + 1 < len && s[j + 1] == '*') {
                    const char *e = j + 2 < len ? memmem(s + j + 2, len - j - 2, "*/", 2) : NULL;
                    if (!e) {
                        snprintf(err, errlen, "module_source is not C this tool can read: a "
                                 "comment opened on line %u never closes", line_of(x, j));
                        return MI_CODEGEN_E_NOT_MODULE;
                    }
                    j = (size_t)(e - s) + 2;
                } else if (s[j] == '"' || s[j] == '\'') {
                    size_t q = literal_end(s, len, j, s[j]);
                    j = q ? q : j + 1;
                } else {
                    j++;
                }
            }
            if (directive(x, i, j) < 0)
                return MI_CODEGEN_E_NOMEM;
            i = j;
            continue;
        }
        line_start = false;
        if (c == '/' && i + 1 < len && s[i + 1] == '/') {
            for (j = i; j < len && s[j] != '\n'; j++)
                ;
            if (add_comment(x, i, j - i) < 0)
                return MI_CODEGEN_E_NOMEM;
            i = j;
            continue;
        }
        if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            const char *e = i + 2 < len ? memmem(s + i + 2, len - i - 2, "*/", 2) : NULL;
            if (!e) {
                snprintf(err, errlen, "module_source is not C this tool can read: a comment "
                         "opened on line %u never closes", line_of(x, i));
                return MI_CODEGEN_E_NOT_MODULE;
            }
            j = (size_t)(e - s) + 2;
            if (add_comment(x, i, j - i) < 0)
                return MI_CODEGEN_E_NOMEM;
            i = j;
            continue;
        }
        enum tok_kind k;
        if (c == '"' || c == '\'') {
            j = literal_end(s, len, i, c);
            if (!j) {
                snprintf(err, errlen, "module_source is not C this tool can read: a %s literal "
                         "on line %u does not end on its line", c == '"' ? "string" : "character",
                         line_of(x, i));
                return MI_CODEGEN_E_NOT_MODULE;
            }
            k = c == '"' ? TK_STRING : TK_CHAR;
        } else if (is_ident0(c)) {
            for (j = i; j < len && is_ident(s[j]); j++)
                ;
            k = TK_IDENT;
        } else if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < len && s[i + 1] >= '0' &&
                                               s[i + 1] <= '9')) {
            for (j = i + 1; j < len; j++) {
                if (is_ident(s[j]) || s[j] == '.')
                    continue;
                if ((s[j] == '+' || s[j] == '-') && strchr("eEpP", s[j - 1]))
                    continue;
                break;
            }
            k = TK_NUMBER;
        } else {
            j = i + 1;
            k = TK_PUNCT;
        }
        if (add_tok(x, k, i, j - i) < 0)
            return MI_CODEGEN_E_NOMEM;
        i = j;
    }
    return MI_CODEGEN_OK;
}

static bool tok_is(const struct src *x, size_t i, const char *word)
{
    size_t n = strlen(word);
    return i < x->ntoks && x->toks[i].len == n && !memcmp(x->s + x->toks[i].off, word, n);
}

static bool tok_eq(const struct src *x, size_t i, const char *s, size_t n)
{
    return i < x->ntoks && x->toks[i].len == n && !memcmp(x->s + x->toks[i].off, s, n);
}

/* Pair every bracket with the one closing it, whatever their kinds (an #if branch may leave one
 * of another kind open): x->match[i] for the token opening at i, 0 when it never closes. One
 * pass, so that a source of a million unclosed brackets costs no more than a real one. */
static int match_brackets(struct src *x)
{
    size_t *stack = malloc((x->ntoks + 1) * sizeof(*stack)), depth = 0;
    x->match = calloc(x->ntoks + 1, sizeof(*x->match));
    if (!stack || !x->match) {
        free(stack);
        return -1;
    }
    for (size_t j = 0; j < x->ntoks; j++) {
        if (x->toks[j].kind != TK_PUNCT)
            continue;
        char c = x->s[x->toks[j].off];
        if (c == '{' || c == '(' || c == '[')
            stack[depth++] = j;
        else if ((c == '}' || c == ')' || c == ']') && depth)
            x->match[stack[--depth]] = j;
    }
    free(stack);
    return 0;
}

/* The token closing the bracket opened at token i, or 0 when it never closes. */
static size_t close_of(const struct src *x, size_t i)
{
    return i < x->ntoks ? x->match[i] : 0;
}

/* One member of a brace initialiser: tokens [first, last]. */
struct member {
    size_t first, last;
};

/* The members of the initialiser between tokens open and close, at most max (a trailing comma
 * ends none). Returns how many there are (more than max: only max kept), or -1 when a bracket
 * inside never closes. */
static long members(const struct src *x, size_t open, size_t close, struct member *m, size_t max)
{
    size_t n = 0, start = open + 1;
    for (size_t j = open + 1; j <= close; j++) {
        char c = x->toks[j].kind == TK_PUNCT ? x->s[x->toks[j].off] : 0;
        if (c == '{' || c == '(' || c == '[') {
            size_t e = close_of(x, j);
            if (!e || e > close)
                return -1;
            j = e;
            continue;
        }
        if (c == ',' || j == close) {
            if (j > start) {
                if (n < max)
                    m[n] = (struct member){start, j - 1};
                n++;
            }
            start = j + 1;
        }
    }
    return (long)n;
}

static bool is_punct(const struct src *x, size_t i, char c)
{
    return i < x->ntoks && x->toks[i].kind == TK_PUNCT && x->s[x->toks[i].off] == c;
}

/* A member that is 0 or NULL (possibly in parentheses or cast). */
static bool member_is_zero(const struct src *x, const struct member *m)
{
    return m->first == m->last && (tok_is(x, m->first, "0") || tok_is(x, m->first, "NULL"));
}

static int cmp_name(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

static int cmp_define(const void *pa, const void *pb, void *base)
{
    const struct define *a = pa, *b = pb;
    const char *s = base;
    int c = cmp_name(s + a->name.off, a->name.len, s + b->name.off, b->name.len);
    return c ? c : (a->name.off > b->name.off) - (a->name.off < b->name.off);
}

/* Sort the string macros by name, then by place: a lookup is a binary search, and the last
 * definition of a name wins. */
static void sort_defines(struct src *x)
{
    if (x->ndefs > 1) /* qsort of NULL, even with 0 members, is undefined */
        qsort_r(x->defs, x->ndefs, sizeof(*x->defs), cmp_define, (void *)x->s);
}

static const struct define *define_of(const struct src *x, size_t tok)
{
    const char *name = x->s + x->toks[tok].off;
    size_t n = x->toks[tok].len, lo = 0, hi = x->ndefs;
    while (lo < hi) { /* the first definition whose name is after tok's */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_name(x->s + x->defs[mid].name.off, x->defs[mid].name.len, name, n) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo && !cmp_name(x->s + x->defs[lo - 1].name.off, x->defs[lo - 1].name.len, name, n))
        return &x->defs[lo - 1];
    return NULL;
}

/* Whether identifier `id` appears in the source, as a token or a macro's name. */
static bool ident_used(const struct src *x, const char *id)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < x->ntoks; i++)
        if (x->toks[i].kind == TK_IDENT && tok_eq(x, i, id, n) &&
            !(i && (is_punct(x, i - 1, '.') || is_punct(x, i - 1, '>'))))
            return true; /* a member's name (.mi_cmds, p->mi_cmds) takes no identifier */
    for (size_t i = 0; i < x->ndefs; i++)
        if (x->defs[i].name.len == n && !memcmp(x->s + x->defs[i].name.off, id, n))
            return true;
    return false;
}

/* The command a member names: its string literal(s) concatenated, or the string a macro of
 * this source defines; false when neither (a macro from a header). */
static bool member_string(const struct src *x, const struct member *m, char *out, size_t n)
{
    size_t o = 0;
    if (m->first == m->last && x->toks[m->first].kind == TK_IDENT) {
        const struct define *d = define_of(x, m->first);
        if (!d || d->value.len >= n)
            return false;
        memcpy(out, x->s + d->value.off, d->value.len);
        out[d->value.len] = '\0';
        return true;
    }
    for (size_t i = m->first; i <= m->last; i++) {
        const struct tok *t = &x->toks[i];
        if (t->kind != TK_STRING || o + t->len - 2 >= n)
            return false;
        memcpy(out + o, x->s + t->off + 1, t->len - 2);
        o += t->len - 2;
    }
    out[o] = '\0';
    return true;
}

/* ---- line edits and the diff ---- */

/* Replace `del` lines from line `line` (0-based) with `text` (whole lines). */
struct edit {
    size_t line, del;
    struct text text;
    long mark_handler, mark_entry; /* lines into text where they start, or -1 */
};

#define EDITS_MAX 4

struct plan {
    struct edit e[EDITS_MAX];
    size_t n;
};

static struct edit *plan_add(struct plan *p, size_t line, size_t del)
{
    if (p->n == EDITS_MAX)
        return NULL;
    struct edit *e = &p->e[p->n++];
    *e = (struct edit){.line = line, .del = del, .mark_handler = -1, .mark_entry = -1};
    return e;
}

static size_t text_lines(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n + (len && s[len - 1] != '\n');
}

static size_t line_len(const struct src *x, size_t l)
{
    return (l + 1 < x->nlines ? x->lines[l + 1] : x->len) - x->lines[l];
}

static int cmp_edit(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->del > 0) - (y->del > 0); /* an insertion before a replacement of its line */
}

/* One diff line: its prefix, the line, and git's marker when it has no newline. */
static void diff_line(struct text *t, char prefix, const char *s, size_t n)
{
    put(t, &prefix, 1);
    put(t, s, n);
    if (!n || s[n - 1] != '\n')
        puts_(t, "\n\\ No newline at end of file\n");
}

#define CONTEXT 3

static void emit_diff(const struct src *x, struct plan *p, const char *file, struct text *d)
{
    putf(d, "--- a/%s\n+++ b/%s\n", file, file);
    long delta = 0; /* new lines minus old lines before the current hunk */
    for (size_t g = 0; g < p->n;) {
        size_t h = g; /* the hunk is edits g..h */
        while (h + 1 < p->n && p->e[h + 1].line <= p->e[h].line + p->e[h].del + 2 * CONTEXT)
            h++;
        size_t start = p->e[g].line > CONTEXT ? p->e[g].line - CONTEXT : 0;
        size_t end = p->e[h].line + p->e[h].del + CONTEXT;
        if (end > x->nlines)
            end = x->nlines;
        long grow_ = 0;
        for (size_t k = g; k <= h; k++)
            grow_ += (long)text_lines(p->e[k].text.s, p->e[k].text.len) - (long)p->e[k].del;
        size_t old_n = end - start, new_n = (size_t)((long)old_n + grow_);
        size_t old_at = old_n ? start + 1 : start;
        size_t new_at = new_n ? start + 1 + delta : start + delta;
        putf(d, "@@ -%zu,%zu +%zu,%zu @@\n", old_at, old_n, new_at, new_n);
        size_t k = g;
        for (size_t l = start; l < end || (k <= h && p->e[k].line == l);) {
            if (k <= h && p->e[k].line == l) {
                const struct edit *e = &p->e[k++];
                for (size_t i = 0; i < e->del; i++)
                    diff_line(d, '-', x->s + x->lines[l + i], line_len(x, l + i));
                for (size_t i = 0; i < e->text.len;) {
                    const char *nl = memchr(e->text.s + i, '\n', e->text.len - i);
                    size_t n = nl ? (size_t)(nl - e->text.s) + 1 - i : e->text.len - i;
                    diff_line(d, '+', e->text.s + i, n);
                    i += n;
                }
                l += e->del;
                continue;
            }
            diff_line(d, ' ', x->s + x->lines[l], line_len(x, l));
            l++;
        }
        delta += grow_;
        g = h + 1;
    }
}

/* The patched source, and the new lines of the marks. */
static void apply(const struct src *x, const struct plan *p, struct text *out,
                  unsigned *handler_line, unsigned *entry_line)
{
    size_t l = 0, newl = 0;
    for (size_t k = 0; k < p->n; k++) {
        const struct edit *e = &p->e[k];
        size_t upto = x->lines[e->line < x->nlines ? e->line : x->nlines - 1];
        if (e->line >= x->nlines)
            upto = x->len;
        size_t from = l < x->nlines ? x->lines[l] : x->len;
        put(out, x->s + from, upto - from);
        newl += e->line - l;
        if (e->mark_handler >= 0)
            *handler_line = (unsigned)(newl + (size_t)e->mark_handler + 1);
        if (e->mark_entry >= 0)
            *entry_line = (unsigned)(newl + (size_t)e->mark_entry + 1);
        put(out, e->text.s, e->text.len);
        newl += text_lines(e->text.s, e->text.len);
        l = e->line + e->del;
    }
    if (l < x->nlines)
        put(out, x->s + x->lines[l], x->len - x->lines[l]);
}

/* ---- what is generated ---- */

/* desc as the inside of a C string literal: quotes and backslashes escaped, and no trigraph. */
static void c_string(struct text *t, const char *desc)
{
    for (const char *p = desc; *p; p++) {
        if (*p == '"' || *p == '\\' || (*p == '?' && p > desc && p[-1] == '?'))
            put(t, "\\", 1);
        put(t, p, 1);
    }
}

/* desc inside a block comment: no comment opens or closes in it. */
static void c_comment(struct text *t, const char *desc)
{
    for (const char *p = desc; *p; p++) {
        put(t, p, 1);
        if ((p[0] == '*' && p[1] == '/') || (p[0] == '/' && p[1] == '*') ||
            (p[0] == '?' && p[1] == '?'))
            put(t, " ", 1);
    }
}

/* The indentation of the line holding offset off (its leading blanks). */
static struct span indent_at(const struct src *x, size_t off)
{
    size_t b = x->lines[line_of(x, off) - 1], e = b;
    while (e < x->len && (x->s[e] == ' ' || x->s[e] == '\t'))
        e++;
    return (struct span){b, e - b};
}

/* Whether only blanks precede offset off on its line. */
static bool starts_line(const struct src *x, size_t off)
{
    struct span in = indent_at(x, off);
    return in.off + in.len == off;
}

/* Whether line l is a preprocessor directive named by word (after '#' and blanks). */
static bool directive_is(const struct src *x, size_t l, const char *word)
{
    size_t i = x->lines[l], end = i + line_len(x, l), n = strlen(word);
    while (i < end && (x->s[i] == ' ' || x->s[i] == '\t'))
        i++;
    if (i >= end || x->s[i++] != '#')
        return false;
    while (i < end && (x->s[i] == ' ' || x->s[i] == '\t'))
        i++;
    return end - i >= n && !memcmp(x->s + i, word, n) && (end - i == n || !is_ident(x->s[i + n]));
}

/* When line l is #else or #elif: the line of the #if that opens its group; else SIZE_MAX. (An
 * #if right above a definition keeps what is inserted inside it: the handler is compiled
 * exactly when the array that names it is.) */
static size_t directive_if(const struct src *x, size_t l)
{
    if (!directive_is(x, l, "else") && !directive_is(x, l, "elif"))
        return SIZE_MAX;
    size_t depth = 0;
    while (l-- > 0) {
        if (directive_is(x, l, "endif"))
            depth++;
        else if (directive_is(x, l, "if") || directive_is(x, l, "ifdef") ||
                 directive_is(x, l, "ifndef")) {
            if (!depth)
                return l;
            depth--;
        }
    }
    return SIZE_MAX;
}

/* Whether line l is blank (or there is none: l is the first). */
static bool blank_before(const struct src *x, size_t l)
{
    if (!l)
        return true;
    for (size_t i = x->lines[l - 1]; i < x->lines[l]; i++)
        if (!strchr(" \t\r\n", x->s[i]))
            return false;
    return true;
}

/* The line a block inserted before the definition at token `tok` goes before: the definition's,
 * or that of the comment right above it (a comment that starts its own line). */
static size_t line_above(const struct src *x, size_t tok)
{
    size_t l = line_of(x, x->toks[tok].off) - 1;
    for (unsigned step = 0; step < 256; step++) { /* bounded: a hostile source's wall of #else */
        if (!l)
            return l;
        size_t b = x->lines[l - 1], e = x->lines[l];
        while (e > b && strchr(" \t\r\n", x->s[e - 1]))
            e--;
        if (e == b)
            return l; /* a blank line: the comment, if any, is not this definition's */
        size_t d = directive_if(x, l - 1);
        if (d != SIZE_MAX) {
            l = d; /* `#if A / x = {... #else / y = {... #endif`: above the whole #if */
            continue;
        }
        /* the comment holding the line's last character: the last one starting before it */
        const struct span *c = NULL;
        size_t lo = 0, hi = x->ncomments;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (x->comments[mid].off < e)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo && x->comments[lo - 1].off + x->comments[lo - 1].len >= e)
            c = &x->comments[lo - 1];
        if (!c || !starts_line(x, c->off))
            return l;
        l = line_of(x, c->off) - 1;
    }
    return l;
}

enum shape { SHAPE_NAMED, SHAPE_36, SHAPE_40 };

struct gen {
    const char *name, *desc, *handler, *param;
    enum shape shape;
    const char *eol, *unit;
};

static void gen_help(struct text *t, const struct gen *g)
{
    if (g->desc && *g->desc)
        c_string(t, g->desc);
    else
        putf(t, "%s: describe what it does", g->name);
}

/* The handler: reads one string parameter, answers it back in an object. */
static void gen_handler(struct text *t, const struct gen *g)
{
    const char *u = g->unit, *n = g->eol;
    puts_(t, "/* MI command '");
    puts_(t, g->name);
    puts_(t, "': ");
    if (g->desc && *g->desc)
        c_comment(t, g->desc);
    else
        puts_(t, "describe what it does");
    putf(t, ".%s * Generated skeleton: replace the echo of '%s' with the command's work. */%s",
         n, g->param, n);
    putf(t, "static mi_response_t *%s(const mi_params_t *params,%s%s%sstruct mi_handler "
         "*async_hdl)%s{%s", g->handler, n, u, u, n, n);
    putf(t, "%smi_response_t *resp;%s%smi_item_t *resp_obj;%s%sstr value;%s%s", u, n, u, n, u,
         n, n);
    putf(t, "%sif (get_mi_string_param(params, \"%s\", &value.s, &value.len) < 0)%s%s%s"
         "return init_mi_param_error();%s%s", u, g->param, n, u, u, n, n);
    putf(t, "%sresp = init_mi_result_object(&resp_obj);%s%sif (!resp)%s%s%sreturn 0;%s%s", u, n,
         u, n, u, u, n, n);
    putf(t, "%sif (add_mi_string(resp_obj, MI_SSTR(\"%s\"), value.s, value.len) < 0) {%s", u,
         g->param, n);
    putf(t, "%s%sfree_mi_response(resp);%s%s%sreturn 0;%s%s}%s%s", u, u, n, u, u, n, u, n, n);
    putf(t, "%sreturn resp;%s}%s", u, n, n);
}

/* The entry, at indentation `in`: one recipe taking the parameter. */
static void gen_entry(struct text *t, const struct gen *g, const char *in, size_t inlen)
{
    /* one level more than the entry: a tab under tabs, else as many spaces as the entry has */
    const char *u = !inlen || in[0] == '\t' ? "\t" : inlen <= 8 ? in : "    ", *n = g->eol;
    size_t ul = u == in ? inlen : strlen(u);
    put(t, in, inlen);
    if (g->shape == SHAPE_NAMED)
        putf(t, "{.name = \"%s\", .help = \"", g->name);
    else
        putf(t, "{\"%s\", \"", g->name);
    gen_help(t, g);
    puts_(t, g->shape == SHAPE_NAMED ? "\", .flags = 0, .init_f = 0, .recipes = {" : "\", 0, 0, {");
    puts_(t, n);
    put(t, in, inlen);
    put(t, u, ul);
    putf(t, "{%s, {\"%s\", 0}},%s", g->handler, g->param, n);
    put(t, in, inlen);
    put(t, u, ul);
    putf(t, "{EMPTY_MI_RECIPE}}%s},%s", g->shape == SHAPE_40 ? ", {0}" : "", n);
}

/* ---- checks of the arguments ---- */

static int check_name(const char *name, char *err, size_t errlen)
{
    size_t n = strlen(name);
    if (!n || n > MI_CODEGEN_NAME_MAX) {
        snprintf(err, errlen, "command_name must be 1 to %d characters: lowercase letters, "
                 "digits and '_', starting with a letter", MI_CODEGEN_NAME_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = (c >= 'a' && c <= 'z') || (i && ((c >= '0' && c <= '9') || c == '_'));
        if (ok)
            continue;
        if (c > ' ' && c < 0x7f)
            snprintf(err, errlen, "command_name '%s' has '%c' at position %zu: an MI command "
                     "name is lowercase letters, digits and '_', starting with a letter "
                     "(e.g. pike_list)", name, c, i + 1);
        else
            snprintf(err, errlen, "command_name has byte 0x%02x at position %zu: an MI "
                     "command name is lowercase letters, digits and '_', starting with a letter",
                     c, i + 1);
        return -1;
    }
    return 0;
}

static int check_desc(const char *desc, char *err, size_t errlen)
{
    size_t n = strlen(desc);
    if (n > MI_CODEGEN_DESC_MAX) {
        snprintf(err, errlen, "command_description is %zu bytes; at most %d (one line of help "
                 "text)", n, MI_CODEGEN_DESC_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)desc[i];
        if (c < 0x20 || c == 0x7f) {
            snprintf(err, errlen, "command_description has control character 0x%02x at byte "
                     "%zu (a newline or tab?): give one line of plain text", c, i + 1);
            return -1;
        }
    }
    return 0;
}

static int check_file(const char *f, char *err, size_t errlen)
{
    size_t n = strlen(f);
    bool ok = n && n <= MI_CODEGEN_FILE_MAX && f[0] != '/' && !strstr(f, "..");
    for (size_t i = 0; ok && i < n; i++)
        ok = is_ident(f[i]) || f[i] == '.' || f[i] == '-' || f[i] == '/';
    if (!ok)
        snprintf(err, errlen, "file_name must be a relative path of at most %d characters "
                 "(letters, digits, '.', '_', '-', '/'; no '..'), e.g. modules/pike/pike.c",
                 MI_CODEGEN_FILE_MAX);
    return ok ? 0 : -1;
}

/* ---- the module ---- */

#define EXPORTS_MEMBERS 20 /* struct module_exports in 3.6.8 and 4.0.1 */
#define EXPORTS_MI 10      /* its mi_cmds member */
#define ENTRY_MAX_MEMBERS 8

struct array {
    size_t decl;        /* first token of the definition (static, const or mi_export_t) */
    size_t name;        /* its name's token */
    size_t open, close; /* the initialiser's braces */
};

struct exports {
    size_t decl, name, open, close;
    long n;               /* members; -1 when unreadable */
    bool named;           /* designated initialisers */
    struct member mi;     /* its MI member, when found */
    bool has_mi;
    char module[64];
};

static void note(struct mi_codegen_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(struct mi_codegen_result *r, const char *fmt, ...)
{
    if (r->n_notes == MI_CODEGEN_NOTES_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->n_notes++], sizeof(r->notes[0]), fmt, ap);
    va_end(ap);
}

static bool find_exports(const struct src *x, struct exports *ex)
{
    for (size_t i = 0; i + 4 < x->ntoks; i++) {
        if (!tok_is(x, i, "struct") || !tok_is(x, i + 1, "module_exports") ||
            x->toks[i + 2].kind != TK_IDENT || !is_punct(x, i + 3, '=') || !is_punct(x, i + 4, '{'))
            continue;
        size_t close = close_of(x, i + 4);
        if (!close)
            continue; /* `#if A / struct module_exports a = { / #else / ... b = {`: the next */
        *ex = (struct exports){.decl = i, .name = i + 2, .open = i + 4, .close = close};
        while (ex->decl > 0 &&
               (tok_is(x, ex->decl - 1, "static") || tok_is(x, ex->decl - 1, "const")))
            ex->decl--;
        struct member m[EXPORTS_MEMBERS + 1];
        ex->n = members(x, ex->open, close, m, EXPORTS_MEMBERS + 1);
        if (ex->n <= 0)
            return true;
        ex->named = is_punct(x, m[0].first, '.');
        if (!ex->named && ex->n == EXPORTS_MEMBERS) {
            ex->mi = m[EXPORTS_MI];
            ex->has_mi = true;
        }
        /* designated: every member (they may be more than twenty only if repeated) */
        if (ex->named) {
            struct member *all = calloc((size_t)ex->n, sizeof(*all));
            if (all && members(x, ex->open, close, all, (size_t)ex->n) == ex->n) {
                for (long k = 0; k < ex->n; k++)
                    if (is_punct(x, all[k].first, '.') && tok_is(x, all[k].first + 1, "mi_cmds") &&
                        is_punct(x, all[k].first + 2, '=') && all[k].first + 3 <= all[k].last) {
                        ex->mi = (struct member){all[k].first + 3, all[k].last};
                        ex->has_mi = true;
                    }
            }
            free(all);
        }
        struct member name = m[0];
        if (ex->named && name.last >= name.first + 3 && tok_is(x, name.first + 1, "name"))
            name.first += 3;
        if (!member_string(x, &name, ex->module, sizeof(ex->module)) || !*ex->module)
            snprintf(ex->module, sizeof(ex->module), "module");
        return true;
    }
    return false;
}

/* Every mi_export_t array the source defines (with an initialiser), at most max. */
static size_t find_arrays(const struct src *x, struct array *a, size_t max, size_t *total)
{
    size_t n = 0;
    *total = 0;
    for (size_t i = 0; i < x->ntoks; i++) {
        if (!tok_is(x, i, "mi_export_t"))
            continue;
        size_t j = i + 1;
        if (tok_is(x, j, "const"))
            j++;
        if (j >= x->ntoks || x->toks[j].kind != TK_IDENT || !is_punct(x, j + 1, '['))
            continue;
        size_t rb = close_of(x, j + 1);
        if (!rb || !is_punct(x, rb + 1, '=') || !is_punct(x, rb + 2, '{'))
            continue;
        size_t close = close_of(x, rb + 2);
        if (!close)
            continue;
        size_t decl = i;
        while (decl > 0 && (tok_is(x, decl - 1, "static") || tok_is(x, decl - 1, "const")))
            decl--;
        if (n < max)
            a[n++] = (struct array){decl, j, rb + 2, close};
        (*total)++;
        i = close;
    }
    return n;
}

/* Build the edits that add the command to an existing array. */
static int plan_entry(const struct src *x, const struct array *a, struct gen *g, struct plan *p,
                      struct mi_codegen_result *r, char *err, size_t errlen)
{
    long n = members(x, a->open, a->close, NULL, 0);
    struct member *el = n > 0 ? calloc((size_t)n, sizeof(*el)) : NULL;
    char arr[128];
    snprintf(arr, sizeof(arr), "%.*s", (int)x->toks[a->name].len, x->s + x->toks[a->name].off);
    if (n <= 0 || !el || members(x, a->open, a->close, el, (size_t)n) != n) {
        free(el);
        if (n > 0)
            return MI_CODEGEN_E_NOMEM;
        snprintf(err, errlen, "the mi_export_t array '%s' (line %u) is empty or unreadable; "
                 "end it with {EMPTY_MI_EXPORT} and try again", arr,
                 line_of(x, x->toks[a->name].off));
        return MI_CODEGEN_E_UNSUPPORTED;
    }
    int rc = MI_CODEGEN_OK;
    long term = -1, first_entry = -1;
    bool shape_known = false;
    size_t unchecked = 0;
    char unchecked_name[64] = "";
    for (long k = 0; k < n; k++) {
        struct member in[ENTRY_MAX_MEMBERS];
        long ni = -1;
        if (is_punct(x, el[k].first, '{') && close_of(x, el[k].first) == el[k].last)
            ni = members(x, el[k].first, el[k].last, in, ENTRY_MAX_MEMBERS);
        if (ni <= 0) {
            unchecked++;
            continue;
        }
        if (tok_is(x, in[0].first, "EMPTY_MI_EXPORT") || member_is_zero(x, &in[0])) {
            term = k;
            continue;
        }
        if (first_entry < 0)
            first_entry = k;
        bool named = is_punct(x, in[0].first, '.');
        if (!shape_known) {
            g->shape = named ? SHAPE_NAMED : ni >= 6 ? SHAPE_40 : SHAPE_36;
            shape_known = true;
        }
        /* the name and (4.x) the aliases of the entry */
        struct member nm = in[0];
        long alias = named ? -1 : ni >= 6 ? 5 : -1;
        for (long m = 0; named && m < ni; m++) {
            if (tok_is(x, in[m].first + 1, "name") && in[m].first + 3 <= in[m].last)
                nm = (struct member){in[m].first + 3, in[m].last};
            if (tok_is(x, in[m].first + 1, "aliases") && in[m].first + 3 <= in[m].last)
                alias = m, in[m].first += 3;
        }
        char name[MI_CODEGEN_NAME_MAX * 2];
        if (!member_string(x, &nm, name, sizeof(name))) {
            if (!unchecked++)
                snprintf(unchecked_name, sizeof(unchecked_name), "%.*s",
                         (int)x->toks[nm.first].len, x->s + x->toks[nm.first].off);
        } else if (!strcmp(name, g->name)) {
            snprintf(err, errlen, "MI command '%s' already exists in '%s' (line %u); choose "
                     "another command_name", g->name, arr, line_of(x, x->toks[nm.first].off));
            rc = MI_CODEGEN_E_EXISTS;
            goto out;
        }
        for (size_t t = alias >= 0 ? in[alias].first : 1; alias >= 0 && t <= in[alias].last; t++)
            if (x->toks[t].kind == TK_STRING && x->toks[t].len == strlen(g->name) + 2 &&
                !memcmp(x->s + x->toks[t].off + 1, g->name, strlen(g->name))) {
                snprintf(err, errlen, "'%s' is already an alias of MI command '%s' in '%s' "
                         "(line %u); choose another command_name", g->name, name, arr,
                         line_of(x, x->toks[t].off));
                rc = MI_CODEGEN_E_EXISTS;
                goto out;
            }
    }
    if (term != n - 1) {
        snprintf(err, errlen, "the mi_export_t array '%s' (line %u) does not end with "
                 "{EMPTY_MI_EXPORT}; add the terminator, or the entry by hand", arr,
                 line_of(x, x->toks[a->name].off));
        rc = MI_CODEGEN_E_UNSUPPORTED;
        goto out;
    }
    if (!shape_known) {
        g->shape = SHAPE_NAMED;
        note(r, "the array had no entry to copy: the new one names its members, which both "
             "3.x and 4.x headers accept");
    }
    if (unchecked)
        note(r, "%zu entr%s of '%s' name%s the command by a macro this source does not "
             "define as one string (%s): check by hand that none is '%s'", unchecked,
             unchecked > 1 ? "ies" : "y", arr, unchecked > 1 ? "" : "s", unchecked_name, g->name);

    /* the entry, before the terminator, at the entries' indentation */
    size_t t_off = x->toks[el[term].first].off;
    size_t like = first_entry >= 0 && starts_line(x, x->toks[el[first_entry].first].off)
                      ? x->toks[el[first_entry].first].off : t_off;
    struct span in = indent_at(x, like);
    size_t tl = line_of(x, t_off) - 1;
    struct edit *e;
    if (starts_line(x, t_off)) {
        if (!(e = plan_add(p, tl, 0))) {
            rc = MI_CODEGEN_E_NOMEM;
            goto out;
        }
        e->mark_entry = 0;
        if (!starts_line(x, like) || like == t_off) {
            /* no entry on its own line to copy: the terminator's indentation */
            in = indent_at(x, t_off);
        }
        gen_entry(&e->text, g, x->s + in.off, in.len);
    } else {
        /* the terminator shares its line: break the line before it */
        if (!(e = plan_add(p, tl, 1))) {
            rc = MI_CODEGEN_E_NOMEM;
            goto out;
        }
        size_t b = x->lines[tl], cut = t_off;
        while (cut > b && (x->s[cut - 1] == ' ' || x->s[cut - 1] == '\t'))
            cut--;
        put(&e->text, x->s + b, cut - b);
        puts_(&e->text, x->eol);
        struct span li = indent_at(x, t_off);
        struct text ind = {0};
        put(&ind, x->s + li.off, li.len);
        puts_(&ind, x->unit);
        e->mark_entry = 1;
        gen_entry(&e->text, g, ind.s ? ind.s : "", ind.len);
        put(&e->text, ind.s ? ind.s : "", ind.len);
        put(&e->text, x->s + t_off, line_len(x, tl) - (t_off - b));
        free(ind.s);
        if (!e->text.len || e->text.s[e->text.len - 1] != '\n')
            note(r, "the source did not end with a newline: nor does the patched one");
    }
    /* the handler, before the array (and the comment above it) */
    size_t hl = line_above(x, a->decl);
    if (!starts_line(x, x->toks[a->decl].off)) {
        snprintf(err, errlen, "the mi_export_t array '%s' does not start its line (line %u); "
                 "put it on a line of its own and try again", arr,
                 line_of(x, x->toks[a->decl].off));
        rc = MI_CODEGEN_E_UNSUPPORTED;
        goto out;
    }
    if (!(e = plan_add(p, hl, 0))) {
        rc = MI_CODEGEN_E_NOMEM;
        goto out;
    }
    e->mark_handler = 2; /* past its two comment lines */
    if (!blank_before(x, hl)) {
        puts_(&e->text, x->eol);
        e->mark_handler++;
    }
    gen_handler(&e->text, g);
    puts_(&e->text, x->eol);
out:
    free(el);
    return rc;
}

/* Build the edits that give a module without MI commands an array, wired into its exports. */
static int plan_array(const struct src *x, const struct exports *ex, struct gen *g,
                      struct plan *p, struct mi_codegen_result *r, char *err, size_t errlen)
{
    static const char by_hand[] = "add by hand a 'static const mi_export_t mi_cmds[]' ending "
                                  "with {EMPTY_MI_EXPORT} and name it in exports' MI member "
                                  "(the eleventh, /* exported MI functions */), then try again";
    char arr[96];
    if (!ex->has_mi && !ex->named) {
        snprintf(err, errlen, "this module has no MI commands, and its module_exports "
                 "initialiser (line %u) has %ld members, not the %d of OpenSIPS 3.6/4.0 (an "
                 "#if inside it?), so its MI member cannot be found safely: %s",
                 line_of(x, x->toks[ex->name].off), ex->n, EXPORTS_MEMBERS, by_hand);
        return MI_CODEGEN_E_UNSUPPORTED;
    }
    if (ex->has_mi && !member_is_zero(x, &ex->mi)) {
        snprintf(err, errlen, "exports names its MI commands '%.*s' (line %u), which this "
                 "source does not define: pass the file that defines the mi_export_t array",
                 (int)x->toks[ex->mi.first].len, x->s + x->toks[ex->mi.first].off,
                 line_of(x, x->toks[ex->mi.first].off));
        return MI_CODEGEN_E_UNSUPPORTED;
    }
    snprintf(arr, sizeof(arr), "mi_cmds");
    if (ident_used(x, arr)) {
        char mod[64];
        size_t k = 0;
        for (const char *c = ex->module; *c && k + 1 < sizeof(mod); c++)
            mod[k++] = is_ident(*c) ? *c : '_';
        mod[k] = '\0';
        snprintf(arr, sizeof(arr), "%s_mi_cmds", mod);
        if (ident_used(x, arr)) {
            snprintf(err, errlen, "the names 'mi_cmds' and '%s' are both taken in this source: %s",
                     arr, by_hand);
            return MI_CODEGEN_E_UNSUPPORTED;
        }
    }
    g->shape = SHAPE_NAMED;
    if (!starts_line(x, x->toks[ex->decl].off)) {
        snprintf(err, errlen, "'struct module_exports' does not start its line (line %u): %s",
                 line_of(x, x->toks[ex->decl].off), by_hand);
        return MI_CODEGEN_E_UNSUPPORTED;
    }
    /* the wiring first: it may refuse */
    struct edit *w;
    if (ex->has_mi) {
        const struct tok *t = &x->toks[ex->mi.first];
        size_t l = line_of(x, t->off) - 1, b = x->lines[l], ll = line_len(x, l);
        if (!(w = plan_add(p, l, 1)))
            return MI_CODEGEN_E_NOMEM;
        put(&w->text, x->s + b, t->off - b);
        puts_(&w->text, arr);
        size_t after = t->off + t->len, grew = strlen(arr) - t->len;
        if (after < b + ll && x->s[after] == ',') {
            put(&w->text, ",", 1);
            after++;
        }
        /* keep the comment's column when the blanks allow it */
        size_t sp = 0;
        while (after + sp < b + ll && x->s[after + sp] == ' ')
            sp++;
        if (sp > grew) {
            after += grew;
        } else if (sp) {
            after += sp - 1;
        }
        put(&w->text, x->s + after, b + ll - after);
    } else {
        /* designated, without .mi_cmds: a member of its own, before the first one */
        struct member m[1];
        members(x, ex->open, ex->close, m, 1);
        size_t off = x->toks[m[0].first].off;
        if (!starts_line(x, off)) {
            snprintf(err, errlen, "the members of module_exports do not start their lines "
                     "(line %u): add '.mi_cmds = mi_cmds,' by hand", line_of(x, off));
            return MI_CODEGEN_E_UNSUPPORTED;
        }
        if (!(w = plan_add(p, line_of(x, off) - 1, 0)))
            return MI_CODEGEN_E_NOMEM;
        struct span in = indent_at(x, off);
        put(&w->text, x->s + in.off, in.len);
        putf(&w->text, ".mi_cmds = %s,%s", arr, x->eol);
    }
    /* handler and array before the exports (and the comment above them) */
    size_t hl = line_above(x, ex->decl);
    struct edit *e = plan_add(p, hl, 0);
    if (!e)
        return MI_CODEGEN_E_NOMEM;
    e->mark_handler = 2; /* past its two comment lines */
    if (!blank_before(x, hl)) {
        puts_(&e->text, x->eol);
        e->mark_handler++;
    }
    gen_handler(&e->text, g);
    puts_(&e->text, x->eol);
    putf(&e->text, "static const mi_export_t %s[] = {%s", arr, x->eol);
    e->mark_entry = (long)text_lines(e->text.s, e->text.len);
    gen_entry(&e->text, g, x->unit, strlen(x->unit));
    putf(&e->text, "%s{EMPTY_MI_EXPORT}%s};%s%s", x->unit, x->eol, x->eol, x->eol);
    r->created_array = true;
    note(r, "the module had no MI commands: added the array '%s' and named it in exports' MI "
         "member; its entry names its members, which both 3.x and 4.x headers accept", arr);
    return MI_CODEGEN_OK;
}

static void src_release(struct src *x)
{
    free(x->lines);
    free(x->toks);
    free(x->match);
    free(x->comments);
    free(x->defs);
}

int mi_codegen_add(const char *src, size_t len, const char *name, const char *desc,
                   const char *file_name, struct mi_codegen_result *r, char *err, size_t errlen)
{
    struct src x = {.s = src, .len = len};
    struct plan p = {0};
    struct exports ex;
    struct array arrays[8];
    size_t total = 0;
    char handler[sizeof(r->handler)], file[MI_CODEGEN_FILE_MAX + 1];
    int rc;

    memset(r, 0, sizeof(*r));
    if (err && errlen)
        err[0] = '\0';
    if (!src || !name)
        return snprintf(err, errlen, "module_source and command_name are required"),
               MI_CODEGEN_E_ARGS;
    if (len > MI_CODEGEN_SOURCE_MAX) {
        snprintf(err, errlen, "module_source is %zu bytes; at most %u are taken (one module's "
                 "C file)", len, MI_CODEGEN_SOURCE_MAX);
        return MI_CODEGEN_E_ARGS;
    }
    if (memchr(src, '\0', len)) {
        snprintf(err, errlen, "module_source has a NUL byte at byte %zu: pass the C file's text",
                 (size_t)((const char *)memchr(src, '\0', len) - src) + 1);
        return MI_CODEGEN_E_ARGS;
    }
    if (check_name(name, err, errlen) < 0 || (desc && check_desc(desc, err, errlen) < 0) ||
        (file_name && check_file(file_name, err, errlen) < 0))
        return MI_CODEGEN_E_ARGS;
    if ((rc = lex(&x, err, errlen)) != MI_CODEGEN_OK)
        goto out;
    if (match_brackets(&x) < 0) {
        rc = MI_CODEGEN_E_NOMEM;
        goto out;
    }
    sort_defines(&x);
    if (!find_exports(&x, &ex)) {
        snprintf(err, errlen, "module_source is not an OpenSIPS module: it has no 'struct "
                 "module_exports ... = {...}' initialiser; pass the module's main C file (the "
                 "one defining exports)");
        rc = MI_CODEGEN_E_NOT_MODULE;
        goto out;
    }
    snprintf(r->module, sizeof(r->module), "%s", ex.module);
    snprintf(file, sizeof(file), "%s", file_name ? file_name : "");
    if (!file_name) {
        size_t k = 0;
        for (const char *c = ex.module; *c && k + 3 < sizeof(file); c++)
            file[k++] = is_ident(*c) || *c == '-' || *c == '.' ? *c : '_';
        snprintf(file + k, sizeof(file) - k, ".c");
    }

    snprintf(handler, sizeof(handler), "mi_%s", name);
    if (ident_used(&x, handler)) {
        snprintf(handler, sizeof(handler), "mi_%s_cmd", name);
        if (ident_used(&x, handler)) {
            snprintf(err, errlen, "'mi_%s' and 'mi_%s_cmd' are both taken in this source; "
                     "rename one, or write the handler by hand", name, name);
            rc = MI_CODEGEN_E_UNSUPPORTED;
            goto out;
        }
        note(r, "'mi_%s' is taken in this source: the handler is '%s'", name, handler);
    }
    snprintf(r->handler, sizeof(r->handler), "%s", handler);
    struct gen g = {.name = name, .desc = desc, .handler = handler, .param = "value",
                    .eol = x.eol, .unit = x.unit};

    size_t na = find_arrays(&x, arrays, sizeof(arrays) / sizeof(arrays[0]), &total);
    const struct array *a = NULL;
    bool zero = ex.has_mi && member_is_zero(&x, &ex.mi);
    if (ex.has_mi && !zero) {
        for (size_t i = 0; i < na; i++)
            if (ex.mi.first == ex.mi.last &&
                tok_eq(&x, ex.mi.first, x.s + x.toks[arrays[i].name].off,
                       x.toks[arrays[i].name].len))
                a = &arrays[i];
        if (!a && (ex.mi.first == ex.mi.last || total != 1)) {
            snprintf(err, errlen, "exports names its MI commands '%.*s' (line %u), which this "
                     "source does not define: pass the file that defines that mi_export_t array",
                     (int)x.toks[ex.mi.first].len, x.s + x.toks[ex.mi.first].off,
                     line_of(&x, x.toks[ex.mi.first].off));
            rc = MI_CODEGEN_E_UNSUPPORTED;
            goto out;
        }
        if (!a)
            a = &arrays[0];
    } else if (total == 1 && !zero) {
        a = &arrays[0]; /* exports' MI member not readable (an #if inside): the one array */
    } else if (total > 1) {
        snprintf(err, errlen, "this source defines %zu mi_export_t arrays and exports does not "
                 "tell which is its own; add the entry by hand", total);
        rc = MI_CODEGEN_E_UNSUPPORTED;
        goto out;
    } else if (total == 1) {
        snprintf(err, errlen, "this source defines the mi_export_t array '%.*s' (line %u), but "
                 "exports' MI member is 0: name the array there first",
                 (int)x.toks[arrays[0].name].len, x.s + x.toks[arrays[0].name].off,
                 line_of(&x, x.toks[arrays[0].name].off));
        rc = MI_CODEGEN_E_UNSUPPORTED;
        goto out;
    }
    rc = a ? plan_entry(&x, a, &g, &p, r, err, errlen)
           : plan_array(&x, &ex, &g, &p, r, err, errlen);
    if (rc != MI_CODEGEN_OK)
        goto out;

    for (size_t i = 0; i < p.n; i++)
        if (p.e[i].text.oom) {
            rc = MI_CODEGEN_E_NOMEM;
            goto out;
        }
    if (p.n > 1)
        qsort(p.e, p.n, sizeof(p.e[0]), cmp_edit);
    struct text out = {0}, diff = {0};
    apply(&x, &p, &out, &r->handler_line, &r->entry_line);
    emit_diff(&x, &p, file, &diff);
    if (out.oom || diff.oom || !out.s || !diff.s) {
        free(out.s);
        free(diff.s);
        rc = MI_CODEGEN_E_NOMEM;
        goto out;
    }
    r->source = out.s;
    r->source_len = out.len;
    r->patch = diff.s;
    r->patch_len = diff.len;
    note(r, "the handler '%s' echoes its parameter '%s' back in an object: replace that with "
         "the command's work (and the recipe's parameters)", handler, g.param);
out:
    for (size_t i = 0; i < p.n; i++)
        free(p.e[i].text.s);
    if (rc == MI_CODEGEN_E_NOMEM)
        snprintf(err, errlen, "out of memory");
    src_release(&x);
    return rc;
}

void mi_codegen_result_release(struct mi_codegen_result *r)
{
    if (!r)
        return;
    free(r->source);
    free(r->patch);
    r->source = r->patch = NULL;
}
