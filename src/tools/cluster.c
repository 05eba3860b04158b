/* tools/cluster: the clusterer module — nodes, links, topology, and running an MI command on a
 * peer node over the cluster's BIN links (clusterer:send_mi, fire-and-forget). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/roles.h"
#include "jsonload.h"
#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "mi/client.h"
#include "tools/row.h"
#include "tools/tool.h"

/* A JSON value as the string OpenSIPS reads from cmd_params (strings as they are). */
static json_t *param_string(const json_t *v)
{
    char buf[64];

    if (json_is_string(v))
        return json_string(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return json_string(buf);
    }
    if (json_is_real(v)) {
        snprintf(buf, sizeof(buf), "%g", json_real_value(v));
        return json_string(buf);
    }
    return NULL;
}

/* cmd_params (an array of strings, positional) from the Python server's mi_params: a JSON
 * array, or a JSON object whose names are put in the order of the command's recipe with the
 * same names. NULL with *why set when it cannot be mapped. */
static json_t *positional(const struct mi_cmd *cmd, const char *text, const char **why)
{
    json_error_t je;
    json_t *in = jsonload_string(text, JSON_DECODE_ANY, &je), *out = json_array(), *v, *recipe;
    size_t i, k;

    *why = NULL;
    if (!in && json_error_code(&je) == json_error_stack_overflow) {
        *why = "mi_params is nested deeper than " JSONLOAD_DEPTH_MAX_TEXT " levels of arrays "
               "and objects";
        goto fail;
    }
    if (json_is_array(in)) {
        json_array_foreach(in, i, v) {
            json_t *s = param_string(v);
            if (!s) {
                *why = "mi_params items must be strings or numbers";
                goto fail;
            }
            json_array_append_new(out, s);
        }
        json_decref(in);
        return out;
    }
    if (!json_is_object(in)) {
        *why = "mi_params must be a JSON array of the command's parameters in order "
               "(e.g. [\"3\"]), or a JSON object of named parameters";
        goto fail;
    }
    if (!json_object_size(in)) {
        json_decref(in);
        return out;
    }
    /* find the recipe with exactly these names; its order is the positional order */
    json_array_foreach(cmd->recipes40, i, recipe) {
        json_t *p;
        if (json_array_size(recipe) != json_object_size(in))
            continue;
        bool all = true;
        json_array_foreach(recipe, k, p)
            all = all && json_object_get(in, json_string_value(p));
        if (!all)
            continue;
        json_array_foreach(recipe, k, p) {
            json_t *s = param_string(json_object_get(in, json_string_value(p)));
            if (!s) {
                *why = "mi_params values must be strings or numbers";
                goto fail;
            }
            json_array_append_new(out, s);
        }
        json_decref(in);
        return out;
    }
    *why = "these parameter names match none of the command's parameter sets";
fail:
    json_decref(in);
    json_decref(out);
    return NULL;
}

/* After a failed send: say what clusterer:list knows of the destination, so "Send error"
 * (OpenSIPS's one reply for an unknown cluster, unknown node and down link) becomes a reason. */
static void explain_destination(struct tool_ctx *x, long long cluster, long long dest, char *out,
                                size_t n)
{
    json_t *result = NULL, *cl, *nd;
    struct tool_error e;
    size_t i, k;
    bool seen_cluster = false;

    *out = '\0';
    if (tool_mi(x, "clusterer:list", NULL, &result, &e) != TOOL_OK)
        return;
    json_array_foreach(json_object_get(result, "Clusters"), i, cl) {
        if (json_integer_value(json_object_get(cl, "cluster_id")) != cluster)
            continue;
        seen_cluster = true;
        json_array_foreach(json_object_get(cl, "Nodes"), k, nd) {
            if (json_integer_value(json_object_get(nd, "node_id")) != dest)
                continue;
            snprintf(out, n, "; cluster_status shows node %lld with link_state '%s' and state "
                     "'%s'", dest, tool_str(nd, "link_state", "?"), tool_str(nd, "state", "?"));
            json_decref(result);
            return;
        }
    }
    if (seen_cluster)
        snprintf(out, n, "; cluster %lld has no node %lld other than this one (see "
                 "cluster_status)", cluster, dest);
    else
        snprintf(out, n, "; this node is in no cluster %lld (see cluster_status)", cluster);
    json_decref(result);
}

