/* state_routing: drouting gateways and carriers (dr_gw_status, dr_carrier_status, get and set;
 * dr_number_routing; dr_reload), load_balancer destinations (lb_list, lb_status, lb_resize,
 * lb_reload) and dialplan (dp_translate, dp_reload). Starts from the recorded http/dr_gw_status,
 * dr_carrier_status, lb_list and the recorded dp_translate replies; replies and errors as
 * modules/drouting, modules/load_balancer and modules/dialplan of OpenSIPS 3.6/4.0 give them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "sim.h"
#include "state.h"

static json_t *dr_gw_initial, *dr_cr_initial, *lb_initial;
static json_t *dr_gws, *dr_crs, *lb_dsts;
static json_t *dp_rules; /* [{"dpid":N,"in":prefix,"out":prefix,"attrs":s}] */
static json_t *dp_ids;   /* {"1":true}: the dialplan ids the recordings know */
static json_t *dp_parts; /* partition names (dp_show_partition) */

static json_t *rec_result(const char *file, const char *key)
{
    json_t *r = recorded_result(file, key);
    if (r && !json_is_array(r)) {
        json_decref(r);
        r = NULL;
    }
    return r;
}

/* A recorded dp_translate success "0044123" -> "+44123" is the rule "^00" -> "+": the input and
 * output share their tail, the heads differ. Unknown dpids answer as recorded for dpid 99. */
static void dp_learn(json_t *req, json_t *reply)
{
    const char *m = json_string_value(json_object_get(req, "method"));
    if (!m || (strcmp(m, "dp_translate") != 0 && strcmp(m, "dialplan:translate") != 0))
        return;
    json_t *p = json_object_get(req, "params");
    json_t *id = json_is_array(p) ? json_array_get(p, 0) : json_object_get(p, "dpid");
    json_t *in = json_is_array(p) ? json_array_get(p, 1) : json_object_get(p, "input");
    json_t *res = json_object_get(reply, "result");
    const char *err = json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
    if (!json_is_integer(id))
        return;
    char k[32];
    snprintf(k, sizeof k, "%lld", (long long)json_integer_value(id));
    if (err && strcmp(err, "No translation") == 0)
        json_object_set_new(dp_ids, k, json_true());
    const char *out = json_string_value(json_object_get(res, "Output"));
    const char *s = json_string_value(in);
    if (!out || !s)
        return;
    json_object_set_new(dp_ids, k, json_true());
    size_t ls = strlen(s), lo = strlen(out), t = 0;
    while (t < ls && t < lo && s[ls - 1 - t] == out[lo - 1 - t])
        t++;
    char *ip = strndup(s, ls - t), *op = strndup(out, lo - t);
    json_t *attrs = json_object_get(res, "ATTRIBUTES");
    size_t i;
    json_t *r;
    bool dup = false;
    json_array_foreach(dp_rules, i, r) {
        if (json_integer_value(json_object_get(r, "dpid")) == json_integer_value(id) &&
            strcmp(json_string_value(json_object_get(r, "in")), ip) == 0)
            dup = true;
    }
    if (!dup && ip && op)
        json_array_append_new(dp_rules, json_pack("{s:I,s:s,s:s,s:O?}", "dpid", json_integer_value(id),
                                                  "in", ip, "out", op, "attrs", attrs));
    free(ip);
    free(op);
}

static int dp_init(void)
{
    dp_rules = json_array();
    dp_ids = json_object();
    dp_parts = json_array();
    char path[4096];
    snprintf(path, sizeof path, "%s/index.json", sim.rec_dir);
    json_t *idx = json_load_file(path, 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(idx, i, e) {
        const char *f = json_string_value(json_object_get(e, "file"));
        const char *rq = json_string_value(json_object_get(e, "request"));
        if (!f || !rq || !json_is_true(json_object_get(e, "body_is_json")))
            continue;
        json_t *req = json_loads(rq, 0, NULL);
        snprintf(path, sizeof path, "%s/%s", sim.rec_dir, f);
        json_t *reply = req ? json_load_file(path, 0, NULL) : NULL;
        if (reply)
            dp_learn(req, reply);
        json_decref(req);
        json_decref(reply);
    }
    json_decref(idx);
    json_t *parts = rec_result("dp_show_partition.json", "Partitions");
    json_array_foreach(parts, i, e) json_array_append(dp_parts, json_object_get(e, "name"));
    json_decref(parts);
    return json_array_size(dp_rules) ? 0 : -1;
}

int routing_state_init(void)
{
    dr_gw_initial = rec_result("dr_gw_status.json", "Gateways");
    dr_cr_initial = rec_result("dr_carrier_status.json", "Carriers");
    lb_initial = rec_result("lb_list.json", "Destinations");
    if (!dr_gw_initial || !dr_cr_initial || !lb_initial || dp_init() < 0)
        return -1;
    routing_state_reset();
    return 0;
}

void routing_state_reset(void)
{
    json_decref(dr_gws);
    json_decref(dr_crs);
    json_decref(lb_dsts);
    dr_gws = json_deep_copy(dr_gw_initial);
    dr_crs = json_deep_copy(dr_cr_initial);
    lb_dsts = json_deep_copy(lb_initial);
}

static json_t *by_key(json_t *arr, const char *key, json_t *want)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        if (json_equal(json_object_get(x, key), want))
            return x;
    }
    return NULL;
}

