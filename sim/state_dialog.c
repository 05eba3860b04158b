/* state_dialog: dialogs (dialog module): list (and list_ctx, with values and profiles) with paging
 * and Call-ID filter, end by dialog ID or Call-ID (state 5, then gone after --dlg-linger-ms),
 * push_var storing dialog values. Starts from http/dlg_list.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "sim.h"
#include "state.h"

static json_t *dlg_initial; /* the recorded dialogs (array), never modified */
static json_t *dlg_all;     /* current dialogs, in list order */
static long long dlg_processed;

/* Private keys we keep in a dialog object; never printed. */
#define DLG_ENDED_KEY "\x01ended_ms"
#define DLG_VARS_KEY "\x01vars"

static json_t *dlg_public(json_t *d)
{
    if (!json_object_get(d, DLG_ENDED_KEY) && !json_object_get(d, DLG_VARS_KEY))
        return json_incref(d);
    json_t *c = json_copy(d);
    json_object_del(c, DLG_ENDED_KEY);
    json_object_del(c, DLG_VARS_KEY);
    return c;
}

/* Ended dialogs leave the table once their linger time has passed. */
static void dlg_prune(void)
{
    unsigned long long now = sim_now_ms();
    for (size_t i = 0; i < json_array_size(dlg_all);) {
        json_t *e = json_object_get(json_array_get(dlg_all, i), DLG_ENDED_KEY);
        if (e && now - (unsigned long long)json_integer_value(e) >= sim.dlg_linger_ms)
            json_array_remove(dlg_all, i);
        else
            i++;
    }
}

int dialog_state_init(void)
{
    dlg_initial = recorded_result("dlg_list.json", "Dialogs");
    if (!json_is_array(dlg_initial))
        return -1;
    dialog_state_reset();
    return dlg_initial && dlg_all ? 0 : -1;
}

void dialog_state_reset(void)
{
    json_decref(dlg_all);
    dlg_all = json_deep_copy(dlg_initial);
    dlg_processed = (long long)json_array_size(dlg_all);
}

static json_t *dlg_find(const char *key, bool by_callid_only)
{
    size_t i;
    json_t *d;
    json_array_foreach(dlg_all, i, d) {
        const char *id = json_string_value(json_object_get(d, "ID"));
        const char *cid = json_string_value(json_object_get(d, "callid"));
        if ((!by_callid_only && id && strcmp(id, key) == 0) || (cid && strcmp(cid, key) == 0))
            return d;
    }
    return NULL;
}

static json_t *dlg_context(json_t *d);