/* The command and its positional parameters from the arguments: 0, or -1 with a sentence in
 * why ("nothing was sent: ..."). *cmd_params is new (NULL without mi_params). */
static int relayed(const json_t *args, const struct mi_cmd **cmd, json_t **cmd_params, char *why,
                   size_t n)
{
    const char *mi_params = tool_str(args, "mi_params", NULL), *bad;
    struct mi_error e;

    *cmd_params = NULL;
    if (!(*cmd = mi_catalogue_find(tool_str(args, "mi_cmd", ""), &e))) {
        snprintf(why, n, "nothing was sent: %.500s; see mi_list_commands", e.text);
        return -1;
    }
    if (mi_params && *mi_params && !(*cmd_params = positional(*cmd, mi_params, &bad))) {
        snprintf(why, n, "nothing was sent: %s (OpenSIPS passes them to '%s' by position)", bad,
                 (*cmd)->key);
        return -1;
    }
    return 0;
}

/* Relaying a command needs what mi_execute of it needs (tool_mi_cmd_needs): mi.read or
 * mi.write by its class, confirmation of a write, the known-defect check (peers of a cluster
 * run the relaying node's version). */
static json_t *send_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                          struct mcp_needs *n)
{
    const struct mi_cmd *cmd;
    const char *node = tool_node(args);
    json_t *cmd_params;
    char why[600];

    (void)c;
    if (relayed(args, &cmd, &cmd_params, why, sizeof(why)) < 0)
        return content_error_result("%s: %s", d->name, why);
    /* a read command that writes when given a parameter (log_level with a level) is a write */
    tool_mi_cmd_needs(cmd, mi_cmd_class(cmd, NULL) == MI_CLASS_WRITE ||
                               (cmd->write_param && json_array_size(cmd_params)), n);
    snprintf(n->what, sizeof(n->what), "run '%s' on node %lld of cluster %lld (relayed by node %s)",
             cmd->key, (long long)json_integer_value(json_object_get(args, "node_id")),
             (long long)json_integer_value(json_object_get(args, "cluster_id")),
             node ? node : "default");
    json_decref(cmd_params);
    return NULL;
}

/* The major version of x's node (3 or 4), learned on first contact. */
static int node_major(struct tool_ctx *x)
{
    json_t *info = mi_client_node_info(x->be->mi, x->node);
    struct tool_error ignored;

    if (!json_integer_value(json_object_get(info, "major"))) {
        json_t *v = NULL; /* first contact: the call makes the client learn the node */
        tool_mi(x, "core:version", NULL, &v, &ignored);
        json_decref(v);
        json_decref(info);
        info = mi_client_node_info(x->be->mi, x->node);
    }
    int major = json_integer_value(json_object_get(info, "major")) == 3 ? 3 : 4;
    json_decref(info);
    return major;
}

/* Scope, confirmation and the known-defect check were the gate's (send_needs). */
static json_t *send_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *mi_cmd = tool_str(args, "mi_cmd", "");
    long long cluster = json_integer_value(json_object_get(args, "cluster_id"));
    long long dest = json_integer_value(json_object_get(args, "node_id"));
    const struct mi_cmd *cmd;
    json_t *params = NULL, *cmd_params = NULL, *result = NULL, *out = NULL;
    char why[600], reason[256];

    if (relayed(args, &cmd, &cmd_params, why, sizeof(why)) < 0)
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s", why);
    /* the peer runs the name as given: the one this node's version accepts (peers of a
     * cluster run the same version) */
    int major = node_major(x);
    const char *names[16], *cmd_name;
    size_t n = mi_cmd_names(cmd, major, names, 16), k;
    for (k = 0; k < n && strcmp(names[k], mi_cmd); k++)
        ;
    if (k < n || (cmd->name36 && !strcmp(mi_cmd, cmd->name36) && !strcmp(mi_cmd, cmd->local)))
        cmd_name = mi_cmd; /* as given: that version accepts it (a plain core name: both do) */
    else if (n)
        cmd_name = names[0];
    else {
        tool_fail(e, TOOL_E_UNSUPPORTED, NULL, 0, "nothing was sent: OpenSIPS %d.x has no '%s'",
                  major, mi_cmd);
        goto out;
    }
    params = json_pack("{s:I, s:I, s:s}", "cluster_id", (json_int_t)cluster, "destination",
                       (json_int_t)dest, "cmd_name", cmd_name);
    if (cmd_params && json_array_size(cmd_params))
        json_object_set(params, "cmd_params", cmd_params);
    if (tool_mi(x, "clusterer:send_mi", params, &result, e) != TOOL_OK) {
        if (tool_mi_is(e, MI_ERR_MI)) {
            char detail[sizeof(e->text)];
            snprintf(detail, sizeof(detail), "%s", e->text);
            explain_destination(x, cluster, dest, reason, sizeof(reason));
            snprintf(e->text, sizeof(e->text), "not sent: %.500s%s", detail, reason);
        }
        goto out;
    }
    out = json_pack("{s:{s:I, s:I, s:s, s:o, s:s}}", "result", "cluster_id", (json_int_t)cluster,
                    "node_id", (json_int_t)dest, "mi_cmd", cmd_name, "cmd_params",
                    cmd_params ? json_incref(cmd_params) : json_array(), "outcome",
                    "sent over the cluster link; OpenSIPS does not return the peer's reply "
                    "(fire-and-forget): check the effect with a read tool on that node");
