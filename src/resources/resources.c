/* resources: the product resources (rows), their readers, and their registration. */
#include "resources/resources.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file/rootfile.h"
#include "jsonrpc.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "mi/client.h"
#include "prompts/prompts.h"
#include "tools/backends.h"
#include "tools/cfg_files.h"
#include "tools/db_acc.h"
#include "tools/docs.h"
#include "tools/row.h"
#include "tools/sipp.h"
#include "tools/tool.h"

extern const char resources_doc_security[], resources_doc_mi[];

/* An MI failure of a read: the node could not answer; the resource exists. */
static json_t *mi_failed(struct resource_ctx *x, const char *cmd, const struct tool_error *te,
                         struct rpc_err *e)
{
    rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: node '%s': %s failed (%s): %.300s",
                x->node, cmd, te->name ? te->name : tool_err_name(te->kind), te->text);
    return NULL;
}

static enum tool_err mi(struct resource_ctx *x, const char *cmd, const json_t *params,
                        json_t **result, struct tool_error *te)
{
    struct tool_ctx tx = {.call = x->call, .be = x->be, .node = x->node};
    return tool_mi(&tx, cmd, params, result, te);
}

/* The row's commands, each answer under its catalogue key. */
static json_t *r_commands(struct resource_ctx *x, struct rpc_err *e)
{
    json_t *body = json_object();

    for (const char *const *cmd = x->def->mi; cmd && *cmd; cmd++) {
        struct tool_error te = {0};
        json_t *r;
        if (mi(x, *cmd, NULL, &r, &te) != TOOL_OK) {
            json_decref(body);
            return mi_failed(x, *cmd, &te, e);
        }
        json_object_set_new(body, *cmd, r);
    }
    return body;
}

static json_t *r_status(struct resource_ctx *x, struct rpc_err *e)
{
    static const char *const cmds[] = {"core:version", "core:uptime", "core:ps"};
    json_t *body = json_object(), *r, *mem = NULL;
    struct tool_error te = {0};

    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (mi(x, cmds[i], NULL, &r, &te) != TOOL_OK) {
            json_decref(body);
            return mi_failed(x, cmds[i], &te, e);
        }
        if (i == 2) { /* the processes: how many, and of which kinds */
            json_t *items = tool_list_items(r, "Processes"), *p, *types = json_object();
            size_t k;
            json_array_foreach(items, k, p) {
                const char *type = tool_str(p, "Type", "?");
                json_t *n = json_object_get(types, type);
                json_object_set_new(types, type,
                                    json_integer(n ? json_integer_value(n) + 1 : 1));
            }
            json_object_set_new(body, "processes",
                                json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(items),
                                          "types", types));
            json_decref(items);
            json_decref(r);
        } else {
            json_object_set_new(body, i == 0 ? "version" : "uptime", r);
        }
    }
    json_t *params = json_pack("{s:[s]}", "statistics", "shmem:");
    if (mi(x, "statistics:get", params, &mem, &te) == TOOL_OK)
        json_object_set_new(body, "memory", mem);
    else
        json_object_set_new(body, "memory", json_pack("{s:s}", "error", te.text));
    json_decref(params);
    return body;
}

static json_t *r_statistics(struct resource_ctx *x, struct rpc_err *e)
{
    const char *group = json_string_value(json_object_get(x->vars, "group"));
    char want[80];
    struct tool_error te = {0};
    json_t *params, *r;
    char *note = NULL;
    enum tool_err rc;

    snprintf(want, sizeof(want), "%.70s%s", group ? group : "all", group ? ":" : "");
    params = json_pack("{s:[s]}", "statistics", want);
    rc = mi(x, "statistics:get", params, &r, &te);
    json_decref(params);
    if (rc != TOOL_OK)
        return mi_failed(x, "statistics:get", &te, e);
    if (group && json_object_size(r) == 0) {
        json_decref(r);
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND,
                    "Resource not found: node '%s' has no statistic group '%.64s'", x->node, group);
        return NULL;
    }
    r = tool_cap(r, TOOL_RESULT_CAP, &note);
    if (note) {
        r = json_pack("{s:o, s:s}", "statistics", r, "note", note);
        free(note);
    }
    return r;
}

