/* settings: one table of rows drives flags, environment, config file, defaults and --help. */
#include "settings.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "jsonload.h"
#include "man.h"
#include "strparse.h"
#include "version.h"

enum setting_type { SET_STR, SET_UINT, SET_SIZE, SET_BOOL, SET_LEVEL };

struct setting {
    const char *name; /* flag --name, env OPENSIPS_MCP_NAME (dashes as underscores), config key name_ */
    enum setting_type type;
    size_t offset;
    const char *def;
    uint64_t min, max;
    const char *help;
};

#define OFF(field) offsetof(struct settings, field)

static const struct setting rows[] = {
    {"config", SET_STR, OFF(config), NULL, 0, 0,
     "JSON config file whose keys are these settings' names with underscores"},
    {"transport", SET_STR, OFF(transport), "stdio", 0, 0, "how MCP clients connect: stdio or http"},
    {"listen", SET_STR, OFF(listen), "127.0.0.1:3111", 0, 0,
     "http: address and port of the /mcp endpoint (loopback unless tokens are configured)"},
    {"allowed-origins", SET_STR, OFF(allowed_origins), "", 0, 0,
     "http: comma-separated Origin values accepted besides loopback ones"},
    {"max-sessions", SET_UINT, OFF(max_sessions), "64", 1, 100000, "http: live sessions at once"},
    {"session-idle-s", SET_UINT, OFF(session_idle_s), "1800", 1, 604800,
     "http: a session unused for this many seconds is ended"},
    {"max-sessions-per-principal", SET_UINT, OFF(max_sessions_per_principal), "16", 1, 100000,
     "http: live sessions of one token (or of token-less loopback) at once"},
    {"max-connections", SET_UINT, OFF(max_connections), "2048", 1, 100000,
     "http: open connections at once"},
    {"max-connections-per-address", SET_UINT, OFF(max_connections_per_address), "64", 1, 100000,
     "http: open connections from one client address at once"},
    {"http-idle-timeout-s", SET_UINT, OFF(http_idle_timeout_s), "30", 1, 3600,
     "http: a connection silent this long is closed, one still sending its headers included "
     "(an open SSE stream is not)"},
    {"http-header-timeout-s", SET_UINT, OFF(http_header_timeout_s), "10", 1, 3600,
     "http: a request whose headers are not all in this many seconds after its connection "
     "opened or its previous request ended is cut off, however slowly it trickles"},
    {"http-threads", SET_UINT, OFF(http_threads), "4", 1, 64,
     "http: threads serving connections, each polling many"},
    {"log-level", SET_LEVEL, OFF(log_level), "info", 0, 0,
     "stderr threshold: debug, info, notice, warning, error, critical, alert, emergency"},
    {"max-message-size", SET_SIZE, OFF(max_message_size), "4194304", 1024, 1u << 30,
     "largest JSON-RPC message accepted, in bytes"},
    {"page-size", SET_UINT, OFF(page_size), "100", 1, 10000,
     "items per page of tools/list, resources/list, prompts/list"},
    {"workers", SET_UINT, OFF(workers), "8", 1, 256, "threads serving slow requests concurrently"},
    {"max-queue", SET_UINT, OFF(max_queue), "256", 1, 100000,
     "requests that may wait for a worker before the server answers busy"},
    {"long-workers", SET_UINT, OFF(long_workers), "2", 1, 64,
     "threads serving long-running tools (perf_sample_window), apart from the other workers"},
    {"max-calls-per-principal", SET_UINT, OFF(max_calls_per_principal), "4", 1, 100000,
     "requests one principal (a token, or the local user) may have running or waiting at once"},
    {"client-timeout-ms", SET_UINT, OFF(client_timeout_ms), "120000", 100, 3600000,
     "how long a tool waits for the client to answer an elicitation or sampling request"},
    {"state-secret-file", SET_STR, OFF(state_secret_file), NULL, 0, 0,
     "file of at least 32 secret bytes keying the requestState of MCP 2026-07-28 input requests; "
     "the same file on every replica (default: a random key per process)"},
    {"shutdown-grace-ms", SET_UINT, OFF(shutdown_grace_ms), "1000", 0, 60000,
     "stdio: on end of input or SIGTERM, how long running requests may still finish"},
    {"role", SET_STR, OFF(role), "viewer", 0, 0,
     "role of stdio clients and of loopback HTTP without tokens: viewer, operator, admin or a "
     "custom role"},
    {"toolsets", SET_STR, OFF(toolsets), "dialog,registrations,dispatcher,stats,status,mi",
     0, 0, "comma-separated toolsets to expose, or all"},
    {"audit", SET_STR, OFF(audit), "off", 0, 0,
     "audit trail of every tool call: off, syslog, syslog://HOST:PORT (a remote collector, "
     "RFC 5424 over UDP: the shared trail of replicas) or an absolute file path (JSON Lines)"},
    {"out-dir-root", SET_STR, OFF(out_dir_root), NULL, 0, 0,
     "the one directory (absolute) under which tools may write files, e.g. snapshot_capture; "
     "unset: no tool writes files"},
    {"sipp", SET_STR, OFF(sipp), "sipp", 0, 0,
     "the SIPp program sipp_run_scenario runs: a name looked for in /usr/sbin:/usr/bin:/sbin:/bin, "
     "or a path"},
    {"opensips", SET_STR, OFF(opensips), "opensips", 0, 0,
     "the OpenSIPS binary the cfg tools check configs with (opensips -C) and whose share "
     "directory holds the templates: a name looked for in /usr/sbin:/usr/bin:/sbin:/bin, or a path"},
    {"cfg-templates", SET_STR, OFF(cfg_templates), NULL, 0, 0,
     "where the config templates are: an installation prefix, its share/opensips, or a directory "
     "holding menuconfig_templates/ or examples/templates/; unset: the share directory of "
     "--opensips's installation"},
    {"cfg-root", SET_STR, OFF(cfg_root), NULL, 0, 0,
     "the directory (absolute) holding the OpenSIPS configs cfg_backup, cfg_list_backups and "
     "cfg_rollback may read, back up and replace, and opensips-mcp://cfg/{file} serves, e.g. "
     "/etc/opensips; unset: --out-dir-root"},
    {"m4", SET_STR, OFF(m4), "m4", 0, 0,
     "the m4 program config templates are rendered with: a name looked for in "
     "/usr/sbin:/usr/bin:/sbin:/bin, or a path"},
    {"homer-url", SET_STR, OFF(homer_url), NULL, 0, 0,
     "Homer 7 (homer-app) address the homer_* tools use, e.g. http://homer:9080 (with its "
     "api_prefix, if any); unset: they answer that Homer is not configured"},
    {"homer-user", SET_STR, OFF(homer_user), "admin", 0, 0,
     "the Homer user the homer_* tools log in as (POST /api/v3/auth)"},
    {"homer-password", SET_STR, OFF(homer_password), NULL, 0, 0,
     "that user's password: from OPENSIPS_MCP_HOMER_PASSWORD or the config file only (never the "
     "command line, where ps shows it); never logged nor shown"},
    {"homer-timeout-ms", SET_UINT, OFF(homer_timeout_ms), "10000", 100, 600000,
     "deadline of one HTTP exchange with Homer"},
    {"homer-max-reply", SET_SIZE, OFF(homer_max_reply), "16777216", 65536, 1u << 30,
     "largest Homer answer accepted, in bytes (a PCAP export included)"},
    {"events-listen", SET_STR, OFF(events_listen), NULL, 0, 0,
     "UDP address the node's events come to, ADDR:PORT (the first node's port; the next nodes "
     "take the ports after it, or ephemeral ones with port 0); the server subscribes itself "
     "to each node's events there; unset: no live resource updates"},
    {"events-expire-s", SET_UINT, OFF(events_expire_s), "600", 2, 86400,
     "lifetime of the server's event subscriptions on a node; renewed at half of it"},
    {"events-interval-ms", SET_UINT, OFF(events_interval_ms), "1000", 10, 600000,
     "resource updates are coalesced: at most one notifications/resources/updated per "
     "resource in this interval"},
    {"compose-command", SET_STR, OFF(compose_command), "docker compose", 0, 0,
     "the compose command docker_restart runs: docker compose, docker-compose, podman compose "
     "or podman-compose, the program a name looked for in /usr/sbin:/usr/bin:/sbin:/bin or an "
     "absolute path (e.g. /usr/local/bin/docker compose)"},
    {"compose-file", SET_STR, OFF(compose_file), NULL, 0, 0,
     "the compose file (absolute) docker_restart passes as -f and checks service names "
     "against; unset: docker_restart is unavailable"},
    {"compose-project", SET_STR, OFF(compose_project), NULL, 0, 0,
     "the compose project name docker_restart passes as -p; unset: compose's own (the name: "
     "in the file, else the file's directory)"},
    {"compose-timeout-s", SET_UINT, OFF(compose_timeout_s), "60", 1, 3600,
     "how long one docker_restart may run before the compose command is killed"},
    {"fail2ban-client", SET_STR, OFF(fail2ban_client), "fail2ban-client", 0, 0,
     "the fail2ban-client program the fail2ban tools run: a name looked for in "
     "/usr/sbin:/usr/bin:/sbin:/bin, or a path"},
    {"fail2ban-socket", SET_STR, OFF(fail2ban_socket), NULL, 0, 0,
     "fail2ban's socket, passed as fail2ban-client -s; unset: the one fail2ban.conf names "
     "(/var/run/fail2ban/fail2ban.sock on Debian)"},
    {"fail2ban-timeout-ms", SET_UINT, OFF(fail2ban_timeout_ms), "10000", 100, 600000,
     "how long one fail2ban-client run may take before it is stopped"},
    {"read-only", SET_BOOL, OFF(read_only), "false", 0, 0,
     "hide and refuse every tool that changes state"},
    {"tools-markdown", SET_BOOL, OFF(tools_markdown), "false", 0, 0,
     "print the tool reference (docs/tools.md) and exit"},
    {"prompts-markdown", SET_BOOL, OFF(prompts_markdown), "false", 0, 0,
     "print the prompt and resource reference (docs/prompts.md) and exit"},
    {"conformance-fixtures", SET_BOOL, OFF(conformance_fixtures), "false", 0, 0,
     "expose the MCP conformance suite's test tools, resources and prompts (tests only)"},
};

