/* rpc: JSON-RPC 2.0 envelope, naming, recipe check and dispatch, as OpenSIPS's mi/mi.c does. */
#include "rpc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commands.h"
#include "control.h"
#include "naming.h"
#include "recorded.h"
#include "reqlog.h"
#include "sim.h"

#define RPC_MAX_REPLY (512u << 20)

static void rpc_set_body(struct rpc_result *res, struct buf *b)
{
    if (!b->data && buf_add(b, "", 0) < 0) {
        res->outcome = RPC_BAD_ID;
        return;
    }
    res->body = buf_take(b, &res->len);
}

/* {"jsonrpc":"2.0",<member>,"id":<id>} */
static void rpc_reply_member(struct rpc_result *res, const char *member, size_t mlen,
                             const char *id)
{
    struct buf b;
    buf_init(&b, RPC_MAX_REPLY);
    if (buf_adds(&b, "{\"jsonrpc\":\"2.0\",") < 0 || buf_add(&b, member, mlen) < 0 ||
        buf_addf(&b, ",\"id\":%s}", id) < 0) {
        buf_release(&b);
        res->outcome = RPC_BAD_ID;
        return;
    }
    res->outcome = RPC_REPLY;
    rpc_set_body(res, &b);
}

static void rpc_reply_error(struct rpc_result *res, int code, const char *msg, const char *data,
                            const char *id)
{
    json_t *e = json_pack("{s:i,s:s}", "code", code, "message", msg);
    if (e && data)
        json_object_set_new(e, "data", json_string(data));
    char *s = e ? json_dumps(e, JSON_COMPACT) : NULL;
    json_decref(e);
    if (!s) {
        res->outcome = RPC_BAD_ID;
        return;
    }
    struct buf m;
    buf_init(&m, RPC_MAX_REPLY);
    buf_addf(&m, "\"error\":%s", s);
    free(s);
    rpc_reply_member(res, m.data ? m.data : "", m.len, id);
    buf_release(&m);
}

static void rpc_reply_result(struct rpc_result *res, json_t *result, const char *id)
{
    char *s = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s) {
        res->outcome = RPC_BAD_ID;
        return;
    }
    struct buf m;
    buf_init(&m, RPC_MAX_REPLY);
    if (buf_adds(&m, "\"result\":") == 0 && buf_adds(&m, s) == 0)
        rpc_reply_member(res, m.data, m.len, id);
    else
        res->outcome = RPC_BAD_ID;
    free(s);
    buf_release(&m);
}

/* The deep fault: the reply replaced by one whose result is `depth` nested arrays, a shape no
 * OpenSIPS sends, for the client's nesting limit. Built as text: never parsed here. */
static void rpc_reply_deep(struct rpc_result *res, unsigned depth, const char *id)
{
    struct buf m;
    int rc;

    free(res->body);
    res->body = NULL;
    res->len = 0;
    buf_init(&m, RPC_MAX_REPLY);
    rc = buf_adds(&m, "\"result\":");
    for (unsigned i = 0; i < depth && rc == 0; i++)
        rc = buf_add(&m, "[", 1);
    for (unsigned i = 0; i < depth && rc == 0; i++)
        rc = buf_add(&m, "]", 1);
    if (rc == 0 && depth == 0)
        rc = buf_adds(&m, "0");
    if (rc == 0)
        rpc_reply_member(res, m.data, m.len, id);
    else
        res->outcome = RPC_BAD_ID;
    buf_release(&m);
}

/* The id echoed as OpenSIPS prints it: a float is cut to an integer. NULL for an invalid id. */
static char *rpc_id_text(json_t *id)
{
    if (json_is_real(id)) {
        double d = json_real_value(id);
        if (!isfinite(d) || d > 9e18 || d < -9e18)
            return NULL;
        char *s = NULL;
        if (asprintf(&s, "%lld", (long long)d) < 0)
            return NULL;
        return s;
    }
    if (json_is_object(id) || json_is_array(id) || json_is_boolean(id))
        return NULL;
    return json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY);
}