/* The node's MI commands as its `which` lists them, each with its catalogue key and class. */
static json_t *r_mi_list(struct resource_ctx *x, struct rpc_err *e)
{
    struct mi_error m;
    json_t *info, *out, *cmd;
    size_t i;

    if (mi_client_offers(x->be->mi, x->node, "core:version", &m) != MI_OK) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: node '%s': %.400s", x->node,
                    m.text);
        return NULL;
    }
    info = mi_client_node_info(x->be->mi, x->node);
    out = json_pack("{s:O?, s:[]}", "version", json_object_get(info, "version"), "commands");
    json_array_foreach(json_object_get(info, "commands"), i, cmd) {
        const struct mi_cmd *c = mi_catalogue_find(json_string_value(cmd), NULL);
        json_array_append_new(json_object_get(out, "commands"),
                              c ? json_pack("{s:s, s:s}", "name", c->key, "class",
                                            mi_class_name(c->cls))
                                : json_pack("{s:O}", "name", cmd));
    }
    json_decref(info);
    return out;
}

/* One command: its names, class and parameter recipes for the node's version, and whether the
 * node offers it. */
static json_t *r_mi_command(struct resource_ctx *x, struct rpc_err *e)
{
    const char *name = json_string_value(json_object_get(x->vars, "command"));
    const struct mi_cmd *c = mi_catalogue_find(name, NULL);
    struct mi_error m;
    enum mi_err offered;
    json_t *info;
    int major;

    if (!c) {
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND,
                    "Resource not found: no MI command '%.64s' in the catalogue; read "
                    "opensips://%s/mi for the node's commands", name, x->node);
        return NULL;
    }
    offered = mi_client_offers(x->be->mi, x->node, c->key, &m);
    if (offered != MI_OK && offered != MI_ERR_UNKNOWN_COMMAND) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: node '%s': %.400s", x->node,
                    m.text);
        return NULL;
    }
    info = mi_client_node_info(x->be->mi, x->node);
    major = (int)json_integer_value(json_object_get(info, "major"));
    json_decref(info);
    return json_pack("{s:s, s:s?, s:O, s:s, s:b, s:b, s:i, s:O?}", "name", c->key, "name_3x",
                     c->name36, "aliases", c->aliases, "class", mi_class_name(c->cls), "async",
                     c->async, "offered", offered == MI_OK, "major", major, "recipes",
                     major == 3 ? c->recipes36 : c->recipes40);
}

static json_t *r_dialog(struct resource_ctx *x, struct rpc_err *e)
{
    const char *callid = json_string_value(json_object_get(x->vars, "callid"));
    json_t *params = json_pack("{s:s}", "callid", callid), *r, *items;
    struct tool_error te = {0};
    enum tool_err rc = mi(x, "dialog:list", params, &r, &te);

    json_decref(params);
    if (rc != TOOL_OK && rc != TOOL_E_NOT_FOUND && rc != TOOL_E_REFUSED)
        return mi_failed(x, "dialog:list", &te, e);
    items = rc == TOOL_OK ? tool_list_items(r, "Dialogs") : json_array();
    json_decref(r);
    if (json_array_size(items) == 0) {
        json_decref(items);
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND,
                    "Resource not found: node '%s' has no dialog with Call-ID '%.128s'", x->node,
                    callid);
        return NULL;
    }
    return json_pack("{s:o}", "dialogs", items);
}

/* An AOR that is not registered reads as no contacts, not as no resource: a client follows
 * an AOR before its phone registers. */
static json_t *r_registration(struct resource_ctx *x, struct rpc_err *e)
{
    const char *aor = json_string_value(json_object_get(x->vars, "aor"));
    json_t *params = json_pack("{s:s, s:s}", "table_name", "location", "aor", aor), *r;
    struct tool_error te = {0};
    enum tool_err rc = mi(x, "usrloc:show_contact", params, &r, &te);

    json_decref(params);
    if (rc == TOOL_E_NOT_FOUND || (rc == TOOL_E_REFUSED && te.code == 404))
        return json_pack("{s:s, s:[]}", "AOR", aor, "Contacts");
    return rc == TOOL_OK ? r : mi_failed(x, "usrloc:show_contact", &te, e);
}

