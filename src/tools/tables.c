/* tables: every area's tool rows, in listing order. A new area adds two lines here. */
#include "tools/row.h"

extern const struct row_table dialog_table, mi_table;
extern const struct row_table registrations_table, stats_table, status_table;
extern const struct row_table dispatcher_table, routing_table, reload_table;
extern const struct row_table profiles_table, b2b_table, callcenter_table, cluster_table;
extern const struct row_table uac_table, presence_table, tls_table, tracer_table, rtp_table;
extern const struct row_table topology_table, avp_table, sessions_table;

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
    &mi_table,
};
const size_t row_table_count = sizeof(row_tables) / sizeof(row_tables[0]);
