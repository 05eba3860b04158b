/* tools/db_acc: what the db_check tool and the opensips://{node}/db-schema resource share: the
 * check of a node's database against the tables and version rows its OpenSIPS expects. */
#ifndef TOOLS_DB_ACC_H
#define TOOLS_DB_ACC_H

#include <jansson.h>

#include "tools/tool.h"

/* db_check's answer for x's node (x->node; NULL: the default node): {opensips, ok, tables:
 * [{table, module, expected, state: ok | missing | wrong_version, found?, rows?, error?}],
 * note?}, checked against `version` ("4.0", "3.6.8"; NULL: the node's, asked over MI). New
 * reference, or NULL with e filled: no database configured (TOOL_E_CONFIG
 * "db_not_configured", naming --db-url), a version that is neither 4.0 nor 3.6 or that the
 * node did not say (TOOL_E_BAD_ARGS), the database's own failures (db/db.h names). */
json_t *db_check_node(struct tool_ctx *x, const char *version, struct tool_error *e);

#endif
