/* guards: the known OpenSIPS defects, as data, and the check tools make before sending. */
#include "tools/guards.h"
#include "tools/tool.h"

#include <stdio.h>
#include <string.h>

#include "mcp/content.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "mi/client.h"

#define CR_CRASH                                                                              \
    "with carrierroute config_source=file its option parser (get_fifo_opts) writes past the " \
    "end of the options string: the heap is corrupted and the whole OpenSIPS daemon aborts "  \
    "(recorded on 4.0.1: free(): invalid pointer, SIGABRT, no reply); with config_source=db " \
    "the command is refused anyway. Edit carrierroute.conf and run cr_reload_routes instead"
#define CR_WHEN "carrierroute runs with config_source=file (MI cannot tell the mode)"

static const struct guard guards[] = {
    {"carrierroute:replace_host", NULL, NULL, CR_WHEN, GUARD_CRASH, CR_CRASH,
     "http/err_cr_replace_host_file_mode_crash.txt"},
    {"carrierroute:deactivate_host", NULL, NULL, CR_WHEN, GUARD_CRASH, CR_CRASH,
     "http/err_cr_deactivate_host_file_mode_crash.txt"},
    {"carrierroute:activate_host", NULL, NULL, CR_WHEN, GUARD_CRASH, CR_CRASH,
     "http/err_cr_activate_host_file_mode_crash.txt"},
    {"carrierroute:add_host", NULL, NULL, CR_WHEN, GUARD_CRASH, CR_CRASH,
     "http/err_cr_add_host_file_mode_crash.txt"},
    {"carrierroute:delete_host", NULL, NULL, CR_WHEN, GUARD_CRASH, CR_CRASH,
     "http/err_cr_delete_host_file_mode_crash.txt"},
    {"tls_mgm:reload", "4.0", "tls:trace", "proto_tls is loaded (a TLS listener)", GUARD_CRASH,
     "tls_reload re-initialises the TLS domains and then segfaults in the MI process: the whole "
     "OpenSIPS daemon shuts down (recorded on 4.0.1 with proto_tls; without proto_tls it "
     "succeeds). Restart OpenSIPS in a maintenance window to load new certificates instead",
     "http/err_tls_reload_crash.txt"},
    {"dialog:set_profile", "4.0", NULL, "always", GUARD_NEVER_WORKS,
     "dlg_set_profile can never succeed on 4.0.1: its recipes name the first parameter dlg_id "
     "but the handler reads DID, so every call fails with -32000 'Failed to handle parameter' "
     "before the dialog is looked at. Set profiles from the routing script (set_dlg_profile)",
     "http/err_dlg_set_profile_handler_reads_DID.json"},
    {"dialog:unset_profile", "4.0", NULL, "always", GUARD_NEVER_WORKS,
     "dlg_unset_profile can never succeed on 4.0.1: its recipes name the first parameter dlg_id "
     "but the handler reads DID, so every call fails with -32000 'Failed to handle parameter'. "
     "Unset profiles from the routing script (unset_dlg_profile)",
     "http/err_dlg_unset_profile_handler_reads_DID.json"},
    {"dialog:profile_end_dlgs", "4.0", NULL,
     "dialog_replication_cluster is set and a matching dialog has no sharing tag",
     GUARD_MISLEADING_OK,
     "profile_end_dlgs answers OK but ends nothing for dialogs without a sharing tag under "
     "dialog clustering; count the profile again (profile_get_size) to see what really ended",
     "http/profile_end_dlgs_no_sharing_tag_noop.json"},
    {"tracer:stop", "4.0", NULL, "the trace id is not the most recently started one",
     GUARD_MISLEADING_OK,
     "trace_stop answers OK but removes only the head of the dynamic trace list; for any other "
     "id it changes nothing. List the traces again (tracer:trace) to see whether it is gone",
     "http/trace_stop_not_head_noop.json"},
    {"dialog:push_var", "4.0", NULL, "a dialog id in DID is unknown", GUARD_MISLEADING_OK,
     "dlg_push_var skips unknown dialog ids silently and still answers OK; read the value back "
     "with dlg_list_ctx", "http/dlg_push_var_unknown_dialog_ok.json"},
};

