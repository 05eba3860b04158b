/* tools/homer: call traces from Homer 7 (homer-app) beside what the OpenSIPS node knows. The
 * Python server's seven tools keep their names and parameters but use the API homer-app really
 * serves (../shared/reference/homer7-api.md): the ladder and the correlation come from POST
 * /api/v3/call/transaction (its param.transaction flag is ignored by Homer), the search sends
 * param.search as the filter array with a "limit" element (param.limit is ignored there), times
 * go as Unix ms, the health probe uses endpoints that exist (there is no /api/v3/status), and a
 * PCAP is written as a file under the allowed root, never base64 in the text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file/rootfile.h"
#include "homer/client.h"
#include "mcp/call.h"
#include "mcp/content.h"
#include "mcp/server.h"
#include "tools/row.h"
#include "tools/tool.h"

#define HOMER_SEARCH_ROWS 2000     /* messages one search asks Homer for ("limit" element) */
#define HOMER_WINDOW_MS (24LL * 3600 * 1000) /* a window not given: the last 24 hours */
#define HOMER_FILTERS_MAX 16
#define CORRELATE_MAX 8            /* related Call-IDs looked up on the node */

static struct homer *homer_of(struct tool_ctx *x, struct tool_error *e)
{
    if (x->be && x->be->homer)
        return x->be->homer;
    return tool_fail(e, TOOL_E_CONFIG, "homer_not_configured", 0, "Homer is not configured: "
                     "set --homer-url (OPENSIPS_MCP_HOMER_URL), --homer-user and "
                     "OPENSIPS_MCP_HOMER_PASSWORD");
}

/* The window [from, to] in ms from the arguments `fk`/`tk` (ms or ISO-8601, homer_time_ms);
 * an absent end is now, an absent start 24 hours before the end. */
static bool window(const json_t *args, const char *fk, const char *tk, long long *from,
                   long long *to, struct tool_error *e)
{
    const json_t *f = json_object_get(args, fk), *t = json_object_get(args, tk);
    char why[256];
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    *to = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if ((t && homer_time_ms(t, tk, to, why, sizeof(why)) < 0) ||
        (f && homer_time_ms(f, fk, from, why, sizeof(why)) < 0)) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s; nothing was sent", why);
        return false;
    }
    if (!f)
        *from = *to > HOMER_WINDOW_MS ? *to - HOMER_WINDOW_MS : 0;
    if (*from > *to) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "'%s' (%lld ms) is after '%s' (%lld ms); pass the "
                  "window's start first; nothing was sent", fk, *from, tk, *to);
        return false;
    }
    return true;
}

/* The page, with the window it covered. */
static json_t *paged(json_t *items, const json_t *args, long long from, long long to)
{
    json_t *out = row_page(items, args, -1, 0);
    json_object_set_new(out, "from_ts", json_integer(from));
    json_object_set_new(out, "to_ts", json_integer(to));
    return out;
}

/* POST /api/v3/call/transaction for one Call-ID: the answer (new reference), or NULL. */
static json_t *transaction(struct homer *h, const char *callid, long long from, long long to,
                           struct tool_error *e)
{
    json_t *ids = json_pack("[s]", callid), *body = homer_transaction_body(from, to, ids), *r;

    json_decref(ids);
    if (homer_post_json(h, "/api/v3/call/transaction", body, 201, &r, e) != TOOL_OK)
        r = NULL;
    json_decref(body);
    return r;
}

/* ---- homer_health ---- */

static json_t *health_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct homer *h = x->be ? x->be->homer : NULL;
    json_t *nodes = NULL, *names, *n, *out;
    struct tool_error fail = {0};
    long status = 0;
    size_t i;

    (void)args, (void)e;
    if (!h) {
        homer_of(x, &fail);
        return json_pack("{s:{s:b, s:b, s:s}}", "result", "ok", 0, "configured", 0, "error",
                         fail.text);
    }
    /* no /api/v3/status in homer-app: an unauthenticated GET that reads the config DB, then an
     * authenticated one that proves the credentials and lists the data nodes */
    bool reachable = homer_get(h, "/api/v3/auth/type/list", false, &status, NULL, &fail) == TOOL_OK;
    bool authed = reachable && status == 200 &&
                  homer_get(h, "/api/v3/database/node/list", true, &status, &nodes, &fail) ==
                      TOOL_OK;
    names = json_array();
    json_array_foreach(json_object_get(nodes, "data"), i, n)
        if (json_is_string(json_object_get(n, "name")))
            json_array_append(names, json_object_get(n, "name"));
    json_decref(nodes);
    if (reachable && !authed && !fail.text[0])
        tool_fail(&fail, TOOL_E_REFUSED, NULL, (int)status, "GET /api/v3/auth/type/list answered "
                  "HTTP %ld; is --homer-url the homer-app address?", status);
    out = json_pack("{s:b, s:b, s:s, s:b, s:b, s:o}", "ok", authed, "configured", 1, "url",
                    homer_url_shown(h), "reachable", reachable, "authenticated", authed,
                    "db_nodes", names);
    if (!authed)
        json_object_set_new(out, "error", json_string(fail.text));
    return json_pack("{s:o}", "result", out);
}

