/* tools/rtp: media sessions relayed through RTPEngine. OpenSIPS lists them through rtp_relay
 * and tears a call's media down with rtpengine:teardown; there is no "rtpengine_terminate". */
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "mcp/call.h"
#include "rtpe/ng.h"
#include "tools/row.h"
#include "tools/tool.h"

/* How long to wait for the media to go after the teardown (the dialog's BYEs go out first), and
 * how long one ng request to RTPEngine may take. */
#define TEARDOWN_WATCH_MS 3000
#define TEARDOWN_POLL_MS 200
#define NG_TIMEOUT_MS 1000
#define ENGINES_MAX 16

/* The ng addresses of the RTPEngines the node uses (rtpengine:show, every set; 3.x
 * rtpengine_show), as a new array of strings; NULL when the node does not say. */
static json_t *engine_urls(struct tool_ctx *x)
{
    json_t *sets = NULL, *urls = NULL, *set, *nd;
    struct tool_error ignored;
    size_t i, k;

    if (tool_mi(x, "rtpengine:show", NULL, &sets, &ignored) != TOOL_OK)
        return NULL;
    urls = json_array();
    json_array_foreach(sets, i, set) {
        json_array_foreach(json_object_get(set, "Nodes"), k, nd) {
            const char *u = tool_str(nd, "url", NULL);
            if (u && json_array_size(urls) < ENGINES_MAX)
                json_array_append_new(urls, json_string(u));
        }
    }
    json_decref(sets);
    if (!json_array_size(urls)) {
        json_decref(urls);
        urls = NULL;
    }
    return urls;
}

/* Ask each engine (ng query) whether it holds callid: how many do, or -1 when none could be
 * asked; `holds` (new array, one boolean or null per engine) and the last failure in why. */
static int engines_holding(const json_t *urls, const char *callid, json_t **holds, char *why,
                           size_t n)
{
    int held = 0, asked = 0;
    size_t i;
    json_t *u;

    *holds = json_array();
    json_array_foreach(urls, i, u) {
        char w[256];
        enum ng_status st = ng_call(json_string_value(u), "query", callid, NG_TIMEOUT_MS, w,
                                    sizeof w);
        if (st == NG_OK || st == NG_NO_CALL) {
            asked++;
            held += st == NG_OK;
            json_array_append_new(*holds, json_boolean(st == NG_OK));
        } else {
            snprintf(why, n, "%s: %s", json_string_value(u), w);
            json_array_append_new(*holds, json_null());
        }
    }
    return asked ? held : -1;
}

