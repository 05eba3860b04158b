/* gate: the one place every tool call passes, like Redis's processCommand(): the tool exists,
 * the role and read-only mode allow it, the arguments fit its schema, the call's own needs (more
 * scopes by its arguments, a known-defect check, the user's confirmation of a change) are met,
 * the audit trail has the call (flushed first for a write), then the handler runs and the trail
 * gets the outcome. No handler asks for confirmation itself: a tool that changes state cannot
 * forget to. */
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

/* "'mi.read'", "'mi.read' and 'mi.write'", ... for the scopes in `set`; how many in *k. */
static void scope_list(scopes_t set, char *list, size_t n, size_t *k)
{
    const char *names[SCOPE_COUNT];
    size_t used = 0;

    *k = 0;
    list[0] = '\0';
    for (int sc = 0; sc < SCOPE_COUNT; sc++)
        if (set & SCOPE_BIT(sc))
            names[(*k)++] = scope_name((enum scope)sc);
    for (size_t i = 0; i < *k; i++) {
        int w = snprintf(list + used, n - used, "%s'%s'", !i ? "" : i + 1 < *k ? ", " : " and ",
                         names[i]);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

/* Why this session may not call tool t (a sentence), or NULL when it may. */
const char *mcp_tool_refusal(const struct mcp_session *s, const struct mcp_tool *t, char *buf,
                           size_t n)
{
    if (s->srv->settings->read_only && !(t->flags & TOOL_F_READONLY)) {
        snprintf(buf, n, "tool '%s' changes state, and this server runs in read-only mode", t->name);
        return buf;
    }
    /* A tool needs every scope of its row ((role & scope) == scope): name each one missing. */
    scopes_t missing = t->scope & ~s->role->scopes;
    if (missing) {
        char list[256];
        size_t k;
        scope_list(missing, list, sizeof(list), &k);
        snprintf(buf, n, "permission denied: tool '%s' needs the scope%s %s, which role '%s' "
                 "does not have; ask an administrator for a role with %s", t->name,
                 k > 1 ? "s" : "", list, s->role->name, k > 1 ? "them" : "it");
        return buf;
    }
    return NULL;
}

/* The first revision with resource_link content (server/tools.mdx, "Resource Links"): an
 * older client's schema has no such content type. Revisions compare as dates. */
#define LINKS_SINCE "2025-06-18"

/* A result with structuredContent also carries it as compact JSON text (server/tools.mdx,
 * "Structured Content": SHOULD, for clients that read only content); a successful one gets
 * the tool's resource links after it. */
static json_t *finish_tool_result(struct mcp_call *c, const struct mcp_tool *t,
                                  const json_t *args, const json_t *out_schema, json_t *r)
{
    json_t *sc = json_object_get(r, "structuredContent");

    if (sc && !json_object_get(r, "content")) {
        char *text = json_dumps(sc, JSON_COMPACT | JSON_ENCODE_ANY);
        json_object_set_new(r, "content", json_pack("[o]", content_text(text)));
        free(text);
    }
    if (out_schema && !json_is_true(json_object_get(r, "isError"))) {
        char why[512];
        if (!sc || schema_validate(out_schema, sc, why, sizeof(why)) < 0) {
            log_msg(LOG_ERROR, "tool '%s' returned a result that breaks its outputSchema: %s",
                    t->name, sc ? why : "no structuredContent");
            json_decref(r);
            return content_error_result("internal error: tool '%s' produced a result that does "
                                        "not match its output schema; please report this",
                                        t->name);
        }
    }
    if (t->links && !json_is_true(json_object_get(r, "isError")) &&
        strcmp(c->sess->version, LINKS_SINCE) >= 0) {
        json_t *links = t->links(c, t, args, sc), *content = json_object_get(r, "content");
        if (json_is_array(content) && links)
            json_array_extend(content, links);
        json_decref(links);
    }
    return r;
}

/* Longest reason written on a log line; the audit record and the client get all of it. */
#define REFUSAL_LOG_MAX 200

/* A refusal the model reads, recorded in the audit trail first. The log line says why too,
 * cut to REFUSAL_LOG_MAX bytes (at a character boundary) on one line. */
static json_t *refuse_call(struct mcp_call *c, const struct audit_call *ac, const char *text)
{
    char why[REFUSAL_LOG_MAX + 1];
    size_t n = 0;

    for (const char *p = text; *p && n < REFUSAL_LOG_MAX; p++)
        why[n++] = (unsigned char)*p < 0x20 ? ' ' : *p;
    if (text[n])
        while (n && ((unsigned char)text[n] & 0xC0) == 0x80) /* not inside a UTF-8 sequence */
            n--;
    why[n] = '\0';
    audit_refused(c->sess->srv->audit, ac, AUDIT_REFUSED, text);
    log_msg(LOG_NOTICE, "refused tools/call %s for %s (role %s): %s%s", ac->tool, ac->principal,
            ac->role, why, text[n] ? "..." : "");
    return content_error_result("%s", text);
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Ask the user before a call that changes state: confirm: true in the arguments, else an
 * elicitation when the client supports it (client/elicitation.mdx). NULL to go on; otherwise
 * the result saying nothing was changed and why, with the call's outcome set. */
static json_t *confirm_call(struct mcp_call *c, const json_t *args, const char *what)
{
    unsigned timeout = c->sess->srv->settings->client_timeout_ms;
    json_t *answer, *params, *result = NULL;
    const char *action;
    char err[512];

    if (json_is_true(json_object_get(args, "confirm")))
        return NULL;
    if (!mcp_call_client_supports(c, "elicitation")) {
        mcp_call_set_outcome(c, "unconfirmed");
        return content_error_result(
            "Not done: this would %s, which changes state. Nothing was changed. Ask the user to "
            "confirm, then call again with confirm: true.",
            what);
    }
    params = json_pack("{s:s++, s:{s:s, s:{s:{s:s, s:s, s:s}}, s:[s]}}", "message",
                       "Confirm: ", what, "?", "requestedSchema", "type", "object", "properties",
                       "confirm", "type", "boolean", "title", "Go ahead", "description",
                       "Yes to make this change", "required", "confirm");
    if (!params)
        return content_error_result("Not done: out of memory while asking to %s", what);
    answer = mcp_call_client_request(c, "confirm", "elicitation/create", params, timeout, err,
                                     sizeof(err));
    if (!answer && mcp_call_input_pending(c)) /* modern: the call answers input_required */
        return content_error_result("Not done: waiting for the user to confirm.");
    action = json_string_value(json_object_get(answer, "action"));
    if (!action || strcmp(action, "accept") ||
        !json_is_true(json_object_get(json_object_get(answer, "content"), "confirm"))) {
        mcp_call_set_outcome(c, "declined");
        result = content_error_result(
            "Not done: the user did not confirm that this server should %s (%s). Nothing was "
            "changed.",
            what, action ? action : answer ? "no answer" : err);
    }
    json_decref(answer);
    return result;
}

/* What the call needs beyond its tool's scope (the tool's needs hook over the defaults): NULL
 * with *n filled, or a result that ends the call before anything is sent. */
static json_t *call_needs(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                          struct mcp_needs *n)
{
    json_t *r;

    *n = (struct mcp_needs){.confirm = (t->flags & TOOL_F_CONFIRM) != 0};
    snprintf(n->what, sizeof(n->what), "run the tool '%s'", t->name);
    r = t->needs ? t->needs(c, t, args, n) : NULL;
    utf8_truncate(n->what, sizeof(n->what) - 1);
    return r;
}

/* The one place every tool call passes, like Redis's processCommand(): the tool exists, the role
 * and read-only mode allow it, the arguments fit its schema, the call's own needs (more scopes by
 * its arguments, a known-defect check, the user's confirmation of a change) are met, the audit
 * trail has the call (flushed first for a write), then the handler runs and the trail gets the
 * outcome. No handler asks for confirmation itself: a tool that changes state cannot forget to. */
/* The gate's first checks, which need only the request: the role may call the tool, the
 * principal is within its share, the arguments are an object valid against the schema. NULL
 * to go on, else the refusal (audited). */
static json_t *check_request(struct mcp_call *c, const struct mcp_tool *t, size_t index,
                             json_t *args, struct audit_call *ac)
{
    char why[512], text[1024];

    if (mcp_tool_refusal(c->sess, t, why, sizeof(why)))
        return refuse_call(c, ac, why);
    if (c->over_limit) {
        mcp_over_limit_text(c, why, sizeof(why));
        return refuse_call(c, ac, why);
    }
    if (!json_is_object(args)) {
        snprintf(text, sizeof(text), "Invalid arguments for tool '%s': arguments must be an object "
                 "of named values", t->name);
        return refuse_call(c, ac, text);
    }
    if (schema_validate(registry_input_schema(&c->sess->srv->reg, index), args, why,
                        sizeof(why)) < 0) {
        snprintf(text, sizeof(text), "Invalid arguments for tool '%s': %s. Fix the arguments and "
                 "call again; the tool's inputSchema describes them.", t->name, why);
        return refuse_call(c, ac, text);
    }
    if (log_threshold() == LOG_DEBUG) {
        json_t *red = log_redact(args);
        char *dump = json_dumps(red, JSON_COMPACT);
        log_msg(LOG_DEBUG, "tools/call %s %s", t->name, dump ? dump : "");
        free(dump);
        json_decref(red);
    }
    return NULL;
}

/* What this call needs (the tool's needs hook), and the scopes that adds. NULL to go on with
 * *needs filled, else the refusal (audited). */
static json_t *check_needs(struct mcp_call *c, const struct mcp_tool *t, json_t *args,
                           struct mcp_needs *needs, struct audit_call *ac)
{
    json_t *result;
    char text[1024], list[256];
    size_t k;

    result = call_needs(c, t, args, needs);
    if (needs->node[0])
        ac->node = needs->node; /* the box the call is about, by its name: the audit's */
    if (result) {
        const char *rt = json_string_value(json_object_get(
            json_array_get(json_object_get(result, "content"), 0), "text"));
        audit_refused(c->sess->srv->audit, ac, AUDIT_REFUSED, rt ? rt : "refused by the tool");
        return result;
    }
    if (!(needs->scopes & ~c->sess->role->scopes))
        return NULL;
    scope_list(needs->scopes & ~c->sess->role->scopes, list, sizeof(list), &k);
    snprintf(text, sizeof(text), "permission denied: %s, so tool '%s' also needs the scope%s "
             "%s, which role '%s' does not have; ask an administrator for a role with %s",
             needs->scope_why[0] ? needs->scope_why : "this call", t->name, k > 1 ? "s" : "",
             list, c->sess->role->name, k > 1 ? "them" : "it");
    return refuse_call(c, ac, text);
}

/* The call, audited: the last check (a known defect), the user's confirmation, the handler,
 * the result checked against the output schema. */
static json_t *run_audited(struct mcp_call *c, const struct mcp_tool *t, size_t index,
                           json_t *args, struct mcp_needs *needs, struct audit_call *ac)
{
    struct audit *audit = c->sess->srv->audit;
    json_t *result = NULL;
    struct timespec t0;
    uint64_t id;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (audit_begin(audit, ac, &id) < 0 && ac->write)
        return content_error_result("Not done: tool '%s' changes state and the audit trail cannot "
                                    "be written; nothing was sent. Check the audit destination "
                                    "(--audit) and the disk.", t->name);
    if (needs->check && !needs->check(c, args, needs, &result) && !result)
        result = content_error_result("Not sent: tool '%s' was refused by its check", t->name);
    c->verdict = needs->verdict;
    if (!result && needs->confirm)
        result = confirm_call(c, args, needs->what);
    if (!result && !(result = t->handler(c, t, args)))
        result = content_error_result("Tool '%s' failed: out of memory", t->name);
    result = finish_tool_result(c, t, args, registry_output_schema(&c->sess->srv->reg, index),
                                result);
    bool failed = json_is_true(json_object_get(result, "isError"));
    const char *err_text = failed ? json_string_value(json_object_get(
                                        json_array_get(json_object_get(result, "content"), 0),
                                        "text"))
                                  : NULL;
    audit_end(audit, id, ac, c->outcome ? c->outcome : failed ? "error" : NULL, err_text,
              elapsed_ms(&t0));
    return result;
}

/* The gate every tool call passes, in this order: the tool exists, the role may call it, the
 * arguments are valid, what the call needs (the tool's hook: the node's module, more scopes,
 * a known defect, a question) is allowed, the audit trail is written, the user agreed; only
 * then the handler. */
json_t *mcp_tools_call(struct mcp_call *c, json_t *params, struct rpc_err *e)
{
    json_t *name = mcp_str_param(params, "name", e), *args, *result;
    const struct mcp_tool *t;
    struct audit_call ac;
    struct mcp_needs needs;
    size_t index;

    if (!name)
        return NULL;
    args = json_object_get(params, "arguments");
    if (!args || json_is_null(args)) {
        args = json_object();
        json_object_set_new(params, "arguments", args); /* params keeps it alive */
    }
    ac = (struct audit_call){
        .principal = c->sess->principal, .role = c->sess->role->name,
        .tool = json_string_value(name), .args = args,
        .node = json_string_value(json_object_get(args, "node")),
    };
    if (!(t = registry_tool(&c->sess->srv->reg, json_string_value(name), &index))) {
        audit_refused(c->sess->srv->audit, &ac, AUDIT_REFUSED, "unknown tool");
        rpc_err_set(e, JSONRPC_INVALID_PARAMS, "Unknown tool: %.200s", json_string_value(name));
        return NULL;
    }
    c->tool = t;
    ac.write = !(t->flags & TOOL_F_READONLY);
    if ((result = check_request(c, t, index, args, &ac)) ||
        (result = check_needs(c, t, args, &needs, &ac)))
        return result;
    return run_audited(c, t, index, args, &needs, &ac);
}

