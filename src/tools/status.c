/* tools/status: is the server up and well — version, uptime, processes, shared memory, and
 * server_health, which combines them (and the core status_report where the node has it) into
 * one verdict per node (node "*", as for every read tool, asks the whole fleet at once). */
#include <stdlib.h>
#include <string.h>

#include "tools/row.h"
#include "tools/tool.h"

#define SHM_WARN_PCT 90.0

/* Shared memory from get_statistics shmem:, with used_pct. NULL with *e on failure. */
static json_t *shm_stats(struct tool_ctx *x, struct tool_error *e)
{
    json_t *params = json_pack("{s:[s]}", "statistics", "shmem:"), *stats = NULL, *out, *v;
    const char *key;
    enum tool_err rc = tool_mi(x, "statistics:get", params, &stats, e);

    json_decref(params);
    if (rc != TOOL_OK)
        return NULL;
    out = json_object();
    json_object_foreach(stats, key, v)
        if (!strncmp(key, "shmem:", 6))
            json_object_set(out, key + 6, v);
    json_decref(stats);
    json_int_t total = json_integer_value(json_object_get(out, "total_size"));
    json_int_t used = json_integer_value(json_object_get(out, "real_used_size"));
    if (total > 0)
        json_object_set_new(out, "used_pct", json_real((double)(used * 1000 / total) / 10.0));
    return out;
}

static json_t *memory_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *shm = shm_stats(x, e);

    (void)args;
    return shm ? json_pack("{s:o}", "result", shm) : NULL;
}

/* "7 [sec]" → 7; -1 when not that shape. */
static long long uptime_seconds(const json_t *uptime)
{
    const char *s = json_string_value(json_object_get(uptime, "Up time"));
    char *end;
    long long v;

    if (!s)
        return -1;
    v = strtoll(s, &end, 10);
    return end != s && v >= 0 ? v : -1;
}

static json_t *health_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *version = NULL, *uptime = NULL, *ps = NULL, *shm, *sr = NULL, *out, *problems;
    json_t *params;
    struct tool_error ignored;
    const char *verdict = "ok";

    (void)args;
    /* The version answers first: a node that does not is down, and that is the error. */
    if (tool_mi(x, "core:version", NULL, &version, e) != TOOL_OK)
        return NULL;
    problems = json_array();
    if (tool_mi(x, "core:uptime", NULL, &uptime, &ignored) != TOOL_OK)
        json_array_append_new(problems, json_sprintf("uptime failed: %s", ignored.text));
    if (tool_mi(x, "core:ps", NULL, &ps, &ignored) != TOOL_OK)
        json_array_append_new(problems, json_sprintf("ps failed: %s", ignored.text));
    if (!(shm = shm_stats(x, &ignored)))
        json_array_append_new(problems, json_sprintf("shmem statistics failed: %s", ignored.text));
    /* status_report's "core" group says whether OpenSIPS finished starting; older nodes or
     * nodes without it are not held against the verdict. */
    params = json_pack("{s:s}", "group", "core");
    if (tool_mi(x, "status_report:get", params, &sr, &ignored) != TOOL_OK || !json_is_object(sr)) {
        json_decref(sr);
        sr = json_null();
    }
    json_decref(params);

    double pct = json_real_value(json_object_get(shm, "used_pct"));
    if (pct >= SHM_WARN_PCT)
        json_array_append_new(problems, json_sprintf("shared memory %.1f%% used", pct));
    if (json_is_false(json_object_get(sr, "Readiness")))
        json_array_append_new(problems, json_sprintf("core not ready: %s",
                                                     tool_str(sr, "Details", "?")));
    if (json_array_size(problems))
        verdict = "degraded";

    out = json_pack("{s:s, s:s?, s:I, s:s?, s:I, s:o, s:O, s:o}", "status", verdict, "version",
                    tool_str(version, "Server", NULL), "uptime_sec",
                    (json_int_t)uptime_seconds(uptime), "up_since",
                    tool_str(uptime, "Up since", NULL), "processes",
                    (json_int_t)json_array_size(json_object_get(ps, "Processes")), "shm",
                    shm ? shm : json_null(), "core_status", sr, "problems", problems);
    json_decref(version);
    json_decref(uptime);
    json_decref(ps);
    json_decref(sr);
    return json_pack("{s:o}", "result", out);
}

static const struct tool_def status_tools[] = {
    {.name = "server_version",
     .title = "OpenSIPS version",
     .description = "The node's OpenSIPS version and build.",
     .toolset = "status",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "core:version"},
     .result = FIELDS({.name = "Server", .type = T_STRING}),
     .mapping = "core:version (3.x version)"},
    {.name = "server_uptime",
     .title = "OpenSIPS uptime",
     .description = "When the node started and how long it has been up.",
     .toolset = "status",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "core:uptime"},
     .result = FIELDS({.name = "Now", .type = T_STRING},
                      {.name = "Up since", .type = T_STRING},
                      {.name = "Up time", .type = T_STRING}),
     .mapping = "core:uptime (3.x uptime)"},
    {.name = "server_processes",
     .title = "OpenSIPS processes",
     .description = "The node's processes: ID, PID, role (SIP receiver, timer, MI, ...).",
     .toolset = "status",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "core:ps", .list = "Processes"},
     .result = FIELDS({.name = "ID", .type = T_INTEGER},
                      {.name = "PID", .type = T_INTEGER},
                      {.name = "Type", .type = T_STRING}),
     .mapping = "core:ps (3.x ps), paged here"},
    {.name = "server_memory",
     .title = "Shared memory",
     .description = "The node's shared memory in bytes, with used_pct.",
     .toolset = "status",
     .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .result = FIELDS({.name = "total_size", .type = T_INTEGER},
                      {.name = "used_pct", .type = T_NUMBER}),
     .run = memory_run,
     .note = "shared memory in bytes; used_pct = real_used_size / total_size; per-process memory: "
             "perf_memory_report",
     .mapping = "statistics:get [\"shmem:\"] (3.x get_statistics); the Python server's mem command "
                "exists in no OpenSIPS version"},
    {.name = "server_health",
     .title = "Health summary",
     .description = "One verdict per node (ok or degraded, with the problems found): version, uptime, "
                    "processes, shared memory use, core readiness. node \"*\": the whole fleet.",
     .toolset = "status",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .result = FIELDS({.name = "status", .type = T_STRING, .values = VALUES("ok", "degraded")},
                      {.name = "version", .type = T_STRING},
                      {.name = "uptime_sec", .type = T_INTEGER},
                      {.name = "processes", .type = T_INTEGER},
                      {.name = "problems", .type = T_ARRAY, .item = ITEM(.type = T_STRING)}),
     .run = health_run,
     .links = LINKS({.uri = "opensips://{node}/status"}),
     .mapping = "core:version, core:uptime, core:ps, statistics:get [\"shmem:\"], status_report:get "
                "{group: core} (3.x version, uptime, ps, get_statistics, sr_get_status); degraded when "
                "shm is 90% used, core is not ready or a part fails"},
};
ROW_TABLE(status, status_tools);
