/* methods: the MCP methods and notifications this server answers, as a table, and their
 * handlers (lifecycle, listing, resources, prompts, completion, logging); tools/call is the
 * gate's (gate.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonrpc.h"
#include "log.h"
#include "mcp/content.h"
#include "mcp/internal.h"
#include "mcp/schema.h"
#include "utf8.h"
#include "version.h"

/* Revisions we speak, newest first; anything else is answered with the first
 * (basic/lifecycle.mdx, "Version Negotiation"). */
static const char *const protocol_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                "2024-11-05"};

/* The entry of protocol_versions equal to the `len` bytes at v, or NULL. */
static const char *protocol_find(const char *v, size_t len)
{
    for (size_t i = 0; i < sizeof(protocol_versions) / sizeof(protocol_versions[0]); i++)
        if (len == strlen(protocol_versions[i]) && !memcmp(v, protocol_versions[i], len))
            return protocol_versions[i];
    return NULL;
}

bool mcp_protocol_supported(const char *v, size_t len)
{
    return protocol_find(v, len) != NULL;
}

static const char instructions[] =
    "This server operates OpenSIPS SIP servers through their Management Interface (MI). "
    "Read before you write: list and inspect first (dialogs, registrations, gateways, "
    "statistics), then change state only when the user asked for it. Tools that change state "
    "are marked readOnlyHint=false; destructive ones ask for confirmation (an elicitation, or "
    "pass confirm=true after the user agreed). Listing tools page their results: pass limit and "
    "offset and read the total instead of asking for everything. Every tool takes an optional "
    "node naming which OpenSIPS to talk to; the default node is used otherwise. When a tool "
    "returns isError, its text says what went wrong and what to try next.";

/* What this server offers. Modern (2026-07-28): resource updates and list changes come on
 * subscriptions/listen streams; logging is per request (_meta logLevel). */
static json_t *capabilities(bool modern)
{
    json_t *caps = json_pack("{s:{s:b}, s:{s:b, s:b}, s:{s:b}, s:{}}", "tools", "listChanged", 1,
                             "resources", "subscribe", 1, "listChanged", 1, "prompts",
                             "listChanged", 1, "completions");
    if (!modern)
        json_object_set_new(caps, "logging", json_object());
    return caps;
}

json_t *mcp_str_param(json_t *params, const char *key, struct rpc_err *e)
{
    json_t *v = json_object_get(params, key);

    if (!json_is_string(v)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: '%s' must be a string", key);
        return NULL;
    }
    return v;
}

static json_t *m_initialize(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    struct mcp_session *s = c->sess;
    json_t *pv = mcp_str_param(params, "protocolVersion", e), *caps;
    const char *version;

    if (!pv)
        return NULL;
    caps = json_object_get(params, "capabilities");
    if (caps && !json_is_object(caps)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: 'capabilities' must be an object");
        return NULL;
    }
    version = protocol_find(json_string_value(pv), strlen(json_string_value(pv)));
    if (!version)
        version = protocol_versions[0];

    pthread_mutex_lock(&s->lock);
    if (s->initialized) {
        pthread_mutex_unlock(&s->lock);
        rpc_err_set(e, JSONRPC_INVALID_REQUEST,
                    "Invalid Request: the session is already initialized");
        return NULL;
    }
    s->initialized = true;
    snprintf(s->version, sizeof(s->version), "%s", version);
    s->client_caps = caps ? json_incref(caps) : json_object();
    pthread_mutex_unlock(&s->lock);

    return json_pack("{s:s, s:o, s:{s:s, s:s, s:s}, s:s}", "protocolVersion", version,
                     "capabilities", capabilities(false), "serverInfo", "name", OPENSIPS_MCP_NAME,
                     "title", OPENSIPS_MCP_TITLE, "version", OPENSIPS_MCP_VERSION,
                     "instructions", instructions);
}

/* server/discover (2026-07-28, SEP-2575): what initialize tells a legacy client, without a
 * session; serverInfo goes in _meta (era_finish_result), and caching hints with it. */
static json_t *m_discover(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    json_t *versions = era_supported();
    (void)c, (void)params, (void)e;

    for (size_t i = 0; i < sizeof(protocol_versions) / sizeof(protocol_versions[0]); i++)
        json_array_append_new(versions, json_string(protocol_versions[i]));
    return json_pack("{s:o, s:o, s:s}", "supportedVersions", versions, "capabilities",
                     capabilities(true), "instructions", instructions);
}

