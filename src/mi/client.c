/* mi/client: nodes, naming (learned per node from version and which), parameter checks against
 * the catalogue, JSON-RPC framing, and the retry policy. Replies are parsed by mi/reply. */
#include "mi/client.h"
#include "cancel.h"
#include "log.h"
#include "mi/reply.h"
#include "mi/stream.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MI_NAMES_MAX 8
#define MI_BACKOFF_CAP_MS 1000

struct mi_node {
    char name[MI_NODE_NAME_MAX];
    struct mi_addr addr;
    const struct mi_transport *tp;
    pthread_mutex_t lock;  /* guards the learned state below */
    bool learned;
    int major;             /* 3 or 4; 0 until learned */
    char version[128];     /* "OpenSIPS (4.0.1 (x86_64/linux))" */
    json_t *commands;      /* {name: true} from which; NULL when which failed */
};

struct mi_client {
    struct mi_node *nodes;
    size_t n;
    size_t def;
    struct mi_config cfg;
};

static atomic_uint_fast64_t mi_next_id = 1;
static _Thread_local unsigned mi_attempts;

unsigned mi_client_last_attempts(void)
{
    return mi_attempts;
}

uint64_t mi_deadline_after(unsigned ms)
{
    return mi_now_ms() + ms;
}

struct mi_client *mi_client_new(const struct mi_config *given, struct mi_error *e)
{
    struct mi_client *c = calloc(1, sizeof *c);
    if (!c) {
        mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory creating the MI client");
        return NULL;
    }
    c->cfg = *given;
    const struct mi_config *cfg = &c->cfg;
    if (mi_config_fallback(&c->cfg))
        log_msg(LOG_NOTICE, "no MI node is configured; using %s as node 'default', as "
                "opensips-cli does", c->cfg.nodes[0].source);
    if (cfg->n && !(c->nodes = calloc(cfg->n, sizeof *c->nodes))) {
        free(c);
        mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory creating the MI client");
        return NULL;
    }
    for (size_t i = 0; i < cfg->n; i++) {
        struct mi_node *nd = &c->nodes[i];
        const struct mi_node_cfg *nc = &cfg->nodes[i];
        if (mi_addr_parse(nc->address, nc->fifo_reply_dir, &nd->addr, e) != MI_OK) {
            char why[sizeof e->message];
            snprintf(why, sizeof why, "%s", e->message);
            mi_error_set(e, MI_ERR_BAD_ADDRESS, 0, "node '%s' (%s): %s", nc->name,
                         nc->source[0] ? nc->source : "config", why);
            mi_client_free(c);
            return NULL;
        }
        snprintf(nd->name, sizeof nd->name, "%s", nc->name);
        nd->tp = mi_transport_for(nd->addr.kind);
        pthread_mutex_init(&nd->lock, NULL);
        c->n = i + 1;
    }
    c->def = 0;
    const char *want = cfg->default_node[0] ? cfg->default_node : NULL;
    for (size_t i = 0; i < c->n; i++)
        if (want ? !strcmp(c->nodes[i].name, want) : !strcmp(c->nodes[i].name, "default"))
            c->def = i;
    if (want && (!c->n || strcmp(c->nodes[c->def].name, want) != 0)) {
        mi_error_set(e, MI_ERR_UNKNOWN_NODE, 0, "default node '%s' is not configured", want);
        mi_client_free(c);
        return NULL;
    }
    return c;
}

void mi_client_free(struct mi_client *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        json_decref(c->nodes[i].commands);
        pthread_mutex_destroy(&c->nodes[i].lock);
    }
    free(c->nodes);
    free(c);
}

size_t mi_client_node_count(const struct mi_client *c)
{
    return c->n;
}

const char *mi_client_node_name(const struct mi_client *c, size_t i)
{
    return i < c->n ? c->nodes[i].name : NULL;
}

const char *mi_client_resolve_name(const struct mi_client *c, const char *node)
{
    if (!c || !c->n)
        return NULL;
    if (!node || !*node)
        return c->nodes[c->def].name;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->nodes[i].name, node))
            return c->nodes[i].name;
    return NULL;
}

