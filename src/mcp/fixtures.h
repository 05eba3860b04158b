/* fixtures: the conformance suite's tools, resources and prompts (tests only). */
#ifndef MCP_FIXTURES_H
#define MCP_FIXTURES_H

#include "mcp/registry.h"

/* Add every fixture row to reg. Returns 0 or -1. */
int fixtures_register(struct registry *reg);

#endif
