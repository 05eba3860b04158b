/* tools/registrations: who is registered (OpenSIPS usrloc). ul_dump flattens usrloc's
 * Domains[].AORs[] into one list of AORs so that paging counts AORs (row_page keeps every page
 * under 50 KB), pages from one snapshot of the dump (taken by the first page), and falls back to
 * AOR names when the full dump is too large; the other tools
 * are rows over one usrloc command each. mid_registrar exports no MI command, so
 * mid_registrar_dump says so and points at ul_dump. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mi/client.h"
#include "mi/stream.h"
#include "mi/transport.h"
#include "tools/row.h"
#include "tools/tool.h"

/* usrloc:dump does not page: each page of ul_dump would fetch the whole dump again (220-290 ms
 * a page at 10 000 AORs on a real 4.0.1), and registrations that come and go between pages
 * would shift the offsets, so pages could repeat or skip AORs. The dump is parsed as it arrives
 * (mi_client_call_stream: 100 000 AORs are 30 MB of JSON, about 390 MB as a jansson tree) and
 * only what pages need is kept: the count of AORs that pass the filters and, from the page's
 * offset on, the AORs themselves as compact JSON text, up to UL_SNAPSHOT_BYTES. That is the
 * snapshot: a later page inside it reads it while it is younger than UL_SNAPSHOT_TTL_MS; a page
 * past what it holds, or a first page (offset 0), takes a new one. A few snapshots are kept, one
 * per node, form and filters. */
#define UL_SNAPSHOT_TTL_MS 60000
#define UL_SNAPSHOTS 4
#define UL_SNAPSHOT_BYTES (1024u * 1024) /* records and their offsets, per snapshot */
#define UL_AOR_TEXT_MAX (1024u * 1024)   /* text of one AOR (its contacts) built as a tree */
#define UL_DOMAIN_MAX 256                /* bytes of a usrloc table name kept */

struct ul_snapshot {
    char node[64];
    bool brief_asked;   /* the form asked for */
    bool brief;         /* the form it holds (brief when the full dump was too large) */
    char *domain, *match; /* the filters it was taken with (NULL: none) */
    const char *note;   /* why it is brief, or NULL */
    uint64_t taken;     /* mi_now_ms() */
    long long total;    /* AORs that pass the filters */
    long long first;    /* the offset of records[0] */
    size_t n;           /* records held: AORs first .. first + n - 1 */
    bool to_end;        /* they reach the last AOR */
    char *text;         /* the records, compact JSON items back to back */
    size_t len, cap;
    size_t *off;        /* n + 1 offsets into text */
    size_t off_cap;
};

static void ul_snapshot_free(struct ul_snapshot *s)
{
    if (!s)
        return;
    free(s->domain);
    free(s->match);
    free(s->text);
    free(s->off);
    free(s);
}

static bool same_str(const char *a, const char *b)
{
    return a ? b && !strcmp(a, b) : !b;
}

static bool ul_snapshot_is(const struct ul_snapshot *s, const char *node, bool brief_asked,
                           const char *domain, const char *match)
{
    return s->brief_asked == brief_asked && !strcmp(s->node, node) &&
           same_str(s->domain, domain) && same_str(s->match, match);
}

/* The items [offset, offset + limit) that s holds, as a new array (copies: nothing of a
 * snapshot other workers read leaves the call). */
static json_t *ul_snapshot_items(const struct ul_snapshot *s, long long offset, long long limit)
{
    json_t *items = json_array();
    for (long long i = offset - s->first; items && i >= 0 && (size_t)i < s->n &&
                                          (long long)json_array_size(items) < limit;
         i++) {
        json_t *v = json_loadb(s->text + s->off[i], s->off[i + 1] - s->off[i], 0, NULL);
        if (!v || json_array_append_new(items, v) < 0) {
            json_decref(items);
            return NULL;
        }
    }
    return items;
}

/* Whether s holds every AOR of [offset, offset + limit) (or up to the end). */
static bool ul_snapshot_covers(const struct ul_snapshot *s, long long offset, long long limit)
{
    if (offset < s->first)
        return false;
    return s->to_end || offset + limit <= s->first + (long long)s->n;
}

