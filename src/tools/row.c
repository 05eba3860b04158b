/* row: turn tool rows into MCP tools, and run the ones that are a typed face over one MI command. */
#include "tools/row.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mcp/content.h"
#include "mcp/server.h"
#include "cancel.h"
#include "mi/client.h"
#include "tools/guards.h"
#include "tools/tool.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500

struct row_tool {
    struct mcp_tool tool;
    const struct tool_def *def;
    json_t *defaults; /* {arg: its schema's "default"} for the args that declare one; or NULL */
};

static json_t *row_entry(struct mcp_call *c, const struct mcp_tool *t, json_t *args);
static json_t *row_needs(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                         struct mcp_needs *n);

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
 * NULL when no argument declares one. */
static json_t *arg_defaults(const struct tool_def *d, const json_t *in)
{
    const json_t *props = json_object_get(in, "properties");
    json_t *defaults = NULL, *v;

    for (const struct tool_arg *a = d->args; a && a->name; a++) {
        if (!(v = json_object_get(json_object_get(props, a->name), "default")))
            continue;
        if (!defaults)
            defaults = json_object();
        json_object_set(defaults, a->name, v);
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
        json_object_set(full, name, v);
    }
    return full ? full : json_incref(args);
}

static bool toolset_enabled(const char *toolsets, const char *name)
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
            char known[1024] = ",";
            size_t used = 1;
            for (size_t t = 0; t < row_table_count; t++) {
                for (size_t i = 0; i < row_tables[t]->n; i++) {
                    char item[80];
                    snprintf(item, sizeof(item), ",%s,", row_tables[t]->rows[i].toolset);
                    if (!strstr(known, item) && used + strlen(item) < sizeof(known))
                        used += (size_t)snprintf(known + used, sizeof(known) - used, "%s,",
                                                 row_tables[t]->rows[i].toolset);
                }
            }
            known[used - 1] = '\0';
            snprintf(err, errlen, "unknown toolset '%.*s' in --toolsets; use all, or any of: %s",
                     (int)(len > 64 ? 64 : len), p, known + 1);
            return -1;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* One argument's schema, or NULL when the row's extra members are not JSON: the tool's schema
 * then fails to build (registry_build names the tool), rather than losing a constraint. */
static json_t *arg_schema(const char *type, const char *description, const char *extra)
{
    json_t *s = NULL;

    if (extra) {
        char *text;
        if (asprintf(&text, "{%s}", extra) >= 0) {
            s = json_loads(text, 0, NULL);
            free(text);
        }
        if (!s) {
            log_msg(LOG_CRITICAL, "tool table: bad schema members {%s}", extra);
            return NULL;
        }
    }
    if (!s)
        s = json_object();
    json_object_set_new(s, "type", json_string(type));
    json_object_set_new(s, "description", json_string(description));
    return s;
}

static json_t *input_schema(const struct tool_def *d)
{
    json_t *props = json_object(), *req = json_array();

    for (const struct tool_arg *a = d->args; a && a->name; a++) {
        json_t *one = arg_schema(a->type, a->description, a->extra);
        if (!one) {
            json_decref(props);
            json_decref(req);
            return NULL;
        }
        json_object_set_new(props, a->name, one);
        if (a->flags & ARG_REQUIRED)
            json_array_append_new(req, json_string(a->name));
    }
    if (d->flags & ROW_LIST) {
        /* Short texts: these three repeat on every listing tool in the model's context. */
        json_object_set_new(props, "limit", arg_schema("integer", "Items per page (default 50)",
                                                       "\"minimum\":1,\"maximum\":500"));
        json_object_set_new(props, "offset", arg_schema("integer", "Items to skip: the previous "
                                                        "page's next_offset", "\"minimum\":0"));
        json_object_set_new(props, "fields", arg_schema("array", "Item fields to return (default "
                                                        "all)", "\"items\":{\"type\":\"string\"}"));
    }
    if (!(d->flags & ROW_SERVER))
        json_object_set_new(props, "node",
                            arg_schema("string", (d->flags & TOOL_F_READONLY)
                                       ? "OpenSIPS node (default if omitted; \"*\": all)"
                                       : "OpenSIPS node (default if omitted)",
                                       "\"maxLength\":64"));
    if (!(d->flags & TOOL_F_READONLY))
        json_object_set_new(props, "confirm",
                            arg_schema("boolean", "true once the user agreed", NULL));
    json_t *schema = json_pack("{s:s, s:o}", "type", "object", "properties", props);
    if (json_array_size(req))
        json_object_set(schema, "required", req);
    json_decref(req);
    json_object_set_new(schema, "additionalProperties", json_false());
    return schema;
}

