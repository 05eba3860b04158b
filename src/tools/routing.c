/* tools/routing: where calls go and how fast they may come — drouting gateways and carriers,
 * load_balancer destinations, dialplan translation, carrierroute's tree, pike's blocked
 * sources, ratelimit pipes and tm's transaction table. The Python server's lb_resize and
 * carrierroute_replace_host keep their interface and are mapped onto what OpenSIPS accepts.
 * Toolsets: routing (drouting, load_balancer, dialplan; on by default), carrierroute, and
 * traffic (pike, ratelimit, tm), kept out of the default tools/list to keep it small. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/guards.h"
#include "tools/row.h"
#include "tools/tool.h"

typedef json_t *(*node_fn)(struct mcp_call *, const json_t *, const char *, struct mi_error *);

/* The node the arguments name: its shaped answer as a tool result. */
static json_t *run(struct mcp_call *c, const struct mcp_tool *t, const json_t *args, node_fn one)
{
    const char *node = tool_node(args);
    struct mi_error e;

    return tool_node_result(c, t->name, node, one(c, args, node, &e), &e);
}

/* ---- drouting: the full status list, filtered here (the one-id form drops the address) ---- */

static json_t *dr_list(struct mcp_call *c, const json_t *args, const char *node,
                       struct mi_error *e, const char *cmd, const char *member, const char *arg)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const char *want = tool_str(args, arg, NULL);
    json_t *result = NULL, *items = json_array(), *x;
    size_t i;

    if (mi_client_call(mi, node, cmd, NULL, 0, &result, e) != MI_OK) {
        json_decref(items);
        return NULL;
    }
    json_array_foreach(json_object_get(result, member), i, x)
        if (!want || !strcmp(tool_str(x, "ID", ""), want))
            json_array_append(items, x);
    json_decref(result);
    return row_page(items, args, -1, 0);
}

static json_t *gw_one(struct mcp_call *c, const json_t *args, const char *node, struct mi_error *e)
{
    return dr_list(c, args, node, e, "drouting:gw_status", "Gateways", "gw_id");
}

static json_t *carrier_one(struct mcp_call *c, const json_t *args, const char *node,
                           struct mi_error *e)
{
    return dr_list(c, args, node, e, "drouting:carrier_status", "Carriers", "carrier_id");
}

static json_t *t_drouting_gw_status(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    return run(c, t, args, gw_one);
}

static json_t *t_drouting_carrier_status(struct mcp_call *c, const struct mcp_tool *t,
                                         json_t *args)
{
    return run(c, t, args, carrier_one);
}

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

