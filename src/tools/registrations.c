/* tools/registrations: who is registered (OpenSIPS usrloc). ul_dump flattens usrloc's
 * Domains[].AORs[] into one list of AORs so that paging counts AORs (row_page keeps every page
 * under 50 KB), and falls back to AOR names when the full dump is too large; the other tools
 * are rows over one usrloc command each. mid_registrar exports no MI command, so
 * mid_registrar_dump says so and points at ul_dump. */
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

/* One node's ul_dump, flattened and paged: {total, offset, limit, next_offset, items, brief}. */
static json_t *ul_dump_one(struct mcp_call *c, const json_t *args, const char *node,
                           struct mi_error *e)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    bool brief = json_is_true(json_object_get(args, "brief"));
    const char *domain = tool_str(args, "domain", NULL);
    const char *match = tool_str(args, "aor_contains", NULL);
    json_int_t limit = json_integer_value(json_object_get(args, "limit"));
    json_int_t offset = json_integer_value(json_object_get(args, "offset"));
    json_t *params = brief ? json_pack("{s:i}", "brief", 1) : NULL, *result = NULL;
    json_t *items = json_array(), *dom, *aor, *page;
    const char *note = NULL;
    long long total = 0;
    size_t i, k;

    enum mi_err rc = mi_client_call(mi, node, "usrloc:dump", params, 0, &result, e);
    json_decref(params);
    if (rc == MI_ERR_TOO_LARGE && !brief) {
        /* 100 000 contacts dump to ~30 MB, over the MI reply limit; AORs alone are ~3 MB. */
        params = json_pack("{s:i}", "brief", 1);
        rc = mi_client_call(mi, node, "usrloc:dump", params, 0, &result, e);
        json_decref(params);
        brief = true;
        note = "the full dump is larger than the MI reply limit, so only AORs are listed "
               "(brief); see one AOR's contacts with ul_show_contact";
    }
    if (rc != MI_OK) {
        json_decref(items);
        return NULL;
    }
    if (limit <= 0)
        limit = 50;
    json_array_foreach(json_object_get(result, "Domains"), i, dom) {
        const char *name = tool_str(dom, "name", "");
        if (domain && strcmp(domain, name))
            continue;
        json_array_foreach(json_object_get(dom, "AORs"), k, aor) {
            if (match && !strstr(tool_str(aor, "AOR", ""), match))
                continue;
            if (total >= offset && (json_int_t)json_array_size(items) < limit) {
                json_t *item = json_pack("{s:s}", "domain", name);
                json_object_update(item, aor);
                json_array_append_new(items, item);
            }
            total++;
        }
    }
    json_decref(result);
    page = row_page(items, args, total, 1);
    json_object_set_new(page, "brief", json_boolean(brief));
    if (note)
        json_object_set_new(page, "note", json_string(note));
    return page;
}

static json_t *t_ul_dump(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *node = tool_node(args);
    struct mi_error e;

    return tool_node_result(c, t->name, node, ul_dump_one(c, args, node, &e), &e);
}

static json_t *t_mid_registrar_dump(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    (void)args;
    mcp_call_set_outcome(c, "unsupported");
    return content_error_result(
        "%s: not available: OpenSIPS (3.6 and 4.0) has no MI command that dumps mid_registrar "
        "state, and the mapping of clients to upstream registrations is not exposed over MI. "
        "mid_registrar keeps the contacts it saves in usrloc: list them with ul_dump, or one "
        "AOR with ul_show_contact.", t->name);
}

#define TABLE_ARG                                                                              \
    {"table_name", "string", "usrloc table: a domain 'name' in ul_dump (default location)", 0, "\"minLength\":1,\"default\":\"location\"",    \
     "table_name"}
#define AOR_ARG(what)                                                                          \
    {"aor", "string", "AOR " what ", as ul_dump shows it (user@domain)", ARG_REQUIRED, "\"minLength\":1", "aor"}