static struct mi_node *node_find(struct mi_client *c, const char *name, struct mi_error *e)
{
    if (!c->n) {
        mi_error_set(e, MI_ERR_UNKNOWN_NODE, 0,
                     "no OpenSIPS node is configured; set OPENSIPS_MI_URL or --mi-node "
                     "NAME=ADDRESS");
        return NULL;
    }
    if (!name || !*name)
        return &c->nodes[c->def];
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->nodes[i].name, name))
            return &c->nodes[i];
    char names[300];
    size_t len = 0;
    for (size_t i = 0; i < c->n && len < sizeof names; i++)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s'%s'", i ? ", " : "",
                                c->nodes[i].name);
    mi_error_set(e, MI_ERR_UNKNOWN_NODE, 0, "no node '%.64s'; configured: %s", name, names);
    return NULL;
}

/* A streamed call: the callbacks that get the result's events. */
struct stream_sink {
    const struct mi_stream_cb *cb;
    void *ctx;
};

/* One request, one attempt; with `sink`, the reply is parsed as it arrives and *result stays
 * NULL. */
static enum mi_err call_once(struct mi_client *c, struct mi_node *nd, const char *method,
                             const json_t *params, uint64_t deadline, unsigned flags,
                             const struct stream_sink *sink, json_t **result,
                             struct mi_error *e)
{
    uint64_t id = atomic_fetch_add(&mi_next_id, 1);
    const struct mi_reply_from from = {nd->name, nd->addr.text, method,
                                       nd->addr.kind == MI_ADDR_UDP ||
                                           nd->addr.kind == MI_ADDR_UNIX};
    struct mi_stream st;
    bool streaming = false;
    struct mi_buf b;
    mi_buf_init(&b, c->cfg.max_reply);
    enum mi_err rc;
    char *req = NULL;
    if (sink) {
        if (sink->cb->reset)
            sink->cb->reset(sink->ctx);
        if (mi_stream_init(&st, sink->cb, sink->ctx, &from) < 0) {
            mi_stream_release(&st);
            return mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory calling '%s'", method);
        }
        streaming = true;
        mi_buf_init_sink(&b, mi_stream_max(c->cfg.max_reply), mi_stream_feed, &st);
    }
    json_t *msg = json_pack("{s:s, s:s, s:I}", "jsonrpc", "2.0", "method", method, "id",
                            (json_int_t)id);
    if (msg && params && json_object_size(params) &&
        json_object_set_new(msg, "params", json_deep_copy(params)) < 0) {
        json_decref(msg);
        msg = NULL;
    }
    if (!msg || !(req = json_dumps(msg, JSON_COMPACT))) {
        rc = mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory building request '%s'", method);
        goto out;
    }
    rc = nd->tp->call(&nd->addr, req, strlen(req), deadline, flags, &b, e);
    if (streaming && mi_stream_failed(&st)) {
        /* the reply went wrong before the transport finished (it stopped on the sink's
         * refusal and may have said "out of memory"): the stream's reason is the one */
        rc = mi_stream_error(&st, e);
        goto out;
    }
    if (rc != MI_OK)
        goto out;
    if (streaming)
        rc = mi_stream_finish(&st, (json_int_t)id, e);
    else
        rc = mi_reply_parse(b.data, b.len, (json_int_t)id, &from, result, e);
out:
    if (streaming)
        mi_stream_release(&st);
    json_decref(msg);
    free(req);
    mi_buf_release(&b);
    return rc;
}

/* version and which, then install the result under the node's lock. */
static enum mi_err learn(struct mi_client *c, struct mi_node *nd, uint64_t deadline,
                         struct mi_error *e)
{
    json_t *ver = NULL, *which = NULL, *set = NULL;
    enum mi_err rc = call_once(c, nd, "version", NULL, deadline, MI_CALL_REUSE, NULL, &ver, e);
    if (rc != MI_OK)
        return rc;
    const char *server = json_string_value(json_object_get(ver, "Server"));
    int major = 0;
    const char *p = server ? strstr(server, "OpenSIPS (") : NULL;
    if (p && isdigit((unsigned char)p[10]))
        major = p[10] - '0';
    struct mi_error we;
    if (call_once(c, nd, "which", NULL, deadline, MI_CALL_REUSE, NULL, &which, &we) == MI_OK &&
        json_is_array(which) && (set = json_object())) {
        size_t i;
        json_t *v;
        bool colon = false;
        json_array_foreach(which, i, v) {
            const char *s = json_string_value(v);
            if (s) {
                json_object_set_new(set, s, json_true());
                colon |= strchr(s, ':') != NULL;
            }
        }
        if (!major)
            major = colon ? 4 : 3;
    }
    if (major != 3)
        major = 4; /* 4.x naming for 4.x and anything newer */
    pthread_mutex_lock(&nd->lock);
    json_decref(nd->commands);
    nd->commands = set;
    nd->major = major;
    snprintf(nd->version, sizeof nd->version, "%s", server ? server : "");
    nd->learned = true;
    pthread_mutex_unlock(&nd->lock);
    json_decref(ver);
    json_decref(which);
    return MI_OK;
}