static json_t *t_lb_resize(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const char *node = tool_node(args);
    json_int_t group = json_integer_value(json_object_get(args, "group"));
    json_int_t capacity = json_integer_value(json_object_get(args, "capacity"));
    const char *destination = tool_str(args, "destination", "");
    const char *resource = tool_str(args, "resource", "");
    json_t *list = NULL, *after = NULL, *dst, *res, *params, *result = NULL, *out;
    struct mi_error e;
    char names[512];

    if (mi_client_call(mi, node, "load_balancer:list", NULL, 0, &list, &e) != MI_OK)
        return tool_mi_error(c, t->name, &e);
    if (!(dst = lb_find(list, group, destination))) {
        names_of(json_object_get(list, "Destinations"), "uri", group, names, sizeof(names));
        json_decref(list);
        return content_error_result("%s: nothing was changed: group %lld has no destination '%s'"
                                    "%s%s. See lb_list for groups and URIs.",
                                    t->name, (long long)group, destination,
                                    names[0] ? "; its destinations: " : " (no destinations)",
                                    names);
    }
    json_int_t id = json_integer_value(json_object_get(dst, "id"));
    if (!(res = lb_resource(dst, resource))) {
        names_of(json_object_get(dst, "Resources"), "name", -1, names, sizeof(names));
        json_decref(list);
        return content_error_result("%s: nothing was changed: destination %s (id %lld) has no "
                                    "resource '%s'; its resources: %s",
                                    t->name, destination, (long long)id, resource, names);
    }
    json_int_t before = json_integer_value(json_object_get(res, "max"));
    json_decref(list);
    params = json_pack("{s:I, s:s, s:I}", "destination_id", id, "res_name", resource,
                       "new_capacity", capacity);
    enum mi_err rc = mi_client_call(mi, node, "load_balancer:resize", params, 0, &result, &e);
    json_decref(params);
    json_decref(result);
    if (rc != MI_OK)
        return tool_mi_error(c, t->name, &e);
    /* read back: the capacity the node now reports */
    json_t *now = json_null();
    if (mi_client_call(mi, node, "load_balancer:list", NULL, 0, &after, &e) == MI_OK &&
        (dst = lb_find(after, group, destination)) && (res = lb_resource(dst, resource)))
        now = json_incref(json_object_get(res, "max"));
    json_decref(after);
    out = json_pack("{s:s, s:I, s:s, s:I, s:s, s:I, s:I, s:o, s:s}", "node",
                    node ? node : "default", "group", group, "destination", destination,
                    "destination_id", id, "resource", resource, "old_capacity", before,
                    "new_capacity", capacity, "capacity_now", now, "outcome",
                    json_integer_value(now) == capacity && json_is_integer(now)
                        ? "resized: lb_list shows the new capacity (lost on lb_reload)"
                        : "OpenSIPS answered OK, but lb_list does not show the new capacity");
    return content_structured_result(json_pack("{s:o}", "result", out));
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

static json_t *cr_dump_one(struct mcp_call *c, const json_t *args, const char *node,
                           struct mi_error *e)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    json_t *result = NULL, *items = json_array(), *car, *dom, *r, *last = NULL;
    size_t i, j, k;

    if (mi_client_call(mi, node, "carrierroute:dump_routes", NULL, 0, &result, e) != MI_OK) {
        json_decref(items);
        return NULL;
    }
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

static json_t *t_carrierroute_dump(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    return run(c, t, args, cr_dump_one);
}

/* The command is known to crash OpenSIPS in file mode: the gate checks it (force overrides)
 * before it asks the user. */
static json_t *cr_replace_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                                struct mcp_needs *n)
{
    const char *prefix = tool_str(args, "prefix", "");

    (void)c, (void)d;
    n->subject = "carrierroute:replace_host";
    n->check = tool_guard_check;
    snprintf(n->what, sizeof(n->what), "replace host %s by %s in carrierroute (domain %s, prefix "
             "%s) on node %s, although this command is known to crash OpenSIPS",
             tool_str(args, "host", ""), tool_str(args, "new_host", ""),
             tool_str(args, "domain", ""), *prefix ? prefix : "NULL",
             tool_node(args) ? tool_node(args) : "default");
    return NULL;
}

static json_t *t_carrierroute_replace_host(struct mcp_call *c, const struct mcp_tool *t,
                                           json_t *args)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const char *node = tool_node(args);
    const char *prefix = tool_str(args, "prefix", "");
    json_t *out, *params, *result = NULL;
    struct mi_error e;
    char options[1024];

    /* the gate checked the known defect (the row's guard) and asked the user */
    /* the MI command takes one option string (carrierroute's -d -p -h -t); an empty prefix is
     * spelt NULL. It has no carrier option: file mode knows only the default carrier. */
    snprintf(options, sizeof(options), "-d %s -p %s -h %s -t %s", tool_str(args, "domain", ""),
             *prefix ? prefix : "NULL", tool_str(args, "host", ""), tool_str(args, "new_host", ""));
    params = json_pack("{s:s}", "options", options);
    enum mi_err rc = mi_client_call(mi, node, "carrierroute:replace_host", params, 0, &result, &e);
    json_decref(params);
    json_decref(result);
    if (rc != MI_OK) {
        mcp_call_set_outcome(c, mi_err_name(e.err));
        return content_error_result("%s failed (%s): %s. Known defect: %s.", t->name,
                                    mi_err_name(e.err), e.text,
                                    guard_note("carrierroute:replace_host"));
    }
    out = json_pack("{s:s, s:s, s:s, s:s}", "node", node ? node : "default", "options", options,
                    "outcome", "replaced (OpenSIPS answered OK); see carrierroute_dump",
                    "warning", "the carrier argument is not sent: the MI command edits the "
                    "file-mode tree, which has only the default carrier");
    return content_structured_result(json_pack("{s:o}", "result", out));
}

/* ---- tm: t_hash answers one row per bucket (65536 rows, 2.4 MB): summed here ---- */

