/* db/config_load: each node's provisioning database from opensips-cli's INI file, the JSON
 * config file, the environment and the command line (opensips-cli keys: database_url,
 * database_name). Nothing here connects: db_config_open does, on first use. */
#include "db/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliconf.h"
#include "strparse.h"

#define DB_CLI_DATABASE_NAME_MAX 128 /* bytes of database_name, NUL included */
#define LIST_MAX 16384               /* OPENSIPS_MCP_DB_NODES or one --db-node value */

void db_config_init(struct db_config *c)
{
    memset(c, 0, sizeof(*c));
    c->open.connect_timeout_ms = DB_CONNECT_TIMEOUT_MS_DEFAULT;
    c->open.statement_timeout_ms = DB_STATEMENT_TIMEOUT_MS_DEFAULT;
}

/* Text that may be (or hold) URLs, fit to quote: after each "://" everything up to the last '@'
 * before the next "://" is replaced by "***" (user too: a list of URLs, or a password holding
 * ',' or ';', is beyond db_url_redact's one URL), text with an '@' and no "://" is "***"
 * altogether, and the result is cut at 80 bytes. */
static void quote(const char *s, char *out, size_t outlen)
{
    size_t o = 0;

    if (!strstr(s, "://") && strchr(s, '@')) {
        snprintf(out, outlen, "***");
        return;
    }
    for (const char *p = s; *p && o + 1 < outlen && o < 80;) {
        if (strncmp(p, "://", 3)) {
            out[o++] = *p++;
            continue;
        }
        const char *next = strstr(p + 3, "://"), *at = NULL;
        for (const char *q = p + 3; *q && (!next || q < next); q++)
            if (*q == '@')
                at = q;
        o += (size_t)snprintf(out + o, outlen - o, "%s", at ? "://***" : "://");
        if (o >= outlen)
            o = outlen - 1;
        p = at ? at : p + 3;
    }
    out[o] = '\0';
    if (o >= 80 && o + 4 < outlen)
        snprintf(out + o, outlen - o, "...");
}

/* Whether a URL holds a list: a ';' or ',' followed by NAME= and a scheme, as a node list
 * pasted where one URL goes ("postgres://a/x,pbx2=mysql://b/y"). */
static bool looks_like_list(const char *url)
{
    for (const char *p = url; (p = strpbrk(p, ";,")); p++) {
        const char *q = p + 1, *start;
        while (*q == ' ')
            q++;
        for (start = q; node_name_char(*q); q++)
            ;
        if (q > start && *q == '=' && strstr(q, "://"))
            return true;
    }
    return false;
}

static int find(const struct db_config *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->nodes[i].name, name))
            return (int)i;
    return -1;
}

int db_config_set_node(struct db_config *c, const char *name, const char *url, const char *source,
                       char *err, size_t errlen)
{
    struct db_url u;
    char q[100], why[700];
    int i;

    if (!node_name_ok(name, DB_NODE_NAME_MAX)) {
        quote(name, q, sizeof(q));
        return parse_fail(err, errlen,
                          "%s: bad node name '%s'; use letters, digits, '_', '-', '.' (at most %d)",
                          source, q, DB_NODE_NAME_MAX - 1);
    }
    if (!url || !*url)
        return parse_fail(err, errlen, "%s: node '%s' has no database URL", source, name);
    if (strlen(url) >= sizeof(c->nodes[0].url))
        return parse_fail(err, errlen, "%s: the database URL of node '%s' is longer than %zu bytes",
                          source, name, sizeof(c->nodes[0].url) - 1);
    if (looks_like_list(url)) {
        quote(url, q, sizeof(q));
        return parse_fail(err, errlen,
                          "%s: the database URL of node '%s' (%s) holds more than one; give one "
                          "URL per node, a list as NAME=URL;NAME=URL in OPENSIPS_MCP_DB_NODES or "
                          "--db-node (a ',' or ';' in a password is written %%2C or %%3B)",
                          source, name, q);
    }
    int rc = db_url_parse(url, &u, why, sizeof(why));
    explicit_bzero(u.password, sizeof(u.password));
    if (rc < 0)
        return parse_fail(err, errlen, "%s: node '%s': %s", source, name, why);
    if ((i = find(c, name)) < 0) {
        if (c->n == DB_NODES_MAX)
            return parse_fail(err, errlen,
                              "%s: more than %d node databases; at most %d can be configured",
                              source, DB_NODES_MAX, DB_NODES_MAX);
        i = (int)c->n++;
    }
    struct db_node_cfg *n = &c->nodes[i];
    memset(n, 0, sizeof(*n));
    snprintf(n->name, sizeof(n->name), "%s", name);
    snprintf(n->url, sizeof(n->url), "%s", url);
    snprintf(n->source, sizeof(n->source), "%s", source);
    return 0;
}

