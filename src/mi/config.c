/* mi/config: MI nodes and limits from flags, environment, the JSON config and opensips-cli's
 * INI file (opensips-cli/config.py keys: communication_type, url, fifo_file, fifo_reply_dir,
 * datagram_ip, datagram_port). */
#include "mi/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cliconf.h"
#include "strparse.h"

#define MI_MAX_REPLY_LIMIT (1024ull * 1024 * 1024)

void mi_config_init(struct mi_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->timeout_ms = 5000;
    cfg->max_reply = 16u * 1024 * 1024;
    cfg->retry_max = 3;
    cfg->backoff_ms = 50;
}

/* Whether an address holds more than one: a ';' or ',' followed (after spaces) by a name and
 * '=' or ':' ("...,pbx2=http://...", "...;http://..."), as a node list pasted where one address
 * goes. No MI address has that: http URLs of mi_http take no query, and paths no such list. */
static bool looks_like_list(const char *a)
{
    for (const char *p = a; (p = strpbrk(p, ";,")); p++) {
        const char *q = p + 1, *start;
        while (*q == ' ')
            q++;
        for (start = q; node_name_char(*q); q++)
            ;
        if (q > start && (*q == '=' || *q == ':'))
            return true;
    }
    return false;
}

enum mi_err mi_config_set_node(struct mi_config *cfg, const char *name, const char *address,
                               const char *fifo_reply_dir, const char *source,
                               struct mi_error *e)
{
    if (!node_name_ok(name, MI_NODE_NAME_MAX))
        return mi_error_set(e, MI_ERR_CONFIG, 0,
                            "%s: bad node name '%.80s'; use letters, digits, '_', '-', '.' (at "
                            "most 63)",
                            source, name);
    if (!address || !*address || strlen(address) >= sizeof cfg->nodes[0].address)
        return mi_error_set(e, MI_ERR_CONFIG, 0, "%s: node '%s' has no or a too long address",
                            source, name);
    if (looks_like_list(address))
        return mi_error_set(e, MI_ERR_CONFIG, 0,
                            "%s: the address of node '%s' ('%.200s') holds more than one; give "
                            "one address per node, a list as NAME=ADDRESS;NAME=ADDRESS in "
                            "OPENSIPS_MCP_MI_NODES or --mi-node",
                            source, name, address);
    if (fifo_reply_dir && strlen(fifo_reply_dir) >= sizeof cfg->nodes[0].fifo_reply_dir)
        return mi_error_set(e, MI_ERR_CONFIG, 0, "%s: fifo_reply_dir of node '%s' too long",
                            source, name);
    size_t i;
    for (i = 0; i < cfg->n; i++)
        if (!strcmp(cfg->nodes[i].name, name))
            break;
    if (i == MI_NODES_MAX)
        return mi_error_set(e, MI_ERR_CONFIG, 0, "%s: more than %d MI nodes", source,
                            MI_NODES_MAX);
    struct mi_node_cfg *n = &cfg->nodes[i];
    memset(n, 0, sizeof *n);
    snprintf(n->name, sizeof n->name, "%s", name);
    snprintf(n->address, sizeof n->address, "%s", address);
    snprintf(n->fifo_reply_dir, sizeof n->fifo_reply_dir, "%s",
             fifo_reply_dir ? fifo_reply_dir : "");
    snprintf(n->source, sizeof n->source, "%s", source);
    if (i == cfg->n)
        cfg->n++;
    return MI_OK;
}

/* ---- opensips-cli INI ---- */

/* Section s's value of key, [DEFAULT]'s when s has none; "" when neither gives it. */
static const char *cli_key(const struct cliconf *c, const struct cliconf_section *s,
                           const char *key)
{
    const char *v = cliconf_get(c, s, key);
    return v ? v : "";
}

