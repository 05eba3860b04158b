/* roles: permission scopes, and roles as data — each role a set of scopes. Built-in viewer,
 * operator and admin; custom roles come from the config file's "roles" object. */
#ifndef AUTH_ROLES_H
#define AUTH_ROLES_H

#include <jansson.h>
#include <stddef.h>

enum scope {
    SCOPE_MI_READ,
    SCOPE_MI_WRITE,
    SCOPE_MI_EXECUTE,
    SCOPE_STATS_READ,
    SCOPE_DB_READ,
    SCOPE_DB_WRITE,
    SCOPE_CONFIG_READ,
    SCOPE_CONFIG_WRITE,
    SCOPE_PROCESS_MANAGE,
    SCOPE_SERVER_ADMIN, /* this MCP server itself: its sessions */
    SCOPE_COUNT
};

/* A set of scopes; a tool row names the one it needs as SCOPE_BIT(x), or 0 for none. */
typedef unsigned scopes_t;
#define SCOPE_BIT(s) (1u << (s))
#define SCOPES_ALL ((1u << SCOPE_COUNT) - 1)

/* "mi.read" ... ; NULL for an unknown scope. */
const char *scope_name(enum scope s);
/* The name of the single scope in `bit`, or "none". */
const char *scope_bit_name(scopes_t bit);
/* Parse a scope name; -1 when unknown. */
int scope_parse(const char *name);

struct role {
    char name[64];
    scopes_t scopes;
};

#define ROLES_MAX 64

struct roles {
    struct role list[ROLES_MAX];
    size_t count;
};

/* Fill `r` with the built-in roles and the custom ones in `config` (the config file's "roles"
 * object: {"name": ["scope", ...]}; may be NULL). Returns 0, or -1 with the reason in err. */
int roles_load(struct roles *r, const json_t *config, char *err, size_t errlen);
const struct role *roles_find(const struct roles *r, const char *name);

#endif