static json_t *output_schema(const struct tool_def *d)
{
    json_t *item = d->item_schema ? json_loads(d->item_schema, 0, NULL) : json_object();
    json_t *props;

    if (!item) {
        log_msg(LOG_CRITICAL, "tool %s: its item schema is not JSON", d->name);
        return NULL; /* the registry's build fails, naming the tool */
    }
    if ((d->flags & ROW_LIST) && !d->item_schema) {
        json_decref(item);
        props = json_pack("{s:{s:s}, s:{s:s}, s:{s:[{s:s},{s:s}]}, s:{s:s}}", "total", "type",
                          "integer", "offset", "type", "integer", "next_offset", "anyOf", "type",
                          "integer", "type", "null", "items", "type", "array");
    } else if (d->flags & ROW_LIST)
        props = json_pack("{s:{s:s}, s:{s:s}, s:{s:[{s:s},{s:s}]}, s:{s:s, s:o}}", "total",
                          "type", "integer", "offset", "type", "integer", "next_offset", "anyOf",
                          "type", "integer", "type", "null", "items", "type", "array", "items",
                          item);
    else if (d->item_schema)
        props = json_pack("{s:o}", "result", item);
    else {
        /* A result of no fixed shape: leave it out rather than state an empty schema. */
        json_decref(item);
        props = json_object();
    }
    /* Open to other members: node, note, and {nodes, answered, asked} for node "*". */
    return json_pack("{s:s, s:o}", "type", "object", "properties", props);
}

/* Schemas are built on first use (the registry builds every listing once, under its lock, before
 * any tools/call runs): registering dozens of rows then costs nothing at start-up. The argument
 * defaults come out of the same input schema. */
static json_t *row_make_schema(const struct mcp_tool *t, bool output)
{
    struct row_tool *rt = (struct row_tool *)t; /* the tool is the entry's first member */
    json_t *in;

    if (output)
        return output_schema(rt->def);
    if (!(in = input_schema(rt->def)))
        return NULL;
    if (!rt->defaults)
        rt->defaults = arg_defaults(rt->def, in);
    return in;
}

int rows_register(struct registry *reg, const struct tool_def *rows, size_t n, const char *toolsets)
{
    for (size_t i = 0; i < n; i++) {
        const struct tool_def *d = &rows[i];
        struct row_tool *rt, **grown;

        if (!toolset_enabled(toolsets, d->toolset))
            continue;
        rt = calloc(1, sizeof(*rt));
        grown = realloc(entries, (nentries + 1) * sizeof(*entries));
        if (!rt || !grown) {
            free(rt);
            return -1;
        }
        entries = grown;
        rt->def = d;
        rt->tool = (struct mcp_tool){
            .name = d->name, .title = d->title, .description = d->description,
            .flags = (d->flags & (TOOL_F_READONLY | TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT |
                                  TOOL_F_LONG)) |
                     (d->flags & TOOL_F_READONLY ? 0 : TOOL_F_CONFIRM),
            .handler = row_entry, .scope = d->scope, .make_schema = row_make_schema,
            .needs = row_needs,
        };
        entries[nentries++] = rt;
        if (registry_add_tools(reg, &rt->tool, 1) < 0)
            return -1;
    }
    return 0;
}

json_t *row_mi_params(const struct tool_def *def, const json_t *args)
{
    json_t *params = json_object();

    for (const struct tool_arg *a = def->args; a && a->name; a++) {
        json_t *v = json_object_get(args, a->name);
        if (!a->mi || !v)
            continue;
        if ((a->flags & ARG_STRINGIFY) && json_is_number(v)) {
            char buf[64];
            if (json_is_integer(v))
                snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
            else
                snprintf(buf, sizeof(buf), "%g", json_number_value(v));
            json_object_set_new(params, a->mi, json_string(buf));
        } else {
            json_object_set(params, a->mi, v);
        }
    }
    return params;
}