/* A dialog as dlg_list prints it; with_ctx adds its "context" as dlg_list_ctx does. */
static json_t *dlg_print(json_t *d, bool with_ctx)
{
    json_t *pub = dlg_public(d);
    if (!with_ctx || !pub)
        return pub;
    json_t *out = json_copy(pub), *ctx = dlg_context(d);
    json_decref(pub);
    if (!out || !ctx || json_object_set_new(out, "context", ctx) < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* dlg_list and dlg_list_ctx (dialog.c mi_print_dlgs*, mi_match_print_dlg): the same listing,
 * the _ctx one with each dialog's context. */
static int dlg_list_common(struct cmd_call *c, bool with_ctx)
{
    dlg_prune();
    const char *callid = NULL;
    long long index = 0, counter = 0;
    int rc = cmd_param_str(c, "callid", &callid);
    if (rc < 0)
        return CMD_DONE;
    if (callid) {
        const char *from_tag = NULL;
        if (cmd_param_str(c, "from_tag", &from_tag) < 0)
            return CMD_DONE;
        json_t *d = dlg_find(callid, true);
        if (d && from_tag) {
            const char *t = json_string_value(json_object_get(d, "caller_tag"));
            if (!t || strcmp(t, from_tag) != 0)
                d = NULL;
        }
        if (!d)
            return cmd_error(c, 404, "Requested Dialog not found", NULL);
        json_t *pub = dlg_print(d, with_ctx);
        return cmd_result(c, pub ? json_pack("{s:o}", "Dialog", pub) : NULL);
    }
    if ((rc = cmd_param_int(c, "index", &index)) < 0 || cmd_param_int(c, "counter", &counter) < 0)
        return CMD_DONE;
    bool paged = rc == 0;
    if (paged && (index < 0 || counter <= 0))
        return cmd_error(c, 400, "Bad parameter value", NULL);
    json_t *out = json_array();
    size_t n = json_array_size(dlg_all);
    size_t from = paged ? (size_t)index : 0;
    size_t to = paged ? from + (size_t)counter : n;
    for (size_t i = from; out && i < n && i < to; i++) {
        json_t *p = dlg_print(json_array_get(dlg_all, i), with_ctx);
        if (!p || json_array_append_new(out, p) < 0) {
            json_decref(out);
            out = NULL;
        }
    }
    if (!out)
        return cmd_result(c, NULL);
    if (paged)
        return cmd_result(c, json_pack("{s:I,s:o}", "count", (json_int_t)n, "Dialogs", out));
    return cmd_result(c, json_pack("{s:o}", "Dialogs", out));
}

int dlg_list(struct cmd_call *c)
{
    return dlg_list_common(c, false);
}

int dlg_list_ctx(struct cmd_call *c)
{
    return dlg_list_common(c, true);
}

/* recordings: right after the BYE the dialog is listed in state 5 with timeout 0 */
static void dlg_mark_ended(json_t *d)
{
    json_object_set_new(d, "state", json_integer(5));
    json_object_set_new(d, "timeout", json_integer(0));
    if (sim.version == SIM_V36)
        json_object_del(d, "dateout"); /* 3.6.8 lists an ended dialog without it */
    json_object_set_new(d, DLG_ENDED_KEY, json_integer((json_int_t)sim_now_ms()));
}

int dlg_end_dlg(struct cmd_call *c)
{
    dlg_prune();
    const char *id = NULL, *hdrs = NULL;
    if (cmd_param_str(c, "dialog_id", &id) < 0 || cmd_param_str(c, "extra_hdrs", &hdrs) < 0)
        return CMD_DONE;
    json_t *d = id ? dlg_find(id, false) : NULL;
    if (!d || json_object_get(d, DLG_ENDED_KEY))
        return cmd_error(c, 404, "Requested Dialog not found", NULL);
    json_int_t old_state = json_integer_value(json_object_get(d, "state"));
    dlg_mark_ended(d);
    /* dialog/dlg_hash.c raises E_DLG_STATE_CHANGED on every state change */
    events_raise("E_DLG_STATE_CHANGED",
                 json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:I, s:i}", "id",
                           json_object_get(d, "ID"), "db_id", json_object_get(d, "db_id"),
                           "callid", json_object_get(d, "callid"), "from_tag",
                           json_object_get(d, "from_tag"), "to_tag", json_object_get(d, "to_tag"),
                           "old_state", old_state, "new_state", 5));
    return cmd_result(c, json_string("OK"));
}

/* dialog.c mi_push_dlg_var: DID is an array of dialog IDs (h_entry.h_id) or Call-IDs; an unknown
 * or ended dialog is skipped and the reply is still OK. The values are kept as dlg_vals.c keeps
 * them: a new name goes to the front of the list, a known name is replaced in place. The 4.0.1
 * 403 "Operation failed" (dialog_replication_cluster set, dialog without a sharing tag) is not
 * modelled: the simulator has no clustering. */
