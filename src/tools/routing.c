/* tools/routing: where calls go and how fast they may come — drouting gateways and carriers,
 * load_balancer destinations, dialplan translation, carrierroute's tree, pike's blocked
 * sources, ratelimit pipes and tm's transaction table. The Python server's lb_resize and
 * carrierroute_replace_host keep their interface and are mapped onto what OpenSIPS accepts.
 * Toolsets: routing (drouting, load_balancer, dialplan; on by default), carrierroute, and
 * traffic (pike, ratelimit, tm), kept out of the default tools/list to keep it small. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/guards.h"
#include "tools/row.h"
#include "tools/tool.h"

/* ---- load_balancer: lb_resize by group and URI ---- */

static bool lb_uri_is(const char *uri, const char *want)
{
    return !strcmp(uri, want) || (!strncmp(uri, "sip:", 4) && !strcmp(uri + 4, want));
}

static json_t *lb_find(const json_t *list, json_int_t group, const char *destination)
{
    json_t *d;
    size_t i;

    json_array_foreach(json_object_get(list, "Destinations"), i, d)
        if (json_integer_value(json_object_get(d, "group")) == group &&
            lb_uri_is(tool_str(d, "uri", ""), destination))
            return d;
    return NULL;
}

static json_t *lb_resource(const json_t *dst, const char *name)
{
    json_t *r;
    size_t i;

    json_array_foreach(json_object_get(dst, "Resources"), i, r)
        if (!strcmp(tool_str(r, "name", ""), name))
            return r;
    return NULL;
}

/* "a, b, c" of member `key` of each item of arr (matching group when group >= 0). */
static void names_of(const json_t *arr, const char *key, json_int_t group, char *buf, size_t n)
{
    size_t used = 0, i;
    json_t *x;

    buf[0] = '\0';
    json_array_foreach(arr, i, x) {
        if (group >= 0 && json_integer_value(json_object_get(x, "group")) != group)
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", tool_str(x, key, "?"));
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

static json_t *lb_resize_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_int_t group = json_integer_value(json_object_get(args, "group"));
    json_int_t capacity = json_integer_value(json_object_get(args, "capacity"));
    const char *destination = tool_str(args, "destination", "");
    const char *resource = tool_str(args, "resource", "");
    json_t *list = NULL, *after = NULL, *dst, *res, *params, *result = NULL, *now;
    struct tool_error ignored;
    char names[512];

    if (tool_mi(x, "load_balancer:list", NULL, &list, e) != TOOL_OK)
        return NULL;
    if (!(dst = lb_find(list, group, destination))) {
        names_of(json_object_get(list, "Destinations"), "uri", group, names, sizeof(names));
        json_decref(list);
        return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "nothing was changed: group %lld has no "
                         "destination '%s'%s%s. See lb_list for groups and URIs.",
                         (long long)group, destination,
                         names[0] ? "; its destinations: " : " (no destinations)", names);
    }
    json_int_t id = json_integer_value(json_object_get(dst, "id"));
    if (!(res = lb_resource(dst, resource))) {
        names_of(json_object_get(dst, "Resources"), "name", -1, names, sizeof(names));
        json_decref(list);
        return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "nothing was changed: destination %s (id "
                         "%lld) has no resource '%s'; its resources: %s", destination,
                         (long long)id, resource, names);
    }
    json_int_t before = json_integer_value(json_object_get(res, "max"));
    json_decref(list);
    params = json_pack("{s:I, s:s, s:I}", "destination_id", id, "res_name", resource,
                       "new_capacity", capacity);
    enum tool_err rc = tool_mi(x, "load_balancer:resize", params, &result, e);
    json_decref(params);
    json_decref(result);
    if (rc != TOOL_OK)
        return NULL;
    /* read back: the capacity the node now reports */
    now = json_null();
    if (tool_mi(x, "load_balancer:list", NULL, &after, &ignored) == TOOL_OK &&
        (dst = lb_find(after, group, destination)) && (res = lb_resource(dst, resource)))
        now = json_incref(json_object_get(res, "max"));
    json_decref(after);
    return json_pack("{s:{s:s, s:I, s:s, s:I, s:s, s:I, s:I, s:o, s:s}}", "result", "node",
                     x->node ? x->node : "default", "group", group, "destination", destination,
                     "destination_id", id, "resource", resource, "old_capacity", before,
                     "new_capacity", capacity, "capacity_now", now, "outcome",
                     json_integer_value(now) == capacity && json_is_integer(now)
                         ? "resized: lb_list shows the new capacity (lost on lb_reload)"
                         : "OpenSIPS answered OK, but lb_list does not show the new capacity");
}