/* ---- drouting ---- */

/* The partition forms: the test beds run without use_partitions; left to the recordings. */
static bool dr_partitioned(struct cmd_call *c)
{
    return cmd_param(c, "partition_name") != NULL;
}

/* get: all, or one ({"State":...} / {"Enabled":...}); set: status 0 disables, else enables */
static int dr_status(struct cmd_call *c, json_t *table, const char *idname, const char *notfound,
                     bool gw)
{
    if (dr_partitioned(c))
        return CMD_RECORDED;
    const char *id = NULL;
    long long st = 0;
    int has_st;
    if (cmd_param_str(c, idname, &id) < 0 || (has_st = cmd_param_int(c, "status", &st)) < 0)
        return CMD_DONE;
    if (!id)
        return cmd_result(c, json_pack("{s:O}", gw ? "Gateways" : "Carriers", table));
    json_t *s = json_string(id);
    json_t *x = by_key(table, "ID", s);
    json_decref(s);
    if (!x)
        return cmd_error(c, 404, notfound, NULL);
    if (has_st == 0) {
        /* drouting.c: MI sets "Disabled MI" (no re-enabling by probing); carriers print "no " */
        if (gw) {
            const char *was = json_string_value(json_object_get(x, "State"));
            const char *to = st ? "Active" : "Disabled MI";
            bool changed = !was || strcmp(was, to);
            json_object_set_new(x, "State", json_string(to));
            /* dr_gw_status_changed raises E_DROUTING_STATUS on a change; carriers raise none */
            if (changed)
                events_raise("E_DROUTING_STATUS",
                             json_pack("{s:s, s:s, s:O?, s:s, s:s}", "partition", "Default",
                                       "gwid", id, "address", json_object_get(x, "IP"),
                                       "status", st ? "active" : "disabled MI",
                                       "reason", "MI command"));
        } else
            json_object_set_new(x, "Enabled", json_string(st ? "yes" : "no "));
        return cmd_result(c, json_string("OK"));
    }
    json_t *one = json_deep_copy(x);
    json_object_del(one, "ID");
    json_object_del(one, "IP");
    return cmd_result(c, one);
}

int dr_gw_status(struct cmd_call *c)
{
    return dr_status(c, dr_gws, "gw_id", "GW ID not found", true);
}

int dr_carrier_status(struct cmd_call *c)
{
    return dr_status(c, dr_crs, "carrier_id", "Carrier ID not found", false);
}

int dr_number_routing(struct cmd_call *c)
{
    if (dr_partitioned(c))
        return CMD_RECORDED;
    /* The dr_rules of the test bed the recordings came from: group 0, prefix 1 to gw1 and gw2,
     * prefix 2 to carrier cr1. */
    static const struct { long long group; const char *prefix, *kind, *targets[2]; } rules[] = {
        {0, "1", "GATEWAY", {"gw1", "gw2"}},
        {0, "2", "CARRIER", {"cr1", NULL}},
    };
    const char *number = NULL;
    long long group = -1;
    if (cmd_param_str(c, "number", &number) < 0 || cmd_param_int(c, "group_id", &group) < 0)
        return CMD_DONE;
    /* Without group_id OpenSIPS looks the number up in group -1, where no rule is: "No match"
     * (the recorded answer for 1555). */
    for (size_t i = 0; number && i < sizeof rules / sizeof rules[0]; i++) {
        size_t n = strlen(rules[i].prefix);
        if (rules[i].group != group || strncmp(number, rules[i].prefix, n) != 0)
            continue;
        json_t *gws = json_array();
        for (size_t k = 0; k < 2 && rules[i].targets[k]; k++)
            json_array_append_new(gws, json_pack("{s:s}", rules[i].kind, rules[i].targets[k]));
        return cmd_result(c, json_pack("{s:s%,s:o}", "Matched Prefix", number, n, "GW List", gws));
    }
    return cmd_result(c, json_string("No match"));
}

int dr_reload(struct cmd_call *c)
{
    long long inherit = 1;
    if (dr_partitioned(c))
        return CMD_RECORDED;
    if (cmd_param_int(c, "inherit_state", &inherit) < 0)
        return CMD_DONE;
    if (!inherit) {
        json_decref(dr_gws);
        json_decref(dr_crs);
        dr_gws = json_deep_copy(dr_gw_initial);
        dr_crs = json_deep_copy(dr_cr_initial);
    }
    return CMD_RECORDED; /* the recorded reply */
}

/* ---- load_balancer ---- */

static json_t *lb_dst(struct cmd_call *c)
{
    long long id = 0;
    if (cmd_param_int(c, "destination_id", &id) < 0)
        return NULL;
    json_t *k = json_integer(id);
    json_t *d = by_key(lb_dsts, "id", k);
    json_decref(k);
    if (!d)
        cmd_error(c, 404, "Destination ID not found", NULL);
    return d;
}