out:
    json_decref(params);
    json_decref(cmd_params);
    json_decref(result);
    return out;
}

static const struct tool_arg clusters_schema[] = {
    {.name = "Clusters", .type = T_ARRAY, .item = ITEM(.type = T_OBJECT, .fields = FIELDS({.name = "cluster_id", .type = T_INTEGER},
        {.name = "Nodes", .type = T_ARRAY}))},
    {0},
};

static const struct tool_def cluster_tools[] = {
    {.name = "cluster_status",
     .title = "Cluster nodes and links",
     .description = "Lists this node's clusters and their other nodes: node_id, URL, link_state (Up, Down, "
                    "Probe), state (enabled/disabled), next hop.",
     .toolset = "cluster",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "clusterer:list"},
     .result = clusters_schema,
     .mapping = "clusterer:list (3.x clusterer_list)"},
    {.name = "cluster_topology",
     .title = "Cluster topology",
     .description = "Shows the cluster topology as this node sees it: each node and its neighbours.",
     .toolset = "cluster",
     .scope = SCOPE_BIT(SCOPE_MI_READ),
     .flags = TOOL_F_READONLY,
     .backend = BACKEND_MI,
     .mi = {.cmd = "clusterer:list_topology"},
     .result = clusters_schema,
     .mapping = "clusterer:list_topology (3.x clusterer_list_topology)"},
    {.name = "cluster_send_command",
     .title = "Run a command on a peer node",
     .description = "Runs an MI command on another node of a cluster, relayed over the cluster link. The "
                    "peer's reply is not returned. Needs what mi_execute of the command needs: mi.execute, "
                    "and mi.read for a read or mi.write and the user's confirmation for a change.",
     .toolset = "cluster",
     .scope = SCOPE_BIT(SCOPE_MI_EXECUTE),
     .flags = TOOL_F_DESTRUCTIVE,
     .backend = BACKEND_MI,
     .args = ARGS({.name = "cluster_id", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(1),
                   .description = "The cluster's id (cluster_id in cluster_status)"},
                  {.name = "node_id", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(1),
                   .description = "The peer node to run it on (node_id in cluster_status; not this "
                                  "node)"},
                  {.name = "mi_cmd", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128,
                   .description = "MI command to run there (e.g. log_level, dlg_list); see "
                                  "mi_list_commands"},
                  {.name = "mi_params", .type = T_STRING, .max_len = 4096,
                   .description = "Its parameters as JSON text: an array in order ([\"3\"]) or an "
                                  "object of named parameters ({\"level\":3})"},
                  {.name = "force", .type = T_BOOLEAN,
                   .description = "true to relay a command a known OpenSIPS defect makes dangerous (the "
                                  "refusal says which and why), as mi_execute takes it"}),
     .run = send_run,
     .needs = send_needs,
     .mapping = "clusterer:send_mi {cluster_id, destination: node_id, cmd_name: mi_cmd, cmd_params: "
                "[...]} (3.x cluster_send_mi). Fixed: the Python server's clusterer_send_mi and "
                "{node_id, mi_cmd, mi_params} are rejected by OpenSIPS; mi_params becomes the positional "
                "array OpenSIPS needs; the Python server relays any command with no check of its class"},
};
ROW_TABLE(cluster, cluster_tools);