int dlg_push_var(struct cmd_call *c)
{
    dlg_prune();
    const char *name = NULL, *value = NULL;
    if (cmd_param_str(c, "dlg_val_name", &name) < 0 ||
        cmd_param_str(c, "dlg_val_value", &value) < 0)
        return CMD_DONE;
    json_t *did = cmd_param(c, "DID");
    if (!json_is_array(did))
        return cmd_error(c, -32602, "Invalid params", "Bad type for parameter 'DID'");
    if (json_array_size(did) == 0)
        return cmd_error(c, -32602, "Invalid params", "Empty array in parameter 'DID'");
    size_t i;
    json_t *k;
    json_array_foreach(did, i, k) {
        if (!json_is_string(k))
            return cmd_error(c, -32602, "Invalid params", "Bad type for parameter 'DID'");
        json_t *d = dlg_find(json_string_value(k), false);
        if (!d || json_object_get(d, DLG_ENDED_KEY) || !name || !value)
            continue; /* recorded: an unknown dialog is not an error */
        json_t *vars = json_object_get(d, DLG_VARS_KEY);
        if (!vars) {
            vars = json_array();
            if (!vars || json_object_set_new(d, DLG_VARS_KEY, vars) < 0)
                return cmd_result(c, NULL);
        }
        json_t *item = json_pack("{s:s}", name, value);
        if (!item)
            return cmd_result(c, NULL);
        size_t j;
        json_t *v;
        bool replaced = false;
        json_array_foreach(vars, j, v) {
            if (json_object_get(v, name)) {
                json_array_set_new(vars, j, item);
                replaced = true;
                break;
            }
        }
        if (!replaced && json_array_insert_new(vars, 0, item) < 0)
            return cmd_result(c, NULL);
    }
    return cmd_result(c, json_string("OK"));
}

void dialog_counts(long long *active, long long *early, long long *processed)
{
    dlg_prune();
    long long a = 0, e = 0;
    size_t i;
    json_t *d;
    json_array_foreach(dlg_all, i, d) {
        json_int_t st = json_integer_value(json_object_get(d, "state"));
        if (st == 4)
            a++;
        else if (st >= 1 && st <= 3)
            e++;
    }
    *active = a;
    *early = e;
    *processed = dlg_processed;
}

int dialog_generate(unsigned long n)
{
    /* realistic dialogs shaped like the recorded ones: confirmed calls between sipp-like users */
    time_t now = time(NULL);
    for (unsigned long i = 0; i < n; i++) {
        char id[32], db_id[32], callid[64], from[64], tag[32], ctag[32], ds[32], dout[32];
        unsigned h_entry = (unsigned)((i * 2654435761u) % 4096u);
        snprintf(id, sizeof id, "%x.%08lx", h_entry, (unsigned long)(0x10000000ul + i));
        snprintf(db_id, sizeof db_id, "%llu", 4000000000000ull + i);
        snprintf(callid, sizeof callid, "gen-%lu@10.0.%lu.%lu", i, (i >> 8) & 255, i & 255);
        snprintf(from, sizeof from, "sip:caller%lu@10.0.0.1:5062", i % 100000);
        snprintf(tag, sizeof tag, "%luSIPpTag01", i);
        snprintf(ctag, sizeof ctag, "%luSIPpTag02", i);
        time_t start = now - (time_t)(i % 3600), out = start + 21600;
        struct tm tm;
        localtime_r(&start, &tm);
        strftime(ds, sizeof ds, "%Y-%m-%d %H:%M:%S", &tm);
        localtime_r(&out, &tm);
        strftime(dout, sizeof dout, "%Y-%m-%d %H:%M:%S", &tm);
        json_t *d = json_pack(
            "{s:s,s:s,s:i,s:s,s:I,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:s,s:s,"
            "s:s,s:s,s:s}]}",
            "ID", id, "db_id", db_id, "state", 4, "user_flags", "", "timestart", (json_int_t)start,
            "datestart", ds, "timeout", (json_int_t)out, "dateout", dout, "callid", callid,
            "from_uri", from, "to_uri", "sip:service@10.0.0.1:5060", "caller_tag", tag,
            "caller_contact", from, "callee_cseq", "0", "caller_route_set", "",
            "caller_bind_addr", "udp:10.0.0.1:5060", "caller_sdp", "", "CALLEES", "callee_tag",
            ctag, "callee_contact", "sip:10.0.0.2:5070;transport=UDP", "caller_cseq", "1",
            "callee_route_set", "", "callee_bind_addr", "udp:10.0.0.1:5060", "callee_sdp", "");
        if (!d || json_array_append_new(dlg_all, d) < 0)
            return -1;
        dlg_processed++;
    }
    return 0;
}

