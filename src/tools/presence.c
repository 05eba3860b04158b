/* tools/presence: SIP presence subscriptions (presence module) and the Event Interface's
 * subscribers (core evi). */

#include "tools/row.h"
#include "tools/tool.h"

static const struct tool_def presence_tools[] = {
    {.name = "presence_list_subscriptions",
     .title = "List presence subscriptions",
     .description = "Lists the presence module's in-memory subscriptions (watchers): presentity, event, "
                    "watcher, contact, expiry. Useful when BLF lamps or MWI do not update.",
     .toolset = "presence",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "presence:subs_phtable_list"},
     .result = FIELDS({.name = "pres_uri", .type = T_STRING},
                      {.name = "event", .type = T_STRING},
                      {.name = "expires", .type = T_STRING},
                      {.name = "from_user", .type = T_STRING},
                      {.name = "contact", .type = T_STRING}),
     .mapping = "presence:subs_phtable_list (3.x subs_phtable_list)"},
    {.name = "event_list_subscribers",
     .title = "List event subscribers",
     .description = "Lists Event Interface subscriptions per event: subscriber socket, expire, ttl "
                    "(\"expired\" right after an unsubscribe).",
     .toolset = "presence",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .args = ARGS({.name = "event", .type = T_STRING, .min_len = 1, .max_len = 128, .mi = "event",
                   .description = "Only this event (e.g. E_UL_AOR_INSERT; evi:list via mi_execute lists "
                                  "them)"},
                  {.name = "socket", .type = T_STRING, .min_len = 1, .max_len = 256, .mi = "socket",
                   .with = "event",
                   .description = "With event: only this subscriber socket (e.g. udp:10.0.0.5:9999)"}),
     .result = FIELDS({.name = "events", .type = T_ARRAY, .item = ITEM(.type = T_OBJECT, .fields = FIELDS({.name = "name", .type = T_STRING},
               {.name = "Subscribers", .type = T_ARRAY}))}),
     .mi = {.cmd = "evi:subscribers", .list = "Events", .wrap = "events"},
     .mapping = "evi:subscribers {[event [, socket]]} (3.x subscribers_list); the one-event and all-event "
                "replies are given one shape. Fixed: the Python server's command name is not OpenSIPS's"},
};
ROW_TABLE(presence, presence_tools);
