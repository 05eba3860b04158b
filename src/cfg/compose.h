/* cfg/compose: from what an assistant asks to the choices of one template, and from a rendered
 * config to what it holds: flags given as "NAME" or "NAME=VALUE" (names case-insensitive, the
 * Python server's WITH_* names mapped onto the template's own), site parameters (the template's
 * value flags, the Python server's keys mapped onto them), the post-render fixes of
 * config-templates.md §2.4 (mpath, the database driver), the modules and modparams a config
 * loads, and a template and flags suggested by a free-text description. Everything said about
 * a mapping goes into notes, never silently.
 *
 * Thread-safe: no state (session ids come from getrandom). */
#ifndef CFG_COMPOSE_H
#define CFG_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg/render.h"
#include "cfg/templates.h"

#define CFG_NOTES_MAX 80        /* notes of one composition (more are dropped, the last says so) */
#define CFG_FIXES_MAX 16        /* post-render fixes kept */
#define CFG_MODULES_MAX 256     /* loadmodule lines counted */
#define CFG_SESSION_ID_LEN 16   /* hex characters of a session id */

struct cfg_compose {
    const struct cfg_template *t;      /* borrowed */
    struct cfg_choice choices[CFG_CHOICES_MAX]; /* names borrowed from t, values owned */
    size_t n;
    char *notes[CFG_NOTES_MAX];        /* owned sentences */
    size_t n_notes;
    char *mpath;                       /* site parameter MPATH, owned, or NULL */
    const char *db_url;                /* the chosen DB_URL (borrowed from choices) or NULL */
    bool values_listed;                /* a note has listed the template's site values */
};

/* Start a composition for template t (borrowed; it must outlive k). */
void cfg_compose_init(struct cfg_compose *k, const struct cfg_template *t);
void cfg_compose_release(struct cfg_compose *k);

/* Add one flag, "NAME" (meaning yes) or "NAME=VALUE". The name is matched without case; a name
 * the template lacks is tried as the Python server's WITH_X (as X, USE_X, ENABLE_X, or the
 * known renames: ACCDB, USRLOCDB, ALIASDB), with a note saying what it became. CFG_OK;
 * CFG_ERR_NOT_FOUND for a flag the template does not have (errbuf names its flags);
 * CFG_ERR_INVALID for an empty name, a flag given twice or more than CFG_CHOICES_MAX;
 * CFG_ERR_NOMEM. The value itself is checked by cfg_render. */
int cfg_compose_flag(struct cfg_compose *k, const char *spec, char *errbuf, size_t errlen);

/* Add one site parameter: key (any case) is a flag of the template, or one of the Python
 * server's keys mapped onto it (LISTEN -> LISTEN_IP, RTP_PROXY_ADDR -> RTPPROXY_SOCKET: a note
 * says so); MPATH is kept for cfg_fix_text; a key with no counterpart in the template gets a
 * note saying it was ignored (the first such note lists the template's site values). Errors as cfg_compose_flag (a key given twice, also as a flag). */
int cfg_compose_site(struct cfg_compose *k, const char *key, const char *value, char *errbuf,
                     size_t errlen);

/* A note (printf format), kept when there is room. 0, or CFG_ERR_NOMEM. */
int cfg_compose_note(struct cfg_compose *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A flag's kind as cfg_list_flags shows it: "switch" (default yes or no), "value" (another
 * default), "internal" (set by the template from other flags), "undefined" (tested, never
 * defined: choosing it works as m4 -D). */
const char *cfg_flag_kind(const struct cfg_flag *f);

struct cfg_fix {
    unsigned line;  /* 1-based line of the rendered text */
    char *what;     /* owned sentence */
};

struct cfg_fixes {
    struct cfg_fix items[CFG_FIXES_MAX];
    size_t n;
};

void cfg_fixes_release(struct cfg_fixes *f);

/* Apply the post-render fixes to *text (owned, *len bytes; replaced by a new buffer when a
 * line changes): every mpath="..." line set to mpath when it is given, else to module_dir when
 * that is given and differs; when db_url starts with postgres:// or postgresql://, every
 * loadmodule "db_mysql.so" becomes db_postgres.so. Each change is listed with its line.
 * CFG_OK or CFG_ERR_NOMEM (text unchanged). */
int cfg_fix_text(char **text, size_t *len, const char *module_dir, const char *mpath,
                 const char *db_url, struct cfg_fixes *out);

/* The modules text loads (loadmodule "x.so" lines, at line start after blanks, "x" kept, path
 * and ".so" dropped), in order, at most CFG_MODULES_MAX; *names owned (each and the array).
 * Returns the count, or -1 out of memory. */
long cfg_modules(const char *text, char ***names);
void cfg_modules_free(char **names, size_t n);

/* modparam( lines of text. */
size_t cfg_modparams(const char *text);

/* The module directory of the OpenSIPS installation whose binary is opensips_path (absolute):
 * <prefix>/lib64/opensips/modules, <prefix>/lib/opensips/modules or
 * <prefix>/lib/<multiarch>/opensips/modules, the first that is a directory. Owned, or NULL. */
char *cfg_module_dir(const char *opensips_path);

/* The template set name ("residential", "trunking", "loadbalancer") a description suggests, by
 * keyword rows (most rows matched wins, residential on a tie); why (size whylen) gets the
 * description's own word that matched first, or "" when none did (then "residential"). */
const char *cfg_suggest_template(const char *description, char *why, size_t whylen);

/* The index'th flag a description suggests for t ("TLS" -> ENABLE_TLS, ...): only flags the
 * template has, each once; NULL past the last. word (size wordlen) gets the description's own
 * word that suggested it ("authentication"). */
const char *cfg_suggest_flag(const struct cfg_template *t, const char *description, size_t index,
                             char *word, size_t wordlen);

/* A new random session id: CFG_SESSION_ID_LEN lowercase hex characters (getrandom) and a NUL.
 * 0, or -1 when the system gives no randomness. */
int cfg_session_id_new(char out[CFG_SESSION_ID_LEN + 1]);

/* Whether s is a session id: exactly CFG_SESSION_ID_LEN characters of [0-9a-f]. */
bool cfg_session_id_valid(const char *s);

#endif