static json_t *pick_fields(json_t *item, const json_t *fields)
{
    json_t *out, *f;
    size_t i;

    if (!json_is_array(fields) || !json_array_size(fields) || !json_is_object(item))
        return json_incref(item);
    out = json_object();
    json_array_foreach(fields, i, f) {
        json_t *v = json_object_get(item, json_string_value(f));
        if (v)
            json_object_set(out, json_string_value(f), v);
    }
    return out;
}

/* Keep a page within TOOL_RESULT_CAP: drop items from its end, and cut the one item left when
 * that alone is too large. Returns the note saying so (allocated), or NULL when nothing was cut. */
static char *page_fit(json_t *page)
{
    json_t *items = json_object_get(page, "items");
    size_t n = json_array_size(items), size = json_dumpb(page, NULL, 0, JSON_COMPACT);
    char *note = NULL;

    if (size <= TOOL_RESULT_CAP)
        return NULL;
    /* Each item once: the page shrinks by the item and the comma before it. */
    while (n > 1 && size > TOOL_RESULT_CAP) {
        size -= json_dumpb(json_array_get(items, n - 1), NULL, 0, JSON_COMPACT) + 1;
        json_array_remove(items, --n);
    }
    if (size > TOOL_RESULT_CAP && n == 1) {
        /* tool_cap cuts in place: a copy only when someone else holds the item too */
        json_t *item = json_array_get(items, 0);
        item = item->refcount == 1 ? json_incref(item) : json_deep_copy(item);
        json_array_set_new(items, 0, tool_cap(item, TOOL_RESULT_CAP - 1024, &note));
    }
    if (!note && asprintf(&note, "the page was shortened to stay under %d KB; go on from "
                          "next_offset", TOOL_RESULT_CAP / 1024) < 0)
        note = NULL;
    return note;
}

json_t *row_page(json_t *items, const json_t *args, long long total, long long offset_done)
{
    json_int_t limit = json_integer_value(json_object_get(args, "limit"));
    json_int_t offset = json_integer_value(json_object_get(args, "offset"));
    const json_t *fields = json_object_get(args, "fields");
    json_t *page = json_array(), *out;
    size_t n = json_array_size(items);
    char *note;

    if (limit <= 0)
        limit = LIST_LIMIT_DEFAULT;
    if (total < 0)
        total = (long long)n;
    /* offset_done: the items already start at offset (the MI command paged itself). */
    for (size_t i = offset_done ? 0 : (size_t)offset; i < n && json_array_size(page) < (size_t)limit; i++)
        json_array_append_new(page, pick_fields(json_array_get(items, i), fields));
    json_decref(items);
    out = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset", offset, "limit",
                    limit, "items", page);
    json_object_set_new(out, "next_offset", json_integer(total)); /* as wide as it can get */
    if ((note = page_fit(out)))
        json_object_set_new(out, "note", json_string(note));
    free(note);
    long long next = offset + (long long)json_array_size(page);
    json_object_set_new(out, "next_offset", next < total ? json_integer(next) : json_null());
    return out;
}

