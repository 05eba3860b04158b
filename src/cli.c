/* cli: the one-shot commands check, call and tools, over the server's own settings, MI client,
 * registry, gate and session code. */
#include "cli.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cancel.h"
#include "db/config.h"
#include "db/db.h"
#include "homer/client.h"
#include "jsonload.h"
#include "log.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "mi/client.h"
#include "mi/transport.h"
#include "register.h"
#include "report.h"
#include "tools/backends.h"
#include "tools/row.h"
#include "version.h"

#define CLI_ARGS_MAX 256 /* options and positional arguments of one command line */
#define NEAR_MAX 5       /* near names offered for an unknown tool */

enum { EXIT_FINE = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static const char *const commands[] = {"check", "call", "tools"};

bool cli_is_command(int argc, char **argv)
{
    for (size_t i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i]))
            return true;
    return false;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: error: ", OPENSIPS_MCP_NAME);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

static void usage(const char *command)
{
    if (!strcmp(command, "check"))
        printf("usage: %s check [--json] [options]\n\n"
               "Ask every configured MI node for its version (core:version), and every node's\n"
               "provisioning database for SELECT 1, with the server's settings (flags,\n"
               "environment, config file; see %s --help). One line per node: name, address,\n"
               "where the address came from when known, then ok and the OpenSIPS version, or\n"
               "the error; then one per database: name, \"database\" and its URL without the\n"
               "password, its source, then ok and the driver, or the error. --json prints one\n"
               "JSON object instead.\n"
               "Exit status: 0 every node and database answered, 1 some did not, 2 a\n"
               "configuration error or nothing configured.\n",
               OPENSIPS_MCP_NAME, OPENSIPS_MCP_NAME);
    else
        printf("usage: %s call [options] TOOL [JSON | KEY=VALUE ...]\n"
               "       %s call --list [--json] [options]   (or: %s tools)\n\n"
               "Run one tool as the configured role (--role), through the server's own checks:\n"
               "scopes, read-only mode, confirmation, audit. The arguments are one JSON object, or\n"
               "KEY=VALUE pairs whose VALUE is taken as JSON when it parses as JSON (numbers,\n"
               "true, arrays) and the argument is not a string, else as text; one value for a\n"
               "list argument is a list of one. There is no one to ask, so a tool that changes\n"
               "state runs only with confirm=true.\n"
               "Prints the structured result (or the text) on stdout.\n"
               "Exit status: 0 success, 1 the tool answered an error (on stderr), 2 a usage or\n"
               "configuration error, such as an unknown tool.\n",
               OPENSIPS_MCP_NAME, OPENSIPS_MCP_NAME, OPENSIPS_MCP_NAME);
}

/* v's text, or def when v is not a string. */
static const char *str_or(const json_t *v, const char *def)
{
    const char *s = json_string_value(v);
    return s ? s : def;
}

/* ---- the command line ---- */

struct cli_args {
    const char *command;
    char *settings_argv[CLI_ARGS_MAX + 2]; /* argv[0], then the server's options */
    int settings_argc;
    const char *positional[CLI_ARGS_MAX];
    size_t npositional;
    bool json, list, help;
};

/* Whether the server option `flag` (no '=') takes the next argument as its value: settings_load
 * accepts it alone only when it is a switch (--read-only). When the settings themselves are
 * wrong the answer does not matter: loading them for real reports that first. */
static bool takes_value(const char *flag)
{
    struct settings s;
    char err[512], *argv[] = {(char *)OPENSIPS_MCP_NAME, (char *)flag, NULL};
    enum settings_outcome o;

    if (!strcmp(flag, "--version"))
        return false;
    o = settings_load(&s, 2, argv, err, sizeof(err));
    settings_release(&s);
    return o != SETTINGS_OK;
}

/* Sort argv[2..] into the command's own arguments and the server's options. 0, or -1 after
 * saying why on stderr. */