static enum mi_err cli_node(struct mi_config *cfg, const struct cliconf *c,
                            const struct cliconf_section *s, struct mi_error *e)
{
    const char *type = cli_key(c, s, "communication_type"), *url = cli_key(c, s, "url");
    const char *fifo = cli_key(c, s, "fifo_file"), *rd = cli_key(c, s, "fifo_reply_dir");
    const char *dg_ip = cli_key(c, s, "datagram_ip"), *dg_port = cli_key(c, s, "datagram_port");
    const char *dg_unix = cli_key(c, s, "datagram_unix_socket");
    char addr[600], src[64];

    snprintf(src, sizeof src, "%.40s [%.16s]", c->path, s->name);
    if (!type[0] && !url[0] && !fifo[0] && !dg_ip[0])
        return MI_OK; /* a section with nothing about MI */
    if (!type[0] || !strcmp(type, "fifo")) {
        /* opensips-cli's default: fifo /tmp/opensips_fifo */
        snprintf(addr, sizeof addr, "fifo:%s", fifo[0] ? fifo : "/tmp/opensips_fifo");
    } else if (!strcmp(type, "http")) {
        snprintf(addr, sizeof addr, "%s", url[0] ? url : "http://127.0.0.1:8888/mi");
    } else if (!strcmp(type, "datagram")) {
        if (dg_unix[0])
            snprintf(addr, sizeof addr, "unix:%s", dg_unix);
        else
            snprintf(addr, sizeof addr, "udp:%s%s%s:%s", strchr(dg_ip, ':') ? "[" : "",
                     dg_ip[0] ? dg_ip : "127.0.0.1", strchr(dg_ip, ':') ? "]" : "",
                     dg_port[0] ? dg_port : "8080");
    } else {
        return mi_error_set(e, MI_ERR_CONFIG, 0,
                            "%s: communication_type '%.20s' unknown; use fifo, http or datagram",
                            src, type);
    }
    return mi_config_set_node(cfg, s->name, addr, rd[0] ? rd : NULL, src, e);
}

enum mi_err mi_config_load_cli(struct mi_config *cfg, const char *path, struct mi_error *e)
{
    struct cliconf c;
    char why[sizeof e->text];
    enum mi_err rc = MI_OK;
    int r = cliconf_load(&c, path, why, sizeof why);

    if (r < 0)
        rc = mi_error_set(e, r == CLICONF_ERR_NOMEM ? MI_ERR_SYSTEM : MI_ERR_CONFIG, 0, "%s",
                          why);
    for (size_t i = 0; i < c.n && rc == MI_OK; i++)
        rc = cli_node(cfg, &c, &c.sections[i], e);
    cliconf_release(&c);
    return rc;
}

/* ---- JSON config, environment, flags ---- */

static enum mi_err set_uint(const char *src, const char *v, uint64_t max, uint64_t min,
                            uint64_t *out, struct mi_error *e)
{
    if (parse_uint(v, max, out) < 0 || *out < min)
        return mi_error_set(e, MI_ERR_CONFIG, 0, "%s: '%.40s' is not a number from %llu to %llu",
                            src, v, (unsigned long long)min, (unsigned long long)max);
    return MI_OK;
}

static enum mi_err json_uint(const json_t *mi, const char *key, uint64_t min, uint64_t max,
                             uint64_t *out, bool *given, struct mi_error *e)
{
    json_t *v = json_object_get(mi, key);
    *given = v != NULL;
    if (!v)
        return MI_OK;
    if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)min ||
        (uint64_t)json_integer_value(v) > max)
        return mi_error_set(e, MI_ERR_CONFIG, 0,
                            "config file: mi.%s must be an integer from %llu to %llu", key,
                            (unsigned long long)min, (unsigned long long)max);
    *out = (uint64_t)json_integer_value(v);
    return MI_OK;
}