static struct {
    pthread_mutex_t lock;
    struct ul_snapshot *s[UL_SNAPSHOTS];
} ul_snaps = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The page [offset, offset + limit) from the stored snapshot for (node, brief, filters) younger
 * than the TTL that holds all of it: a new array of copies, with *brief, *note, *total and
 * *age_ms as it was taken; NULL when no snapshot does. The copies are made under the lock, so a
 * snapshot is only ever freed (by ul_snapshot_put, under the lock) when no reader is in it. */
static json_t *ul_snapshot_get(const char *node, bool brief_asked, const char *domain,
                               const char *match, long long offset, long long limit, bool *brief,
                               const char **note, long long *total, uint64_t *age_ms)
{
    json_t *out = NULL;
    uint64_t now = mi_now_ms();

    pthread_mutex_lock(&ul_snaps.lock);
    for (size_t i = 0; i < UL_SNAPSHOTS && !out; i++) {
        struct ul_snapshot *s = ul_snaps.s[i];
        if (s && ul_snapshot_is(s, node, brief_asked, domain, match) &&
            now - s->taken < UL_SNAPSHOT_TTL_MS && ul_snapshot_covers(s, offset, limit) &&
            (out = ul_snapshot_items(s, offset, limit))) {
            *brief = s->brief;
            *note = s->note;
            *total = s->total;
            *age_ms = now - s->taken;
        }
    }
    pthread_mutex_unlock(&ul_snaps.lock);
    return out;
}

/* Keep s (taken) as the snapshot for its node, form and filters, in place of the one it
 * replaces or else the oldest, which is freed under the lock. */
static void ul_snapshot_put(struct ul_snapshot *s)
{
    pthread_mutex_lock(&ul_snaps.lock);
    size_t slot = 0;
    for (size_t i = 0; i < UL_SNAPSHOTS; i++) {
        struct ul_snapshot *o = ul_snaps.s[i];
        if (!o || ul_snapshot_is(o, s->node, s->brief_asked, s->domain, s->match)) {
            slot = i;
            break;
        }
        if (o->taken < ul_snaps.s[slot]->taken)
            slot = i;
    }
    ul_snapshot_free(ul_snaps.s[slot]);
    ul_snaps.s[slot] = s;
    pthread_mutex_unlock(&ul_snaps.lock);
}

/* What the stream's callbacks keep of one usrloc:dump: result.Domains[].{name, AORs[]}; each
 * AOR is built as a tree on its own (mi_jbuild), counted when it passes the filters, kept as a
 * record from keep_from on while the snapshot's budget lasts, and freed. */
struct ul_collect {
    struct ul_snapshot *s;
    long long keep_from;
    bool full;            /* the budget is spent: only counting now */
    bool domains_key;     /* the result's last key was "Domains" */
    bool in_domains;
    int dom_key;          /* the domain's last key: 1 "name", 2 "AORs", 0 another */
    bool in_aors;
    bool skipping;        /* inside an AOR that is counted, not built */
    char dom_name[UL_DOMAIN_MAX];
    struct mi_jbuild aor;
};

static int ul_keep(struct ul_collect *c, json_t *aor)
{
    struct ul_snapshot *s = c->s;
    if (s->domain && strcmp(c->dom_name, s->domain))
        return 0;
    if (s->match && !strstr(tool_str(aor, "AOR", ""), s->match))
        return 0;
    long long idx = s->total++;
    if (c->full || idx < c->keep_from)
        return 0;
    json_t *item = json_pack("{s:s}", "domain", c->dom_name);
    if (!item)
        return -1;
    if (json_is_object(aor))
        json_object_update(item, aor);
    char *text = json_dumps(item, JSON_COMPACT);
    json_decref(item);
    if (!text)
        return -1;
    size_t n = strlen(text);
    if (s->len + n + (s->n + 2) * sizeof *s->off > UL_SNAPSHOT_BYTES) {
        c->full = true; /* what is kept stays; the rest is only counted */
        free(text);
        return 0;
    }
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        while (cap < s->len + n)
            cap *= 2;
        char *t = realloc(s->text, cap);
        if (!t) {
            free(text);
            return -1;
        }
        s->text = t;
        s->cap = cap;
    }
    if (s->n + 2 > s->off_cap) {
        size_t cap = s->off_cap ? s->off_cap * 2 : 256;
        size_t *o = realloc(s->off, cap * sizeof *o);
        if (!o) {
            free(text);
            return -1;
        }
        s->off = o;
        s->off_cap = cap;
    }
    if (!s->n)
        s->off[0] = 0;
    memcpy(s->text + s->len, text, n);
    free(text);
    s->len += n;
    s->off[++s->n] = s->len;
    return 0;
}

