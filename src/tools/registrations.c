/* tools/registrations: who is registered (OpenSIPS usrloc). ul_dump flattens usrloc's
 * Domains[].AORs[] into one list of AORs so that paging counts AORs (row_page keeps every page
 * under 50 KB), pages from one snapshot of the dump (taken by the first page), and falls back to
 * AOR names when the full dump is too large; the other tools
 * are rows over one usrloc command each. mid_registrar exports no MI command, so
 * mid_registrar_dump says so and points at ul_dump. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mi/client.h"
#include "mi/transport.h"
#include "tools/row.h"
#include "tools/tool.h"

/* usrloc:dump does not page: each page of ul_dump would fetch the whole dump again (220-290 ms
 * a page at 10 000 AORs on a real 4.0.1), and registrations that come and go between pages
 * would shift the offsets, so pages could repeat or skip AORs. A page after the first reads the
 * snapshot its first page took, while it is younger than UL_SNAPSHOT_TTL_MS; a first page
 * (offset 0) always takes a new one. A few snapshots are kept, one per node and form. */
#define UL_SNAPSHOT_TTL_MS 60000
#define UL_SNAPSHOTS 4

struct ul_snapshot {
    char node[64];
    bool brief_asked;   /* the form asked for */
    bool brief;         /* the form it holds (brief when the full dump was too large) */
    const char *note;   /* why it is brief, or NULL */
    uint64_t taken;     /* mi_now_ms() */
    json_t *domains;    /* the reply's Domains (shared, read-only once stored) */
};

static struct {
    pthread_mutex_t lock;
    struct ul_snapshot s[UL_SNAPSHOTS];
} ul_snaps = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The stored snapshot for (node, brief) younger than the TTL: its Domains (new reference) with
 * *brief and *note as it was taken; NULL when there is none. */
static json_t *ul_snapshot_get(const char *node, bool brief_asked, bool *brief, const char **note,
                               uint64_t *age_ms)
{
    json_t *out = NULL;
    uint64_t now = mi_now_ms();

    pthread_mutex_lock(&ul_snaps.lock);
    for (size_t i = 0; i < UL_SNAPSHOTS; i++) {
        struct ul_snapshot *s = &ul_snaps.s[i];
        if (s->domains && s->brief_asked == brief_asked && !strcmp(s->node, node) &&
            now - s->taken < UL_SNAPSHOT_TTL_MS) {
            out = json_incref(s->domains);
            *brief = s->brief;
            *note = s->note;
            *age_ms = now - s->taken;
        }
    }
    pthread_mutex_unlock(&ul_snaps.lock);
    return out;
}

/* Keep domains (borrowed; a reference is taken) as the snapshot for (node, brief), in place of
 * the one it replaces or else the oldest. */
static void ul_snapshot_put(const char *node, bool brief_asked, bool brief, const char *note,
                            json_t *domains)
{
    pthread_mutex_lock(&ul_snaps.lock);
    struct ul_snapshot *slot = &ul_snaps.s[0];
    for (size_t i = 0; i < UL_SNAPSHOTS; i++) {
        struct ul_snapshot *s = &ul_snaps.s[i];
        if (!s->domains || (s->brief_asked == brief_asked && !strcmp(s->node, node))) {
            slot = s;
            break;
        }
        if (s->taken < slot->taken)
            slot = s;
    }
    json_decref(slot->domains);
    snprintf(slot->node, sizeof slot->node, "%s", node);
    slot->brief_asked = brief_asked;
    slot->brief = brief;
    slot->note = note;
    slot->taken = mi_now_ms();
    slot->domains = json_incref(domains);
    pthread_mutex_unlock(&ul_snaps.lock);
}

/* Drop a reference to a snapshot's Domains under the lock, as ul_snapshot_put drops the one it
 * replaces: whichever thread frees a snapshot does so under the lock, after every other reader's
 * reads (jansson's atomic reference counts live in a library ThreadSanitizer does not see, so the
 * lock is what orders a free after the reads, for it and for the reader of this code). */
static void ul_snapshot_release(json_t *domains)
{
    pthread_mutex_lock(&ul_snaps.lock);
    json_decref(domains);
    pthread_mutex_unlock(&ul_snaps.lock);
}

/* A new dump of x's node: its Domains (new reference), in the full form unless brief (or when
 * the full one does not fit, then brief, with *note saying why). NULL with e filled on failure. */