/* Dialog profiles, as defined by the recorded list_all_profiles: "inbound" (no value) holds
 * every dialog, "caller" the dialogs by From user ($fU), the lbX<resource> profiles of the
 * load_balancer hold none of the recorded calls. An ended dialog leaves its profiles. */
static json_t *prof_defs; /* [{"name":..,"has value":..}] as recorded */

int profile_state_init(void)
{
    prof_defs = recorded_result("list_all_profiles.json", "Profiles");
    return json_is_array(prof_defs) ? 0 : -1;
}

static json_t *prof_find(const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(prof_defs, i, p) {
        const char *n = json_string_value(json_object_get(p, "name"));
        if (n && name && strcmp(n, name) == 0)
            return p;
    }
    return NULL;
}

/* The value dialog d holds in profile name into out (NULL when d is not in it). */
static const char *prof_value(const char *name, json_t *d, char *out, size_t n)
{
    if (json_object_get(d, DLG_ENDED_KEY))
        return NULL;
    if (strcmp(name, "inbound") == 0)
        return "";
    if (strcmp(name, "caller") == 0) {
        const char *u = json_string_value(json_object_get(d, "from_uri"));
        if (!u)
            return NULL;
        if (strncmp(u, "sip:", 4) == 0 || strncmp(u, "sips:", 5) == 0)
            u = strchr(u, ':') + 1;
        size_t l = strcspn(u, "@;:>");
        if (!u[l] || u[l] != '@' || l >= n)
            return NULL;
        memcpy(out, u, l);
        out[l] = '\0';
        return out;
    }
    return NULL;
}

/* A dialog value as internal_mi_print_dlg prints it: bytes below 0x20 or from 0x7f escaped
 * (\b \t \n \f \r, else \xHH). NULL when out of memory. */
static json_t *dlg_val_printed(const char *v)
{
    size_t n = strlen(v);
    char *p = malloc(4 * n + 1), *q = p;
    if (!p)
        return NULL;
    for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
        if (*s >= 0x20 && *s < 0x7f) {
            *q++ = (char)*s;
            continue;
        }
        *q++ = '\\';
        switch (*s) {
        case 0x8: *q++ = 'b'; break;
        case 0x9: *q++ = 't'; break;
        case 0xa: *q++ = 'n'; break;
        case 0xc: *q++ = 'f'; break;
        case 0xd: *q++ = 'r'; break;
        default: q += snprintf(q, 4, "x%02x", *s); break;
        }
    }
    *q = '\0';
    json_t *out = json_string(p);
    free(p);
    return out;
}

/* dlg_list_ctx's "context" of a dialog: "values" (newest name first, as dlg_vals.c keeps them)
 * when it has any, "profiles" when it is in any: one {profile: value} each, "" for a profile
 * without values, newest link first (the recorded script sets inbound, then caller). */
static json_t *dlg_context(json_t *d)
{
    json_t *ctx = json_object(), *vars = json_object_get(d, DLG_VARS_KEY), *values = NULL,
           *profiles = NULL;
    if (!ctx)
        return NULL;
    if (json_array_size(vars) && !(values = json_array()))
        goto oom;
    size_t i;
    json_t *v;
    json_array_foreach(vars, i, v) {
        const char *k;
        json_t *val;
        json_object_foreach(v, k, val) {
            json_t *pv = dlg_val_printed(json_string_value(val));
            if (!pv || json_array_append_new(values, json_pack("{s:o}", k, pv)) < 0)
                goto oom;
        }
    }
    if (values && json_object_set_new(ctx, "values", values) < 0) {
        values = NULL;
        goto oom;
    }
    values = NULL;
    for (i = json_array_size(prof_defs); i-- > 0;) {
        const char *name = json_string_value(json_object_get(json_array_get(prof_defs, i), "name"));
        char buf[256];
        const char *pv = name ? prof_value(name, d, buf, sizeof buf) : NULL;
        if (!pv)
            continue;
        if (!profiles && (!(profiles = json_array()) || json_object_set_new(ctx, "profiles", profiles) < 0))
            goto oom;
        if (json_array_append_new(profiles, json_pack("{s:s}", name, pv)) < 0)
            goto oom;
    }
    return ctx;
oom:
    json_decref(values);
    json_decref(ctx);
    return NULL;
}

