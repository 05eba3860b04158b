/* call: what a handler may do while it serves one request (call.h): notice cancellation, sleep,
 * report progress, log to the client, ask the client and wait for the answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonrpc.h"
#include "log.h"
#include "mcp/internal.h"

struct timespec mcp_deadline_after(unsigned ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

void mcp_call_set_outcome(struct mcp_call *c, const char *outcome)
{
    c->outcome = outcome;
}

bool mcp_call_cancelled(struct mcp_call *c)
{
    bool v;

    pthread_mutex_lock(&c->sess->lock);
    v = c->cancelled;
    pthread_mutex_unlock(&c->sess->lock);
    return v;
}

int mcp_call_sleep_ms(struct mcp_call *c, unsigned ms)
{
    struct timespec deadline = mcp_deadline_after(ms);
    int rc = 0;

    pthread_mutex_lock(&c->sess->lock);
    while (!c->cancelled && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&c->cv, &c->sess->lock, &deadline);
    rc = c->cancelled ? -1 : 0;
    pthread_mutex_unlock(&c->sess->lock);
    return rc;
}

void mcp_call_progress(struct mcp_call *c, double progress, double total, const char *message)
{
    json_t *params;

    if (!c->progress_token)
        return;
    /* Fan-out runs a handler on several threads at once: the check, the update and the send
     * go together, so that what leaves still only increases. */
    pthread_mutex_lock(&c->progress_lock);
    if (c->any_progress && progress <= c->last_progress) {
        pthread_mutex_unlock(&c->progress_lock);
        return;
    }
    c->any_progress = true;
    c->last_progress = progress;
    params = json_pack("{s:O, s:f}", "progressToken", c->progress_token, "progress", progress);
    if (total >= 0)
        json_object_set_new(params, "total", json_real(total));
    if (message)
        json_object_set_new(params, "message", json_string(message));
    mcp_send(c->out, jsonrpc_notification_new("notifications/progress", params));
    pthread_mutex_unlock(&c->progress_lock);
}

void mcp_call_log(struct mcp_call *c, enum log_level level, const char *logger, json_t *data)
{
    json_t *params;
    bool wanted;

    pthread_mutex_lock(&c->sess->lock);
    /* modern: the request's own _meta logLevel, none without it (SEP-2575) */
    wanted = level >= (c->modern ? c->log_level : c->sess->log_level);
    pthread_mutex_unlock(&c->sess->lock);
    if (!wanted) {
        json_decref(data);
        return;
    }
    params = json_pack("{s:s, s:o}", "level", log_level_name(level), "data", log_redact(data));
    json_decref(data);
    if (logger)
        json_object_set_new(params, "logger", json_string(logger));
    mcp_send(c->out, jsonrpc_notification_new("notifications/message", params));
}

bool mcp_call_client_supports(struct mcp_call *c, const char *name)
{
    bool v;

    pthread_mutex_lock(&c->sess->lock);
    v = json_is_object(json_object_get(c->modern ? c->caps : c->sess->client_caps, name));
    pthread_mutex_unlock(&c->sess->lock);
    return v;
}

struct mcp_server *mcp_call_server(struct mcp_call *c)
{
    return c->sess->srv;
}

unsigned long mcp_call_verdict(struct mcp_call *c)
{
    return c->verdict;
}

const struct mcp_tool *mcp_call_tool(struct mcp_call *c)
{
    return c->tool;
}

bool mcp_call_has_scopes(struct mcp_call *c, unsigned scopes)
{
    return (c->sess->role->scopes & scopes) == scopes;
}

const char *mcp_call_principal(struct mcp_call *c)
{
    return c->sess->principal;
}

const char *mcp_call_role(struct mcp_call *c)
{
    return c->sess->role->name;
}

bool mcp_call_input_pending(struct mcp_call *c)
{
    return c->input_requests && json_object_size(c->input_requests);
}

/* The modern era's way (MRTR, SEP-2322): the answer when this round's request carries it (from
 * inputResponses or an earlier round's requestState), else the question is noted for the
 * input_required result the call will answer with. */
static json_t *input_request(struct mcp_call *c, const char *key, const char *method,
                             json_t *params, char *err, size_t errlen)
{
    json_t *answer = json_object_get(c->input_responses, key);

    if (!(c->method->flags & M_INPUT)) {
        json_decref(params);
        snprintf(err, errlen, "%s cannot ask the client anything", c->method->name);
        return NULL;
    }
    if (json_is_object(answer)) {
        json_decref(params);
        if (!c->input_used)
            c->input_used = json_object();
        json_object_set(c->input_used, key, answer);
        return json_incref(answer);
    }
    if (!c->input_requests)
        c->input_requests = json_object();
    json_object_set_new(c->input_requests, key,
                        json_pack("{s:s, s:o}", "method", method, "params", params));
    mcp_call_set_outcome(c, "input_required");
    snprintf(err, errlen, "the client's answer to %s is required (input_required)", method);
    return NULL;
}

json_t *mcp_call_client_request(struct mcp_call *c, const char *key, const char *method,
                                json_t *params, unsigned timeout_ms, char *err, size_t errlen)
{
    struct mcp_session *s = c->sess;
    struct pending p = {.call = c};
    struct timespec deadline = mcp_deadline_after(timeout_ms);
    json_t *result = NULL;
    int rc = 0;

    if (c->modern)
        return input_request(c, key, method, params, err, errlen);
    pthread_mutex_lock(&s->lock);
    snprintf(p.id, sizeof(p.id), "srv-%lu", ++s->next_out_id);
    p.next = s->pending;
    s->pending = &p;
    pthread_mutex_unlock(&s->lock);

    {
        json_t *id = json_string(p.id);
        mcp_send(c->out, jsonrpc_request_new(id, method, params));
        json_decref(id);
    }

    pthread_mutex_lock(&s->lock);
    while (!p.done && !c->cancelled && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&c->cv, &s->lock, &deadline);
    for (struct pending **pp = &s->pending; *pp; pp = &(*pp)->next) {
        if (*pp == &p) {
            *pp = p.next;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);

    if (p.done && json_is_object(p.result)) {
        result = json_incref(p.result);
    } else if (p.done) {
        json_t *msg = json_object_get(p.error, "message");
        snprintf(err, errlen, "the client answered %s with an error: %s (%lld)", method,
                 json_is_string(msg) ? json_string_value(msg) : "no message",
                 json_integer_value(json_object_get(p.error, "code")));
    } else if (c->cancelled) {
        snprintf(err, errlen, "the request was cancelled while waiting for the client");
    } else {
        snprintf(err, errlen, "the client did not answer %s within %u ms", method, timeout_ms);
    }
    json_decref(p.root);
    return result;
}

bool mcp_call_modern(struct mcp_call *c)
{
    return c->modern;
}