static json_t *m_ping(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    (void)c, (void)params, (void)e;
    return json_object();
}

/* A resource whose scope the caller's role lacks is neither listed nor read nor followed. */
static bool resource_visible(const void *row, const void *ctx)
{
    const struct mcp_resource *r = row;
    return !r->scope || mcp_call_has_scopes((struct mcp_call *)ctx, r->scope);
}

static json_t *list(struct mcp_call *c, json_t *params, struct rpc_err *e, enum registry_kind kind)
{
    struct mcp_server *srv = c->sess->srv;
    bool res = kind == REG_RESOURCES || kind == REG_TEMPLATES;
    return registry_list(&srv->reg, kind, params, srv->settings->page_size,
                         res ? resource_visible : NULL, c, e);
}

static bool tool_visible(const void *row, const void *ctx)
{
    char buf[512];
    return mcp_tool_refusal(ctx, row, buf, sizeof(buf)) == NULL;
}

/* Each role sees only the tools it may call: less for the model to read, nothing to misuse. */
static json_t *m_tools_list(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    struct mcp_server *srv = c->sess->srv;
    return registry_list(&srv->reg, REG_TOOLS, params, srv->settings->page_size, tool_visible,
                         c->sess, e);
}

static json_t *m_resources_list(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return list(c, params, e, REG_RESOURCES);
}

static json_t *m_templates_list(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return list(c, params, e, REG_TEMPLATES);
}

static json_t *m_prompts_list(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return list(c, params, e, REG_PROMPTS);
}

void mcp_over_limit_text(struct mcp_call *c, char *buf, size_t n)
{
    snprintf(buf, n, "too many requests in progress: principal '%s' already has %u running or "
             "waiting (max-calls-per-principal); wait for one to finish or cancel one, then retry",
             c->sess->principal, c->sess->srv->settings->max_calls_per_principal);
}

/* A request refused by the per-principal limit, for the methods that are not tools/call. */
static bool over_limit(struct mcp_call *c, struct rpc_err *e)
{
    char text[400];

    if (!c->over_limit)
        return false;
    mcp_over_limit_text(c, text, sizeof(text));
    rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: the server is busy: %s", text);
    return true;
}

static const struct mcp_resource *find_resource(struct mcp_call *c, json_t *params,
                                                struct rpc_err *e, const char **uri, json_t **vars)
{
    json_t *juri = mcp_str_param(params, "uri", e);
    const struct mcp_resource *r;

    *vars = NULL;
    if (!juri)
        return NULL;
    *uri = json_string_value(juri);
    r = registry_resource(&c->sess->srv->reg, *uri, vars);
    if (!r) {
        /* -32002 until 2025-11-25; -32602 from 2026-07-28 (SEP-2164) */
        rpc_err_set(e, c->modern ? JSONRPC_INVALID_PARAMS : MCP_RESOURCE_NOT_FOUND,
                    "Resource not found: %.300s", *uri);
        e->data = json_pack("{s:s}", "uri", *uri);
    } else if (!resource_visible(r, c)) {
        rpc_err_set(e, JSONRPC_INVALID_REQUEST, "Invalid Request: role '%s' may not read "
                    "%.200s: it lacks the scope it needs", mcp_call_role(c), *uri);
        json_decref(*vars);
        *vars = NULL;
        return NULL;
    }
    return r;
}

static json_t *m_resources_read(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    const char *uri = NULL;
    json_t *vars, *contents;
    const struct mcp_resource *r;

    if (over_limit(c, e))
        return NULL;
    if (!(r = find_resource(c, params, e, &uri, &vars)))
        return NULL;
    contents = r->read(c, r, uri, vars, e);
    json_decref(vars);
    return contents ? json_pack("{s:o}", "contents", contents) : NULL;
}

