/* db/schema: the provisioning tables as OpenSIPS 4.0.1 and 3.6.8 define them, as data
 * (schema_data.c, written by data/schema/gen.mjs from data/schema/tables.json): each column's
 * type, width, nullability, default and the values it can hold on each database, and the
 * `version` rows each OpenSIPS version expects. Tools take their limits from here, so a value a
 * column cannot hold is refused before anything is sent. */
#ifndef DB_SCHEMA_H
#define DB_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

enum db_type { DBT_SERIAL = 1, DBT_INT, DBT_CHAR, DBT_DATETIME, DBT_BLOB, DBT_REAL };

struct db_column {
    const char *name;
    enum db_type type;
    unsigned width;          /* DBT_CHAR: characters it holds */
    bool nullable;
    const char *def;         /* the column's default as text, NULL for none or NULL */
    long long my[2], pg[2];  /* DBT_INT, DBT_SERIAL: [min, max] on MySQL and on PostgreSQL
                                (PostgreSQL has no unsigned types: smallint unsigned is 0..32767) */
};

struct db_table_schema {
    const char *name;
    const char *module;             /* the OpenSIPS module that reads it */
    const struct db_column *columns;/* ends with {0} */
};

struct db_table_version {
    const char *table;
    int version;
};

struct db_schema_version {
    const char *series;             /* "4.0" */
    const char *opensips;           /* "4.0.1" */
    const struct db_table_version *tables; /* every row of the stock `version` table; ends {0} */
};

extern const struct db_table_schema db_schema_tables[];
extern const size_t db_schema_ntables;
extern const struct db_schema_version db_schema_versions[];
extern const size_t db_schema_nversions;

/* Table `name`, or NULL. */
const struct db_table_schema *db_schema_table(const char *name);
/* Column `name` of t, or NULL. */
const struct db_column *db_schema_column(const struct db_table_schema *t, const char *name);
/* The version rows of the OpenSIPS series of `version` ("4.0.1", "4.0", "3.6.8"), or NULL. */
const struct db_schema_version *db_schema_version_of(const char *version);

#endif
