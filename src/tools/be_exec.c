/* be_exec: run a row's program with its arguments mapped by the row's template. */
#include "tools/be_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "tools/tool.h"

#define EXEC_ROW_OUTPUT_DEFAULT (64u * 1024)

static const struct tool_arg *arg_named(const struct tool_def *d, const char *name)
{
    for (const struct tool_arg *a = d->args; a && a->name; a++)
        if (!strcmp(a->name, name))
            return a;
    return NULL;
}

const char *exec_row_unsound(const struct tool_def *d)
{
    if (!d->exec || !d->exec->program || !*d->exec->program)
        return "names no program";
    for (const struct exec_argv *v = d->exec->argv; v && (v->opt || v->arg); v++) {
        const struct tool_arg *a = v->arg ? arg_named(d, v->arg) : NULL;
        if (v->arg && !a)
            return "maps an argument it does not take";
        if (a && a->type != T_STRING && a->type != T_INTEGER && a->type != T_BOOLEAN)
            return "maps an argument that is not a string, integer or boolean";
        if (a && a->type == T_BOOLEAN && !v->opt)
            return "maps a boolean argument without an option";
    }
    return NULL;
}

json_t *exec_row_argv(const struct tool_def *d, const json_t *args)
{
    json_t *argv = json_pack("[s]", d->exec->program);

    for (const struct exec_argv *v = d->exec->argv; v && (v->opt || v->arg); v++) {
        json_t *val = v->arg ? json_object_get(args, v->arg) : NULL;
        char num[32];
        if (v->arg && (!val || json_is_false(val) || json_is_null(val)))
            continue;
        if (v->opt)
            json_array_append_new(argv, json_string(v->opt));
        if (!val || json_is_boolean(val))
            continue;
        if (json_is_integer(val)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(val));
            json_array_append_new(argv, json_string(num));
        } else {
            json_array_append(argv, val);
        }
    }
    return argv;
}

json_t *exec_row_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const struct exec_row *r = x->def->exec;
    json_t *argv = exec_row_argv(x->def, args), *out = NULL;
    size_t n = json_array_size(argv), max = r->output_max ? r->output_max : EXEC_ROW_OUTPUT_DEFAULT;
    const char **vec = calloc(n + 1, sizeof(*vec));
    struct exec_result res = {0};
    char why[512];
    int rc;

    if (!vec) {
        json_decref(argv);
        return tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        vec[i] = json_string_value(json_array_get(argv, i));
    struct exec_spec spec = {.argv = vec, .deadline_ms = r->deadline_ms, .stdout_max = max,
                             .stderr_max = max};
    rc = exec_run(&spec, NULL, &res, why, sizeof(why));
    free(vec);
    json_decref(argv);
    if (rc == EXEC_ERR_NOT_FOUND)
        return tool_fail(e, TOOL_E_UNSUPPORTED, "not_installed", 0, "%s%s%s", why,
                         r->install ? "; " : "", r->install ? r->install : "");
    if (rc == EXEC_ERR_CANCELLED)
        return tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "cancelled before %s started",
                         r->program);
    if (rc != EXEC_OK)
        return tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "%s", why);
    if (res.cancelled)
        tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "%s was stopped: the request was cancelled",
                  r->program);
    else if (res.timed_out)
        tool_fail(e, TOOL_E_TIMEOUT, NULL, 0, "%s did not finish within %u ms and was stopped",
                  r->program, r->deadline_ms ? r->deadline_ms : EXEC_DEADLINE_DEFAULT_MS);
    else if (res.status != 0 && !r->status_is_result)
        tool_fail(e, TOOL_E_REFUSED, "exit_status", res.status, "%s exited with status %d: %.600s",
                  r->program, res.status, res.err_len ? res.err : res.out);
    else {
        out = json_pack("{s:i, s:s%, s:s%}", "status", res.status, "stdout", res.out,
                        res.out_len, "stderr", res.err, res.err_len);
        if (!out) /* not UTF-8: keep what is */
            out = json_pack("{s:i, s:s, s:s}", "status", res.status, "stdout",
                            "(output is not UTF-8 text)", "stderr", "");
        if (res.stdout_truncated)
            json_object_set_new(out, "stdout_truncated", json_true());
        if (res.stderr_truncated)
            json_object_set_new(out, "stderr_truncated", json_true());
    }
    exec_result_release(&res);
    return out;
}
