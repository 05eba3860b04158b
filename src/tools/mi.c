/* tools/mi: the generic MI tools — run any command the node has (mi_execute), with that
 * command's own read/write permission on top of mi.execute. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/roles.h"
#include "mcp/content.h"
#include "mi/catalogue.h"
#include "tools/guards.h"
#include "tools/row.h"
#include "tools/tool.h"

/* "get_statistics all", as opensips-cli -x mi takes it, names the command and its parameters at
 * once: say that the parameters go in params, by name, with the names the command takes when its
 * first word is one. The sentence, in buf; NULL when `command` has no blank. */
static const char *params_hint(const char *command, char *buf, size_t n)
{
    size_t len = strcspn(command, " \t"), at, i, k;
    const struct mi_cmd *cmd;
    char name[129];
    json_t *recipe, *p;

    if (!command[len])
        return NULL;
    snprintf(name, sizeof(name), "%.*s", (int)(len < 128 ? len : 128), command);
    cmd = mi_catalogue_find(name, NULL);
    at = (size_t)snprintf(buf, n, "mi_execute: '%.128s' is not a command name: name the command "
                          "alone and give its parameters in params, by name", command);
    if (cmd && at < n)
        at += (size_t)snprintf(buf + at, n - at, " ('%s' takes", name);
    json_array_foreach(cmd ? cmd->recipes40 : NULL, i, recipe) {
        if (at < n)
            at += (size_t)snprintf(buf + at, n - at, "%s (", i ? " or" : "");
        json_array_foreach(recipe, k, p)
            if (at < n)
                at += (size_t)snprintf(buf + at, n - at, "%s%s", k ? ", " : "",
                                       json_string_value(p));
        if (at < n)
            at += (size_t)snprintf(buf + at, n - at, ")");
    }
    if (at < n)
        snprintf(buf + at, n - at, "%s, as in {\"command\":\"get_statistics\",\"params\":"
                 "{\"statistics\":[\"all\"]}}%s", cmd ? ")" : "",
                 cmd ? "" : "; the first word is no MI command either: mi_execute "
                            "{\"command\":\"which\"} lists the node's commands");
    return buf;
}

/* What mi_execute of a command needs: by the command's own class for these parameters (the one
 * rule cluster_send_command shares), on top of the row's mi.execute. */
static json_t *mi_execute_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                                struct mcp_needs *n)
{
    const char *command = json_string_value(json_object_get(args, "command"));
    const json_t *params = json_object_get(args, "params");
    const char *node = tool_node(args);
    const struct mi_cmd *cmd;
    struct mi_error e;

    (void)c, (void)d;
    if (!(cmd = mi_catalogue_find(command, &e))) {
        char hint[768];
        if (params_hint(command, hint, sizeof(hint)))
            return content_error_result("%s", hint);
        return content_error_result("mi_execute: %s; list the node's commands with "
                                    "mi_execute {\"command\":\"which\"}",
                                    e.text);
    }
    tool_mi_cmd_needs(cmd, mi_cmd_class(cmd, params) == MI_CLASS_WRITE, n);
    snprintf(n->what, sizeof(n->what), "run the MI command '%s' on node %s", cmd->key,
             node ? node : "(default)");
    return NULL;
}

/* Scope, confirmation and the known-defect check were the gate's (mi_execute_needs). */
static json_t *mi_execute_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *command = json_string_value(json_object_get(args, "command"));
    const json_t *params = json_object_get(args, "params");
    const struct mi_cmd *cmd;
    struct mi_error m;
    json_t *result = NULL, *out;
    char *note = NULL;

    if (!(cmd = mi_catalogue_find(command, &m)))
        return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "%s", m.text);
    if (tool_mi(x, cmd->key, params, &result, e) != TOOL_OK)
        return NULL;
    result = tool_cap(result, TOOL_RESULT_CAP, &note);
    out = json_pack("{s:s, s:s, s:o}", "command", cmd->key, "access",
                    mi_class_name(mi_cmd_class(cmd, params)), "result", result);
    if (note)
        json_object_set_new(out, "note", json_string(note));
    free(note);
    return out;
}

/* One command as the catalogue knows it: names per version, recipes, read or write. */
static json_t *describe(const struct mi_cmd *cmd)
{
    const struct guard *g = guard_find(cmd->key);
    json_t *o = json_pack("{s:s, s:s%, s:O, s:s, s:b}", "key", cmd->key, "module", cmd->key,
                          strcspn(cmd->key, ":"), "aliases", cmd->aliases, "access",
                          mi_class_name(cmd->cls), "async", cmd->async);

    json_object_set_new(o, "name_3x", cmd->name36 ? json_string(cmd->name36) : json_null());
    json_object_set_new(o, "recipes_4x", json_deep_copy(cmd->recipes40));
    json_object_set_new(o, "recipes_3x", cmd->recipes36 ? json_deep_copy(cmd->recipes36) : json_null());
    if (cmd->write_param)
        json_object_set_new(o, "writes_when_given", json_string(cmd->write_param));
    if (g)
        json_object_set_new(o, "known_defect", json_string(g->tell));
    return o;
}

static json_t *mi_list_commands_run(struct tool_ctx *x, const json_t *args,
                                    struct tool_error *e)
{
    const char *module = tool_str(args, "module", NULL);
    const char *contains = tool_str(args, "contains", NULL);
    json_t *names = NULL, *items, *name;
    size_t i;

