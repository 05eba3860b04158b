/* session: dispatch of JSON-RPC messages to methods, requests in flight and their lanes,
 * cancellation; what a handler may do during its call is call.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonrpc.h"
#include "log.h"
#include "mcp/internal.h"

/* One principal's requests accepted onto a lane and not yet finished (running or queued). */
struct principal_load {
    char name[64];
    unsigned n;
    struct principal_load *next;
};


void rpc_err_set(struct rpc_err *e, int code, const char *fmt, ...)
{
    va_list ap;

    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

static void cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
}


void mcp_send(struct mcp_out *out, json_t *msg)
{
    char *line;

    if (!msg)
        return;
    line = jsonrpc_dump(msg);
    json_decref(msg);
    if (line && out)
        out->send(out, line, strlen(line), false);
    free(line);
}

/* ---- server ---- */

struct mcp_server *mcp_server_new(const struct settings *settings, char *err, size_t errlen)
{
    struct mcp_server *srv = calloc(1, sizeof(*srv));

    if (!srv) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    srv->settings = settings;
    pthread_mutex_init(&srv->lock, NULL);
    pthread_mutex_init(&srv->admin_lock, NULL);
    registry_init(&srv->reg);
    if (roles_load(&srv->roles, json_object_get(settings->config_doc, "roles"), err, errlen) < 0 ||
        tokens_load(&srv->tokens, json_object_get(settings->config_doc, "tokens"), &srv->roles,
                    err, errlen) < 0)
        goto fail;
    srv->default_role = roles_find(&srv->roles, settings->role);
    if (!srv->default_role) {
        snprintf(err, errlen, "role '%s' is not defined; use viewer, operator, admin or a role "
                 "from the config file", settings->role);
        goto fail;
    }
    if (!(srv->audit = audit_open(settings->audit, err, errlen)) ||
        era_init(settings, err, errlen) < 0)
        goto fail;
    srv->pool = workers_new(settings->workers, settings->max_queue);
    srv->long_pool = workers_new(settings->long_workers, settings->max_queue);
    if (!srv->pool || !srv->long_pool) {
        snprintf(err, errlen, "cannot create the worker pool");
        goto fail;
    }
    return srv;
fail:
    workers_free(srv->pool);
    workers_free(srv->long_pool);
    audit_close(srv->audit);
    registry_release(&srv->reg);
    free(srv);
    return NULL;
}

