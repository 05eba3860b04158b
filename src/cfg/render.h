/* cfg/render: a config template rendered with chosen flags through the real m4 (GNU m4, Debian
 * package m4), run by exec (argument vector, no shell, a deadline, bounded output), with one
 * -DNAME=VALUE per flag; and which chosen flags had no effect on the text.
 *
 * A menuconfig template gets its _def.m4 defaults as -D too (the _def.m4 itself is not passed:
 * its define()s would overwrite the choices). A template that defines a chosen flag itself at
 * top level (the examples set, config-templates.md §3: its define() runs after -D and overwrites it)
 * is rendered from a copy fed to m4 on stdin in which that define()'s value is the choice (the
 * rest of the line kept). Each value is passed quoted (`VALUE'), so it is text and never m4
 * code: "dnl" renders as "dnl".
 *
 * No effect is measured, not guessed: the template is rendered once with every choice and once
 * without each choice in turn (1 + n m4 runs); a choice whose removal leaves the text unchanged
 * had no effect, and the reason names the trap from the template's scan (cfg/templates.h): the
 * template defines it but never tests it (and which
 * tested names nothing defines, like loadbalancer's DISABLE_PROBING), the template does not use
 * it at all, or the value gives the same text as the default.
 *
 * Thread-safe: no state. */
#ifndef CFG_RENDER_H
#define CFG_RENDER_H

#include <stddef.h>

#include "cfg/templates.h"

#define CFG_M4_DEFAULT "/usr/bin/m4"
#define CFG_CHOICES_MAX 64          /* flags chosen in one render */
#define CFG_VALUE_MAX 256           /* bytes of one value */
#define CFG_RENDER_OUT_MAX (1u << 20) /* bytes of rendered text: more is an error */
#define CFG_RENDER_DEADLINE_MS 10000u /* for the whole render (all its m4 runs), when 0 */

struct cfg_choice {
    const char *name;  /* borrowed; a macro name (cfg_flag_name_valid) */
    const char *value; /* borrowed; printable, no '`', '\'', '#', at most CFG_VALUE_MAX */
};

struct cfg_no_effect {
    char *name;   /* owned */
    char *reason; /* owned sentence, lowercase, no full stop */
};

struct cfg_render_result {
    char *text; /* owned rendered config, NUL-terminated */
    size_t len;
    struct cfg_no_effect *no_effect; /* owned, in the order of the choices */
    size_t n_no_effect;
};

/* Render t with the n choices through m4 (NULL: CFG_M4_DEFAULT), all 1 + n runs together
 * bounded by deadline_ms (0: CFG_RENDER_DEADLINE_MS; each run gets what is left). r is zeroed first; release it with
 * cfg_render_result_release in every case. Returns CFG_OK, or with errbuf set:
 * CFG_ERR_INVALID for a bad name or value, a name chosen twice or more than CFG_CHOICES_MAX;
 * CFG_ERR_NOT_FOUND when m4 is missing ("install the m4 package"); CFG_ERR_RUN when m4 fails
 * (its stderr quoted), times out or writes more than CFG_RENDER_OUT_MAX. A name the template
 * does not know is not an error: it is rendered (m4 ignores it) and listed in no_effect. */
int cfg_render(const struct cfg_template *t, const struct cfg_choice *choices, size_t n,
               const char *m4, unsigned deadline_ms, struct cfg_render_result *r, char *errbuf,
               size_t errlen);

void cfg_render_result_release(struct cfg_render_result *r);

/* A copy of template text (len bytes) in which every top-level define() (a line starting,
 * after blanks, with "define(") of a chosen name, c[skip] excepted (skip >= n: none), has its
 * value replaced by ``VALUE'' (quoted twice, as -D quotes it once inside the definition); the
 * value's end is found through nested `...' quotes, over lines if need be; a define without a
 * value gets one. *out (owned, NUL-terminated) is NULL when no line names a choice. CFG_OK or
 * CFG_ERR_NOMEM. For cfg_render and tests. */
int cfg_template_rewrite(const char *text, size_t len, const struct cfg_choice *c, size_t n,
                         size_t skip, char **out, size_t *out_len);

#endif
