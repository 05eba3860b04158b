/* roles: scope names, the built-in roles, custom roles from the config. */
#include "auth/roles.h"

#include <stdio.h>
#include <string.h>

static const char *const scope_names[SCOPE_COUNT] = {
    [SCOPE_MI_READ] = "mi.read",           [SCOPE_MI_WRITE] = "mi.write",
    [SCOPE_MI_EXECUTE] = "mi.execute",     [SCOPE_STATS_READ] = "stats.read",
    [SCOPE_DB_READ] = "db.read",           [SCOPE_DB_WRITE] = "db.write",
    [SCOPE_CONFIG_READ] = "config.read",   [SCOPE_CONFIG_WRITE] = "config.write",
    [SCOPE_PROCESS_MANAGE] = "process.manage", [SCOPE_SERVER_ADMIN] = "server.admin",
};

#define VIEWER (SCOPE_BIT(SCOPE_MI_READ) | SCOPE_BIT(SCOPE_STATS_READ) | \
                SCOPE_BIT(SCOPE_DB_READ) | SCOPE_BIT(SCOPE_CONFIG_READ))
#define OPERATOR (VIEWER | SCOPE_BIT(SCOPE_MI_WRITE) | SCOPE_BIT(SCOPE_DB_WRITE))

static const struct role builtin[] = {
    {"viewer", VIEWER},
    {"operator", OPERATOR},
    {"admin", SCOPES_ALL},
};

const char *scope_name(enum scope s)
{
    return (unsigned)s < SCOPE_COUNT ? scope_names[s] : NULL;
}

const char *scope_bit_name(scopes_t bit)
{
    for (int s = 0; s < SCOPE_COUNT; s++)
        if (bit == SCOPE_BIT(s))
            return scope_names[s];
    return "none";
}

int scope_parse(const char *name)
{
    for (int s = 0; name && s < SCOPE_COUNT; s++)
        if (!strcmp(name, scope_names[s]))
            return s;
    return -1;
}

const struct role *roles_find(const struct roles *r, const char *name)
{
    for (size_t i = 0; name && i < r->count; i++)
        if (!strcmp(r->list[i].name, name))
            return &r->list[i];
    return NULL;
}

int roles_load(struct roles *r, const json_t *config, char *err, size_t errlen)
{
    const char *name;
    json_t *scopes;

    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        r->list[r->count++] = builtin[i];
    if (!config)
        return 0;
    if (!json_is_object(config))
        return snprintf(err, errlen, "config: \"roles\" must be an object of role: [scopes]"), -1;
    json_object_foreach((json_t *)config, name, scopes) {
        struct role *role;
        size_t i;
        json_t *s;

        if (roles_find(r, name))
            return snprintf(err, errlen, "config: role '%s' is defined twice or is built in", name), -1;
        if (strlen(name) == 0 || strlen(name) >= sizeof(role->name))
            return snprintf(err, errlen, "config: role names are 1 to 63 characters"), -1;
        if (r->count == ROLES_MAX)
            return snprintf(err, errlen, "config: more than %d roles", ROLES_MAX), -1;
        if (!json_is_array(scopes))
            return snprintf(err, errlen, "config: role '%s' needs an array of scopes", name), -1;
        role = &r->list[r->count++];
        snprintf(role->name, sizeof(role->name), "%s", name);
        json_array_foreach(scopes, i, s) {
            int sc = scope_parse(json_string_value(s));
            if (sc < 0)
                return snprintf(err, errlen,
                                "config: role '%s' names an unknown scope; use mi.read, mi.write, "
                                "mi.execute, stats.read, db.read, db.write, config.read, "
                                "config.write, process.manage, server.admin",
                                name),
                       -1;
            role->scopes |= SCOPE_BIT(sc);
        }
    }
    return 0;
}