/* Common start: the profile (404 when unknown) and the optional value. NULL after an error. */
static json_t *prof_args(struct cmd_call *c, const char **name, const char **value)
{
    *value = NULL;
    *name = NULL;
    if (cmd_param_str(c, "profile", name) < 0 || cmd_param_str(c, "value", value) < 0)
        return NULL;
    json_t *p = prof_find(*name);
    if (!p) {
        cmd_error(c, 404, "Profile not found", NULL);
        return NULL;
    }
    if (!json_is_true(json_object_get(p, "has value")))
        *value = NULL; /* a profile without values ignores the value */
    return p;
}

static bool prof_match(const char *name, const char *value, json_t *d)
{
    char buf[256];
    const char *v = prof_value(name, d, buf, sizeof buf);
    return v && (!value || strcmp(v, value) == 0);
}

int profile_get_size(struct cmd_call *c)
{
    dlg_prune();
    const char *name, *value;
    if (!prof_args(c, &name, &value))
        return CMD_DONE;
    long long n = 0;
    size_t i;
    json_t *d;
    json_array_foreach(dlg_all, i, d) n += prof_match(name, value, d);
    return cmd_result(c, json_pack("{s:{s:s,s:o,s:I,s:s,s:s}}", "Profile", "name", name, "value",
                                   value ? json_string(value) : json_null(), "count", (json_int_t)n,
                                   "shared", "no", "replicated", "no"));
}

int profile_list_dlgs(struct cmd_call *c)
{
    dlg_prune();
    const char *name, *value;
    if (!prof_args(c, &name, &value))
        return CMD_DONE;
    json_t *out = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(dlg_all, i, d) {
        if (out && prof_match(name, value, d))
            json_array_append_new(out, dlg_public(d));
    }
    return cmd_result(c, out ? json_pack("{s:o}", "Dialogs", out) : NULL);
}

int profile_get_values(struct cmd_call *c)
{
    dlg_prune();
    const char *name, *value;
    json_t *p = prof_args(c, &name, &value);
    if (!p)
        return CMD_DONE;
    bool has_value = json_is_true(json_object_get(p, "has value"));
    json_t *out = json_array(), *counts = json_object();
    size_t i;
    json_t *d;
    json_array_foreach(dlg_all, i, d) {
        char buf[256];
        const char *v = prof_value(name, d, buf, sizeof buf);
        if (!v || !out || !counts)
            continue;
        json_t *e = json_object_get(counts, v);
        if (!e) {
            e = json_pack("{s:o,s:i}", "value", has_value ? json_string(v) : json_null(), "count", 0);
            json_object_set_new(counts, v, json_incref(e));
            json_array_append_new(out, e);
        }
        json_object_set_new(e, "count", json_integer(json_integer_value(json_object_get(e, "count")) + 1));
    }
    if (out && !has_value && json_array_size(out) == 0)
        json_array_append_new(out, json_pack("{s:n,s:i}", "value", "count", 0));
    json_decref(counts);
    return cmd_result(c, out);
}

int list_all_profiles(struct cmd_call *c)
{
    return cmd_result(c, json_pack("{s:O}", "Profiles", prof_defs));
}

int profile_end_dlgs(struct cmd_call *c)
{
    dlg_prune();
    const char *name, *value;
    if (!prof_args(c, &name, &value))
        return CMD_DONE;
    size_t i;
    json_t *d;
    json_array_foreach(dlg_all, i, d) {
        if (prof_match(name, value, d))
            dlg_mark_ended(d);
    }
    return cmd_result(c, json_string("OK"));
}
