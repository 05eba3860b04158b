/* db/config: which provisioning database each OpenSIPS node reads, from flags, the environment,
 * the JSON config file and opensips-cli's `database_url`. Plain data that the SQL rows
 * (tools/be_sql.c) look a node up in; db_open (db.h) connects. */
#ifndef DB_CONFIG_H
#define DB_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"

#define DB_NODE_NAME_MAX 64
#define DB_NODES_MAX 64

/* Time-outs (ms): defaults and the ranges every source is held to. */
#define DB_CONNECT_TIMEOUT_MS_DEFAULT 3000
#define DB_CONNECT_TIMEOUT_MS_MIN 100
#define DB_CONNECT_TIMEOUT_MS_MAX 600000
#define DB_STATEMENT_TIMEOUT_MS_DEFAULT 10000
#define DB_STATEMENT_TIMEOUT_MS_MIN 100
#define DB_STATEMENT_TIMEOUT_MS_MAX 3600000
/* opensips-cli's database_name when a section names none: its URL carries no database */
#define DB_CLI_DATABASE_NAME "opensips"

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

/* ---- loading (config_load.c) ----
 *
 * Sources, in rising precedence like the MI nodes' (mi/config.h): opensips-cli's INI file, the
 * JSON config file, the environment, the command line. Each loader below reads one source and
 * adds or replaces nodes by name: a later source wins over an earlier one for the same node. A
 * name given twice by one source (two --db-node for one name, --db-url beside
 * --db-node default=..., db.url beside db.nodes.default, a [section] twice) is an error.
 * Every URL is checked with db_url_parse when it is added; a refusal is one sentence that names
 * the source ("--db-node pbx1: database URL postgres://u:***@h:x/d: the port must be ...") and,
 * like every message here, never holds a password: URLs are quoted redacted (db_url_redact) and
 * so is anything that might be one (a node name that holds "://"). All return 0, or -1 with the
 * sentence in err; on -1, c may hold part of what the source said (the start fails anyway). */

/* Defaults (DB_*_TIMEOUT_MS_DEFAULT), no nodes. */
void db_config_init(struct db_config *c);

/* Add or replace node `name`'s database. Refused: a bad name (letters, digits, '_', '-', '.',
 * at most 63), a URL db_url_parse refuses or longer than DB_URL_MAX - 1, a URL that holds a
 * list ("...;pbx2=mysql://..."), a new name past DB_NODES_MAX. `source` names where it came
 * from, for messages and the start-up report (at most 127 bytes are kept). */
int db_config_set_node(struct db_config *c, const char *name, const char *url, const char *source,
                       char *err, size_t errlen);

/* opensips-cli's INI file (path, or NULL for ~/.opensips-cli.cfg then /etc/opensips-cli.cfg, a
 * missing default file being no error), read by cliconf_load (cliconf.h) as the MI reader
 * (mi_config_load_cli) reads it: each [section] a node named after it, keys of [DEFAULT]
 * applying to every section that does not give them itself. A section's `database_url` is
 * that node's database; as opensips-cli does, when the URL names no database `database_name`
 * (default DB_CLI_DATABASE_NAME, at most 127 bytes) is joined to it. A section without
 * database_url adds nothing. */
int db_config_load_cli(struct db_config *c, const char *path, char *err, size_t errlen);

/* The JSON config file (path: its name, for messages; may be NULL). From `mi` (its "mi"
 * object, may be NULL): the opensips-cli file "opensips_cli_config" names (as the MI client
 * reads it), then each "nodes" entry that is an object with "db_url". Then from `db` (its "db"
 * object, may be NULL): {"url": URL (node "default"), "nodes": {"name": URL}, "default":
 * "name", "connect_timeout_ms": N, "statement_timeout_ms": N}; any other key is an error. */
int db_config_load_json(struct db_config *c, const json_t *db, const json_t *mi, const char *path,
                        char *err, size_t errlen);

/* The environment: OPENSIPS_MCP_DB_URL (node "default"), OPENSIPS_MCP_DB_NODES
 * ("name=URL;name=URL"; only ';' separates, since ',' is common in passwords: write a ';' in a
 * password as %3B), OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS, OPENSIPS_MCP_DB_STATEMENT_TIMEOUT_MS.
 * Empty values are ignored. */
int db_config_load_env(struct db_config *c, char *err, size_t errlen);

/* The command line's --db-* options, in order, as settings_load keeps them (struct settings
 * db_flags: [[flag, value], ...], borrowed): --db-url URL (node "default"), --db-node NAME=URL
 * (repeatable; ';' separates several in one), --db-connect-timeout-ms N,
 * --db-statement-timeout-ms N. An option not among them is an error ("unknown option"). */
int db_config_load_flags(struct db_config *c, const json_t *flags, char *err, size_t errlen);

/* Settle the default node once every source is read. `mi_default`: the MI client's default
 * node (mi_client_resolve_name(mi, NULL)), NULL when it has none; `mi_has_default_node`: whether
 * one of its nodes is named "default". An explicit db.default must name a configured database.
 * Else, with MI nodes, the MI default is the database's default too (a call without "node" then
 * reaches the same box over MI and SQL); the database given for the default node (--db-url,
 * OPENSIPS_MCP_DB_URL, db.url, all node "default") then belongs to that MI node when no MI node
 * is named "default" and the MI default has no database of its own. Without MI nodes the
 * default stays "" (db_config_node: "default", else the first). */
int db_config_finish(struct db_config *c, const char *mi_default, bool mi_has_default_node,
                     char *err, size_t errlen);

/* Every source, as main and the one-shot commands build it: init, opensips-cli's default file,
 * the config file (config_doc, borrowed, may be NULL; config_path for messages), each
 * --mi-cli-config file in mi_flags ([[flag, value], ...], the MI options settings_load kept),
 * the environment, db_flags, then db_config_finish. 0, or -1 with err. */
int db_config_build(struct db_config *c, const json_t *config_doc, const char *config_path,
                    const json_t *mi_flags, const json_t *db_flags, const char *mi_default,
                    bool mi_has_default_node, char *err, size_t errlen);

#endif
