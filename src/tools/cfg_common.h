/* tools/cfg_common: what the cfg_* tools share: the programs and templates the settings name
 * (--opensips, --cfg-templates, --m4), the cfg module's failures as tool errors, a check result
 * as JSON, and a config text checked by `opensips -C` in a private directory. */
#ifndef TOOLS_CFG_COMMON_H
#define TOOLS_CFG_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cfg/check.h"
#include "cfg/templates.h"
#include "tools/tool.h"

/* The programs the settings name (borrowed): never NULL. */
const char *cfg_tool_opensips(struct tool_ctx *x);
const char *cfg_tool_m4(struct tool_ctx *x);

/* The templates of the installation the settings name: --cfg-templates, else the share
 * directory of --opensips (a bare name is looked for in EXEC_PATH). t is zeroed first and must
 * be released with cfg_templates_release in every case. false with e filled (TOOL_E_UNSUPPORTED
 * "no_templates" when none is found, saying which setting to give). */
bool cfg_tool_templates(struct tool_ctx *x, struct cfg_templates *t, struct tool_error *e);

/* The template `name` of t, or NULL with e filled (TOOL_E_NOT_FOUND "unknown_template", naming
 * the ones there are). */
const struct cfg_template *cfg_tool_template(const struct cfg_templates *t, const char *name,
                                             struct tool_error *e);

/* A cfg module failure (enum cfg_err, with its errbuf text) as a tool error; cancellation of
 * the call wins over the module's text. Returns NULL. */
void *cfg_tool_fail(struct tool_ctx *x, struct tool_error *e, int cfg_rc, const char *text);

/* {passed, exit_status, errors: [{file?, line?, column?, column_end?, message}], warnings,
 * errors_truncated?, timed_out?, not_checked}: `passed` is only "opensips -C accepted it", and
 * not_checked says what that leaves out. A file named `private_path` is shown as `shown_as`
 * (both may be NULL). New reference, NULL on out of memory. */
json_t *cfg_check_json(const struct cfg_check_result *r, const char *private_path,
                       const char *shown_as);

/* Check len bytes of config text with `opensips -C -f` (cfg_tool_opensips): the text is written
 * to a file only this process can reach (a fresh 0700 directory under /tmp, removed after), so
 * nothing under the allowed root changes; errors name it `shown_as` (NULL: "opensips.cfg").
 * Returns cfg_check_json's object, or NULL with e filled (opensips missing: TOOL_E_UNSUPPORTED
 * "opensips_not_found", saying to set --opensips; cancelled; out of memory). */
json_t *cfg_tool_check_text(struct tool_ctx *x, const char *text, size_t len,
                            const char *shown_as, struct tool_error *e);

/* Check a file (absolute path, already checked against the allowed root by the caller) the same
 * way, in place. */
json_t *cfg_tool_check_file(struct tool_ctx *x, const char *path, struct tool_error *e);

#endif
