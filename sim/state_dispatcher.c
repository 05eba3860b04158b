/* state_dispatcher: dispatcher sets (ds_list, ds_list full, ds_set_state, ds_reload).
 * Starts from http/ds_list_full.json (4.0) or http/ds_list.json (3.6, which lacks the full one). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "sim.h"
#include "state.h"

static json_t *ds_initial; /* PARTITIONS as recorded (full form when available) */
static json_t *ds_parts;
static json_t *ds_fails;  /* {destination: failed probes counted}, see ds_apply */

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
    json_decref(ds_fails);
    ds_fails = NULL;
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

/* modules/dispatcher: an MI "p" counts as one failed probe (ds_mi_set, _ds_set_state), and the
 * destination turns Probing only once ds_probing_threshold failures (default 3) are counted; "p"
 * on an Inactive destination is ignored for probing and then clears Inactive, so it turns
 * Active. "a" and "i" set the state at once and leave the count as it is. The count lives beside
 * the listing, in ds_fails, keyed by the destination object. */
#define DS_PROBING_THRESHOLD 3

/* "inactive" whenever a state flag is set (Inactive or Probing): what E_DISPATCHER_STATUS says */
static const char *ds_status_word(const json_t *d)
{
    const char *st = json_string_value(json_object_get(d, "state"));
    return st && strcmp(st, "Active") == 0 ? "active" : "inactive";
}

static void ds_apply(json_t *d, int want)
{
    const char *now = json_string_value(json_object_get(d, "state"));
    char key[32];
    snprintf(key, sizeof key, "%p", (void *)d);
    if (!ds_fails)
        ds_fails = json_object();
    if (want == 'a') {
        json_object_set_new(d, "state", json_string("Active"));
    } else if (want == 'i') {
        json_object_set_new(d, "state", json_string("Inactive"));
    } else if (now && strcmp(now, "Inactive") == 0) {
        json_object_set_new(d, "state", json_string("Active"));
    } else {
        json_int_t n = json_integer_value(json_object_get(ds_fails, key)) + 1;
        if (n >= DS_PROBING_THRESHOLD) {
            n = DS_PROBING_THRESHOLD;
            json_object_set_new(d, "state", json_string("Probing"));
        }
        json_object_set_new(ds_fails, key, json_integer(n));
    }
}

int ds_set_state(struct cmd_call *c)
{
    const char *state = NULL, *address = NULL, *part = "default";
    long long group = 0;
    if (cmd_param_str(c, "state", &state) < 0 || cmd_param_int(c, "group", &group) < 0 ||
        cmd_param_str(c, "address", &address) < 0 || cmd_param_str(c, "partition", &part) < 0)
        return CMD_DONE;
    int want = state && state[0] ? tolower((unsigned char)state[0]) : 0;
    if (want == '1')
        want = 'a';
    else if (want == '0')
        want = 'i';
    else if (want == '2')
        want = 'p';
    if (want != 'a' && want != 'i' && want != 'p')
        return cmd_error(c, 500, "Bad state value", NULL);
    json_t *p = ds_partition(part);
    size_t j, k;
    json_t *set, *d;
    json_array_foreach(json_object_get(p, "SETS"), j, set) {
        if (json_integer_value(json_object_get(set, "id")) != group)
            continue;
        json_array_foreach(json_object_get(set, "Destinations"), k, d) {
            const char *uri = json_string_value(json_object_get(d, "URI"));
            if (uri && address && strcasecmp(uri, address) == 0) {
                char before[16];
                snprintf(before, sizeof before, "%s", ds_status_word(d));
                ds_apply(d, want);
                /* _ds_set_state raises it on a change only; partition only when not default */
                if (strcmp(before, ds_status_word(d))) {
                    json_t *ev = json_pack("{s:I, s:s, s:s, s:s}", "group", (json_int_t)group,
                                           "address", uri, "status", ds_status_word(d),
                                           "reason", "MI command");
                    if (ev && strcmp(part, "default"))
                        json_object_set_new(ev, "partition", json_string(part));
                    events_raise("E_DISPATCHER_STATUS", ev);
                }
                return cmd_result(c, json_string("OK"));
            }
        }
    }
    return cmd_error(c, 404, "destination not found", NULL);
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