static int split_args(int argc, char **argv, struct cli_args *a)
{
    bool options = true;

    memset(a, 0, sizeof(*a));
    a->command = argv[1];
    a->settings_argv[a->settings_argc++] = argv[0];
    if (argc - 2 > CLI_ARGS_MAX)
        return usage_error("more than %d arguments", CLI_ARGS_MAX), -1;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (options && !strcmp(arg, "--")) {
            options = false;
        } else if (options && (!strcmp(arg, "--help") || !strcmp(arg, "-h"))) {
            a->help = true;
        } else if (options && !strcmp(arg, "--json")) {
            a->json = true;
        } else if (options && !strcmp(arg, "--list")) {
            a->list = true;
        } else if (options && arg[0] == '-') { /* -x too: settings_load refuses it by name */
            a->settings_argv[a->settings_argc++] = argv[i];
            if (!strchr(arg, '=') && i + 1 < argc && takes_value(arg))
                a->settings_argv[a->settings_argc++] = argv[++i];
        } else {
            a->positional[a->npositional++] = arg;
        }
    }
    a->settings_argv[a->settings_argc] = NULL;
    return 0;
}

/* ---- the server, built as main builds it ---- */

struct cli_server {
    struct settings settings;
    bool settings_loaded;
    struct mi_client *mi;
    struct db_config db;
    struct mcp_server *srv;
    struct tool_backends be;
};

/* Settings and MI client, plus the server and its tools when `with_server`. EXIT_FINE, or the
 * exit status after saying why on stderr (EXIT_FINE with *done for --version). */
static int cli_server_open(struct cli_server *cs, struct cli_args *a, cli_mi_new_fn mi_new,
                           cli_db_new_fn db_new, bool with_server, bool *done)
{
    char err[1024];

    memset(cs, 0, sizeof(*cs));
    *done = false;
    switch (settings_load(&cs->settings, a->settings_argc, a->settings_argv, err, sizeof(err))) {
    case SETTINGS_EXIT_OK:
        *done = true;
        settings_release(&cs->settings);
        return EXIT_FINE;
    case SETTINGS_ERROR:
        settings_release(&cs->settings);
        return usage_error("%s", err);
    case SETTINGS_OK:
        break;
    }
    cs->settings_loaded = true;
    log_set_threshold(cs->settings.log_level);
    log_redact_set_positional(mi_catalogue_param_is_secret);
    if (!(cs->mi = mi_new(&cs->settings, err, sizeof(err))) ||
        db_new(&cs->settings, cs->mi, &cs->db, err, sizeof(err)) < 0)
        return usage_error("%s", err);
    if (!with_server)
        return EXIT_FINE;
    if (!(cs->srv = mcp_server_new(&cs->settings, err, sizeof(err))))
        return report_config_error(&cs->settings, err);
    cs->be.mi = cs->mi;
    cs->be.files_root = cs->settings.out_dir_root;
    if (cs->db.n) {
        cs->be.db = &cs->db;
        cs->be.db_connect = db_config_open;
    }
    if (cs->settings.homer_url && *cs->settings.homer_url &&
        !(cs->be.homer = homer_new(&(struct homer_config){
              .url = cs->settings.homer_url, .user = cs->settings.homer_user,
              .password = cs->settings.homer_password,
              .timeout_ms = cs->settings.homer_timeout_ms,
              .max_reply = cs->settings.homer_max_reply})))
        return usage_error("out of memory");
    if (register_all(mcp_server_registry(cs->srv), &cs->be, &cs->settings, err, sizeof(err)) < 0)
        return report_config_error(&cs->settings, err);
    return EXIT_FINE;
}

static void cli_server_close(struct cli_server *cs)
{
    mcp_server_free(cs->srv);
    homer_free(cs->be.homer);
    mi_client_free(cs->mi);
    mi_transport_global_cleanup();
    cancel_pool_free();
    if (cs->settings_loaded)
        settings_release(&cs->settings);
}

/* ---- check ---- */

struct ping {
    struct mi_client *mi;
    const char *node;
    json_t *result;
    struct mi_error e;
    enum mi_err rc;
    pthread_t thread;
    bool started;
};

static void *ping_run(void *arg)
{
    struct ping *p = arg;

    p->rc = mi_client_call(p->mi, p->node, "core:version", NULL, 0, &p->result, &p->e);
    return NULL;
}

/* {"name","address","source"? (when the client tells it),"default","reachable", then "version"
 * or "error":{"code","text"}} */