static json_t *tm_one(struct mcp_call *c, const json_t *args, const char *node,
                      struct mi_error *e)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    json_t *result = NULL, *b, *busiest = json_array();
    json_int_t current = 0, total = 0, used = 0;
    size_t i;
    enum { TOP = 5 };
    json_t *top[TOP] = {0};

    (void)args;
    if (mi_client_call(mi, node, "tm:hash", NULL, 0, &result, e) != MI_OK) {
        json_decref(busiest);
        return NULL;
    }
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

static json_t *t_tm_transactions(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    return run(c, t, args, tm_one);
}

/* ---- rows ---- */

static const struct tool_arg gw_status_args[] = {
    {"gw_id", "string", "Only this gateway (its id in dr_gateways, ID in the listing)", 0,
     "\"minLength\":1,\"maxLength\":128", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg set_gw_status_args[] = {
    {"gw_id", "string", "The gateway's id (ID in drouting_gw_status)", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":128", "gw_id"},
    {"status", "integer", "0 disable (shown as Disabled MI; probing does not re-enable it), 1 "
     "enable", ARG_REQUIRED, "\"enum\":[0,1]", "status"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg carrier_status_args[] = {
    {"carrier_id", "string", "Only this carrier (its id in dr_carriers, ID in the listing)", 0,
     "\"minLength\":1,\"maxLength\":128", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg set_carrier_status_args[] = {
    {"carrier_id", "string", "The carrier's id (ID in drouting_carrier_status)", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":128", "carrier_id"},
    {"status", "integer", "0 disable, 1 enable", ARG_REQUIRED, "\"enum\":[0,1]", "status"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg number_routing_args[] = {
    {"number", "string", "The dialled number to route, as the script would see it", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":64", "number"},
    {"group_id", "integer", "The routing group to use (groupid of dr_rules; default 0)", 0,
     "\"minimum\":0,\"default\":0", "group_id"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg lb_dst_args[] = {
    {"destination_id", "integer", "The destination's id (id in lb_list)", ARG_REQUIRED,
     "\"minimum\":0", "destination_id"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg lb_set_status_args[] = {
    {"destination_id", "integer", "The destination's id (id in lb_list)", ARG_REQUIRED,
     "\"minimum\":0", "destination_id"},
    {"new_status", "integer", "0 disable (probing will not re-enable it), 1 enable",
     ARG_REQUIRED, "\"enum\":[0,1]", "new_status"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg lb_resize_args[] = {
    {"group", "integer", "The destination's group (group in lb_list)", ARG_REQUIRED,
     "\"minimum\":0", NULL},
    {"destination", "string", "The destination's URI (uri in lb_list)", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":256", NULL},
    {"resource", "string", "The resource's name (Resources[].name in lb_list)", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":64", NULL},
    {"capacity", "integer", "The new maximum load of that resource", ARG_REQUIRED,
     "\"minimum\":0", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg dp_translate_args[] = {
    {"dpid", "integer", "The dialplan id (dpid column; the script's dp_translate id)",
     ARG_REQUIRED, "\"minimum\":0", "dpid"},
    {"input", "string", "The string to translate, e.g. a dialled number", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":256", "input"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

#define CR_TOKEN "\"minLength\":1,\"maxLength\":128,\"pattern\":\"^[^\\\\s]+$\""
static const struct tool_arg cr_replace_args[] = {
    {"carrier", "string", "Carrier name (carrier in carrierroute_dump); file mode has only "
     "the default one", ARG_REQUIRED, CR_TOKEN, NULL},
    {"domain", "string", "Routing domain (domain in carrierroute_dump)", ARG_REQUIRED, CR_TOKEN,
     NULL},
    {"prefix", "string", "Scan prefix of the rule (prefix in carrierroute_dump; NULL for none)",
     ARG_REQUIRED, "\"maxLength\":64,\"pattern\":\"^[^\\\\s]*$\"", NULL},
    {"host", "string", "The host to replace (host in carrierroute_dump)", ARG_REQUIRED, CR_TOKEN,
     NULL},
    {"new_host", "string", "The host to put in its place, host[:port]", ARG_REQUIRED, CR_TOKEN,
     NULL},
    {"force", "boolean", "true to send it although it crashes OpenSIPS in file mode", 0, NULL,
     NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg rl_list_args[] = {
    {"pipe", "string", "Only this pipe (its name in the script's rl_check)", 0,
     "\"minLength\":1,\"maxLength\":64", "pipe"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const char gw_item[] =
    "{\"type\":\"object\",\"properties\":{\"ID\":{\"type\":\"string\"},\"IP\":{\"type\":\"string\"},"
    "\"State\":{\"type\":\"string\"}}}";
static const char carrier_item[] =
    "{\"type\":\"object\",\"properties\":{\"ID\":{\"type\":\"string\"},"
    "\"Enabled\":{\"type\":\"string\"}}}";
static const char lb_item[] =
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"group\":{\"type\":\"integer\"},"
    "\"uri\":{\"type\":\"string\"}}}";
static const char cr_item[] =
    "{\"type\":\"object\",\"properties\":{\"carrier\":{\"type\":\"string\"},\"domain\":{\"type\":\"string\"},"
    "\"prefix\":{\"type\":\"string\"},\"host\":{\"type\":\"string\"}}}";
static const char tm_result[] =
    "{\"type\":\"object\",\"properties\":{\"transactions_now\":{\"type\":\"integer\"},"
    "\"transactions_since_start\":{\"type\":\"integer\"},\"busiest_buckets\":{\"type\":\"array\"}}}";

#define WRITE (TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT)
#define READ_LIST (TOOL_F_READONLY | ROW_LIST)

static const struct tool_def routing_tools[] = {
    {"drouting_gw_status", "Drouting gateway states",
     "Lists drouting gateways with address and state (Active, Inactive, Probing, Disabled MI).",
     "routing", NULL, gw_status_args, SCOPE_BIT(SCOPE_MI_READ), READ_LIST, NULL, gw_item,
     t_drouting_gw_status, "drouting:gw_status (3.x dr_gw_status), filtered by gw_id here", NULL,
     "drouting:gw_status"},
    {"drouting_set_gw_status", "Enable or disable a drouting gateway",
     "Disables or enables one drouting gateway at once, without a reload. Asks the user to "
     "confirm.",
     "routing", "drouting:gw_status", set_gw_status_args, SCOPE_BIT(SCOPE_MI_WRITE), WRITE, NULL,
     NULL, NULL, "drouting:gw_status {gw_id, status} (3.x dr_gw_status)", NULL, NULL},
    {"drouting_carrier_status", "Drouting carrier states",
     "Lists drouting carriers and whether each is enabled.",
     "routing", NULL, carrier_status_args, SCOPE_BIT(SCOPE_MI_READ), READ_LIST, NULL,
     carrier_item, t_drouting_carrier_status,
     "drouting:carrier_status (3.x dr_carrier_status), filtered by carrier_id here", NULL,
     "drouting:carrier_status"},
    {"drouting_set_carrier_status", "Enable or disable a drouting carrier",
     "Disables or enables one drouting carrier at once. Asks the user to confirm.",
     "routing", "drouting:carrier_status", set_carrier_status_args, SCOPE_BIT(SCOPE_MI_WRITE),
     WRITE, NULL, NULL, NULL, "drouting:carrier_status {carrier_id, status}", NULL, NULL},
    {"drouting_number_routing", "Which route a number takes",
     "Shows the drouting rule and gateways a number would use, without placing a call; "
     "\"No match\" when no rule matches.",
     "routing", "drouting:number_routing", number_routing_args, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY, NULL, NULL, NULL, "drouting:number_routing {number, group_id}", NULL, NULL},
    {"drouting_reload", "Reload drouting rules",
     "Makes OpenSIPS re-read gateways, carriers and rules from its database; states are kept. "
     "Asks the user to confirm.",
     "routing", "drouting:reload", NULL, SCOPE_BIT(SCOPE_MI_WRITE), WRITE, NULL, NULL, NULL,
     "drouting:reload (3.x dr_reload), as the Python server's drouting_* tools fire it", NULL, NULL},
    {"lb_list", "List load-balancer destinations",
     "Lists load_balancer destinations: id, group, URI, enabled, and each resource's max and "
     "current load.",
     "routing", "load_balancer:list", NULL, SCOPE_BIT(SCOPE_MI_READ), READ_LIST, "Destinations",
     lb_item, NULL, "load_balancer:list (3.x lb_list)", NULL, NULL},
    {"lb_status", "Load-balancer destination state",
     "Says whether one load_balancer destination is enabled.",
     "routing", "load_balancer:status", lb_dst_args, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY,
     NULL, NULL, NULL, "load_balancer:status {destination_id} (3.x lb_status)", NULL, NULL},
    {"lb_set_status", "Enable or disable a load-balancer destination",
     "Enables or disables one load_balancer destination at once. Asks the user to confirm.",
     "routing", "load_balancer:status", lb_set_status_args, SCOPE_BIT(SCOPE_MI_WRITE), WRITE,
     NULL, NULL, NULL, "load_balancer:status {destination_id, new_status}", NULL, NULL},
    {"lb_resize", "Change a load-balancer resource's capacity",
     "Changes the capacity of one resource of a load_balancer destination, found by group and "
     "URI, then reads it back. Lost on reload. Asks the user to confirm.",
     "routing", NULL, lb_resize_args, SCOPE_BIT(SCOPE_MI_WRITE), WRITE, NULL, NULL, t_lb_resize,
     "load_balancer:list to find the destination id by group and URI, load_balancer:resize "
     "{destination_id, res_name, new_capacity}, load_balancer:list to verify. Fixed: the "
     "Python server sends group/destination/resource/capacity, which OpenSIPS rejects", NULL,
     "load_balancer:resize"},
    {"dialplan_translate", "Try a dialplan translation",
     "Runs an input string through dialplan id dpid and returns the output and the rule's "
     "attributes; no call is placed.",
     "routing", "dialplan:translate", dp_translate_args, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY, NULL, NULL, NULL,
     "dialplan:translate {dpid, input} (3.x dp_translate); dpid sent as a number", NULL, NULL},
    {"dialplan_reload", "Reload dialplan rules",
     "Makes OpenSIPS re-read the dialplan rules from its database. Asks the user to confirm.",
     "routing", "dialplan:reload", NULL, SCOPE_BIT(SCOPE_MI_WRITE), WRITE, NULL, NULL, NULL,
     "dialplan:reload (3.x dp_reload)", NULL, NULL},
    {"carrierroute_dump", "Carrierroute routing tree",
     "Lists carrierroute's loaded rules: carrier, domain, prefix, host, probability, active, "
     "rewrite prefix/suffix, comment.",
     "carrierroute", NULL, NULL, SCOPE_BIT(SCOPE_MI_READ), READ_LIST, NULL, cr_item,
     t_carrierroute_dump,
     "carrierroute:dump_routes (3.x cr_dump_routes); its preformatted rule lines are parsed", NULL,
     "carrierroute:dump_routes"},
    {"carrierroute_replace_host", "Replace a carrierroute host",
     "Replaces one host in a carrierroute rule at runtime. Refused unless force: true, because "
     "it crashes OpenSIPS in file mode. Asks the user to confirm.",
     "carrierroute", NULL, cr_replace_args, SCOPE_BIT(SCOPE_MI_WRITE), WRITE, NULL, NULL,
     t_carrierroute_replace_host,
     "carrierroute:replace_host {options: \"-d domain -p prefix -h host -t new_host\"} (3.x "
     "cr_replace_host), guarded (src/tools/guards.c). Fixed: the Python server sends named "
     "carrier/domain/prefix/host/new_host, which OpenSIPS rejects; carrier is not sent",
     cr_replace_needs, "carrierroute:replace_host"},
    {"pike_list_blocked", "Sources blocked by pike",
     "Lists the source IPs pike's flood detection currently blocks.",
     "traffic", "pike:list", NULL, SCOPE_BIT(SCOPE_MI_READ), READ_LIST, "IPs", NULL, NULL,
     "pike:list (3.x pike_list; 4.0 dropped that name)", NULL, NULL},
    {"ratelimit_list", "Ratelimit pipes",
     "Lists ratelimit pipes (algorithm, limit, counter) and the current drop rate.",
     "traffic", "ratelimit:list", rl_list_args, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY, NULL,
     NULL, NULL, "ratelimit:list {pipe} (3.x rl_list)", NULL, NULL},
    {"tm_transactions", "Transactions in progress",
     "Counts SIP transactions in progress and since start, from tm's hash table. OpenSIPS "
     "cannot list single transactions.",
     "traffic", NULL, NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY, NULL, tm_result,
     t_tm_transactions, "tm:hash (3.x t_hash), 65536 buckets summed here", NULL,
     "tm:hash"},
};
ROW_TABLE(routing, routing_tools);
