/* registry: gather tool, resource and prompt rows; list them a page at a time. */
#include "mcp/registry.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"
#include "mcp/schema.h"
#include "strparse.h"

void registry_init(struct registry *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
}

void registry_release(struct registry *r)
{
    for (int k = 0; k < REG_KIND_COUNT; k++)
        json_decref(r->listing[k]);
    for (size_t i = 0; r->input_schemas && i < r->ntools; i++) {
        json_decref(r->input_schemas[i]);
        json_decref(r->output_schemas[i]);
    }
    free(r->input_schemas);
    free(r->output_schemas);
    free(r->tools);
    free(r->resources);
    free(r->prompts);
    pthread_mutex_destroy(&r->lock);
    memset(r, 0, sizeof(*r));
}

/* Append n row pointers to a growing array of pointers. */
static int append(const void ***arr, size_t *count, const void *rows, size_t size, size_t n)
{
    const void **grown = realloc(*arr, (*count + n) * sizeof(**arr));

    if (!grown)
        return -1;
    for (size_t i = 0; i < n; i++)
        grown[*count + i] = (const char *)rows + i * size;
    *arr = grown;
    *count += n;
    return 0;
}

int registry_add_tools(struct registry *r, const struct mcp_tool *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (registry_tool(r, rows[i].name, NULL))
            return -1;
    return append((const void ***)&r->tools, &r->ntools, rows, sizeof(*rows), n);
}

int registry_add_resources(struct registry *r, const struct mcp_resource *rows, size_t n)
{
    return append((const void ***)&r->resources, &r->nresources, rows, sizeof(*rows), n);
}

int registry_add_prompts(struct registry *r, const struct mcp_prompt *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (registry_prompt(r, rows[i].name))
            return -1;
    return append((const void ***)&r->prompts, &r->nprompts, rows, sizeof(*rows), n);
}

static void set_str(json_t *obj, const char *key, const char *value)
{
    if (value)
        json_object_set_new(obj, key, json_string(value));
}

static json_t *tool_json(const struct mcp_tool *t, json_t *in, json_t *out)
{
    json_t *o = json_object(), *ann = json_object();

    set_str(o, "name", t->name);
    set_str(o, "title", t->title);
    set_str(o, "description", t->description);
    json_object_set(o, "inputSchema", in);
    if (out)
        json_object_set(o, "outputSchema", out);
    /* Every hint is explicit: the defaults (destructive, open world) are the wrong guesses here.
     * The title is the tool's own, not repeated in the annotations. */
    json_object_set_new(ann, "readOnlyHint", json_boolean(t->flags & TOOL_F_READONLY));
    if (!(t->flags & TOOL_F_READONLY)) {
        json_object_set_new(ann, "destructiveHint", json_boolean(t->flags & TOOL_F_DESTRUCTIVE));
        json_object_set_new(ann, "idempotentHint", json_boolean(t->flags & TOOL_F_IDEMPOTENT));
    }
    json_object_set_new(ann, "openWorldHint", json_boolean(t->flags & TOOL_F_OPENWORLD));
    json_object_set_new(o, "annotations", ann);
    return o;
}

static json_t *resource_json(const struct mcp_resource *res)
{
    json_t *o = json_object();

    set_str(o, res->templated ? "uriTemplate" : "uri", res->uri);
    set_str(o, "name", res->name);
    set_str(o, "title", res->title);
    set_str(o, "description", res->description);
    set_str(o, "mimeType", res->mime_type);
    return o;
}

static json_t *prompt_json(const struct mcp_prompt *p)
{
    json_t *o = json_object(), *args = json_array();

    set_str(o, "name", p->name);
    set_str(o, "title", p->title);
    set_str(o, "description", p->description);
    for (const struct mcp_prompt_arg *a = p->args; a && a->name; a++) {
        json_t *ja = json_object();
        set_str(ja, "name", a->name);
        set_str(ja, "description", a->description);
        json_object_set_new(ja, "required", json_boolean(a->required));
        json_array_append_new(args, ja);
    }
    json_object_set_new(o, "arguments", args);
    return o;
}

static const char empty_schema[] = "{\"type\":\"object\",\"additionalProperties\":false}";

