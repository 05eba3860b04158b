/* row: turn tool rows into MCP tools, and run them: the entry point every row tool passes after
 * the gate (defaults, fan-out, the row's logic or its backend's generic handler) and the needs
 * hook the gate asks (the node's module, the guard, the question). */
#include "tools/row.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "cancel.h"
#include "mi/client.h"
#include "resources/resources.h"
#include "settings.h"
#include "tools/be_exec.h"
#include "tools/be_sql.h"
#include "tools/fanout.h"
#include "tools/guards.h"
#include "log.h"
#include "tools/row_internal.h"
#include "tools/tool.h"


struct row_tool {
    struct mcp_tool tool;
    const struct tool_def *def;
    const struct tool_backends *be;
    json_t *defaults; /* {arg: its schema's "default"} for the args that declare one; or NULL */
};

static json_t *row_entry(struct mcp_call *c, const struct mcp_tool *t, json_t *args);
static json_t *row_needs(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                         struct mcp_needs *n);
static json_t *row_result_links(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                                const json_t *structured);

/* Every registered row tool: they live as long as the process, owned from here. */
static struct row_tool **entries;
static size_t nentries;

/* Only row tools enter through row_entry, and their tool is the entry's first member. */
static const struct row_tool *entry_of(const struct mcp_tool *t)
{
    return t->handler == row_entry ? (const struct row_tool *)t : NULL;
}

const struct tool_def *row_of(const struct mcp_tool *t)
{
    const struct row_tool *rt = entry_of(t);
    return rt ? rt->def : NULL;
}

/* The "default" members of a row's argument schemas, from its input schema: {arg: value}, or
 * NULL when no argument declares one. Every property counts, the row's own arguments and those
 * its backend adds (a SQL table's columns, reload). */
static json_t *arg_defaults(const json_t *in)
{
    const json_t *props = json_object_get(in, "properties"), *p, *v;
    json_t *defaults = NULL;
    const char *name;

    json_object_foreach((json_t *)props, name, p) {
        if (!(v = json_object_get(p, "default")))
            continue;
        if (!defaults)
            defaults = json_object();
        json_object_set(defaults, name, (json_t *)v);
    }
    return defaults;
}

/* args (borrowed) with every absent argument that declares a default set to it: a new copy,
 * or args itself with a new reference when nothing is missing. */
static json_t *with_defaults(const json_t *defaults, json_t *args)
{
    json_t *full = NULL, *v;
    const char *name;

    json_object_foreach((json_t *)defaults, name, v) {
        if (json_object_get(args, name))
            continue;
        if (!full)
            full = json_is_object(args) ? json_copy(args) : json_object();
        json_object_set_new(full, name, json_deep_copy(v)); /* a copy: calls share defaults */
    }
    return full ? full : json_incref(args);
}

/* args (stolen) with the node an MI row's call runs on named by its real name: an absent or
 * empty "node" becomes the default node's name ("pbx1"), so that results, questions, guards
 * and the audit trail name the box, never "default" for a node called otherwise. A copy when
 * it adds the name (args itself is the caller's, the audit trail's), else args. */
static json_t *with_node(const struct row_tool *rt, json_t *args)
{
    const char *name;
    json_t *named;

    if (rt->def->backend != BACKEND_MI || tool_node(args) || !rt->be || !rt->be->mi ||
        !(name = mi_client_resolve_name(rt->be->mi, NULL)))
        return args;
    named = json_is_object(args) ? json_copy(args) : json_object();
    json_decref(args);
    if (named)
        json_object_set_new(named, "node", json_string(name));
    return named;
}