/* ---- homer_search_calls, homer_search_calls_v7 ---- */

/* POST /api/v3/search/call/data with `filters` {field: value}: the answer, or NULL. */
static json_t *search(struct homer *h, long long from, long long to, const json_t *filters,
                      const json_t *nodes, struct tool_error *e)
{
    json_t *body = homer_search_body(from, to, filters, HOMER_SEARCH_ROWS, nodes), *r;

    if (homer_post_json(h, "/api/v3/search/call/data", body, 201, &r, e) != TOOL_OK)
        r = NULL;
    json_decref(body);
    return r;
}

/* The page, noting when Homer stopped at the rows asked for. */
static json_t *search_page(json_t *items, const json_t *reply, const json_t *args,
                           long long from, long long to)
{
    json_t *out = paged(items, args, from, to);
    if (json_array_size(json_object_get(reply, "data")) >= HOMER_SEARCH_ROWS)
        json_object_set_new(out, "note", json_sprintf("Homer returned its first %d messages only; "
                            "narrow the window or the filters", HOMER_SEARCH_ROWS));
    return out;
}

static json_t *search_calls_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    static const char *const map[][2] = {{"caller", "data_header.from_user"},
                                         {"callee", "data_header.to_user"},
                                         {"call_id", "data_header.callid"}};
    struct homer *h = homer_of(x, e);
    long long from, to;
    json_t *filters, *r, *out;

    if (!h || !window(args, "time_from", "time_to", &from, &to, e))
        return NULL;
    filters = json_object();
    for (size_t i = 0; i < 3; i++)
        if (json_is_string(json_object_get(args, map[i][0])))
            json_object_set(filters, map[i][1], json_object_get(args, map[i][0]));
    r = search(h, from, to, filters, NULL, e);
    json_decref(filters);
    if (!r)
        return NULL;
    out = search_page(homer_calls_of(r), r, args, from, to);
    json_decref(r);
    return out;
}

/* 1_call's default field allow-list (migration/jsonschema/jsonschema.go) and the names always
 * allowed: homer-app silently drops any other name, so it is refused here instead. */
static bool field_allowed(const char *name)
{
    static const char *const ok[] = {
        "sid", "data_header.method", "protocol_header.correlation_id", "data_header.callid",
        "data_header.ruri_user", "data_header.from_user", "data_header.to_user",
        "data_header.user_agent", "protocol_header.protocol", "data_header.cseq",
        "data_header.from_tag", "data_header.protocol", "raw", "smartinput", "id"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcmp(name, ok[i]))
            return true;
    return false;
}

static json_t *search_v7_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct homer *h = homer_of(x, e);
    const json_t *filters = json_object_get(args, "filters"), *v;
    long long from, to;
    const char *k;
    json_t *r, *items, *row, *out;
    size_t i;

    if (!h || !window(args, "from_ts", "to_ts", &from, &to, e))
        return NULL;
    json_object_foreach((json_t *)filters, k, v) {
        if (!field_allowed(k))
            return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "filter '%.64s' is not a field Homer "
                             "searches (it would drop it silently); use data_header.callid, "
                             ".from_user, .to_user, .ruri_user, .method, .user_agent, .cseq, "
                             ".from_tag, protocol_header.correlation_id, sid or raw", k);
        if (!json_is_string(v) || json_object_size(filters) > HOMER_FILTERS_MAX)
            return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "filter '%.64s': at most %d filters, "
                             "each value a string", k, HOMER_FILTERS_MAX);
    }
    if (!(r = search(h, from, to, filters, json_object_get(args, "db_nodes"), e)))
        return NULL;
    items = json_array();
    json_array_foreach(json_object_get(r, "data"), i, row)
        json_array_append_new(items, homer_message_of(row));
    out = search_page(items, r, args, from, to);
    json_decref(r);
    return out;
}