/* The node's dialogs: how many in each state, and as many as fit in TOOL_RESULT_CAP. */
static json_t *r_dialogs(struct resource_ctx *x, struct rpc_err *e)
{
    struct tool_error te = {0};
    json_t *r, *items, *d, *states = json_object(), *out;
    char *note = NULL;
    size_t i;

    if (mi(x, "dialog:list", NULL, &r, &te) != TOOL_OK) {
        json_decref(states);
        return mi_failed(x, "dialog:list", &te, e);
    }
    items = tool_list_items(r, "Dialogs");
    json_decref(r);
    json_array_foreach(items, i, d) {
        char k[24];
        snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(json_object_get(d, "state")));
        json_t *n = json_object_get(states, k);
        json_object_set_new(states, k, json_integer(n ? json_integer_value(n) + 1 : 1));
    }
    out = json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(items), "by_state", states);
    items = tool_cap(items, TOOL_RESULT_CAP, &note);
    json_object_set_new(out, "dialogs", items);
    if (note) {
        json_object_set_new(out, "note", json_sprintf("%s; dialog_list pages", note));
        free(note);
    }
    return out;
}

/* A config under the cfg root, as text: {file} relative to the root (or absolute under it), a
 * config's name (cfg_is_config_name says which files and why), read with rootfile's rules (no
 * '..', no symbolic link on the way, a regular file) and at most CFG_READ_MAX bytes. A file
 * that is not there or is refused is no resource (-32002, saying why); one too large or that
 * cannot be read is one the server could not serve (-32603). */
static json_t *r_cfg_file(struct resource_ctx *x, struct rpc_err *e)
{
    const char *file = json_string_value(json_object_get(x->vars, "file"));
    struct tool_ctx tx = {.call = x->call, .be = x->be};
    struct tool_error te = {0};
    const char *root, *rel, *slash;
    char why[600], *data = NULL;
    size_t len;
    json_t *out;
    int rc;

    if (!x->be || !(root = cfg_files_root(&tx, &te))) {
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND, "Resource not found: %.600s",
                    x->be ? te.text : "no directory is allowed for configs (--cfg-root)");
        return NULL;
    }
    if (!(rel = rootfile_relative(root, file))) {
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND, "Resource not found: config '%.300s' is outside "
                    "the cfg root %.300s; name a file relative to it", file, root);
        return NULL;
    }
    slash = strrchr(rel, '/');
    if (!cfg_is_config_name(slash ? slash + 1 : rel)) {
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND, "Resource not found: '%.300s' is not a config: "
                    "only *.cfg and *.m4 files and their backups (*.cfg.bak-*, *.m4.bak-*) under "
                    "the cfg root are served", file);
        return NULL;
    }
    rc = rootfile_read(root, rel, CFG_READ_MAX, &data, &len, why, sizeof(why));
    if (rc == ROOTFILE_ERR_TOO_LARGE || rc == ROOTFILE_ERR_IO || rc == ROOTFILE_ERR_ROOT) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: config '%.300s' cannot be "
                    "served: %.600s%s", file, why, rc == ROOTFILE_ERR_TOO_LARGE
                    ? ", the most this resource serves" : "");
        return NULL;
    }
    if (rc != ROOTFILE_OK) {
        rpc_err_set(e, MCP_RESOURCE_NOT_FOUND, "Resource not found: config '%.300s' under %.300s "
                    "is refused or absent: %.600s", file, root, why);
        return NULL;
    }
    unsigned hidden;
    size_t shown_len;
    char *shown = cfg_redact_urls(data, len, &shown_len, &hidden);
    free(data);
    if (!shown) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return NULL;
    }
    if (!(out = json_stringn(shown, shown_len)))
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: config '%.300s' is not UTF-8 "
                    "text (or holds a NUL byte); it is not served", file);
    free(shown);
    return out;
}