/* The names one source has set so far: a second one is an error. */
struct seen {
    bool set[DB_NODES_MAX];
};

static int set_once(struct db_config *c, struct seen *seen, const char *name, const char *url,
                    const char *source, const char *given_as, char *err, size_t errlen)
{
    int i = node_name_ok(name, DB_NODE_NAME_MAX) ? find(c, name) : -1;

    if (i >= 0 && seen->set[i])
        return parse_fail(err, errlen,
                          "%s: node '%s' is given a database twice (%s, and before by %s); give "
                          "each name once",
                          source, name, given_as, c->nodes[i].source);
    if (db_config_set_node(c, name, url, source, err, errlen) < 0)
        return -1;
    seen->set[find(c, name)] = true;
    return 0;
}

static int parse_ms(const char *src, const char *v, uint64_t min, uint64_t max, int *out,
                    char *err, size_t errlen)
{
    uint64_t u;
    char q[100];

    if (parse_uint(v, max, &u) < 0 || u < min) {
        quote(v, q, sizeof(q));
        return parse_fail(err, errlen, "%s: '%s' is not a number of milliseconds from %llu to %llu",
                          src, q, (unsigned long long)min, (unsigned long long)max);
    }
    *out = (int)u;
    return 0;
}

/* ---- opensips-cli INI ---- */

/* url with database name `db` joined when it names none ("mysql://u:p@h" + "opensips"), the
 * name percent-encoded. 0, or -1 when it does not fit. */