static const struct tool_arg ul_dump_args[] = {
    {"brief", "boolean", "true: AOR names only, no contacts", 0,
     "\"default\":false", NULL},
    {"domain", "string", "Only this usrloc table, e.g. location", 0,
     "\"minLength\":1", NULL},
    {"aor_contains", "string", "Only AORs containing this text", 0,
     "\"minLength\":1", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg ul_show_contact_args[] = {
    TABLE_ARG,
    AOR_ARG("to show"),
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg ul_add_args[] = {
    TABLE_ARG,
    AOR_ARG("to register the contact for"),
    {"contact", "string", "Contact URI, e.g. sip:alice@192.0.2.10:5060", ARG_REQUIRED,
     "\"minLength\":1", "contact"},
    {"expires", "integer", "Seconds (default 3600)", 0,
     "\"minimum\":0,\"default\":3600", "expires"},
    {"q", "number", "Priority 0..1 (default 1)", ARG_STRINGIFY,
     "\"minimum\":0,\"maximum\":1,\"default\":1", "q"},
    {"flags", "integer", "Flags as in ul_dump (default 0)", 0,
     "\"minimum\":0,\"default\":0", "flags"},
    {"cflags", "string", "Branch flag names, comma-separated (default none)", 0,
     "\"default\":\"\"", "cflags"},
    {"methods", "integer", "Methods bitmask as in ul_dump (default all)", 0, "\"minimum\":0,\"maximum\":4294967295,\"default\":4294967295",
     "methods"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg ul_rm_contact_args[] = {
    TABLE_ARG,
    AOR_ARG("the contact belongs to"),
    {"contact", "string", "Contact URI exactly as ul_show_contact shows it",
     ARG_REQUIRED, "\"minLength\":1", "contact"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_arg ul_rm_args[] = {
    TABLE_ARG,
    AOR_ARG("to remove with all its contacts"),
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const char aor_item[] =
    "{\"type\":\"object\",\"properties\":{\"domain\":{\"type\":\"string\"},\"AOR\":{\"type\":"
    "\"string\"},\"Contacts\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}";
static const char aor_result[] =
    "{\"type\":\"object\",\"properties\":{\"AOR\":{\"type\":\"string\"},\"Contacts\":{\"type\":"
    "\"array\"}}}";

static const struct tool_def registration_tools[] = {
    {"ul_dump", "List registrations",
     "Lists registered users (usrloc AORs) with their contacts (URI, Expires, Q, User-agent, "
     "Socket), paged; brief: AOR names only.",
     "registrations", "usrloc:dump", ul_dump_args, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY | ROW_LIST, "items", aor_item, t_ul_dump,
     "usrloc:dump (3.x ul_dump), {brief:1} when brief; Domains[].AORs[] flattened into one AOR "
     "list with 'domain' added, paged and kept under 50 KB here (MI does not page it). When the "
     "full dump is over the MI reply limit, falls back to brief and says so", NULL},
    {"ul_show_contact", "Show one registration",
     "Shows one AOR's contacts: URI, Expires (seconds left), Q, Call-ID, User-agent, Socket.",
     "registrations", "usrloc:show_contact", ul_show_contact_args, SCOPE_BIT(SCOPE_MI_READ),
     TOOL_F_READONLY, NULL, aor_result, NULL,
     "usrloc:show_contact {table_name, aor} (3.x ul_show_contact); table_name defaults to "
     "location", NULL},
    {"ul_add", "Add a contact",
     "Binds a contact to an AOR as a REGISTER would (same contact: replaced).",
     "registrations", "usrloc:add", ul_add_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, NULL, NULL,
     "usrloc:add (3.x ul_add) with all 8 parameters its only recipe needs; the optional ones "
     "take the defaults shown (q sent as a string, as usrloc parses it)", NULL},
    {"ul_rm", "Remove a registration",
     "Removes an AOR and all its contacts until it registers again.",
     "registrations", "usrloc:rm", ul_rm_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, NULL, NULL,
     "usrloc:rm {table_name, aor} (3.x ul_rm)", NULL},
    {"ul_rm_contact", "Remove one contact",
     "Removes one contact of an AOR.",
     "registrations", "usrloc:rm_contact", ul_rm_contact_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, NULL, NULL,
     "usrloc:rm_contact {table_name, aor, contact} (3.x ul_rm_contact)", NULL},
    {"mid_registrar_dump", "mid_registrar state (not available)",
     "Not available: OpenSIPS has no MI command for it; ul_dump shows what mid_registrar saved.",
     "registrations", NULL, NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY, NULL, NULL,
     t_mid_registrar_dump,
     "none: OpenSIPS 3.6.8 and 4.0.1 export no mid_registrar MI command (the Python server's "
     "registry names mid_reg_dump, which neither accepts); answers isError saying so", NULL},
};
ROW_TABLE(registrations, registration_tools);