static int apply(struct settings *s, const struct setting *row, const char *value,
                 const char *origin, char *err, size_t errlen)
{
    char *field = (char *)s + row->offset;
    uint64_t v;
    bool b;
    int level;

    switch (row->type) {
    case SET_STR:
        free(*(char **)field);
        *(char **)field = value ? strdup(value) : NULL;
        return 0;
    case SET_UINT:
    case SET_SIZE:
        if (parse_uint(value, row->max, &v) < 0 || v < row->min)
            return parse_fail(err, errlen,
                              "%s: '%s' needs a whole number from %llu to %llu, not '%s'", origin,
                              row->name, (unsigned long long)row->min,
                              (unsigned long long)row->max, value);
        if (row->type == SET_UINT)
            *(unsigned *)field = (unsigned)v;
        else
            *(size_t *)field = (size_t)v;
        return 0;
    case SET_BOOL:
        if (parse_bool(value, &b) < 0)
            return parse_fail(err, errlen, "%s: '%s' needs true or false, not '%s'", origin,
                              row->name, value);
        *(bool *)field = b;
        return 0;
    case SET_LEVEL:
        if ((level = log_level_parse(value)) < 0)
            return parse_fail(err, errlen, "%s: '%s' needs one of %s, not '%s'", origin, row->name,
                              log_level_names(), value);
        *(enum log_level *)field = (enum log_level)level;
        return 0;
    }
    return -1;
}

