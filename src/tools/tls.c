/* tools/tls: TLS connections. OpenSIPS 4.x filters its connection list by protocol itself;
 * 3.x lists every TCP-family connection and we keep the TLS ones. */
#include <stdio.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

static json_t *tls_one(struct mcp_call *c, const json_t *args, const char *node,
                       struct mi_error *e)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
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
    json_t *out = row_page(items, args, -1, 0);
    json_object_set_new(out, "node", json_string(node ? node : "default"));
    return out;
}

static json_t *t_tls_connections(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const char *node = tool_node(args);
    struct mi_error e;
    json_t *r;

    if (node && !strcmp(node, "*")) {
        size_t n = mi_client_node_count(mi), ok = 0;
        json_t *nodes = json_object();
        for (size_t i = 0; i < n; i++) {
            const char *name = mi_client_node_name(mi, i);
            if ((r = tls_one(c, args, name, &e))) {
                json_object_set_new(r, "ok", json_true());
                ok++;
            } else {
                r = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", mi_err_name(e.err),
                              "message", e.text);
            }
            json_object_set_new(nodes, name, r);
        }
        return content_structured_result(json_pack("{s:o, s:I, s:I}", "nodes", nodes,
                                                   "answered", (json_int_t)ok, "asked",
                                                   (json_int_t)n));
    }
    if (!(r = tls_one(c, args, node, &e)))
        return tool_mi_error(c, t->name, &e);
    return content_structured_result(r);
}

static const char conn_item[] =
    "{\"type\":\"object\",\"properties\":{\"ID\":{\"type\":\"integer\"},\"Remote\":{\"type\":\"string\"},"
    "\"Local\":{\"type\":\"string\"},\"TLS Version\":{\"type\":\"string\"},\"TLS Cipher\":{\"type\":\"string\"},"
    "\"TLS Peer verified\":{\"type\":\"integer\"}}}";

static const struct tool_def tls_tools[] = {
    {"tls_connections", "List TLS connections",
     "Lists open TLS connections: remote and local address, TLS version, cipher, whether the "
     "peer certificate was verified, age.",
     "tls", NULL, NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY | ROW_LIST, NULL, conn_item,
     t_tls_connections,
     "tcp:list {proto: tls} on 4.x; 3.x list_tcp_conns filtered to Type tls here"},
};
ROW_TABLE(tls, tls_tools);