enum mi_err mi_config_load_json(struct mi_config *cfg, const json_t *mi, struct mi_error *e)
{
    if (!mi)
        return MI_OK;
    if (!json_is_object(mi))
        return mi_error_set(e, MI_ERR_CONFIG, 0, "config file: 'mi' must be an object");
    enum mi_err rc;
    const char *cli = json_string_value(json_object_get(mi, "opensips_cli_config"));
    if (cli && (rc = mi_config_load_cli(cfg, cli, e)) != MI_OK)
        return rc;
    json_t *nodes = json_object_get(mi, "nodes");
    if (nodes && !json_is_object(nodes))
        return mi_error_set(e, MI_ERR_CONFIG, 0, "config file: mi.nodes must be an object");
    const char *k;
    json_t *v;
    json_object_foreach(nodes, k, v) {
        const char *addr = json_is_string(v) ? json_string_value(v)
                                              : json_string_value(json_object_get(v, "address"));
        const char *rd = json_string_value(json_object_get(v, "fifo_reply_dir"));
        if (!addr)
            return mi_error_set(e, MI_ERR_CONFIG, 0,
                                "config file: mi.nodes.%.60s needs an address string", k);
        if ((rc = mi_config_set_node(cfg, k, addr, rd, "config file", e)) != MI_OK)
            return rc;
    }
    const char *def = json_string_value(json_object_get(mi, "default"));
    if (def)
        snprintf(cfg->default_node, sizeof cfg->default_node, "%s", def);
    uint64_t u;
    bool given;
    if ((rc = json_uint(mi, "timeout_ms", 1, 3600000, &u, &given, e)) != MI_OK)
        return rc;
    if (given)
        cfg->timeout_ms = (unsigned)u;
    if ((rc = json_uint(mi, "max_reply_bytes", 1024, MI_MAX_REPLY_LIMIT, &u, &given, e)) != MI_OK)
        return rc;
    if (given)
        cfg->max_reply = (size_t)u;
    if ((rc = json_uint(mi, "retry_max", 1, 10, &u, &given, e)) != MI_OK)
        return rc;
    if (given)
        cfg->retry_max = (unsigned)u;
    return MI_OK;
}

/* "name=ADDRESS;name=ADDRESS": entries separated by ';' or ',' (the separator --toolsets and
 * --allowed-origins use), spaces around them ignored, empty entries (a trailing separator)
 * skipped. A name given twice by the same source (one list, or repeated --mi-node flags) is an
 * error, and so is a list that names no node. */
static enum mi_err node_list(struct mi_config *cfg, const char *list, const char *src,
                             const char *reply_dir, struct mi_error *e)
{
    char buf[4096];
    size_t entries = 0;
    if (strlen(list) >= sizeof buf)
        return mi_error_set(e, MI_ERR_CONFIG, 0, "%s: too long", src);
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *item = strtok_r(buf, ";,", &save); item; item = strtok_r(NULL, ";,", &save)) {
        item = trim_space(item);
        if (!*item)
            continue;
        char *eq = strchr(item, '=');
        if (!eq)
            return mi_error_set(e, MI_ERR_CONFIG, 0,
                                "%s: '%.80s' is not NAME=ADDRESS (entries are separated by ';' "
                                "or ',')",
                                src, item);
        *eq = '\0';
        const char *name = trim_space(item), *addr = trim_space(eq + 1);
        for (size_t i = 0; i < cfg->n; i++)
            if (!strcmp(cfg->nodes[i].name, name) && !strcmp(cfg->nodes[i].source, src))
                return mi_error_set(e, MI_ERR_CONFIG, 0,
                                    "%s: node '%.64s' is given twice; give each name once",
                                    src, name);
        if (!*addr)
            return mi_error_set(e, MI_ERR_CONFIG, 0, "%s: node '%.64s' has no address", src,
                                name);
        enum mi_err rc = mi_config_set_node(cfg, name, addr, reply_dir, src, e);
        if (rc != MI_OK)
            return rc;
        entries++;
    }
    if (!entries)
        return mi_error_set(e, MI_ERR_CONFIG, 0,
                            "%s: '%.80s' names no node; use NAME=ADDRESS;NAME=ADDRESS", src,
                            list);
    return MI_OK;
}

