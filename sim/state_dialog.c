/* state_dialog: dialogs (dialog module): list with paging and Call-ID filter, end by dialog ID or
 * Call-ID (state 5, then gone after --dlg-linger-ms), push_var. Starts from http/dlg_list.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    char path[4096];
    snprintf(path, sizeof path, "%s/http/dlg_list.json", sim.rec_dir);
    json_t *doc = json_load_file(path, 0, NULL);
    json_t *list = json_object_get(json_object_get(doc, "result"), "Dialogs");
    if (!json_is_array(list)) {
        json_decref(doc);
        sim_log("no dialogs in '%s'", path);
        return -1;
    }
    dlg_initial = json_deep_copy(list);
    json_decref(doc);
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

int dlg_list(struct cmd_call *c)
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
        json_t *pub = dlg_public(d);
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
    for (size_t i = from; out && i < n && i < to; i++)
        json_array_append_new(out, dlg_public(json_array_get(dlg_all, i)));
    if (!out)
        return cmd_result(c, NULL);
    if (paged)
        return cmd_result(c, json_pack("{s:I,s:o}", "count", (json_int_t)n, "Dialogs", out));
    return cmd_result(c, json_pack("{s:o}", "Dialogs", out));
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
    /* recordings: right after the BYE the dialog is listed in state 5 with timeout 0 */
    json_object_set_new(d, "state", json_integer(5));
    json_object_set_new(d, "timeout", json_integer(0));
    if (sim.version == SIM_V36)
        json_object_del(d, "dateout"); /* 3.6.8 lists an ended dialog without it */
    json_object_set_new(d, DLG_ENDED_KEY, json_integer((json_int_t)sim_now_ms()));
    return cmd_result(c, json_string("OK"));
}

int dlg_push_var(struct cmd_call *c)
{
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
        if (!d)
            continue; /* recorded: an unknown dialog is not an error */
        json_t *vars = json_object_get(d, DLG_VARS_KEY);
        if (!vars) {
            vars = json_object();
            json_object_set_new(d, DLG_VARS_KEY, vars);
        }
        if (vars && name && value)
            json_object_set_new(vars, name, json_string(value));
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
