/* prompts: the product prompts (rows), their rendering, and their registration. The texts are
 * tight on purpose: each rendered prompt enters the assistant's context whole. */
#include "prompts/prompts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"
#include "mcp/content.h"
#include "mcp/server.h"
#include "tools/row.h"

/* The node argument every node-bound prompt takes. */
#define NODE_ARG {.name = "node", .description = "OpenSIPS node (default: the default node)", \
                  .complete = COMPL_NODE, .absent = "the default node"}

const struct prompt_def prompt_rows[] = {
    {.name = "troubleshoot_call", .title = "Troubleshoot a call",
     .description = "Find why one call failed or misbehaved, by its Call-ID.",
     .area = "troubleshoot", .toolset = "dialog",
     .args = PARGS({.name = "callid", .description = "Call-ID of the call", .required = true,
                    .complete = COMPL_CALLID},
                   NODE_ARG),
     .tools = PTOOLS("dlg_list", "tm_transactions", "homer_get_call_flow",
                     "homer_correlate_callid", "dispatcher_list", "drouting_gw_status",
                     "stats_get"),
     .text = "Troubleshoot the call with Call-ID {callid} on {node}. Read only; change nothing "
             "unless I ask.\n"
             "1. dlg_list with callid: its state, tags, timestamps, and the peers it went to.\n"
             "2. tm_transactions: any transaction of it still pending.\n"
             "3. homer_get_call_flow (or homer_correlate_callid for its other legs): the SIP "
             "messages, and the first error reply and who sent it.\n"
             "4. The destination: dispatcher_list or drouting_gw_status, is it up?\n"
             "5. stats_get for tm: and dialog: counters, twice a minute apart: is this one call "
             "or a trend?\n"
             "Answer with the cause, the evidence (message, code, time), and the fix."},
    {.name = "troubleshoot_registration", .title = "Troubleshoot a registration",
     .description = "Find why a user (AOR) cannot register or cannot be reached.",
     .area = "troubleshoot", .toolset = "registrations",
     .args = PARGS({.name = "aor", .description = "address of record, user@domain",
                    .required = true, .complete = COMPL_AOR},
                   NODE_ARG),
     .tools = PTOOLS("ul_show_contact", "ul_dump", "stats_get", "pike_list_blocked",
                     "homer_search_calls"),
     .text = "Find out why {aor} has registration problems on {node}. Read only.\n"
             "1. ul_show_contact for {aor}: contacts, expiry, user agent, received address "
             "(NAT?). Not there: ul_dump with aor_contains to catch a domain or case mismatch.\n"
             "2. stats_get usrloc: and registrar: (rejected_regs, accepted_regs).\n"
             "3. pike_list_blocked: is its source address blocked?\n"
             "4. homer_search_calls for REGISTER from {aor}: 401 loops, 403, or no answer.\n"
             "Say what fails (credentials, NAT, expiry, blocking, routing) and how to fix it."},
    {.name = "troubleshoot_gateway", .title = "A gateway went down",
     .description = "Check dispatcher, drouting and load-balancer destinations that are down.",
     .area = "troubleshoot", .toolset = "dispatcher",
     .args = PARGS({.name = "setid", .description = "dispatcher set id (default: every set)",
                    .complete = COMPL_DS_SET, .absent = "every set"},
                   NODE_ARG),
     .tools = PTOOLS("dispatcher_list", "drouting_gw_status", "lb_list", "stats_get",
                     "dispatcher_set_state"),
     .text = "A gateway or destination seems down on {node} (dispatcher set: {setid}).\n"
             "1. dispatcher_list (full): the state of each destination; inactive or probing "
             "ones are the suspects.\n"
             "2. drouting_gw_status and lb_list: the same for drouting and load_balancer.\n"
             "3. stats_get tm: and core: for timeouts and 5xx since.\n"
             "Report each down destination, since when if shown, and the likely cause. Offer "
             "dispatcher_set_state to bring one back only after I confirm it is reachable."},
    {.name = "troubleshoot_error_rates", .title = "Rising SIP errors",
     .description = "Explain rising 4xx or 5xx replies on a node.",
     .area = "troubleshoot", .toolset = "stats",
     .args = PARGS({.name = "class", .description = "4xx or 5xx", .required = true,
                    .values = PVALUES("4xx", "5xx")},
                   NODE_ARG),
     .tools = PTOOLS("perf_sample_window", "stats_get", "tm_transactions", "dispatcher_list",
                     "homer_search_calls"),
     .text = "{class} replies are rising on {node}. Find out why.\n"
             "1. perf_sample_window over core: and tm: (or stats_get twice, a minute apart): "
             "which counters grow, and how fast.\n"
             "2. tm_transactions: is something piling up?\n"
             "3. dispatcher_list: a destination down would explain 5xx.\n"
             "4. homer_search_calls for the codes seen: who sends them, to whom.\n"
             "Give the codes, the rate, the source, and what to change."},
    {.name = "security_review", .title = "Security review of a node",
     .description = "Review flood protection, bans, access lists and TLS of a node.",
     .area = "security", .toolset = "traffic",
     .args = PARGS(NODE_ARG),
     .tools = PTOOLS("pike_list_blocked", "ratelimit_list", "fail2ban_status",
                     "fail2ban_list_banned", "address_list", "tls_connections", "tls_list",
                     "mi_list_commands"),
     .text = "Review the security of {node}. Read only.\n"
             "1. mi_list_commands: which of pike, ratelimit, permissions, tls_mgm are loaded.\n"
             "2. pike_list_blocked and ratelimit_list: flood limits and who hits them.\n"
             "3. fail2ban_status and fail2ban_list_banned: the jail, and repeat offenders.\n"
             "4. address_list: permissions entries that are too broad (0.0.0.0/0, whole "
             "ranges).\n"
             "5. tls_list and tls_connections: domains, certificates, TLS versions in use.\n"
             "Rank the findings by risk and give one fix for each."},
    {.name = "migrate_36_to_40", .title = "Migrate 3.6 to 4.0",
     .description = "Walk through migrating a node and its config from OpenSIPS 3.6 to 4.0.",
     .area = "migration", .toolset = "cfg",
     .args = PARGS({.name = "config", .description = "path of the 3.6 config file",
                    .absent = "the node's config"},
                   NODE_ARG),
     .tools = PTOOLS("server_version", "cfg_migrate_plan", "cfg_dry_run", "mi_list_commands",
                     "mi_describe_command"),
     .text = "Plan the migration of {node} from OpenSIPS 3.6 to 4.0 ({config}).\n"
             "1. server_version: confirm it runs 3.6.\n"
             "2. cfg_migrate_plan on {config}: what changes (modules, parameters, functions).\n"
             "3. MI: scripts and monitoring calling 3.x names (ds_list) need the 4.0 ones "
             "(dispatcher:list); mi_list_commands and mi_describe_command show both.\n"
             "4. cfg_dry_run of the migrated config with the 4.0 binary.\n"
             "Give the steps in order, what to test, and how to roll back."},
    {.name = "config_from_flags", .title = "Build a config from flags",
     .description = "Build an OpenSIPS config from a template and its flags.",
     .area = "config", .toolset = "cfg",
     .args = PARGS({.name = "template", .description = "config template name",
                    .required = true, .complete = COMPL_TEMPLATE},
                   {.name = "goal", .description = "what the config is for",
                    .absent = "a working default"}),
     .tools = PTOOLS("cfg_list_flags", "cfg_compose_flags", "cfg_build_from_flags",
                     "cfg_dry_run"),
     .text = "Build an OpenSIPS config from the template {template} for: {goal}.\n"
             "1. cfg_list_flags for {template}: each flag, its default, what it enables.\n"
             "2. Pick the flags the goal needs; ask me about anything unclear (database, TLS, "
             "NAT).\n"
             "3. cfg_compose_flags, then cfg_build_from_flags with them.\n"
             "4. cfg_dry_run on the result; fix what it reports.\n"
             "Show the flags chosen and why, and the check's result."},
    {.name = "sip_explain_call", .title = "Explain a call's SIP",
     .description = "Explain, step by step, the SIP of one call on the node.",
     .area = "sip", .toolset = "dialog",
     .args = PARGS({.name = "callid", .description = "Call-ID of the call", .required = true,
                    .complete = COMPL_CALLID},
                   NODE_ARG),
     .tools = PTOOLS("dlg_list", "homer_get_call_flow"),
     .text = "Explain the SIP of the call {callid} on {node} to someone learning SIP.\n"
             "1. dlg_list with callid: the dialog as OpenSIPS keeps it (tags, CSeqs, route "
             "set, state).\n"
             "2. homer_get_call_flow: the messages, in order.\n"
             "Walk through each request and reply: what it means, which header matters, and "
             "where OpenSIPS (proxy, B2BUA) stands in it. Keep it short."},
    {.name = "opensips_primer", .title = "OpenSIPS primer for this node",
     .description = "Explain what this node does, from what it runs.",
     .area = "educational", .toolset = "mi",
     .args = PARGS({.name = "topic", .description = "routing, registrations, dialogs or nat",
                    .values = PVALUES("routing", "registrations", "dialogs", "nat"),
                    .absent = "the whole node"},
                   NODE_ARG),
     .tools = PTOOLS("server_version", "mi_list_commands", "mi_describe_command",
                     "stats_list"),
     .text = "Teach me OpenSIPS using {node} as the example; focus: {topic}.\n"
             "1. server_version and mi_list_commands: version and loaded modules.\n"
             "2. For each module that matters here: what it does in a SIP server, one MI "
             "command of it (mi_describe_command), and what stats_list shows of it.\n"
             "Keep to what this node runs; short paragraphs."},
    {.name = "ecosystem_overview", .title = "What surrounds the node",
     .description = "Check the services around a node: Homer, RTPengine, cluster, fail2ban.",
     .area = "ecosystem", .toolset = "status",
     .args = PARGS(NODE_ARG),
     .tools = PTOOLS("server_health", "cluster_status", "rtpengine_sessions", "homer_health",
                     "fail2ban_status"),
     .text = "Map what {node} works with, and whether each part is healthy.\n"
             "1. server_health: the node itself.\n"
             "2. cluster_status: its cluster peers and their state.\n"
             "3. rtpengine_sessions: media relay in use?\n"
             "4. homer_health: is call capture reachable?\n"
             "5. fail2ban_status: is the ban jail running?\n"
             "A tool missing here means that part is not configured: say so, don't guess."},
};
const size_t prompt_row_count = sizeof(prompt_rows) / sizeof(prompt_rows[0]);

