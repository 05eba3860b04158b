/* db/config: which provisioning database each OpenSIPS node reads, from flags, the environment,
 * the JSON config file and opensips-cli's `database_url`. Plain data that the SQL rows
 * (tools/be_sql.c) look a node up in; db_open (db.h) connects. */
#ifndef DB_CONFIG_H
#define DB_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "db/db.h"

#define DB_NODE_NAME_MAX 64
#define DB_NODES_MAX 64

struct db_node_cfg {
    char name[DB_NODE_NAME_MAX]; /* the OpenSIPS node (the MI node of the same name) */
    char url[DB_URL_MAX];        /* postgres://... or mysql://..., parsed by db_url_parse */
    char source[128];            /* where it came from, for messages ("--db-url", ...) */
};

struct db_config {
    struct db_node_cfg nodes[DB_NODES_MAX];
    size_t n;
    char default_node[DB_NODE_NAME_MAX]; /* the node a call without "node" uses; "" = the node
                                            named "default", else the first */
    struct db_open_opts open;            /* connect and statement time-outs (ms) */
};

/* The database of node `name` (NULL or "": the default node), or NULL when none is configured
 * (c NULL included). */
const struct db_node_cfg *db_config_node(const struct db_config *c, const char *name);

/* A driver on the database of node `name` (db_open on the calling thread's cache, with c's
 * time-outs). TOOL_OK, or a kind with e filled: "db_not_configured" (TOOL_E_CONFIG) when the
 * node has no database, else db_open's. The form of struct tool_backends.db_connect. */
enum tool_err db_config_open(const struct db_config *c, const char *name, struct db_driver *d,
                             struct tool_error *e);

#endif