static int join_database(const char *url, const char *db, char *out, size_t outlen)
{
    struct db_url u;
    char why[700];
    size_t n = strlen(url), o;

    if (db_url_parse(url, &u, why, sizeof(why)) < 0 || u.database[0]) {
        explicit_bzero(u.password, sizeof(u.password));
        return snprintf(out, outlen, "%s", url) < (int)outlen ? 0 : -1; /* as it is */
    }
    explicit_bzero(u.password, sizeof(u.password));
    while (n && url[n - 1] == '/')
        n--;
    if (n + 2 > outlen)
        return -1;
    memcpy(out, url, n);
    o = n;
    out[o++] = '/';
    for (const char *p = db; *p; p++) {
        if (o + 4 > outlen)
            return -1;
        if (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.' || *p == '$')
            out[o++] = *p;
        else
            o += (size_t)snprintf(out + o, 4, "%%%02X", (unsigned char)*p);
    }
    out[o] = '\0';
    return 0;
}

static int cli_node(struct db_config *c, struct seen *seen, const struct cliconf *cf,
                    const struct cliconf_section *s, char *err, size_t errlen)
{
    const char *url = cliconf_get(cf, s, "database_url");
    const char *db = cliconf_get(cf, s, "database_name");
    char src[128], joined[DB_URL_MAX];

    if (!url)
        return 0; /* a section with nothing about the database */
    if (!db)
        db = DB_CLI_DATABASE_NAME;
    if (!node_name_ok(s->name, DB_NODE_NAME_MAX)) { /* before the name goes into the source */
        char q[100];
        quote(s->name, q, sizeof(q));
        return parse_fail(err, errlen,
                          "%s: section [%s] with a database_url: bad node name; use letters, "
                          "digits, '_', '-', '.' (at most %d)",
                          cf->path, q, DB_NODE_NAME_MAX - 1);
    }
    snprintf(src, sizeof(src), "%.60s [%.48s] database_url", cf->path, s->name);
    if (strlen(url) >= DB_URL_MAX || strlen(db) >= DB_CLI_DATABASE_NAME_MAX)
        return parse_fail(err, errlen, "%s: database_url or database_name is too long", src);
    if (join_database(url, db, joined, sizeof(joined)) < 0)
        return parse_fail(err, errlen,
                          "%s: the database URL with database_name '%.60s' is longer than %d "
                          "bytes",
                          src, db, DB_URL_MAX - 1);
    return set_once(c, seen, s->name, joined, src, "a [section] of the same name", err, errlen);
}

int db_config_load_cli(struct db_config *c, const char *path, char *err, size_t errlen)
{
    struct seen seen = {{0}};
    struct cliconf cf;
    /* Every section is read first, and the nodes made after: [DEFAULT]'s keys apply to every
     * section wherever it stands, as configparser (and the MI reader) take them. */
    int rc = cliconf_load(&cf, path, err, errlen) < 0 ? -1 : 0;

    for (size_t i = 0; i < cf.n && !rc; i++)
        rc = cli_node(c, &seen, &cf, &cf.sections[i], err, errlen);
    cliconf_release(&cf);
    return rc;
}

/* ---- the JSON config file ---- */

static int json_ms(const json_t *db, const char *key, const char *where, int min, int max,
                   int *out, char *err, size_t errlen)
{
    const json_t *v = json_object_get(db, key);

    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return parse_fail(err, errlen,
                          "%s: db.%s must be an integer number of milliseconds from %d to %d",
                          where, key, min, max);
    *out = (int)json_integer_value(v);
    return 0;
}

/* A node name in the config file that is none (it goes into no source: it may be anything). */
static int bad_key(const char *where, const char *object, const char *k, char *err, size_t errlen)
{
    char q[100];

    quote(k, q, sizeof(q));
    return parse_fail(err, errlen,
                      "%s: bad node name '%s' in %s; use letters, digits, '_', '-', '.' (at most "
                      "%d)",
                      where, q, object, DB_NODE_NAME_MAX - 1);
}

int db_config_load_json(struct db_config *c, const json_t *db, const json_t *mi, const char *path,
                        char *err, size_t errlen)
{
    static const char *const keys[] = {"url", "nodes", "default", "connect_timeout_ms",
                                       "statement_timeout_ms"};
    struct seen seen = {{0}};
    char where[160], src[128];
    const char *k, *cli;
    json_t *v;

    snprintf(where, sizeof(where), path ? "config file '%.120s'" : "config file", path);
    if (json_is_object(mi) &&
        (cli = json_string_value(json_object_get(mi, "opensips_cli_config"))) &&
        db_config_load_cli(c, cli, err, errlen) < 0)
        return -1;
    /* "mi": {"nodes": {"pbx1": {"address": ..., "db_url": ...}}}: one object per box */
    json_t *minodes = json_is_object(mi) ? json_object_get(mi, "nodes") : NULL;
    json_object_foreach(json_is_object(minodes) ? minodes : NULL, k, v) {
        json_t *url = json_is_object(v) ? json_object_get(v, "db_url") : NULL;
        if (!url)
            continue;
        if (!node_name_ok(k, DB_NODE_NAME_MAX))
            return bad_key(where, "mi.nodes", k, err, errlen);
        snprintf(src, sizeof(src), "config file mi.nodes.%.64s.db_url", k);
        if (!json_is_string(url))
            return parse_fail(err, errlen, "%s: %s must be a database URL string", where, src + 12);
        if (set_once(c, &seen, k, json_string_value(url), src, src + 12, err, errlen) < 0)
            return -1;
    }
    if (!db)
        return 0;
    if (!json_is_object(db))
        return parse_fail(err, errlen, "%s: 'db' must be an object", where);
    json_object_foreach((json_t *)db, k, v) {
        size_t i;
        char q[100];
        for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && strcmp(k, keys[i]); i++)
            ;
        if (i < sizeof(keys) / sizeof(keys[0]))
            continue;
        quote(k, q, sizeof(q));
        return parse_fail(err, errlen, "%s: unknown key db.%s; use url, nodes, default, "
                          "connect_timeout_ms or statement_timeout_ms", where, q);
    }
    if ((v = json_object_get(db, "url"))) {
        if (!json_is_string(v))
            return parse_fail(err, errlen, "%s: db.url must be a database URL string", where);
        if (set_once(c, &seen, "default", json_string_value(v), "config file db.url", "db.url",
                     err, errlen) < 0)
            return -1;
    }
    json_t *nodes = json_object_get(db, "nodes");
    if (nodes && !json_is_object(nodes))
        return parse_fail(err, errlen, "%s: db.nodes must be an object of \"name\": URL", where);
    json_object_foreach(nodes, k, v) {
        if (!node_name_ok(k, DB_NODE_NAME_MAX))
            return bad_key(where, "db.nodes", k, err, errlen);
        snprintf(src, sizeof(src), "config file db.nodes.%.64s", k);
        if (!json_is_string(v))
            return parse_fail(err, errlen, "%s: %s must be a database URL string", where, src + 12);
        if (set_once(c, &seen, k, json_string_value(v), src, src + 12, err, errlen) < 0)
            return -1;
    }
    if ((v = json_object_get(db, "default"))) {
        if (!json_is_string(v) || !node_name_ok(json_string_value(v), DB_NODE_NAME_MAX))
            return parse_fail(err, errlen,
                              "%s: db.default must be a node name (letters, digits, '_', '-', '.')",
                              where);
        snprintf(c->default_node, sizeof(c->default_node), "%s", json_string_value(v));
    }
    if (json_ms(db, "connect_timeout_ms", where, DB_CONNECT_TIMEOUT_MS_MIN,
                DB_CONNECT_TIMEOUT_MS_MAX, &c->open.connect_timeout_ms, err, errlen) < 0 ||
        json_ms(db, "statement_timeout_ms", where, DB_STATEMENT_TIMEOUT_MS_MIN,
                DB_STATEMENT_TIMEOUT_MS_MAX, &c->open.statement_timeout_ms, err, errlen) < 0)
        return -1;
    return 0;
}