void mcp_server_free(struct mcp_server *srv)
{
    if (!srv)
        return;
    workers_free(srv->pool);
    workers_free(srv->long_pool);
    audit_close(srv->audit);
    registry_release(&srv->reg);
    pthread_mutex_destroy(&srv->admin_lock);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

void mcp_server_set_session_admin(struct mcp_server *srv, const struct mcp_session_admin *a)
{
    pthread_mutex_lock(&srv->admin_lock);
    srv->session_admin = a;
    pthread_mutex_unlock(&srv->admin_lock);
}

json_t *mcp_server_sessions_list(struct mcp_server *srv)
{
    json_t *list = NULL;

    pthread_mutex_lock(&srv->admin_lock);
    if (srv->session_admin)
        list = srv->session_admin->list(srv->session_admin->ctx);
    pthread_mutex_unlock(&srv->admin_lock);
    return list;
}

int mcp_server_session_end(struct mcp_server *srv, const char *id)
{
    int rc = -2;

    pthread_mutex_lock(&srv->admin_lock);
    if (srv->session_admin)
        rc = srv->session_admin->end(srv->session_admin->ctx, id);
    pthread_mutex_unlock(&srv->admin_lock);
    return rc;
}

struct registry *mcp_server_registry(struct mcp_server *srv)
{
    return &srv->reg;
}

const struct settings *mcp_server_settings(struct mcp_server *srv)
{
    return srv->settings;
}

/* ---- sessions ---- */

struct mcp_session *mcp_session_new(struct mcp_server *srv, struct mcp_out *notify)
{
    struct mcp_session *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->srv = srv;
    s->notify = notify;
    s->refs = 1;
    s->log_level = LOG_INFO;
    snprintf(s->principal, sizeof(s->principal), "local");
    s->role = srv->default_role;
    s->subscriptions = json_object();
    pthread_mutex_init(&s->lock, NULL);
    cond_init_monotonic(&s->idle);
    pthread_mutex_lock(&srv->lock);
    s->next = srv->sessions;
    srv->sessions = s;
    pthread_mutex_unlock(&srv->lock);
    return s;
}

struct mcp_session *mcp_session_new_stateless(struct mcp_server *srv, const char *principal,
                                              const struct role *role)
{
    struct mcp_session *s = mcp_session_new(srv, NULL);

    if (!s)
        return NULL;
    s->stateless = true;
    if (principal && role) { /* else the defaults: "local" with the default role */
        snprintf(s->principal, sizeof(s->principal), "%s", principal);
        s->role = role;
    }
    return s;
}

void mcp_session_set_principal(struct mcp_session *s, const char *principal, const struct role *role)
{
    pthread_mutex_lock(&s->lock);
    snprintf(s->principal, sizeof(s->principal), "%s", principal);
    s->role = role;
    pthread_mutex_unlock(&s->lock);
}

const char *mcp_session_principal(struct mcp_session *s)
{
    return s->principal;
}

const struct tokens *mcp_server_tokens(struct mcp_server *srv)
{
    return &srv->tokens;
}

void mcp_server_reopen_logs(struct mcp_server *srv)
{
    if (audit_reopen(srv->audit) == 0)
        log_msg(LOG_INFO, "audit trail reopened");
}


static void session_unref(struct mcp_session *s)
{
    bool last;

    pthread_mutex_lock(&s->lock);
    last = --s->refs == 0;
    pthread_mutex_unlock(&s->lock);
    if (!last)
        return;
    json_decref(s->client_caps);
    json_decref(s->subscriptions);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void cancel_locked(struct mcp_call *c)
{
    c->cancelled = true;
    cancel_fire(&c->cancel);
    pthread_cond_broadcast(&c->cv);
}

static void cancel_all_locked(struct mcp_session *s)
{
    for (struct mcp_call *c = s->inflight; c; c = c->next)
        cancel_locked(c);
}

void mcp_session_close(struct mcp_session *s)
{
    struct mcp_server *srv = s->srv;

    pthread_mutex_lock(&srv->lock);
    for (struct mcp_session **pp = &srv->sessions; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    pthread_mutex_unlock(&srv->lock);
    pthread_mutex_lock(&s->lock);
    s->closed = true;
    s->notify = NULL;
    cancel_all_locked(s);
    pthread_mutex_unlock(&s->lock);
    listen_end_all(s, false);
    session_unref(s);
}

bool mcp_session_idle(struct mcp_session *s)
{
    bool idle;

    pthread_mutex_lock(&s->lock);
    idle = !s->inflight;
    pthread_mutex_unlock(&s->lock);
    return idle;
}

void mcp_session_drain(struct mcp_session *s, unsigned grace_ms)
{
    struct timespec deadline = mcp_deadline_after(grace_ms);

    listen_end_all(s, true); /* a listen stream never ends by itself: the server ends it */
    pthread_mutex_lock(&s->lock);
    while (s->inflight) {
        if (pthread_cond_timedwait(&s->idle, &s->lock, &deadline) == ETIMEDOUT) {
            cancel_all_locked(s);
            while (s->inflight)
                pthread_cond_wait(&s->idle, &s->lock);
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

void mcp_session_cancel(struct mcp_session *s, const json_t *id)
{
    pthread_mutex_lock(&s->lock);
    for (struct mcp_call *c = s->inflight; c; c = c->next) {
        if (json_equal(c->id, (json_t *)id)) {
            cancel_locked(c);
            log_msg(LOG_DEBUG, "request cancelled by the client");
        }
    }
    pthread_mutex_unlock(&s->lock);
}

void mcp_server_resource_updated(struct mcp_server *srv, const char *uri)
{
    char key[MCP_SUBSCRIPTION_URI_MAX + 1];

    if (uri_canon(uri, key, sizeof(key)) < 0)
        return; /* longer than any subscription */
    pthread_mutex_lock(&srv->lock);
    for (struct mcp_session *s = srv->sessions; s; s = s->next) {
        pthread_mutex_lock(&s->lock);
        /* the URI as this session spelled it when it subscribed */
        const char *as = s->notify ? json_string_value(json_object_get(s->subscriptions, key))
                                   : NULL;
        json_t *note = as ? jsonrpc_notification_new("notifications/resources/updated",
                                                     json_pack("{s:s}", "uri", as))
                          : NULL;
        struct mcp_out *out = s->notify;
        pthread_mutex_unlock(&s->lock);
        if (note)
            mcp_send(out, note);
    }
    listen_deliver_locked(srv, 0, key, "notifications/resources/updated");
    pthread_mutex_unlock(&srv->lock);
}

void mcp_server_list_changed(struct mcp_server *srv, unsigned kind)
{
    const char *method = kind == LISTEN_TOOLS     ? "notifications/tools/list_changed"
                         : kind == LISTEN_PROMPTS ? "notifications/prompts/list_changed"
                                                  : "notifications/resources/list_changed";

    pthread_mutex_lock(&srv->lock);
    for (struct mcp_session *s = srv->sessions; s; s = s->next) {
        pthread_mutex_lock(&s->lock);
        struct mcp_out *out = s->initialized ? s->notify : NULL;
        pthread_mutex_unlock(&s->lock);
        if (out)
            mcp_send(out, jsonrpc_notification_new(method, NULL));
    }
    listen_deliver_locked(srv, kind, NULL, method);
    pthread_mutex_unlock(&srv->lock);
}

bool mcp_server_resource_subscribed(struct mcp_server *srv, const char *uri)
{
    char key[MCP_SUBSCRIPTION_URI_MAX + 1];
    bool any = false;

    if (uri_canon(uri, key, sizeof(key)) < 0)
        return false;
    pthread_mutex_lock(&srv->lock);
    for (struct mcp_session *s = srv->sessions; s && !any; s = s->next) {
        pthread_mutex_lock(&s->lock);
        any = s->notify && json_object_get(s->subscriptions, key);
        for (struct mcp_call *c = s->inflight; c && !any; c = c->next)
            any = c->listening && json_object_get(c->listen_subs, key);
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    return any;
}

/* ---- requests ---- */

static void send_final(struct mcp_out *out, json_t *msg)
{
    char *line = msg ? jsonrpc_dump(msg) : NULL;

    json_decref(msg);
    out->send(out, line, line ? strlen(line) : 0, true);
    free(line);
}

static void reply_error(struct mcp_out *out, json_t *id, int code, const char *message, json_t *data)
{
    send_final(out, jsonrpc_error_new(id, code, message, data));
}

void mcp_session_reject(struct mcp_session *s, struct mcp_out *out, int code, const char *message)
{
    (void)s;
    reply_error(out, NULL, code, message, NULL);
}

/* Count a request against its principal: the entry, or NULL when the principal already has
 * max-calls-per-principal requests on the lanes. */
static struct principal_load *load_take(struct mcp_server *srv, const char *principal)
{
    struct principal_load *l;

    pthread_mutex_lock(&srv->lock);
    for (l = srv->loads; l && strcmp(l->name, principal); l = l->next)
        ;
    if (!l && (l = calloc(1, sizeof(*l)))) {
        snprintf(l->name, sizeof(l->name), "%s", principal);
        l->next = srv->loads;
        srv->loads = l;
    }
    if (l && l->n >= srv->settings->max_calls_per_principal)
        l = NULL;
    else if (l)
        l->n++;
    pthread_mutex_unlock(&srv->lock);
    return l;
}

static void load_put(struct mcp_server *srv, struct principal_load *load)
{
    if (!load)
        return;
    pthread_mutex_lock(&srv->lock);
    if (--load->n == 0) {
        for (struct principal_load **pp = &srv->loads; *pp; pp = &(*pp)->next) {
            if (*pp == load) {
                *pp = load->next;
                free(load);
                break;
            }
        }
    }
    pthread_mutex_unlock(&srv->lock);
}

static void call_free(struct mcp_call *c)
{
    load_put(c->sess->srv, c->load);
    cancel_release(&c->cancel);
    pthread_mutex_destroy(&c->progress_lock);
    pthread_cond_destroy(&c->cv);
    json_decref(c->input_responses);
    json_decref(c->input_requests);
    json_decref(c->input_used);
    json_decref(c->listen_subs);
    json_decref(c->root);
    free(c);
}

/* The end of a call: its final message (the reply, or NULL: none) on its channel, then out of
 * the session's flight, freed. The call stays in flight until its channel is done with, so that
 * a draining transport does not free the channel under it. */
static void call_end(struct mcp_call *c, json_t *reply)
{
    struct mcp_session *s = c->sess;

    send_final(c->out, reply);
    pthread_mutex_lock(&s->lock);
    for (struct mcp_call **pp = &s->inflight; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
    call_free(c);
    session_unref(s);
}

static void call_run(void *arg)
{
    struct mcp_call *c = arg;
    struct mcp_session *s = c->sess;
    struct rpc_err e = {0};
    json_t *result = NULL, *reply;
    bool cancelled;

    pthread_mutex_lock(&s->lock);
    cancelled = c->cancelled;
    pthread_mutex_unlock(&s->lock);
    if (!cancelled) {
        struct cancel *outer = cancel_bind(&c->cancel);
        result = c->method->fn(c, c->params, &e);
        cancel_bind(outer);
        if (result && c->modern && !(result = era_finish_result(c, result)) && !e.code)
            rpc_err_set(&e, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory, or the "
                        "answers so far are too large to carry in requestState");
        if (!result && !e.code)
            rpc_err_set(&e, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
    }
    pthread_mutex_lock(&s->lock);
    bool listening = c->listening;
    pthread_mutex_unlock(&s->lock);
    if (listening) {
        /* subscriptions/listen: the stream stays open, the call in flight, until one side
         * ends it (listen_end_all); its ack is out, its result comes at the end */
        json_decref(result);
        return;
    }
    reply = result ? jsonrpc_result_new(c->id, result)
                   : jsonrpc_error_new(c->id, e.code, e.message, e.data);

    pthread_mutex_lock(&s->lock);
    cancelled = c->cancelled;
    pthread_mutex_unlock(&s->lock);

    /* A cancelled request gets no reply (basic/utilities/cancellation.mdx); the transport
     * still hears that the request is over. A cancellation that arrives from here on is too
     * late and ignored. The call stays in flight until its channel is done with, so that a
     * draining transport does not free the channel under it. */
    if (cancelled) {
        json_decref(reply);
        reply = NULL;
    }
    call_end(c, reply);
}

/* A new call for the request, taking the message over, and in flight on the session; NULL with
 * the refusal in *e when it is refused before it starts. Under s->lock. */
static struct mcp_call *call_start(struct mcp_session *s, struct jsonrpc_msg *msg,
                                   const struct mcp_method *m, struct mcp_out *out, bool modern,
                                   struct rpc_err *e)
{
    struct mcp_call *c;
    json_t *meta;

    if (!modern && !s->initialized && !(m->flags & M_BEFORE_INIT)) {
        rpc_err_set(e, JSONRPC_INVALID_REQUEST,
                    "Invalid Request: the session is not initialized; send initialize first");
        return NULL;
    }
    for (struct mcp_call *o = s->inflight; o; o = o->next) {
        if (json_equal(o->id, msg->id)) {
            rpc_err_set(e, JSONRPC_INVALID_REQUEST,
                        "Invalid Request: this id is already used by a request in progress");
            return NULL;
        }
    }
    if (!(c = calloc(1, sizeof(*c)))) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return NULL;
    }
    c->sess = s;
    /* The call takes the message over: only the thread that runs it touches it from now on
     * (jansson's last json_decref does not order the other thread's reads before the free). */
    c->root = msg->root;
    msg->root = NULL;
    c->id = msg->id;
    c->params = msg->params;
    if (!c->params) {
        c->params = json_object();
        json_object_set_new(c->root, "params", c->params);
    }
    c->method = m;
    if (modern && era_call_setup(c, &e->code, e->message, sizeof(e->message), &e->data) < 0) {
        msg->root = c->root; /* back to the message, which the caller releases */
        json_decref(c->input_responses);
        free(c);
        return NULL;
    }
    meta = json_object_get(c->params, "_meta");
    c->progress_token = json_object_get(meta, "progressToken");
    if (c->progress_token && !json_is_string(c->progress_token) &&
        !json_is_integer(c->progress_token))
        c->progress_token = NULL;
    c->out = out;
    cond_init_monotonic(&c->cv);
    pthread_mutex_init(&c->progress_lock, NULL);
    /* Only requests that may block wait in MI calls: the rest need no eventfd. */
    if (m->flags & M_WORKER)
        cancel_init(&c->cancel);
    else
        c->cancel.fd = -1;
    c->next = s->inflight;
    s->inflight = c;
    s->refs++;
    return c;
}

/* Put a call that may block on its lane. A principal may have only so many requests on the
 * lanes, so that one client cannot take every worker; past that the request is refused at once
 * (inline: the handler only writes the refusal). Long jobs have a lane of their own, so that
 * they never hold the workers interactive calls need. */
static void call_queue(struct mcp_session *s, struct mcp_call *c)
{
    struct workers *lane = mcp_method_long(s, c->method, c->params) ? s->srv->long_pool
                                                                     : s->srv->pool;
    char principal[sizeof(s->principal)];

    pthread_mutex_lock(&s->lock);
    memcpy(principal, s->principal, sizeof(principal));
    pthread_mutex_unlock(&s->lock);
    if (!(c->load = load_take(s->srv, principal))) {
        c->over_limit = true;
        call_run(c);
        return;
    }
    if (workers_submit(lane, call_run, c) == 0)
        return;
    /* The queue is full: refuse rather than block the reader. */
    call_end(c, jsonrpc_error_new(c->id, JSONRPC_INTERNAL_ERROR,
                                  "Internal error: the server is busy (every worker and queue "
                                  "slot is taken); retry shortly",
                                  NULL));
}

/* A modern tools/call of a tool that cannot work without a client capability the request did
 * not declare: refused before it runs (SEP-2575, -32021), with the capability in data. */
static bool lacks_client_capability(struct mcp_session *s, json_t *params, struct rpc_err *e)
{
    json_t *caps = json_object_get(json_object_get(params, "_meta"),
                                   "io.modelcontextprotocol/clientCapabilities");
    const struct mcp_tool *t =
        registry_tool(&s->srv->reg, json_string_value(json_object_get(params, "name")), NULL);

    if (!t || !t->needs_client || json_is_object(json_object_get(caps, t->needs_client)))
        return false;
    rpc_err_set(e, MCP_ERR_MISSING_CAPABILITY,
                "Missing required client capability: the tool '%s' needs the client's '%s' "
                "capability; declare it in _meta io.modelcontextprotocol/clientCapabilities",
                t->name, t->needs_client);
    e->data = json_pack("{s:{s:{}}}", "requiredCapabilities", t->needs_client);
    return true;
}

static void handle_request(struct mcp_session *s, struct jsonrpc_msg *msg, struct mcp_out *out)
{
    const struct mcp_method *m = mcp_method_find(msg->method);
    struct rpc_err e = {0};
    struct mcp_call *c;
    bool modern;

    pthread_mutex_lock(&s->lock);
    modern = era_is_modern(s, msg->params);
    pthread_mutex_unlock(&s->lock);
    /* a method of the other era does not exist for this request (2026-07-28 removed ping,
     * initialize, logging/setLevel and resources/(un)subscribe; server/discover and
     * subscriptions/listen are new) */
    if (!m || (modern && (m->flags & M_LEGACY)) || (!modern && (m->flags & M_MODERN))) {
        char text[320];
        snprintf(text, sizeof(text),
                 m ? "Method not found: %.200s is not a method of this protocol revision"
                   : "Method not found: %.200s",
                 msg->method);
        return reply_error(out, msg->id, JSONRPC_METHOD_NOT_FOUND, text, NULL);
    }
    if (msg->params && !json_is_object(msg->params))
        return reply_error(out, msg->id, JSONRPC_INVALID_PARAMS,
                           "Invalid params: params must be an object", NULL);
    if (modern && !strcmp(m->name, "tools/call") && lacks_client_capability(s, msg->params, &e))
        return reply_error(out, msg->id, e.code, e.message, e.data);
    pthread_mutex_lock(&s->lock);
    c = call_start(s, msg, m, out, modern, &e);
    pthread_mutex_unlock(&s->lock);
    if (!c)
        return reply_error(out, msg->id, e.code, e.message, e.data);
    if (m->flags & M_WORKER)
        call_queue(s, c);
    else
        call_run(c);
}

static void handle_response(struct mcp_session *s, struct jsonrpc_msg *msg)
{
    const char *id = json_string_value(msg->id);

    pthread_mutex_lock(&s->lock);
    for (struct pending *p = s->pending; id && p; p = p->next) {
        if (!strcmp(p->id, id) && !p->done) {
            p->root = msg->root;
            p->result = msg->result;
            p->error = msg->error;
            msg->root = NULL;
            p->done = true;
            pthread_cond_broadcast(&p->call->cv);
            pthread_mutex_unlock(&s->lock);
            return;
        }
    }
    pthread_mutex_unlock(&s->lock);
    log_msg(LOG_WARNING, "ignored a response to no request of ours");
}

enum mcp_handled mcp_session_handle_msg(struct mcp_session *s, struct jsonrpc_msg *msg,
                                        struct mcp_out *out)
{
    const struct mcp_notification *n;

    switch (msg->kind) {
    case JSONRPC_INVALID:
        log_msg(LOG_DEBUG, "refused a message: %s", msg->message);
        reply_error(out, msg->id, msg->code, msg->message, NULL);
        return MCP_REPLY;
    case JSONRPC_RESPONSE:
        handle_response(s, msg);
        return MCP_NO_REPLY;
    case JSONRPC_NOTIFICATION:
        /* Never answered, known or not (JSON-RPC 2.0 §4.1). */
        if ((n = mcp_notification_find(msg->method)))
            n->fn(s, msg->params);
        return MCP_NO_REPLY;
    case JSONRPC_REQUEST:
        handle_request(s, msg, out);
        return MCP_REPLY;
    }
    return MCP_NO_REPLY;
}

enum mcp_handled mcp_session_handle(struct mcp_session *s, const char *buf, size_t len,
                                    struct mcp_out *out)
{
    struct jsonrpc_msg msg;
    enum mcp_handled handled;

    jsonrpc_parse(buf, len, &msg);
    handled = mcp_session_handle_msg(s, &msg, out);
    jsonrpc_msg_release(&msg);
    return handled;
}

/* ---- subscriptions/listen streams ---- */

/* Take one listen stream of the session off the air (under both locks, so that a delivery,
 * which holds srv->lock, never sends on a stream being ended), or NULL when none is left. */
static struct mcp_call *listen_take(struct mcp_session *s)
{
    struct mcp_call *c;

    pthread_mutex_lock(&s->srv->lock);
    pthread_mutex_lock(&s->lock);
    for (c = s->inflight; c && !c->listening; c = c->next)
        ;
    if (c)
        c->listening = false;
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_unlock(&s->srv->lock);
    return c;
}

void listen_end_all(struct mcp_session *s, bool graceful)
{
    struct mcp_call *c;

    while ((c = listen_take(s))) {
        json_t *reply = NULL;
        if (graceful) {
            /* the empty result: the subscription ended, the server is going away */
            json_t *r = json_pack("{s:{s:O}}", "_meta", "io.modelcontextprotocol/subscriptionId",
                                  c->id);
            if ((r = era_finish_result(c, r)))
                reply = jsonrpc_result_new(c->id, r);
        }
        call_end(c, reply);
    }
}

void listen_deliver_locked(struct mcp_server *srv, unsigned kind, const char *key,
                           const char *method)
{
    for (struct mcp_session *s = srv->sessions; s; s = s->next) {
        struct {
            struct mcp_out *out;
            json_t *note;
        } send[8];
        size_t n = 0;

        pthread_mutex_lock(&s->lock);
        for (struct mcp_call *c = s->inflight; c && n < 8; c = c->next) {
            json_t *as;
            if (!c->listening)
                continue;
            if (kind ? !(c->listen_kinds & kind)
                     : !(as = json_object_get(c->listen_subs, key)))
                continue;
            json_t *params = json_pack("{s:{s:O}}", "_meta",
                                       "io.modelcontextprotocol/subscriptionId", c->id);
            if (!kind)
                json_object_set(params, "uri", as);
            send[n].out = c->out;
            send[n++].note = jsonrpc_notification_new(method, params);
        }
        pthread_mutex_unlock(&s->lock);
        /* sent under srv->lock only: a stream is ended under it too (listen_take) */
        for (size_t i = 0; i < n; i++)
            mcp_send(send[i].out, send[i].note);
    }
}

/* ---- the handler-facing call API (call.h) ---- */
