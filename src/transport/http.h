/* http: MCP Streamable HTTP (2025-11-25, basic/transports.mdx §Streamable HTTP) on libmicrohttpd:
 * one endpoint, /mcp, taking POST (one message; JSON or an SSE stream back), GET (an SSE stream
 * for messages that belong to no request) and DELETE (end the session). */
#ifndef TRANSPORT_HTTP_H
#define TRANSPORT_HTTP_H

#include "mcp/server.h"

/* Check the settings the endpoint needs (the listen address; tokens for one beyond loopback)
 * before anything is served. Returns 0, or 2 (the exit status of a configuration error) after
 * logging why, naming where the bad value came from. */
int http_check(struct mcp_server *srv, const struct settings *settings);

/* Serve until SIGTERM/SIGINT (blocked by the caller before any thread starts). Returns the exit
 * status for main: 0 on a clean end, 2 for a bad setting (http_check), 1 when the endpoint
 * cannot be served (the port is taken, libmicrohttpd is missing). */
int http_serve(struct mcp_server *srv, const struct settings *settings);

#endif
