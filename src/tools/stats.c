/* tools/stats: OpenSIPS statistics (statistics:get/list/reset) and the Python server's tools
 * built on them: nathelper_stats, perf_memory_report, perf_sample_window (get_statistics over a
 * window, with progress and cancellation) and snapshot_capture (a JSON file under an allowed
 * root, written without following links). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "file/rootfile.h"
#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

#define SAMPLE_DURATION_MAX 600
#define SAMPLE_COUNT_MAX 60

/* {result: value (capped), note?} */
static json_t *shaped(json_t *value, const char *note)
{
    char *cut = NULL;
    json_t *out;

    value = tool_cap(value, TOOL_RESULT_CAP, &cut);
    out = json_pack("{s:o}", "result", value);
    if (cut || note)
        json_object_set_new(out, "note", json_string(cut ? cut : note));
    free(cut);
    return out;
}

/* get_statistics for these names or "group:" prefixes (array, borrowed) on x's node: an
 * object in *result. */
static enum tool_err read_stats(struct tool_ctx *x, const json_t *names, json_t **result,
                                struct tool_error *e)
{
    json_t *params = json_pack("{s:O}", "statistics", names);
    enum tool_err rc = tool_mi(x, "statistics:get", params, result, e);

    json_decref(params);
    if (rc == TOOL_OK && !json_is_object(*result)) {
        json_decref(*result);
        *result = json_object();
    }
    return rc;
}

/* ---- stats_get, stats_list, stats_reset: rows with their names fixed ---- */

/* OpenSIPS looks a statistic up by its bare name ("rcv_requests"), while its replies print
 * "group:name" ("core:rcv_requests"): passed back, that form matches nothing, silently (the
 * recorded get_statistics ["dialog:","core:rcv_requests"] answers the dialog group alone).
 * Statistic names are unique across groups, so the group is dropped; "group:" stays. */
static json_t *stat_names(const json_t *given)
{
    json_t *out = json_array(), *g;
    size_t i;

    json_array_foreach(given, i, g) {
        const char *s = json_string_value(g), *colon = s ? strchr(s, ':') : NULL;
        json_array_append_new(out, colon && colon[1] ? json_string(colon + 1) : json_incref(g));
    }
    return out;
}

/* reset_statistics takes names only ("tm:" is 404 Statistics Not Found, statistics.c
 * mi_reset_stats): a group becomes its incremental statistics, as list_statistics names them.
 * NULL when a group cannot be listed. */
static json_t *reset_names(struct tool_ctx *x, const json_t *names)
{
    json_t *out = json_array(), *groups = json_array(), *g, *listed = NULL, *v, *params;
    const char *key;
    struct tool_error e;
    size_t i;

    json_array_foreach(names, i, g) {
        const char *s = json_string_value(g);
        size_t n = s ? strlen(s) : 0;
        json_array_append(n > 1 && s[n - 1] == ':' ? groups : out, g);
    }
    if (!json_array_size(groups)) {
        json_array_extend(out, groups);
        json_decref(groups);
        return out;
    }
    params = json_pack("{s:o}", "statistics", groups);
    enum tool_err rc = tool_mi(x, "statistics:list", params, &listed, &e);
    json_decref(params);
    if (rc != TOOL_OK) {
        json_decref(out);
        return NULL;
    }
    json_object_foreach(listed, key, v) {
        const char *colon = strchr(key, ':');
        if (!strcmp(json_string_value(v) ? json_string_value(v) : "", "incremental"))
            json_array_append_new(out, json_string(colon ? colon + 1 : key));
    }
    json_decref(listed);
    return out;
}

