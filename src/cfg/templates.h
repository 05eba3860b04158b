/* cfg/templates: the config templates an OpenSIPS installation ships, found under its share
 * directory, and the flags each one takes, read from the template itself (never a copy of ours),
 * so that a new OpenSIPS version brings its own.
 *
 * Two sets exist (../shared/reference/config-templates.md §1), both under <share>:
 * - menuconfig_templates/opensips_<name>.m4 with its defaults in opensips_<name>_def.m4, named
 *   "menuconfig/<name>";
 * - examples/templates/<name>.m4, whose defaults are define() lines at its own top, named
 *   "examples/<name>".
 *
 * A flag is a macro the template (or its _def.m4) define()s, or one it tests with ifelse(NAME,
 * ...) or ifdef(`NAME', ...); a name longer than CFG_NAME_MAX is ignored. The scan is lexical, by lines: text from a '#' (an m4 comment,
 * also once a quoted branch is rescanned) or a 'dnl' to the end of the line is skipped; a define
 * is top-level when its line starts with "define(", conditional otherwise (inside an ifelse
 * branch, like DB_NEEDED). The two traps of config-templates.md §3 and §2.3 come out as fields:
 * a top-level define() in the template itself runs after m4 -D and overwrites it
 * (overridden_by_template), and a flag that is defined but never tested has no effect (no_effect:
 * loadbalancer's DISABLE_PINGING, while the template tests DISABLE_PROBING, which nothing
 * defines).
 *
 * Thread-safe: no state. */
#ifndef CFG_TEMPLATES_H
#define CFG_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>

#define CFG_SHARE_SUFFIX "share/opensips"  /* below an installation prefix */
#define CFG_TEMPLATE_MAX (1u << 20)       /* bytes of one template or _def.m4 file */
#define CFG_TEMPLATES_MAX 64              /* templates in one share directory */
#define CFG_FLAGS_MAX 256                 /* flags of one template */
#define CFG_USES_MAX 256                  /* lines kept per flag (uses_truncated past it) */
#define CFG_NAME_MAX 64                   /* bytes of a template or flag name */

enum cfg_err {
    CFG_OK = 0,
    CFG_ERR_NOT_FOUND = -1, /* no such directory, template or program */
    CFG_ERR_INVALID = -2,   /* bad input: a flag name or value, a limit passed */
    CFG_ERR_IO = -3,        /* a file could not be read */
    CFG_ERR_RUN = -4,       /* the program (m4, opensips) could not run or failed */
    CFG_ERR_NOMEM = -5,
};

enum cfg_set { CFG_SET_EXAMPLES, CFG_SET_MENUCONFIG };

struct cfg_flag {
    char *name;
    /* The value the template starts with: its top-level define() (or the _def.m4's); NULL when
     * neither defines it at top level (then m4 leaves the name unexpanded, which every test
     * reads as "not yes"). */
    char *default_value;
    char *comment;          /* the text after '#' on that define() line, or NULL */
    unsigned defined_line;  /* line of that define() (in defs_file when defined_in_defs), or 0 */
    bool defined_in_defs;   /* the default comes from the menuconfig _def.m4 */
    bool overridden_by_template; /* the template's own top-level define(): m4 -D alone is
                                    overwritten (cfg_render rewrites that define() instead) */
    bool internal;          /* only defined inside the template's conditionals (a helper such as
                               DB_NEEDED, set from other flags) */
    bool no_effect;         /* defined but the template never uses it */
    unsigned *uses;         /* owned: ascending lines of the template where it is used */
    size_t n_uses;
    bool uses_truncated;    /* more than CFG_USES_MAX lines */
};

struct cfg_template {
    char *name;      /* "examples/residential", "menuconfig/trunking" */
    enum cfg_set set;
    char *file;      /* absolute path of the .m4 */
    char *defs_file; /* menuconfig: the _def.m4 (absolute), else NULL */
    struct cfg_flag *flags; /* owned, in order of first appearance (defs file first) */
    size_t n_flags;
};

struct cfg_templates {
    char *share_dir;
    struct cfg_template *items; /* owned, sorted by name */
    size_t n;
};

/* The share directory for spec: an OpenSIPS binary (<prefix>/sbin/opensips gives
 * <prefix>/share/opensips), an installation prefix (<prefix>/share/opensips), or a share
 * directory itself (one holding menuconfig_templates/ or examples/templates/). *dir (owned) is
 * set on CFG_OK; otherwise CFG_ERR_NOT_FOUND (or _INVALID, _NOMEM) with errbuf saying what was
 * looked for. */
int cfg_share_dir_resolve(const char *spec, char **dir, char *errbuf, size_t errlen);

/* Find and scan every template under share_dir into out (zeroed first; release it with
 * cfg_templates_release in every case). Files are read with rootfile_read under share_dir: no
 * symbolic link below it, at most CFG_TEMPLATE_MAX bytes each. CFG_ERR_NOT_FOUND, with errbuf
 * naming both places looked in, when there is no template at all; CFG_ERR_IO or _INVALID when one
 * cannot be read or passes a limit. */
int cfg_templates_load(const char *share_dir, struct cfg_templates *out, char *errbuf,
                       size_t errlen);

void cfg_templates_release(struct cfg_templates *t);

/* Borrowed lookups; NULL when there is none. */
const struct cfg_template *cfg_templates_find(const struct cfg_templates *t, const char *name);
const struct cfg_flag *cfg_template_flag(const struct cfg_template *t, const char *name);

/* Scan text (a template) and defs (its _def.m4, or NULL) into t->flags, replacing them. For
 * cfg_templates_load and for tests on text. CFG_ERR_INVALID past CFG_FLAGS_MAX, _NOMEM. */
int cfg_template_scan(struct cfg_template *t, const char *text, const char *defs, char *errbuf,
                      size_t errlen);

/* Free t's flags (not its name or paths) and set them empty. */
void cfg_template_flags_release(struct cfg_template *t);

/* p at a '`' (before e): the '\'' that closes it, m4 quotes nesting (`a `b' c'), or NULL when
 * it is not closed before e. */
const char *cfg_m4_quote_end(const char *p, const char *e);

/* True for a name m4 takes as a macro: [A-Za-z_][A-Za-z0-9_]*, at most CFG_NAME_MAX bytes. */
bool cfg_flag_name_valid(const char *name);

#endif
