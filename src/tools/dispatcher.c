/* tools/dispatcher: destination sets (OpenSIPS dispatcher module) — listing every destination
 * of every set as one flat, paged list, setting a destination's state, reloading the table.
 * The Python server's dispatcher_add/update/remove write the DB table (another area). */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mcp/call.h"
#include "tools/row.h"
#include "tools/tool.h"

/* PARTITIONS[].SETS[].Destinations[] as one list, each destination with its partition and set. */
static json_t *ds_flatten(const json_t *result, json_int_t only_set)
{
    json_t *items = json_array(), *p, *set, *d;
    size_t i, j, k;

    json_array_foreach(json_object_get(result, "PARTITIONS"), i, p) {
        json_array_foreach(json_object_get(p, "SETS"), j, set) {
            json_int_t id = json_integer_value(json_object_get(set, "id"));
            if (only_set >= 0 && id != only_set)
                continue;
            json_array_foreach(json_object_get(set, "Destinations"), k, d) {
                json_t *item = json_pack("{s:s, s:I}", "partition", tool_str(p, "name", "default"),
                                         "setid", id);
                json_object_update(item, d);
                json_array_append_new(items, item);
            }
        }
    }
    return items;
}

static json_t *ds_list_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *params = json_object(), *result = NULL, *out;
    json_t *set = json_object_get(args, "setid");

    if (json_is_true(json_object_get(args, "full")))
        json_object_set_new(params, "full", json_integer(1));
    if (json_is_string(json_object_get(args, "partition")))
        json_object_set(params, "partition", json_object_get(args, "partition"));
    enum tool_err rc = tool_mi(x, "dispatcher:list", params, &result, e);
    json_decref(params);
    if (rc != TOOL_OK)
        return NULL;
    out = row_page(ds_flatten(result, json_is_integer(set) ? json_integer_value(set) : -1), args,
                   -1, 0);
    json_decref(result);
    return out;
}

/* The destination (group, URI) of a dispatcher:list result (borrowed), or NULL. OpenSIPS
 * matches the URI without regard to case (ds_set_state, modules/dispatcher/dispatch.c). */
static const json_t *ds_find(const json_t *list, json_int_t group, const char *uri)
{
    json_t *p, *set, *d;
    size_t i, j, k;

    json_array_foreach(json_object_get(list, "PARTITIONS"), i, p) {
        json_array_foreach(json_object_get(p, "SETS"), j, set) {
            if (json_integer_value(json_object_get(set, "id")) != group)
                continue;
            json_array_foreach(json_object_get(set, "Destinations"), k, d)
                if (!strcasecmp(tool_str(d, "URI", ""), uri))
                    return d;
        }
    }
    return NULL;
}

/* The destination's state now ("Active", "Inactive", "Probing"), as a new string in *state;
 * TOOL_OK, or the list call's failure. A destination that is not listed gives state NULL. */
static enum tool_err ds_state_now(struct tool_ctx *x, json_int_t group, const char *uri,
                                  char **state, struct tool_error *e)
{
    json_t *list = NULL;
    enum tool_err rc = tool_mi(x, "dispatcher:list", NULL, &list, e);

    *state = NULL;
    if (rc == TOOL_OK) {
        const json_t *d = ds_find(list, group, uri);
        const char *s = d ? tool_str(d, "state", NULL) : NULL;
        *state = s ? strdup(s) : NULL;
    }
    json_decref(list);
    return rc;
}

/* An MI "p" does not set probing: OpenSIPS counts it as one failed probe and marks the
 * destination Probing only once ds_probing_threshold (default 3) are counted, and on an
 * Inactive destination the first "p" makes it Active (ds_mi_set, _ds_set_state). So probing
 * is sent until dispatcher:list shows it, at most this many times. */
#define DS_PROBE_SENDS 10

