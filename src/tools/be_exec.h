/* be_exec: rows that run a program (exec/exec.h): its argument vector built from the tool's
 * arguments by a template, never a shell; a deadline; bounded output. */
#ifndef TOOLS_BE_EXEC_H
#define TOOLS_BE_EXEC_H

#include <jansson.h>
#include <stdbool.h>

#include "tools/row.h"

/* One element of the argument vector: `opt` alone (a literal), `opt` then the value of the
 * argument `arg` (an option with a value; both left out when the argument is absent), or the
 * value alone (opt NULL: a positional). A boolean argument adds `opt` when true, nothing when
 * false or absent. */
struct exec_argv {
    const char *opt;
    const char *arg;
};
#define ARGV(...) ((const struct exec_argv[]){__VA_ARGS__, {0}})

struct exec_row {
    const char *program;          /* a name looked for in EXEC_PATH, or a path */
    const struct exec_argv *argv; /* ARGV(...) */
    unsigned deadline_ms;         /* 0: EXEC_DEADLINE_DEFAULT_MS */
    size_t output_max;            /* bytes of stdout and of stderr kept; 0: 64 KiB */
    bool status_is_result;        /* a non-zero exit is an answer (a check that failed), not an
                                     error */
    const char *install;          /* how to get the program, for "not installed" */
};

/* Why an exec row cannot work, or NULL: every `arg` it names must be one of the row's
 * arguments, of type string, integer or boolean. */
const char *exec_row_unsound(const struct tool_def *d);

/* The generic handler: {status, stdout, stderr, stdout_truncated?, stderr_truncated?}; a
 * program that is missing, times out or is cancelled is an error, and so is a non-zero exit
 * unless status_is_result. */
json_t *exec_row_run(struct tool_ctx *x, const json_t *args, struct tool_error *e);

/* The argument vector exec_row_run passes for `args` (new array of strings), for tests and for
 * the confirmation question. */
json_t *exec_row_argv(const struct tool_def *d, const json_t *args);

#endif
