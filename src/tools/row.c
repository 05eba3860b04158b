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
#include "tools/be_exec.h"
#include "tools/be_sql.h"
#include "tools/fanout.h"
#include "tools/guards.h"
#include "tools/tool.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500

struct row_tool {
    struct mcp_tool tool;
    const struct tool_def *def;
    const struct tool_backends *be;
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
        json_object_set_new(full, name, json_deep_copy(v)); /* a copy: calls share defaults */
    }
    return full ? full : json_incref(args);
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

static const char *const type_names[] = {
    [T_STRING] = "string", [T_INTEGER] = "integer", [T_NUMBER] = "number",
    [T_BOOLEAN] = "boolean", [T_OBJECT] = "object", [T_ARRAY] = "array",
};

const char *arg_type_name(enum arg_type t)
{
    return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) && type_names[t]
               ? type_names[t] : NULL;
}

static json_t *arg_schema(const struct tool_arg *a, char *why, size_t n);

/* {name: schema, ...} of a list of fields; NULL with why set when one is malformed. */
static json_t *fields_schema(const struct tool_arg *fields, json_t *required, char *why, size_t n)
{
    json_t *props = json_object();

    for (const struct tool_arg *f = fields; f && f->name; f++) {
        json_t *one = arg_schema(f, why, n);
        if (!one) {
            json_decref(props);
            return NULL;
        }
        json_object_set_new(props, f->name, one);
        if (required && (f->flags & ARG_REQUIRED))
            json_array_append_new(required, json_string(f->name));
    }
    return props;
}

static json_t *bound(const struct tool_arg *a, double v)
{
    return a->type == T_INTEGER || v == (double)(json_int_t)v ? json_integer((json_int_t)v)
                                                                : json_real(v);
}

/* Why a's members do not fit its type, or NULL when they do. */
static const char *unfit(const struct tool_arg *a)
{
    bool text = a->type == T_STRING, number = a->type == T_INTEGER || a->type == T_NUMBER;

    if (a->type != T_NONE && a->type != T_NUMBER_OR_STRING && !arg_type_name(a->type))
        return "an unknown type";
    if ((a->has_min || a->has_max) && !number)
        return "a numeric bound on a type that is not a number";
    if (a->has_min && a->has_max && a->min > a->max)
        return "a minimum over its maximum";
    if ((a->min_len || a->max_len) && !text && a->type != T_ARRAY)
        return "a length on a type that is neither a string nor an array";
    if (a->max_len && a->min_len > a->max_len)
        return "a minimum length over its maximum";
    if ((a->pattern || a->values) && !text)
        return "a pattern or string values on a type that is not a string";
    if (a->ints && a->type != T_INTEGER)
        return "integer values on a type that is not an integer";
    if (a->item && a->type != T_ARRAY)
        return "items on a type that is not an array";
    if (a->fields && a->type != T_OBJECT)
        return "fields on a type that is not an object";
    return NULL;
}

/* The row's default as JSON of the argument's type, or NULL. */
static json_t *default_of(const struct tool_arg *a)
{
    json_t *d = json_loads(a->def, JSON_DECODE_ANY, NULL);

    if (d && ((a->type == T_STRING && !json_is_string(d)) ||
              (a->type == T_INTEGER && !json_is_integer(d)) ||
              (a->type == T_NUMBER && !json_is_number(d)) ||
              (a->type == T_BOOLEAN && !json_is_boolean(d)) ||
              (a->type == T_ARRAY && !json_is_array(d)))) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* One argument's (or output field's) JSON Schema from its typed members; NULL with a sentence
 * in why when a constraint does not fit the type, or its default is not JSON of the type: the
 * tool then fails the registry's build, instead of losing a constraint. */
