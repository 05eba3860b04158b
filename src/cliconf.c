/* cliconf: opensips-cli's INI file as sections of key/value pairs. */
#include "cliconf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strparse.h"

#define NAME_MAX_QUOTED 64 /* a section name quoted in a message when it is a node name */

/* A copy of s counted against CLICONF_TEXT_MAX; NULL when out of memory or over the limit
 * (*over says which). */
static char *keep(struct cliconf *c, const char *s, bool *over)
{
    size_t n = strlen(s) + 1;
    char *copy;

    *over = c->text + n > CLICONF_TEXT_MAX;
    if (*over || !(copy = malloc(n)))
        return NULL;
    memcpy(copy, s, n);
    c->text += n;
    return copy;
}

static int add_entry(struct cliconf *c, struct cliconf_section *s, const char *key,
                     const char *value, bool *over)
{
    struct cliconf_entry *grown = realloc(s->entries, (s->n + 1) * sizeof(*grown));

    if (!grown)
        return -1;
    s->entries = grown;
    struct cliconf_entry *e = &grown[s->n];
    if (!(e->key = keep(c, key, over)))
        return -1;
    if (!(e->value = keep(c, value, over))) {
        free(e->key);
        return -1;
    }
    s->n++;
    return 0;
}

static int add_section(struct cliconf *c, const char *name, bool *over)
{
    struct cliconf_section *grown = realloc(c->sections, (c->n + 1) * sizeof(*grown));

    if (!grown)
        return -1;
    c->sections = grown;
    memset(&grown[c->n], 0, sizeof(grown[0]));
    if (!(grown[c->n].name = keep(c, name, over)))
        return -1;
    c->n++;
    return 0;
}

/* What keeping a name, key or value that did not fit returns. */
static int lost(const struct cliconf *c, bool over, unsigned lineno, char *err, size_t errlen)
{
    if (over)
        return parse_fail(err, errlen, "%s:%u: more than %u bytes of section names, keys and "
                          "values", c->path, lineno, CLICONF_TEXT_MAX);
    parse_fail(err, errlen, "out of memory reading '%s'", c->path);
    return CLICONF_ERR_NOMEM;
}

static FILE *open_default(struct cliconf *c)
{
    const char *home = getenv("HOME");
    FILE *f;

    if (home && snprintf(c->path, sizeof(c->path), "%s/.opensips-cli.cfg", home) <
                    (int)sizeof(c->path) &&
        (f = fopen(c->path, "re")))
        return f;
    snprintf(c->path, sizeof(c->path), "/etc/opensips-cli.cfg");
    if ((f = fopen(c->path, "re")))
        return f;
    c->path[0] = '\0';
    return NULL;
}

int cliconf_load(struct cliconf *c, const char *path, char *err, size_t errlen)
{
    char line[CLICONF_LINE_MAX + 2];
    struct cliconf_section *cur = &c->defaults;
    unsigned lineno = 0;
    bool over = false;
    FILE *f;
    int rc = 0;

    memset(c, 0, sizeof(*c));
    if (path) {
        snprintf(c->path, sizeof(c->path), "%s", path);
        if (!(f = fopen(path, "re")))
            return parse_fail(err, errlen, "cannot read opensips-cli config '%s': %s", path,
                              strerror(errno));
        path = c->path;
    } else if (!(f = open_default(c))) {
        return 0;
    } else {
        path = c->path;
    }
    while (!rc && fgets(line, sizeof(line), f)) {
        lineno++;
        if (!strchr(line, '\n') && strlen(line) > CLICONF_LINE_MAX) {
            rc = parse_fail(err, errlen, "%s:%u: line longer than %d bytes", path, lineno,
                            CLICONF_LINE_MAX);
            break;
        }
        char *s = trim_space(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close) {
                rc = parse_fail(err, errlen, "%s:%u: unclosed section header", path, lineno);
                break;
            }
            *close = '\0';
            const char *name = trim_space(s + 1);
            if (!strcmp(name, "DEFAULT")) {
                cur = &c->defaults; /* configparser takes [DEFAULT] again, into the same */
                continue;
            }
            /* configparser (opensips-cli) refuses a section given twice; so do we. The name is
             * quoted only when it is a node name: it may be anything (a URL with a password). */
            for (size_t i = 0; i < c->n && !rc; i++)
                if (!strcmp(c->sections[i].name, name))
                    rc = parse_fail(err, errlen, "%s:%u: a section appears twice (%s)", path,
                                    lineno,
                                    node_name_ok(name, NAME_MAX_QUOTED) ? name
                                                                        : "a name that is none");
            if (!rc && c->n >= CLICONF_SECTIONS_MAX)
                rc = parse_fail(err, errlen, "%s:%u: more than %d sections", path, lineno,
                                CLICONF_SECTIONS_MAX);
            if (!rc && add_section(c, name, &over) < 0)
                rc = lost(c, over, lineno, err, errlen);
            if (!rc)
                cur = &c->sections[c->n - 1];
            continue;
        }
        char *eq = strpbrk(s, "=:");
        if (!eq) {
            rc = parse_fail(err, errlen, "%s:%u: expected 'key: value'", path, lineno);
            break;
        }
        *eq = '\0';
        if (add_entry(c, cur, trim_space(s), trim_space(eq + 1), &over) < 0)
            rc = lost(c, over, lineno, err, errlen);
    }
    explicit_bzero(line, sizeof(line));
    fclose(f);
    return rc;
}

const char *cliconf_get(const struct cliconf *c, const struct cliconf_section *s,
                        const char *key)
{
    for (size_t i = s->n; i-- > 0;)
        if (!strcmp(s->entries[i].key, key))
            return s->entries[i].value;
    if (s == &c->defaults)
        return NULL;
    return cliconf_get(c, &c->defaults, key);
}

static void wipe(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

static void release_section(struct cliconf_section *s)
{
    for (size_t i = 0; i < s->n; i++) {
        wipe(s->entries[i].key);
        wipe(s->entries[i].value);
    }
    free(s->entries);
    wipe(s->name);
}

void cliconf_release(struct cliconf *c)
{
    release_section(&c->defaults);
    for (size_t i = 0; i < c->n; i++)
        release_section(&c->sections[i]);
    free(c->sections);
    memset(c, 0, sizeof(*c));
}