/* apply() and remember where the value came from (settings_source). */
static int apply_from(struct settings *s, const struct setting *row, const char *value,
                      const char *origin, char *err, size_t errlen)
{
    if (apply(s, row, value, origin, err, errlen) < 0)
        return -1;
    json_object_set_new(s->sources, row->name, json_string(origin));
    return 0;
}

const char *settings_source(const struct settings *s, const char *name)
{
    const char *src = json_string_value(json_object_get(s->sources, name));
    return src ? src : "default";
}

/* Edit distance of a[0..la) and b, an adjacent swap counting one (optimal string alignment),
 * or more than `max` once it is over max. Names are short: longer ones are never near. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t max)
{
    enum { LONGEST = 64 };
    size_t lb = strlen(b), d[3][LONGEST + 1];

    if (la > LONGEST || lb > LONGEST || (la > lb ? la - lb : lb - la) > max)
        return max + 1;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *row = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            row[j] = best;
        }
    }
    return d[la % 3][lb];
}

const char *settings_nearest(const char *word, size_t len, const char *const *candidates,
                             size_t n)
{
    /* two edits for short names, one more per six letters: "--readonly", "dialogs" */
    size_t max = 2 + len / 6, best_d = max + 1;
    const char *best = NULL;

    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, len, candidates[i], max);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