static void build(struct registry *r)
{
    r->input_schemas = calloc(r->ntools ? r->ntools : 1, sizeof(json_t *));
    r->output_schemas = calloc(r->ntools ? r->ntools : 1, sizeof(json_t *));
    for (int k = 0; k < REG_KIND_COUNT; k++)
        r->listing[k] = json_array();
    if (!r->input_schemas || !r->output_schemas) {
        r->build_error = -1;
        return;
    }
    for (size_t i = 0; i < r->ntools; i++) {
        const struct mcp_tool *t = r->tools[i];
        json_error_t je;
        bool want_out = t->output_schema || t->make_schema;
        if (t->make_schema) {
            r->input_schemas[i] = t->make_schema(t, false);
            r->output_schemas[i] = t->make_schema(t, true);
        } else {
            r->input_schemas[i] = json_loads(t->input_schema ? t->input_schema : empty_schema, 0, &je);
            if (t->output_schema)
                r->output_schemas[i] = json_loads(t->output_schema, 0, &je);
        }
        if (!r->input_schemas[i] || (want_out && !r->output_schemas[i])) {
            r->build_error = (int)i + 1;
            return;
        }
        json_array_append_new(r->listing[REG_TOOLS],
                              tool_json(t, r->input_schemas[i], r->output_schemas[i]));
    }
    for (size_t i = 0; i < r->nresources; i++)
        json_array_append_new(r->listing[r->resources[i]->templated ? REG_TEMPLATES : REG_RESOURCES],
                              resource_json(r->resources[i]));
    for (size_t i = 0; i < r->nprompts; i++)
        json_array_append_new(r->listing[REG_PROMPTS], prompt_json(r->prompts[i]));
}

/* Every tools/call passes here up to three times: after the first build, no lock is taken. */
static int ensure_built(struct registry *r)
{
    if (!atomic_load_explicit(&r->built, memory_order_acquire)) {
        pthread_mutex_lock(&r->lock);
        if (!atomic_load_explicit(&r->built, memory_order_relaxed)) {
            build(r);
            atomic_store_explicit(&r->built, true, memory_order_release);
        }
        pthread_mutex_unlock(&r->lock);
    }
    return r->build_error ? -1 : 0;
}

int registry_build(struct registry *r, char *err, size_t errlen)
{
    if (ensure_built(r) < 0) {
        snprintf(err, errlen, "tool '%s': its schema cannot be built (a malformed row or schema "
                 "text; the log line above says why)",
                 r->build_error > 0 ? r->tools[r->build_error - 1]->name : "?");
        return -1;
    }
    for (size_t i = 0; i < r->ntools; i++) {
        char why[256];
        if (schema_check(r->input_schemas[i], why, sizeof(why)) < 0 ||
            (r->output_schemas[i] && schema_check(r->output_schemas[i], why, sizeof(why)) < 0)) {
            snprintf(err, errlen, "tool '%s': %s", r->tools[i]->name, why);
            return -1;
        }
    }
    return 0;
}

/* Cursors are opaque to clients: a kind letter, the offset in hex and a check byte. */
static const char cursor_kinds[REG_KIND_COUNT] = {'T', 'R', 'M', 'P'};

static void cursor_encode(enum registry_kind kind, size_t offset, char *buf, size_t n)
{
    unsigned check = (unsigned)((offset * 2654435761u) >> 7 ^ (unsigned)kind) & 0xff;
    snprintf(buf, n, "%c%08x%02x", cursor_kinds[kind], (unsigned)(offset & 0xffffffffu), check);
}

static int cursor_decode(enum registry_kind kind, const char *s, size_t *offset)
{
    char hex[9], buf[16];
    char *end;
    unsigned long v;

    if (strlen(s) != 11 || s[0] != cursor_kinds[kind])
        return -1;
    memcpy(hex, s + 1, 8);
    hex[8] = '\0';
    v = strtoul(hex, &end, 16);
    if (*end)
        return -1;
    cursor_encode(kind, (size_t)v, buf, sizeof(buf));
    if (strcmp(buf, s))
        return -1;
    *offset = (size_t)v;
    return 0;
}

json_t *registry_list(struct registry *r, enum registry_kind kind, const json_t *params,
                      size_t page_size, registry_visible_fn visible, const void *ctx,
                      struct rpc_err *e)
{
    static const char *const keys[REG_KIND_COUNT] = {"tools", "resources", "resourceTemplates",
                                                     "prompts"};
    const json_t *cursor = json_object_get(params, "cursor");
    size_t offset = 0, total, end;
    json_t *page, *result;

