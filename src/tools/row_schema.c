/* row_schema: a row's input and output JSON Schemas from its typed members, and the checks
 * that a row can work as written: a malformed row fails the registry's build, naming the tool. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "resources/resources.h"
#include "tools/be_sql.h"
#include "tools/row_internal.h"

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
     .description = "The previous page's next_offset"},
    {.name = "fields", .type = T_ARRAY, .item = ITEM(.type = T_STRING),
     .description = "Item fields to return (default all)"},
    {0},
};
static const struct tool_arg node_read_arg[] = {
    {.name = "node", .type = T_STRING, .max_len = 64,
     .description = "OpenSIPS node; \"*\": all"},
    {0},
};
static const struct tool_arg node_write_arg[] = {
    {.name = "node", .type = T_STRING, .max_len = 64,
     .description = "OpenSIPS node"},
    {0},
};
static const struct tool_arg confirm_arg[] = {
    {.name = "confirm", .type = T_BOOLEAN, .description = "true: user agreed"},
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
    const struct backend_kind *k = row_backend_kind(d->backend);
    const char *why;

    if (k && k->unsound && (why = k->unsound(d)))
        return why;
    if (d->unavailable && (d->mi.cmd || d->run))
        return "is unavailable yet names a command or logic";
    if (d->backend == BACKEND_MI && !d->run && !d->mi.cmd && !d->unavailable)
        return "has no MI command and no logic of its own";
    if (d->backend != BACKEND_MI && !d->run && !d->unavailable &&
        (!k || !k->run))
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
    for (const struct row_link *l = d->links; l && l->uri; l++) {
        const struct resource_def *r = resources_find(l->uri);
        if (!r)
            return "links to a URI no resource row has";
        if ((l->arg != NULL) != (l->equals != NULL) || (l->arg && !has_arg(d, l->arg)))
            return "links on a condition that is half there or names an argument it does not "
                   "take";
        for (const struct resource_var *v = r->vars; !l->items && v && v->name; v++)
            if (!has_arg(d, l->field ? l->field : v->name))
                return "links by an argument it does not take";
    }
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
        /* each node reads a database of its own, and re-reads a table it caches */
        (d->backend == BACKEND_SQL &&
         add_fields(props, d->flags & TOOL_F_READONLY ? node_read_arg : node_write_arg, why,
                    sizeof(why)) < 0) ||
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
    /* Open to other members: node, note, and {nodes, answered, asked} for node "*". A result
     * of no fixed shape states only that it is an object. */
    if (!json_object_size(props)) {
        json_decref(props);
        return json_pack("{s:s}", "type", "object");
    }
    return json_pack("{s:s, s:o}", "type", "object", "properties", props);
}

json_t *row_schema(const struct tool_def *d, bool output)
{
    return output ? output_schema(d) : input_schema(d);
}