/* What db_check answers for the node (tools/db_acc.h, the one function both call). No database
 * for the node is no resource (-32002, naming the setting); the database or the node failing
 * is a read that could not be served (-32603). */
static json_t *r_db_schema(struct resource_ctx *x, struct rpc_err *e)
{
    struct tool_ctx tx = {.call = x->call, .be = x->be, .node = x->node};
    struct tool_error te = {0};
    json_t *out = db_check_node(&tx, NULL, &te);
    bool none = te.name && !strcmp(te.name, "db_not_configured");

    if (!out)
        rpc_err_set(e, none ? MCP_RESOURCE_NOT_FOUND : JSONRPC_INTERNAL_ERROR,
                    "%s: node '%s': the database check failed (%s): %.600s",
                    none ? "Resource not found" : "Internal error", x->node,
                    te.name ? te.name : tool_err_name(te.kind), te.text);
    return out;
}

static json_t *r_nodes(struct resource_ctx *x, struct rpc_err *e)
{
    json_t *out = json_array();
    (void)e;

    for (size_t i = 0; x->be && x->be->mi && i < mi_client_node_count(x->be->mi); i++) {
        json_t *info = mi_client_node_info(x->be->mi, mi_client_node_name(x->be->mi, i));
        json_object_del(info, "commands"); /* opensips://{node}/mi has them */
        json_array_append_new(out, info);
    }
    return out;
}

/* A generated reference, written by fn, as the body. */
static json_t *markdown_of(int (*fn)(FILE *), struct rpc_err *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    json_t *out;

    if (!f) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return NULL;
    }
    int rc = fn(f);
    if (fclose(f) != 0 || rc) {
        free(buf);
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: the reference could not be "
                    "written");
        return NULL;
    }
    out = json_stringn(buf, len);
    free(buf);
    return out;
}

static json_t *r_doc_tools(struct resource_ctx *x, struct rpc_err *e)
{
    (void)x;
    return markdown_of(tools_markdown, e);
}

int prompts_resources_markdown(FILE *out)
{
    fprintf(out, "# Prompts and resources\n\nGenerated from the rows (src/prompts/prompts.c, "
                 "src/resources/resources.c) by `opensips-mcp --prompts-markdown`; the server "
                 "also serves it as opensips-mcp://docs/prompts.\n\n");
    return prompts_markdown(out) < 0 || resources_markdown(out) < 0 ? -1 : 0;
}

static json_t *r_doc_prompts(struct resource_ctx *x, struct rpc_err *e)
{
    (void)x;
    return markdown_of(prompts_resources_markdown, e);
}

static json_t *r_doc_security(struct resource_ctx *x, struct rpc_err *e)
{
    (void)x, (void)e;
    return json_string(resources_doc_security);
}

static json_t *r_doc_mi(struct resource_ctx *x, struct rpc_err *e)
{
    (void)x, (void)e;
    return json_string(resources_doc_mi);
}

#define JSON "application/json"
#define MI_READ SCOPE_BIT(SCOPE_MI_READ)