static json_t *stats_row_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *cmd = x->def->mi.cmd;
    json_t *full = json_copy((json_t *)args), *given, *r;

    /* An absent list took its declared default (["all"] for stats_get); an empty one reads
     * all as well. */
    given = json_object_get(full, "statistics");
    if (json_array_size(given))
        json_object_set_new(full, "statistics", stat_names(given));
    else if (!strcmp(cmd, "statistics:get"))
        json_object_set_new(full, "statistics", json_pack("[s]", "all"));
    if (!strcmp(cmd, "statistics:reset")) {
        json_t *expanded = reset_names(x, json_object_get(full, "statistics"));
        if (!expanded) {
            json_decref(full);
            return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0,
                             "the groups given could not be listed (stats_list shows what the "
                             "node has); nothing was reset");
        }
        json_object_set_new(full, "statistics", expanded);
    }
    r = row_mi_run(x, full, e);
    json_decref(full);
    return r;
}

/* ---- nathelper_stats ---- */

static json_t *nathelper_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *names = json_pack("[s]", "nathelper:"), *stats = NULL, *ping = NULL, *out;
    struct tool_error pe = {0};
    const char *note;

    (void)args;
    enum tool_err rc = read_stats(x, names, &stats, e);
    json_decref(names);
    if (rc != TOOL_OK)
        return NULL;
    out = json_pack("{s:o}", "statistics", stats);
    /* nathelper:enable_ping answers 400 "NATping disabled from script" when natping_interval is
     * 0 (modules/nathelper, mi_enable_natping): pinging is off, not unknown */
    rc = tool_mi(x, "nathelper:enable_ping", NULL, &ping, &pe);
    if (rc == TOOL_OK && json_is_integer(json_object_get(ping, "Status")))
        json_object_set_new(out, "natping_enabled",
                            json_boolean(json_integer_value(json_object_get(ping, "Status"))));
    else if (rc != TOOL_OK && tool_mi_is(&pe, MI_ERR_MI) && pe.code == 400)
        json_object_set_new(out, "natping_enabled", json_false());
    else
        json_object_set_new(out, "natping_enabled", json_null());
    json_decref(ping);
    note = json_object_size(json_object_get(out, "statistics"))
               ? NULL
               : "nathelper registers no statistics in OpenSIPS (get_statistics nathelper: is "
                 "empty), so there are no counters of keepalive pings or failures; "
                 "natping_enabled says whether NAT pinging runs (false also when the script "
                 "disables it with natping_interval 0; null: it could not be read)";
    return shaped(out, note);
}

/* ---- perf_memory_report ---- */

static const char *const mem_fields[] = {"total_size", "used_size", "real_used_size",
                                         "max_used_size", "free_size", "fragments"};

/* The six memory values of `prefix` ("shmem:" or "pkmem:3-") from stats, plus used_pct. */
static json_t *mem_block(const json_t *stats, const char *prefix)
{
    json_t *o = json_object();
    char key[96];

    for (size_t i = 0; i < sizeof(mem_fields) / sizeof(mem_fields[0]); i++) {
        snprintf(key, sizeof(key), "%s%s", prefix, mem_fields[i]);
        json_t *v = json_object_get(stats, key);
        if (v)
            json_object_set(o, mem_fields[i], v);
    }
    json_int_t total = json_integer_value(json_object_get(o, "total_size"));
    json_int_t used = json_integer_value(json_object_get(o, "real_used_size"));
    if (total > 0)
        json_object_set_new(o, "used_pct", json_real((double)(used * 1000 / total) / 10.0));
    return o;
}

static json_t *memory_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *names = json_pack("[s,s]", "shmem:", "pkmem:"), *stats = NULL, *ps = NULL, *procs;
    json_t *p, *out;
    size_t i;

    (void)args;
    enum tool_err rc = read_stats(x, names, &stats, e);
    json_decref(names);
    if (rc != TOOL_OK)
        return NULL;
    if (tool_mi(x, "core:ps", NULL, &ps, e) != TOOL_OK) {
        json_decref(stats);
        return NULL;
    }
    procs = json_array();
    json_array_foreach(json_object_get(ps, "Processes"), i, p) {
        char prefix[48];
        json_t *pkg;
        snprintf(prefix, sizeof(prefix), "pkmem:%lld-",
                 (long long)json_integer_value(json_object_get(p, "ID")));
        pkg = mem_block(stats, prefix);
        json_object_set(pkg, "ID", json_object_get(p, "ID"));
        json_object_set(pkg, "PID", json_object_get(p, "PID"));
        json_object_set(pkg, "Type", json_object_get(p, "Type"));
        json_array_append_new(procs, pkg);
    }
    out = json_pack("{s:o, s:o}", "shm", mem_block(stats, "shmem:"), "pkg", procs);
    json_decref(stats);
    json_decref(ps);
    return shaped(out, "sizes in bytes; used_pct = real_used_size / total_size; pkg is each "
                       "process's private memory (0 where a process reports none)");
}

