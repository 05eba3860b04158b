/* tables: every area's tool rows, in listing order. A new area adds two lines here. */
#include "tools/row.h"

extern const struct row_table dialog_table, mi_table;

const struct row_table *const row_tables[] = {
    &dialog_table,
    &mi_table,
};
const size_t row_table_count = sizeof(row_tables) / sizeof(row_tables[0]);
