/* tools/mi: the generic MI tools — run any command the node has (mi_execute), with that
 * command's own read/write permission on top of mi.execute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/roles.h"
#include "mcp/content.h"
#include "mcp/registry.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "tools/guards.h"
#include "tools/row.h"
#include "tools/tool.h"

static json_t *t_mi_execute(struct mcp_call *c, const struct mcp_tool *t, json_t *args)
{
    const char *command = json_string_value(json_object_get(args, "command"));
    const json_t *params = json_object_get(args, "params");
    const char *node = tool_node(args);
    struct mi_client *mi = mcp_server_mi(mcp_call_server(c));
    const struct mi_cmd *cmd;
    struct mi_error e;
    json_t *result = NULL, *out;
    char *note = NULL;

    if (!(cmd = mi_catalogue_find(command, &e)))
        return content_error_result("mi_execute: %s; list the node's commands with "
                                    "mi_execute {\"command\":\"which\"}",
                                    e.text);
    if (mi_cmd_class(cmd, params) == MI_CLASS_READ &&
        !mcp_call_has_scopes(c, SCOPE_BIT(SCOPE_MI_READ)))
        return content_error_result(
            "permission denied: mi_execute of '%s' needs the scope 'mi.read' as well as "
            "'mi.execute', and role '%s' does not have it", cmd->key, mcp_call_role(c));
    if (mi_cmd_class(cmd, params) == MI_CLASS_WRITE) {
        char what[300];
        if (!mcp_call_has_scopes(c, SCOPE_BIT(SCOPE_MI_WRITE)))
            return content_error_result(
                "permission denied: '%s' changes state, so mi_execute needs the scope 'mi.write' "
                "as well as 'mi.execute', and role '%s' does not have it", cmd->key,
                mcp_call_role(c));
        snprintf(what, sizeof(what), "run the MI command '%s' on node %s", cmd->key,
                 node ? node : "(default)");
        if (!tool_confirm(c, args, what, &out))
            return out;
    }
    /* A command that crashes or cannot work on a real OpenSIPS is refused unless force: true. */
    if (!guard_allows(c, args, node, cmd->key, &out))
        return out;
    if (mi_client_call(mi, node, cmd->key, params, 0, &result, &e) != MI_OK)
        return tool_mi_error(c, t->name, &e);
    result = tool_cap(result, TOOL_RESULT_CAP, &note);
    out = json_pack("{s:s, s:s, s:s, s:o}", "node", node ? node : "default", "command", cmd->key,
                    "access", mi_class_name(mi_cmd_class(cmd, params)), "result", result);
    if (note)
        json_object_set_new(out, "note", json_string(note));
    free(note);
    return content_structured_result(out);
}

static const struct tool_arg mi_execute_args[] = {
    {"command", "string", "The MI command: a 4.x name (dialog:list), a 3.x name (dlg_list) or an "
     "alias; 'which' lists what the node offers", ARG_REQUIRED,
     "\"minLength\":1,\"maxLength\":128", NULL},
    {"params", "object", "Named parameters of the command, e.g. {\"dialog_id\":\"1234.5678\"}; "
     "'which' with {\"command\":NAME} shows the accepted sets", 0, NULL, NULL},
    {"force", "boolean", "true to run a command a known OpenSIPS defect makes dangerous (the "
     "refusal says which and why)", 0, NULL, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct tool_def mi_tools_rows[] = {
    {"mi_execute", "Run an MI command",
     "Run any OpenSIPS Management Interface command the node offers, with named parameters. "
     "Besides mi.execute, read commands need mi.read; commands that change state need mi.write "
     "and the user's confirmation. Replies over 50 KB are cut, with a note saying how to get "
     "the rest.",
     "mi", NULL, mi_execute_args, SCOPE_BIT(SCOPE_MI_EXECUTE), TOOL_F_DESTRUCTIVE, NULL, NULL,
     t_mi_execute,
     "the command as given, checked against the catalogue's recipes; its read/write class "
     "(catalogue rule and overrides) decides the extra scope and the confirmation. Fixed: the "
     "Python server relies on a hand-kept allowlist, 38 of whose names OpenSIPS 4.0.1 rejects"},
};
ROW_TABLE(mi, mi_tools_rows);
