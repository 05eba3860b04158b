/* mi/catalogue: every OpenSIPS MI command (4.0.1 and 3.6.8 catalogues, embedded, parsed on first
 * use): its catalogue key, the names each OpenSIPS version accepts, its parameter recipes, and
 * whether it only reads (may be retried) or writes (never retried). */
#ifndef MI_CATALOGUE_H
#define MI_CATALOGUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "mi/error.h"

/* The embedded catalogue files, NUL-terminated (catalogue_data.c). */
extern const char mi_catalogue_40_json[], mi_catalogue_40_json_end[];
extern const char mi_catalogue_36_json[], mi_catalogue_36_json_end[];

enum mi_class { MI_CLASS_READ, MI_CLASS_WRITE, MI_CLASS_COUNT };

/* One command. Borrowed from the catalogue, valid for the life of the process. */
struct mi_cmd {
    const char *key;        /* the 4.x name, "dialog:end_dlg": how code names a command */
    const char *local;      /* the 4.x local name, "end_dlg" */
    const char *name36;     /* the 3.x name, "dlg_end_dlg"; NULL when 3.x has none */
    json_t *aliases;        /* 4.x aliases (array of strings) */
    json_t *recipes40;      /* array of arrays of parameter names, as 4.x accepts them */
    json_t *recipes36;      /* same for 3.x; NULL when 3.x lacks the command */
    bool async;             /* MI_ASYNC_RPL_FLAG: answers late (t_uac_dlg) */
    enum mi_class cls;      /* READ or WRITE, by rule or override (see mi_catalogue_classify) */
    const char *write_param;/* a READ command that writes when given this parameter, or NULL */
    bool overridden;        /* cls came from the override table */
    unsigned min_timeout_ms;/* the least time-out the command needs (0: the configured one does);
                               a call's default deadline is the longer of the two */
};

/* Parse the embedded catalogues once (thread-safe). MI_OK, or MI_ERR_SYSTEM with detail. */
enum mi_err mi_catalogue_load(struct mi_error *e);
/* Number of commands, and the i-th (NULL when out of range or not loadable). */
size_t mi_catalogue_count(void);
const struct mi_cmd *mi_catalogue_at(size_t i);

/* Find a command by catalogue key ("dialog:end_dlg"), by its 3.x name ("dlg_end_dlg") or by a
 * 4.x alias. NULL (and MI_ERR_UNKNOWN_COMMAND in e) when none. */
const struct mi_cmd *mi_catalogue_find(const char *name, struct mi_error *e);

/* Whether this call (command + params, params may be NULL) only reads. */
enum mi_class mi_cmd_class(const struct mi_cmd *c, const json_t *params);
const char *mi_class_name(enum mi_class k); /* "read", "write" */

/* The rule alone (override table ignored) for a local name; used by mi_catalogue_load and tests. */
enum mi_class mi_catalogue_classify_rule(const char *local_name);

/* Check params (a JSON object, or NULL for none) against the recipes for OpenSIPS `major`
 * (3 or 4). MI_OK, or MI_ERR_BAD_PARAMS naming the unknown or missing parameter and the
 * accepted sets. */
enum mi_err mi_cmd_check_params(const struct mi_cmd *c, int major, const json_t *params,
                                struct mi_error *e);

/* The names to try on a node of `major`, best first, into out[] (at most n); returns how many. */
size_t mi_cmd_names(const struct mi_cmd *c, int major, const char **out, size_t n);

/* Whether parameter `index` (from 0) of the command `command` (any name mi_catalogue_find
 * takes), given by position, is a secret: some 4.x or 3.x recipe names that position with a
 * name log_key_is_secret() matches (uac_registrant:upsert's "password"). False for an unknown
 * command. For log_redact_set_positional(). */
bool mi_catalogue_param_is_secret(const char *command, size_t index);

#endif
