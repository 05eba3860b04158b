/* register: the one list of every table the server serves. */
#include "register.h"

#include <stdio.h>

#include "fixtures/examples.h"
#include "fixtures/fixtures.h"
#include "prompts/prompts.h"
#include "resources/resources.h"
#include "tools/backends.h"
#include "tools/row.h"

int register_all(struct registry *reg, const struct tool_backends *be,
                 const struct settings *settings, char *err, size_t errlen)
{
    if (rows_check_toolsets(settings->toolsets, err, errlen) < 0 ||
        rows_check_all(row_tables, row_table_count, settings->toolsets, err, errlen) < 0)
        return -1;
    /* the fixtures, and the worked examples of docs/adding-a-tool.md, for the tests only */
    if (settings->conformance_fixtures &&
        (fixtures_register(reg) < 0 ||
         rows_register(reg, be, examples_table.rows, examples_table.n, "all") < 0))
        goto dup;
    for (size_t i = 0; i < row_table_count; i++)
        if (rows_register(reg, be, row_tables[i]->rows, row_tables[i]->n, settings->toolsets) < 0)
            goto dup;
    /* prompts and resources after the tools: a prompt says which of its tools are not here */
    if (prompts_register(reg, be, settings->toolsets) < 0 ||
        resources_register(reg, be, settings->toolsets) < 0)
        goto dup;
    return registry_build(reg, err, errlen);
dup:
    snprintf(err, errlen, "duplicate or unregistrable tool, resource or prompt");
    return -1;
}