static json_t *subscription(struct mcp_call *c, json_t *params, struct rpc_err *e, bool on)
{
    const char *uri = NULL;
    char key[MCP_SUBSCRIPTION_URI_MAX + 1];
    json_t *vars;

    if (!find_resource(c, params, e, &uri, &vars))
        return NULL;
    json_decref(vars);
    if (strlen(uri) > MCP_SUBSCRIPTION_URI_MAX || uri_canon(uri, key, sizeof(key)) < 0) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: a URI to subscribe to may have "
                    "at most %d bytes; this one has %zu", MCP_SUBSCRIPTION_URI_MAX, strlen(uri));
        return NULL;
    }
    /* keyed by the canonical form, so that alice%40example.com and alice@example.com are one
     * resource; the value is the client's own spelling, which its notifications carry */
    pthread_mutex_lock(&c->sess->lock);
    if (on && !json_object_get(c->sess->subscriptions, key) &&
        json_object_size(c->sess->subscriptions) >= MCP_SUBSCRIPTIONS_MAX) {
        pthread_mutex_unlock(&c->sess->lock);
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: this session already follows "
                    "%d resources, the most it may; unsubscribe from one first",
                    MCP_SUBSCRIPTIONS_MAX);
        return NULL;
    }
    if (on)
        json_object_set_new(c->sess->subscriptions, key, json_string(uri));
    else
        json_object_del(c->sess->subscriptions, key);
    pthread_mutex_unlock(&c->sess->lock);
    return json_object();
}

static json_t *m_subscribe(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return subscription(c, params, e, true);
}

static json_t *m_unsubscribe(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    return subscription(c, params, e, false);
}

/* subscriptions/listen (2026-07-28): a stream of the notifications the client opts in to, open
 * until it goes or the server stops. The ack says what is honoured: the list changes asked for,
 * and the resources that exist, that the caller may read and that fit the bounds; the rest is
 * left out, not refused. */
static json_t *mcp_listen(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    static const struct {
        const char *key;
        unsigned kind;
    } kinds[] = {{"toolsListChanged", LISTEN_TOOLS},
                 {"promptsListChanged", LISTEN_PROMPTS},
                 {"resourcesListChanged", LISTEN_RESOURCES}};
    json_t *want = json_object_get(params, "notifications"), *subs, *uris, *ack, *honoured;
    struct mcp_session *s = c->sess;
    size_t i, open = 0;
    json_t *u;

    if (!json_is_object(want)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: 'notifications' must be an "
                    "object (toolsListChanged, promptsListChanged, resourcesListChanged, "
                    "resourceSubscriptions)");
        return NULL;
    }
    uris = json_object_get(want, "resourceSubscriptions");
    if (uris && !json_is_array(uris)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: 'resourceSubscriptions' must be "
                    "an array of resource URIs");
        return NULL;
    }
    honoured = json_object();
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        json_t *v = json_object_get(want, kinds[i].key);
        if (v && !json_is_boolean(v)) {
            json_decref(honoured);
            rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: '%s' must be true or false",
                        kinds[i].key);
            return NULL;
        }
        if (json_is_true(v)) {
            c->listen_kinds |= kinds[i].kind;
            json_object_set_new(honoured, kinds[i].key, json_true());
        }
    }
    c->listen_subs = json_object();
    subs = json_array();
    json_array_foreach(uris, i, u) {
        char key[MCP_SUBSCRIPTION_URI_MAX + 1];
        const struct mcp_resource *r;
        json_t *vars = NULL;
        const char *uri = json_string_value(u);

        if (!uri || json_object_size(c->listen_subs) >= MCP_SUBSCRIPTIONS_MAX ||
            uri_canon(uri, key, sizeof(key)) < 0 ||
            !(r = registry_resource(&s->srv->reg, uri, &vars)) || !resource_visible(r, c)) {
            json_decref(vars);
            continue;
        }
        json_decref(vars);
        json_object_set_new(c->listen_subs, key, json_string(uri));
        json_array_append(subs, u);
    }
    if (json_array_size(uris))
        json_object_set(honoured, "resourceSubscriptions", subs);
    json_decref(subs);

    pthread_mutex_lock(&s->srv->lock);
    pthread_mutex_lock(&s->lock);
    for (struct mcp_call *o = s->inflight; o; o = o->next)
        open += o->listening;
    if (open < MCP_LISTENS_MAX)
        c->listening = true;
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_unlock(&s->srv->lock);
    if (open >= MCP_LISTENS_MAX) {
        json_decref(honoured);
        rpc_err_set(e, JSONRPC_INVALID_REQUEST, "Invalid Request: %d subscriptions/listen "
                    "streams are open on this connection, the most it may hold; close one first",
                    MCP_LISTENS_MAX);
        return NULL;
    }
    ack = json_pack("{s:o, s:{s:O}}", "notifications", honoured, "_meta",
                    "io.modelcontextprotocol/subscriptionId", c->id);
    mcp_send(c->out, jsonrpc_notification_new("notifications/subscriptions/acknowledged", ack));
    return json_object(); /* kept back: the stream's result is its end (listen_end_all) */
}

