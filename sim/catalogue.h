/* catalogue: the MI commands of one OpenSIPS version (data/catalogue) and which are loaded. */
#ifndef SIM_CATALOGUE_H
#define SIM_CATALOGUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum sim_version { SIM_V40, SIM_V36 };

struct cat_cmd {
    const char *name;       /* registered name: "dialog:end_dlg" (4.0) or "dlg_end_dlg" (3.6) */
    const char *local_name; /* "end_dlg" (4.0); same as name on 3.6 */
    const char *module;     /* exporting module, as `help` prints it */
    const char *help;       /* NULL when the command has none */
    const char *name_3x;    /* the 3.x flat name (4.0 catalogue), NULL otherwise */
    json_t *recipes;        /* borrowed from the catalogue document: array of arrays of names */
    json_t *aliases;        /* borrowed: array of strings (may be empty) */
    bool named_only;
    bool async;
    int loaded_pos;         /* position in `which`, -1 when the module is not loaded */
};

struct catalogue {
    enum sim_version version;
    json_t *doc;            /* owned */
    struct cat_cmd *cmds;   /* owned array */
    size_t ncmds;
    struct cat_cmd **loaded; /* loaded commands in `which` order; owned array of borrowed pointers */
    size_t nloaded;
};

/* Load the catalogue file and mark as loaded the names listed, in order, by the `which` reply
 * stored in which_file (a recorded reply). 0 on success, -1 with a message on stderr. */
int catalogue_load(struct catalogue *cat, enum sim_version v, const char *cat_file,
                   const char *which_file);
void catalogue_release(struct catalogue *cat);

/* Exact lookup of a registered name among all commands (loaded or not); NULL when absent. */
const struct cat_cmd *catalogue_find(const struct catalogue *cat, const char *name);

enum recipe_check { RECIPE_OK, RECIPE_COUNT, RECIPE_NAMES, RECIPE_NAMED_ONLY };

/* Match params (NULL, an object or an array) against cmd's recipes as OpenSIPS's MI core does:
 * positional params pick the recipe with as many names, named ones the recipe with exactly those
 * names. On RECIPE_OK *recipe (may be NULL for "no params") is the matched name list (borrowed). */
enum recipe_check catalogue_match(const struct cat_cmd *cmd, json_t *params, json_t **recipe);

/* The JSON-RPC error text OpenSIPS gives for a failed match ("Too few or too many parameters"...). */
const char *catalogue_check_text(enum recipe_check rc);

#endif
