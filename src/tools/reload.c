/* tools/reload: make OpenSIPS re-read its provisioning tables — one module at a time, or a
 * chain over many (the Python server's reload_data_tables) with progress, cancellation and an
 * outcome per module. tls_reload is guarded: it crashes 4.0.1 when proto_tls is loaded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/guards.h"
#include "tools/row.h"
#include "tools/tool.h"

/* The chain, in dependency order: who may call (domain, permissions) before how numbers are
 * rewritten (dialplan), before where calls go, then fraud limits and TLS. */
static const struct reload_target {
    const char *module, *command;
} reload_targets[] = {
    {"domain", "domain:reload"},
    {"permissions", "permissions:address_reload"},
    {"dialplan", "dialplan:reload"},
    {"dispatcher", "dispatcher:reload"},
    {"drouting", "drouting:reload"},
    {"load_balancer", "load_balancer:reload"},
    {"carrierroute", "carrierroute:reload_routes"},
    {"fraud_detection", "fraud_detection:reload"},
    {"tls_mgm", "tls_mgm:reload"},
};
#define NTARGETS (sizeof(reload_targets) / sizeof(reload_targets[0]))

static bool chosen(const json_t *targets, const char *module)
{
    json_t *v;
    size_t i;

    if (!json_is_array(targets) || !json_array_size(targets))
        return true;
    json_array_foreach(targets, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), module))
            return true;
    return false;
}

static json_t *step(const char *module, const char *command, const char *outcome,
                    const char *detail)
{
    json_t *s = json_pack("{s:s, s:s, s:s}", "target", module, "command", command, "outcome",
                          outcome);
    if (detail)
        json_object_set_new(s, "detail", json_string(detail));
    return s;
}

/* The chain's steps the arguments choose, in order, into plan; returns how many. */
static size_t plan_of(const json_t *args, const struct reload_target **plan)
{
    const json_t *targets = json_object_get(args, "targets");
    size_t n = 0;

    for (size_t i = 0; i < NTARGETS; i++)
        if (chosen(targets, reload_targets[i].module))
            plan[n++] = &reload_targets[i];
    return n;
}

/* The question names the modules whose tables would be reloaded. */
static json_t *chain_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                           struct mcp_needs *n)
{
    const struct reload_target *plan[NTARGETS];
    size_t k = plan_of(args, plan), used;

    (void)c, (void)d;
    used = (size_t)snprintf(n->what, sizeof(n->what), "reload the tables of ");
    for (size_t i = 0; i < k && used < sizeof(n->what); i++)
        used += (size_t)snprintf(n->what + used, sizeof(n->what) - used, "%s%s", i ? ", " : "",
                                 plan[i]->module);
    if (used < sizeof(n->what))
        snprintf(n->what + used, sizeof(n->what) - used, " on node %s",
                 tool_node(args) ? tool_node(args) : "default");
    return NULL;
}

static json_t *t_reload_data_tables(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    struct mi_client *mi = tool_backends_of(c)->mi;
    const char *node = tool_node(args);
    bool stop_on_error = json_is_true(json_object_get(args, "stop_on_error"));
    json_t *delay_arg = json_object_get(args, "delay_ms_between");
    unsigned delay = json_is_integer(delay_arg) ? (unsigned)json_integer_value(delay_arg) : 100;
    const struct reload_target *plan[NTARGETS];
    size_t n = 0, reloaded = 0, skipped = 0, failed = 0;
    json_t *steps = json_array(), *out;
    bool stopped = false, cancelled = false;

    (void)t;
    n = plan_of(args, plan);
    for (size_t i = 0; i < n; i++) {
        const struct reload_target *tg = plan[i];
        struct mi_error e;
        json_t *result = NULL;
        char msg[160];

        if (!stopped && !cancelled &&
            ((i && delay && mcp_call_sleep_ms(c, delay) < 0) || mcp_call_cancelled(c)))
            cancelled = true;
        if (stopped || cancelled) {
            json_array_append_new(steps, step(tg->module, tg->command, "not_run",
                                              cancelled ? "the call was cancelled"
                                                        : "stopped after a failure"));
            continue;
        }
        if (guard_find(tg->command)) {
            /* never crash a node from a batch: the single tool takes force */
            json_t *refusal = NULL;
            json_t *noforce = json_object();
            bool ok = guard_allows(c, noforce, node, tg->command, &refusal);
            json_decref(noforce);
            if (!ok) {
                json_decref(refusal);
                mcp_call_set_outcome(c, NULL); /* a skipped step, not the call's outcome */
                json_array_append_new(steps, step(tg->module, tg->command, "skipped",
                                                  "known to crash this node; run tls_reload "
                                                  "with force: true if you must"));
                skipped++;
                goto progress;
            }
        }
        if (mi_client_call(mi, node, tg->command, NULL, 0, &result, &e) == MI_OK) {
            json_array_append_new(steps, step(tg->module, tg->command, "reloaded", NULL));
            reloaded++;
        } else if (e.err == MI_ERR_UNKNOWN_COMMAND) {
            json_array_append_new(steps, step(tg->module, tg->command, "skipped",
                                              "module not loaded on this node"));
            skipped++;
        } else {
            json_array_append_new(steps, step(tg->module, tg->command, "failed", e.text));
            failed++;
            stopped = stop_on_error;
        }
        json_decref(result);
    progress:
        /* The last step's outcome travels in the result: a notification just before it is
         * dropped (and reported as an error) by the TypeScript SDK, which handles it late. */
        if (i + 1 == n)
            continue;
        snprintf(msg, sizeof(msg), "%s: %s", tg->module,
                 tool_str(json_array_get(steps, json_array_size(steps) - 1), "outcome", "?"));
        mcp_call_progress(c, (double)(i + 1), (double)n, msg);
    }
    if (cancelled)
        mcp_call_set_outcome(c, "cancelled");
    else if (failed)
        mcp_call_set_outcome(c, "partial_failure");
    out = json_pack("{s:s, s:I, s:I, s:I, s:b, s:b, s:o}", "node", node ? node : "default",
                    "reloaded", (json_int_t)reloaded, "skipped", (json_int_t)skipped, "failed",
                    (json_int_t)failed, "stopped_on_error", stopped, "cancelled", cancelled,
                    "steps", steps);
    return content_structured_result(json_pack("{s:o}", "result", out));
}