const struct resource_def resource_rows[] = {
    {.uri = "opensips-mcp://nodes", .name = "nodes", .title = "Nodes",
     .description = "The OpenSIPS nodes this server talks to: name, address, transport, "
                    "version once known.",
     .mime = JSON, .read = r_nodes},
    {.uri = "opensips-mcp://docs/tools", .name = "docs-tools", .title = "Tool reference",
     .description = "Every tool: arguments, MI mapping per OpenSIPS version (about 110 KB).",
     .mime = "text/markdown", .read = r_doc_tools},
    {.uri = "opensips-mcp://docs/prompts", .name = "docs-prompts",
     .title = "Prompt and resource reference",
     .description = "Every prompt and resource: what for, arguments, completion, toolset.",
     .mime = "text/markdown", .read = r_doc_prompts},
    {.uri = "opensips-mcp://docs/security", .name = "docs-security", .title = "Security model",
     .description = "Roles, scopes, confirmation, audit, what the server refuses.",
     .mime = "text/markdown", .read = r_doc_security},
    {.uri = "opensips-mcp://docs/mi", .name = "docs-mi", .title = "MI notes",
     .description = "How the server talks MI: naming per version, retries, time-outs, limits.",
     .mime = "text/markdown", .read = r_doc_mi},
    {.uri = "opensips-mcp://sipp/scenarios", .name = "sipp-scenarios",
     .title = "SIPp scenarios", .description = "SIPp's built-in scenarios: what each does.",
     .mime = JSON, .toolset = "sipp", .read = sipp_read_scenarios},
    {.uri = "opensips-mcp://sipp/scenario/{name}", .name = "sipp-scenario",
     .title = "SIPp scenario", .description = "A built-in scenario's XML (sipp -sd), to start "
                                              "a scenario file from.",
     .mime = "application/xml", .toolset = "sipp", .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .read = sipp_read_scenario,
     .vars = RVARS({"name", COMPL_SIPP_SCENARIO})},
    {.uri = "opensips://{node}/status", .name = "node-status", .title = "Node status",
     .description = "Version, uptime, process count by type, shared memory.",
     .mime = JSON, .toolset = "status", .scope = MI_READ, .read = r_status,
     .events = REVENTS("E_CORE_SHM_THRESHOLD", "E_CORE_PKG_THRESHOLD")},
    {.uri = "opensips://{node}/mi", .name = "node-mi", .title = "Node MI commands",
     .description = "The MI commands the node offers, with catalogue name and read/write class.",
     .mime = JSON, .toolset = "mi", .scope = MI_READ, .read = r_mi_list},
    {.uri = "opensips://{node}/mi/{command}", .name = "node-mi-command",
     .title = "MI command",
     .description = "One MI command: names per version, class, parameter sets for the node's "
                    "version, whether the node offers it.",
     .mime = JSON, .toolset = "mi", .scope = MI_READ, .read = r_mi_command,
     .vars = RVARS({"command", COMPL_MI_COMMAND})},
    {.uri = "opensips://{node}/statistics", .name = "node-statistics", .title = "Statistics",
     .description = "Every statistic of the node (capped at 22 KB).",
     .mime = JSON, .toolset = "stats", .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .read = r_statistics},
    {.uri = "opensips://{node}/statistics/{group}", .name = "node-statistics-group",
     .title = "Statistics group", .description = "The statistics of one group (tm, dialog, ...).",
     .mime = JSON, .toolset = "stats", .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .read = r_statistics, .vars = RVARS({"group", COMPL_STAT_GROUP})},
    {.uri = "opensips://{node}/dispatcher", .name = "node-dispatcher", .title = "Dispatcher",
     .description = "Dispatcher partitions, sets and destination states.",
     .mime = JSON, .toolset = "dispatcher", .scope = MI_READ, .mi = RMI("dispatcher:list"),
     .events = REVENTS("E_DISPATCHER_STATUS")},
    {.uri = "opensips://{node}/drouting", .name = "node-drouting", .title = "Dynamic routing",
     .description = "drouting gateway and carrier states.",
     .mime = JSON, .toolset = "routing", .scope = MI_READ,
     .mi = RMI("drouting:gw_status", "drouting:carrier_status"),
     .events = REVENTS("E_DROUTING_STATUS")},
    {.uri = "opensips://{node}/load_balancer", .name = "node-load-balancer",
     .title = "Load balancer", .description = "load_balancer destinations, loads and states.",
     .mime = JSON, .toolset = "routing", .scope = MI_READ, .mi = RMI("load_balancer:list"),
     .events = REVENTS("E_LOAD_BALANCER_STATUS")},
    {.uri = "opensips://{node}/dialogs", .name = "node-dialogs", .title = "Dialogs",
     .description = "Dialog count by state (1 unconfirmed .. 4 confirmed, 5 deleted), and the "
                    "dialogs (capped at 22 KB).",
     .mime = JSON, .toolset = "dialog", .scope = MI_READ, .read = r_dialogs,
     .events = REVENTS("E_DLG_STATE_CHANGED")},
    {.uri = "opensips://{node}/dialog/{callid}", .name = "node-dialog", .title = "Dialog",
     .description = "One dialog by Call-ID (percent-encode '/').",
     .mime = JSON, .toolset = "dialog", .scope = MI_READ, .read = r_dialog,
     .vars = RVARS({"callid", COMPL_CALLID}), .events = REVENTS("E_DLG_STATE_CHANGED")},
    {.uri = "opensips://{node}/registrations/{aor}", .name = "node-registration",
     .title = "Registration", .description = "The contacts of one AOR (usrloc table location); none when not registered.",
     .mime = JSON, .toolset = "registrations", .scope = MI_READ, .read = r_registration,
     .vars = RVARS({"aor", COMPL_AOR}),
     .events = REVENTS("E_UL_AOR_INSERT", "E_UL_AOR_DELETE", "E_UL_CONTACT_INSERT",
                       "E_UL_CONTACT_DELETE", "E_UL_CONTACT_UPDATE")},
    {.uri = "opensips://{node}/pike", .name = "node-pike", .title = "Blocked sources",
     .description = "The source IPs pike blocks now.",
     .mime = JSON, .toolset = "traffic", .scope = MI_READ, .mi = RMI("pike:list"),
     .events = REVENTS("E_PIKE_BLOCKED")},
    {.uri = "opensips://{node}/db-schema", .name = "node-db-schema", .title = "Database schema",
     .description = "Per table the db tools use: present, rows, version row against what the "
                    "node's OpenSIPS expects (db_check).",
     .mime = JSON, .toolset = "db", .scope = SCOPE_BIT(SCOPE_DB_READ), .read = r_db_schema},
    {.uri = "opensips-mcp://cfg/{file}", .name = "cfg-file", .title = "Config file",
     .description = "A .cfg or .m4 config, or a backup of one, under the cfg root; {file} "
                    "relative to it, '/' as %2F; at most 1 MiB; URL passwords as ***.",
     .mime = "text/plain", .toolset = "cfg", .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .read = r_cfg_file, .vars = RVARS({"file", COMPL_CFG_FILE})},
};
const size_t resource_row_count = sizeof(resource_rows) / sizeof(resource_rows[0]);