/* ---- carrierroute: its dump holds each rule as {} and a preformatted line ---- */

/* The next '...' after *p into out; the last quote on the line closes the final field. */
static bool quoted(const char **p, char *out, size_t n, bool last)
{
    const char *a = strchr(*p, '\''), *b;

    if (!a)
        return false;
    b = last ? strrchr(a + 1, '\'') : strchr(a + 1, '\'');
    if (!b)
        return false;
    snprintf(out, n, "%.*s", (int)(b - a - 1), a + 1);
    *p = b + 1;
    return true;
}

/* "        49: 50.000 %, '127.0.0.1:5070': ON, '0', '', '', 'gw A'\n" as an object. */
static json_t *cr_rule(const char *line)
{
    char prefix[64], host[256], strip[32], rp[128], rs[128], comment[256];
    const char *p = line;
    double prob = 0;

    while (*p == ' ')
        p++;
    size_t n = strcspn(p, ":");
    if (!p[n] || n >= sizeof(prefix))
        return NULL;
    snprintf(prefix, sizeof(prefix), "%.*s", (int)n, p);
    p += n + 1;
    if (sscanf(p, "%lf", &prob) != 1 || !quoted(&p, host, sizeof(host), false))
        return NULL;
    bool on = strstr(p, "ON") && (!strstr(p, "OFF") || strstr(p, "ON") < strstr(p, "OFF"));
    if (!quoted(&p, strip, sizeof(strip), false) || !quoted(&p, rp, sizeof(rp), false) ||
        !quoted(&p, rs, sizeof(rs), false) || !quoted(&p, comment, sizeof(comment), true))
        return NULL;
    return json_pack("{s:s, s:f, s:s, s:b, s:s, s:s, s:s, s:s}", "prefix", prefix,
                     "probability", prob, "host", host, "active", on, "strip", strip,
                     "rewrite_prefix", rp, "rewrite_suffix", rs, "comment", comment);
}

static json_t *cr_dump_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *result = NULL, *items, *car, *dom, *r, *last = NULL;
    size_t i, j, k;

    if (tool_mi(x, "carrierroute:dump_routes", NULL, &result, e) != TOOL_OK)
        return NULL;
    items = json_array();
    json_array_foreach(json_object_get(result, "Carriers"), i, car) {
        json_array_foreach(json_object_get(car, "Domains"), j, dom) {
            json_array_foreach(json_object_get(dom, "Rules"), k, r) {
                const char *line = json_string_value(r);
                json_t *rule;
                if (!line)
                    continue;
                if ((rule = cr_rule(line))) {
                    json_object_set_new(rule, "carrier", json_string(tool_str(car, "name", "")));
                    json_object_set(rule, "carrier_id", json_object_get(car, "id"));
                    json_object_set_new(rule, "domain", json_string(tool_str(dom, "name", "")));
                    json_array_append_new(items, rule);
                    last = rule;
                } else if (last) {
                    /* "Rule is backed up by: host" and the like belong to the rule above */
                    const char *s = line;
                    while (*s == ' ')
                        s++;
                    json_object_set_new(last, "note", json_stringn(s, strcspn(s, "\n")));
                }
            }
        }
    }
    json_decref(result);
    return row_page(items, args, -1, 0);
}

