/* backends: what tools run on. main builds them and hands them to the tools layer
 * (register_all); a row names the kind it runs on (enum tool_backend, row.h) and its logic
 * reaches them through its struct tool_ctx. The MCP core knows none of them. */
#ifndef TOOLS_BACKENDS_H
#define TOOLS_BACKENDS_H

struct mi_client;
struct db_driver;

struct tool_backends {
    struct mi_client *mi;        /* OpenSIPS nodes over MI (mi/client.h); borrowed */
    const struct db_driver *db;  /* the provisioning database (db/db.h); NULL: none configured */
    const char *files_root;      /* the one directory tools may write files under (absolute;
                                    file/rootfile.h), or NULL: none allowed */
    /* programs (exec/exec.h) need no state: every call spawns its own */
};

#endif