/* ---- perf_sample_window ---- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_int_t clamp(const json_t *v, json_int_t def, json_int_t lo, json_int_t hi)
{
    json_int_t x = json_is_integer(v) ? json_integer_value(v) : def;
    return x < lo ? lo : x > hi ? hi : x;
}

/* Group prefixes as get_statistics wants them: "core" becomes "core:". */
static json_t *stat_groups(const json_t *given, const char *const *defaults, size_t ndef)
{
    json_t *out = json_array(), *g;
    size_t i;

    if (!json_array_size(given)) {
        for (i = 0; i < ndef; i++)
            json_array_append_new(out, json_string(defaults[i]));
        return out;
    }
    json_array_foreach(given, i, g) {
        const char *s = json_string_value(g);
        if (!s || !*s)
            continue;
        if (strchr(s, ':') || !strcmp(s, "all"))
            json_array_append_new(out, json_string(s));
        else
            json_array_append_new(out, json_sprintf("%s:", s));
    }
    return out;
}

static const char *const sample_groups[] = {"core:", "shmem:", "tm:", "sl:",
                                             "usrloc:", "dialog:", "net:"};

static json_t *sample_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_int_t duration = clamp(json_object_get(args, "duration_sec"), 10, 1, SAMPLE_DURATION_MAX);
    json_int_t count = clamp(json_object_get(args, "sample_count"), 5, 2, SAMPLE_COUNT_MAX);
    json_t *groups = stat_groups(json_object_get(args, "groups"), sample_groups,
                                 sizeof(sample_groups) / sizeof(sample_groups[0]));
    json_t *raw = json_array(), *times = json_array(), *first, *constant, *samples, *s, *out;
    long long start = now_ms(), step = duration * 1000 / (count - 1);
    const char *key;
    json_t *v;
    size_t i;

    for (json_int_t k = 0; k < count; k++) {
        long long wait = start + k * step - now_ms();
        json_t *stats = NULL;
        char msg[64];
        if (wait > 0 && mcp_call_sleep_ms(x->call, (unsigned)wait) < 0) {
            tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "the sampling window was cancelled");
            goto fail;
        }
        if (read_stats(x, groups, &stats, e) != TOOL_OK)
            goto fail;
        json_array_append_new(raw, stats);
        json_array_append_new(times, json_integer(now_ms() - start));
        /* Not after the last sample: the result says that, and a notification sent just
         * before the result can reach the client after it (an unknown token by then). */
        if (k + 1 < count) {
            snprintf(msg, sizeof(msg), "sample %lld of %lld", (long long)k + 1, (long long)count);
            mcp_call_progress(x->call, (double)(k + 1), (double)count, msg);
        }
    }
    /* Values that never moved are given once; each sample carries only the ones that did. */
    first = json_array_get(raw, 0);
    constant = json_object();
    json_object_foreach(first, key, v) {
        bool same = true;
        for (i = 1; i < json_array_size(raw) && same; i++)
            same = json_equal(v, json_object_get(json_array_get(raw, i), key));
        if (same)
            json_object_set(constant, key, v);
    }
    samples = json_array();
    json_array_foreach(raw, i, s) {
        json_t *moved = json_object();
        json_object_foreach(s, key, v)
            if (!json_object_get(constant, key))
                json_object_set(moved, key, v);
        json_array_append_new(samples, json_pack("{s:O, s:o}", "t_ms", json_array_get(times, i),
                                                 "values", moved));
    }
    out = json_pack("{s:I, s:I, s:I, s:o, s:o, s:o}", "duration_sec", duration, "sample_count",
                    count, "interval_ms", (json_int_t)step, "groups", groups, "constant", constant,
                    "samples", samples);
    json_decref(raw);
    json_decref(times);
    return shaped(out, "constant: statistics that did not change during the window; each "
                       "sample lists the values that did (rates are left to the caller)");
