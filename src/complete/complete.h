/* complete: where the candidates of a prompt argument or a resource template variable come from
 * (completion/complete): this server's configuration (node names, config templates), the MI
 * catalogue (command names), or a node asked within a short deadline (Call-IDs, AORs,
 * dispatcher sets, statistic groups). One table of sources serves the prompt rows
 * (prompts/prompts.h) and the resource rows (resources/resources.h) alike. */
#ifndef COMPLETE_COMPLETE_H
#define COMPLETE_COMPLETE_H

#include <jansson.h>
#include <stddef.h>

#include "mcp/call.h"

struct tool_backends;

enum compl_source {
    COMPL_NONE,       /* no completion */
    COMPL_NODE,       /* configured node names (the MI config) */
    COMPL_CALLID,     /* Call-IDs of the node's dialogs (dialog:list) */
    COMPL_AOR,        /* AORs registered on the node (usrloc:dump, brief) */
    COMPL_DS_SET,     /* dispatcher set ids of the node (dispatcher:list) */
    COMPL_STAT_GROUP, /* statistic groups of the node (statistics:get all) */
    COMPL_MI_COMMAND, /* MI command names (catalogue keys) */
    COMPL_TEMPLATE,   /* config template names (cfg/templates.h, --cfg-templates/--opensips) */
    COMPL_SIPP_SCENARIO, /* SIPp's built-in scenarios (tools/sipp.h) */
    COMPL_CFG_FILE,      /* configs under the cfg root, relative paths (tools/cfg_files.h) */
    COMPL_SOURCE_COUNT
};

/* How long asking a node for candidates may take, in all: a completion is typed, not waited for. */
#define COMPL_NODE_DEADLINE_MS 1000
/* Dialogs asked of a node for Call-IDs (dialog:list index/counter): the first ones only. */
#define COMPL_DIALOGS_MAX 500

/* Configs looked for under the cfg root: directories at most this deep below it, at most this
 * many directories looked into, entries looked at in each, and paths offered in all (hidden
 * directories and symbolic links are never entered). */
#define COMPL_CFG_DEPTH 4
#define COMPL_CFG_DIRS_MAX 64
#define COMPL_CFG_ENTRIES_MAX 1000
#define COMPL_CFG_FILES_MAX 1000

/* "node", "callid", ...: the source's name, for docs and tests. */
const char *compl_source_name(enum compl_source s);

/* Append to `out` the candidates of source s that start with `prefix` (at most `max`), asking
 * `node` (NULL or unknown: the default node) over be's MI client where the source is a node's;
 * returns how many match in all. A node that cannot be asked in time gives none (a completion is
 * a hint, never an error); the only failure is out of memory (-1, e set). */
long compl_values(struct mcp_call *c, const struct tool_backends *be, enum compl_source s,
                  const char *prefix, const char *node, json_t *out, size_t max,
                  struct rpc_err *e);

#endif
