/* commands: the table of modelled MI commands and the parameter helpers their handlers share. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "sim.h"
#include "state.h"

static const struct cmd_row commands_tab[] = {
    {"core:version", "version", core_version},
    {"core:uptime", "uptime", core_uptime},
    {"core:which", "which", core_which},
    {"core:help", "help", core_help},
    {"core:log_level", "log_level", core_log_level},
    {"dialog:list", "dlg_list", dlg_list},
    {"dialog:list_ctx", "dlg_list_ctx", dlg_list_ctx},
    {"dialog:end_dlg", "dlg_end_dlg", dlg_end_dlg},
    {"dialog:push_var", "dlg_push_var", dlg_push_var},
    {"usrloc:dump", "ul_dump", ul_dump},
    {"usrloc:show_contact", "ul_show_contact", ul_show_contact},
    {"usrloc:add", "ul_add", ul_add},
    {"usrloc:rm", "ul_rm", ul_rm},
    {"usrloc:rm_contact", "ul_rm_contact", ul_rm_contact},
    {"dispatcher:list", "ds_list", ds_list},
    {"dispatcher:set_state", "ds_set_state", ds_set_state},
    {"dispatcher:reload", "ds_reload", ds_reload},
    {"dialog:profile_get_size", "profile_get_size", profile_get_size},
    {"dialog:profile_list_dlgs", "profile_list_dlgs", profile_list_dlgs},
    {"dialog:profile_get_values", "profile_get_values", profile_get_values},
    {"dialog:list_all_profiles", "list_all_profiles", list_all_profiles},
    {"dialog:profile_end_dlgs", "profile_end_dlgs", profile_end_dlgs},
    {"drouting:gw_status", "dr_gw_status", dr_gw_status},
    {"drouting:carrier_status", "dr_carrier_status", dr_carrier_status},
    {"drouting:number_routing", "dr_number_routing", dr_number_routing},
    {"drouting:reload", "dr_reload", dr_reload},
    {"load_balancer:list", "lb_list", lb_list},
    {"load_balancer:status", "lb_status", lb_status},
    {"load_balancer:resize", "lb_resize", lb_resize},
    {"load_balancer:reload", "lb_reload", lb_reload},
    {"dialplan:translate", "dp_translate", dp_translate},
    {"dialplan:reload", "dp_reload", dp_reload},
    {"statistics:get", "get_statistics", stats_get},
    {"statistics:list", "list_statistics", stats_list},
    {"statistics:reset", "reset_statistics", stats_reset},
    {"evi:subscribe", "event_subscribe", evi_subscribe},
};

cmd_fn commands_find(const struct cat_cmd *cmd)
{
    for (size_t i = 0; i < sizeof commands_tab / sizeof commands_tab[0]; i++) {
        const char *n = sim.version == SIM_V40 ? commands_tab[i].name40 : commands_tab[i].name36;
        if (strcmp(n, cmd->name) == 0)
            return commands_tab[i].fn;
    }
    return NULL;
}

json_t *cmd_param(struct cmd_call *call, const char *name)
{
    if (json_is_object(call->params))
        return json_object_get(call->params, name);
    if (json_is_array(call->params) && call->recipe) {
        size_t i;
        json_t *n;
        json_array_foreach(call->recipe, i, n) {
            if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
                return json_array_get(call->params, i);
        }
    }
    return NULL;
}

static int cmd_bad_type(struct cmd_call *call, const char *name)
{
    char data[160];
    snprintf(data, sizeof data, "Bad type for parameter '%s'", name);
    cmd_error(call, -32602, "Invalid params", data);
    return -1;
}

int cmd_param_str(struct cmd_call *call, const char *name, const char **out)
{
    json_t *v = cmd_param(call, name);
    if (!v)
        return 1;
    if (!json_is_string(v))
        return cmd_bad_type(call, name);
    *out = json_string_value(v);
    return 0;
}

int cmd_param_int(struct cmd_call *call, const char *name, long long *out)
{
    json_t *v = cmd_param(call, name);
    if (!v)
        return 1;
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        /* mi/item.c: a string holding a number is accepted for an int parameter */
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        if (*s && !*end && !errno) {
            *out = x;
            return 0;
        }
    }
    return cmd_bad_type(call, name);
}

int cmd_error(struct cmd_call *call, int code, const char *msg, const char *data)
{
    call->err_code = code;
    call->err_msg = msg;
    free(call->err_data);
    call->err_data = data ? strdup(data) : NULL;
    return CMD_DONE;
}

int cmd_result(struct cmd_call *call, json_t *result)
{
    json_decref(call->result);
    call->result = result;
    if (!result)
        return cmd_error(call, -32000, "Server error", "out of memory");
    return CMD_DONE;
}

int commands_init_state(void)
{
    if (dialog_state_init() < 0 || usrloc_state_init() < 0 || dispatcher_state_init() < 0 ||
        profile_state_init() < 0 || routing_state_init() < 0 || stats_state_init() < 0)
        return -1;
    if (sim.gen_dialogs && dialog_generate(sim.gen_dialogs) < 0)
        return -1;
    if (sim.gen_contacts && usrloc_generate(sim.gen_contacts) < 0)
        return -1;
    return 0;
}

void commands_reset_state(void)
{
    dialog_state_reset();
    usrloc_state_reset();
    dispatcher_state_reset();
    routing_state_reset();
    stats_state_reset();
    recorded_rewind(&sim.rec);
    if (sim.gen_dialogs)
        dialog_generate(sim.gen_dialogs);
    if (sim.gen_contacts)
        usrloc_generate(sim.gen_contacts);
}