/* ---- homer_get_call_flow, homer_get_call_transaction ---- */

static json_t *call_flow_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct homer *h = homer_of(x, e);
    long long from, to;
    json_t *r, *hosts, *out;

    if (!h || !window(args, "from_ts", "to_ts", &from, &to, e) ||
        !(r = transaction(h, tool_str(args, "call_id", ""), from, to, e)))
        return NULL;
    out = paged(homer_ladder_of(r, &hosts), args, from, to);
    json_object_set_new(out, "hosts", hosts);
    json_decref(r);
    return out;
}

static json_t *call_transaction_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct homer *h = homer_of(x, e);
    long long from, to;
    json_t *r, *items, *m;
    size_t i;

    if (!h || !window(args, "from_ts", "to_ts", &from, &to, e) ||
        !(r = transaction(h, tool_str(args, "callid", ""), from, to, e)))
        return NULL;
    items = json_array();
    json_array_foreach(json_object_get(json_object_get(r, "data"), "messages"), i, m)
        json_array_append_new(items, homer_message_of(m));
    json_decref(r);
    return paged(items, args, from, to);
}

/* ---- homer_correlate_callid ---- */

/* What the node knows of each related Call-ID (dialog:list {callid}): {dialogs: [...]}, or
 * {error, message} when the node cannot say (no dialog module, unreachable): beside the trace,
 * not instead of it. */
static json_t *node_dialogs(struct tool_ctx *x, const json_t *related)
{
    json_t *dialogs = json_array(), *r, *p, *res, *list, *d;
    struct tool_error me;
    size_t i, k;

    json_array_foreach(related, i, r) {
        if (i >= CORRELATE_MAX)
            break;
        memset(&me, 0, sizeof(me));
        p = json_pack("{s:O}", "callid", json_object_get(r, "callid"));
        enum tool_err rc = tool_mi(x, "dialog:list", p, &res, &me);
        json_decref(p);
        if (rc != TOOL_OK && tool_mi_is(&me, MI_ERR_MI) && me.code == 404)
            continue; /* "Requested Dialog not found" */
        if (rc != TOOL_OK) {
            json_decref(dialogs);
            return json_pack("{s:s, s:s}", "error", me.name ? me.name : tool_err_name(me.kind),
                             "message", me.text);
        }
        list = tool_list_items(res, "Dialogs");
        json_array_foreach(list, k, d)
            json_array_append_new(dialogs, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "callid",
                                  tool_str(d, "callid", ""), "ID", tool_str(d, "ID", ""), "state",
                                  json_integer_value(json_object_get(d, "state")), "from_uri",
                                  tool_str(d, "from_uri", ""), "to_uri", tool_str(d, "to_uri", ""),
                                  "datestart", tool_str(d, "datestart", "")));
        json_decref(list);
        json_decref(res);
    }
    return json_pack("{s:o}", "dialogs", dialogs);
}

static json_t *correlate_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct homer *h = homer_of(x, e);
    const char *callid = tool_str(args, "callid", "");
    long long from, to;
    json_t *r, *related;

    if (!h || !window(args, "from_ts", "to_ts", &from, &to, e) ||
        !(r = transaction(h, callid, from, to, e)))
        return NULL;
    related = homer_related_of(r);
    json_decref(r);
    return json_pack("{s:{s:s, s:I, s:I, s:o, s:o}}", "result", "callid", callid, "from_ts",
                     (json_int_t)from, "to_ts", (json_int_t)to, "related", related, "opensips",
                     node_dialogs(x, related));
}

/* ---- homer_export_pcap ---- */

static json_t *pcap_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                          struct mcp_needs *n)
{
    const char *root = mcp_server_settings(mcp_call_server(c))->out_dir_root;

    if (!root || root[0] != '/')
        return content_error_result("%s: not available: no directory is allowed for files; the "
                                    "operator must set OPENSIPS_MCP_OUT_DIR_ROOT (or "
                                    "--out-dir-root). Nothing was written.", d->name);
    snprintf(n->what, sizeof(n->what), "write the PCAP of Call-ID %s from Homer to a new file "
             "under %s", tool_str(args, "callid", ""), root);
    return NULL;
}