static json_t *ping_report(struct mi_client *mi, const struct ping *p)
{
    json_t *info = mi_client_node_info(mi, p->node), *o;
    const char *version = json_string_value(json_object_get(p->result, "Server"));

    o = json_pack("{s:s, s:s, s:b, s:b}", "name", p->node, "address",
                  str_or(json_object_get(info, "address"), ""), "default",
                  json_is_true(json_object_get(info, "default")), "reachable", p->rc == MI_OK);
    if (o && json_is_string(json_object_get(info, "source")))
        json_object_set(o, "source", json_object_get(info, "source"));
    if (o && p->rc == MI_OK)
        json_object_set_new(o, "version", json_string(version ? version : "unknown"));
    else if (o)
        json_object_set_new(o, "error", json_pack("{s:s, s:s}", "code", mi_err_name(p->rc),
                                                  "text", p->e.text));
    json_decref(info);
    return o;
}

/* name [(default)]  address  [(from SOURCE)]  ok VERSION | error: TEXT; the default is marked
 * among several nodes. */
static void ping_print(const json_t *o, bool several)
{
    const char *source = json_string_value(json_object_get(o, "source"));

    printf("%s%s  %s", json_string_value(json_object_get(o, "name")),
           several && json_is_true(json_object_get(o, "default")) ? " (default)" : "",
           json_string_value(json_object_get(o, "address")));
    if (source)
        printf("  (from %s)", source);
    if (json_is_true(json_object_get(o, "reachable")))
        printf("  ok  %s\n", json_string_value(json_object_get(o, "version")));
    else
        printf("  error: %s\n",
               json_string_value(json_object_get(json_object_get(o, "error"), "text")));
}

/* One node's database, asked for SELECT 1 on a thread of its own. */
struct db_ping {
    const struct db_config *cfg;
    const struct db_node_cfg *node;
    const char *driver; /* static, once connected */
    struct tool_error e;
    enum tool_err rc;
    pthread_t thread;
    bool started;
};

static void *db_ping_run(void *arg)
{
    struct db_ping *p = arg;
    struct db_driver d;
    json_t *rows = NULL;
    long long affected = 0;

    p->rc = db_open(p->node->url, &p->cfg->open, &d, &p->e);
    if (p->rc == TOOL_OK) {
        p->driver = d.name;
        p->rc = d.query(d.ctx, "SELECT 1", NULL, &rows, &affected, &p->e);
    }
    json_decref(rows);
    db_thread_close();
    return NULL;
}

/* {"name","url" (redacted),"source","default","reachable", then "driver" or
 * "error":{"code","text"}} */
static json_t *db_ping_report(const struct db_ping *p)
{
    char red[DB_URL_MAX + 8];
    json_t *o;

    db_url_redact(p->node->url, red, sizeof(red));
    o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", p->node->name, "url", red, "source",
                  p->node->source, "default", db_config_node(p->cfg, NULL) == p->node,
                  "reachable", p->rc == TOOL_OK);
    if (o && p->rc == TOOL_OK)
        json_object_set_new(o, "driver", json_string(p->driver ? p->driver : "unknown"));
    else if (o)
        json_object_set_new(o, "error", json_pack("{s:s, s:s}", "code",
                                                  p->e.name ? p->e.name : tool_err_name(p->rc),
                                                  "text", p->e.text));
    return o;
}

/* name [(default)]  database URL  (from SOURCE)  ok DRIVER | error: TEXT */
static void db_ping_print(const json_t *o, bool several)
{
    printf("%s%s  database %s  (from %s)", json_string_value(json_object_get(o, "name")),
           several && json_is_true(json_object_get(o, "default")) ? " (default)" : "",
           json_string_value(json_object_get(o, "url")),
           json_string_value(json_object_get(o, "source")));
    if (json_is_true(json_object_get(o, "reachable")))
        printf("  ok  %s\n", json_string_value(json_object_get(o, "driver")));
    else
        printf("  error: %s\n",
               json_string_value(json_object_get(json_object_get(o, "error"), "text")));
}