/* Reloading TLS is known to crash OpenSIPS 4.0 with proto_tls: the gate checks it (force
 * overrides) before it asks the user. */
static json_t *tls_reload_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                                struct mcp_needs *n)
{
    (void)c, (void)d;
    n->subject = "tls_mgm:reload";
    n->check = tool_guard_check;
    snprintf(n->what, sizeof(n->what), "reload the TLS domains and certificates on node %s%s",
             tool_node(args) ? tool_node(args) : "default",
             json_is_true(json_object_get(args, "force"))
                 ? ", although this is known to crash OpenSIPS when proto_tls is loaded"
                 : "");
    return NULL;
}

static json_t *t_tls_reload(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    struct mi_client *mi = tool_backends_of(c)->mi;
    const char *node = tool_node(args);
    json_t *out, *result = NULL;
    struct mi_error e;

    /* the gate checked the known defect and asked the user (tls_reload_needs) */
    if (mi_client_call(mi, node, "tls_mgm:reload", NULL, 0, &result, &e) != MI_OK) {
        mcp_call_set_outcome(c, mi_err_name(e.err));
        return content_error_result("%s failed (%s): %s. Known defect: %s.", t->name,
                                    mi_err_name(e.err), e.text, guard_note("tls_mgm:reload"));
    }
    json_decref(result);
    out = json_pack("{s:s, s:b}", "node", node ? node : "default", "reloaded", 1);
    return content_structured_result(json_pack("{s:o}", "result", out));
}

#define WRITE (TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT)

static const struct tool_def reload_tools[] = {
    {.name = "reload_data_tables",
     .title = "Reload provisioning tables",
     .description = "Reloads many modules' tables in dependency order, pausing between reloads, with progress "
                    "and an outcome each (reloaded, skipped when not loaded or guarded, failed). Asks the "
                    "user to confirm.",
     .toolset = "reload",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .args = ARGS({.name = "targets", .type = T_ARRAY, .max_len = 16, .item = ITEM(.type = T_STRING, .values = VALUES("domain", "permissions", "dialplan", "dispatcher", "drouting", "load_balancer", "carrierroute", "fraud_detection", "tls_mgm")),
                   .description = "Modules to reload, in this server's order (default: all loaded): "
                                  "domain, permissions, dialplan, dispatcher, drouting, load_balancer, carrierroute, "
                                  "fraud_detection, tls_mgm"},
                  {.name = "stop_on_error", .type = T_BOOLEAN, .def = "false",
                   .description = "true to stop at the first failed reload (default false)"},
                  {.name = "delay_ms_between", .type = T_INTEGER, MINIMUM(0), MAXIMUM(10000), .def = "100",
                   .description = "Pause between two reloads, in milliseconds (default 100)"}),
     .result = FIELDS({.name = "reloaded", .type = T_INTEGER},
                      {.name = "skipped", .type = T_INTEGER},
                      {.name = "failed", .type = T_INTEGER},
                      {.name = "steps", .type = T_ARRAY, .item = ITEM(.type = T_OBJECT, .fields = FIELDS({.name = "target", .type = T_STRING},
               {.name = "outcome", .type = T_STRING, .values = VALUES("reloaded", "skipped", "failed", "not_run")}))}),
     .handler = t_reload_data_tables,
     .needs = chain_needs,
     .mapping = "each target's reload in order (domain:reload, permissions:address_reload, "
                "dialplan:reload, dispatcher:reload, drouting:reload, load_balancer:reload, "
                "carrierroute:reload_routes, fraud_detection:reload, tls_mgm:reload); a module the node "
                "lacks is skipped, tls_mgm skipped when guarded. New: progress, cancellation"},
    {.name = "domain_reload",
     .title = "Reload domains",
     .description = "Makes OpenSIPS re-read the domain table. Asks the user to confirm.",
     .toolset = "reload",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "domain:reload"},
     .mapping = "domain:reload (3.x domain_reload; 4.0 dropped that name)"},
    {.name = "fraud_reload",
     .title = "Reload fraud rules",
     .description = "Makes OpenSIPS re-read the fraud_detection profiles and rules. Asks the user to confirm.",
     .toolset = "reload",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "fraud_detection:reload"},
     .mapping = "fraud_detection:reload (3.x fraud_reload)"},
    {.name = "tls_reload",
     .title = "Reload TLS domains",
     .description = "Reloads TLS domains and certificates. Refused unless force: true where it crashes "
                    "OpenSIPS (4.0 with proto_tls loaded). Asks the user to confirm.",
     .toolset = "reload",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "tls_mgm:reload"},
     .args = ARGS({.name = "force", .type = T_BOOLEAN,
                   .description = "true to send it although it crashes OpenSIPS 4.0 with proto_tls"}),
     .handler = t_tls_reload,
     .needs = tls_reload_needs,
     .mapping = "tls_mgm:reload (3.x tls_reload), guarded (src/tools/guards.c): `which` tells whether "
                "proto_tls is loaded. Fixed: errors are isError results, not {reloaded:false}"},
};
ROW_TABLE(reload, reload_tools);