static json_t *export_pcap_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct homer *h = homer_of(x, e);
    const char *root = x->be ? x->be->files_root : NULL, *callid = tool_str(args, "callid", "");
    const char *path = tool_str(args, "path", NULL), *rel;
    char name[ROOTFILE_NAME_MAX + 1], full[4200], why[512];
    json_t *ids, *body, *out = NULL;
    long long from, to, records;
    char *data = NULL;
    size_t len, n = 0;
    int rc;

    if (!h || !window(args, "from_ts", "to_ts", &from, &to, e))
        return NULL;
    if (!root || root[0] != '/')
        return tool_fail(e, TOOL_E_CONFIG, NULL, 0, "not available: no directory is allowed for "
                         "files; set OPENSIPS_MCP_OUT_DIR_ROOT. Nothing was written.");
    if (!path) { /* homer-<Call-ID, made safe>-<from_ts>.pcap */
        n = (size_t)snprintf(name, sizeof(name), "homer-");
        for (const char *p = callid; *p && n < 100; p++)
            name[n++] = strchr("-_.@", *p) || (*p >= '0' && *p <= '9') ||
                                ((*p | 32) >= 'a' && (*p | 32) <= 'z') ? *p : '_';
        snprintf(name + n, sizeof(name) - n, "-%lld.pcap", from);
        path = name;
    }
    if (!(rel = rootfile_relative(root, path)))
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "path '%.200s' is outside the allowed "
                         "directory %s; pass a path under it. Nothing was written.", path, root);
    ids = json_pack("[s]", callid);
    body = homer_transaction_body(from, to, ids);
    json_decref(ids);
    enum tool_err hr = homer_post_bytes(h, "/api/v3/export/call/messages/pcap", body, &data,
                                        &len, e);
    json_decref(body);
    if (hr != TOOL_OK)
        return NULL;
    if ((records = homer_pcap_records(data, len)) < 0) {
        tool_fail(e, TOOL_E_GARBAGE, "homer_garbage", 0, "Homer's export for '%s' is not a PCAP "
                  "(%zu bytes); nothing was written", callid, len);
        goto out;
    }
    rc = rootfile_write(root, rel, data, len, ROOTFILE_MKDIRS, full, sizeof(full), why,
                        sizeof(why));
    if (rc != ROOTFILE_OK) {
        tool_fail(e, rc == ROOTFILE_ERR_EXISTS ? TOOL_E_REFUSED : TOOL_E_BAD_ARGS, "not_written",
                  0, "the PCAP cannot be written: %s%s. Nothing was written.", why,
                  rc == ROOTFILE_ERR_EXISTS ? " (never overwritten: pass another path)" : "");
        goto out;
    }
    out = json_pack("{s:{s:s, s:I, s:I, s:s, s:I, s:I}}", "result", "path", full, "bytes",
                    (json_int_t)len, "packets", (json_int_t)records, "callid", callid, "from_ts",
                    (json_int_t)from, "to_ts", (json_int_t)to);
out:
    free(data);
    return out;
}

/* ---- rows ---- */

#define CALLID_ARG(nm, req)                                                                   \
    {.name = nm, .type = T_STRING, .flags = req, .min_len = 1, .max_len = 255,               \
     .description = "SIP Call-ID"}
#define MS_ARG(nm, req, what) {.name = nm, .type = T_INTEGER, .flags = req, .description = what}