static int cli_check(struct cli_args *a, cli_mi_new_fn mi_new, cli_db_new_fn db_new)
{
    struct cli_server cs;
    struct ping *pings = NULL;
    struct db_ping *dbs = NULL;
    json_t *nodes = NULL, *databases = NULL;
    size_t n = 0, ndb = 0, answered = 0;
    bool done;
    int rc;

    if (a->npositional || a->list)
        return usage_error("check takes no argument '%s'; see %s check --help",
                           a->list ? "--list" : a->positional[0], OPENSIPS_MCP_NAME);
    if ((rc = cli_server_open(&cs, a, mi_new, db_new, false, &done)) != EXIT_FINE || done)
        goto out;
    n = mi_client_node_count(cs.mi);
    ndb = cs.db.n;
    if (!n && !ndb) {
        rc = usage_error("no OpenSIPS MI node is configured; give one with --mi-url ADDRESS, "
                         "--mi-node NAME=ADDRESS, OPENSIPS_MI_URL or the config file's \"mi\" "
                         "object (and a node's database with --db-url or --db-node NAME=URL)");
        goto out;
    }
    /* Every node and database at once, each within its own deadline (MI's, the database's
     * connect and statement time-outs): a dead one costs one time-out, not one each. One whose
     * thread cannot start is asked here. */
    if (!(pings = calloc(n + 1, sizeof(*pings))) || !(dbs = calloc(ndb + 1, sizeof(*dbs))) ||
        !(nodes = json_array()) || !(databases = json_array())) {
        rc = usage_error("out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        pings[i] = (struct ping){.mi = cs.mi, .node = mi_client_node_name(cs.mi, i)};
        pings[i].started = pthread_create(&pings[i].thread, NULL, ping_run, &pings[i]) == 0;
    }
    for (size_t i = 0; i < ndb; i++) {
        dbs[i] = (struct db_ping){.cfg = &cs.db, .node = &cs.db.nodes[i]};
        dbs[i].started = pthread_create(&dbs[i].thread, NULL, db_ping_run, &dbs[i]) == 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (pings[i].started)
            pthread_join(pings[i].thread, NULL);
        else
            ping_run(&pings[i]);
        answered += pings[i].rc == MI_OK;
        json_array_append_new(nodes, ping_report(cs.mi, &pings[i]));
    }
    for (size_t i = 0; i < ndb; i++) {
        if (dbs[i].started)
            pthread_join(dbs[i].thread, NULL);
        else
            db_ping_run(&dbs[i]);
        answered += dbs[i].rc == TOOL_OK;
        json_array_append_new(databases, db_ping_report(&dbs[i]));
    }
    if (a->json) {
        json_t *doc = json_pack("{s:b, s:O, s:O}", "ok", answered == n + ndb, "nodes", nodes,
                                "databases", databases);
        json_dumpf(doc, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(doc);
    } else {
        size_t i;
        json_t *o;
        json_array_foreach(nodes, i, o)
            ping_print(o, n > 1);
        json_array_foreach(databases, i, o)
            db_ping_print(o, ndb > 1);
    }
    rc = answered == n + ndb ? EXIT_FINE : EXIT_FAILED;
out:
    for (size_t i = 0; pings && i < n; i++)
        json_decref(pings[i].result);
    free(pings);
    free(dbs);
    json_decref(nodes);
    json_decref(databases);
    cli_server_close(&cs);
    return rc;
}

/* ---- one MCP exchange through the session code ---- */

/* Where the session writes: only a request's final message (its reply) is kept; progress and
 * log notifications have no one to show them to. */
struct capture {
    struct mcp_out out;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool done;
    char *reply; /* the reply line, or NULL when it was suppressed */
};

static void capture_send(struct mcp_out *out, const char *line, size_t len, bool final)
{
    struct capture *c = out->ctx;

    if (!final)
        return;
    pthread_mutex_lock(&c->lock);
    free(c->reply);
    c->reply = line ? strndup(line, len) : NULL;
    c->done = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->lock);
}

/* Send one request (stolen) and wait for its reply: a new reference, or NULL when there was
 * none. The session answers every request, within the deadlines of what it runs. */
static json_t *exchange(struct mcp_session *s, struct capture *c, json_t *msg)
{
    char *line = json_dumps(msg, JSON_COMPACT);
    json_t *reply = NULL;

    json_decref(msg);
    if (!line)
        return NULL;
    pthread_mutex_lock(&c->lock);
    c->done = false;
    pthread_mutex_unlock(&c->lock);
    if (mcp_session_handle(s, line, strlen(line), &c->out) == MCP_REPLY) {
        pthread_mutex_lock(&c->lock);
        while (!c->done)
            pthread_cond_wait(&c->cv, &c->lock);
        if (c->reply)
            reply = jsonload_string(c->reply, 0, NULL);
        pthread_mutex_unlock(&c->lock);
    }
    free(line);
    return reply;
}

static json_t *request(const char *method, json_t *params)
{
    static json_int_t id;
    return json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", ++id, "method", method,
                     "params", params ? params : json_object());
}

