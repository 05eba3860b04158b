/* report: the start-up report, logged once before serving so that an operator reading the log
 * (or a client's stderr) sees what this server is: version, transport, MI nodes and where each
 * address came from, each node's database (without its password), roles and tokens, toolsets and tools, audit trail. */
#ifndef REPORT_H
#define REPORT_H

#include "mcp/server.h"
#include "mi/client.h"
#include "settings.h"

struct db_config;

/* Log the report at info (the default --log-level shows it), and a warning when no MI node is
 * configured. One line per node database (db NULL: none), its URL redacted (db_url_redact)
 * and its source; nothing connects. Borrows everything; writes only to the log (stderr). */
void report_startup(const struct settings *s, struct mcp_server *srv, struct mi_client *mi,
                    const struct db_config *db);

/* A configuration error, told on stderr with where the bad value came from (flag, environment,
 * config file) when the message is about a setting's value. Returns 2, the exit status of every
 * configuration error. (The listen address is checked, and its source named, by http_check; the
 * MI client's messages name their source themselves.) */
int report_config_error(const struct settings *s, const char *err);

#endif
