/* tools/tls: TLS connections. OpenSIPS 4.x filters its connection list by protocol itself;
 * 3.x lists every TCP-family connection and we keep the TLS ones. */
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

static json_t *tls_one(struct mcp_call *c, const json_t *args, const char *node,
                       struct mi_error *e)
{
    struct mi_client *mi = tool_backends_of(c)->mi;
    json_t *params = json_pack("{s:s}", "proto", "tls"), *result = NULL, *conn, *items;
    size_t i;

    enum mi_err rc = mi_client_call(mi, node, "tcp:list", params, 0, &result, e);
    json_decref(params);
    if (rc == MI_ERR_BAD_PARAMS || rc == MI_ERR_MI) /* 3.x: no proto filter */
        rc = mi_client_call(mi, node, "tcp:list", NULL, 0, &result, e);
    if (rc != MI_OK)
        return NULL;
    items = json_array();
    json_array_foreach(json_object_get(result, "Connections"), i, conn)
        if (!strcasecmp(tool_str(conn, "Type", ""), "tls"))
            json_array_append(items, conn);
    json_decref(result);
    return row_page(items, args, -1, 0);
}

static json_t *t_tls_connections(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *node = tool_node(args);
    struct mi_error e;

    return tool_node_result(c, t->name, node, tls_one(c, args, node, &e), &e);
}

static const struct tool_def tls_tools[] = {
    {.name = "tls_connections",
     .title = "List TLS connections",
     .description = "Lists open TLS connections: remote and local address, TLS version, cipher, whether the "
                    "peer certificate was verified, age.",
     .toolset = "tls",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .result = FIELDS({.name = "ID", .type = T_INTEGER},
                      {.name = "Remote", .type = T_STRING},
                      {.name = "Local", .type = T_STRING},
                      {.name = "TLS Version", .type = T_STRING},
                      {.name = "TLS Cipher", .type = T_STRING},
                      {.name = "TLS Peer verified", .type = T_INTEGER}),
     .handler = t_tls_connections,
     .mapping = "tcp:list {proto: tls} on 4.x; 3.x list_tcp_conns filtered to Type tls here"},
};
ROW_TABLE(tls, tls_tools);
