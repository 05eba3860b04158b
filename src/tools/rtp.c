/* tools/rtp: media sessions relayed through RTPEngine. OpenSIPS lists them through rtp_relay
 * and tears a call's media down with rtpengine:teardown; there is no "rtpengine_terminate". */
#include <stdio.h>
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

static json_t *t_rtpengine_terminate_call(struct mcp_call *c, const struct mcp_tool *t,
                                          json_t *args)
{
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const char *node = tool_node(args);
    const char *callid = tool_str(args, "callid", "");
    json_t *params = json_pack("{s:s}", "callid", callid), *result = NULL, *out = NULL;
    struct mi_error e;

    /* OpenSIPS answers OK whether or not any media session exists for the Call-ID (recorded
     * for an unknown Call-ID and with no RTPEngine at all), so the reply proves nothing: say
     * what is known instead, whether OpenSIPS still has a dialog for the call. */
    bool has_dialog = mi_client_call(mi, node, "dialog:list", params, 0, &result, &e) == MI_OK;
    json_decref(result);
    result = NULL;
    if (mi_client_call(mi, node, "rtpengine:teardown", params, 0, &result, &e) != MI_OK) {
        out = tool_mi_error(c, t->name, &e);
        goto out;
    }
    out = content_structured_result(json_pack(
        "{s:s, s:{s:s, s:b, s:s}}", "node", node ? node : "default", "result", "callid", callid,
        "dialog_known", has_dialog, "outcome",
        has_dialog ? "teardown sent; OpenSIPS answers OK even when RTPEngine had no session for "
                     "this call, so check rtpengine_sessions"
                   : "OpenSIPS answered OK, but it has no dialog with this Call-ID and answers OK "
                     "for unknown calls too: media may still be held; check rtpengine_sessions "
                     "or delete it on RTPEngine (rtpengine-ctl terminate <callid>)"));
out:
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
    "{\"type\":\"boolean\"},\"outcome\":{\"type\":\"string\"}}}";

static const struct tool_def rtp_tools[] = {
    {"rtpengine_sessions", "List RTPEngine sessions",
     "Lists the media sessions OpenSIPS relays through RTPEngine (rtp_relay sessions of engine "
     "rtpengine), with their Call-IDs and legs.",
     "rtp", NULL, NULL, SCOPE_BIT(SCOPE_MI_READ), TOOL_F_READONLY | ROW_LIST, NULL, NULL,
     t_rtpengine_sessions,
     "rtp_relay:list {engine: rtpengine} (3.x rtp_relay_list); the Python server's mapping "
     "was not shown", NULL},
    {"rtpengine_terminate_call", "Drop a call's media",
     "Makes RTPEngine drop the media of one call, by Call-ID, e.g. media left after signalling "
     "ended. OpenSIPS's OK does not prove a session existed; the result says what is known. "
     "Asks the user to confirm.",
     "rtp", NULL, terminate_args, SCOPE_BIT(SCOPE_MI_WRITE),
     TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, NULL, terminate_schema, t_rtpengine_terminate_call,
     "dialog:list {callid} (what OpenSIPS knows), then rtpengine:teardown {callid} (3.x "
     "teardown). Fixed: the Python server's rtpengine_terminate does not exist (-32601)", NULL},
};
ROW_TABLE(rtp, rtp_tools);