/* The command is known to crash OpenSIPS in file mode: the gate checks the row's guarded
 * command (force overrides) before it asks the user. */
static json_t *cr_replace_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                                struct mcp_needs *n)
{
    const char *prefix = tool_str(args, "prefix", "");

    (void)c, (void)d;
    snprintf(n->what, sizeof(n->what), "replace host %s by %s in carrierroute (domain %s, prefix "
             "%s) on node %s, although this command is known to crash OpenSIPS",
             tool_str(args, "host", ""), tool_str(args, "new_host", ""),
             tool_str(args, "domain", ""), *prefix ? prefix : "NULL",
             tool_node(args) ? tool_node(args) : "default");
    return NULL;
}

static json_t *cr_replace_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *prefix = tool_str(args, "prefix", "");
    json_t *params, *result = NULL;
    char options[1024], detail[sizeof(e->text)];

    /* the MI command takes one option string (carrierroute's -d -p -h -t); an empty prefix is
     * spelt NULL. It has no carrier option: file mode knows only the default carrier. */
    snprintf(options, sizeof(options), "-d %s -p %s -h %s -t %s", tool_str(args, "domain", ""),
             *prefix ? prefix : "NULL", tool_str(args, "host", ""), tool_str(args, "new_host", ""));
    params = json_pack("{s:s}", "options", options);
    enum tool_err rc = tool_mi(x, "carrierroute:replace_host", params, &result, e);
    json_decref(params);
    json_decref(result);
    if (rc != TOOL_OK) {
        snprintf(detail, sizeof(detail), "%s", e->text);
        snprintf(e->text, sizeof(e->text), "%.300s. Known defect: %s.", detail,
                 guard_note("carrierroute:replace_host"));
        return NULL;
    }
    return json_pack("{s:{s:s, s:s, s:s, s:s}}", "result", "node", x->node ? x->node : "default",
                     "options", options, "outcome",
                     "replaced (OpenSIPS answered OK); see carrierroute_dump", "warning",
                     "the carrier argument is not sent: the MI command edits the file-mode tree, "
                     "which has only the default carrier");
}

/* ---- tm: t_hash answers one row per bucket (65536 rows, 2.4 MB): summed here ---- */

static json_t *tm_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *result = NULL, *b, *busiest;
    json_int_t current = 0, total = 0, used = 0;
    size_t i;
    enum { TOP = 5 };
    json_t *top[TOP] = {0};

    (void)args;
    if (tool_mi(x, "tm:hash", NULL, &result, e) != TOOL_OK)
        return NULL;
    json_array_foreach(result, i, b) {
        json_int_t cur = json_integer_value(json_object_get(b, "Current"));
        current += cur;
        total += json_integer_value(json_object_get(b, "Total"));
        used += cur > 0;
        for (int k = 0; k < TOP && cur > 0; k++) {
            if (!top[k] || cur > json_integer_value(json_object_get(top[k], "Current"))) {
                memmove(&top[k + 1], &top[k], (size_t)(TOP - k - 1) * sizeof(top[0]));
                top[k] = b;
                break;
            }
        }
    }
    busiest = json_array();
    for (int k = 0; k < TOP && top[k]; k++)
        json_array_append(busiest, top[k]);
    json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:o, s:s}", "buckets",
                            (json_int_t)json_array_size(result), "transactions_now", current,
                            "transactions_since_start", total, "buckets_in_use", used,
                            "busiest_buckets", busiest, "note",
                            "OpenSIPS's MI has no command that lists individual transactions; "
                            "these are t_hash's per-bucket counts, summed");
    json_decref(result);
    return json_pack("{s:o}", "result", out);
}

/* ---- rows ---- */

#define WRITE (TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT)
#define READ_LIST (TOOL_F_READONLY | ROW_LIST)

