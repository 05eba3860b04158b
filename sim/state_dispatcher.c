/* state_dispatcher: dispatcher sets (ds_list, ds_list full, ds_set_state, ds_reload).
 * Starts from http/ds_list_full.json (4.0) or http/ds_list.json (3.6, which lacks the full one). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "state.h"

static json_t *ds_initial; /* PARTITIONS as recorded (full form when available) */
static json_t *ds_parts;

int dispatcher_state_init(void)
{
    /* The full form when it was recorded, else the plain one. */
    ds_initial = recorded_result("ds_list_full.json", "PARTITIONS");
    if (!ds_initial)
        ds_initial = recorded_result("ds_list.json", "PARTITIONS");
    if (!json_is_array(ds_initial))
        return -1;
    dispatcher_state_reset();
    return ds_parts ? 0 : -1;
}

void dispatcher_state_reset(void)
{
    json_decref(ds_parts);
    ds_parts = json_deep_copy(ds_initial);
}

static json_t *ds_partition(const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(ds_parts, i, p) {
        const char *n = json_string_value(json_object_get(p, "name"));
        if (n && strcmp(n, name) == 0)
            return p;
    }
    return NULL;
}

int ds_list(struct cmd_call *c)
{
    long long full = 0;
    const char *part = NULL;
    if (cmd_param_int(c, "full", &full) < 0 || cmd_param_str(c, "partition", &part) < 0)
        return CMD_DONE;
    if (part && !ds_partition(part))
        return cmd_error(c, 404, "Partition not found", NULL);
    json_t *out = json_deep_copy(ds_parts);
    if (!full) {
        /* the short listing leaves out weight, priority and description */
        size_t i, j, k;
        json_t *p, *set, *d;
        json_array_foreach(out, i, p) {
            json_array_foreach(json_object_get(p, "SETS"), j, set) {
                json_array_foreach(json_object_get(set, "Destinations"), k, d) {
                    json_object_del(d, "weight");
                    json_object_del(d, "priority");
                    json_object_del(d, "description");
                }
            }
        }
    }
    if (part) {
        size_t i;
        json_t *p;
        json_array_foreach(out, i, p) {
            const char *n = json_string_value(json_object_get(p, "name"));
            if (n && strcmp(n, part) != 0) {
                json_array_remove(out, i);
                i--;
            }
        }
    }
    return cmd_result(c, out ? json_pack("{s:o}", "PARTITIONS", out) : NULL);
}

int ds_set_state(struct cmd_call *c)
{
    const char *state = NULL, *address = NULL, *part = "default";
    long long group = 0;
    if (cmd_param_str(c, "state", &state) < 0 || cmd_param_int(c, "group", &group) < 0 ||
        cmd_param_str(c, "address", &address) < 0 || cmd_param_str(c, "partition", &part) < 0)
        return CMD_DONE;
    const char *text = NULL;
    switch (state && state[0] ? tolower((unsigned char)state[0]) : 0) {
    case 'a':
    case '1':
        text = "Active";
        break;
    case 'i':
    case '0':
        text = "Inactive";
        break;
    case 'p':
    case '2':
        text = "Probing";
        break;
    default:
        return cmd_error(c, 500, "Bad state value", NULL);
    }
    json_t *p = ds_partition(part);
    size_t j, k;
    json_t *set, *d;
    json_array_foreach(json_object_get(p, "SETS"), j, set) {
        if (json_integer_value(json_object_get(set, "id")) != group)
            continue;
        json_array_foreach(json_object_get(set, "Destinations"), k, d) {
            const char *uri = json_string_value(json_object_get(d, "URI"));
            if (uri && address && strcmp(uri, address) == 0) {
                json_object_set_new(d, "state", json_string(text));
                return cmd_result(c, json_string("OK"));
            }
        }
    }
    return cmd_error(c, 404, "Destination not found", NULL);
}

int ds_reload(struct cmd_call *c)
{
    const char *part = NULL;
    long long inherit = 1;
    if (cmd_param_str(c, "partition", &part) < 0 || cmd_param_int(c, "inherit_state", &inherit) < 0)
        return CMD_DONE;
    if (part && !ds_partition(part))
        return cmd_error(c, 404, "Partition not found", NULL);
    /* the table is reloaded from the DB: states come back unless inherited */
    if (!inherit)
        dispatcher_state_reset();
    return cmd_result(c, json_string("OK"));
}