/* The MI client's and the node databases' own flags (mi/config.h and db/config.h parse them),
 * for suggestions only. */
static const char *const mi_flag_names[] = {
    "mi-node", "mi-url", "mi-default", "mi-timeout-ms", "mi-max-reply", "mi-fifo-reply-dir",
    "mi-cli-config", "db-url", "db-node", "db-connect-timeout-ms", "db-statement-timeout-ms",
};

/* "; did you mean '--read-only'?" for a near miss of a setting's name (sep: how the word
 * spells dashes, '-' for flags, '_' for config keys), else "; see --help". */
static void suggest(const char *word, size_t len, char sep, const char *prefix, char *out,
                    size_t outlen)
{
    const size_t nrows = sizeof(rows) / sizeof(rows[0]), nmi = sizeof(mi_flag_names) /
                                                               sizeof(mi_flag_names[0]);
    const char *cands[sizeof(rows) / sizeof(rows[0]) + sizeof(mi_flag_names) /
                      sizeof(mi_flag_names[0]) + 2];
    char spelled[80], name[80];
    const char *best;
    size_t n = 0;

    snprintf(out, outlen, "; see --help");
    if (len >= sizeof(spelled))
        return;
    /* compare in the flags' spelling, whatever separator the word used */
    for (size_t i = 0; i < len; i++)
        spelled[i] = word[i] == '_' ? '-' : word[i];
    for (size_t i = 0; i < nrows; i++)
        cands[n++] = rows[i].name;
    for (size_t i = 0; sep == '-' && i < nmi; i++)
        cands[n++] = mi_flag_names[i];
    if (sep == '-') {
        cands[n++] = "help";
        cands[n++] = "version";
    }
    if (!(best = settings_nearest(spelled, len, cands, n)))
        return;
    snprintf(name, sizeof(name), "%s", best);
    for (char *p = name; *p; p++)
        if (*p == '-')
            *p = sep;
    snprintf(out, outlen, "; did you mean '%s%s'?", prefix, name);
}

static const struct setting *find(const char *name, size_t n, char sep)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *r = rows[i].name;
        size_t j;
        for (j = 0; j < n && r[j]; j++)
            if (r[j] != name[j] && !(r[j] == '-' && name[j] == sep))
                break;
        if (j == n && !r[j])
            return &rows[i];
    }
    return NULL;
}

/* Options that are not settings rows: the MI client's (mi/config.h parses them), the node
 * databases' (db/config.h) and the two that print and exit. The env column names the variable
 * mi/config.c or db/config_load.c reads, key the config file's key (inside its "db" object). */