int lb_list(struct cmd_call *c)
{
    return cmd_result(c, json_pack("{s:O}", "Destinations", lb_dsts));
}

int lb_status(struct cmd_call *c)
{
    long long st = 0;
    int has = cmd_param_int(c, "new_status", &st);
    if (has < 0)
        return CMD_DONE;
    json_t *d = lb_dst(c);
    if (!d)
        return CMD_DONE;
    if (has == 0) {
        /* disabled from MI: not re-enabled by probing ("auto-reenable" off) */
        const char *was = json_string_value(json_object_get(d, "enabled"));
        if (!was || strcmp(was, st ? "yes" : "no"))
            events_raise("E_LOAD_BALANCER_STATUS",
                         json_pack("{s:O?, s:O?, s:s}", "group", json_object_get(d, "group"),
                                   "uri", json_object_get(d, "uri"), "status",
                                   st ? "enabled" : "disabled"));
        json_object_set_new(d, "enabled", json_string(st ? "yes" : "no"));
        json_object_set_new(d, "auto-reenable", json_string(st ? "on" : "off"));
        return cmd_result(c, json_string("OK"));
    }
    return cmd_result(c, json_pack("{s:O}", "enable", json_object_get(d, "enabled")));
}

int lb_resize(struct cmd_call *c)
{
    const char *res = NULL;
    long long cap = 0;
    if (cmd_param_str(c, "res_name", &res) < 0 || cmd_param_int(c, "new_capacity", &cap) < 0)
        return CMD_DONE;
    json_t *d = lb_dst(c);
    if (!d)
        return CMD_DONE;
    json_t *k = json_string(res ? res : "");
    json_t *r = by_key(json_object_get(d, "Resources"), "name", k);
    json_decref(k);
    if (!r)
        return cmd_error(c, 404, "Destination has no such resource", NULL);
    json_object_set_new(r, "max", json_integer(cap));
    return cmd_result(c, json_string("OK"));
}

int lb_reload(struct cmd_call *c)
{
    /* recorded: the table is read again, runtime resizes are lost; the status is inherited */
    json_t *fresh = json_deep_copy(lb_initial);
    size_t i;
    json_t *d;
    json_array_foreach(fresh, i, d) {
        json_t *old = by_key(lb_dsts, "id", json_object_get(d, "id"));
        if (old) {
            json_object_set(d, "enabled", json_object_get(old, "enabled"));
            json_object_set(d, "auto-reenable", json_object_get(old, "auto-reenable"));
        }
    }
    json_decref(lb_dsts);
    lb_dsts = fresh;
    return cmd_result(c, json_string("OK"));
}

/* ---- dialplan ---- */

static bool dp_partition_ok(struct cmd_call *c, const char **part)
{
    *part = NULL;
    if (cmd_param_str(c, "partition", part) < 0)
        return false;
    if (!*part)
        return true;
    size_t i;
    json_t *p;
    json_array_foreach(dp_parts, i, p) {
        if (strcmp(json_string_value(p), *part) == 0)
            return true;
    }
    cmd_error(c, 404, "Partition not found", NULL);
    return false;
}

int dp_translate(struct cmd_call *c)
{
    long long id = 0;
    const char *in = NULL, *part;
    json_t *jid = cmd_param(c, "dpid");
    if (cmd_param_str(c, "input", &in) < 0)
        return CMD_DONE;
    /* recorded: a dpid that is not a number is "Wrong id parameter", not a type error */
    if (!jid || (!json_is_integer(jid) && !json_is_string(jid)) ||
        (json_is_string(jid) && cmd_param_int(c, "dpid", &id) < 0))
        return cmd_error(c, 404, "Wrong id parameter", NULL);
    if (json_is_integer(jid))
        id = json_integer_value(jid);
    if (!dp_partition_ok(c, &part))
        return CMD_DONE;
    char k[32];
    snprintf(k, sizeof k, "%lld", id);
    if (!json_object_get(dp_ids, k))
        return cmd_error(c, 404, "No information available for dpid", NULL);
    size_t i;
    json_t *r;
    json_array_foreach(dp_rules, i, r) {
        const char *ip = json_string_value(json_object_get(r, "in"));
        if (json_integer_value(json_object_get(r, "dpid")) != id || strncmp(in, ip, strlen(ip)) != 0)
            continue;
        char *out = NULL;
        if (asprintf(&out, "%s%s", json_string_value(json_object_get(r, "out")), in + strlen(ip)) < 0)
            return cmd_result(c, NULL);
        json_t *res = json_pack("{s:s}", "Output", out);
        free(out);
        json_t *a = json_object_get(r, "attrs");
        if (res && a)
            json_object_set(res, "ATTRIBUTES", a);
        return cmd_result(c, res);
    }
    return cmd_error(c, 404, "No translation", NULL);
}

int dp_reload(struct cmd_call *c)
{
    const char *part;
    if (!dp_partition_ok(c, &part))
        return CMD_DONE;
    /* the rules are read again from the table, which only the recordings define */
    return cmd_result(c, json_string("OK"));
}
