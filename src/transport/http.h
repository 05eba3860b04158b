/* http: MCP Streamable HTTP (2025-11-25, basic/transports.mdx §Streamable HTTP) on libmicrohttpd:
 * one endpoint, /mcp, taking POST (one message; JSON or an SSE stream back), GET (an SSE stream
 * for messages that belong to no request) and DELETE (end the session). */
#ifndef TRANSPORT_HTTP_H
#define TRANSPORT_HTTP_H

#include "mcp/server.h"

/* Serve until SIGTERM/SIGINT (blocked by the caller before any thread starts). Returns the exit
 * status for main: 0 on a clean end, 1 when the endpoint cannot be served. */
int http_serve(struct mcp_server *srv, const struct settings *settings);

#endif