/* A session that has been through initialize, as an MCP client without capabilities: there is
 * no one to ask, so a change needs confirm: true. NULL after saying why. */
static struct mcp_session *session_open(struct mcp_server *srv, struct capture *c)
{
    struct mcp_session *s = mcp_session_new(srv, NULL);
    json_t *reply, *note;
    char *line;

    if (!s)
        return usage_error("out of memory"), NULL;
    reply = exchange(s, c, request("initialize",
                                   json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion",
                                             "2025-11-25", "capabilities", "clientInfo", "name",
                                             OPENSIPS_MCP_NAME "-cli", "version",
                                             OPENSIPS_MCP_VERSION)));
    if (!json_object_get(reply, "result")) {
        usage_error("the server did not initialize a session");
        json_decref(reply);
        mcp_session_close(s);
        return NULL;
    }
    json_decref(reply);
    note = json_pack("{s:s, s:s}", "jsonrpc", "2.0", "method", "notifications/initialized");
    if ((line = json_dumps(note, JSON_COMPACT)))
        mcp_session_handle(s, line, strlen(line), &c->out);
    free(line);
    json_decref(note);
    return s;
}

/* ---- call ---- */

/* Edit distance of a and b, or more than `max` when it is over max (names are short). */
static size_t distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b), row[130];

    if (la > 128 || lb > 128 || (la > lb ? la - lb : lb - la) > max)
        return max + 1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Tell of an unknown tool: the toolset to enable when a row of a disabled one has that name,
 * else the registered tools nearest by edit distance or containing the name. */
static int unknown_tool(struct registry *reg, const char *name)
{
    const char *best[NEAR_MAX];
    size_t dist[NEAR_MAX], nbest = 0, max = strlen(name) / 3 > 2 ? strlen(name) / 3 : 2;

    for (size_t t = 0; t < row_table_count; t++)
        for (size_t i = 0; i < row_tables[t]->n; i++)
            if (!strcmp(row_tables[t]->rows[i].name, name))
                return usage_error("tool '%s' is in the toolset '%s', which is not enabled; add "
                                   "it with --toolsets",
                                   name, row_tables[t]->rows[i].toolset);
    for (size_t i = 0; i < reg->ntools; i++) {
        const char *cand = reg->tools[i]->name;
        size_t d = distance(name, cand, max), k;
        if (d > max && !(strlen(name) >= 3 && strstr(cand, name)))
            continue;
        if (d > max)
            d = max + 1; /* a containing name ranks after the near misses */
        for (k = nbest; k > 0 && dist[k - 1] > d; k--)
            if (k < NEAR_MAX) {
                best[k] = best[k - 1];
                dist[k] = dist[k - 1];
            }
        if (k < NEAR_MAX) {
            best[k] = cand;
            dist[k] = d;
            nbest += nbest < NEAR_MAX;
        }
    }
    fprintf(stderr, "%s: error: unknown tool '%s'", OPENSIPS_MCP_NAME, name);
    for (size_t k = 0; k < nbest; k++)
        fprintf(stderr, "%s%s", k ? ", " : "; did you mean ", best[k]);
    fprintf(stderr, "%s (%s tools lists the tools the role may call)\n", nbest ? "?" : "",
            OPENSIPS_MCP_NAME);
    return EXIT_USAGE;
}