static json_t *arg_schema(const struct tool_arg *a, char *why, size_t n)
{
    const char *bad = unfit(a);
    json_t *s, *sub;

    if (bad) {
        snprintf(why, n, "'%s' has %s", a->name ? a->name : "(item)", bad);
        return NULL;
    }
    s = json_object();
    if (a->type == T_NUMBER_OR_STRING)
        json_object_set_new(s, "anyOf", json_pack("[{s:s},{s:s}]", "type", "number", "type",
                                                  "string"));
    else if (a->type)
        json_object_set_new(s, "type", json_string(arg_type_name(a->type)));
    if (a->description)
        json_object_set_new(s, "description", json_string(a->description));
    if (a->has_min)
        json_object_set_new(s, "minimum", bound(a, a->min));
    if (a->has_max)
        json_object_set_new(s, "maximum", bound(a, a->max));
    if (a->min_len)
        json_object_set_new(s, a->type == T_STRING ? "minLength" : "minItems",
                            json_integer(a->min_len));
    if (a->max_len)
        json_object_set_new(s, a->type == T_STRING ? "maxLength" : "maxItems",
                            json_integer(a->max_len));
    if (a->pattern)
        json_object_set_new(s, "pattern", json_string(a->pattern));
    if (a->values || a->ints) {
        json_t *e = json_array();
        for (const char *const *v = a->values; v && *v; v++)
            json_array_append_new(e, json_string(*v));
        for (size_t i = 0; a->ints && i < a->nints; i++)
            json_array_append_new(e, json_integer(a->ints[i]));
        json_object_set_new(s, "enum", e);
    }
    if (a->item) {
        if (!(sub = arg_schema(a->item, why, n)))
            goto fail;
        json_object_set_new(s, "items", sub);
    }
    if (a->fields) {
        if (!(sub = fields_schema(a->fields, NULL, why, n)))
            goto fail;
        json_object_set_new(s, "properties", sub);
    }
    if (a->def) {
        if (!(sub = default_of(a))) {
            snprintf(why, n, "'%s' has a default that is not JSON of its type: %s", a->name,
                     a->def);
            goto fail;
        }
        json_object_set_new(s, "default", sub);
    }
    return s;
fail:
    json_decref(s);
    return NULL;
}

json_t *row_arg_schema(const struct tool_arg *a, char *why, size_t n)
{
    return arg_schema(a, why, n);
}

/* The arguments every row of a kind takes besides its own: paging, the node, confirm. */
static const struct tool_arg list_args[] = {
    {.name = "limit", .type = T_INTEGER, MINIMUM(1), MAXIMUM(LIST_LIMIT_MAX),
     .description = "Items per page (default 50)"},
    {.name = "offset", .type = T_INTEGER, MINIMUM(0),
     .description = "Items to skip: the previous page's next_offset"},
    {.name = "fields", .type = T_ARRAY, .item = ITEM(.type = T_STRING),
     .description = "Item fields to return (default all)"},
    {0},
};
static const struct tool_arg node_read_arg[] = {
    {.name = "node", .type = T_STRING, .max_len = 64,
     .description = "OpenSIPS node (default if omitted; \"*\": all)"},
    {0},
};
static const struct tool_arg node_write_arg[] = {
    {.name = "node", .type = T_STRING, .max_len = 64,
     .description = "OpenSIPS node (default if omitted)"},
    {0},
};
static const struct tool_arg confirm_arg[] = {
    {.name = "confirm", .type = T_BOOLEAN, .description = "true once the user agreed"},
    {0},
};

/* Add the schemas of `more` to props; -1 when one is malformed. */
static int add_fields(json_t *props, const struct tool_arg *more, char *why, size_t n)
{
    json_t *f = fields_schema(more, NULL, why, n);

    if (!f)
        return -1;
    json_object_update(props, f);
    json_decref(f);
    return 0;
}

/* Each backend's generic handler and its own checks of a row, by enum tool_backend. */
static const struct {
    tool_run_fn run;                                 /* NULL: a row needs logic of its own */
    const char *(*unsound)(const struct tool_def *d);
} backend_kinds[] = {
    [BACKEND_MI] = {row_mi_run, NULL},
    [BACKEND_SQL] = {sql_row_run, sql_row_unsound},
    [BACKEND_EXEC] = {exec_row_run, exec_row_unsound},
};
#define BACKEND_KINDS (sizeof(backend_kinds) / sizeof(backend_kinds[0]))