static const struct {
    const char *name, *arg, *env, *def, *help, *key;
} others[] = {
    {"mi-node", "NAME=ADDRESS", "OPENSIPS_MCP_MI_NODES", NULL,
     "an OpenSIPS MI endpoint: http://host:8888/mi, fifo:/path, udp:host:port, unix:/path", NULL},
    {"mi-url", "ADDRESS", "OPENSIPS_MI_URL", NULL, "the default node's address (as OPENSIPS_MI_URL)", NULL},
    {"mi-default", "NAME", "OPENSIPS_MCP_MI_DEFAULT", NULL, "which node tools use when they name none", NULL},
    {"mi-timeout-ms", "N", "OPENSIPS_MCP_MI_TIMEOUT_MS", "5000", "deadline of one MI call", NULL},
    {"mi-max-reply", "N", "OPENSIPS_MCP_MI_MAX_REPLY", "16 MiB", "largest MI reply in bytes", NULL},
    {"mi-fifo-reply-dir", "DIR", "OPENSIPS_MCP_MI_FIFO_REPLY_DIR", NULL,
     "where reply FIFOs are made (fifo nodes)", NULL},
    {"mi-cli-config", "PATH", NULL, NULL,
     "read nodes from an opensips-cli config file (their database_url too)", NULL},
    {"db-url", "URL", "OPENSIPS_MCP_DB_URL", NULL,
     "the default node's provisioning database: postgres://user:pass@host:port/db or "
     "mysql://...; the password is never shown", "db.url"},
    {"db-node", "NAME=URL", "OPENSIPS_MCP_DB_NODES", NULL,
     "node NAME's provisioning database (the MI node of that name); repeatable, ';' separates "
     "several", "db.nodes"},
    {"db-connect-timeout-ms", "N", "OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS", "3000",
     "how long connecting to a database may take (100 to 600000)", "db.connect_timeout_ms"},
    {"db-statement-timeout-ms", "N", "OPENSIPS_MCP_DB_STATEMENT_TIMEOUT_MS", "10000",
     "how long one database statement may run (100 to 3600000)", "db.statement_timeout_ms"},
    {"help", NULL, NULL, NULL, "show this text", NULL},
    {"version", NULL, NULL, NULL, "show the version", NULL},
};