char *resources_decode(const char *src)
{
    size_t n = strlen(src), k = 0;
    char *out;

    if (n > 3 * RESOURCE_VAR_MAX || !(out = malloc(n + 1)))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '%') {
            if (i + 2 >= n + 0 || !isxdigit((unsigned char)src[i + 1]) ||
                !isxdigit((unsigned char)src[i + 2]))
                goto bad;
            char hex[3] = {src[i + 1], src[i + 2], 0};
            out[k] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[k] = src[i];
        }
        if (out[k++] == '\0')
            goto bad;
    }
    out[k] = '\0';
    if (k > RESOURCE_VAR_MAX)
        goto bad;
    return out;
bad:
    free(out);
    return NULL;
}

/* One registered resource: the MCP row and its completions, built from the row. */
struct resource_entry {
    struct mcp_resource res;
    const struct resource_def *def;
    const struct tool_backends *be;
    struct mcp_completion completions[4];
};

static json_t *text_of(const char *uri, const char *mime, json_t *body)
{
    char *text = json_is_string(body) ? NULL : json_dumps(body, JSON_COMPACT);
    json_t *out = json_pack("[{s:s, s:s, s:s}]", "uri", uri, "mimeType",
                            json_is_string(body) ? mime : JSON, "text",
                            text ? text : json_string_value(body));
    free(text);
    return out;
}

