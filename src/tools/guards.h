/* guards: known OpenSIPS defects as rows of data — the MI command, the versions it is known on,
 * the condition under which it bites, what to tell the user and what kind of harm it does. A
 * tool that would crash the node (or send a call that can never succeed) refuses with the reason
 * unless the caller passes force: true; a tool whose command answers a misleading OK verifies
 * the effect itself and says what really happened (guard_note gives the sentence). The facts
 * come from the recordings' notes (data/recordings/index.json). */
#ifndef TOOLS_GUARDS_H
#define TOOLS_GUARDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "mcp/call.h"

enum guard_kind {
    GUARD_CRASH,        /* the node dies: refuse unless force */
    GUARD_NEVER_WORKS,  /* the call always fails: refuse unless force (nothing to gain) */
    GUARD_MISLEADING_OK,/* OK although nothing changed: go on, then verify the effect */
    GUARD_KIND_COUNT
};

struct guard {
    const char *command;   /* catalogue key, "tls_mgm:reload" */
    const char *versions;  /* OpenSIPS versions it is known on, comma-separated prefixes ("4.0");
                              NULL: every version (the defective code is old) */
    const char *requires;  /* a command the node offers exactly when the condition holds
                              ("tls:trace": proto_tls is loaded); NULL: MI cannot tell, assume
                              it holds */
    const char *condition; /* the condition in words */
    enum guard_kind kind;
    const char *tell;      /* what to tell the user: the harm, then what to do instead */
    const char *evidence;  /* the recording that shows it */
};

/* The defect rows, for docs and tests. */
size_t guard_count(void);
const struct guard *guard_at(size_t i);

/* The row for a command by catalogue key, 3.x name or 4.x alias; NULL when none. */
const struct guard *guard_find(const char *command);

struct tool_ctx;

/* The gate's check before `command` is sent to x's node (tool.h; the gate's checks build x
 * with tool_ctx_of). Returns true to go on: no row, a GUARD_MISLEADING_OK row, a condition MI
 * shows not to hold (the node's version is not affected, or it lacks the `requires` command;
 * learning that may ask the node `which`, never the guarded command), or args carries force:
 * true. Otherwise false with *result set to an isError result that names the defect and says
 * how to override it, and the call's outcome "guarded"; nothing was sent. */
bool guard_allows(struct tool_ctx *x, const json_t *args, const char *command, json_t **result);

/* The sentence to add to a result for `command` (a forced call that failed, or an OK to verify),
 * or NULL when no row names the command. Borrowed, static. */
const char *guard_note(const char *command);

#endif