fail:
    json_decref(raw);
    json_decref(times);
    json_decref(groups);
    return NULL;
}

/* ---- snapshot_capture ---- */

/* Without an allowed root nothing can be written: say so before anyone is asked. */
static json_t *snapshot_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                              struct mcp_needs *n)
{
    const char *root = mcp_server_settings(mcp_call_server(c))->out_dir_root;

    if (!root || root[0] != '/')
        return content_error_result(
            "%s: not available: no directory is allowed for snapshots. The operator must set "
            "OPENSIPS_MCP_OUT_DIR_ROOT (or --out-dir-root) to an absolute directory; files are "
            "written only under it. Nothing was written.", d->name);
    snprintf(n->what, sizeof(n->what), "write a snapshot of the state of node %s to a new file "
             "in %s (under %s)", tool_node(args) ? tool_node(args) : "default",
             tool_str(args, "out_dir", ""), root);
    return NULL;
}

static json_t *snapshot_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    static const char *const base_groups[] = {"core:", "shmem:", "tm:", "sl:", "usrloc:",
                                               "dialog:", "net:", "load:"};
    const char *root = x->be->files_root;
    const char *out_dir = tool_str(args, "out_dir", "");
    const char *label = tool_str(args, "label", ""), *node = x->node, *rel;
    json_t *groups = NULL, *snap = NULL, *v, *g, *extra = json_object_get(args, "extra_stat_groups");
    char *text = NULL, name[160], safe[65], stamp[32], iso[32], path[4200], why[512];
    char relpath[ROOTFILE_PATH_MAX + 1];
    json_t *out = NULL;
    size_t i, n = 0;
    int rc = ROOTFILE_ERR_EXISTS;

    if (!root || root[0] != '/')
        return tool_fail(e, TOOL_E_CONFIG, NULL, 0,
            "not available: no directory is allowed for snapshots. The operator must set "
            "OPENSIPS_MCP_OUT_DIR_ROOT (or --out-dir-root) to an absolute directory; files are "
            "written only under it. Nothing was written.");
    if (!(rel = rootfile_relative(root, out_dir))) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "out_dir '%s' is outside the allowed directory "
                  "%s; pass a path under it (or relative to it). Nothing was written.", out_dir,
                  root);
        goto out;
    }

    /* What to capture: the state first, so that a failed MI call writes nothing. */
    groups = json_array();
    for (i = 0; i < sizeof(base_groups) / sizeof(base_groups[0]); i++)
        json_array_append_new(groups, json_string(base_groups[i]));
    json_array_foreach(extra, i, g)
        if (json_string_length(g) && json_array_size(groups) < 40)
            json_array_append_new(groups, strchr(json_string_value(g), ':')
                                              ? json_incref(g)
                                              : json_sprintf("%s:", json_string_value(g)));
    snap = json_object();
    if (read_stats(x, groups, &v, e) != TOOL_OK)
        goto out;
    json_object_set_new(snap, "statistics", v);
    static const char *const cmds[][2] = {{"core:version", "version"}, {"core:uptime", "uptime"},
                                          {"core:ps", "processes"}};
    for (i = 0; i < 3; i++) {
        if (tool_mi(x, cmds[i][0], NULL, &v, e) != TOOL_OK)
            goto out;
        json_object_set_new(snap, cmds[i][1], v);
    }
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tmv);
    strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    for (const char *p = label; *p && n < sizeof(safe) - 1; p++) {
        bool ok = strchr("-_.", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= 'A' && *p <= 'Z');
        safe[n] = ok && !(n == 0 && *p == '.') ? *p : '_';
        n++;
    }
    safe[n] = '\0';
    json_object_set_new(snap, "captured_at", json_string(iso));
    json_object_set_new(snap, "node", json_string(node ? node : "default"));
    json_object_set_new(snap, "label", json_string(label));
    json_object_set(snap, "groups", groups);
    if (!(text = json_dumps(snap, JSON_INDENT(1) | JSON_SORT_KEYS))) {
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
        goto out;
    }

    /* A new file under the root (file/rootfile.h): a taken name moves on to the next. */
    size_t len = strlen(text);
    for (int attempt = 0; attempt < 100 && rc == ROOTFILE_ERR_EXISTS; attempt++) {
        snprintf(name, sizeof(name), attempt ? "snapshot%s%s-%s-%d.json" : "snapshot%s%s-%s.json",
                 n ? "-" : "", safe, stamp, attempt);
        if ((size_t)snprintf(relpath, sizeof(relpath), "%s%s%s", rel, *rel ? "/" : "", name) >=
            sizeof(relpath)) {
            rc = ROOTFILE_ERR_PATH;
            snprintf(why, sizeof(why), "the path is longer than %d bytes", ROOTFILE_PATH_MAX);
            break;
        }
        rc = rootfile_write(root, relpath, text, len, ROOTFILE_MKDIRS, path, sizeof(path), why,
                            sizeof(why));
    }
    if (rc != ROOTFILE_OK) {
        tool_fail(e, TOOL_E_REFUSED, "not_written", 0, "the snapshot cannot be written in "
                  "'%s': %s. Nothing was written.", out_dir, why);
        goto out;
    }
    out = json_pack("{s:{s:s, s:I, s:O, s:s, s:I}}", "result", "path", path, "bytes",
                    (json_int_t)len, "groups", groups, "captured_at", iso, "statistics",
                    (json_int_t)json_object_size(json_object_get(snap, "statistics")));
