/* tools/presence: SIP presence subscriptions (presence module) and the Event Interface's
 * subscribers (core evi). */

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

/* OpenSIPS answers {"Events":[...]} for all events and {"Event":{...}} for one: one shape. */
static json_t *subscribers_one(struct mcp_call *c, const json_t *args, const char *node,
                               struct mi_error *e)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    json_t *params = json_object(), *result = NULL, *events, *v;

    if ((v = json_object_get(args, "event")))
        json_object_set(params, "event", v);
    if ((v = json_object_get(args, "socket")))
        json_object_set(params, "socket", v);
    enum mi_err rc = mi_client_call(mi, node, "evi:subscribers", params, 0, &result, e);
    json_decref(params);
    if (rc != MI_OK)
        return NULL;
    if ((v = json_object_get(result, "Event")))
        events = json_pack("[O]", v);
    else if (json_is_array(v = json_object_get(result, "Events")))
        events = json_incref(v);
    else
        events = json_array();
    json_decref(result);
    return json_pack("{s:{s:o}}", "result", "events", events);
}

static json_t *t_event_list_subscribers(struct mcp_call *c, const struct mcp_tool *t,
                                        json_t *args)
{
    const char *node = tool_node(args);
    struct mi_error e;

    if (json_object_get(args, "socket") && !json_object_get(args, "event"))
        return content_error_result("%s: socket filters within one event: pass event too "
                                    "(e.g. E_UL_AOR_INSERT)", t->name);
    return tool_node_result(c, t->name, node, subscribers_one(c, args, node, &e), &e);
}

static const struct tool_arg subscribers_args[] = {
    {"event", "string", "Only this event (e.g. E_UL_AOR_INSERT; evi:list via mi_execute lists "
     "them)", 0, "\"minLength\":1,\"maxLength\":128", NULL},
    {"socket", "string", "With event: only this subscriber socket (e.g. udp:10.0.0.5:9999)", 0,
     "\"minLength\":1,\"maxLength\":256", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const char subs_item[] =
    "{\"type\":\"object\",\"properties\":{\"pres_uri\":{\"type\":\"string\"},\"event\":{\"type\":\"string\"},"
    "\"expires\":{\"type\":\"string\"},\"from_user\":{\"type\":\"string\"},\"contact\":{\"type\":\"string\"}}}";
static const char events_schema[] =
    "{\"type\":\"object\",\"properties\":{\"events\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"properties\":{\"name\":{\"type\":\"string\"},\"Subscribers\":{\"type\":\"array\"}}}}}}";

static const struct tool_def presence_tools[] = {
    {"presence_list_subscriptions", "List presence subscriptions",
     "Lists the presence module's in-memory subscriptions (watchers): presentity, event, "
     "watcher, contact, expiry. Useful when BLF lamps or MWI do not update.",
     "presence", "presence:subs_phtable_list", NULL, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY | ROW_LIST, NULL, subs_item, NULL,
     "presence:subs_phtable_list (3.x subs_phtable_list)", NULL, NULL},
    {"event_list_subscribers", "List event subscribers",
     "Lists Event Interface subscriptions per event: subscriber socket, expire, ttl "
     "(\"expired\" right after an unsubscribe).",
     "presence", NULL, subscribers_args, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY, NULL,
     events_schema, t_event_list_subscribers,
     "evi:subscribers {[event [, socket]]} (3.x subscribers_list); the one-event and all-event "
     "replies are given one shape. Fixed: the Python server's command name is not OpenSIPS's",
     NULL, NULL},
};
ROW_TABLE(presence, presence_tools);
