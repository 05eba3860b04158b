/* tools/tracer: SIP tracing (OpenSIPS tracer). trace_control keeps the Python server's one tool
 * with an action: status is tracer:trace, start a dynamic trace_start, stop trace_stop. OpenSIPS
 * 4.0.1's trace_stop answers OK but removes nothing unless the id is the newest dynamic trace,
 * so every stop is verified by listing the traces again. */
#include <stdio.h>
#include <string.h>

#include "auth/roles.h"
#include "mcp/content.h"
#include "tools/row.h"
#include "tools/tool.h"

#define TRACE_ID_DEFAULT "mcp"

/* Whether the trace destinations of a tracer:trace result list `id`; *names gets them all. */
static bool trace_listed(const json_t *status, const char *id, char *names, size_t n)
{
    json_t *d;
    size_t i, used = 0;
    bool found = false;

    *names = '\0';
    json_array_foreach(json_object_get(status, "trace destinations"), i, d) {
        const char *name = tool_str(d, "name", "?");
        int w = snprintf(names + used, n - used, "%s%s (%s)", used ? ", " : "", name,
                         tool_str(d, "state", "?"));
        if (w > 0 && (size_t)w < n - used)
            used += (size_t)w;
        found |= !strcmp(name, id);
    }
    return found;
}

/* status only reads: no question. start needs a destination before anyone is asked. */
static json_t *trace_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                           struct mcp_needs *n)
{
    const char *action = tool_str(args, "action", ""), *uri = tool_str(args, "trace_uri", NULL);
    const char *id = tool_str(args, "trace_id", TRACE_ID_DEFAULT);
    const char *node = tool_node(args) ? tool_node(args) : "default";

    (void)c;
    if (!strcmp(action, "status")) {
        n->confirm = false;
        return NULL;
    }
    if (!strcmp(action, "start") && !uri)
        return content_error_result("%s: start needs trace_uri: where to send the copies "
                                    "(sip:HOST:PORT, or hep:HOST:PORT with proto_hep)",
                                    d->name);
    if (!strcmp(action, "start"))
        snprintf(n->what, sizeof(n->what), "start tracing all SIP traffic to %s (trace id '%s') "
                 "on node %s", uri, id, node);
    else
        snprintf(n->what, sizeof(n->what), "stop the dynamic trace '%s' on node %s", id, node);
    return NULL;
}

static json_t *trace_control_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *action = tool_str(args, "action", "");
    const char *uri = tool_str(args, "trace_uri", NULL);
    const char *id = tool_str(args, "trace_id", TRACE_ID_DEFAULT);
    json_t *params = NULL, *result = NULL, *status = NULL, *out = NULL;
    struct tool_error le;
    char names[512];

    if (!strcmp(action, "status"))
        return tool_mi(x, "tracer:trace", NULL, &result, e) == TOOL_OK
                   ? json_pack("{s:o}", "result", result) : NULL;
    if (!strcmp(action, "start")) {
        if (!uri)
            return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "start needs trace_uri: where to send "
                             "the copies (sip:HOST:PORT, or hep:HOST:PORT with proto_hep)");
        params = json_pack("{s:s, s:s}", "id", id, "uri", uri);
        if (tool_mi(x, "tracer:start", params, &result, e) == TOOL_OK)
            out = json_pack("{s:{s:s, s:s, s:s, s:s}}", "result", "action", "start", "trace_id",
                            id, "trace_uri", uri, "outcome",
                            "started: SIP traffic is copied there; stop it with action stop and "
                            "this trace_id");
        goto out;
    }
    /* stop: verify, since OpenSIPS 4.0.1 answers OK for an id that is not the newest dynamic
     * trace and removes nothing (tracer.c stop loop matches only the list head) */
    params = json_pack("{s:s}", "id", id);
    if (tool_mi(x, "tracer:stop", params, &result, e) != TOOL_OK)
        goto out;
    if (tool_mi(x, "tracer:trace", NULL, &status, &le) != TOOL_OK) {
        tool_fail(e, le.kind, le.name, le.code, "OpenSIPS answered OK to trace_stop '%s', but "
                  "listing the traces to verify failed (%.600s); check with action status", id,
                  le.text);
        goto out;
    }
    if (trace_listed(status, id, names, sizeof(names))) {
        tool_fail(e, TOOL_E_REFUSED, "misleading_ok", 0,
                  "NOT stopped: OpenSIPS answered OK to trace_stop '%s', but the trace is still "
                  "listed (%s). OpenSIPS 4.0.1 removes only the most recently started dynamic "
                  "trace: stop the traces started after '%s' first, then stop it again.", id,
                  names, id);
        goto out;
    }
    out = json_pack("{s:{s:s, s:s, s:s, s:O}}", "result", "action", "stop", "trace_id", id,
                    "outcome", "stopped: no longer listed", "status", status);
out:
    json_decref(params);
    json_decref(result);
    json_decref(status);
    return out;
}

static const struct tool_def tracer_tools[] = {
    {.name = "trace_control",
     .title = "SIP tracing",
     .description = "Shows SIP tracing (status), starts a dynamic trace copying all SIP traffic to trace_uri "
                    "(start), or stops one (stop, verified: OpenSIPS may answer OK without stopping it). "
                    "start/stop need mi.write and the user's confirmation.",
     .toolset = "tracer",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "tracer:trace"},
     .args = ARGS({.name = "action", .type = T_STRING, .flags = ARG_REQUIRED, .values = VALUES("start", "stop", "status"),
                   .description = "status (list traces), start (a dynamic trace to trace_uri) or stop"},
                  {.name = "trace_uri", .type = T_STRING, .min_len = 5, .max_len = 256,
                   .description = "For start: where to send copies, sip:HOST:PORT or hep:HOST:PORT"},
                  {.name = "trace_id", .type = T_STRING, .min_len = 1, .max_len = 64, .def = "\"mcp\"",
                   .description = "For start/stop: the dynamic trace's name (status lists them; "
                                  "default \"mcp\")"}),
     .run = trace_control_run,
     .needs = trace_needs,
     .mapping = "status: tracer:trace (3.x trace); start: tracer:start {id, uri} (3.x trace_start); "
                "stop: tracer:stop {id} (3.x trace_stop), then tracer:trace to verify (4.0.1 answers OK "
                "without removing a trace that is not the newest). The Python server's mapping was not "
                "shown; trace_id is new (OpenSIPS names every dynamic trace)"},
};
ROW_TABLE(tracer, tracer_tools);
