/* codegen/mi_codegen: a new MI command in an OpenSIPS module's C source — its mi_export_t entry
 * and a handler skeleton in OpenSIPS's own style, as the patched source and a unified diff an
 * operator reviews.
 *
 * Facts it relies on (mi/mi.h, mi/item.h and sr_module.h of OpenSIPS 3.6.8 and 4.0.1):
 * - an mi_export_t is {name, help, flags, init_f, recipes[MAX_MI_RECIPES]}, and 4.x adds
 *   aliases[MAX_MI_ALIASES] after the recipes; an array of them ends with {EMPTY_MI_EXPORT};
 * - a recipe (mi_recipe_t) is {handler, {parameter names..., 0}}; the recipes end with
 *   {EMPTY_MI_RECIPE};
 * - a handler is mi_response_t *f(const mi_params_t *params, struct mi_handler *async_hdl); it
 *   reads parameters with get_mi_string_param (init_mi_param_error() when one is missing) and
 *   answers with init_mi_result_ok() or init_mi_result_object() and add_mi_string();
 * - struct module_exports has the same twenty members in both versions; the eleventh (index
 *   10, after the statistics) is the mi_export_t array, 0 in a module without MI commands.
 *
 * Where the array has entries, the new entry copies their shape (five members for a 3.x source,
 * six for 4.x); an array with none, and one created here, gets member names (.name = ...), which
 * both versions' layouts accept without a missing-initialiser warning. A module without an
 * array gets one (named mi_cmds, before `struct module_exports`), wired into exports' MI member
 * when that member is 0 or NULL and the initialiser has the twenty members (or names them);
 * otherwise the call is refused, saying what to add by hand.
 *
 * Thread-safe: no state. */
#ifndef CODEGEN_MI_CODEGEN_H
#define CODEGEN_MI_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>

#define MI_CODEGEN_SOURCE_MAX (1u << 20) /* bytes of module source taken */
#define MI_CODEGEN_NAME_MAX 64           /* characters of an MI command name */
#define MI_CODEGEN_DESC_MAX 256          /* bytes of a description */
#define MI_CODEGEN_FILE_MAX 255          /* bytes of the file name the patch names */
#define MI_CODEGEN_NOTES_MAX 4

enum mi_codegen_err {
    MI_CODEGEN_OK = 0,
    MI_CODEGEN_E_ARGS = -1,        /* a bad name, description, file name, or source bytes */
    MI_CODEGEN_E_NOT_MODULE = -2,  /* no struct module_exports initialiser, or not C we can read */
    MI_CODEGEN_E_EXISTS = -3,      /* the array already has the command */
    MI_CODEGEN_E_UNSUPPORTED = -4, /* cannot be done safely: what to add by hand is said */
    MI_CODEGEN_E_NOMEM = -5,
};

struct mi_codegen_result {
    char *source;        /* owned: the patched source, NUL-terminated */
    size_t source_len;
    char *patch;         /* owned: the unified diff (a/FILE, b/FILE), NUL-terminated */
    size_t patch_len;
    unsigned handler_line; /* 1-based lines in the patched source: the handler's definition */
    unsigned entry_line;   /* line (below its comment) and the new entry's first line */
    bool created_array;    /* the module had no MI commands: an array was added and wired */
    char module[64];       /* the module's name, as exports gives it ("module" when unknown) */
    char handler[MI_CODEGEN_NAME_MAX + 16]; /* the handler's name (mi_<command>, or a variant) */
    char notes[MI_CODEGEN_NOTES_MAX][320];  /* what the operator should know */
    size_t n_notes;
};

/* Add MI command `name` (lowercase letters, digits and '_', starting with a letter, at most
 * MI_CODEGEN_NAME_MAX) to the module source `src` (len bytes, at most MI_CODEGEN_SOURCE_MAX, no
 * NUL byte; LF or CRLF lines, kept), with help text `desc` (NULL or "": a placeholder; printable,
 * no control characters, at most MI_CODEGEN_DESC_MAX bytes; escaped for the C string and the
 * comment it goes in). `file_name` (NULL: "<module>.c") names the file in the diff: relative,
 * letters, digits, '.', '_', '-', '/', no "..". Fills r (zeroed first; release it in every case
 * with mi_codegen_result_release). Returns MI_CODEGEN_OK, or an error with a sentence in err. */
int mi_codegen_add(const char *src, size_t len, const char *name, const char *desc,
                   const char *file_name, struct mi_codegen_result *r, char *err, size_t errlen);

void mi_codegen_result_release(struct mi_codegen_result *r);

#endif