/* Whether the AOR about to start could be kept: with an aor_contains filter its name decides,
 * so it is built; otherwise only those from keep_from on while the budget lasts. */
static bool ul_may_keep(const struct ul_collect *c)
{
    return c->s->match || (!c->full && c->s->total >= c->keep_from);
}

static int ul_event(void *arg, enum mi_ev ev, const char *text, size_t len, unsigned depth)
{
    struct ul_collect *c = arg;

    if (c->in_aors && depth >= 5) {
        if (c->skipping) { /* inside an AOR that is only counted */
            if (depth == 5 && (ev == MI_EV_MAP_END || ev == MI_EV_ARRAY_END))
                c->skipping = false;
            return 0;
        }
        if (depth == 5 && !c->aor.depth && !ul_may_keep(c)) {
            /* an AOR no page needs: counted (when its table passes) without building it, so
             * that 100 000 AORs cost a parse, not 100 000 trees */
            if (!c->s->domain || !strcmp(c->dom_name, c->s->domain))
                c->s->total++;
            c->skipping = ev == MI_EV_MAP || ev == MI_EV_ARRAY;
            return 0;
        }
        int r = mi_jbuild_event(&c->aor, ev, text, len);
        if (r < 0)
            return r; /* MI_STREAM_ITEM_TOO_LARGE: an AOR over UL_AOR_TEXT_MAX */
        if (r == 1) {
            json_t *aor = mi_jbuild_take(&c->aor);
            r = ul_keep(c, aor);
            json_decref(aor);
            return r;
        }
        return 0;
    }
    if (depth == 2) {
        if (ev == MI_EV_KEY)
            c->domains_key = len == 7 && !memcmp(text, "Domains", 7);
        else if (ev == MI_EV_ARRAY && c->domains_key)
            c->in_domains = true;
        else if (ev == MI_EV_ARRAY_END)
            c->in_domains = false;
    } else if (depth == 3 && c->in_domains && ev == MI_EV_MAP) {
        c->dom_name[0] = '\0'; /* a domain: OpenSIPS prints its "name" before its "AORs" */
        c->dom_key = 0;
    } else if (depth == 4 && c->in_domains) {
        if (ev == MI_EV_KEY)
            c->dom_key = len == 4 && !memcmp(text, "name", 4)   ? 1
                         : len == 4 && !memcmp(text, "AORs", 4) ? 2
                                                                 : 0;
        else if (ev == MI_EV_STRING && c->dom_key == 1)
            snprintf(c->dom_name, sizeof c->dom_name, "%.*s",
                     (int)(len < UL_DOMAIN_MAX ? len : UL_DOMAIN_MAX - 1), text);
        else if (ev == MI_EV_ARRAY && c->dom_key == 2)
            c->in_aors = true;
        else if (ev == MI_EV_ARRAY_END)
            c->in_aors = false;
    }
    return 0;
}

/* Before each attempt: nothing of an earlier one stays. */
static void ul_reset(void *arg)
{
    struct ul_collect *c = arg;
    struct ul_snapshot *s = c->s;
    mi_jbuild_release(&c->aor);
    s->total = 0;
    s->n = s->len = 0;
    c->full = c->domains_key = c->in_domains = c->in_aors = c->skipping = false;
    c->dom_key = 0;
    c->dom_name[0] = '\0';
}

static const struct mi_stream_cb ul_stream_cb = {.event = ul_event, .reset = ul_reset};