/* ---- environment and flags ---- */

/* The end of the entry that starts at p: the next ';' followed (after spaces) by the end, another
 * ';' or NAME '=' (the next entry); any other ';' belongs to the URL, as in an unencoded
 * password "pa;ss@host". */
static char *entry_end(char *p)
{
    for (char *semi = strchr(p, ';'); semi; semi = strchr(semi + 1, ';')) {
        const char *q = semi + 1, *start;
        while (*q == ' ' || *q == '\t')
            q++;
        for (start = q; node_name_char(*q); q++)
            ;
        while (*q == ' ' || *q == '\t')
            q++;
        if (!*start || *start == ';' || (q > start && *q == '='))
            return semi;
    }
    return p + strlen(p);
}

/* "name=URL;name=URL": entries separated by ';' only, spaces around them ignored, empty
 * entries (a trailing ';') skipped; a list that names no node is an error. */
static int node_list(struct db_config *c, struct seen *seen, const char *list, const char *src,
                     char *err, size_t errlen)
{
    char *buf, q[100];
    size_t entries = 0;
    int rc = 0;

    if (strlen(list) >= LIST_MAX)
        return parse_fail(err, errlen, "%s: longer than %d bytes", src, LIST_MAX - 1);
    if (!(buf = strdup(list)))
        return parse_fail(err, errlen, "%s: out of memory", src);
    for (char *next = buf, *item; *next && !rc;) {
        char *end = entry_end(next);
        item = next;
        next = *end ? end + 1 : end;
        *end = '\0';
        item = trim_space(item);
        if (!*item)
            continue;
        char *eq = strchr(item, '='), *scheme = strstr(item, "://");
        if (!eq || (scheme && scheme < eq)) {
            quote(item, q, sizeof(q));
            rc = parse_fail(err, errlen,
                            "%s: '%s' is not NAME=URL (entries are separated by ';')", src, q);
            break;
        }
        *eq = '\0';
        const char *name = trim_space(item), *url = trim_space(eq + 1);
        char given[96];
        snprintf(given, sizeof(given), "%s %.64s=...", src, name);
        rc = set_once(c, seen, name, url, src, given, err, errlen);
        entries++;
    }
    if (!rc && !entries) {
        quote(list, q, sizeof(q));
        rc = parse_fail(err, errlen, "%s: '%s' names no node; use NAME=URL;NAME=URL", src, q);
    }
    explicit_bzero(buf, strlen(list)); /* every byte; the entries' NULs included */
    free(buf);
    return rc;
}

int db_config_load_env(struct db_config *c, char *err, size_t errlen)
{
    struct seen seen = {{0}};
    const char *v;

    if ((v = getenv("OPENSIPS_MCP_DB_URL")) && *v &&
        set_once(c, &seen, "default", v, "OPENSIPS_MCP_DB_URL", "OPENSIPS_MCP_DB_URL", err,
                 errlen) < 0)
        return -1;
    if ((v = getenv("OPENSIPS_MCP_DB_NODES")) && *v &&
        node_list(c, &seen, v, "OPENSIPS_MCP_DB_NODES", err, errlen) < 0)
        return -1;
    if ((v = getenv("OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS")) && *v &&
        parse_ms("OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS", v, DB_CONNECT_TIMEOUT_MS_MIN,
                 DB_CONNECT_TIMEOUT_MS_MAX, &c->open.connect_timeout_ms, err, errlen) < 0)
        return -1;
    if ((v = getenv("OPENSIPS_MCP_DB_STATEMENT_TIMEOUT_MS")) && *v &&
        parse_ms("OPENSIPS_MCP_DB_STATEMENT_TIMEOUT_MS", v, DB_STATEMENT_TIMEOUT_MS_MIN,
                 DB_STATEMENT_TIMEOUT_MS_MAX, &c->open.statement_timeout_ms, err, errlen) < 0)
        return -1;
    return 0;
}

