/* stdio: MCP over standard input and output (basic/transports.mdx §stdio) — newline-delimited
 * compact JSON in both directions; stdout carries MCP messages only. */
#ifndef TRANSPORT_STDIO_H
#define TRANSPORT_STDIO_H

#include "mcp/server.h"

/* Serve one session on fds 0 and 1 until end of input or SIGTERM/SIGINT. Returns the exit
 * status for main (0 on a clean end). Signals must be blocked by the caller before any thread
 * starts; this function takes them through a signalfd. */
int stdio_serve(struct mcp_server *srv, const struct settings *settings);

#endif