size_t guard_count(void)
{
    return sizeof(guards) / sizeof(guards[0]);
}

const struct guard *guard_at(size_t i)
{
    return i < guard_count() ? &guards[i] : NULL;
}

const struct guard *guard_find(const char *command)
{
    const struct mi_cmd *cmd;
    const char *key;

    for (size_t i = 0; command && i < guard_count(); i++)
        if (!strcmp(guards[i].command, command))
            return &guards[i];
    cmd = command ? mi_catalogue_find(command, NULL) : NULL;
    key = cmd ? cmd->key : NULL;
    for (size_t i = 0; key && i < guard_count(); i++)
        if (!strcmp(guards[i].command, key))
            return &guards[i];
    return NULL;
}

const char *guard_note(const char *command)
{
    const struct guard *g = guard_find(command);
    return g ? g->tell : NULL;
}

/* "4.0.1" out of the node's Server string, "OpenSIPS (4.0.1 (x86_64/linux))"; "" if none. */
static void version_number(const json_t *info, char *out, size_t n)
{
    const char *s = json_string_value(json_object_get(info, "version"));
    size_t len;

    out[0] = '\0';
    if (!s || !json_is_true(json_object_get(info, "learned")))
        return;
    s += strcspn(s, "0123456789");
    len = strspn(s, "0123456789.");
    snprintf(out, n, "%.*s", (int)len, s);
}

static bool version_affected(const struct guard *g, const char *version)
{
    if (!g->versions || !version || !*version)
        return true; /* every version, or the node's is not known yet: assume the worst */
    for (const char *p = g->versions; *p;) {
        size_t n = strcspn(p, ",");
        if (n && !strncmp(version, p, n))
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

/* Whether x's node offers `requires` (asks `which`); true when it cannot be told. */
static bool condition_holds(struct tool_ctx *x, const struct guard *g, const char **version_out,
                            char *version, size_t vlen)
{
    const struct mi_cmd *want = NULL;
    json_t *list = NULL, *info, *name;
    struct tool_error e;
    bool found = false;
    size_t i;

    /* by exact key: a name lookup may answer another module's command with the same alias
     * (bins:trace and tls:trace are both tls_trace) */
    for (i = 0; i < mi_catalogue_count() && !want; i++)
        if (!strcmp(mi_catalogue_at(i)->key, g->requires))
            want = mi_catalogue_at(i);
    if (!want || !x->be || tool_mi(x, "core:which", NULL, &list, &e) != TOOL_OK)
        return true;
    json_array_foreach(list, i, name) {
        const char *s = json_string_value(name);
        if (s && (!strcmp(s, want->key) || (want->name36 && !strcmp(s, want->name36))))
            found = true;
    }
    json_decref(list);
    /* `which` taught the client the node's version too */
    if ((info = mi_client_node_info(x->be->mi, x->node))) {
        version_number(info, version, vlen);
        *version_out = version;
        json_decref(info);
    }
    return found;
}

bool guard_allows(struct tool_ctx *x, const json_t *args, const char *command, json_t **result)
{
    const struct guard *g = guard_find(command);
    const char *version = NULL, *node = x->node;
    char vbuf[64] = "";
    json_t *info;

    if (!g || g->kind == GUARD_MISLEADING_OK || json_is_true(json_object_get(args, "force")))
        return true;
    if (g->requires && !condition_holds(x, g, &version, vbuf, sizeof(vbuf)))
        return true;
    if (!version && x->be && (info = mi_client_node_info(x->be->mi, node))) {
        version_number(info, vbuf, sizeof(vbuf));
        version = vbuf;
        json_decref(info);
    }
    if (!version_affected(g, version))
        return true;
    mcp_call_set_outcome(x->call, "guarded");
    *result = content_error_result(
        "Not sent: '%s' on node %s hits a known OpenSIPS defect (%s%s%s; when %s): %s. Nothing "
        "was changed. If you really must, call again with force: true.",
        g->command, node ? node : "default",
        g->kind == GUARD_CRASH ? "it crashes the node" : "it can never succeed",
        version && *version ? ", node version " : "", version && *version ? version : "",
        g->condition, g->tell);
    return false;
}
