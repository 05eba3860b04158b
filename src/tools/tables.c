/* tables: every area's tool rows, in listing order. A new area adds two lines here. */
#include "tools/row.h"

#include <stdio.h>

#include "mcp/schema.h"

extern const struct row_table dialog_table, mi_table;
extern const struct row_table registrations_table, stats_table, status_table;
extern const struct row_table dispatcher_table, routing_table, reload_table;
extern const struct row_table profiles_table, b2b_table, callcenter_table, cluster_table;
extern const struct row_table uac_table, presence_table, tls_table, tracer_table, rtp_table;
extern const struct row_table topology_table, avp_table, sessions_table;
extern const struct row_table sipp_table, cfg_compose_table, cfg_migrate_table, cfg_files_table;
extern const struct row_table modgen_table, homer_table, docker_table, fail2ban_table;
extern const struct row_table db_auth_table, db_routing_table, db_security_table, db_acc_table;

const struct row_table *const row_tables[] = {
    &dialog_table,
    &profiles_table,
    &registrations_table,
    &dispatcher_table,
    &routing_table,
    &stats_table,
    &status_table,
    &sessions_table,
    &reload_table,
    &b2b_table,
    &callcenter_table,
    &cluster_table,
    &uac_table,
    &presence_table,
    &tls_table,
    &tracer_table,
    &rtp_table,
    &topology_table,
    &avp_table,
    &db_auth_table,
    &db_routing_table,
    &db_security_table,
    &db_acc_table,
    &sipp_table,
    &cfg_compose_table,
    &cfg_migrate_table,
    &cfg_files_table,
    &modgen_table,
    &homer_table,
    &docker_table,
    &fail2ban_table,
    &mi_table,
};
const size_t row_table_count = sizeof(row_tables) / sizeof(row_tables[0]);

int rows_check_all(const struct row_table *const *tables, size_t ntables, const char *toolsets,
                   char *err, size_t errlen)
{
    for (size_t t = 0; t < ntables; t++) {
        for (size_t i = 0; i < tables[t]->n; i++) {
            const struct tool_def *d = &tables[t]->rows[i];
            if (rows_toolset_enabled(toolsets, d->toolset))
                continue;
            json_t *in = row_schema(d, false), *out = in ? row_schema(d, true) : NULL;
            char why[256] = "its row is malformed (see the log)";
            int bad = !in || !out || schema_check(in, why, sizeof(why)) < 0 ||
                      schema_check(out, why, sizeof(why)) < 0;
            json_decref(in);
            json_decref(out);
            if (bad) {
                snprintf(err, errlen, "tool '%s': %s", d->name, why);
                return -1;
            }
        }
    }
    return 0;
}
