/* row_internal: what the row files share (row.c registers and runs rows, row_schema.c builds
 * their schemas, row_mi.c is the MI backend's generic handler, row_page.c pages lists). Nothing
 * outside src/tools/row*.c includes this. */
#ifndef TOOLS_ROW_INTERNAL_H
#define TOOLS_ROW_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "tools/row.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500

/* A backend's generic handler and its own checks of a row. */
struct backend_kind {
    tool_run_fn run;                                  /* NULL: a row needs logic of its own */
    const char *(*unsound)(const struct tool_def *d); /* why a row cannot work, or NULL */
};

/* The kind of backend b, or NULL for one without a generic handler or checks. */
const struct backend_kind *row_backend_kind(enum tool_backend b);

/* MI parameters for one call: the row's fixed ones (when `fixed`), then the arguments' (new
 * object). */
json_t *row_call_params(const struct tool_def *d, const json_t *args, bool fixed);

#endif