static const struct mcp_prompt *find_prompt(struct mcp_call *c, json_t *name, struct rpc_err *e)
{
    const struct mcp_prompt *p;

    if (!json_is_string(name)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: the prompt name must be a string");
        return NULL;
    }
    p = registry_prompt(&c->sess->srv->reg, json_string_value(name));
    if (!p)
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: unknown prompt '%.200s'",
                    json_string_value(name));
    return p;
}

static json_t *m_prompts_get(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    const struct mcp_prompt *p;
    json_t *args = json_object_get(params, "arguments"), *v;
    const char *key;

    if (over_limit(c, e) || !(p = find_prompt(c, json_object_get(params, "name"), e)))
        return NULL;
    if (args && !json_is_object(args)) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: 'arguments' must be an object");
        return NULL;
    }
    for (const struct mcp_prompt_arg *a = p->args; a && a->name; a++) {
        if (a->required && !json_object_get(args, a->name)) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: prompt '%s' needs the argument '%s'", p->name, a->name);
            return NULL;
        }
    }
    json_object_foreach(args, key, v) {
        const struct mcp_prompt_arg *a = p->args;
        while (a && a->name && strcmp(a->name, key))
            a++;
        if (!a || !a->name) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: prompt '%s' has no argument '%.64s'", p->name, key);
            return NULL;
        }
        if (!json_is_string(v)) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: prompt argument '%s' must be a string", key);
            return NULL;
        }
    }
    if (!args) {
        args = json_object();
        json_object_set_new(params, "arguments", args); /* params keeps it alive */
    }
    return p->get(c, p, args, e);
}

#define COMPLETION_MAX 100

static json_t *m_complete(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    json_t *ref = json_object_get(params, "ref"), *arg = json_object_get(params, "argument");
    const char *type = json_string_value(json_object_get(ref, "type"));
    const char *argname = json_string_value(json_object_get(arg, "name"));
    const char *value = json_string_value(json_object_get(arg, "value"));
    const struct mcp_completion *table = NULL;
    const void *ctx = NULL;
    bool known_arg = false;
    json_t *values;
    size_t total = 0;

    if (over_limit(c, e))
        return NULL;
    if (!type || !argname || !value) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                    "Invalid params: completion/complete needs ref.type, argument.name and "
                    "argument.value as strings");
        return NULL;
    }
    if (!strcmp(type, "ref/prompt")) {
        const struct mcp_prompt *p = find_prompt(c, json_object_get(ref, "name"), e);
        if (!p)
            return NULL;
        for (const struct mcp_prompt_arg *a = p->args; a && a->name; a++)
            known_arg |= !strcmp(a->name, argname);
        table = p->completions;
        ctx = p->ctx;
    } else if (!strcmp(type, "ref/resource")) {
        const char *uri = json_string_value(json_object_get(ref, "uri"));
        const struct mcp_resource *r = uri ? registry_template(&c->sess->srv->reg, uri) : NULL;
        char needle[80];
        if (!r || !resource_visible(r, c)) { /* one the role cannot read is not there for it */
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: no resource template '%.200s'", uri ? uri : "");
            return NULL;
        }
        snprintf(needle, sizeof(needle), "{%s}", argname);
        known_arg = strstr(r->uri, needle) != NULL;
        table = r->completions;
        ctx = r->ctx;
    } else {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                    "Invalid params: ref.type must be ref/prompt or ref/resource");
        return NULL;
    }
    if (!known_arg) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Invalid params: no argument '%.64s' to complete",
                    argname);
        return NULL;
    }
    values = json_array();
    for (; table && table->argument; table++) {
        if (strcmp(table->argument, argname))
            continue;
        if (table->complete) {
            const json_t *context = json_object_get(json_object_get(params, "context"),
                                                    "arguments");
            long n = table->complete(c, ctx, argname, value,
                                     json_is_object(context) ? context : NULL, values,
                                     COMPLETION_MAX - json_array_size(values), e);
            if (n < 0) {
                json_decref(values);
                return NULL;
            }
            total += (size_t)n;
            continue;
        }
        for (const char *const *v = table->values; v && *v; v++) {
            if (strncmp(*v, value, strlen(value)))
                continue;
            if (total++ < COMPLETION_MAX && json_array_size(values) < COMPLETION_MAX)
                json_array_append_new(values, json_string(*v));
        }
    }
    return json_pack("{s:{s:o, s:I, s:b}}", "completion", "values", values, "total",
                     (json_int_t)total, "hasMore", total > json_array_size(values));
}