int db_config_load_flags(struct db_config *c, const json_t *flags, char *err, size_t errlen)
{
    struct seen seen = {{0}};
    size_t i;
    json_t *f;

    json_array_foreach(flags, i, f) {
        const char *flag = json_string_value(json_array_get(f, 0));
        const char *value = json_string_value(json_array_get(f, 1));
        if (!flag || !value)
            return parse_fail(err, errlen, "a --db-* option without a value");
        if (!strcmp(flag, "--db-url")) {
            if (set_once(c, &seen, "default", value, "--db-url", "--db-url", err, errlen) < 0)
                return -1;
        } else if (!strcmp(flag, "--db-node")) {
            if (node_list(c, &seen, value, "--db-node", err, errlen) < 0)
                return -1;
        } else if (!strcmp(flag, "--db-connect-timeout-ms")) {
            if (parse_ms(flag, value, DB_CONNECT_TIMEOUT_MS_MIN, DB_CONNECT_TIMEOUT_MS_MAX,
                         &c->open.connect_timeout_ms, err, errlen) < 0)
                return -1;
        } else if (!strcmp(flag, "--db-statement-timeout-ms")) {
            if (parse_ms(flag, value, DB_STATEMENT_TIMEOUT_MS_MIN, DB_STATEMENT_TIMEOUT_MS_MAX,
                         &c->open.statement_timeout_ms, err, errlen) < 0)
                return -1;
        } else {
            char q[100];
            quote(flag, q, sizeof(q));
            return parse_fail(err, errlen,
                              "unknown option '%s'; the database options are --db-url, "
                              "--db-node, --db-connect-timeout-ms and --db-statement-timeout-ms",
                              q);
        }
    }
    return 0;
}

/* ---- the default node, and everything together ---- */

int db_config_finish(struct db_config *c, const char *mi_default, bool mi_has_default_node,
                     char *err, size_t errlen)
{
    if (*c->default_node) {
        if (find(c, c->default_node) >= 0)
            return 0;
        return parse_fail(err, errlen,
                          "config file: db.default names node '%s', which has no database "
                          "configured (give it one with --db-node %s=URL or db.nodes)",
                          c->default_node, c->default_node);
    }
    if (!mi_default || !*mi_default)
        return 0;
    snprintf(c->default_node, sizeof(c->default_node), "%s", mi_default);
    int d = find(c, "default");
    if (strcmp(mi_default, "default") && find(c, mi_default) < 0 && d >= 0 &&
        !mi_has_default_node) {
        /* --db-url is "the default node's database", and the default node is mi_default */
        struct db_node_cfg *n = &c->nodes[d];
        char src[sizeof(n->source)];
        snprintf(n->name, sizeof(n->name), "%s", mi_default);
        snprintf(src, sizeof(src), "%.90s, for the default MI node", n->source);
        snprintf(n->source, sizeof(n->source), "%s", src);
    }
    return 0;
}

int db_config_build(struct db_config *c, const json_t *config_doc, const char *config_path,
                    const json_t *mi_flags, const json_t *db_flags, const char *mi_default,
                    bool mi_has_default_node, char *err, size_t errlen)
{
    size_t i;
    json_t *f;

    db_config_init(c);
    if (db_config_load_cli(c, NULL, err, errlen) < 0 ||
        db_config_load_json(c, json_object_get(config_doc, "db"),
                            json_object_get(config_doc, "mi"), config_path, err, errlen) < 0 ||
        db_config_load_env(c, err, errlen) < 0)
        return -1;
    /* --mi-cli-config names an opensips-cli file on the command line: read at that rank */
    json_array_foreach(mi_flags, i, f) {
        const char *flag = json_string_value(json_array_get(f, 0));
        const char *value = json_string_value(json_array_get(f, 1));
        if (flag && value && !strcmp(flag, "--mi-cli-config") &&
            db_config_load_cli(c, value, err, errlen) < 0)
            return -1;
    }
    if (db_config_load_flags(c, db_flags, err, errlen) < 0)
        return -1;
    return db_config_finish(c, mi_default, mi_has_default_node, err, errlen);
}