static json_t *terminate_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *callid = tool_str(args, "callid", "");
    json_t *params = json_pack("{s:s}", "callid", callid), *result = NULL, *out = NULL;
    json_t *urls = NULL, *holds = NULL, *engines = json_array(), *u;
    struct tool_error ignored;
    char why[300] = "", outcome[600];
    int deleted = 0;
    size_t i;

    /* rtpengine:teardown ends the call's dialog (modules/rtpengine, mi_teardown_call); its media
     * is deleted by rtp_relay's dialog callbacks at best: on a real 4.0.1 and 3.6.8, RTPEngine
     * kept the session of a call so ended. And OpenSIPS answers OK for a Call-ID it does not
     * know. So RTPEngine itself is asked (ng query), and told (ng delete) when it still holds
     * the media: the tool's purpose, stranded media included. */
    bool has_dialog = tool_mi(x, "dialog:list", params, &result, &ignored) == TOOL_OK;
    json_decref(result);
    result = NULL;
    urls = engine_urls(x);
    if (tool_mi(x, "rtpengine:teardown", params, &result, e) != TOOL_OK)
        goto out;
    int held = -1;
    for (unsigned waited = 0; urls && !mcp_call_cancelled(x->call); waited += TEARDOWN_POLL_MS) {
        json_decref(holds);
        held = engines_holding(urls, callid, &holds, why, sizeof why);
        if (held <= 0 || waited >= TEARDOWN_WATCH_MS)
            break;
        struct timespec ts = {0, TEARDOWN_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    json_array_foreach(urls, i, u) {
        const json_t *h = json_array_get(holds, i);
        json_t *eng = json_pack("{s:s}", "url", json_string_value(u));
        if (json_is_true(h)) {
            char w[256];
            enum ng_status st = ng_call(json_string_value(u), "delete", callid, NG_TIMEOUT_MS, w,
                                        sizeof w);
            json_object_set_new(eng, "deleted", json_boolean(st == NG_OK || st == NG_NO_CALL));
            deleted += st == NG_OK;
            if (st != NG_OK && st != NG_NO_CALL)
                snprintf(why, sizeof why, "%s: %s", json_string_value(u), w);
        }
        json_object_set_new(eng, "held_after_teardown", json_is_boolean(h) ? json_incref((json_t *)h)
                                                                           : json_null());
        json_array_append_new(engines, eng);
    }
    if (deleted) {
        json_decref(holds);
        held = engines_holding(urls, callid, &holds, why, sizeof why);
    }
    if (held == 0 && deleted)
        snprintf(outcome, sizeof outcome, "media ended: OpenSIPS %s, but RTPEngine still held "
                 "the media; it was deleted there, and RTPEngine no longer holds the call",
                 has_dialog ? "ended the dialog" : "knew no dialog for this Call-ID");
    else if (held == 0)
        snprintf(outcome, sizeof outcome, "media ended: RTPEngine no longer holds the call%s",
                 has_dialog ? " (the dialog was ended, BYE sent)" : "");
    else if (held > 0)
        snprintf(outcome, sizeof outcome, "RTPEngine still holds the call's media after the "
                 "teardown and a delete (%s)", why[0] ? why : "no reason given");
    else
        snprintf(outcome, sizeof outcome, "%s; RTPEngine could not be asked whether the media "
                 "is gone (%s): check rtpengine_sessions or RTPEngine itself",
                 has_dialog ? "the dialog was ended (BYE sent)"
                            : "OpenSIPS answered OK, but it knows no dialog with this Call-ID",
                 urls ? why : "the node lists no RTPEngine (rtpengine:show)");
    json_t *res = json_pack("{s:s, s:b, s:s, s:O}", "callid", callid, "dialog_known", has_dialog,
                            "outcome", outcome, "engines", engines);
    /* media_ended only when RTPEngine itself could tell */
    if (held >= 0)
        json_object_set_new(res, "media_ended", json_boolean(held == 0));
    if (held > 0) {
        tool_fail(e, TOOL_E_REFUSED, NULL, 0, "%s", outcome);
        json_decref(res);
    } else {
        out = json_pack("{s:o}", "result", res);
    }
out:
    json_decref(urls);
    json_decref(holds);
    json_decref(engines);
    json_decref(params);
    json_decref(result);
    return out;
}

static const struct tool_def rtp_tools[] = {
    {.name = "rtpengine_sessions",
     .title = "List RTPEngine sessions",
     .description = "Lists the media sessions OpenSIPS relays through RTPEngine (rtp_relay sessions of engine "
                    "rtpengine), with their Call-IDs and legs.",
     .toolset = "rtp",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "rtp_relay:list", .params = PARAMS({"engine", "rtpengine"}),
            .absent = "this node has no rtp_relay module, and OpenSIPS lists media sessions "
                      "only through rtp_relay; ask RTPEngine itself (rtpengine-ctl list "
                      "sessions)"},
     .mapping = "rtp_relay:list {engine: rtpengine} (3.x rtp_relay_list); the Python server's mapping "
                "was not shown"},
    {.name = "rtpengine_terminate_call",
     .title = "Drop a call's media",
     .description = "Ends one call by Call-ID (OpenSIPS ends its dialog, BYE to both sides), then makes sure "
                    "RTPEngine drops its media, stranded media too.",
     .toolset = "rtp",
     .scope = SCOPE_BIT(SCOPE_MI_WRITE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_MI,
     .mi = {.cmd = "rtpengine:teardown"},
     .args = ARGS({.name = "callid", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 256,
                   .description = "The call's exact SIP Call-ID (callid in dlg_list or "
                                  "rtpengine_sessions)"}),
     .result = FIELDS({.name = "callid", .type = T_STRING},
                      {.name = "dialog_known", .type = T_BOOLEAN},
                      {.name = "media_ended", .type = T_BOOLEAN},
                      {.name = "engines", .type = T_ARRAY, .item = ITEM(.type = T_OBJECT, .fields = FIELDS({.name = "url", .type = T_STRING},
               {.name = "deleted", .type = T_BOOLEAN}))},
                      {.name = "outcome", .type = T_STRING}),
     .run = terminate_run,
     .mapping = "dialog:list {callid} and rtpengine:show (the node's RTPEngines), rtpengine:teardown "
                "{callid} (3.x teardown), then RTPEngine's own ng protocol: query until the media is gone "
                "(up to 3 s), delete when it is not, query again. Fixed: the Python server's "
                "rtpengine_terminate does not exist (-32601)"},
};
ROW_TABLE(rtp, rtp_tools);