static bool has_arg(const struct tool_def *d, const char *name)
{
    for (const struct tool_arg *a = d->args; a && a->name; a++)
        if (!strcmp(a->name, name))
            return true;
    return false;
}

/* A row that cannot work as written: NULL when it is sound, else why not. */
static const char *row_unsound(const struct tool_def *d)
{
    if (d->backend == BACKEND_NONE)
        return "names no backend";
    if ((unsigned)d->backend < BACKEND_KINDS && backend_kinds[d->backend].unsound &&
        backend_kinds[d->backend].unsound(d))
        return backend_kinds[d->backend].unsound(d);
    if (d->unavailable && (d->mi.cmd || d->run))
        return "is unavailable yet names a command or logic";
    if (d->backend == BACKEND_MI && !d->run && !d->mi.cmd && !d->unavailable)
        return "has no MI command and no logic of its own";
    if (d->backend != BACKEND_MI && !d->run && !d->unavailable &&
        ((unsigned)d->backend >= BACKEND_KINDS || !backend_kinds[d->backend].run))
        return "has no logic and its backend no generic handler";
    if ((d->filter.field != NULL) != (d->filter.equals != NULL || d->filter.arg != NULL) ||
        (d->filter.equals && d->filter.arg))
        return "has half a filter, or two";
    if (d->filter.arg && !has_arg(d, d->filter.arg))
        return "filters by an argument it does not take";
    if ((d->filter.field || (d->mi.list && !d->mi.wrap)) && !(d->flags & ROW_LIST))
        return "filters or names the list member of a result that is not a list";
    if (d->mi.wrap && (!d->mi.list || (d->flags & ROW_LIST)))
        return "wraps a list it does not name, or is a list itself";
    if (d->mi.parts && ((d->flags & ROW_LIST) || !d->mi.cmd || !d->mi.parts[0].cmd ||
                        strcmp(d->mi.cmd, d->mi.parts[0].cmd) || d->run))
        return "has parts but is a list, has logic, or its command is not the first part's";
    for (const struct tool_arg *a = d->args; a && a->name; a++)
        if (a->with && (!has_arg(d, a->with) || !strcmp(a->with, a->name)))
            return "has an argument that goes with one it does not take";
    return NULL;
}

static json_t *input_schema(const struct tool_def *d)
{
    json_t *req = json_array(), *props, *schema;
    const char *unsound = row_unsound(d);
    char why[256];

    if (unsound) {
        log_msg(LOG_CRITICAL, "tool %s: its row %s", d->name, unsound);
        json_decref(req);
        return NULL;
    }
    if (!(props = fields_schema(d->args, req, why, sizeof(why))) ||
        (d->backend == BACKEND_SQL && sql_row_args(d, props, req, why, sizeof(why)) < 0) ||
        ((d->flags & ROW_LIST) && add_fields(props, list_args, why, sizeof(why)) < 0) ||
        (d->backend == BACKEND_MI &&
         add_fields(props, d->flags & TOOL_F_READONLY ? node_read_arg : node_write_arg, why,
                    sizeof(why)) < 0) ||
        /* a table OpenSIPS caches is re-read on a node after a change: which one */
        (d->backend == BACKEND_SQL && d->sql->table->reload && !(d->flags & TOOL_F_READONLY) &&
         add_fields(props, node_write_arg, why, sizeof(why)) < 0) ||
        (!(d->flags & TOOL_F_READONLY) && add_fields(props, confirm_arg, why, sizeof(why)) < 0)) {
        log_msg(LOG_CRITICAL, "tool %s: %s", d->name, why);
        json_decref(props);
        json_decref(req);
        return NULL;
    }
    schema = json_pack("{s:s, s:o}", "type", "object", "properties", props);
    if (json_array_size(req))
        json_object_set(schema, "required", req);
    json_decref(req);
    json_object_set_new(schema, "additionalProperties", json_false());
    return schema;
}