enum mi_err mi_config_load_env(struct mi_config *cfg, struct mi_error *e)
{
    enum mi_err rc;
    uint64_t u;
    const char *rd = getenv("OPENSIPS_MCP_MI_FIFO_REPLY_DIR");
    const char *v = getenv("OPENSIPS_MI_URL");
    if (rd && *rd) {
        if (strlen(rd) >= sizeof cfg->fifo_reply_dir)
            return mi_error_set(e, MI_ERR_CONFIG, 0, "OPENSIPS_MCP_MI_FIFO_REPLY_DIR: directory "
                                                     "too long");
        snprintf(cfg->fifo_reply_dir, sizeof cfg->fifo_reply_dir, "%s", rd);
    }
    if (v && *v && (rc = mi_config_set_node(cfg, "default", v, rd, "OPENSIPS_MI_URL", e)) != MI_OK)
        return rc;
    if ((v = getenv("OPENSIPS_MCP_MI_NODES")) && *v &&
        (rc = node_list(cfg, v, "OPENSIPS_MCP_MI_NODES", rd, e)) != MI_OK)
        return rc;
    if ((v = getenv("OPENSIPS_MCP_MI_DEFAULT")) && *v)
        snprintf(cfg->default_node, sizeof cfg->default_node, "%s", v);
    if ((v = getenv("OPENSIPS_MCP_MI_TIMEOUT_MS")) && *v) {
        if ((rc = set_uint("OPENSIPS_MCP_MI_TIMEOUT_MS", v, 3600000, 1, &u, e)) != MI_OK)
            return rc;
        cfg->timeout_ms = (unsigned)u;
    }
    if ((v = getenv("OPENSIPS_MCP_MI_MAX_REPLY")) && *v) {
        if ((rc = set_uint("OPENSIPS_MCP_MI_MAX_REPLY", v, MI_MAX_REPLY_LIMIT, 1024, &u, e)) !=
            MI_OK)
            return rc;
        cfg->max_reply = (size_t)u;
    }
    return MI_OK;
}

int mi_config_flag(struct mi_config *cfg, const char *flag, const char *value,
                   struct mi_error *e)
{
    uint64_t u;
    char src[64];
    snprintf(src, sizeof src, "%.60s", flag);
    if (!strcmp(flag, "--mi-node"))
        return node_list(cfg, value, src, NULL, e) == MI_OK ? 1 : -1;
    if (!strcmp(flag, "--mi-url"))
        return mi_config_set_node(cfg, "default", value, NULL, src, e) == MI_OK ? 1 : -1;
    if (!strcmp(flag, "--mi-default")) {
        snprintf(cfg->default_node, sizeof cfg->default_node, "%s", value);
        return 1;
    }
    if (!strcmp(flag, "--mi-timeout-ms")) {
        if (set_uint(src, value, 3600000, 1, &u, e) != MI_OK)
            return -1;
        cfg->timeout_ms = (unsigned)u;
        return 1;
    }
    if (!strcmp(flag, "--mi-max-reply")) {
        if (set_uint(src, value, MI_MAX_REPLY_LIMIT, 1024, &u, e) != MI_OK)
            return -1;
        cfg->max_reply = (size_t)u;
        return 1;
    }
    if (!strcmp(flag, "--mi-fifo-reply-dir")) {
        if (strlen(value) >= sizeof cfg->nodes[0].fifo_reply_dir) {
            mi_error_set(e, MI_ERR_CONFIG, 0, "%s: directory too long", src);
            return -1;
        }
        for (size_t i = 0; i < cfg->n; i++)
            snprintf(cfg->nodes[i].fifo_reply_dir, sizeof cfg->nodes[i].fifo_reply_dir, "%s",
                     value);
        snprintf(cfg->fifo_reply_dir, sizeof cfg->fifo_reply_dir, "%s", value);
        return 1;
    }
    if (!strcmp(flag, "--mi-cli-config"))
        return mi_config_load_cli(cfg, value, e) == MI_OK ? 1 : -1;
    return 0;
}

const char *mi_config_default_fifo(void)
{
    const char *test = getenv(MI_DEFAULT_FIFO_TEST_ENV);
    return test && *test ? test : MI_DEFAULT_FIFO;
}

bool mi_config_fallback(struct mi_config *cfg)
{
    const char *path = mi_config_default_fifo();
    struct stat st;
    char addr[sizeof cfg->nodes[0].address], src[sizeof cfg->nodes[0].source];
    struct mi_error ignored;

    if (cfg->n || stat(path, &st) != 0 || !S_ISFIFO(st.st_mode) ||
        snprintf(addr, sizeof addr, "fifo:%s", path) >= (int)sizeof addr)
        return false;
    snprintf(src, sizeof src, "OpenSIPS's default FIFO (%.90s)", path);
    return mi_config_set_node(cfg, "default", addr,
                              cfg->fifo_reply_dir[0] ? cfg->fifo_reply_dir : NULL, src,
                              &ignored) == MI_OK;
}