/* The environment name of a row: OPENSIPS_MCP_ + upper case, dashes as underscores. */
static void env_name(const struct setting *row, char *buf, size_t n)
{
    size_t i = (size_t)snprintf(buf, n, "OPENSIPS_MCP_");
    for (const char *p = row->name; *p && i + 1 < n; p++)
        buf[i++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    buf[i] = '\0';
}

bool settings_option(size_t i, struct settings_option *o)
{
    static const char *const args[] = {[SET_STR] = "VALUE", [SET_UINT] = "N", [SET_SIZE] = "BYTES",
                                       [SET_BOOL] = NULL, [SET_LEVEL] = "LEVEL"};
    const size_t nrows = sizeof(rows) / sizeof(rows[0]);

    memset(o, 0, sizeof(*o));
    if (i < nrows) {
        const struct setting *r = &rows[i];
        o->name = r->name;
        o->arg = args[r->type];
        o->def = r->def;
        o->help = r->help;
        o->row = true;
        env_name(r, o->env, sizeof(o->env));
        for (size_t j = 0; strcmp(r->name, "config") && r->name[j] && j + 1 < sizeof(o->key); j++)
            o->key[j] = r->name[j] == '-' ? '_' : r->name[j]; /* the file cannot name a file */
        return true;
    }
    if ((i -= nrows) >= sizeof(others) / sizeof(others[0]))
        return false;
    o->name = others[i].name;
    o->arg = others[i].arg;
    o->def = others[i].def;
    o->help = others[i].help;
    snprintf(o->env, sizeof(o->env), "%s", others[i].env ? others[i].env : "");
    snprintf(o->key, sizeof(o->key), "%s", others[i].key ? others[i].key : "");
    return true;
}

static void usage(void)
{
    struct settings_option o;
    char flag[64];

    printf("usage: %s [options]\n"
           "       %s check | call TOOL [JSON | KEY=VALUE ...] | tools [options]"
           "   (one-shot; see %s call --help)\n\n"
           "An MCP server for OpenSIPS. Each option may also come from the environment\n"
           "(OPENSIPS_MCP_<NAME>, e.g. OPENSIPS_MCP_LOG_LEVEL) or the config file; flags win.\n\n",
           OPENSIPS_MCP_NAME, OPENSIPS_MCP_NAME, OPENSIPS_MCP_NAME);
    for (size_t i = 0; settings_option(i, &o); i++) {
        /* rows show their bare name, the others their value too */
        snprintf(flag, sizeof(flag), "%s%s%s", o.name, !o.row && o.arg ? " " : "",
                 !o.row && o.arg ? o.arg : "");
        printf("  --%-22s %s%s%s%s\n", flag, o.help, o.def ? " (default " : "", o.def ? o.def : "",
               o.def ? ")" : "");
    }
}

/* Config sections that are not settings rows: other modules read them from config_doc. */
static const char *const sections[] = {"tokens", "roles", "mi", "db"};

static int load_config(struct settings *s, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root, *v;
    const char *key;
    int rc = 0;
    FILE *f;

    /* a file that cannot be read is told as such, not as a JSON error at line -1 */
    if (!(f = fopen(path, "re")))
        return parse_fail(err, errlen, "cannot read config file '%s': %s", path, strerror(errno));
    fclose(f);
    if (!(root = jsonload_file(path, JSON_REJECT_DUPLICATES, &je))) {
        if (je.line < 1)
            return parse_fail(err, errlen, "cannot read config file '%s': %s", path, je.text);
        return parse_fail(err, errlen, "config file '%s': %s (line %d)", path, je.text, je.line);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return parse_fail(err, errlen, "config file '%s': the top level must be a JSON object",
                          path);
    }
    json_object_foreach(root, key, v) {
        const struct setting *row = find(key, strlen(key), '_');
        char buf[64], origin[512];
        const char *text = buf;

        snprintf(origin, sizeof(origin), "config file '%s'", path);
        bool section = false;
        for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
            section |= !strcmp(key, sections[i]);
        if (section)
            continue;
        if (!row || !strcmp(row->name, "config")) {
            char hint[128];
            suggest(key, strlen(key), '_', "", hint, sizeof(hint));
            rc = parse_fail(err, errlen, "%s: unknown setting '%s'%s", origin, key, hint);
            break;
        }
        if (json_is_string(v))
            text = json_string_value(v);
        else if (json_is_integer(v) && json_integer_value(v) >= 0)
            snprintf(buf, sizeof(buf), "%lld", json_integer_value(v));
        else if (json_is_boolean(v))
            text = json_is_true(v) ? "true" : "false";
        else {
            rc = parse_fail(err, errlen, "%s: '%s' has a value of the wrong type", origin, key);
            break;
        }
        if ((rc = apply_from(s, row, text, origin, err, errlen)) < 0)
            break;
    }
    if (rc == 0)
        s->config_doc = root;
    else
        json_decref(root);
    return rc;
}

enum settings_outcome settings_load(struct settings *s, int argc, char **argv, char *err,
                                    size_t errlen)
{
    const char *config = NULL;
    const size_t nrows = sizeof(rows) / sizeof(rows[0]);

    memset(s, 0, sizeof(*s));
    s->mi_flags = json_array();
    s->db_flags = json_array();
    s->sources = json_object();
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].def && apply(s, &rows[i], rows[i].def, "default", err, errlen) < 0)
            return SETTINGS_ERROR;

    /* The config file's path itself comes from a flag or the environment. */
    config = getenv("OPENSIPS_MCP_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            config = argv[i] + 9;
    }
    if (config && *config) {
        if (apply_from(s, &rows[0], config, getenv("OPENSIPS_MCP_CONFIG") == config
                                                 ? "environment OPENSIPS_MCP_CONFIG"
                                                 : "command line", err, errlen) < 0 ||
            load_config(s, config, err, errlen) < 0)
            return SETTINGS_ERROR;
    }

    for (size_t i = 0; i < nrows; i++) {
        char name[64];
        const char *v;
        env_name(&rows[i], name, sizeof(name));
        if ((v = getenv(name)) && *v) {
            char origin[80];
            snprintf(origin, sizeof(origin), "environment %s", name);
            if (apply_from(s, &rows[i], v, origin, err, errlen) < 0)
                return SETTINGS_ERROR;
        }
    }

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *eq, *value;
        const struct setting *row;

        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage();
            return SETTINGS_EXIT_OK;
        }
        if (!strcmp(arg, "--man")) { /* not in --help: `make man` writes docs/opensips-mcp.1 */
            if (man_write(stdout) == 0)
                return SETTINGS_EXIT_OK;
            return parse_fail(err, errlen, "cannot write the man page to standard output"),
                   SETTINGS_ERROR;
        }
        if (!strcmp(arg, "--version")) {
            printf("%s %s\n", OPENSIPS_MCP_NAME, OPENSIPS_MCP_VERSION);
            return SETTINGS_EXIT_OK;
        }
        if (strncmp(arg, "--", 2)) {
            /* a database URL whose flag went missing is told without its password */
            char red[DB_URL_MAX + 8];
            db_url_redact(arg, red, sizeof(red));
            return parse_fail(err, errlen, "unexpected argument '%s'; see --help", red),
                   SETTINGS_ERROR;
        }
        if (!strncmp(arg, "--mi-", 5) || !strncmp(arg, "--db-", 5)) {
            /* The MI client and the node databases parse their own options (mi/config.h,
             * db/config.h): keep them for those. */
            const char *mi_eq = strchr(arg, '=');
            if (!mi_eq && i + 1 >= argc)
                return parse_fail(err, errlen, "option '%s' needs a value", arg), SETTINGS_ERROR;
            json_array_append_new(arg[2] == 'm' ? s->mi_flags : s->db_flags,
                                  mi_eq ? json_pack("[s%, s]", arg, (size_t)(mi_eq - arg), mi_eq + 1)
                                        : json_pack("[s, s]", arg, argv[++i]));
            continue;
        }
        eq = strchr(arg + 2, '=');
        row = find(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), '-');
        if (!row) {
            char hint[128];
            suggest(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), '-', "--", hint,
                    sizeof(hint));
            return parse_fail(err, errlen, "unknown option '%.*s'%s",
                              (int)(eq ? (size_t)(eq - arg) : strlen(arg)), arg, hint),
                   SETTINGS_ERROR;
        }
        if (eq)
            value = eq + 1;
        else if (row->type == SET_BOOL)
            value = "true";
        else if (i + 1 < argc)
            value = argv[++i];
        else
            return parse_fail(err, errlen, "option '%s' needs a value", arg), SETTINGS_ERROR;
        if (row->offset == OFF(config))
            continue; /* already read above */
        /* a password on the command line is in every user's ps: refused, and not echoed */
        if (row->offset == OFF(homer_password))
            return parse_fail(err, errlen, "the Homer password is not taken on the command line, "
                              "where other users see it; set OPENSIPS_MCP_HOMER_PASSWORD or "
                              "homer_password in the config file"),
                   SETTINGS_ERROR;
        if (apply_from(s, row, value, "command line", err, errlen) < 0)
            return SETTINGS_ERROR;
    }
    if (strcmp(s->transport, "stdio") && strcmp(s->transport, "http"))
        return parse_fail(err, errlen, "%s: transport '%s' is not available; use stdio or http",
                          settings_source(s, "transport"), s->transport),
               SETTINGS_ERROR;
    return SETTINGS_OK;
}

void settings_release(struct settings *s)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (rows[i].type == SET_STR)
            free(*(char **)((char *)s + rows[i].offset));
    json_decref(s->config_doc);
    json_decref(s->mi_flags);
    json_decref(s->db_flags);
    json_decref(s->sources);
    memset(s, 0, sizeof(*s));
}
