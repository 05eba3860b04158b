/* tools/reload: make OpenSIPS re-read its provisioning tables — one module at a time, or a
 * chain over many (the Python server's reload_data_tables) with progress, cancellation and an
 * outcome per module. tls_reload is guarded: it crashes 4.0.1 when proto_tls is loaded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/call.h"
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

/* The gate's check leaves the run the chain's guarded steps as its verdict (struct
 * mcp_needs.verdict): a bit per step of reload_targets to skip. */
_Static_assert(NTARGETS <= sizeof(unsigned long) * 8, "a bit per reload target");

/* The gate's check of the chain: each chosen step the known defects guard is asked about as a
 * call of its own without force (never crash a node from a batch: the single tool takes force),
 * and skipped when refused; the chain itself goes on. May ask the node `which`. */
static bool chain_check(struct mcp_call *c, const json_t *args, struct mcp_needs *n,
                        json_t **result)
{
    struct tool_ctx x = tool_ctx_of(c, args);
    json_t *noforce = json_object();
    unsigned long skip = 0;

    (void)result;
    for (size_t i = 0; i < NTARGETS; i++) {
        json_t *refusal = NULL;
        if (!chosen(json_object_get(args, "targets"), reload_targets[i].module) ||
            guard_allows(&x, noforce, reload_targets[i].command, &refusal))
            continue;
        json_decref(refusal);
        mcp_call_set_outcome(c, NULL); /* a skipped step, not the call's outcome */
        skip |= 1ul << i;
    }
    json_decref(noforce);
    n->verdict = skip; /* the run skips these steps */
    return true;
}

/* The question names the modules whose tables would be reloaded; the gate checks the guarded
 * ones (chain_check) before it asks. */
static json_t *chain_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                           struct mcp_needs *n)
{
    const struct reload_target *plan[NTARGETS];
    size_t k = plan_of(args, plan), used;

    (void)c, (void)d;
    n->check = chain_check;
    n->subject = NULL;
    used = (size_t)snprintf(n->what, sizeof(n->what), "reload the tables of ");
    for (size_t i = 0; i < k && used < sizeof(n->what); i++)
        used += (size_t)snprintf(n->what + used, sizeof(n->what) - used, "%s%s", i ? ", " : "",
                                 plan[i]->module);
    if (used < sizeof(n->what))
        snprintf(n->what + used, sizeof(n->what) - used, " on node %s",
                 tool_node(args) ? tool_node(args) : "default");
    return NULL;
}

static json_t *reload_chain_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct mcp_call *c = x->call;
    bool stop_on_error = json_is_true(json_object_get(args, "stop_on_error"));
    json_t *delay_arg = json_object_get(args, "delay_ms_between");
    unsigned delay = json_is_integer(delay_arg) ? (unsigned)json_integer_value(delay_arg) : 100;
    const struct reload_target *plan[NTARGETS];
    size_t n = plan_of(args, plan), reloaded = 0, skipped = 0, failed = 0;
    json_t *steps, *out;
    bool stopped = false, cancelled = false;
    unsigned long skip = mcp_call_verdict(c);

    (void)e; /* a failed step is an outcome of the chain, not of the call */
    steps = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct reload_target *tg = plan[i];
        struct tool_error se = {0};
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
        if (skip & (1ul << (tg - reload_targets))) {
            json_array_append_new(steps, step(tg->module, tg->command, "skipped",
                                              "known to crash this node; run tls_reload "
                                              "with force: true if you must"));
            skipped++;
        } else if (tool_mi(x, tg->command, NULL, &result, &se) == TOOL_OK) {
            json_array_append_new(steps, step(tg->module, tg->command, "reloaded", NULL));
            reloaded++;
        } else if (se.kind == TOOL_E_UNSUPPORTED) {
            json_array_append_new(steps, step(tg->module, tg->command, "skipped",
                                              "module not loaded on this node"));
            skipped++;
        } else {
            json_array_append_new(steps, step(tg->module, tg->command, "failed", se.text));
            failed++;
            stopped = stop_on_error;
        }
        json_decref(result);
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
    out = json_pack("{s:s, s:I, s:I, s:I, s:b, s:b, s:o}", "node", x->node ? x->node : "default",
                    "reloaded", (json_int_t)reloaded, "skipped", (json_int_t)skipped, "failed",
                    (json_int_t)failed, "stopped_on_error", stopped, "cancelled", cancelled,
                    "steps", steps);
    return json_pack("{s:o}", "result", out);
}