    if (ensure_built(r) < 0) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: the %s table is broken", keys[kind]);
        return NULL;
    }
    /* Positions in the visible list; `map` holds the listing index of each. */
    size_t all = json_array_size(r->listing[kind]);
    size_t *map = malloc((all ? all : 1) * sizeof(*map));
    if (!map) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return NULL;
    }
    total = 0;
    for (size_t i = 0, k = 0; i < all; i++) {
        const void *row = NULL;
        if (kind == REG_TOOLS) {
            row = r->tools[i];
        } else if (kind == REG_RESOURCES || kind == REG_TEMPLATES) {
            /* listing i of the kind is the i-th resource of that kind */
            while (r->resources[k]->templated != (kind == REG_TEMPLATES))
                k++;
            row = r->resources[k++];
        } else {
            row = r->prompts[i];
        }
        if (!visible || visible(row, ctx))
            map[total++] = i;
    }
    if (cursor && !json_is_null(cursor)) {
        if (!json_is_string(cursor) || cursor_decode(kind, json_string_value(cursor), &offset) < 0 ||
            offset >= total) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: invalid cursor; pass the nextCursor of the previous page, "
                        "or no cursor for the first page");
            free(map);
            return NULL;
        }
    }
    if (page_size == 0)
        page_size = total ? total : 1;
    end = offset + page_size < total ? offset + page_size : total;
    page = json_array();
    /* Copies: the listing is read by every thread at once, and a reference to it would be
     * counted by each (jansson's incref reads the count unguarded: a data race, TSan says). */
    for (size_t i = offset; i < end; i++)
        json_array_append_new(page, json_deep_copy(json_array_get(r->listing[kind], map[i])));
    free(map);
    result = json_object();
    json_object_set_new(result, keys[kind], page);
    if (end < total) {
        char buf[16];
        cursor_encode(kind, end, buf, sizeof(buf));
        json_object_set_new(result, "nextCursor", json_string(buf));
    }
    return result;
}

const struct mcp_tool *registry_tool(struct registry *r, const char *name, size_t *index)
{
    for (size_t i = 0; name && i < r->ntools; i++) {
        if (!strcmp(r->tools[i]->name, name)) {
            if (index)
                *index = i;
            return r->tools[i];
        }
    }
    return NULL;
}

const json_t *registry_input_schema(struct registry *r, size_t index)
{
    return ensure_built(r) < 0 ? NULL : r->input_schemas[index];
}

const json_t *registry_output_schema(struct registry *r, size_t index)
{
    return ensure_built(r) < 0 ? NULL : r->output_schemas[index];
}

json_t *uri_template_match(const char *tmpl, const char *uri)
{
    json_t *vars = json_object();

    while (*tmpl) {
        if (*tmpl == '{') {
            const char *close = strchr(tmpl, '}');
            size_t n = 0;
            char name[64];
            if (!close || (size_t)(close - tmpl - 1) >= sizeof(name))
                goto fail;
            memcpy(name, tmpl + 1, (size_t)(close - tmpl - 1));
            name[close - tmpl - 1] = '\0';
            while (uri[n] && uri[n] != '/' && uri[n] != close[1])
                n++;
            if (n == 0)
                goto fail;
            json_object_set_new(vars, name, json_stringn(uri, n));
            uri += n;
            tmpl = close + 1;
        } else if (*tmpl++ != *uri++) {
            goto fail;
        }
    }
    if (*uri)
        goto fail;
    return vars;
fail:
    json_decref(vars);
    return NULL;
}

bool uri_plain(unsigned char c)
{
    return isalnum(c) || (c && strchr("-._~@:+", c));
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : -1;
}

int uri_canon(const char *uri, char *out, size_t n)
{
    size_t o = 0;

    for (const char *p = uri; *p; p++) {
        int hi = *p == '%' ? hex_digit(p[1]) : -1, lo = hi < 0 ? -1 : hex_digit(p[2]);
        bool plain = lo < 0 || uri_plain((unsigned char)(hi * 16 + lo));
        if (o + (plain ? 1 : 3) >= n)
            return -1;
        if (lo < 0) {
            out[o++] = *p;
        } else if (plain) {
            out[o++] = (char)(hi * 16 + lo);
            p += 2;
        } else {
            out[o++] = '%';
            out[o++] = "0123456789ABCDEF"[hi];
            out[o++] = "0123456789ABCDEF"[lo];
            p += 2;
        }
    }
    if (!n)
        return -1;
    out[o] = 0;
    return 0;
}

const struct mcp_resource *registry_resource(struct registry *r, const char *uri, json_t **vars)
{
    *vars = NULL;
    for (size_t i = 0; i < r->nresources; i++)
        if (!r->resources[i]->templated && !strcmp(r->resources[i]->uri, uri))
            return r->resources[i];
    for (size_t i = 0; i < r->nresources; i++)
        if (r->resources[i]->templated && (*vars = uri_template_match(r->resources[i]->uri, uri)))
            return r->resources[i];
    return NULL;
}

const struct mcp_resource *registry_template(struct registry *r, const char *uri_template)
{
    for (size_t i = 0; i < r->nresources; i++)
        if (r->resources[i]->templated && !strcmp(r->resources[i]->uri, uri_template))
            return r->resources[i];
    return NULL;
}

const struct mcp_prompt *registry_prompt(struct registry *r, const char *name)
{
    for (size_t i = 0; name && i < r->nprompts; i++)
        if (!strcmp(r->prompts[i]->name, name))
            return r->prompts[i];
    return NULL;
}
