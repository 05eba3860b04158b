/* tools/modgen: module development — module_add_mi_command writes a new MI command into an
 * OpenSIPS module's C source (codegen/mi_codegen.h) and answers the patch an operator reviews,
 * with the patched source. Computed here; nothing is run, read or written on the host. */
#include <string.h>

#include "codegen/mi_codegen.h"
#include "mi/catalogue.h"
#include "tools/row.h"
#include "tools/tool.h"

/* What OpenSIPS's catalogues (data/catalogue) know of the name: the module's own command, which
 * the source may name through a header's macro (refused, with *e), or another module's (a note:
 * 3.x names are global, and a second command of a name fails the start). */
static bool known_command(const struct mi_codegen_result *r, const char *name, json_t *notes,
                          struct tool_error *e)
{
    struct mi_error me;
    char key[160];
    const struct mi_cmd *c;

    if (mi_catalogue_load(&me) != MI_OK)
        return false;
    snprintf(key, sizeof(key), "%s:%s", r->module, name);
    if ((c = mi_catalogue_find(key, &me)) || (c = mi_catalogue_find(name, &me))) {
        size_t n = strlen(r->module);
        if (!strncmp(c->key, r->module, n) && c->key[n] == ':') {
            tool_fail(e, TOOL_E_BAD_ARGS, "command_exists", 0, "module %s already has MI "
                      "command '%s' (OpenSIPS's catalogue: %s); choose another command_name",
                      r->module, name, c->key);
            return true;
        }
        json_array_append_new(notes, json_sprintf("OpenSIPS already has an MI command named '%s' "
                              "(%s): 3.x names are global and a second one fails the start; "
                              "consider a name prefixed with %s_", name, c->key, r->module));
    }
    return false;
}

static json_t *add_mi_command_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const json_t *src = json_object_get(args, "module_source");
    const char *name = tool_str(args, "command_name", "");
    const char *desc = tool_str(args, "command_description", NULL);
    const char *file = tool_str(args, "file_name", NULL);
    struct mi_codegen_result r;
    char err[sizeof(e->text)];
    json_t *out = NULL, *notes;

    (void)x;
    if (strlen(name) != json_string_length(json_object_get(args, "command_name")))
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "command_name has a NUL character");
    const json_t *jdesc = json_object_get(args, "command_description");
    if ((desc && strlen(desc) != json_string_length(jdesc)) ||
        (file && strlen(file) != json_string_length(json_object_get(args, "file_name"))))
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "command_description and file_name must "
                         "not hold a NUL character");
    int rc = mi_codegen_add(json_string_value(src), json_string_length(src), name, desc, file, &r,
                            err, sizeof(err));
    switch (rc) {
    case MI_CODEGEN_OK:
        break;
    case MI_CODEGEN_E_EXISTS:
        tool_fail(e, TOOL_E_BAD_ARGS, "command_exists", 0, "%s", err);
        goto out;
    case MI_CODEGEN_E_NOT_MODULE:
        tool_fail(e, TOOL_E_BAD_ARGS, "not_a_module", 0, "%s", err);
        goto out;
    case MI_CODEGEN_E_UNSUPPORTED:
        tool_fail(e, TOOL_E_UNSUPPORTED, NULL, 0, "%s", err);
        goto out;
    case MI_CODEGEN_E_NOMEM:
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
        goto out;
    default:
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s", err);
        goto out;
    }
    notes = json_array();
    if (known_command(&r, name, notes, e)) {
        json_decref(notes);
        goto out;
    }
    for (size_t i = 0; i < r.n_notes; i++)
        json_array_append_new(notes, json_string(r.notes[i]));
    out = json_pack("{s:s%, s:s%, s:{s:i, s:i}, s:o}", "patch", r.patch, r.patch_len, "source",
                    r.source, r.source_len, "inserted", "handler_line", (int)r.handler_line,
                    "entry_line", (int)r.entry_line, "notes", notes);
    if (!out)
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory, or the source is not UTF-8");
out:
    mi_codegen_result_release(&r);
    return out;
}

static const struct tool_def modgen_tools[] = {
    {.name = "module_add_mi_command",
     .title = "Add an MI command to a module",
     .description = "Writes a new MI command into an OpenSIPS module's C source: a handler "
                    "skeleton and its mi_export_t entry. Answers {patch (unified diff), source "
                    "(patched), inserted lines, notes}; writes no file.",
     .toolset = "module_dev",
     .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_SERVER,
     .args = ARGS(
         {.name = "module_source", .type = T_STRING, .flags = ARG_REQUIRED,
          .max_len = MI_CODEGEN_SOURCE_MAX, .description = "The C file that defines exports"},
         {.name = "command_name", .type = T_STRING, .flags = ARG_REQUIRED,
          .max_len = MI_CODEGEN_NAME_MAX, .description = "a-z, 0-9, _"},
         {.name = "command_description", .type = T_STRING, .max_len = MI_CODEGEN_DESC_MAX,
          .description = "Help text, one line"},
         {.name = "file_name", .type = T_STRING, .max_len = MI_CODEGEN_FILE_MAX,
          .description = "Path in the patch (default MODULE.c)"}),
     .run = add_mi_command_run,
     .mapping = "none: computed by this server (codegen/mi_codegen.c). Differs from the Python "
                "server, which answers the edited source only: ours adds the diff, refuses a "
                "command the array has, and wires a new array into module_exports"},
};
ROW_TABLE(modgen, modgen_tools);