/* The tool's arguments from the command line: one JSON object, or KEY=VALUE pairs. A VALUE is
 * JSON when it parses as JSON and the tool's schema does not make that argument a string. A new
 * object, or NULL after saying why. */
static json_t *tool_arguments(const char *const *pos, size_t n, const json_t *schema)
{
    const json_t *props = json_object_get(schema, "properties");
    json_error_t je;
    json_t *args;

    if (n == 1 && pos[0][strspn(pos[0], " \t\n")] == '{') {
        if (!(args = jsonload_string(pos[0], JSON_REJECT_DUPLICATES, &je)) ||
            !json_is_object(args)) {
            usage_error("the arguments are not a JSON object: %s",
                        args ? "some other JSON value" : je.text);
            json_decref(args);
            return NULL;
        }
        return args;
    }
    args = json_object();
    for (size_t i = 0; args && i < n; i++) {
        const char *eq = strchr(pos[i], '=');
        const char *type;
        char key[129];
        json_t *v = NULL;

        if (!eq || eq == pos[i] || (size_t)(eq - pos[i]) >= sizeof(key)) {
            usage_error("argument '%s' is neither KEY=VALUE nor one JSON object; see %s call "
                        "--help",
                        pos[i], OPENSIPS_MCP_NAME);
            json_decref(args);
            return NULL;
        }
        snprintf(key, sizeof(key), "%.*s", (int)(eq - pos[i]), pos[i]);
        if (json_object_get(args, key)) {
            usage_error("argument '%s' is given twice", key);
            json_decref(args);
            return NULL;
        }
        type = json_string_value(json_object_get(json_object_get(props, key), "type"));
        if (!type || strcmp(type, "string"))
            v = jsonload_string(eq + 1, JSON_DECODE_ANY, NULL);
        if (!v)
            v = json_string(eq + 1);
        if (type && !strcmp(type, "array") && !json_is_array(v))
            v = json_pack("[o]", v); /* statistics=all: the one item of a list */
        json_object_set_new(args, key, v);
    }
    return args;
}

/* The text of a result's content items, one per line. */
static void print_text(FILE *f, const json_t *result)
{
    size_t i;
    json_t *item;

    json_array_foreach(json_object_get(result, "content"), i, item) {
        const char *text = json_string_value(json_object_get(item, "text"));
        if (text) {
            fputs(text, f);
            fputc('\n', f);
        } else {
            json_dumpf(item, f, JSON_INDENT(2));
            fputc('\n', f);
        }
    }
}

