/* db/config: looking a node's database up, and connecting to it. */
#include "db/config.h"

#include <string.h>

const struct db_node_cfg *db_config_node(const struct db_config *c, const char *name)
{
    if (!c || !c->n)
        return NULL;
    if (!name || !*name)
        name = *c->default_node ? c->default_node : "default";
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->nodes[i].name, name))
            return &c->nodes[i];
    /* Without a default named anywhere, the first database is the default node's. */
    if (!*c->default_node && !strcmp(name, "default"))
        return &c->nodes[0];
    return NULL;
}

enum tool_err db_config_open(const struct db_config *c, const char *name, struct db_driver *d,
                             struct tool_error *e)
{
    const struct db_node_cfg *n = db_config_node(c, name);

    if (!n) {
        tool_fail(e, TOOL_E_CONFIG, "db_not_configured", 0,
                  "no provisioning database is configured for node '%s' (set --db-url, "
                  "--db-node %s=URL, or database_url in opensips-cli's config); nothing was "
                  "read or changed", name && *name ? name : "default",
                  name && *name ? name : "default");
        return TOOL_E_CONFIG;
    }
    return db_open(n->url, &c->open, d, e);
}