bool rows_toolset_enabled(const char *toolsets, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = toolsets; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if ((len == 3 && !strncmp(p, "all", 3)) || (len == n && !strncmp(p, name, n)))
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

static bool toolset_exists(const char *name, size_t len)
{
    for (size_t t = 0; t < row_table_count; t++)
        for (size_t i = 0; i < row_tables[t]->n; i++)
            if (strlen(row_tables[t]->rows[i].toolset) == len &&
                !strncmp(row_tables[t]->rows[i].toolset, name, len))
                return true;
    return false;
}

int rows_check_toolsets(const char *toolsets, char *err, size_t errlen)
{
    for (const char *p = toolsets; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if (len && !(len == 3 && !strncmp(p, "all", 3)) && !toolset_exists(p, len)) {
            /* ",a,b," so that a name is found whole, then shown without the commas. */
            char known[1024] = ",", hint[96] = "";
            const char *names[64], *near;
            size_t used = 1, nnames = 0;
            for (size_t t = 0; t < row_table_count; t++) {
                for (size_t i = 0; i < row_tables[t]->n; i++) {
                    char item[80];
                    snprintf(item, sizeof(item), ",%s,", row_tables[t]->rows[i].toolset);
                    if (!strstr(known, item) && used + strlen(item) < sizeof(known)) {
                        used += (size_t)snprintf(known + used, sizeof(known) - used, "%s,",
                                                 row_tables[t]->rows[i].toolset);
                        if (nnames < sizeof(names) / sizeof(names[0]))
                            names[nnames++] = row_tables[t]->rows[i].toolset;
                    }
                }
            }
            known[used - 1] = '\0';
            if ((near = settings_nearest(p, len, names, nnames)))
                snprintf(hint, sizeof(hint), " (did you mean '%s'?)", near);
            /* the caller names where the list came from (settings_source) */
            snprintf(err, errlen, "unknown toolset '%.*s'%s; use all, or any of: %s",
                     (int)(len > 64 ? 64 : len), p, hint, known + 1);
            return -1;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}


/* Schemas are built on first use (the registry builds every listing once, under its lock, before
 * any tools/call runs): registering dozens of rows then costs nothing at start-up. The argument
 * defaults come out of the same input schema. */
static json_t *row_make_schema(const struct mcp_tool *t, bool output)
{
    struct row_tool *rt = (struct row_tool *)t; /* the tool is the entry's first member */
    json_t *in;

    if (output)
        return row_schema(rt->def, true);
    if (!(in = row_schema(rt->def, false)))
        return NULL;
    if (!rt->defaults)
        rt->defaults = arg_defaults(in);
    return in;
}

/* Each backend's generic handler and its own checks of a row, by enum tool_backend. */
static const struct backend_kind backend_kinds[] = {
    [BACKEND_MI] = {row_mi_run, NULL},
    [BACKEND_SQL] = {sql_row_run, sql_row_unsound},
    [BACKEND_EXEC] = {exec_row_run, exec_row_unsound},
};
#define BACKEND_KINDS (sizeof(backend_kinds) / sizeof(backend_kinds[0]))

const struct backend_kind *row_backend_kind(enum tool_backend b)
{
    return (unsigned)b < BACKEND_KINDS && (backend_kinds[b].run || backend_kinds[b].unsound)
               ? &backend_kinds[b] : NULL;
}

int rows_register(struct registry *reg, const struct tool_backends *be,
                  const struct tool_def *rows, size_t n, const char *toolsets)
{
    for (size_t i = 0; i < n; i++) {
        const struct tool_def *d = &rows[i];
        struct row_tool *rt, **grown;

        if (!rows_toolset_enabled(toolsets, d->toolset))
            continue;
        rt = calloc(1, sizeof(*rt));
        grown = realloc(entries, (nentries + 1) * sizeof(*entries));
        if (!rt || !grown) {
            free(rt);
            return -1;
        }
        entries = grown;
        rt->def = d;
        rt->be = be;
        rt->tool = (struct mcp_tool){
            .name = d->name, .title = d->title, .description = d->description,
            .flags = (d->flags & (TOOL_F_READONLY | TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT |
                                  TOOL_F_LONG)) |
                     (d->flags & TOOL_F_READONLY ? 0 : TOOL_F_CONFIRM),
            .handler = row_entry, .scope = d->scope, .make_schema = row_make_schema,
            .needs = row_needs, .links = d->links ? row_result_links : NULL,
        };
        entries[nentries++] = rt;
        if (registry_add_tools(reg, &rt->tool, 1) < 0)
            return -1;
    }
    return 0;
}


/* False when `node` offers the row's command, else true with *e saying so: the module comes
 * first, before a guard would refuse or a handler answer an empty success. Asks nothing but
 * what the MI client learns anyway (version, which). */
static bool module_absent(const struct row_tool *rt, const char *node, struct tool_error *e)
{
    const struct tool_def *d = rt->def;
    struct mi_error m;

    if (d->backend != BACKEND_MI || !d->mi.cmd ||
        mi_client_offers(rt->be->mi, node, d->mi.cmd, &m) == MI_OK)
        return false;
    tool_error_from_mi(e, &m);
    if (d->mi.absent && m.err == MI_ERR_UNKNOWN_COMMAND) {
        char detail[sizeof(e->text)];
        snprintf(detail, sizeof(detail), "%s", e->text);
        snprintf(e->text, sizeof(e->text), "%s (%.600s)", d->mi.absent, detail);
    }
    return true;
}

/* One node's answer from the row's logic or the backend's generic handler: the structured
 * result with "node" (and the row's note, after any note of the answer's own), or NULL with *e
 * set. */
static json_t *run_node(const struct row_tool *rt, struct mcp_call *c, const json_t *args,
                        const char *node, struct tool_error *e)
{
    const struct tool_def *d = rt->def;
    struct tool_ctx x = {.call = c, .def = d, .be = rt->be, .node = node};
    tool_run_fn run = d->run ? d->run : row_backend_kind(d->backend)->run;
    const char *own;
    json_t *out;

    if (d->unavailable)
        return tool_fail(e, TOOL_E_UNSUPPORTED, NULL, 0, "%s", d->unavailable);
    if (!(out = run(&x, args, e)))
        return NULL;
    if (d->backend == BACKEND_MI)
        json_object_set_new(out, "node", json_string(node ? node : "default"));
    if (d->note && (own = json_string_value(json_object_get(out, "note"))))
        json_object_set_new(out, "note", json_sprintf("%s; %s", own, d->note));
    else if (d->note)
        json_object_set_new(out, "note", json_string(d->note));
    return out;
}

struct fan {
    const struct row_tool *rt;
    struct mcp_call *c;
    json_t *args;      /* this node's own copy: jansson's reference counts are not safe to share
                          between threads, not even for reading */
    const char *node;
    struct cancel *cancel; /* the request's, so that its cancellation reaches every node */
    json_t *out;       /* this node's answer: each thread writes only its own slot */
};

static void fan_one(void *arg)
{
    struct fan *f = arg;
    struct cancel *outer = cancel_bind(f->cancel);
    struct tool_error e = {0};
    json_t *r = module_absent(f->rt, f->node, &e) ? NULL
                                                   : run_node(f->rt, f->c, f->args, f->node, &e);

    cancel_bind(outer);
    if (r) {
        json_object_set_new(r, "ok", json_true());
        f->out = r;
    } else {
        f->out = json_pack("{s:b, s:s, s:s}", "ok", 0, "error",
                           e.name ? e.name : tool_err_name(e.kind), "message", e.text);
    }
}

/* Ask every configured node at once; a node that fails is reported beside the others. Each
 * node's logic gets its node in its struct tool_ctx, and a copy of the arguments. */
static json_t *fan_out(struct mcp_call *c, const struct row_tool *rt, const json_t *args)
{
    struct mi_client *mi = rt->be->mi;
    size_t n = mi_client_node_count(mi);
    struct fan *fans = calloc(n ? n : 1, sizeof(*fans));
    json_t *nodes = json_object();
    struct fanout batch;
    size_t ok = 0;

    if (!fans) {
        json_decref(nodes);
        return content_error_result("%s: out of memory", rt->def->name);
    }
    fanout_init(&batch);
    for (size_t i = 0; i < n; i++) {
        fans[i] = (struct fan){.rt = rt, .c = c, .args = json_deep_copy(args),
                               .node = mi_client_node_name(mi, i), .cancel = cancel_bound()};
        /* the node's logic reads its own node from its arguments too, not "*" */
        json_object_set_new(fans[i].args, "node", json_string(fans[i].node));
        fanout_submit(&batch, i, fan_one, &fans[i]);
    }
    fanout_wait(&batch);
    for (size_t i = 0; i < n; i++) {
        ok += json_is_true(json_object_get(fans[i].out, "ok"));
        json_object_set_new(nodes, fans[i].node, fans[i].out);
        json_decref(fans[i].args);
    }
    free(fans);
    return content_structured_result(json_pack("{s:o, s:I, s:I}", "nodes", nodes, "answered",
                                               (json_int_t)ok, "asked", (json_int_t)n));
}

/* Every row tool enters here, after the gate: absent arguments take their declared defaults,
 * an absent node the default node's name; node "*" fans out (read tools; row_needs refused it
 * for writes); otherwise the row's logic or the backend's generic handler serves the one node,
 * and a failure becomes the isError result named by its kind. */
static json_t *row_entry(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const struct row_tool *rt = entry_of(t);
    const char *node;
    struct tool_error e = {0};
    json_t *full, *r;

    if (!rt)
        return content_error_result("%s: no row behind this tool (a bug)", t->name);
    if (!(full = with_node(rt, with_defaults(rt->defaults, args))))
        return content_error_result("%s: out of memory", t->name);
    node = tool_node(full);
    if (node && !strcmp(node, "*") && rt->def->backend == BACKEND_MI)
        r = fan_out(c, rt, full);
    else if ((r = run_node(rt, c, full, node, &e)))
        r = content_structured_result(r);
    else
        r = tool_error_result(c, rt->def->name, &e);
    json_decref(full);
    return r;
}

/* A link may point only at a resource this server lists (its toolset enabled) and the
 * caller's role may read: a link the client cannot follow is noise. */
static bool link_ok(const struct resource_def *r, void *ctx)
{
    struct mcp_call *c = ctx;
    struct registry *reg = mcp_server_registry(mcp_call_server(c));
    const struct mcp_resource *listed;
    json_t *vars = NULL;

    if (strchr(r->uri, '{'))
        listed = registry_template(reg, r->uri);
    else
        listed = registry_resource(reg, r->uri, &vars);
    json_decref(vars);
    return listed && (!r->scope || mcp_call_has_scopes(c, r->scope));
}

/* The gate asks a row with links for them after a successful result: the row's links
 * (row_links.c) over the arguments with their declared defaults. */
static json_t *row_result_links(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                                const json_t *structured)
{
    const struct row_tool *rt = entry_of(t);
    json_t *full, *links;

    if (!rt || !structured || !(full = with_defaults(rt->defaults, (json_t *)args)))
        return NULL;
    links = row_links(rt->def, full, structured, link_ok, c);
    json_decref(full);
    return links;
}

const struct tool_backends *row_backends(const struct mcp_tool *t)
{
    const struct row_tool *rt = t ? entry_of(t) : NULL;
    return rt ? rt->be : NULL;
}

/* The arguments as the question shows them: without node, confirm and force. */
static char *args_text(const struct tool_def *d, const json_t *args, bool generic)
{
    json_t *shown;
    char *text;

    if (generic)
        shown = row_call_params(d, args, true);
    else {
        shown = json_is_object(args) ? json_copy((json_t *)args) : json_object();
        json_object_del(shown, "node");
        json_object_del(shown, "confirm");
        json_object_del(shown, "force");
    }
    /* The question reaches the client, the elicitation and the audit trail: no secret in it
     * (subscriber_add's password, tls_add's private_key, an MI password by position). */
    json_t *safe = log_redact(shown);
    text = json_dumps(safe ? safe : shown, JSON_COMPACT);
    json_decref(safe);
    json_decref(shown);
    return text;
}

/* The gate asks every row tool what a call needs: a write asks the user, in words made from the
 * row (its MI command and parameters, or its title and arguments); the row's MI command is
 * checked against the known defects; the row's own needs function has the last
 * word. A write to node "*" is refused here, before anyone is asked. The node the call is about
 * goes to the audit trail by its real name (n->node), and the row's own needs function sees it
 * in the arguments as the handler will. */
static json_t *row_needs(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                         struct mcp_needs *n)
{
    const struct row_tool *rt = entry_of(t);
    const struct tool_def *d = rt ? rt->def : NULL;
    const char *node, *subject;
    struct tool_error e = {0};
    bool generic;
    json_t *full, *r = NULL;
    char *text;
    char first;

    if (!d)
        return NULL;
    if (!(full = with_node(rt, with_defaults(rt->defaults, (json_t *)args))))
        return content_error_result("%s: out of memory", d->name);
    if ((node = tool_node(full)))
        snprintf(n->node, sizeof(n->node), "%s", node);
    if (node && !strcmp(node, "*") && !(d->flags & TOOL_F_READONLY)) {
        json_decref(full);
        return content_error_result("%s changes state, so it runs on one node at a time; "
                                    "name the node", d->name);
    }
    for (const struct tool_arg *a = d->args; a && a->name; a++)
        if (a->with && json_object_get(args, a->name) && !json_object_get(args, a->with)) {
            json_decref(full);
            tool_fail(&e, TOOL_E_BAD_ARGS, NULL, 0, "'%s' is used only together with '%s': "
                      "pass %s too; nothing was sent", a->name, a->with, a->with);
            return tool_error_result(c, d->name, &e);
        }
    if ((!node || strcmp(node, "*")) && module_absent(rt, node, &e)) {
        json_decref(full);
        return tool_error_result(c, d->name, &e);
    }
    generic = d->backend == BACKEND_MI && d->mi.cmd && !d->run;
    text = args_text(d, full, generic);
    first = d->title[0] >= 'A' && d->title[0] <= 'Z' ? (char)(d->title[0] - 'A' + 'a') : d->title[0];
    if (generic)
        snprintf(n->what, sizeof(n->what), "run %s %s on node %s", d->mi.cmd, text ? text : "{}",
                 node ? node : "default");
    else if (d->backend == BACKEND_EXEC && !d->run) {
        json_t *argv = exec_row_argv(d, full);
        char *shown = json_dumps(argv, JSON_COMPACT);
        snprintf(n->what, sizeof(n->what), "run the program %s", shown ? shown : d->exec->program);
        free(shown);
        json_decref(argv);
    }
    else if (d->backend == BACKEND_MI)
        snprintf(n->what, sizeof(n->what), "%c%s (%s %s) on node %s", first, d->title + 1,
                 d->name, text ? text : "{}", node ? node : "default");
    else
        snprintf(n->what, sizeof(n->what), "%c%s (%s %s)", first, d->title + 1, d->name,
                 text ? text : "{}");
    free(text);
    if ((subject = d->mi.cmd) && guard_find(subject)) {
        n->subject = subject;
        n->check = tool_guard_check;
    }
    if (d->needs)
        r = d->needs(c, d, full, n);
    json_decref(full);
    return r;
}
