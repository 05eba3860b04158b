/* register: the one list of every table the server serves. A new area of tools adds a line. */
#include "register.h"

#include "mcp/fixtures.h"

int tools_mi_register(struct registry *reg);

int mcp_register_all(struct registry *reg, const struct settings *settings)
{
    if (settings->conformance_fixtures && fixtures_register(reg) < 0)
        return -1;
    if (tools_mi_register(reg) < 0)
        return -1;
    return 0;
}
