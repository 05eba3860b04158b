/* commands: the table of modelled MI commands and the helpers their handlers share. */
#ifndef SIM_COMMANDS_H
#define SIM_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>

#include "catalogue.h"

/* One command invocation. A handler sets either result (a new reference) or err_code/err_msg
 * (err_data optional, owned), or returns CMD_RECORDED to fall back to the recorded reply. */
struct cmd_call {
    const struct cat_cmd *cmd;
    json_t *params;       /* borrowed: NULL, an object or an array */
    json_t *recipe;       /* borrowed: the matched recipe (names), NULL for no params */
    json_t *result;
    int err_code;
    const char *err_msg;
    char *err_data;
};

enum { CMD_DONE = 0, CMD_RECORDED = 1 };

typedef int (*cmd_fn)(struct cmd_call *call);

struct cmd_row {
    const char *name40;   /* "dialog:list" */
    const char *name36;   /* "dlg_list" */
    cmd_fn fn;
};

/* The handler modelling a command, or NULL to serve recordings. */
cmd_fn commands_find(const struct cat_cmd *cmd);

/* Parameter access as mi/item.h does it: by name, or by position in the matched recipe.
 * Each returns 0, 1 when absent, or -1 after setting the OpenSIPS error on call. */
json_t *cmd_param(struct cmd_call *call, const char *name);
int cmd_param_str(struct cmd_call *call, const char *name, const char **out);
int cmd_param_int(struct cmd_call *call, const char *name, long long *out);

/* Set an error; data is copied (may be NULL). Returns CMD_DONE. */
int cmd_error(struct cmd_call *call, int code, const char *msg, const char *data);
/* Set result (steals the reference). Returns CMD_DONE. */
int cmd_result(struct cmd_call *call, json_t *result);

/* Reset every modelled state to what the recordings start from. */
void commands_reset_state(void);
/* Build every modelled state once at start; -1 on failure. */
int commands_init_state(void);

/* Handlers living in the state_* files. */
int core_version(struct cmd_call *c);
int core_uptime(struct cmd_call *c);
int core_which(struct cmd_call *c);
int core_help(struct cmd_call *c);
int core_log_level(struct cmd_call *c);

#endif