static json_t *res_read(struct mcp_call *c, const struct mcp_resource *r, const char *uri,
                        json_t *vars, struct rpc_err *e)
{
    const struct resource_entry *re = r->ctx;
    const struct resource_def *d = re->def;
    struct resource_ctx x = {.call = c, .def = d, .be = re->be};
    json_t *decoded = json_object(), *v, *body, *out;
    const char *key;

    json_object_foreach(vars, key, v) {
        char *s = resources_decode(json_string_value(v));
        if (!s) {
            rpc_err_set(e, MCP_RESOURCE_NOT_FOUND, "Resource not found: %.200s: variable '%s' "
                        "is badly percent-encoded or longer than %d bytes", uri, key,
                        RESOURCE_VAR_MAX);
            json_decref(decoded);
            return NULL;
        }
        json_object_set_new(decoded, key, json_string(s));
        free(s);
    }
    if (json_object_get(decoded, "node")) {
        const char *want = json_string_value(json_object_get(decoded, "node"));
        if (!re->be || !re->be->mi || !(x.node = mi_client_resolve_name(re->be->mi, want))) {
            rpc_err_set(e, MCP_RESOURCE_NOT_FOUND, "Resource not found: %.200s: no node '%.64s' "
                        "is configured; read opensips-mcp://nodes for their names", uri, want);
            e->data = json_pack("{s:s}", "uri", uri);
            json_decref(decoded);
            return NULL;
        }
    }
    x.vars = decoded;
    body = d->read ? d->read(&x, e) : r_commands(&x, e);
    json_decref(decoded);
    if (!body) {
        if (e->code == MCP_RESOURCE_NOT_FOUND && !e->data)
            e->data = json_pack("{s:s}", "uri", uri);
        return NULL;
    }
    out = text_of(uri, d->mime, body);
    json_decref(body);
    return out;
}

static long res_complete(struct mcp_call *c, const void *ctx, const char *argument,
                         const char *prefix, const json_t *context, json_t *out, size_t max,
                         struct rpc_err *e)
{
    const struct resource_entry *re = ctx;
    enum compl_source s = strcmp(argument, "node") ? COMPL_NONE : COMPL_NODE;

    for (const struct resource_var *v = re->def->vars; v && v->name; v++)
        if (!strcmp(v->name, argument))
            s = v->complete;
    return compl_values(c, re->be, s, prefix,
                        json_string_value(json_object_get(context, "node")), out, max, e);
}

static struct resource_entry **entries;
static size_t nentries;

int resources_register(struct registry *reg, const struct tool_backends *be,
                       const char *toolsets)
{
    for (size_t i = 0; i < resource_row_count; i++) {
        const struct resource_def *d = &resource_rows[i];
        struct resource_entry *re, **grown;
        size_t nc = 0;

        if (d->toolset && !rows_toolset_enabled(toolsets, d->toolset))
            continue;
        re = calloc(1, sizeof(*re));
        grown = realloc(entries, (nentries + 1) * sizeof(*entries));
        if (grown)
            entries = grown;
        if (!re || !grown) {
            free(re);
            return -1;
        }
        re->def = d;
        re->be = be;
        if (strstr(d->uri, "{node}"))
            re->completions[nc++] = (struct mcp_completion){.argument = "node",
                                                            .complete = res_complete};
        for (const struct resource_var *v = d->vars; v && v->name && nc < 3; v++)
            re->completions[nc++] = (struct mcp_completion){.argument = v->name,
                                                            .complete = res_complete};
        re->res = (struct mcp_resource){.uri = d->uri, .templated = strchr(d->uri, '{') != NULL,
                                        .name = d->name, .title = d->title,
                                        .description = d->description, .mime_type = d->mime,
                                        .read = res_read, .completions = re->completions,
                                        .ctx = re, .scope = d->scope};
        entries[nentries++] = re;
        if (registry_add_resources(reg, &re->res, 1) < 0)
            return -1;
    }
    return 0;
}