static bool rpc_blank(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* Run a resolved, recipe-checked command: model first, recordings second. */
static void rpc_run(const struct cat_cmd *cmd, json_t *params, json_t *recipe, const char *id,
                    struct rpc_result *res)
{
    struct cmd_call call = {.cmd = cmd, .params = params, .recipe = recipe};
    cmd_fn fn = commands_find(cmd);
    int rc = fn ? fn(&call) : CMD_RECORDED;
    if (rc == CMD_DONE && call.result) {
        rpc_reply_result(res, call.result, id);
    } else if (rc == CMD_DONE && call.err_code) {
        rpc_reply_error(res, call.err_code, call.err_msg, call.err_data, id);
    } else {
        char *key = recorded_key(cmd->name, params);
        const struct recorded_reply *r = key ? recorded_next(&sim.rec, key) : NULL;
        if (!r)
            r = recorded_any(&sim.rec, cmd->name);
        free(key);
        if (r && r->crash) {
            res->outcome = RPC_CRASH;
        } else if (r) {
            rpc_reply_member(res, r->member, r->member_len, id);
            if (sim.timing == SIM_TIMING_ALL || (sim.timing == SIM_TIMING_ASYNC && cmd->async))
                res->delay_ms = r->ms;
        } else {
            /* loaded but never recorded: the plain success most MI writes answer */
            rpc_reply_member(res, "\"result\":\"OK\"", 13, id);
        }
    }
    json_decref(call.result);
    free(call.err_data);
}

void rpc_handle(const char *req, size_t len, const char *transport, struct rpc_result *res)
{
    memset(res, 0, sizeof *res);
    json_t *root = NULL;
    char *id = NULL;
    const char *method = NULL, *command = NULL, *outcome = "reply";
    struct buf data;
    buf_init(&data, 1u << 20);

    if (len == 0 || rpc_blank(req, len)) {
        res->outcome = RPC_EMPTY;
        outcome = "empty";
        goto out;
    }
    json_error_t jerr;
    root = json_loadb(req, len, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &jerr);
    if (!root) {
        rpc_reply_error(res, -32700, "Parse error", NULL, "null");
        res->outcome = RPC_PARSE_ERROR;
        outcome = "parse_error";
        goto out;
    }
    if (!json_is_object(root)) {
        rpc_reply_error(res, -32600, "Invalid Request", NULL, "null");
        outcome = "invalid_request";
        goto out;
    }
    json_t *jid = json_object_get(root, "id");
    json_t *jm = json_object_get(root, "method");
    json_t *params = json_object_get(root, "params");
    method = json_string_value(jm);
    bool notification = jid == NULL;
    if (!notification) {
        id = rpc_id_text(jid);
        if (!id) {
            res->outcome = RPC_BAD_ID;
            outcome = "bad_id";
            goto out;
        }
    }
    const char *ver = json_string_value(json_object_get(root, "jsonrpc"));
    if (!ver || strcmp(ver, "2.0") != 0 || !method ||
        (json_object_get(root, "params") && !json_is_object(params) && !json_is_array(params))) {
        outcome = "invalid_request";
        if (!notification)
            rpc_reply_error(res, -32600, "Invalid Request", NULL, id);
        else
            res->outcome = RPC_NOTIFY;
        goto out;
    }
    if (strncmp(method, "sim:", 4) == 0) {
        json_t *result = NULL;
        int code = 0;
        const char *msg = NULL;
        command = method;
        outcome = "control";
        control_handle(method, params, &result, &code, &msg);
        if (notification)
            res->outcome = RPC_NOTIFY;
        else if (result)
            rpc_reply_result(res, result, id);
        else
            rpc_reply_error(res, code, msg, NULL, id);
        json_decref(result);
        json_decref(root);
        free(id);
        buf_release(&data);
        return; /* control calls are not counted */
    }

    pthread_mutex_lock(&sim.lock);
    const struct cat_cmd *cmd = NULL;
    enum naming_result nr = naming_resolve(&sim.cat, method, &cmd, &data);
    if (cmd)
        command = cmd->name;
    if (cmd)
        res->async = cmd->async;
    res->has_fault = faults_pick(command, method, &res->fault);
    if (nr == NAMING_NOT_FOUND) {
        outcome = "method_not_found";
        if (!notification)
            rpc_reply_error(res, -32601, "Method not found", NULL, id);
    } else if (nr == NAMING_AMBIGUOUS) {
        outcome = "method_ambiguous";
        if (!notification)
            rpc_reply_error(res, -32001, "Method ambiguous", data.data, id);
    } else {
        json_t *recipe = NULL;
        enum recipe_check rc = catalogue_match(cmd, params, &recipe);
        if (rc != RECIPE_OK) {
            outcome = "invalid_params";
            if (!notification)
                rpc_reply_error(res, -32602, "Invalid params", catalogue_check_text(rc), id);
        } else {
            rpc_run(cmd, params, recipe, notification ? "null" : id, res);
            if (res->has_fault && res->fault.kind == FAULT_DEEP && res->outcome == RPC_REPLY)
                rpc_reply_deep(res, res->fault.depth, notification ? "null" : id);
            if (res->has_fault && res->fault.kind == FAULT_ERROR && res->outcome == RPC_REPLY) {
                free(res->body);
                res->body = NULL;
                res->len = 0;
                rpc_reply_error(res, 500, "Internal error", "injected by the error fault",
                                notification ? "null" : id);
            }
            if (res->outcome == RPC_CRASH)
                outcome = "crash";
        }
    }
    pthread_mutex_unlock(&sim.lock);
    if (notification && res->outcome != RPC_CRASH) {
        free(res->body);
        res->body = NULL;
        res->len = 0;
        res->outcome = RPC_NOTIFY;
        outcome = "notification";
    }
    reqlog_note(transport, method, command, params, outcome,
                res->has_fault ? fault_kind_name(res->fault.kind) : NULL);
    json_decref(root);
    free(id);
    buf_release(&data);
    return;
out:
    if (res->outcome != RPC_REPLY || res->body) {
        /* envelope failures: faults can still hit them ("*") */
        res->has_fault = faults_pick(NULL, method, &res->fault);
    }
    reqlog_note(transport, method, command, json_object_get(root, "params"), outcome,
                res->has_fault ? fault_kind_name(res->fault.kind) : NULL);
    json_decref(root);
    free(id);
    buf_release(&data);
}

void rpc_result_release(struct rpc_result *res)
{
    free(res->body);
    res->body = NULL;
    res->len = 0;
}