/* The name to send: the first of the command's names for this node's major that the node
 * listed in which (every name when which could not be read). */
static bool pick_name(struct mi_node *nd, const struct mi_cmd *cmd, char *out, size_t n,
                      int *major)
{
    const char *names[MI_NAMES_MAX];
    bool found = false;
    pthread_mutex_lock(&nd->lock);
    *major = nd->major;
    size_t k = mi_cmd_names(cmd, nd->major, names, MI_NAMES_MAX);
    for (size_t i = 0; i < k && !found; i++) {
        if (!nd->commands || json_object_get(nd->commands, names[i])) {
            snprintf(out, n, "%s", names[i]);
            found = true;
        }
    }
    pthread_mutex_unlock(&nd->lock);
    return found;
}

/* The back-off between retries; -1 when the call was cancelled meanwhile. */
/* The name to send `cmd` under on this node, learning the node first if needed. A command missing
 * from what the node listed before this call sends version and which once more (a module may
 * have been loaded since; *relearned keeps it to once a call). MI_OK with name and *major,
 * MI_ERR_UNKNOWN_COMMAND with a sentence, or what learning failed with. */
static enum mi_err resolve(struct mi_client *c, struct mi_node *nd, const struct mi_cmd *cmd,
                           uint64_t deadline, bool *relearned, char *name, size_t n, int *major,
                           struct mi_error *e)
{
    pthread_mutex_lock(&nd->lock);
    bool learned = nd->learned;
    pthread_mutex_unlock(&nd->lock);
    enum mi_err rc = learned ? MI_OK : learn(c, nd, deadline, e);
    if (rc != MI_OK)
        return rc;
    if (pick_name(nd, cmd, name, n, major))
        return MI_OK;
    if (learned && !*relearned) {
        *relearned = true;
        if ((rc = learn(c, nd, deadline, e)) != MI_OK)
            return rc;
        if (pick_name(nd, cmd, name, n, major))
            return MI_OK;
    }
    return mi_error_set(e, MI_ERR_UNKNOWN_COMMAND, 0,
                        "node '%s' (%s) does not offer '%s'; is its module loaded?", nd->name,
                        nd->version[0] ? nd->version : "OpenSIPS", cmd->key);
}

static int sleep_ms(uint64_t ms)
{
    return cancel_poll(NULL, 0, (int)ms) < 0 ? -1 : 0;
}

static enum mi_err client_call(struct mi_client *c, const char *node, const char *command,
                               const json_t *params, uint64_t deadline,
                               const struct stream_sink *sink, json_t **result,
                               struct mi_error *e)
{
    struct mi_error local;
    if (!e)
        e = &local;
    *result = NULL;
    mi_error_clear(e);
    mi_attempts = 0;
    struct mi_node *nd = node_find(c, node, e);
    if (!nd)
        return e->err;
    const struct mi_cmd *cmd = mi_catalogue_find(command, e);
    if (!cmd)
        return e->err;
    if (!deadline)
        deadline = mi_deadline_after(c->cfg.timeout_ms > cmd->min_timeout_ms
                                         ? c->cfg.timeout_ms : cmd->min_timeout_ms);
    enum mi_class cls = mi_cmd_class(cmd, params);
    bool relearned = false;
    unsigned backoff = c->cfg.backoff_ms;
    enum mi_err rc;
    for (;;) {
        if (cancel_bound_fired())
            return mi_error_set(e, MI_ERR_CANCELLED, 0, "'%s' was not sent to node '%s'",
                                cmd->key, nd->name);
        mi_attempts++;
        char name[128];
        int major = 4;
        rc = resolve(c, nd, cmd, deadline, &relearned, name, sizeof name, &major, e);
        if (rc == MI_ERR_UNKNOWN_COMMAND)
            return rc;
        if (rc == MI_OK) {
            if ((rc = mi_cmd_check_params(cmd, major, params, e)) != MI_OK)
                return rc;
            rc = call_once(c, nd, name, params, deadline,
                           cls == MI_CLASS_READ ? MI_CALL_REUSE : 0, sink, result, e);
            if (rc == MI_ERR_MI && e->code == -32601 && !relearned) {
                /* the node no longer knows that name (restarted with other modules): relearn;
                 * nothing ran, so even a write may go again */
                relearned = true;
                pthread_mutex_lock(&nd->lock);
                nd->learned = false;
                pthread_mutex_unlock(&nd->lock);
                continue;
            }
            if (rc == MI_OK || rc == MI_ERR_MI)
                return rc;
        }
        if (cls != MI_CLASS_READ || !mi_err_retryable(rc, e->code) ||
            mi_attempts >= c->cfg.retry_max)
            return rc;
        uint64_t now = mi_now_ms();
        if (now + backoff + 5 >= deadline)
            return rc;
        if (sleep_ms(backoff) < 0)
            return mi_error_set(e, MI_ERR_CANCELLED, 0, "gave up retrying '%s' on node '%s'",
                                cmd->key, nd->name);
        backoff = backoff * 2 > MI_BACKOFF_CAP_MS ? MI_BACKOFF_CAP_MS : backoff * 2;
    }
}