/* One streamed usrloc:dump into s, keeping records from keep_from. */
static enum tool_err ul_stream(struct tool_ctx *x, struct ul_snapshot *s, long long keep_from,
                               struct tool_error *e)
{
    json_t *params = s->brief ? json_pack("{s:i}", "brief", 1) : NULL;
    struct ul_collect c = {.s = s, .keep_from = keep_from};
    mi_jbuild_init(&c.aor, UL_AOR_TEXT_MAX);
    enum tool_err rc = tool_mi_stream(x, "usrloc:dump", params, &ul_stream_cb, &c, e);
    mi_jbuild_release(&c.aor);
    json_decref(params);
    s->to_end = !c.full;
    return rc;
}

/* A new snapshot of x's node for this form and these filters, holding records from keep_from:
 * in the full form unless brief (or when the full one is over the streamed reply limit, then
 * brief, with note saying why). NULL with e filled on failure. */
static struct ul_snapshot *ul_fetch(struct tool_ctx *x, const char *node, bool brief_asked,
                                    const char *domain, const char *match, long long keep_from,
                                    struct tool_error *e)
{
    struct ul_snapshot *s = calloc(1, sizeof *s);
    if (!s || (domain && !(s->domain = strdup(domain))) || (match && !(s->match = strdup(match)))) {
        ul_snapshot_free(s);
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory taking a usrloc snapshot");
        return NULL;
    }
    snprintf(s->node, sizeof s->node, "%s", node);
    s->brief_asked = s->brief = brief_asked;
    s->first = keep_from;
    enum tool_err rc = ul_stream(x, s, keep_from, e);
    /* the reply over the limit (not the request, which is a few bytes) */
    if (rc == TOOL_E_TOO_LARGE && !strcmp(e->name, mi_err_name(MI_ERR_TOO_LARGE)) && !s->brief) {
        /* a datagram holds 64 KB (the reply parser marks that case with code 500); a streamed
         * reply may be MI_STREAM_FACTOR times --mi-max-reply */
        s->note = e->code == 500
                      ? "the full dump does not fit one datagram, so only AORs are listed "
                        "(brief); use an http or fifo node for contacts, or ul_show_contact for "
                        "one AOR"
                  : e->code == MI_STREAM_ITEM_TOO_LARGE
                      ? "one AOR's contacts pass 1 MiB of text, more than a page keeps of one "
                        "AOR, so only AORs are listed (brief); see an AOR's contacts with "
                        "ul_show_contact"
                      : "the full dump is larger than the MI reply limit, so only AORs are "
                        "listed (brief); see one AOR's contacts with ul_show_contact";
        s->brief = true;
        rc = ul_stream(x, s, keep_from, e);
    }
    if (rc != TOOL_OK) {
        ul_snapshot_free(s);
        return NULL;
    }
    s->taken = mi_now_ms();
    return s;
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
    json_t *items = NULL, *page;
    const char *note = NULL;
    long long total = 0;
    uint64_t age = 0;

    if (limit <= 0)
        limit = 50;
    if (offset > 0)
        items = ul_snapshot_get(name_of, brief_asked, domain, match, offset, limit, &brief, &note,
                                &total, &age);
    if (!items) {
        struct ul_snapshot *s = ul_fetch(x, name_of, brief_asked, domain, match, offset, e);
        if (!s)
            return NULL;
        /* read before it is shared: nothing else sees s yet */
        items = ul_snapshot_items(s, offset, limit);
        brief = s->brief;
        note = s->note;
        total = s->total;
        ul_snapshot_put(s);
        if (!items) {
            tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory building a ul_dump page");
            return NULL;
        }
    }
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
     .mapping = "usrloc:dump (3.x ul_dump), {brief:1} when brief, parsed as it streams; Domains[].AORs[] "
                "flattened into one AOR list with 'domain' added, paged and kept under 50 KB here (MI does "
                "not page it: later pages read the snapshot an earlier page took, up to 60 s old, which "
                "holds up to 1 MiB of AORs from that page on). When the full dump is over 16 times the MI "
                "reply limit or one datagram, falls back to brief and says so"},
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
