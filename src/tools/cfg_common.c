/* tools/cfg_common: the cfg_* tools' shared parts (tools/cfg_common.h). */
#include "tools/cfg_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/render.h"
#include "exec/exec.h"
#include "mcp/server.h"
#include "settings.h"

static const struct settings *settings_of(struct tool_ctx *x)
{
    return x->call ? mcp_server_settings(mcp_call_server(x->call)) : NULL;
}

const char *cfg_tool_opensips(struct tool_ctx *x)
{
    const struct settings *s = settings_of(x);
    return s && s->opensips && *s->opensips ? s->opensips : "opensips";
}

const char *cfg_tool_m4(struct tool_ctx *x)
{
    const struct settings *s = settings_of(x);
    return s && s->m4 && *s->m4 ? s->m4 : "m4";
}

bool cfg_tool_templates(struct tool_ctx *x, struct cfg_templates *t, struct tool_error *e)
{
    const struct settings *s = settings_of(x);
    const char *spec = s && s->cfg_templates && *s->cfg_templates ? s->cfg_templates : NULL;
    char *bin = NULL, *dir = NULL, why[600];
    int rc;

    memset(t, 0, sizeof(*t));
    if (!spec) {
        const char *prog = cfg_tool_opensips(x);
        if (!(bin = exec_find(prog))) {
            tool_fail(e, TOOL_E_UNSUPPORTED, "no_templates", 0,
                      "no OpenSIPS config templates: '%.200s' is not an installed program "
                      "(looked in " EXEC_PATH "). Set --opensips to the binary of the "
                      "OpenSIPS your nodes run, or --cfg-templates to its share/opensips",
                      prog);
            return false;
        }
        spec = bin;
    }
    rc = cfg_share_dir_resolve(spec, &dir, why, sizeof(why));
    if (rc == CFG_OK)
        rc = cfg_templates_load(dir, t, why, sizeof(why));
    free(bin);
    free(dir);
    if (rc == CFG_ERR_NOT_FOUND) {
        tool_fail(e, TOOL_E_UNSUPPORTED, "no_templates", 0,
                  "%s; set --cfg-templates (OPENSIPS_MCP_CFG_TEMPLATES) or --opensips", why);
        return false;
    }
    if (rc)
        return cfg_tool_fail(x, e, rc, why), false;
    return true;
}

const struct cfg_template *cfg_tool_template(const struct cfg_templates *t, const char *name,
                                             struct tool_error *e)
{
    const struct cfg_template *tp = cfg_templates_find(t, name);
    if (tp)
        return tp;
    char list[400];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < t->n && len < sizeof(list); i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
                                t->items[i].name);
    tool_fail(e, TOOL_E_NOT_FOUND, "unknown_template", 0,
              "no template '%.100s' in %s; there are: %s", name, t->share_dir, list);
    return NULL;
}

void *cfg_tool_fail(struct tool_ctx *x, struct tool_error *e, int cfg_rc, const char *text)
{
    if (x->call && mcp_call_cancelled(x->call))
        return tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "cancelled: %s", text);
    switch (cfg_rc) {
    case CFG_ERR_NOT_FOUND:
        return tool_fail(e, TOOL_E_UNSUPPORTED, NULL, 0, "%s", text);
    case CFG_ERR_INVALID:
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%s", text);
    case CFG_ERR_RUN:
        return tool_fail(e, TOOL_E_REFUSED, NULL, 0, "%s", text);
    case CFG_ERR_NOMEM:
        return tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory: %s", text);
    default:
        return tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "%s", text);
    }
}

static json_t *errors_json(const struct cfg_check_error *v, size_t n, const char *private_path,
                           const char *shown_as)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_object();
        if (!o || json_array_append_new(a, o))
            return json_decref(a), NULL;
        if (v[i].file) {
            const char *f = private_path && shown_as && !strcmp(v[i].file, private_path)
                                ? shown_as : v[i].file;
            json_object_set_new(o, "file", json_string(f));
            json_object_set_new(o, "line", json_integer(v[i].line));
            json_object_set_new(o, "column", json_integer(v[i].column));
            if (v[i].column_end)
                json_object_set_new(o, "column_end", json_integer(v[i].column_end));
        }
        json_object_set_new(o, "message", json_string(v[i].message));
    }
    return a;
}

json_t *cfg_check_json(const struct cfg_check_result *r, const char *private_path,
                       const char *shown_as)
{
    json_t *o = json_pack("{s:b, s:i, s:o*, s:o*, s:s}", "passed", r->ok, "exit_status",
                          r->exit_status, "errors",
                          errors_json(r->errors, r->n_errors, private_path, shown_as),
                          "warnings",
                          errors_json(r->warnings, r->n_warnings, private_path, shown_as),
                          "not_checked", cfg_check_note);
    if (o && r->errors_truncated)
        json_object_set_new(o, "errors_truncated", json_true());
    if (o && r->timed_out)
        json_object_set_new(o, "timed_out", json_true());
    return o;
}

static json_t *check_path(struct tool_ctx *x, const char *path, const char *shown_as,
                          struct tool_error *e)
{
    struct cfg_check_result r;
    char why[600];
    int rc = cfg_check(cfg_tool_opensips(x), path, 0, &r, why, sizeof(why));
    json_t *out = NULL;

    if (rc == CFG_ERR_NOT_FOUND)
        tool_fail(e, TOOL_E_UNSUPPORTED, "opensips_not_found", 0,
                  "%s; set --opensips (OPENSIPS_MCP_OPENSIPS) to the binary of the OpenSIPS "
                  "your nodes run", why);
    else if (rc)
        cfg_tool_fail(x, e, rc, why);
    else if (x->call && mcp_call_cancelled(x->call))
        tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "opensips -C was stopped: the request was "
                  "cancelled");
    else if (!(out = cfg_check_json(&r, path, shown_as)))
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
    cfg_check_result_release(&r);
    return out;
}

json_t *cfg_tool_check_file(struct tool_ctx *x, const char *path, struct tool_error *e)
{
    return check_path(x, path, NULL, e);
}

json_t *cfg_tool_check_text(struct tool_ctx *x, const char *text, size_t len,
                            const char *shown_as, struct tool_error *e)
{
    char dir[] = "/tmp/opensips-mcp-cfg-XXXXXX", path[sizeof(dir) + 16];
    json_t *out = NULL;

    if (!mkdtemp(dir))
        return tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "cannot make a private directory under "
                         "/tmp: %s", strerror(errno));
    snprintf(path, sizeof(path), "%s/opensips.cfg", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            goto out;
        }
        off += (size_t)w;
    }
    close(fd);
    out = check_path(x, path, shown_as ? shown_as : "opensips.cfg", e);
out:
    unlink(path);
    rmdir(dir);
    return out;
}