static json_t *ds_set_state_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *uri = tool_str(args, "address", "");
    json_int_t group = json_integer_value(json_object_get(args, "group"));
    const char letter = tool_str(args, "state", "a")[0];
    const char *want = letter == 'a' ? "Active" : letter == 'i' ? "Inactive" : "Probing";
    const char state[2] = {letter, '\0'};
    char *before = NULL, *now = NULL;
    json_t *params = NULL, *out = NULL;
    int sends = 0;

    if (ds_state_now(x, group, uri, &before, e) != TOOL_OK)
        return NULL;
    if (!before)
        return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "nothing was changed: set %lld has no "
                         "destination '%s'; see dispatcher_list for sets and URIs",
                         (long long)group, uri);
    params = json_pack("{s:s, s:I, s:s}", "state", state, "group", group, "address", uri);
    for (;;) {
        json_t *result = NULL;
        enum tool_err rc = tool_mi(x, "dispatcher:set_state", params, &result, e);
        json_decref(result);
        free(now);
        now = NULL;
        if (rc != TOOL_OK)
            goto out;
        sends++;
        if (ds_state_now(x, group, uri, &now, e) != TOOL_OK)
            goto out;
        if (letter != 'p' || (now && !strcmp(now, want)) || sends >= DS_PROBE_SENDS ||
            mcp_call_cancelled(x->call))
            break;
    }
    if (!now || strcmp(now, want)) {
        tool_fail(e, TOOL_E_REFUSED, NULL, 0, "%s is %s, not %s, after %d set_state request%s%s",
                  uri, now ? now : "no longer listed", want, sends, sends == 1 ? "" : "s",
                  letter == 'p' ? " (OpenSIPS counts each as one failed probe and marks it "
                                  "Probing at ds_probing_threshold)" : "");
        goto out;
    }
    out = json_pack("{s:{s:s, s:I, s:s, s:s, s:s, s:i}}", "result", "node",
                    x->node ? x->node : "default", "group", group, "address", uri, "before",
                    before, "state", now, "requests", sends);
out:
    json_decref(params);
    free(before);
    free(now);
    return out;
}

static const struct tool_def dispatcher_tools[] = {
    {.name = "dispatcher_list",
     .title = "List dispatcher destinations",
     .description = "Lists the destinations of every dispatcher set as one list: partition, setid, URI, state "
                    "(Active, Inactive, Probing), hits, attributes; full adds weight, priority, description. "
                    "Narrow with setid; pages with limit and offset.",
     .toolset = "dispatcher",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dispatcher:list"},
     .args = ARGS({.name = "full", .type = T_BOOLEAN,
                   .description = "true to add each destination's weight, priority and description"},
                  {.name = "setid", .type = T_INTEGER, MINIMUM(0),
                   .description = "Only this destination set (the set id of the dispatcher table)"},
                  {.name = "partition", .type = T_STRING, .min_len = 1, .max_len = 64,
                   .description = "Only this dispatcher partition (default: all)"}),
     .result = FIELDS({.name = "setid", .type = T_INTEGER},
                      {.name = "URI", .type = T_STRING},
                      {.name = "state", .type = T_STRING}),
     .run = ds_list_run,
     .links = LINKS({.uri = "opensips://{node}/dispatcher"}),
     .mapping = "dispatcher:list {full, partition} (3.x ds_list); the nested PARTITIONS/SETS/Destinations "
                "reply is flattened into one paged list. New: the Python server has no listing tool"},
    {.name = "dispatcher_set_state",
     .title = "Set a dispatcher destination's state",
     .description = "Marks one destination of a dispatcher set active, inactive or probing, at once and "
                    "without a reload; inactive destinations get no calls.",
     .toolset = "dispatcher",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dispatcher:set_state"},
     .args = ARGS({.name = "group", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(0), .mi = "group",
                   .description = "Set id of the destination (setid in dispatcher_list)"},
                  {.name = "address", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 256, .mi = "address",
                   .description = "The destination's URI exactly as dispatcher_list shows it (URI), "
                                  "e.g. sip:10.0.0.5:5060"},
                  {.name = "state", .type = T_STRING, .flags = ARG_REQUIRED, .values = VALUES("active", "inactive", "probing", "a", "i", "p"), .mi = "state",
                   .description = "active (takes traffic), inactive (takes none), probing (inactive "
                                  "until it answers OPTIONS pings)"}),
     .run = ds_set_state_run,
     .mapping = "dispatcher:set_state {state, group, address} (3.x ds_set_state) with the state's first "
                "letter, then dispatcher:list to verify; probing is sent until the list shows it (up to 10 "
                "times: OpenSIPS counts each as one failed probe, ds_probing_threshold). New: the Python "
                "server has no such tool"},
    {.name = "dispatcher_reload",
     .title = "Reload dispatcher destinations",
     .description = "Makes OpenSIPS re-read the dispatcher table from its database (after editing it); "
                    "destination states are kept.",
     .toolset = "dispatcher",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dispatcher:reload"},
     .mapping = "dispatcher:reload (3.x ds_reload), as the Python server's dispatcher_* tools fire it"},
};
ROW_TABLE(dispatcher, dispatcher_tools);