int resources_uri(const struct resource_def *d, const char *node, const json_t *vars,
                  char *buf, size_t n)
{
    size_t len = 0;

    for (const char *p = d->uri; *p;) {
        const char *value = NULL, *close;
        if (*p != '{') {
            if (len + 1 >= n)
                return -1;
            buf[len++] = *p++;
            continue;
        }
        if (!(close = strchr(p, '}')))
            return -1;
        if (close - p - 1 == 4 && !strncmp(p + 1, "node", 4)) {
            value = node;
        } else {
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
            value = json_string_value(json_object_get(vars, name));
        }
        if (!value || !*value)
            return -1; /* a variable matches one character or more */
        for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
            bool plain = uri_plain(*v);
            if (len + (plain ? 1 : 3) >= n)
                return -1;
            len += (size_t)snprintf(buf + len, n - len, plain ? "%c" : "%%%02X", *v);
        }
        p = close + 1;
    }
    buf[len] = '\0';
    return 0;
}

const struct resource_def *resources_find(const char *uri)
{
    for (size_t i = 0; uri && i < resource_row_count; i++)
        if (!strcmp(resource_rows[i].uri, uri))
            return &resource_rows[i];
    return NULL;
}

json_t *resources_link(const struct resource_def *d, const char *node, const json_t *vars)
{
    char uri[RESOURCE_URI_MAX];
    const char *key;
    json_t *v;

    if (node && strlen(node) > RESOURCE_VAR_MAX)
        return NULL;
    json_object_foreach((json_t *)vars, key, v)
        if (json_is_string(v) && json_string_length(v) > RESOURCE_VAR_MAX)
            return NULL;
    if (resources_uri(d, node, vars, uri, sizeof(uri)) < 0)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "resource_link", "uri", uri, "name",
                     d->name, "title", d->title, "mimeType", d->mime);
}

void resources_changed(struct mcp_server *srv, const struct resource_def *d, const char *node,
                       const json_t *vars)
{
    char uri[RESOURCE_URI_MAX];

    if (resources_uri(d, node, vars, uri, sizeof(uri)) == 0)
        mcp_server_resource_updated(srv, uri);
}

bool resources_watch(const struct resource_def *d, const char *event)
{
    for (const char *const *ev = d->events; ev && *ev; ev++)
        if (!strcmp(*ev, event))
            return true;
    return false;
}

int resources_markdown(FILE *out)
{
    fprintf(out, "\n## Resources\n\nopensips://{node}/... is one node's state, read when asked; "
                 "opensips-mcp://... is this server's own. Variables are percent-encoded.\n");
    for (size_t i = 0; i < resource_row_count; i++) {
        const struct resource_def *d = &resource_rows[i];
        const char *scopes = d->scope ? scope_bit_name(d->scope) : "none"; /* one bit a row */
        fprintf(out, "\n### `%s`\n\n**%s.** %s (%s; toolset %s; scope %s)\n", d->uri, d->title,
                d->description, d->mime, d->toolset ? d->toolset : "always", scopes);
        for (const struct resource_var *v = d->vars; v && v->name; v++)
            fprintf(out, "- `{%s}` completes from %s\n", v->name, compl_source_name(v->complete));
        for (const char *const *ev = d->events; ev && *ev; ev++)
            fprintf(out, "%s%s", ev == d->events ? "- changed by " : ", ", *ev);
        if (d->events)
            fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

size_t resources_event_uris(const char *node, const char *event, const json_t *params,
                            char (*uris)[RESOURCE_URI_MAX], size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < resource_row_count && n < max; i++)
        if (resources_watch(&resource_rows[i], event) &&
            resources_uri(&resource_rows[i], node, params, uris[n], RESOURCE_URI_MAX) == 0)
            n++;
    return n;
}

size_t resources_event_each(const char *node, const char *event, const json_t *params,
                            void (*fn)(const char *uri, void *ctx), void *ctx)
{
    char uris[8][RESOURCE_URI_MAX];
    size_t n = resources_event_uris(node, event, params, uris, 8);

    for (size_t i = 0; i < n; i++)
        fn(uris[i], ctx);
    return n;
}

size_t resources_events(const char **names, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < nentries; i++)
        for (const char *const *ev = entries[i]->def->events; ev && *ev; ev++) {
            size_t k = 0;
            while (k < n && strcmp(names[k], *ev))
                k++;
            if (k == n && n < max)
                names[n++] = *ev;
        }
    names[n] = NULL;
    return n;
}