/* A growing text, capped: a rendered prompt is a few hundred bytes. */
#define RENDER_MAX (16 * 1024)
struct text {
    char buf[RENDER_MAX];
    size_t len;
    bool over;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->len + n >= sizeof(t->buf)) {
        t->over = true;
        return;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static const struct prompt_arg_def *arg_of(const struct prompt_def *d, const char *name,
                                           size_t len)
{
    for (const struct prompt_arg_def *a = d->args; a && a->name; a++)
        if (strlen(a->name) == len && !strncmp(a->name, name, len))
            return a;
    return NULL;
}

/* The toolset of a tool in the tables, or NULL when no row has that name. */
static const char *toolset_of(const char *tool)
{
    for (size_t t = 0; t < row_table_count; t++)
        for (size_t i = 0; i < row_tables[t]->n; i++)
            if (!strcmp(row_tables[t]->rows[i].name, tool))
                return row_tables[t]->rows[i].toolset;
    return NULL;
}

char *prompt_render(const struct prompt_def *d, const json_t *args, prompt_tool_why_fn why,
                    void *ctx, char *err, size_t errlen)
{
    struct text *t = calloc(1, sizeof(*t));
    const char *p = d->text;
    bool any_missing = false;
    char *out;

    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    while (*p) {
        const char *open = strchr(p, '{'), *close;
        if (!open) {
            put(t, p, strlen(p));
            break;
        }
        put(t, p, (size_t)(open - p));
        if (open[1] == '{') {
            put(t, "{", 1);
            p = open + 2;
            continue;
        }
        close = strchr(open, '}');
        const struct prompt_arg_def *a = close ? arg_of(d, open + 1, (size_t)(close - open - 1))
                                               : NULL;
        if (!a) {
            snprintf(err, errlen, "prompt '%s': its text names no argument of it at '%.32s'",
                     d->name, open);
            free(t);
            return NULL;
        }
        const char *v = json_string_value(json_object_get(args, a->name));
        if (!v || !*v)
            v = a->absent ? a->absent : "(not given)";
        put(t, v, strlen(v));
        p = close + 1;
    }
    for (const char *const *tool = d->tools; why && tool && *tool; tool++) {
        char buf[96];
        const char *reason = why(*tool, ctx, buf, sizeof(buf));
        if (!reason)
            continue;
        const char *sep = any_missing ? ", " : "\nNot available here (skip those steps): ";
        put(t, sep, strlen(sep));
        put(t, *tool, strlen(*tool));
        put(t, " (", 2);
        put(t, reason, strlen(reason));
        put(t, ")", 1);
        any_missing = true;
    }
    if (t->over) {
        snprintf(err, errlen, "prompt '%s': the rendered text exceeds %u bytes", d->name,
                 (unsigned)RENDER_MAX);
        free(t);
        return NULL;
    }
    out = strdup(t->buf);
    free(t);
    if (!out)
        snprintf(err, errlen, "out of memory");
    return out;
}

/* One registered prompt: the MCP row, its arguments and completions, built from the row. */
struct prompt_entry {
    struct mcp_prompt prompt;
    const struct prompt_def *def;
    const struct tool_backends *be;
    struct mcp_prompt_arg *args;
    struct mcp_completion *completions;
};

/* As tools/list decides what a caller sees: the toolset, the read-only mode, the role. */
static const char *tool_why(const char *tool, void *ctx, char *buf, size_t n)
{
    struct mcp_call *c = ctx;
    struct mcp_server *srv = mcp_call_server(c);
    const struct mcp_tool *t = registry_tool(mcp_server_registry(srv), tool, NULL);
    const char *set;

    if (!t) {
        set = toolset_of(tool);
        snprintf(buf, n, "toolset %s", set ? set : "?");
        return buf;
    }
    if (mcp_server_settings(srv)->read_only && !(t->flags & TOOL_F_READONLY))
        return "read-only server";
    if (t->scope && !mcp_call_has_scopes(c, t->scope)) {
        snprintf(buf, n, "needs %s", scope_bit_name(t->scope));
        return buf;
    }
    return NULL;
}

static json_t *p_get(struct mcp_call *c, const struct mcp_prompt *p, json_t *args,
                     struct rpc_err *e)
{
    const struct prompt_entry *pe = p->ctx;
    const char *key;
    json_t *v, *r;
    char err[256], *text;

    json_object_foreach(args, key, v) {
        if (strlen(json_string_value(v)) > PROMPT_ARG_MAX) {
            rpc_err_set(e, JSONRPC_INVALID_PARAMS,
                        "Invalid params: prompt argument '%s' is longer than %d bytes", key,
                        PROMPT_ARG_MAX);
            return NULL;
        }
    }
    if (!(text = prompt_render(pe->def, args, tool_why, c, err, sizeof(err)))) {
        rpc_err_set(e, JSONRPC_INTERNAL_ERROR, "Internal error: %s", err);
        return NULL;
    }
    r = json_pack("{s:s, s:[{s:s, s:o}]}", "description", pe->def->description, "messages",
                  "role", "user", "content", content_text(text));
    free(text);
    return r;
}

static long p_complete(struct mcp_call *c, const void *ctx, const char *argument,
                       const char *prefix, const json_t *context, json_t *out, size_t max,
                       struct rpc_err *e)
{
    const struct prompt_entry *pe = ctx;
    const struct prompt_arg_def *a = arg_of(pe->def, argument, strlen(argument));

    return a ? compl_values(c, pe->be, a->complete, prefix,
                            json_string_value(json_object_get(context, "node")), out, max, e)
             : 0;
}

static struct prompt_entry **entries;
static size_t nentries;

int prompts_register(struct registry *reg, const struct tool_backends *be, const char *toolsets)
{
    for (size_t i = 0; i < prompt_row_count; i++) {
        const struct prompt_def *d = &prompt_rows[i];
        struct prompt_entry *pe, **grown;
        size_t nargs = 0, nc = 0;

        if (!rows_toolset_enabled(toolsets, d->toolset))
            continue;
        while (d->args && d->args[nargs].name)
            nargs++;
        pe = calloc(1, sizeof(*pe));
        grown = realloc(entries, (nentries + 1) * sizeof(*entries));
        if (grown)
            entries = grown;
        if (!pe || !grown || !(pe->args = calloc(nargs + 1, sizeof(*pe->args))) ||
            !(pe->completions = calloc(nargs + 1, sizeof(*pe->completions)))) {
            if (pe)
                free(pe->args);
            free(pe);
            return -1;
        }
        pe->def = d;
        pe->be = be;
        for (size_t k = 0; k < nargs; k++) {
            const struct prompt_arg_def *a = &d->args[k];
            pe->args[k] = (struct mcp_prompt_arg){a->name, a->description, a->required};
            if (a->values)
                pe->completions[nc++] = (struct mcp_completion){.argument = a->name,
                                                                .values = a->values};
            else if (a->complete != COMPL_NONE)
                pe->completions[nc++] = (struct mcp_completion){.argument = a->name,
                                                                .complete = p_complete};
        }
        pe->prompt = (struct mcp_prompt){.name = d->name, .title = d->title,
                                         .description = d->description, .args = pe->args,
                                         .get = p_get, .completions = pe->completions,
                                         .ctx = pe};
        entries[nentries++] = pe;
        if (registry_add_prompts(reg, &pe->prompt, 1) < 0)
            return -1;
    }
    return 0;
}

int prompts_markdown(FILE *out)
{
    fprintf(out, "## Prompts\n\nEach is listed when its toolset is enabled; prompts/get renders "
                 "its text with the arguments and names the tools it uses that the caller cannot "
                 "use there (toolset not enabled, read-only server, role without the scope).\n");
    for (size_t i = 0; i < prompt_row_count; i++) {
        const struct prompt_def *d = &prompt_rows[i];
        fprintf(out, "\n### %s\n\n**%s.** %s (area %s, toolset %s)\n\n", d->name, d->title,
                d->description, d->area, d->toolset);
        for (const struct prompt_arg_def *a = d->args; a && a->name; a++) {
            fprintf(out, "- `%s`%s: %s", a->name, a->required ? " (required)" : "",
                    a->description);
            if (a->complete != COMPL_NONE)
                fprintf(out, "; completes from %s", compl_source_name(a->complete));
            for (const char *const *v = a->values; v && *v; v++)
                fprintf(out, "%s%s", v == a->values ? "; one of " : ", ", *v);
            fputc('\n', out);
        }
        fprintf(out, "- tools:");
        for (const char *const *t = d->tools; t && *t; t++)
            fprintf(out, "%s %s", t == d->tools ? "" : ",", *t);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}