static json_t *output_schema(const struct tool_def *d)
{
    json_t *item = NULL, *props;
    char why[256];

    if (d->result || d->result_each) {
        json_t *f = d->result ? fields_schema(d->result, NULL, why, sizeof(why)) : NULL;
        json_t *each = d->result_each ? arg_schema(d->result_each, why, sizeof(why)) : NULL;
        if ((d->result && !f) || (d->result_each && !each)) {
            log_msg(LOG_CRITICAL, "tool %s: its result %s", d->name, why);
            json_decref(f);
            json_decref(each);
            return NULL; /* the registry's build fails, naming the tool */
        }
        item = json_pack("{s:s}", "type", "object");
        if (f)
            json_object_set_new(item, "properties", f);
        if (each)
            json_object_set_new(item, "additionalProperties", each);
    }
    if ((d->flags & ROW_LIST) && !item)
        props = json_pack("{s:{s:s}, s:{s:s}, s:{s:[{s:s},{s:s}]}, s:{s:s}}", "total", "type",
                          "integer", "offset", "type", "integer", "next_offset", "anyOf", "type",
                          "integer", "type", "null", "items", "type", "array");
    else if (d->flags & ROW_LIST)
        props = json_pack("{s:{s:s}, s:{s:s}, s:{s:[{s:s},{s:s}]}, s:{s:s, s:o}}", "total",
                          "type", "integer", "offset", "type", "integer", "next_offset", "anyOf",
                          "type", "integer", "type", "null", "items", "type", "array", "items",
                          item);
    else if (item)
        props = json_pack("{s:o}", "result", item);
    else /* a result of no fixed shape: leave it out rather than state an empty schema */
        props = json_object();
    /* Open to other members: node, note, and {nodes, answered, asked} for node "*". */
    return json_pack("{s:s, s:o}", "type", "object", "properties", props);
}

