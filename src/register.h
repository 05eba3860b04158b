/* register: fill a registry with every table of tools, resources and prompts the settings enable. */
#ifndef REGISTER_H
#define REGISTER_H

#include "mcp/registry.h"
#include "settings.h"

struct tool_backends;

/* Register what the settings enable, the tools over the backends `be` (borrowed; they must
 * outlive the registry), then build every schema, so that a malformed row fails the start.
 * Returns 0, or -1 with a sentence in err: an unknown toolset, a duplicate name, a malformed
 * row, out of memory. */
int register_all(struct registry *reg, const struct tool_backends *be,
                 const struct settings *settings, char *err, size_t errlen);

#endif
