/* register: fill a registry with every table of tools, resources and prompts the settings enable. */
#ifndef REGISTER_H
#define REGISTER_H

#include "mcp/registry.h"
#include "settings.h"

/* Returns 0, or -1 with a sentence in err: an unknown toolset, a duplicate name, out of memory. */
int mcp_register_all(struct registry *reg, const struct settings *settings, char *err,
                     size_t errlen);

#endif