static json_t *ul_fetch(struct tool_ctx *x, bool *brief, const char **note, struct tool_error *e)
{
    json_t *params = *brief ? json_pack("{s:i}", "brief", 1) : NULL, *result = NULL;
    enum tool_err rc = tool_mi(x, "usrloc:dump", params, &result, e);

    json_decref(params);
    /* the reply over the limit (not the request, which is a few bytes) */
    if (rc == TOOL_E_TOO_LARGE && !strcmp(e->name, mi_err_name(MI_ERR_TOO_LARGE)) && !*brief) {
        /* 100 000 contacts dump to ~30 MB, over the MI reply limit; AORs alone are ~3 MB; a
         * datagram holds 64 KB (the reply parser marks that case with code 500) */
        *note = e->code == 500
                    ? "the full dump does not fit one datagram, so only AORs are listed (brief); "
                      "use an http or fifo node for contacts, or ul_show_contact for one AOR"
                    : "the full dump is larger than the MI reply limit, so only AORs are listed "
                      "(brief); see one AOR's contacts with ul_show_contact";
        *brief = true;
        params = json_pack("{s:i}", "brief", 1);
        rc = tool_mi(x, "usrloc:dump", params, &result, e);
        json_decref(params);
    }
    if (rc != TOOL_OK)
        return NULL;
    json_t *domains = json_incref(json_object_get(result, "Domains"));
    json_decref(result);
    return domains ? domains : json_array();
}

/* One node's ul_dump, flattened and paged: {total, offset, limit, next_offset, items, brief}. */
static json_t *ul_dump_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const bool brief_asked = json_is_true(json_object_get(args, "brief"));
    bool brief = brief_asked;
    const char *domain = tool_str(args, "domain", NULL);
    const char *match = tool_str(args, "aor_contains", NULL);
    const char *name_of = x->node ? x->node : "";
    json_int_t limit = json_integer_value(json_object_get(args, "limit"));
    json_int_t offset = json_integer_value(json_object_get(args, "offset"));
    json_t *items, *dom, *aor, *page, *domains = NULL;
    const char *note = NULL;
    long long total = 0;
    uint64_t age = 0;
    size_t i, k;

    if (offset > 0)
        domains = ul_snapshot_get(name_of, brief_asked, &brief, &note, &age);
    if (!domains) {
        if (!(domains = ul_fetch(x, &brief, &note, e)))
            return NULL;
        ul_snapshot_put(name_of, brief_asked, brief, note, domains);
    }
    if (limit <= 0)
        limit = 50;
    items = json_array();
    json_array_foreach(domains, i, dom) {
        const char *name = tool_str(dom, "name", "");
        if (domain && strcmp(domain, name))
            continue;
        json_array_foreach(json_object_get(dom, "AORs"), k, aor) {
            if (match && !strstr(tool_str(aor, "AOR", ""), match))
                continue;
            if (total >= offset && (json_int_t)json_array_size(items) < limit) {
                /* a copy: nothing of the snapshot, which other workers read, leaves this call */
                json_t *item = json_pack("{s:s}", "domain", name), *copy = json_deep_copy(aor);
                json_object_update(item, copy);
                json_decref(copy);
                json_array_append_new(items, item);
            }
            total++;
        }
    }
    ul_snapshot_release(domains);
    page = row_page(items, args, total, 1);
    json_object_set_new(page, "brief", json_boolean(brief));
    json_object_set_new(page, "snapshot_age_s", json_integer((json_int_t)(age / 1000)));
    if (note)
        json_object_set_new(page, "note", json_string(note));
    return page;
}

#define TABLE_ARG \
    {.name = "table_name", .type = T_STRING, .min_len = 1, .def = "\"location\"", .mi = "table_name", \
     .description = "usrloc table: a domain 'name' in ul_dump (default location)"}
#define AOR_ARG(what) \
    {.name = "aor", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .mi = "aor", \
     .description = "AOR " what ", as ul_dump shows it (user@domain)"}

