/* tools/tls: TLS connections. OpenSIPS 4.x filters its connection list by protocol itself;
 * 3.x lists every TCP-family connection and we keep the TLS ones. */
#include "tools/row.h"

static const struct tool_def tls_tools[] = {
    {.name = "tls_connections",
     .title = "List TLS connections",
     .description = "Lists open TLS connections: remote and local address, TLS version, cipher, whether the "
                    "peer certificate was verified, age.",
     .toolset = "tls",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "tcp:list", .list = "Connections", .params = PARAMS({"proto", "tls"}),
            .params_optional = true},
     .filter = {.field = "Type", .equals = "tls"},
     .result = FIELDS({.name = "ID", .type = T_INTEGER},
                      {.name = "Remote", .type = T_STRING},
                      {.name = "Local", .type = T_STRING},
                      {.name = "TLS Version", .type = T_STRING},
                      {.name = "TLS Cipher", .type = T_STRING},
                      {.name = "TLS Peer verified", .type = T_INTEGER}),
     .mapping = "tcp:list {proto: tls} on 4.x; 3.x list_tcp_conns filtered to Type tls here"},
};
ROW_TABLE(tls, tls_tools);
