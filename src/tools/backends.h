/* backends: what tools run on. main builds them and hands them to the tools layer
 * (register_all); a row names the kind it runs on (enum tool_backend, row.h) and its logic
 * reaches them through its struct tool_ctx. The MCP core knows none of them. */
#ifndef TOOLS_BACKENDS_H
#define TOOLS_BACKENDS_H

#include "tools/error.h"

struct mi_client;
struct db_config;
struct db_driver;
struct homer;

struct tool_backends {
    struct mi_client *mi;        /* OpenSIPS nodes over MI (mi/client.h); borrowed */
    const struct db_config *db;  /* each node's provisioning database (db/config.h); NULL: none */
    /* A driver on node's database (NULL: the default node): db_config_open in the server, a
     * recorder in tests. NULL when no database is configured. */
    enum tool_err (*db_connect)(const struct db_config *c, const char *node, struct db_driver *d,
                                struct tool_error *e);
    const char *files_root;      /* the one directory tools may write files under (absolute;
                                    file/rootfile.h), or NULL: none allowed */
    struct homer *homer;         /* Homer 7's API (homer/client.h); NULL: --homer-url unset */
    /* programs (exec/exec.h) need no state: every call spawns its own */
};

#endif