static json_t *m_set_level(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    json_t *level = json_object_get(params, "level");
    int l = log_level_parse(json_string_value(level));

    if (l < 0) {
        rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                    "Invalid params: unknown log level '%.32s'; use one of %s",
                    json_is_string(level) ? json_string_value(level) : "", log_level_names());
        return NULL;
    }
    pthread_mutex_lock(&c->sess->lock);
    c->sess->log_level = (enum log_level)l;
    pthread_mutex_unlock(&c->sess->lock);
    return json_object();
}

static const struct mcp_method methods[] = {
    {"initialize", m_initialize, M_BEFORE_INIT | M_LEGACY},
    {"ping", m_ping, M_BEFORE_INIT | M_LEGACY},
    {"server/discover", m_discover, M_MODERN | M_CACHE},
    {"subscriptions/listen", mcp_listen, M_MODERN | M_STREAM},
    {"tools/list", m_tools_list, M_CACHE},
    {"tools/call", mcp_tools_call, M_WORKER | M_STREAM | M_INPUT},
    {"resources/list", m_resources_list, M_CACHE},
    {"resources/templates/list", m_templates_list, M_CACHE},
    {"resources/read", m_resources_read, M_WORKER | M_STREAM | M_CACHE | M_INPUT},
    {"resources/subscribe", m_subscribe, M_LEGACY},
    {"resources/unsubscribe", m_unsubscribe, M_LEGACY},
    {"prompts/list", m_prompts_list, M_CACHE},
    {"prompts/get", m_prompts_get, M_WORKER | M_STREAM | M_INPUT},
    /* on a worker: a completion may ask a node (Call-IDs, AORs) */
    {"completion/complete", m_complete, M_WORKER | M_STREAM},
    {"logging/setLevel", m_set_level, M_LEGACY},
};

const struct mcp_method *mcp_method_find(const char *name)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (!strcmp(methods[i].name, name))
            return &methods[i];
    return NULL;
}

bool mcp_method_long(struct mcp_session *s, const struct mcp_method *m, json_t *params)
{
    const char *name = json_string_value(json_object_get(params, "name"));
    const struct mcp_tool *t;

    if (m->fn != mcp_tools_call || !name)
        return false;
    t = registry_tool(&s->srv->reg, name, NULL);
    return t && (t->flags & TOOL_F_LONG);
}

/* The methods that run on a worker are the ones whose handlers may wait and talk meanwhile;
 * and a listen stream is nothing but talk. */
bool mcp_method_streams(const char *method)
{
    const struct mcp_method *m = method ? mcp_method_find(method) : NULL;
    return m && (m->flags & M_STREAM);
}

static void n_initialized(struct mcp_session *s, json_t *params)
{
    (void)s, (void)params;
    log_msg(LOG_DEBUG, "client initialized");
}

static void n_cancelled(struct mcp_session *s, json_t *params)
{
    json_t *id = json_object_get(params, "requestId");

    if (json_is_string(id) || json_is_integer(id))
        mcp_session_cancel(s, id);
}

static const struct mcp_notification notifications[] = {
    {"notifications/initialized", n_initialized},
    {"notifications/cancelled", n_cancelled},
};

const struct mcp_notification *mcp_notification_find(const char *name)
{
    for (size_t i = 0; i < sizeof(notifications) / sizeof(notifications[0]); i++)
        if (!strcmp(notifications[i].name, name))
            return &notifications[i];
    return NULL;
}