out:
    free(text);
    json_decref(snap);
    json_decref(groups);
    return out;
}

/* ---- rows ---- */

static const struct tool_def stats_tools[] = {
    {.name = "stats_get",
     .title = "Get statistics",
     .description = "Reads OpenSIPS statistics by name or group, or all: name → value.",
     .toolset = "stats",
     .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "statistics:get"},
     .args = ARGS({.name = "statistics", .type = T_ARRAY, .max_len = 64, .def = "[\"all\"]", .item = ITEM(.type = T_STRING, .min_len = 1), .mi = "statistics",
                   .description = "Groups (\"dialog:\") or names (\"core:rcv_requests\"), as "
                                  "stats_list shows them; default [\"all\"]"}),
     .result_each = ITEM(.type = T_NUMBER_OR_STRING),
     .run = stats_row_run,
     .mapping = "statistics:get {statistics: [...]} (3.x get_statistics); default [\"all\"]. Fixed: "
                "\"core:rcv_requests\" (the form replies print) is sent as \"rcv_requests\", since "
                "OpenSIPS finds statistics by bare name and silently skips the other form"},
    {.name = "stats_list",
     .title = "List statistics",
     .description = "Lists the node's statistics: incremental (a counter stats_reset can zero) or not (a "
                    "gauge).",
     .toolset = "stats",
     .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "statistics:list"},
     .args = ARGS({.name = "statistics", .type = T_ARRAY, .max_len = 64, .item = ITEM(.type = T_STRING, .min_len = 1), .mi = "statistics",
                   .description = "Only these groups (\"tm:\") or names; default all"}),
     .result_each = ITEM(.type = T_NUMBER_OR_STRING),
     .run = stats_row_run,
     .mapping = "statistics:list (3.x list_statistics); group:name sent as the bare name"},
    {.name = "stats_reset",
     .title = "Reset statistics",
     .description = "Sets counters back to 0 (gauges are left alone).",
     .toolset = "stats",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "statistics:reset"},
     .args = ARGS({.name = "statistics", .type = T_ARRAY, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 64, .item = ITEM(.type = T_STRING, .min_len = 1), .mi = "statistics",
                   .description = "Names (\"core:rcv_requests\") or groups (\"tm:\": its incremental "
                                  "ones) to set back to 0; stats_list tells counters from gauges"}),
     .run = stats_row_run,
     .mapping = "statistics:reset {statistics: [...]} (3.x reset_statistics). Fixed: group:name sent as "
                "the bare name, and a group (which reset_statistics rejects) expanded to its incremental "
                "statistics via statistics:list"},
    {.name = "nathelper_stats",
     .title = "NAT helper status",
     .description = "NAT keepalive status: whether nathelper pings are enabled, and nathelper statistics if "
                    "the node has any (OpenSIPS keeps none, which the result says).",
     .toolset = "perf",
     .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "nathelper:enable_ping"},
     .run = nathelper_run,
     .mapping = "statistics:get [\"nathelper:\"] plus nathelper:enable_ping (3.x nh_enable_ping) without "
                "status (a read). Fixed: the Python server returns the empty group as if it were data; "
                "nathelper registers no statistics"},
    {.name = "perf_memory_report",
     .title = "Memory report",
     .description = "Shared memory (shm) totals and each process's private (pkg) memory with used_pct, to spot "
                    "exhaustion or leaks.",
     .toolset = "perf",
     .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .run = memory_run,
     .mapping = "statistics:get [\"shmem:\",\"pkmem:\"] and core:ps (3.x get_statistics, ps), pkmem:<ID>-* "
                "joined to ps by process ID"},
    {.name = "perf_sample_window",
     .title = "Sample statistics over time",
     .description = "Reads statistic groups sample_count times over duration_sec and returns the series: "
                    "values that stayed constant once, then per sample the ones that moved. Reports progress; "
                    "can be cancelled.",
     .toolset = "perf",
     .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .flags = TOOL_F_READONLY | TOOL_F_LONG,
     .backend = BACKEND_MI,
     .args = ARGS({.name = "duration_sec", .type = T_INTEGER, .def = "10",
                   .description = "Length of the window in seconds, 1..600 (clamped; default 10)"},
                  {.name = "sample_count", .type = T_INTEGER, .def = "5",
                   .description = "Samples over the window, 2..60 (clamped; default 5)"},
                  {.name = "groups", .type = T_ARRAY, .max_len = 32, .item = ITEM(.type = T_STRING, .min_len = 1),
                   .description = "Statistic groups to sample, e.g. [\"core\",\"tm\",\"dialog\"] (default "
                                  "core, shmem, tm, sl, usrloc, dialog, net)"}),
     .run = sample_run,
     .mapping = "statistics:get (3.x get_statistics) repeated at even intervals; duration clamped to "
                "1..600 s and samples to 2..60 as in the Python server"},
    {.name = "snapshot_capture",
     .title = "Save a state snapshot",
     .description = "Writes a JSON snapshot (version, uptime, processes, statistics) to a new file under the "
                    "operator's allowed directory and returns its path. Unavailable unless that directory is "
                    "configured.",
     .toolset = "perf",
     .scope = SCOPE_BIT(SCOPE_STATS_READ) | SCOPE_BIT(SCOPE_CONFIG_WRITE),
     .backend = BACKEND_MI,
     .args = ARGS({.name = "out_dir", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 1024,
                   .description = "Directory for the snapshot file: under the directory the operator "
                                  "allowed (OPENSIPS_MCP_OUT_DIR_ROOT), absolute or relative to it; created if missing"},
                  {.name = "label", .type = T_STRING, .max_len = 64,
                   .description = "Tag for the file name, e.g. before-upgrade"},
                  {.name = "extra_stat_groups", .type = T_ARRAY, .max_len = 32, .item = ITEM(.type = T_STRING, .min_len = 1),
                   .description = "More statistic groups to include, e.g. [\"rtpengine:\"]"}),
     .run = snapshot_run,
     .needs = snapshot_needs,
     .mapping = "statistics:get, core:version, core:uptime, core:ps, then a new file (never overwritten, "
                "links never followed) under $OPENSIPS_MCP_OUT_DIR_ROOT. Fixed: the Python server also "
                "allows /tmp, /var/tmp and $HOME by default; ours allows only the configured root"},
};
ROW_TABLE(stats, stats_tools);
