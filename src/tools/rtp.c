/* tools/rtp: media sessions relayed through RTPEngine. OpenSIPS lists them through rtp_relay
 * and tears a call's media down with rtpengine:teardown; there is no "rtpengine_terminate". */
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

static json_t *sessions_one(struct mcp_call *c, const json_t *args, const char *node,
                            struct mi_error *e)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    json_t *params = json_pack("{s:s}", "engine", "rtpengine"), *result = NULL;

    enum mi_err rc = mi_client_call(mi, node, "rtp_relay:list", params, 0, &result, e);
    json_decref(params);
    if (rc != MI_OK)
        return NULL;
    json_t *out = row_page(json_is_array(result) ? json_incref(result) : json_array(), args, -1, 0);
    json_decref(result);
    return out;
}

static json_t *t_rtpengine_sessions(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *node = tool_node(args);
    struct mi_error e;
    json_t *r = sessions_one(c, args, node, &e);

    if (!r && e.err == MI_ERR_UNKNOWN_COMMAND)
        return content_error_result("%s: this node has no rtp_relay module, and OpenSIPS "
                                    "lists media sessions only through rtp_relay; ask "
                                    "RTPEngine itself (rtpengine-ctl list sessions). (%s)",
                                    t->name, e.text);
    return tool_node_result(c, t->name, node, r, &e);
}

/* Whether rtp_relay lists a media session of this Call-ID (the item's callid, or its context's;
 * rtp_relay:list's items are the "rtp_relay" objects of mi_rtp_relay_ctx, their name dropped in
 * the array): 1 yes, 0 no, -1 cannot tell (no rtp_relay on the node, or the call failed). */
static int relay_lists(struct mi_client *mi, const char *node, const char *callid)
{
    json_t *params = json_pack("{s:s}", "engine", "rtpengine"), *list = NULL, *item;
    size_t i;
    int found = -1;

    if (mi_client_call(mi, node, "rtp_relay:list", params, 0, &list, NULL) == MI_OK &&
        json_is_array(list)) {
        found = 0;
        json_array_foreach(list, i, item) {
            const json_t *r = json_object_get(item, "rtp_relay");
            if (!r)
                r = item;
            if (!strcmp(tool_str(r, "callid", ""), callid) ||
                !strcmp(tool_str(json_object_get(r, "ctx"), "callid", ""), callid))
                found = 1;
        }
    }
    json_decref(params);
    json_decref(list);
    return found;
}

/* How long to watch rtp_relay for the session to go after the teardown: the dialog's BYEs
 * go out first, and rtp_relay deletes the media when the dialog ends. */
#define TEARDOWN_WATCH_MS 3000
#define TEARDOWN_POLL_MS 200

static json_t *t_rtpengine_terminate_call(struct mcp_call *c, const struct mcp_tool *t,
                                          json_t *args)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const char *node = tool_node(args);
    const char *callid = tool_str(args, "callid", "");
    json_t *params = json_pack("{s:s}", "callid", callid), *result = NULL, *out = NULL;
    json_t *ended = json_null();
    struct mi_error e;
    const char *outcome;

    /* rtpengine:teardown ends the call's dialog (modules/rtpengine, mi_teardown_call): the media
     * goes with it only when rtp_relay manages the call; rtpengine itself registers no dialog
     * callback, so media set up by rtpengine_offer/answer in the script stays on RTPEngine.
     * And OpenSIPS answers OK for a Call-ID it does not know. So look before and after. */
    bool has_dialog = mi_client_call(mi, node, "dialog:list", params, 0, &result, &e) == MI_OK;
    json_decref(result);
    result = NULL;
    int before = relay_lists(mi, node, callid);
    if (mi_client_call(mi, node, "rtpengine:teardown", params, 0, &result, &e) != MI_OK) {
        out = tool_mi_error(c, t->name, &e);
        goto out;
    }
    int after = before;
    for (unsigned waited = 0; before == 1 && after == 1 && waited < TEARDOWN_WATCH_MS &&
                              !mcp_call_cancelled(c);
         waited += TEARDOWN_POLL_MS) {
        struct timespec ts = {0, TEARDOWN_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
        after = relay_lists(mi, node, callid);
    }
    if (before == 1) {
        ended = json_boolean(after == 0);
        outcome = after == 0 ? "media ended: rtp_relay no longer lists the call"
                             : "teardown sent, but rtp_relay still lists the call's media; "
                               "check rtpengine_sessions, or delete it on RTPEngine "
                               "(rtpengine-ctl terminate <callid>)";
    } else if (has_dialog) {
        outcome = "the call's dialog was ended (BYE sent), but OpenSIPS does not manage its media "
                  "(rtp_relay has no session for it) and deletes nothing on RTPEngine when a "
                  "dialog ends over MI: delete it there (rtpengine-ctl terminate <callid>)";
    } else {
        outcome = "OpenSIPS answered OK, but it has no dialog with this Call-ID and answers OK "
                  "for unknown calls too: media may still be held; check rtpengine_sessions "
                  "or delete it on RTPEngine (rtpengine-ctl terminate <callid>)";
    }
    /* media_ended only when rtp_relay could tell */
    json_t *res = json_pack("{s:s, s:b, s:s}", "callid", callid, "dialog_known", has_dialog,
                            "outcome", outcome);
    if (json_is_boolean(ended))
        json_object_set(res, "media_ended", ended);
    out = content_structured_result(
        json_pack("{s:s, s:o}", "node", node ? node : "default", "result", res));
out:
    json_decref(ended);
    json_decref(params);
    json_decref(result);
    return out;
}

static const struct tool_arg terminate_args[] = {
    {"callid", "string", "The call's exact SIP Call-ID (callid in dlg_list or "
     "rtpengine_sessions)", ARG_REQUIRED, "\"minLength\":1,\"maxLength\":256", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const char terminate_schema[] =
    "{\"type\":\"object\",\"properties\":{\"callid\":{\"type\":\"string\"},\"dialog_known\":"
    "{\"type\":\"boolean\"},\"media_ended\":{\"type\":\"boolean\"},"
    "\"outcome\":{\"type\":\"string\"}}}";

static const struct tool_def rtp_tools[] = {
    {"rtpengine_sessions", "List RTPEngine sessions",
     "Lists the media sessions OpenSIPS relays through RTPEngine (rtp_relay sessions of engine "
     "rtpengine), with their Call-IDs and legs.",
     "rtp", NULL, NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY | ROW_LIST, NULL, NULL,
     t_rtpengine_sessions,
     "rtp_relay:list {engine: rtpengine} (3.x rtp_relay_list); the Python server's mapping "
     "was not shown", NULL,
     "rtp_relay:list"},
    {"rtpengine_terminate_call", "Drop a call's media",
     "Ends one call by Call-ID (rtpengine:teardown: OpenSIPS ends its dialog, BYE to both "
     "sides); its media goes too where rtp_relay manages it. The result says whether the media "
     "really ended. Asks the user to confirm.",
     "rtp", NULL, terminate_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, terminate_schema, t_rtpengine_terminate_call,
     "dialog:list {callid} and rtp_relay:list (what OpenSIPS knows), rtpengine:teardown "
     "{callid} (3.x teardown), then rtp_relay:list again (up to 3 s) to see the media go. "
     "Fixed: the Python server's rtpengine_terminate does not exist (-32601)",
     NULL, "rtpengine:teardown"},
};
ROW_TABLE(rtp, rtp_tools);