/* One node's answer, shaped: {node, ...} or NULL with *err set. */
static json_t *run_one(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                       const char *node, struct mi_error *err)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    json_t *params = row_mi_params(d, args), *result = NULL, *shaped;
    long long total = -1, done = 0;
    char *note = NULL;

    if ((d->flags & ROW_MI_PAGE) && json_object_size(params) == 0) {
        json_int_t limit = json_integer_value(json_object_get(args, "limit"));
        json_object_set_new(params, "index", json_integer(json_integer_value(json_object_get(args, "offset"))));
        json_object_set_new(params, "counter", json_integer(limit > 0 ? limit : LIST_LIMIT_DEFAULT));
        done = 1;
    }
    enum mi_err rc = mi_client_call(mi, node, d->mi, params, 0, &result, err);
    json_decref(params);
    if (rc != MI_OK)
        return NULL;
    if (d->flags & ROW_LIST) {
        json_t *items = d->list ? tool_list_items(result, d->list)
                                : json_is_array(result) ? json_incref(result) : json_array();
        if (done && json_is_integer(json_object_get(result, "count")))
            total = json_integer_value(json_object_get(result, "count"));
        shaped = row_page(items, args, total, done);
        json_decref(result);
    } else {
        result = tool_cap(result, TOOL_RESULT_CAP, &note);
        shaped = json_pack("{s:o}", "result", result);
        if (note)
            json_object_set_new(shaped, "note", json_string(note));
        free(note);
    }
    json_object_set_new(shaped, "node", json_string(node ? node : "default"));
    return shaped;
}

/* One node's answer from the row's handler or the generic path: a CallToolResult. */
/* NULL when `node` offers the row's command (its mi, or module_cmd), else the result that says
 * so: the module comes first, before a guard would refuse or a handler answer an empty success.
 * Asks nothing but what the MI client learns anyway (version, which). */
static json_t *module_absent(struct mcp_call *c, const struct tool_def *d, const char *node)
{
    const char *cmd = d->mi ? d->mi : d->module_cmd;
    struct mi_error e;

    if (!cmd || mi_client_offers(mcp_server_mi(mcp_call_server(c)), node, cmd, &e) == MI_OK)
        return NULL;
    return tool_mi_error(c, d->name, &e);
}

static json_t *run_single(struct mcp_call *c, const struct mcp_tool *t, const struct tool_def *d,
                          json_t *args)
{
    if (d->handler)
        return d->handler(c, t, args);
    return row_run(c, t, args);
}

struct fan {
    struct mcp_call *c;
    const struct mcp_tool *t;
    const struct tool_def *d;
    json_t *args;      /* a copy naming this node */
    const char *node;
    struct cancel *cancel; /* the request's, so that its cancellation reaches every node */
    json_t *out;       /* this node's answer: each thread writes only its own slot */
    pthread_t tid;
};

static void *fan_one(void *arg)
{
    struct fan *f = arg;
    struct cancel *outer = cancel_bind(f->cancel);
    json_t *r = module_absent(f->c, f->d, f->node);

    if (!r)
        r = run_single(f->c, f->t, f->d, f->args);
    cancel_bind(outer);
    json_t *sc = json_object_get(r, "structuredContent");

    if (r && !json_is_true(json_object_get(r, "isError")) && json_is_object(sc)) {
        f->out = json_deep_copy(sc);
        json_object_set_new(f->out, "ok", json_true());
    } else {
        const char *text = json_string_value(
            json_object_get(json_array_get(json_object_get(r, "content"), 0), "text"));
        const char *kind = text && strstr(text, "(mi_") ? strstr(text, "(mi_") + 1 : NULL;
        f->out = json_pack("{s:b, s:s%, s:s}", "ok", 0, "error", kind ? kind : "error",
                           kind ? strcspn(kind, ")") : 5, "message", text ? text : "no answer");
    }
    json_decref(r);
    return NULL;
}

/* Ask every configured node at once; a node that fails is reported beside the others. */
static json_t *fan_out(struct mcp_call *c, const struct mcp_tool *t, const struct tool_def *d,
                       const json_t *args)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    size_t n = mi_client_node_count(mi);
    struct fan *fans = calloc(n ? n : 1, sizeof(*fans));
    json_t *nodes = json_object();
    size_t ok = 0;

    if (!fans) {
        json_decref(nodes);
        return content_error_result("%s: out of memory", d->name);
    }
    for (size_t i = 0; i < n; i++) {
        fans[i] = (struct fan){.c = c, .t = t, .d = d, .node = mi_client_node_name(mi, i),
                               .cancel = cancel_bound()};
        fans[i].args = json_deep_copy(args);
        json_object_set_new(fans[i].args, "node", json_string(fans[i].node));
        if (pthread_create(&fans[i].tid, NULL, fan_one, &fans[i]) != 0) {
            fan_one(&fans[i]);
            fans[i].tid = 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (fans[i].tid)
            pthread_join(fans[i].tid, NULL);
        ok += json_is_true(json_object_get(fans[i].out, "ok"));
        json_object_set_new(nodes, fans[i].node, fans[i].out);
        json_decref(fans[i].args);
    }
    free(fans);
    return content_structured_result(json_pack("{s:o, s:I, s:I}", "nodes", nodes, "answered",
                                               (json_int_t)ok, "asked", (json_int_t)n));
}