static int cli_list(struct mcp_session *s, struct capture *c, bool as_json)
{
    json_t *all = json_array(), *cursor = NULL, *reply = NULL;
    size_t pages = 0, width = 0, i;
    json_t *t;
    int rc = EXIT_FINE;

    /* A registry holds a bounded number of tools, so a bounded number of pages */
    do {
        json_t *params = cursor ? json_pack("{s:O}", "cursor", cursor) : NULL;
        json_decref(reply);
        reply = exchange(s, c, request("tools/list", params));
        json_t *result = json_object_get(reply, "result");
        if (!result) {
            rc = usage_error("tools/list failed: %s",
                             str_or(json_object_get(json_object_get(reply, "error"), "message"),
                                    "no answer"));
            goto out;
        }
        json_array_foreach(json_object_get(result, "tools"), i, t) {
            const char *name = json_string_value(json_object_get(t, "name"));
            json_array_append_new(all, json_pack("{s:s, s:s}", "name", name ? name : "",
                                                 "title", str_or(json_object_get(t, "title"), "")));
            if (name && strlen(name) > width)
                width = strlen(name);
        }
        cursor = json_object_get(result, "nextCursor");
    } while (cursor && ++pages < 10000);
    if (as_json) {
        json_dumpf(all, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        json_array_foreach(all, i, t)
            printf("%-*s  %s\n", (int)width, json_string_value(json_object_get(t, "name")),
                   json_string_value(json_object_get(t, "title")));
    }
out:
    json_decref(reply);
    json_decref(all);
    return rc;
}

static int cli_call(struct cli_args *a, cli_mi_new_fn mi_new, cli_db_new_fn db_new)
{
    struct capture c = {.out = {capture_send, &c}};
    struct cli_server cs;
    struct mcp_session *s = NULL;
    struct registry *reg;
    json_t *args = NULL, *reply = NULL, *result;
    const char *tool;
    size_t index;
    bool done;
    int rc;

    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.cv, NULL);
    if (!a->list && !a->npositional) {
        rc = usage_error("call needs a TOOL; see %s call --help, and %s tools for the tools",
                         OPENSIPS_MCP_NAME, OPENSIPS_MCP_NAME);
        memset(&cs, 0, sizeof(cs));
        goto out;
    }
    if ((a->list && a->npositional) || (!a->list && a->json)) {
        rc = a->json ? usage_error("--json goes with check and --list; a tool's result is JSON "
                                   "already")
                     : usage_error("--list takes no argument '%s'", a->positional[0]);
        memset(&cs, 0, sizeof(cs));
        goto out;
    }
    if ((rc = cli_server_open(&cs, a, mi_new, db_new, true, &done)) != EXIT_FINE || done)
        goto out;
    if (!(s = session_open(cs.srv, &c))) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (a->list) {
        rc = cli_list(s, &c, a->json);
        goto out;
    }
    tool = a->positional[0];
    reg = mcp_server_registry(cs.srv);
    if (!registry_tool(reg, tool, &index))
        index = (size_t)-1;
    if (!(args = tool_arguments(a->positional + 1, a->npositional - 1,
                                index == (size_t)-1 ? NULL : registry_input_schema(reg, index)))) {
        rc = EXIT_USAGE;
        goto out;
    }
    /* Through the gate even when the tool is unknown: the refusal is audited like any other. */
    reply = exchange(s, &c, request("tools/call",
                                    json_pack("{s:s, s:O}", "name", tool, "arguments", args)));
    if (!(result = json_object_get(reply, "result"))) {
        const char *msg = json_string_value(
            json_object_get(json_object_get(reply, "error"), "message"));
        rc = index == (size_t)-1 ? unknown_tool(reg, tool)
                                 : usage_error("tools/call %s failed: %s", tool,
                                               msg ? msg : "no answer");
        goto out;
    }
    if (json_is_true(json_object_get(result, "isError"))) {
        const char *text = json_string_value(
            json_object_get(json_array_get(json_object_get(result, "content"), 0), "text"));
        size_t n = strlen(tool);
        /* the gate's own words, with the command line's spelling of what it asks for */
        fprintf(stderr, "%s: ", OPENSIPS_MCP_NAME);
        if (!text || strncmp(text, tool, n) || text[n] != ':')
            fprintf(stderr, "%s: ", tool);
        print_text(stderr, result);
        if (text && strstr(text, "with confirm: true"))
            fprintf(stderr, "%s: nothing was sent; to make this change, run the same command "
                    "with confirm=true\n", OPENSIPS_MCP_NAME);
        rc = EXIT_FAILED;
    } else if (json_object_get(result, "structuredContent")) {
        json_dumpf(json_object_get(result, "structuredContent"), stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        print_text(stdout, result);
    }
out:
    json_decref(args);
    json_decref(reply);
    if (s) {
        mcp_session_drain(s, 0);
        mcp_session_close(s);
    }
    cli_server_close(&cs);
    free(c.reply);
    pthread_cond_destroy(&c.cv);
    pthread_mutex_destroy(&c.lock);
    return rc;
}

int cli_main(int argc, char **argv, cli_mi_new_fn mi_new, cli_db_new_fn db_new)
{
    struct cli_args a;
    int rc;

    if (split_args(argc, argv, &a) < 0)
        return EXIT_USAGE;
    if (a.help) {
        usage(a.command);
        return EXIT_FINE;
    }
    /* A reader that goes away (| head) ends the output, not the process mid-call. */
    signal(SIGPIPE, SIG_IGN);
    if (!strcmp(a.command, "tools"))
        a.list = true;
    rc = !strcmp(a.command, "check") ? cli_check(&a, mi_new, db_new) : cli_call(&a, mi_new, db_new);
    fflush(stdout);
    return rc;
}
