/* prompts: the product prompts as rows of data, like the tool rows (tools/row.h): name, title,
 * description, the Python server's area it stands for, the toolset that lists it, its arguments
 * (each with where its completions come from) and the tools its text tells the assistant to use.
 * Registration turns the rows whose toolset is enabled into MCP prompts; prompts/get renders
 * the row's text with the arguments and says which of its tools this server does not offer. */
#ifndef PROMPTS_PROMPTS_H
#define PROMPTS_PROMPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "complete/complete.h"
#include "mcp/registry.h"

struct tool_backends;

/* One argument: how prompts/list shows it, and how the text reads without it. */
struct prompt_arg_def {
    const char *name;
    const char *description;
    bool required;
    enum compl_source complete;   /* where candidates come from; COMPL_NONE: see values */
    const char *const *values;    /* PVALUES("4xx", "5xx"): fixed candidates, or NULL */
    const char *absent;           /* the words that stand for it when not given ("the default
                                     node"); required arguments need none */
};

struct prompt_def {
    const char *name;
    const char *title;
    const char *description;
    const char *area;     /* the Python server's prompt module: config, ecosystem, educational,
                             migration, security, sip, troubleshoot */
    const char *toolset;  /* listed only when this toolset is enabled */
    const struct prompt_arg_def *args;  /* PARGS(...), or NULL for none */
    const char *const *tools;           /* PTOOLS(...): every tool the text names */
    const char *text;     /* the user message; {name} is an argument's value (or its absent
                             words), {{ a literal brace */
};

#define PARGS(...)   ((const struct prompt_arg_def[]){__VA_ARGS__, {0}})
#define PTOOLS(...)  ((const char *const[]){__VA_ARGS__, NULL})
#define PVALUES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Longest argument value prompts/get takes, in bytes: a name, a Call-ID or an AOR, not a text. */
#define PROMPT_ARG_MAX 256

extern const struct prompt_def prompt_rows[];
extern const size_t prompt_row_count;

/* Register the rows whose toolset `toolsets` enables (comma-separated; "all"), over `be`
 * (borrowed; it outlives the registry: completions ask its nodes). 0, or -1 out of memory or
 * on a duplicate name. */
int prompts_register(struct registry *reg, const struct tool_backends *be, const char *toolsets);

/* Why the caller cannot use `tool` here, in a few words written into buf ("toolset homer",
 * "needs mi.write", "read-only server"), or NULL when it can. */
typedef const char *(*prompt_tool_why_fn)(const char *tool, void *ctx, char *buf, size_t n);

/* The rendered text of row d with args (an object of strings; may be NULL), as prompts/get
 * sends it: a new string (free it), or NULL with a sentence in err (a {name} that is no
 * argument, a text over RENDER_MAX). `why` (may be NULL: every tool is there) is asked of each
 * tool the row names; the ones the caller cannot use are named at the end, with the reason. */
char *prompt_render(const struct prompt_def *d, const json_t *args, prompt_tool_why_fn why,
                    void *ctx, char *err, size_t errlen);

/* Markdown for every prompt row (what it is for, its area, toolset, arguments with their
 * completion, the tools it names), for the docs resource. 0 or -1. */
int prompts_markdown(FILE *out);

#endif