/* Reloading TLS is known to crash OpenSIPS 4.0 with proto_tls: the gate checks the row's
 * guarded command (force overrides) before it asks the user. */
static json_t *tls_reload_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                                struct mcp_needs *n)
{
    (void)c, (void)d;
    snprintf(n->what, sizeof(n->what), "reload the TLS domains and certificates on node %s%s",
             tool_node(args) ? tool_node(args) : "default",
             json_is_true(json_object_get(args, "force"))
                 ? ", although this is known to crash OpenSIPS when proto_tls is loaded"
                 : "");
    return NULL;
}

/* A failure of `cmd` with the known defect behind it said: "<what failed>. Known defect: ...". */
static void *with_defect(struct tool_error *e, const char *cmd)
{
    char detail[sizeof(e->text)];

    snprintf(detail, sizeof(detail), "%s", e->text);
    snprintf(e->text, sizeof(e->text), "%.300s. Known defect: %s.", detail, guard_note(cmd));
    return NULL;
}

static json_t *tls_reload_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *result = NULL;

    (void)args;
    if (tool_mi(x, "tls_mgm:reload", NULL, &result, e) != TOOL_OK)
        return with_defect(e, "tls_mgm:reload");
    json_decref(result);
    return json_pack("{s:{s:s, s:b}}", "result", "node", x->node ? x->node : "default",
                     "reloaded", 1);
}

#define WRITE (TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT)

static const struct tool_def reload_tools[] = {
    {.name = "reload_data_tables",
     .title = "Reload provisioning tables",
     .description = "Reloads many modules' tables in dependency order, pausing between reloads, with progress "
                    "and an outcome each (reloaded, skipped when not loaded or guarded, failed).",
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
     .run = reload_chain_run,
     .needs = chain_needs,
     .mapping = "each target's reload in order (domain:reload, permissions:address_reload, "
                "dialplan:reload, dispatcher:reload, drouting:reload, load_balancer:reload, "
                "carrierroute:reload_routes, fraud_detection:reload, tls_mgm:reload); a module the node "
                "lacks is skipped, tls_mgm skipped when guarded. New: progress, cancellation"},
    {.name = "domain_reload",
     .title = "Reload domains",
     .description = "Makes OpenSIPS re-read the domain table.",
     .toolset = "reload",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "domain:reload"},
     .mapping = "domain:reload (3.x domain_reload; 4.0 dropped that name)"},
    {.name = "fraud_reload",
     .title = "Reload fraud rules",
     .description = "Makes OpenSIPS re-read the fraud_detection profiles and rules.",
     .toolset = "reload",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "fraud_detection:reload"},
     .mapping = "fraud_detection:reload (3.x fraud_reload)"},
    {.name = "tls_reload",
     .title = "Reload TLS domains",
     .description = "Reloads TLS domains and certificates. Refused unless force: true where it crashes "
                    "OpenSIPS (4.0 with proto_tls loaded).",
     .toolset = "reload",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "tls_mgm:reload"},
     .args = ARGS({.name = "force", .type = T_BOOLEAN,
                   .description = "true to send it although it crashes OpenSIPS 4.0 with proto_tls"}),
     .run = tls_reload_run,
     .needs = tls_reload_needs,
     .mapping = "tls_mgm:reload (3.x tls_reload), guarded (src/tools/guards.c): `which` tells whether "
                "proto_tls is loaded. Fixed: errors are isError results, not {reloaded:false}"},
};
ROW_TABLE(reload, reload_tools);