enum mi_err mi_client_call(struct mi_client *c, const char *node, const char *command,
                           const json_t *params, uint64_t deadline, json_t **result,
                           struct mi_error *e)
{
    return client_call(c, node, command, params, deadline, NULL, result, e);
}

enum mi_err mi_client_call_stream(struct mi_client *c, const char *node, const char *command,
                                  const json_t *params, uint64_t deadline,
                                  const struct mi_stream_cb *cb, void *ctx, struct mi_error *e)
{
    const struct stream_sink sink = {cb, ctx};
    json_t *none = NULL;
    enum mi_err rc = client_call(c, node, command, params, deadline, &sink, &none, e);
    json_decref(none);
    return rc;
}

size_t mi_stream_max(size_t max_reply)
{
    return max_reply > SIZE_MAX / MI_STREAM_FACTOR ? SIZE_MAX : max_reply * MI_STREAM_FACTOR;
}

enum mi_err mi_client_offers(struct mi_client *c, const char *node, const char *command,
                             struct mi_error *e)
{
    struct mi_error local;
    if (!e)
        e = &local;
    mi_error_clear(e);
    struct mi_node *nd = node_find(c, node, e);
    if (!nd)
        return e->err;
    const struct mi_cmd *cmd = mi_catalogue_find(command, e);
    if (!cmd)
        return e->err;
    char name[128];
    int major;
    bool relearned = false;
    return resolve(c, nd, cmd, mi_deadline_after(c->cfg.timeout_ms), &relearned, name,
                   sizeof name, &major, e);
}

enum mi_err mi_client_call_raw(struct mi_client *c, const char *node, const char *method,
                               const json_t *params, uint64_t deadline, json_t **result,
                               struct mi_error *e)
{
    struct mi_error local;
    if (!e)
        e = &local;
    *result = NULL;
    mi_error_clear(e);
    if (!deadline)
        deadline = mi_deadline_after(c->cfg.timeout_ms);
    struct mi_node *nd = node_find(c, node, e);
    if (!nd)
        return e->err;
    if (params && !json_is_object(params))
        return mi_error_set(e, MI_ERR_BAD_PARAMS, 0, "parameters must be a JSON object");
    return call_once(c, nd, method, params, deadline, 0, NULL, result, e);
}

json_t *mi_client_node_info(struct mi_client *c, const char *node)
{
    struct mi_node *nd = node_find(c, node, NULL);
    if (!nd)
        return NULL;
    pthread_mutex_lock(&nd->lock);
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:i, s:i}", "name", nd->name,
                          "address", nd->addr.text, "transport", nd->tp->name, "default",
                          nd == &c->nodes[c->def], "learned", nd->learned, "version",
                          nd->version, "major", nd->major, "commands",
                          (int)json_object_size(nd->commands));
    pthread_mutex_unlock(&nd->lock);
    const char *src = c->cfg.nodes[nd - c->nodes].source; /* nodes follow cfg's order */
    json_object_set_new(o, "source", json_string(src[0] ? src : "config"));
    return o;
}