static const struct tool_def homer_tools[] = {
    {.name = "homer_health",
     .title = "Check Homer",
     .description = "Probes Homer 7: reachable, login accepted, data nodes. ok:false (not an "
                    "error) when Homer is absent.",
     .toolset = "homer",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_SERVER,
     .run = health_run,
     .mapping = "GET /api/v3/auth/type/list, then GET /api/v3/database/node/list with the JWT. "
                "Fixed: the Python server probes /api/v3/status, which homer-app does not have"},
    {.name = "homer_search_calls",
     .title = "Search calls in Homer",
     .description = "Captured calls by caller, callee or Call-ID, one item per Call-ID. Times "
                    "ISO-8601 or Unix ms; default last 24 h.",
     .toolset = "homer",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT | ROW_LIST,
     .backend = BACKEND_SERVER,
     .args = ARGS({.name = "caller", .type = T_STRING, .max_len = 128,
                   .description = "From user (% wildcard)"},
                  {.name = "callee", .type = T_STRING, .max_len = 128,
                   .description = "To user (% wildcard)"},
                  CALLID_ARG("call_id", 0),
                  {.name = "time_from", .type = T_STRING,
                   .description = "2026-12-01T10:00:00Z"},
                  {.name = "time_to", .type = T_STRING,
                   .description = "End (default now)"}),
     .run = search_calls_run,
     .mapping = "POST /api/v3/search/call/data, param.search {\"1_call\": [filters]} with a "
                "limit element; ISO times converted to ms; messages grouped by sid"},
    {.name = "homer_search_calls_v7",
     .title = "Search Homer messages",
     .description = "Captured SIP messages by Homer 7's own filters (% LIKE, a;b any, != not), "
                    "one item each. Default last 24 h.",
     .toolset = "homer",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT | ROW_LIST,
     .backend = BACKEND_SERVER,
     .args = ARGS(MS_ARG("from_ts", 0, "Start, Unix ms"), MS_ARG("to_ts", 0, "End, Unix ms"),
                  {.name = "filters", .type = T_OBJECT,
                   .description = "{\"data_header.method\":\"INVITE\"}"},
                  {.name = "db_nodes", .type = T_ARRAY, .max_len = 16,
                   .item = ITEM(.type = T_STRING), .description = "Homer data nodes; default all"}),
     .run = search_v7_run,
     .mapping = "POST /api/v3/search/call/data with the filters as param.search's array and "
                "param.location.node; a field homer-app would drop silently is refused"},
    {.name = "homer_get_call_flow",
     .title = "Get a call's ladder",
     .description = "SIP ladder of a Call-ID and its B2BUA legs: hosts by column, each message's "
                    "t_ms, from, to, method.",
     .toolset = "homer",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT | ROW_LIST,
     .backend = BACKEND_SERVER,
     .args = ARGS(CALLID_ARG("call_id", ARG_REQUIRED),
                  MS_ARG("from_ts", 0, "Start, Unix ms"), MS_ARG("to_ts", 0, "End, Unix ms")),
     .run = call_flow_run,
     .mapping = "POST /api/v3/call/transaction (data.calldata, data.hosts); adds the time window "
                "the Python server lacks"},
    {.name = "homer_get_call_transaction",
     .title = "Get a call's messages",
     .description = "Every captured message of a Call-ID and its correlated legs, in time order; "
                    "the window must hold the call's start.",
     .toolset = "homer",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT | ROW_LIST,
     .backend = BACKEND_SERVER,
     .args = ARGS(CALLID_ARG("callid", ARG_REQUIRED),
                  MS_ARG("from_ts", ARG_REQUIRED, "Start, Unix ms"),
                  MS_ARG("to_ts", ARG_REQUIRED, "End, Unix ms")),
     .run = call_transaction_run,
     .mapping = "POST /api/v3/call/transaction, param.search {\"1_call\": {\"callid\": [..]}}. "
                "Fixed: the Python server sets param.transaction on /search/call/data, which "
                "Homer ignores"},
    {.name = "homer_correlate_callid",
     .title = "Correlate a Call-ID",
     .description = "Follows a call across B2BUA/topology_hiding legs: the Call-IDs Homer links "
                    "to it, and the node's dialogs for them.",
     .toolset = "homer",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .args = ARGS(CALLID_ARG("callid", ARG_REQUIRED),
                  MS_ARG("from_ts", ARG_REQUIRED, "Start, Unix ms"),
                  MS_ARG("to_ts", ARG_REQUIRED, "End, Unix ms")),
     .run = correlate_run,
     .mapping = "POST /api/v3/call/transaction (Homer's correlation mapping), distinct sid; then "
                "dialog:list {callid} per related Call-ID (at most 8) on the node"},
    {.name = "homer_export_pcap",
     .title = "Export a call as PCAP",
     .description = "Saves Homer's PCAP of a Call-ID as a new file under the allowed directory; "
                    "returns path and size.",
     .toolset = "homer",
     .scope = SCOPE_BIT(SCOPE_MI_READ) | SCOPE_BIT(SCOPE_CONFIG_WRITE),
     .backend = BACKEND_SERVER,
     .args = ARGS(CALLID_ARG("callid", ARG_REQUIRED),
                  MS_ARG("from_ts", ARG_REQUIRED, "Start, Unix ms"),
                  MS_ARG("to_ts", ARG_REQUIRED, "End, Unix ms"),
                  {.name = "path", .type = T_STRING, .min_len = 1, .max_len = 1024,
                   .description = "Default homer-<callid>-<from_ts>.pcap"}),
     .run = export_pcap_run,
     .needs = pcap_needs,
     .mapping = "POST /api/v3/export/call/messages/pcap (200, raw libpcap); written with "
                "rootfile_write. Fixed: the Python server returns it base64 in the text"},
};
ROW_TABLE(homer, homer_tools);
