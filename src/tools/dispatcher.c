/* tools/dispatcher: destination sets (OpenSIPS dispatcher module) — listing every destination
 * of every set as one flat, paged list, setting a destination's state, reloading the table.
 * The Python server's dispatcher_add/update/remove write the DB table (another area). */

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
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

static json_t *ds_list_one(struct mcp_call *c, const json_t *args, const char *node,
                           struct mi_error *e)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    json_t *params = json_object(), *result = NULL, *out;
    json_t *set = json_object_get(args, "setid");

    if (json_is_true(json_object_get(args, "full")))
        json_object_set_new(params, "full", json_integer(1));
    if (json_is_string(json_object_get(args, "partition")))
        json_object_set(params, "partition", json_object_get(args, "partition"));
    enum mi_err rc = mi_client_call(mi, node, "dispatcher:list", params, 0, &result, e);
    json_decref(params);
    if (rc != MI_OK)
        return NULL;
    out = row_page(ds_flatten(result, json_is_integer(set) ? json_integer_value(set) : -1), args,
                   -1, 0);
    json_decref(result);
    return out;
}

static json_t *t_dispatcher_list(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *node = tool_node(args);
    struct mi_error e;

    return tool_node_result(c, t->name, node, ds_list_one(c, args, node, &e), &e);
}

static const struct tool_arg dispatcher_list_args[] = {
    {"full", "boolean", "true to add each destination's weight, priority and description", 0,
     NULL, NULL},
    {"setid", "integer", "Only this destination set (the set id of the dispatcher table)", 0,
     "\"minimum\":0", NULL},
    {"partition", "string", "Only this dispatcher partition (default: all)", 0,
     "\"minLength\":1,\"maxLength\":64", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg dispatcher_set_state_args[] = {
    {"group", "integer", "Set id of the destination (setid in dispatcher_list)", ARG_REQUIRED,
     "\"minimum\":0", "group"},
    {"address", "string", "The destination's URI exactly as dispatcher_list shows it (URI), "
     "e.g. sip:10.0.0.5:5060", ARG_REQUIRED, "\"minLength\":1,\"maxLength\":256", "address"},
    {"state", "string", "active (takes traffic), inactive (takes none), probing (inactive "
     "until it answers OPTIONS pings)", ARG_REQUIRED,
     "\"enum\":[\"active\",\"inactive\",\"probing\",\"a\",\"i\",\"p\"]", "state"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const char dispatcher_item[] =
    "{\"type\":\"object\",\"properties\":{\"setid\":{\"type\":\"integer\"},"
    "\"URI\":{\"type\":\"string\"},\"state\":{\"type\":\"string\"}}}";

static const struct tool_def dispatcher_tools[] = {
    {"dispatcher_list", "List dispatcher destinations",
     "Lists the destinations of every dispatcher set as one list: partition, setid, URI, state "
     "(Active, Inactive, Probing), hits, attributes; full adds weight, priority, description. "
     "Narrow with setid; pages with limit and offset.",
     "dispatcher", NULL, dispatcher_list_args, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY | ROW_LIST, NULL, dispatcher_item, t_dispatcher_list,
     "dispatcher:list {full, partition} (3.x ds_list); the nested PARTITIONS/SETS/Destinations "
     "reply is flattened into one paged list. New: the Python server has no listing tool", NULL},
    {"dispatcher_set_state", "Set a dispatcher destination's state",
     "Marks one destination of a dispatcher set active, inactive or probing, at once and "
     "without a reload; inactive destinations get no calls. Asks the user to confirm.",
     "dispatcher", "dispatcher:set_state", dispatcher_set_state_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, NULL, NULL,
     "dispatcher:set_state {state, group, address} (3.x ds_set_state); OpenSIPS reads the "
     "state's first letter (a, i, p). New: the Python server has no such tool", NULL},
    {"dispatcher_reload", "Reload dispatcher destinations",
     "Makes OpenSIPS re-read the dispatcher table from its database (after editing it); "
     "destination states are kept. Asks the user to confirm.",
     "dispatcher", "dispatcher:reload", NULL, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, NULL, NULL,
     "dispatcher:reload (3.x ds_reload), as the Python server's dispatcher_* tools fire it", NULL},
};
ROW_TABLE(dispatcher, dispatcher_tools);