static const struct tool_def registration_tools[] = {
    {.name = "ul_dump",
     .title = "List registrations",
     .description = "Lists registered users (usrloc AORs) with their contacts (URI, Expires, Q, User-agent, "
                    "Socket), paged; brief: AOR names only.",
     .toolset = "registrations",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "usrloc:dump", .list = "items"},
     .args = ARGS({.name = "brief", .type = T_BOOLEAN, .def = "false",
                   .description = "true: AOR names only, no contacts"},
                  {.name = "domain", .type = T_STRING, .min_len = 1,
                   .description = "Only this usrloc table, e.g. location"},
                  {.name = "aor_contains", .type = T_STRING, .min_len = 1,
                   .description = "Only AORs containing this text"}),
     .result = FIELDS({.name = "domain", .type = T_STRING},
                      {.name = "AOR", .type = T_STRING},
                      {.name = "Contacts", .type = T_ARRAY, .item = ITEM(.type = T_OBJECT)}),
     .run = ul_dump_run,
     .mapping = "usrloc:dump (3.x ul_dump), {brief:1} when brief; Domains[].AORs[] flattened into one AOR "
                "list with 'domain' added, paged and kept under 50 KB here (MI does not page it: pages "
                "after the first read the first page's snapshot, up to 60 s old). When the full dump is "
                "over the MI reply limit or one datagram, falls back to brief and says so"},
    {.name = "ul_show_contact",
     .title = "Show one registration",
     .description = "Shows one AOR's contacts: URI, Expires (seconds left), Q, Call-ID, User-agent, Socket.",
     .toolset = "registrations",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "usrloc:show_contact"},
     .args = ARGS(TABLE_ARG,
                  AOR_ARG("to show")),
     .result = FIELDS({.name = "AOR", .type = T_STRING},
                      {.name = "Contacts", .type = T_ARRAY}),
     .links = LINKS({.uri = "opensips://{node}/registrations/{aor}", .arg = "table_name",
                     .equals = "location"}),
     .mapping = "usrloc:show_contact {table_name, aor} (3.x ul_show_contact); table_name defaults to "
                "location"},
    {.name = "ul_add",
     .title = "Add a contact",
     .description = "Binds a contact to an AOR as a REGISTER would (same contact: replaced).",
     .toolset = "registrations",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "usrloc:add"},
     .args = ARGS(TABLE_ARG,
                  AOR_ARG("to register the contact for"),
                  {.name = "contact", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .mi = "contact",
                   .description = "Contact URI, e.g. sip:alice@192.0.2.10:5060"},
                  {.name = "expires", .type = T_INTEGER, MINIMUM(0), .def = "3600", .mi = "expires",
                   .description = "Seconds (default 3600)"},
                  {.name = "q", .type = T_NUMBER, .flags = ARG_STRINGIFY, MINIMUM(0), MAXIMUM(1), .def = "1", .mi = "q",
                   .description = "Priority 0..1 (default 1)"},
                  {.name = "flags", .type = T_INTEGER, MINIMUM(0), .def = "0", .mi = "flags",
                   .description = "Flags as in ul_dump (default 0)"},
                  {.name = "cflags", .type = T_INTEGER, MINIMUM(0), .def = "0", .mi = "cflags",
                   .description = "Branch flags bitmask (default 0)"},
                  {.name = "methods", .type = T_INTEGER, MINIMUM(0), MAXIMUM(4294967295), .def = "4294967295", .mi = "methods",
                   .description = "Methods bitmask as in ul_dump (default all)"}),
     .mapping = "usrloc:add (3.x ul_add) with all 8 parameters its only recipe needs; the optional ones "
                "take the defaults shown (q sent as a string, as usrloc parses it)"},
    {.name = "ul_rm",
     .title = "Remove a registration",
     .description = "Removes an AOR and all its contacts until it registers again.",
     .toolset = "registrations",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "usrloc:rm"},
     .args = ARGS(TABLE_ARG,
                  AOR_ARG("to remove with all its contacts")),
     .mapping = "usrloc:rm {table_name, aor} (3.x ul_rm)"},
    {.name = "ul_rm_contact",
     .title = "Remove one contact",
     .description = "Removes one contact of an AOR.",
     .toolset = "registrations",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "usrloc:rm_contact"},
     .args = ARGS(TABLE_ARG,
                  AOR_ARG("the contact belongs to"),
                  {.name = "contact", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .mi = "contact",
                   .description = "Contact URI exactly as ul_show_contact shows it"}),
     .mapping = "usrloc:rm_contact {table_name, aor, contact} (3.x ul_rm_contact)"},
    {.name = "mid_registrar_dump",
     .title = "mid_registrar state (not available)",
     .description = "Not available: OpenSIPS has no MI command for it; ul_dump shows what mid_registrar saved.",
     .toolset = "registrations",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .unavailable = "not available: OpenSIPS (3.6 and 4.0) has no MI command that dumps "
                    "mid_registrar state, and the mapping of clients to upstream registrations is "
                    "not exposed over MI. mid_registrar keeps the contacts it saves in usrloc: list "
                    "them with ul_dump, or one AOR with ul_show_contact.",
     .mapping = "none: OpenSIPS 3.6.8 and 4.0.1 export no mid_registrar MI command (the Python server's "
                "registry names mid_reg_dump, which neither accepts); answers isError saying so"},
};
ROW_TABLE(registrations, registration_tools);
