/* complete: candidates for completion/complete, from the configuration, the catalogue or a node. */
#include "complete/complete.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/templates.h"
#include "file/rootfile.h"
#include "jsonrpc.h"
#include "mi/catalogue.h"
#include "mi/client.h"
#include "tools/backends.h"
#include "tools/cfg_common.h"
#include "tools/cfg_files.h"
#include "tools/sipp.h"
#include "tools/tool.h"

static const char *const source_names[COMPL_SOURCE_COUNT] = {
    [COMPL_NONE] = "none", [COMPL_NODE] = "node", [COMPL_CALLID] = "callid",
    [COMPL_AOR] = "aor", [COMPL_DS_SET] = "dispatcher_set", [COMPL_STAT_GROUP] = "stat_group",
    [COMPL_MI_COMMAND] = "mi_command", [COMPL_TEMPLATE] = "template",
    [COMPL_SIPP_SCENARIO] = "sipp_scenario", [COMPL_CFG_FILE] = "cfg_file",
};

/* The sources whose candidates come from one node's state (the rest are the server's own). */
static const bool asks_node[COMPL_SOURCE_COUNT] = {
    [COMPL_CALLID] = true, [COMPL_AOR] = true, [COMPL_DS_SET] = true, [COMPL_STAT_GROUP] = true,
};

const char *compl_source_name(enum compl_source s)
{
    return (unsigned)s < COMPL_SOURCE_COUNT ? source_names[s] : "?";
}

/* The candidates seen so far, as the keys of an object: each once, whatever the node repeats. */
static void offer(json_t *seen, const char *prefix, const char *v)
{
    if (v && *v && !strncmp(v, prefix, strlen(prefix)))
        json_object_set_new(seen, v, json_true());
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One MI call for candidates, within the completion deadline; NULL when the node could not
 * answer in time (a hint, not an error: nothing to complete). */
static json_t *ask(const struct tool_backends *be, const char *node, const char *cmd,
                   json_t *params)
{
    json_t *result = NULL;
    struct mi_error m;

    if (be && be->mi &&
        mi_client_call(be->mi, node, cmd, params, mi_deadline_after(COMPL_NODE_DEADLINE_MS),
                       &result, &m) != MI_OK)
        result = NULL;
    json_decref(params);
    return result;
}

static void callids(const struct tool_backends *be, const char *node, const char *prefix,
                    json_t *seen)
{
    json_t *r = ask(be, node, "dialog:list",
                    json_pack("{s:i, s:i}", "index", 0, "counter", COMPL_DIALOGS_MAX));
    json_t *items = tool_list_items(r, "Dialogs"), *d;
    size_t i;

    json_array_foreach(items, i, d)
        offer(seen, prefix, json_string_value(json_object_get(d, "callid")));
    json_decref(items);
    json_decref(r);
}

static void aors(const struct tool_backends *be, const char *node, const char *prefix,
                 json_t *seen)
{
    json_t *r = ask(be, node, "usrloc:dump", json_pack("{s:i}", "brief", 1)), *dom, *aor;
    size_t i, k;

    json_array_foreach(json_object_get(r, "Domains"), i, dom)
        json_array_foreach(json_object_get(dom, "AORs"), k, aor)
            offer(seen, prefix, json_string_value(json_object_get(aor, "AOR")));
    json_decref(r);
}

static void ds_sets(const struct tool_backends *be, const char *node, const char *prefix,
                    json_t *seen)
{
    json_t *r = ask(be, node, "dispatcher:list", NULL), *part, *set;
    size_t i, k;

    json_array_foreach(json_object_get(r, "PARTITIONS"), i, part) {
        json_array_foreach(json_object_get(part, "SETS"), k, set) {
            json_t *id = json_object_get(set, "id");
            char buf[32];
            if (json_is_integer(id)) {
                snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(id));
                offer(seen, prefix, buf);
            } else {
                offer(seen, prefix, json_string_value(id));
            }
        }
    }
    json_decref(r);
}

/* statistics:get all answers {"group:name": value}: the groups are the parts before ':'. */
static void stat_groups(const struct tool_backends *be, const char *node, const char *prefix,
                        json_t *seen)
{
    json_t *r = ask(be, node, "statistics:get", json_pack("{s:[s]}", "statistics", "all")), *v;
    const char *key;

    json_object_foreach(r, key, v) {
        const char *colon = strchr(key, ':');
        char group[64];
        if (!colon || (size_t)(colon - key) >= sizeof(group))
            continue;
        memcpy(group, key, (size_t)(colon - key));
        group[colon - key] = '\0';
        offer(seen, prefix, group);
    }
    json_decref(r);
}

static void templates(struct mcp_call *c, const struct tool_backends *be, const char *prefix,
                      json_t *seen)
{
    struct tool_ctx x = {.call = c, .be = be};
    struct tool_error te = {0};
    struct cfg_templates t;

    if (cfg_tool_templates(&x, &t, &te))
        for (size_t i = 0; i < t.n; i++)
            offer(seen, prefix, t.items[i].name);
    cfg_templates_release(&t);
}