json_t *row_schema(const struct tool_def *d, bool output)
{
    return output ? output_schema(d) : input_schema(d);
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

/* MI parameters for one call: the row's fixed ones (when `fixed`), then the arguments' (new
 * object). */
static json_t *call_params(const struct tool_def *d, const json_t *args, bool fixed)
{
    json_t *params = row_mi_params(d, args);

    for (const struct mi_param *p = d->mi.params; fixed && p && p->name; p++)
        json_object_set_new(params, p->name, json_string(p->value));
    return params;
}

/* The items of a list that pass the row's filter (stolen; returned, possibly the same). */
static json_t *filtered(const struct tool_def *d, const json_t *args, json_t *items)
{
    const json_t *want = d->filter.arg ? json_object_get(args, d->filter.arg) : NULL;
    json_t *kept, *item;
    size_t i;

    if (!d->filter.field || (d->filter.arg && !want))
        return items;
    kept = json_array();
    json_array_foreach(items, i, item)
        if (want ? json_equal(json_object_get(item, d->filter.field), (json_t *)want)
                 : !strcasecmp(tool_str(item, d->filter.field, ""), d->filter.equals))
            json_array_append(kept, item);
    json_decref(items);
    return kept;
}

/* A composite row's answer: {result: {as: items, ...}}, or NULL with *e set by the first part
 * that fails. */
static json_t *mi_parts(struct tool_ctx *x, struct tool_error *e)
{
    json_t *all = json_object();

    for (const struct mi_part *p = x->def->mi.parts; p->cmd; p++) {
        json_t *result = NULL;
        if (tool_mi(x, p->cmd, NULL, &result, e) != TOOL_OK) {
            json_decref(all);
            return NULL;
        }
        json_object_set_new(all, p->as, tool_list_items(result, p->member));
        json_decref(result);
    }
    return json_pack("{s:o}", "result", all);
}

/* The generic MI handler: the row's command with the mapped (and fixed) parameters, the reply
 * shaped into a page of items or {result}. */
json_t *row_mi_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const struct tool_def *d = x->def;
    json_t *params, *result = NULL, *shaped;
    long long total = -1, done = 0;
    enum tool_err rc;
    char *note = NULL;

    if (d->mi.parts)
        return mi_parts(x, e);
    params = call_params(d, args, true);

    if (d->mi.paged && json_object_size(params) == 0) {
        json_int_t limit = json_integer_value(json_object_get(args, "limit"));
        json_object_set_new(params, "index",
                            json_integer(json_integer_value(json_object_get(args, "offset"))));
        json_object_set_new(params, "counter",
                            json_integer(limit > 0 ? limit : LIST_LIMIT_DEFAULT));
        done = 1;
    }
    rc = tool_mi(x, d->mi.cmd, params, &result, e);
    json_decref(params);
    if (d->mi.params_optional && (rc == TOOL_E_BAD_ARGS || rc == TOOL_E_REFUSED)) {
        params = call_params(d, args, false); /* an older node: without the fixed ones */
        rc = tool_mi(x, d->mi.cmd, params, &result, e);
        json_decref(params);
    }
    if (rc != TOOL_OK)
        return NULL;
    if (d->flags & ROW_LIST) {
        json_t *items = d->mi.list ? tool_list_items(result, d->mi.list)
                                   : json_is_array(result) ? json_incref(result) : json_array();
        if (done && json_is_integer(json_object_get(result, "count")))
            total = json_integer_value(json_object_get(result, "count"));
        shaped = row_page(filtered(d, args, items), args, total, done);
        json_decref(result);
    } else {
        if (d->mi.wrap) { /* one shape whether the node answered many or one */
            json_t *items = tool_list_items(result, d->mi.list);
            json_decref(result);
            result = json_pack("{s:o}", d->mi.wrap, items);
        }
        result = tool_cap(result, TOOL_RESULT_CAP, &note);
        shaped = json_pack("{s:o}", "result", result);
        if (note)
            json_object_set_new(shaped, "note", json_string(note));
        free(note);
    }
    return shaped;
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
    tool_run_fn run = d->run ? d->run : backend_kinds[d->backend].run;
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

/* Every row tool enters here, after the gate: absent arguments take their declared defaults;
 * node "*" fans out (read tools; row_needs refused it for writes); otherwise the row's logic or
 * the backend's generic handler serves the one node, and a failure becomes the isError result
 * named by its kind. */
static json_t *row_entry(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const struct row_tool *rt = entry_of(t);
    const char *node = tool_node(args);
    struct tool_error e = {0};
    json_t *full, *r;

    if (!rt)
        return content_error_result("%s: no row behind this tool (a bug)", t->name);
    full = with_defaults(rt->defaults, args);
    if (node && !strcmp(node, "*") && rt->def->backend == BACKEND_MI)
        r = fan_out(c, rt, full);
    else if ((r = run_node(rt, c, full, node, &e)))
        r = content_structured_result(r);
    else
        r = tool_error_result(c, rt->def->name, &e);
    json_decref(full);
    return r;
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
        shown = call_params(d, args, true);
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
    struct tool_error e = {0};
    bool generic;
    json_t *full, *r = NULL;
    char *text;
    char first;

    if (!d)
        return NULL;
    if (node && !strcmp(node, "*") && !(d->flags & TOOL_F_READONLY))
        return content_error_result("%s changes state, so it runs on one node at a time; "
                                    "name the node", d->name);
    for (const struct tool_arg *a = d->args; a && a->name; a++)
        if (a->with && json_object_get(args, a->name) && !json_object_get(args, a->with)) {
            tool_fail(&e, TOOL_E_BAD_ARGS, NULL, 0, "'%s' is used only together with '%s': "
                      "pass %s too; nothing was sent", a->name, a->with, a->with);
            return tool_error_result(c, d->name, &e);
        }
    if ((!node || strcmp(node, "*")) && module_absent(rt, node, &e))
        return tool_error_result(c, d->name, &e);
    full = with_defaults(rt->defaults, (json_t *)args);
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