    /* What the node itself offers (which), joined with what the catalogue knows of each. */
    if (tool_mi(x, "core:which", NULL, &names, e) != TOOL_OK)
        return NULL;
    items = json_array();
    json_array_foreach(names, i, name) {
        const char *n = json_string_value(name);
        const struct mi_cmd *cmd = n ? mi_catalogue_find(n, NULL) : NULL;
        if (!n || (contains && !strstr(n, contains)) ||
            (module && (!cmd || strncmp(cmd->key, module, strlen(module)) ||
                        cmd->key[strlen(module)] != ':')))
            continue;
        json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "name", n, "key",
                                               cmd ? cmd->key : n, "access",
                                               cmd ? mi_class_name(cmd->cls) : "unknown"));
    }
    json_decref(names);
    return row_page(items, args, -1, 0);
}

static json_t *mi_describe_command_run(struct tool_ctx *x, const json_t *args,
                                       struct tool_error *e)
{
    const char *command = tool_str(args, "command", "");
    const struct mi_cmd *cmd = mi_catalogue_find(command, NULL);
    struct tool_error he;
    json_t *out, *help = NULL, *params, *info;
    bool v3;

    if (!cmd)
        return tool_fail(e, TOOL_E_NOT_FOUND, NULL, 0, "OpenSIPS 3.6 and 4.0 have no MI command "
                         "'%s'; mi_list_commands lists what the node offers", command);
    out = describe(cmd);
    /* The node's own help text, when it answers (the command's module may not be loaded);
     * help takes the name this node accepts: 3.x knows only the bare names. */
    info = mi_client_node_info(x->be->mi, x->node);
    v3 = json_integer_value(json_object_get(info, "major")) == 3 && cmd->name36;
    json_decref(info);
    params = json_pack("{s:s}", "mi_cmd", v3 ? cmd->name36 : cmd->key);
    if (tool_mi(x, "core:help", params, &help, &he) == TOOL_OK)
        json_object_set_new(out, "help", help);
    else
        json_object_set_new(out, "help_error", json_string(he.text));
    json_decref(params);
    return json_pack("{s:o}", "result", out);
}

static const struct tool_def mi_tools_rows[] = {
    {.name = "mi_execute",
     .title = "Run an MI command",
     .description = "Run any OpenSIPS Management Interface command the node offers, with named parameters. "
                    "Besides mi.execute, read commands need mi.read; commands that change state need mi.write "
                    "and the user's confirmation. Replies over 50 KB are cut, with a note saying how to get "
                    "the rest.",
     .toolset = "mi",
     .scope = SCOPE_BIT(SCOPE_MI_EXECUTE),
     .flags = TOOL_F_DESTRUCTIVE,
     .backend = BACKEND_MI,
     .args = ARGS({.name = "command", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128,
                   .description = "The MI command: a 4.x name (dialog:list), a 3.x name (dlg_list) or an "
                                  "alias; 'which' lists what the node offers"},
                  {.name = "params", .type = T_OBJECT,
                   .description = "Named parameters of the command, e.g. {\"dialog_id\":\"1234.5678\"}; "
                                  "'which' with {\"command\":NAME} shows the accepted sets"},
                  {.name = "force", .type = T_BOOLEAN,
                   .description = "true to run a command a known OpenSIPS defect makes dangerous (the "
                                  "refusal says which and why)"}),
     .run = mi_execute_run,
     .needs = mi_execute_needs,
     .mapping = "the command as given, checked against the catalogue's recipes; its read/write class "
                "(catalogue rule and overrides) decides the extra scope and the confirmation. Fixed: the "
                "Python server relies on a hand-kept allowlist, 38 of whose names OpenSIPS 4.0.1 rejects"},
    {.name = "mi_list_commands",
     .title = "List MI commands",
     .description = "Lists the MI commands the node offers, each with its catalogue key and whether it reads "
                    "or writes; filter by module or text.",
     .toolset = "mi",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY | ROW_LIST,
     .backend = BACKEND_MI,
     .mi = {.cmd = "core:which"},
     .args = ARGS({.name = "module", .type = T_STRING, .max_len = 64,
                   .description = "Only this module's commands (the part before ':' in 4.x names, "
                                  "e.g. dialog)"},
                  {.name = "contains", .type = T_STRING, .max_len = 64,
                   .description = "Only names containing this text"}),
     .run = mi_list_commands_run,
     .links = LINKS({.uri = "opensips://{node}/mi"}),
     .mapping = "core:which (the node's own list), joined with the catalogue's read/write class"},
    {.name = "mi_describe_command",
     .title = "Describe an MI command",
     .description = "Describes one MI command: module, names in 4.x and 3.x, accepted parameter sets, read or "
                    "write, known OpenSIPS defects, and the node's help text.",
     .toolset = "mi",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "core:help"},
     .args = ARGS({.name = "command", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128,
                   .description = "The MI command, any name or alias (from mi_list_commands)"}),
     .run = mi_describe_command_run,
     .links = LINKS({.uri = "opensips://{node}/mi/{command}"}),
     .mapping = "the embedded catalogues (4.0.1 and 3.6.8), plus core:help {mi_cmd} from the node"},
};
ROW_TABLE(mi, mi_tools_rows);