/* Every row tool enters here: absent arguments take their declared defaults; node "*" fans out
 * (read tools) or is refused (writes); otherwise the row's handler, or the generic path, serves
 * the one node. */
static json_t *row_entry(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const struct row_tool *rt = entry_of(t);
    const struct tool_def *d = rt ? rt->def : NULL;
    const char *node = tool_node(args);
    json_t *full, *r;

    if (!d)
        return content_error_result("%s: no row behind this tool (a bug)", t->name);
    if (node && !strcmp(node, "*") && !(d->flags & TOOL_F_READONLY))
        return content_error_result("%s changes state, so it runs on one node at a time; "
                                    "name the node", d->name); /* row_needs said so already */
    full = with_defaults(rt->defaults, args);
    if (node && !strcmp(node, "*"))
        r = fan_out(c, t, d, full);
    else
        r = run_single(c, t, d, full);
    json_decref(full);
    return r;
}

json_t *row_run(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const struct tool_def *d = row_of(t);
    const char *node = tool_node(args);
    struct mi_error e;
    json_t *r;

    if (!d || !d->mi)
        return content_error_result("%s: this tool has no MI command (a bug in its row)", t->name);
    if (!(r = run_one(c, d, args, node, &e)))
        return tool_mi_error(c, d->name, &e);
    return content_structured_result(r);
}

/* The arguments as the question shows them: without node, confirm and force. */
static char *args_text(const struct tool_def *d, const json_t *args)
{
    json_t *shown;
    char *text;

    if (d->mi && !d->handler)
        shown = row_mi_params(d, args);
    else {
        shown = json_is_object(args) ? json_copy((json_t *)args) : json_object();
        json_object_del(shown, "node");
        json_object_del(shown, "confirm");
        json_object_del(shown, "force");
    }
    text = json_dumps(shown, JSON_COMPACT);
    json_decref(shown);
    return text;
}

/* The gate asks every row tool what a call needs: a write asks the user, in words made from the
 * row (its MI command and parameters, or its title and arguments); the row's MI command is
 * checked against the known defects; the row's own needs function has the last
 * word. A write to node "*" is refused here, before anyone is asked. */
static json_t *row_needs(struct mcp_call *c, const struct mcp_tool *t, const json_t *args,
                         struct mcp_needs *n)
{
    const struct row_tool *rt = entry_of(t);
    const struct tool_def *d = rt ? rt->def : NULL;
    const char *node = tool_node(args), *subject;
    json_t *full, *r = NULL;
    char *text;

    if (!d)
        return NULL;
    if (node && !strcmp(node, "*") && !(d->flags & TOOL_F_READONLY))
        return content_error_result("%s changes state, so it runs on one node at a time; "
                                    "name the node", d->name);
    if ((!node || strcmp(node, "*")) && (r = module_absent(c, d, node)))
        return r;
    full = with_defaults(rt->defaults, (json_t *)args);
    text = args_text(d, full);
    if (d->mi && !d->handler)
        snprintf(n->what, sizeof(n->what), "run %s %s on node %s", d->mi, text ? text : "{}",
                 node ? node : "default");
    else
        snprintf(n->what, sizeof(n->what), "%c%s (%s %s) on node %s",
                 d->title[0] >= 'A' && d->title[0] <= 'Z' ? d->title[0] - 'A' + 'a' : d->title[0],
                 d->title + 1, d->name, text ? text : "{}", node ? node : "default");
    free(text);
    if ((subject = d->mi) && guard_find(subject)) {
        n->subject = subject;
        n->check = tool_guard_check;
    }
    if (d->needs)
        r = d->needs(c, d, full, n);
    json_decref(full);
    return r;
}