/* Whether something under `path` (a directory, relative) can start with prefix. */
static bool may_hold(const char *path, const char *prefix)
{
    size_t n = strlen(path), p = strlen(prefix);
    return !strncmp(path, prefix, n < p ? n : p);
}

/* The configs under the cfg root (cfg_is_config_name), breadth first, within the COMPL_CFG_*
 * bounds; rootfile_list never follows a link nor opens an entry. */
static void cfg_files(struct mcp_call *c, const struct tool_backends *be, const char *prefix,
                      json_t *seen)
{
    struct tool_ctx x = {.call = c, .be = be};
    struct tool_error te = {0};
    char *dirs[COMPL_CFG_DIRS_MAX], why[600];
    unsigned depth[COMPL_CFG_DIRS_MAX];
    size_t head = 0, tail = 0, offered = 0;
    const char *root;

    if (!be || !(root = cfg_files_root(&x, &te)) || !(dirs[tail] = strdup("")))
        return;
    depth[tail++] = 0;
    for (; head < tail; head++) {
        struct rootfile_list l;
        const char *dir = dirs[head];
        if (rootfile_list(root, dir, NULL, COMPL_CFG_ENTRIES_MAX, &l, why, sizeof(why)) ==
            ROOTFILE_OK) {
            for (size_t i = 0; i < l.n_files && offered < COMPL_CFG_FILES_MAX; i++) {
                char path[ROOTFILE_PATH_MAX];
                if (!cfg_is_config_name(l.files[i].name) ||
                    (size_t)snprintf(path, sizeof(path), "%s%s", dir, l.files[i].name) >=
                        sizeof(path))
                    continue;
                if (!strncmp(path, prefix, strlen(prefix)))
                    offered++;
                offer(seen, prefix, path);
            }
            for (size_t i = 0; i < l.n_skipped && depth[head] < COMPL_CFG_DEPTH; i++) {
                char path[ROOTFILE_PATH_MAX];
                if (tail == COMPL_CFG_DIRS_MAX || l.skipped[i].name[0] == '.' ||
                    strcmp(l.skipped[i].skipped, "a directory") ||
                    (size_t)snprintf(path, sizeof(path), "%s%s/", dir, l.skipped[i].name) >=
                        sizeof(path) || !may_hold(path, prefix) || !(dirs[tail] = strdup(path)))
                    continue;
                depth[tail++] = depth[head] + 1;
            }
        }
        rootfile_list_release(&l);
    }
    for (size_t i = 0; i < tail; i++)
        free(dirs[i]);
}

long compl_values(struct mcp_call *c, const struct tool_backends *be, enum compl_source s,
                  const char *prefix, const char *node, json_t *out, size_t max,
                  struct rpc_err *e)
{
    json_t *seen = json_object();
    struct mi_error m;
    const char **keys;
    const char *key;
    json_t *v;
    size_t n = 0;

    if (!seen)
        goto nomem;
    /* a node not configured: nothing of it to offer (not the default node's) */
    bool unknown = node && *node && (!be || !be->mi || !mi_client_resolve_name(be->mi, node));
    switch (unknown && asks_node[s] ? COMPL_NONE : s) {
    case COMPL_NODE:
        for (size_t i = 0; be && be->mi && i < mi_client_node_count(be->mi); i++)
            offer(seen, prefix, mi_client_node_name(be->mi, i));
        break;
    case COMPL_CALLID:
        callids(be, node, prefix, seen);
        break;
    case COMPL_AOR:
        aors(be, node, prefix, seen);
        break;
    case COMPL_DS_SET:
        ds_sets(be, node, prefix, seen);
        break;
    case COMPL_STAT_GROUP:
        stat_groups(be, node, prefix, seen);
        break;
    case COMPL_MI_COMMAND:
        if (mi_catalogue_load(&m) == MI_OK)
            for (size_t i = 0; i < mi_catalogue_count(); i++)
                offer(seen, prefix, mi_catalogue_at(i)->key);
        break;
    case COMPL_TEMPLATE:
        templates(c, be, prefix, seen);
        break;
    case COMPL_SIPP_SCENARIO:
        for (const char *const *b = sipp_builtins; *b; b++)
            offer(seen, prefix, *b);
        break;
    case COMPL_CFG_FILE:
        cfg_files(c, be, prefix, seen);
        break;
    default:
        break;
    }
    /* sorted, so that the first `max` are the same from one keystroke to the next */
    keys = malloc((json_object_size(seen) + 1) * sizeof(*keys));
    if (!keys) {
        json_decref(seen);
        goto nomem;
    }
    json_object_foreach(seen, key, v)
        keys[n++] = key;
    qsort(keys, n, sizeof(*keys), by_string);
    for (size_t i = 0; i < n && i < max; i++)
        json_array_append_new(out, json_string(keys[i]));
    free(keys);
    json_decref(seen);
    return (long)n;
nomem:
    rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
    return -1;
}
