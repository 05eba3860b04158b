/* state_stats: statistics (get by group or name, list, reset). Values start as recorded in
 * http/get_statistics_all*.json; dialog and usrloc counters follow the modelled state, core
 * traffic counters move with --traffic. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "state.h"

static json_t *st_initial; /* "group:name" -> value, recorded order */
static json_t *st_values;
static json_t *st_kinds;   /* "group:name" -> "incremental" | "non-incremental" */
static unsigned long long st_traffic_base;

static json_t *st_load(const char *file)
{
    json_t *r = recorded_result(file, NULL);
    if (r && !json_is_object(r)) {
        json_decref(r);
        r = NULL;
    }
    return r;
}

int stats_state_init(void)
{
    bool ext = sim.version == SIM_V40 && sim.extended;
    st_initial = ext ? st_load("get_statistics_all_extended.json") : NULL;
    if (!st_initial)
        st_initial = st_load("get_statistics_all.json");
    st_kinds = ext ? st_load("list_statistics_extended.json") : NULL;
    if (!st_kinds)
        st_kinds = st_load("list_statistics.json");
    if (!st_initial || !st_kinds) {
        sim_log("no statistics in the recordings");
        return -1;
    }
    stats_state_reset();
    return st_values ? 0 : -1;
}

void stats_state_reset(void)
{
    json_decref(st_values);
    st_values = json_deep_copy(st_initial);
    st_traffic_base = sim_now_ms();
}

/* Bring the modelled counters up to date. */
static void st_refresh(void)
{
    long long active, early, processed, aors, contacts;
    dialog_counts(&active, &early, &processed);
    usrloc_counts(&aors, &contacts);
    struct { const char *name; long long v; } live[] = {
        {"dialog:active_dialogs", active},  {"dialog:early_dialogs", early},
        {"dialog:processed_dialogs", processed}, {"usrloc:registered_users", aors},
        {"usrloc:location-users", aors},   {"usrloc:location-contacts", contacts},
    };
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        if (json_object_get(st_values, live[i].name))
            json_object_set_new(st_values, live[i].name, json_integer(live[i].v));
    if (sim.traffic) {
        unsigned long long now = sim_now_ms();
        json_int_t n = (json_int_t)((now - st_traffic_base) * sim.traffic / 1000);
        if (n > 0) {
            st_traffic_base += (unsigned long long)n * 1000 / sim.traffic;
            const char *moving[] = {"core:rcv_requests", "core:rcv_replies", "core:fwd_requests",
                                    "core:fwd_replies", "tm:received_replies",
                                    "tm:UAS_transactions", "tm:UAC_transactions"};
            for (size_t i = 0; i < sizeof moving / sizeof moving[0]; i++) {
                json_t *v = json_object_get(st_values, moving[i]);
                if (v)
                    json_object_set_new(st_values, moving[i],
                                        json_integer(json_integer_value(v) + n));
            }
        }
    }
}

/* Does name ("all", "group:", "group:stat", "stat") select key ("group:stat")? */
static bool st_selects(const char *name, const char *key)
{
    if (strcmp(name, "all") == 0)
        return true;
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == ':')
        return strncmp(key, name, n) == 0;
    if (strchr(name, ':'))
        return false; /* recorded: "core:rcv_requests" selects nothing, only "group:" or a bare name */
    const char *colon = strchr(key, ':');
    return colon && strcmp(colon + 1, name) == 0;
}

static int st_names(struct cmd_call *c, json_t **names)
{
    *names = cmd_param(c, "statistics");
    if (*names && !json_is_array(*names))
        return cmd_error(c, -32602, "Invalid params", "Bad type for parameter 'statistics'"), -1;
    size_t i;
    json_t *n;
    json_array_foreach(*names, i, n) {
        if (!json_is_string(n))
            return cmd_error(c, -32602, "Invalid params", "Bad type for parameter 'statistics'"),
                   -1;
    }
    return 0;
}

static json_t *st_select(json_t *from, json_t *names)
{
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(from, key, v) {
        size_t i;
        json_t *n;
        bool want = names == NULL;
        json_array_foreach(names, i, n) {
            if (st_selects(json_string_value(n), key))
                want = true;
        }
        if (want)
            json_object_set(out, key, v);
    }
    return out;
}

int stats_get(struct cmd_call *c)
{
    json_t *names;
    if (st_names(c, &names) < 0)
        return CMD_DONE;
    st_refresh();
    return cmd_result(c, st_select(st_values, names));
}

int stats_list(struct cmd_call *c)
{
    json_t *names;
    if (st_names(c, &names) < 0)
        return CMD_DONE;
    return cmd_result(c, st_select(st_kinds, names));
}

int stats_reset(struct cmd_call *c)
{
    json_t *names;
    if (st_names(c, &names) < 0)
        return CMD_DONE;
    /* statistics.c mi_reset_stats: each name is looked up as one statistic (get_stat), so
     * "all", "group:" and "group:name" name none; only incremental ones are zeroed, and when no
     * name names a statistic the answer is 404 (seen on a real 4.0.1 and 3.6.8) */
    const char *key;
    json_t *v;
    bool found = false;
    json_object_foreach(st_values, key, v) {
        const char *kind = json_string_value(json_object_get(st_kinds, key));
        size_t i;
        json_t *n;
        json_array_foreach(names, i, n) {
            const char *name = json_string_value(n);
            if (strchr(name, ':') || strcmp(name, "all") == 0 || !st_selects(name, key))
                continue;
            found = true;
            if (kind && strcmp(kind, "incremental") == 0)
                json_object_set_new(st_values, key, json_integer(0));
        }
    }
    if (!found)
        return cmd_error(c, 404, "Statistics Not Found", NULL);
    return cmd_result(c, json_string("OK"));
}
