/* report: what the server is, logged once at start. */
#include "report.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auth/tokens.h"
#include "db/config.h"
#include "db/db.h"
#include "log.h"
#include "mcp/registry.h"
#include "version.h"

static void report_nodes(struct mi_client *mi)
{
    size_t n = mi_client_node_count(mi);

    if (!n) {
        log_msg(LOG_WARNING, "no OpenSIPS node is configured: every tool that asks OpenSIPS "
                "will answer \"no OpenSIPS node is configured\"; set OPENSIPS_MI_URL or --mi-url "
                "(or --mi-node NAME=ADDRESS, or the config file's \"mi\" object)");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = mi_client_node_name(mi, i);
        json_t *info = mi_client_node_info(mi, name);
        const char *addr = json_string_value(json_object_get(info, "address"));
        const char *src = json_string_value(json_object_get(info, "source"));

        log_msg(LOG_INFO, "MI node '%s'%s at %s (from %s)", name,
                n > 1 && json_is_true(json_object_get(info, "default")) ? " (default)" : "",
                addr ? addr : "?", src ? src : "?");
        json_decref(info);
    }
}

/* "database of node 'pbx1' (default): postgres://opensips:***@db:5432/opensips (from --db-node)"
 * for each; a database whose node MI does not know is said so, since no reload reaches it. */
static void report_databases(const struct db_config *db, struct mi_client *mi)
{
    const struct db_node_cfg *def = db_config_node(db, NULL);
    char red[DB_URL_MAX + 8];

    for (size_t i = 0; db && i < db->n; i++) {
        const struct db_node_cfg *n = &db->nodes[i];
        db_url_redact(n->url, red, sizeof(red));
        log_msg(LOG_INFO, "database of node '%s'%s: %s (from %s)%s", n->name,
                db->n > 1 && n == def ? " (default)" : "", red, n->source,
                mi_client_node_count(mi) && !mi_client_resolve_name(mi, n->name)
                    ? "; no MI node has that name, so a write there is not reloaded"
                    : "");
    }
}

void report_startup(const struct settings *s, struct mcp_server *srv, struct mi_client *mi,
                    const struct db_config *db)
{
    const json_t *custom = json_object_get(s->config_doc, "roles");
    size_t tokens = mcp_server_tokens(srv)->count;
    const char *audit = s->audit;

    log_msg(LOG_INFO, "%s %s starting: transport %s%s%s%s", OPENSIPS_MCP_NAME,
            OPENSIPS_MCP_VERSION, s->transport, strcmp(s->transport, "http") ? "" : " on ",
            strcmp(s->transport, "http") ? "" : s->listen,
            s->config ? "" : ", no config file");
    if (s->config)
        log_msg(LOG_INFO, "config file '%s'", s->config);
    report_nodes(mi);
    report_databases(db, mi);
    log_msg(LOG_INFO, "role of %s: %s (from %s); %zu custom role%s, %zu bearer token%s%s",
            strcmp(s->transport, "http") ? "the stdio client" : "token-less loopback clients",
            s->role, settings_source(s, "role"), json_object_size(custom),
            json_object_size(custom) == 1 ? "" : "s", tokens, tokens == 1 ? "" : "s",
            strcmp(s->transport, "http") && tokens ? " (used over http only)" : "");
    const struct registry *reg = mcp_server_registry(srv);
    size_t writes = 0;
    for (size_t i = 0; i < reg->ntools; i++)
        writes += !(reg->tools[i]->flags & TOOL_F_READONLY);
    log_msg(LOG_INFO, "toolsets %s: %zu tools, %zu of them change state%s", s->toolsets,
            reg->ntools, writes,
            s->read_only ? " (read-only mode: those are hidden and refused)" : "");
    if (!strcmp(audit, "off"))
        log_msg(LOG_INFO, "audit trail: off (set --audit to a file or syslog to keep one)");
    else if (!strcmp(audit, "syslog"))
        log_msg(LOG_INFO, "audit trail: syslog");
    else if (!strncmp(audit, "syslog://", 9))
        log_msg(LOG_INFO, "audit trail: remote syslog %s (RFC 5424 over UDP)", audit + 9);
    else
        log_msg(LOG_INFO, "audit trail: file %s", audit);
}

int report_config_error(const struct settings *s, const char *err)
{
    /* each setting whose value a message may quote, and how a message about it begins */
    const struct {
        const char *name, *value, *starts;
    } named[] = {
        {"toolsets", s->toolsets, "unknown toolset "},
        {"role", s->role, "role '"},
        {"audit", s->audit, "audit "},
        {"audit", s->audit, "cannot open audit "},
    };
    const char *prefix = "";

    if (!strncmp(err, "config: ", 8) && s->config) {
        /* roles and tokens come from the config file alone */
        fprintf(stderr, "opensips-mcp: error: config file '%s': %s\n", s->config, err + 8);
        return 2;
    }
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]) && !*prefix; i++) {
        char quoted[300];
        snprintf(quoted, sizeof(quoted), "'%s'", named[i].value ? named[i].value : "");
        if (strcmp(settings_source(s, named[i].name), "default") &&
            !strncmp(err, named[i].starts, strlen(named[i].starts)) &&
            (!strcmp(named[i].name, "toolsets") || strstr(err, quoted)))
            prefix = settings_source(s, named[i].name);
    }
    fprintf(stderr, "opensips-mcp: error: %s%s%s\n", prefix, *prefix ? ": " : "", err);
    return 2;
}