/* A carrierroute name: one word, as the module stores it. */
#define CR_TOKEN .min_len = 1, .max_len = 128, .pattern = "^[^" NO_SPACE "]+$"

static const struct tool_def routing_tools[] = {
    {.name = "drouting_gw_status",
     .title = "Drouting gateway states",
     .description = "Lists drouting gateways with address and state (Active, Inactive, Probing, Disabled MI).",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = READ_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "drouting:gw_status", .list = "Gateways"},
     .filter = {.field = "ID", .arg = "gw_id"}, /* the one-id form drops the address */
     .args = ARGS({.name = "gw_id", .type = T_STRING, .min_len = 1, .max_len = 128,
                   .description = "Only this gateway (its id in dr_gateways, ID in the listing)"}),
     .result = FIELDS({.name = "ID", .type = T_STRING},
                      {.name = "IP", .type = T_STRING},
                      {.name = "State", .type = T_STRING}),
     .links = LINKS({.uri = "opensips://{node}/drouting"}),
     .mapping = "drouting:gw_status (3.x dr_gw_status), filtered by gw_id here"},
    {.name = "drouting_set_gw_status",
     .title = "Enable or disable a drouting gateway",
     .description = "Disables or enables one drouting gateway at once, without a reload."
                    "",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "drouting:gw_status"},
     .args = ARGS({.name = "gw_id", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128, .mi = "gw_id",
                   .description = "The gateway's id (ID in drouting_gw_status)"},
                  {.name = "status", .type = T_INTEGER, .flags = ARG_REQUIRED, INTS(0, 1), .mi = "status",
                   .description = "0 disable (shown as Disabled MI; probing does not re-enable it), 1 "
                                  "enable"}),
     .mapping = "drouting:gw_status {gw_id, status} (3.x dr_gw_status)"},
    {.name = "drouting_carrier_status",
     .title = "Drouting carrier states",
     .description = "Lists drouting carriers and whether each is enabled.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = READ_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "drouting:carrier_status", .list = "Carriers"},
     .filter = {.field = "ID", .arg = "carrier_id"},
     .args = ARGS({.name = "carrier_id", .type = T_STRING, .min_len = 1, .max_len = 128,
                   .description = "Only this carrier (its id in dr_carriers, ID in the listing)"}),
     .result = FIELDS({.name = "ID", .type = T_STRING},
                      {.name = "Enabled", .type = T_STRING}),
     .links = LINKS({.uri = "opensips://{node}/drouting"}),
     .mapping = "drouting:carrier_status (3.x dr_carrier_status), filtered by carrier_id here"},
    {.name = "drouting_set_carrier_status",
     .title = "Enable or disable a drouting carrier",
     .description = "Disables or enables one drouting carrier at once.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "drouting:carrier_status"},
     .args = ARGS({.name = "carrier_id", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128, .mi = "carrier_id",
                   .description = "The carrier's id (ID in drouting_carrier_status)"},
                  {.name = "status", .type = T_INTEGER, .flags = ARG_REQUIRED, INTS(0, 1), .mi = "status",
                   .description = "0 disable, 1 enable"}),
     .mapping = "drouting:carrier_status {carrier_id, status}"},
    {.name = "drouting_number_routing",
     .title = "Which route a number takes",
     .description = "Shows the drouting rule and gateways a number would use, without placing a call; "
                    "\"No match\" when no rule matches.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "drouting:number_routing"},
     .args = ARGS({.name = "number", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 64, .mi = "number",
                   .description = "The dialled number to route, as the script would see it"},
                  {.name = "group_id", .type = T_INTEGER, MINIMUM(0), .def = "0", .mi = "group_id",
                   .description = "The routing group to use (groupid of dr_rules; default 0)"}),
     .mapping = "drouting:number_routing {number, group_id}"},
    {.name = "drouting_reload",
     .title = "Reload drouting rules",
     .description = "Makes OpenSIPS re-read gateways, carriers and rules from its database; states are kept.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "drouting:reload"},
     .mapping = "drouting:reload (3.x dr_reload), as the Python server's drouting_* tools fire it"},
    {.name = "lb_list",
     .title = "List load-balancer destinations",
     .description = "Lists load_balancer destinations: id, group, URI, enabled, and each resource's max and "
                    "current load.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = READ_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "load_balancer:list", .list = "Destinations"},
     .result = FIELDS({.name = "id", .type = T_INTEGER},
                      {.name = "group", .type = T_INTEGER},
                      {.name = "uri", .type = T_STRING}),
     .links = LINKS({.uri = "opensips://{node}/load_balancer"}),
     .mapping = "load_balancer:list (3.x lb_list)"},
    {.name = "lb_status",
     .title = "Load-balancer destination state",
     .description = "Says whether one load_balancer destination is enabled.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "load_balancer:status"},
     .args = ARGS({.name = "destination_id", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(0), .mi = "destination_id",
                   .description = "The destination's id (id in lb_list)"}),
     .links = LINKS({.uri = "opensips://{node}/load_balancer"}),
     .mapping = "load_balancer:status {destination_id} (3.x lb_status)"},
    {.name = "lb_set_status",
     .title = "Enable or disable a load-balancer destination",
     .description = "Enables or disables one load_balancer destination at once.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "load_balancer:status"},
     .args = ARGS({.name = "destination_id", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(0), .mi = "destination_id",
                   .description = "The destination's id (id in lb_list)"},
                  {.name = "new_status", .type = T_INTEGER, .flags = ARG_REQUIRED, INTS(0, 1), .mi = "new_status",
                   .description = "0 disable (probing will not re-enable it), 1 enable"}),
     .mapping = "load_balancer:status {destination_id, new_status}"},
    {.name = "lb_resize",
     .title = "Change a load-balancer resource's capacity",
     .description = "Changes the capacity of one resource of a load_balancer destination, found by group and "
                    "URI, then reads it back. Lost on reload.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "load_balancer:resize"},
     .args = ARGS({.name = "group", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(0),
                   .description = "The destination's group (group in lb_list)"},
                  {.name = "destination", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 256,
                   .description = "The destination's URI (uri in lb_list)"},
                  {.name = "resource", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 64,
                   .description = "The resource's name (Resources[].name in lb_list)"},
                  {.name = "capacity", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(0),
                   .description = "The new maximum load of that resource"}),
     .run = lb_resize_run,
     .mapping = "load_balancer:list to find the destination id by group and URI, load_balancer:resize "
                "{destination_id, res_name, new_capacity}, load_balancer:list to verify. Fixed: the "
                "Python server sends group/destination/resource/capacity, which OpenSIPS rejects"},
    {.name = "dialplan_translate",
     .title = "Try a dialplan translation",
     .description = "Runs an input string through dialplan id dpid and returns the output and the rule's "
                    "attributes; no call is placed.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialplan:translate"},
     .args = ARGS({.name = "dpid", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(0), .mi = "dpid",
                   .description = "The dialplan id (dpid column; the script's dp_translate id)"},
                  {.name = "input", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 256, .mi = "input",
                   .description = "The string to translate, e.g. a dialled number"}),
     .mapping = "dialplan:translate {dpid, input} (3.x dp_translate); dpid sent as a number"},
    {.name = "dialplan_reload",
     .title = "Reload dialplan rules",
     .description = "Makes OpenSIPS re-read the dialplan rules from its database.",
     .toolset = "routing",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "dialplan:reload"},
     .mapping = "dialplan:reload (3.x dp_reload)"},
    {.name = "carrierroute_dump",
     .title = "Carrierroute routing tree",
     .description = "Lists carrierroute's loaded rules: carrier, domain, prefix, host, probability, active, "
                    "rewrite prefix/suffix, comment.",
     .toolset = "carrierroute",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = READ_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "carrierroute:dump_routes"},
     .result = FIELDS({.name = "carrier", .type = T_STRING},
                      {.name = "domain", .type = T_STRING},
                      {.name = "prefix", .type = T_STRING},
                      {.name = "host", .type = T_STRING}),
     .run = cr_dump_run,
     .mapping = "carrierroute:dump_routes (3.x cr_dump_routes); its preformatted rule lines are parsed"},
    {.name = "carrierroute_replace_host",
     .title = "Replace a carrierroute host",
     .description = "Replaces one host in a carrierroute rule at runtime. Refused unless force: true, because "
                    "it crashes OpenSIPS in file mode.",
     .toolset = "carrierroute",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = WRITE,
     .backend = BACKEND_MI,
     .mi = {.cmd = "carrierroute:replace_host"},
     .args = ARGS({.name = "carrier", .type = T_STRING, .flags = ARG_REQUIRED, CR_TOKEN,
                   .description = "Carrier name (carrier in carrierroute_dump); file mode has only "
                                  "the default one"},
                  {.name = "domain", .type = T_STRING, .flags = ARG_REQUIRED, CR_TOKEN,
                   .description = "Routing domain (domain in carrierroute_dump)"},
                  {.name = "prefix", .type = T_STRING, .flags = ARG_REQUIRED, .max_len = 64, .pattern = "^[^" NO_SPACE "]*$",
                   .description = "Scan prefix of the rule (prefix in carrierroute_dump; NULL for none)"},
                  {.name = "host", .type = T_STRING, .flags = ARG_REQUIRED, CR_TOKEN,
                   .description = "The host to replace (host in carrierroute_dump)"},
                  {.name = "new_host", .type = T_STRING, .flags = ARG_REQUIRED, CR_TOKEN,
                   .description = "The host to put in its place, host[:port]"},
                  {.name = "force", .type = T_BOOLEAN,
                   .description = "true to send it although it crashes OpenSIPS in file mode"}),
     .run = cr_replace_run,
     .needs = cr_replace_needs,
     .mapping = "carrierroute:replace_host {options: \"-d domain -p prefix -h host -t new_host\"} (3.x "
                "cr_replace_host), guarded (src/tools/guards.c). Fixed: the Python server sends named "
                "carrier/domain/prefix/host/new_host, which OpenSIPS rejects; carrier is not sent"},
    {.name = "pike_list_blocked",
     .title = "Sources blocked by pike",
     .description = "Lists the source IPs pike's flood detection currently blocks.",
     .toolset = "traffic",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = READ_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "pike:list", .list = "IPs"},
     .links = LINKS({.uri = "opensips://{node}/pike"}),
     .mapping = "pike:list (3.x pike_list; 4.0 dropped that name)"},
    {.name = "ratelimit_list",
     .title = "Ratelimit pipes",
     .description = "Lists ratelimit pipes (algorithm, limit, counter) and the current drop rate.",
     .toolset = "traffic",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "ratelimit:list"},
     .args = ARGS({.name = "pipe", .type = T_STRING, .min_len = 1, .max_len = 64, .mi = "pipe",
                   .description = "Only this pipe (its name in the script's rl_check)"}),
     .mapping = "ratelimit:list {pipe} (3.x rl_list)"},
    {.name = "tm_transactions",
     .title = "Transactions in progress",
     .description = "Counts SIP transactions in progress and since start, from tm's hash table. OpenSIPS "
                    "cannot list single transactions.",
     .toolset = "traffic",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "tm:hash"},
     .result = FIELDS({.name = "transactions_now", .type = T_INTEGER},
                      {.name = "transactions_since_start", .type = T_INTEGER},
                      {.name = "busiest_buckets", .type = T_ARRAY}),
     .run = tm_run,
     .mapping = "tm:hash (3.x t_hash), 65536 buckets summed here"},
};
ROW_TABLE(routing, routing_tools);
