/* db/schema: lookups over the generated table list. */
#include "db/schema.h"

#include <string.h>

const struct db_table_schema *db_schema_table(const char *name)
{
    for (size_t i = 0; name && i < db_schema_ntables; i++)
        if (!strcmp(db_schema_tables[i].name, name))
            return &db_schema_tables[i];
    return NULL;
}

const struct db_column *db_schema_column(const struct db_table_schema *t, const char *name)
{
    for (const struct db_column *c = t ? t->columns : NULL; c && c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

const struct db_schema_version *db_schema_version_of(const char *version)
{
    for (size_t i = 0; version && i < db_schema_nversions; i++) {
        size_t n = strlen(db_schema_versions[i].series);
        if (!strncmp(version, db_schema_versions[i].series, n) &&
            (version[n] == '\0' || version[n] == '.'))
            return &db_schema_versions[i];
    }
    return NULL;
}
