/* cliconf: opensips-cli's INI file (~/.opensips-cli.cfg, /etc/opensips-cli.cfg) read as sections
 * of key/value pairs, with the rules of Python's configparser that opensips-cli relies on. What
 * the keys mean is the callers' (mi/config.c: the MI nodes, db/config_load.c: their databases). */
#ifndef CLICONF_H
#define CLICONF_H

#include <stddef.h>

#define CLICONF_LINE_MAX 2048        /* bytes in one line; a longer line is refused */
#define CLICONF_SECTIONS_MAX 128     /* sections besides [DEFAULT]; one more is refused */
#define CLICONF_TEXT_MAX (1u << 20)  /* bytes of section names, keys and values kept in all */

/* Returns of cliconf_load besides 0. */
enum {
    CLICONF_ERR_FILE = -1,  /* the file is missing (when named), unreadable or malformed */
    CLICONF_ERR_NOMEM = -2, /* out of memory */
};

struct cliconf_entry {
    char *key, *value;
};

struct cliconf_section {
    char *name;
    struct cliconf_entry *entries; /* in file order; a key given twice is there twice */
    size_t n;
};

struct cliconf {
    char path[512];                   /* the file read; "" when no default file exists */
    struct cliconf_section defaults;  /* [DEFAULT], and keys before any section header */
    struct cliconf_section *sections; /* the other sections, in file order */
    size_t n;
    size_t text;                      /* bytes kept, against CLICONF_TEXT_MAX */
};

/* Read `path`, or with NULL the first of ~/.opensips-cli.cfg and /etc/opensips-cli.cfg that
 * opens (neither: 0 and no sections, path ""). Lines are trimmed; empty lines and lines starting
 * with '#' or ';' are skipped; "[name]" (name trimmed) starts a section; any other line is
 * "key: value" or "key = value" (split at the first ':' or '=', both sides trimmed). [DEFAULT]
 * may appear anywhere and more than once; its keys apply to every section (cliconf_get). 0, or
 * CLICONF_ERR_* with one sentence in err naming the file and line: the named file cannot be
 * read, a line is longer than CLICONF_LINE_MAX, a header has no ']', a line is neither, a
 * section is given twice (configparser refuses that too), more than CLICONF_SECTIONS_MAX
 * sections, more than CLICONF_TEXT_MAX bytes kept. c is initialised either way: release it. */
int cliconf_load(struct cliconf *c, const char *path, char *err, size_t errlen);

/* The value of `key` in section s (one of c's, borrowed): the last one s gives, else the last
 * one [DEFAULT] gives, else NULL. */
const char *cliconf_get(const struct cliconf *c, const struct cliconf_section *s,
                        const char *key);

/* Free what cliconf_load kept, wiping it first (database_url holds a password). */
void cliconf_release(struct cliconf *c);

#endif
