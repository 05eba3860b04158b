/* tools/cfg_compose: cfg_list_flags, cfg_compose_flags, cfg_build_from_flags and
 * cfg_start_session (the Python server's tools of those names): a config composed from the
 * templates of the configured OpenSIPS installation (cfg/templates.h), flags and site
 * parameters resolved onto one template (cfg/compose.h), rendered through the real m4
 * (cfg/render.h), fixed where the templates hard-code what a packaged install lacks, checked
 * with opensips -C (tools/cfg_common.h), and kept in a session file under the allowed root
 * (file/rootfile.h). Facts: config-templates.md §1-§4. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg/compose.h"
#include "cfg/render.h"
#include "cfg/templates.h"
#include "exec/exec.h"
#include "file/rootfile.h"
#include "tools/cfg_common.h"
#include "tools/row.h"
#include "tools/tool.h"

#define CFG_SESSIONS_DIR "cfg-sessions"
#define CFG_SESSIONS_MAX 64            /* session files under the root: more are refused */
#define CFG_SESSION_MAX (256u << 10)   /* bytes of one session file */
#define CFG_TEXT_SHOWN (16u << 10)     /* bytes of rendered text in a result */
#define CFG_CHECK_SHOWN (4u << 10)     /* bytes of the opensips -C verdict in a result */
#define CFG_DESCRIPTION_MAX 2000

/* The template a call names, or the default: examples/residential (its site values are flags:
 * LISTEN_IP, DB_URL), else menuconfig/residential (an installation without the examples set),
 * else the first there is. */
static const struct cfg_template *pick(const struct cfg_templates *ts, const char *name,
                                       struct tool_error *e)
{
    if (name)
        return cfg_tool_template(ts, name, e);
    const struct cfg_template *t = cfg_templates_find(ts, "examples/residential");
    if (!t)
        t = cfg_templates_find(ts, "menuconfig/residential");
    return t ? t : &ts->items[0];
}

/* The set's template for a set name ("residential"): examples/ first, as pick. */
static const struct cfg_template *pick_set(const struct cfg_templates *ts, const char *base,
                                           const char **set_why)
{
    char name[CFG_NAME_MAX + 16];
    snprintf(name, sizeof(name), "examples/%s", base);
    const struct cfg_template *t = cfg_templates_find(ts, name);
    *set_why = "the examples set takes site values (LISTEN_IP, DB_URL) as flags";
    if (t)
        return t;
    snprintf(name, sizeof(name), "menuconfig/%s", base);
    *set_why = "this installation has no examples set; menuconfig hard-codes site values";
    return cfg_templates_find(ts, name);
}

/* out (stolen) within TOOL_RESULT_CAP, with a note when something was cut. */
static json_t *capped(json_t *out)
{
    char *cut = NULL;
    if (!out)
        return NULL;
    out = tool_cap(out, TOOL_RESULT_CAP, &cut);
    if (out && cut)
        json_object_set_new(out, "note", json_string(cut));
    free(cut);
    return out;
}

static json_t *strings(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* ---- cfg_list_flags ---- */

static const char *flag_note(const struct cfg_flag *f)
{
    if (f->no_effect)
        return "defined but never tested: choosing it changes nothing";
    if (f->internal)
        return "set by the template from other flags";
    if (!f->default_value)
        return "tested but never defined: off unless chosen";
    if (f->overridden_by_template)
        return "the template define()s it itself: a choice rewrites that line";
    return NULL;
}

static json_t *list_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct cfg_templates ts;
    json_t *out = NULL;
    if (!cfg_tool_templates(x, &ts, e))
        goto done;
    const char *name = tool_str(args, "template", NULL);
    if (!name) {
        json_t *items = json_array();
        for (size_t i = 0; items && i < ts.n; i++) {
            const struct cfg_template *t = &ts.items[i];
            json_t *fl = json_array();
            for (size_t j = 0; fl && j < t->n_flags; j++)
                json_array_append_new(fl, json_string(t->flags[j].name));
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o*}", "name", t->name,
                "set", t->set == CFG_SET_MENUCONFIG ? "menuconfig" : "examples", "file",
                t->file, "flags", fl));
        }
        out = json_pack("{s:s, s:s, s:o*}", "share_dir", ts.share_dir, "default",
                        pick(&ts, NULL, e)->name, "templates", items);
        goto done;
    }
    const struct cfg_template *t = pick(&ts, name, e);
    if (!t)
        goto done;
    json_t *fl = json_array();
    for (size_t j = 0; fl && j < t->n_flags; j++) {
        const struct cfg_flag *f = &t->flags[j];
        json_t *o = json_pack("{s:s, s:s}", "name", f->name, "kind", cfg_flag_kind(f));
        if (!o)
            continue;
        if (f->default_value)
            json_object_set_new(o, "default", json_string(f->default_value));
        if (f->comment)
            json_object_set_new(o, "meaning", json_string(f->comment));
        if (flag_note(f))
            json_object_set_new(o, "note", json_string(flag_note(f)));
        json_array_append_new(fl, o);
    }
    out = json_pack("{s:s, s:s, s:s, s:s*, s:o*}", "template", t->name, "set",
                    t->set == CFG_SET_MENUCONFIG ? "menuconfig" : "examples", "file", t->file,
                    "defaults_file", t->defs_file, "flags", fl);
done:
    if (!out && !e->kind)
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
    cfg_templates_release(&ts);
    return capped(out);
}

/* ---- composing: flags and site parameters, rendered and fixed ---- */

struct composed {
    struct cfg_compose k;
    struct cfg_render_result r;
    struct cfg_fixes fixes;
};

static void composed_release(struct composed *c)
{
    cfg_compose_release(&c->k);
    cfg_render_result_release(&c->r);
    cfg_fixes_release(&c->fixes);
}

static bool compose_fail(struct tool_ctx *x, struct tool_error *e, int rc, const char *why)
{
    if (rc == CFG_ERR_NOT_FOUND)
        tool_fail(e, TOOL_E_BAD_ARGS, "unknown_flag", 0, "%s", why);
    else
        cfg_tool_fail(x, e, rc, why);
    return false;
}

/* Resolve flags (array of strings) and site (object or NULL) onto t, render, fix. */
static bool compose(struct tool_ctx *x, const struct cfg_template *t, const json_t *flags,
                    const json_t *site, struct composed *c, struct tool_error *e)
{
    char why[1024];
    size_t i;
    json_t *v;
    int rc;

    memset(c, 0, sizeof(*c));
    cfg_compose_init(&c->k, t);
    json_array_foreach(flags, i, v) {
        if ((rc = cfg_compose_flag(&c->k, json_string_value(v), why, sizeof(why))))
            return compose_fail(x, e, rc, why);
    }
    const char *key;
    if (json_object_size(site) > CFG_CHOICES_MAX) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "%zu site parameters: at most %d",
                  json_object_size(site), CFG_CHOICES_MAX);
        return false;
    }
    json_object_foreach((json_t *)site, key, v) {
        char num[32];
        const char *s = json_string_value(v);
        if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            s = num;
        }
        if (!s) {
            tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "site parameter '%.64s' must be a string or "
                      "an integer", key);
            return false;
        }
        if ((rc = cfg_compose_site(&c->k, key, s, why, sizeof(why))))
            return compose_fail(x, e, rc, why);
    }
    rc = cfg_render(t, c->k.choices, c->k.n, cfg_tool_m4(x), 0, &c->r, why, sizeof(why));
    if (rc) {
        cfg_tool_fail(x, e, rc, why);
        return false;
    }
    char *bin = exec_find(cfg_tool_opensips(x)), *mdir = bin ? cfg_module_dir(bin) : NULL;
    rc = cfg_fix_text(&c->r.text, &c->r.len, mdir, c->k.mpath, c->k.db_url, &c->fixes);
    free(bin);
    free(mdir);
    if (rc) {
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory fixing the rendered config");
        return false;
    }
    return true;
}

/* {template, choices, modules, modparams, no_effect, fixes, notes}: what both tools answer. */
static json_t *composed_json(const struct composed *c, char ***mods, long *nmods)
{
    json_t *ch = json_array(), *ne = json_array(), *fx = json_array();
    for (size_t i = 0; ch && i < c->k.n; i++)
        json_array_append_new(ch, json_pack("{s:s, s:s}", "name", c->k.choices[i].name, "value",
                                            c->k.choices[i].value));
    for (size_t i = 0; ne && i < c->r.n_no_effect; i++)
        json_array_append_new(ne, json_pack("{s:s, s:s}", "name", c->r.no_effect[i].name,
                                            "reason", c->r.no_effect[i].reason));
    for (size_t i = 0; fx && i < c->fixes.n; i++)
        json_array_append_new(fx, json_pack("{s:i, s:s}", "line", c->fixes.items[i].line,
                                            "what", c->fixes.items[i].what));
    *nmods = cfg_modules(c->r.text, mods);
    return json_pack("{s:s, s:o*, s:o*, s:I, s:o*, s:o*, s:o*}", "template", c->k.t->name,
                     "choices", ch, "modules", *nmods < 0 ? NULL : strings(*mods, (size_t)*nmods),
                     "modparams", (json_int_t)cfg_modparams(c->r.text), "no_effect", ne, "fixes",
                     fx, "notes", strings(c->k.notes, c->k.n_notes));
}

static bool in(char **v, long n, const char *s)
{
    for (long i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

static json_t *compose_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct cfg_templates ts;
    struct composed c;
    struct cfg_render_result def = {0};
    char **mods = NULL, **dmods = NULL, why[1024];
    long nm = 0, nd = 0;
    json_t *out = NULL;

    memset(&c, 0, sizeof(c));
    if (!cfg_tool_templates(x, &ts, e))
        goto out;
    const struct cfg_template *t = pick(&ts, tool_str(args, "template", NULL), e);
    if (!t || !compose(x, t, json_object_get(args, "flags"), NULL, &c, e))
        goto out;
    int rc = cfg_render(t, NULL, 0, cfg_tool_m4(x), 0, &def, why, sizeof(why));
    if (rc) {
        cfg_tool_fail(x, e, rc, why);
        goto out;
    }
    if (!(out = composed_json(&c, &mods, &nm)) || (nd = cfg_modules(def.text, &dmods)) < 0 ||
        nm < 0) {
        json_decref(out);
        out = tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
        goto out;
    }
    json_t *added = json_array(), *removed = json_array();
    for (long i = 0; i < nm; i++)
        if (!in(dmods, nd, mods[i]))
            json_array_append_new(added, json_string(mods[i]));
    for (long i = 0; i < nd; i++)
        if (!in(mods, nm, dmods[i]))
            json_array_append_new(removed, json_string(dmods[i]));
    json_object_set_new(out, "added", added);
    json_object_set_new(out, "removed", removed);
out:
    cfg_modules_free(mods, nm > 0 ? (size_t)nm : 0);
    cfg_modules_free(dmods, nd > 0 ? (size_t)nd : 0);
    cfg_render_result_release(&def);
    composed_release(&c);
    cfg_templates_release(&ts);
    return capped(out);
}

/* ---- sessions: <root>/cfg-sessions/<id>.json ---- */

static const char *sessions_root(struct tool_ctx *x, struct tool_error *e)
{
    const char *root = x->be ? x->be->files_root : NULL;
    if (root && root[0] == '/')
        return root;
    tool_fail(e, TOOL_E_CONFIG, "no_out_dir_root", 0, "config sessions are kept under the "
              "allowed directory, and none is set: the operator must set --out-dir-root "
              "(OPENSIPS_MCP_OUT_DIR_ROOT) to an absolute directory");
    return NULL;
}

/* The sessions directory under root (made when missing, never reached through a link), locked
 * (flock) so that calls at once count and create one after the other and cannot pass the limit
 * together. Its descriptor (close it to unlock), or -1 with errno set. */
static int sessions_lock(const char *root)
{
    int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0)
        return -1;
    if (mkdirat(rfd, CFG_SESSIONS_DIR, 0750) < 0 && errno != EEXIST) {
        int err = errno;
        close(rfd);
        errno = err;
        return -1;
    }
    int dfd = openat(rfd, CFG_SESSIONS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    close(rfd);
    errno = err;
    if (dfd < 0)
        return -1;
    while (flock(dfd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            err = errno;
            close(dfd);
            errno = err;
            return -1;
        }
    }
    return dfd;
}

/* Session files in the directory dfd (borrowed), or -1 with errno set. */
static long sessions_count(int dfd)
{
    int fd = dup(dfd);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    rewinddir(d);
    long n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        char id[CFG_SESSION_ID_LEN + 1];
        if (l != CFG_SESSION_ID_LEN + 5 || strcmp(de->d_name + CFG_SESSION_ID_LEN, ".json"))
            continue;
        memcpy(id, de->d_name, CFG_SESSION_ID_LEN);
        id[CFG_SESSION_ID_LEN] = '\0';
        n += cfg_session_id_valid(id);
    }
    closedir(d);
    return n;
}

static void session_rel(char *buf, size_t len, const char *id)
{
    snprintf(buf, len, CFG_SESSIONS_DIR "/%s.json", id);
}

/* Write session s (borrowed) as id; create: never over an existing file. */
static bool session_write(const char *root, const char *id, const json_t *s, bool create,
                          struct tool_error *e)
{
    char rel[64], why[600];
    char *data = json_dumps(s, JSON_COMPACT);
    if (!data) {
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
        return false;
    }
    size_t len = strlen(data);
    if (len > CFG_SESSION_MAX) {
        free(data);
        tool_fail(e, TOOL_E_TOO_LARGE, NULL, 0, "session %s would be %zu bytes, over its "
                  "limit of %u; nothing was stored", id, len, CFG_SESSION_MAX);
        return false;
    }
    session_rel(rel, sizeof(rel), id);
    int rc = rootfile_write(root, rel, data, len, ROOTFILE_MKDIRS | (create ? 0 : ROOTFILE_OVERWRITE),
                            NULL, 0, why, sizeof(why));
    free(data);
    if (rc == ROOTFILE_OK)
        return true;
    tool_fail(e, rc == ROOTFILE_ERR_EXISTS ? TOOL_E_REFUSED : TOOL_E_SYSTEM,
              rc == ROOTFILE_ERR_EXISTS ? "session_exists" : NULL, 0,
              "cannot store session %s under %s: %s", id, root, why);
    return false;
}

/* The session id names (new reference), or NULL with e filled. */
static json_t *session_read(const char *root, const char *id, struct tool_error *e)
{
    char rel[64], why[600], *data = NULL;
    size_t len;
    if (!cfg_session_id_valid(id))
        return tool_fail(e, TOOL_E_BAD_ARGS, "bad_session_id", 0, "session_id '%.40s' is not "
                         "a session id: %d lowercase hex characters, as cfg_start_session "
                         "answers", id, CFG_SESSION_ID_LEN);
    session_rel(rel, sizeof(rel), id);
    int rc = rootfile_read(root, rel, CFG_SESSION_MAX, &data, &len, why, sizeof(why));
    if (rc == ROOTFILE_ERR_NOT_FOUND)
        return tool_fail(e, TOOL_E_NOT_FOUND, "unknown_session", 0, "no session %s under %s; "
                         "start one with cfg_start_session", id, root);
    if (rc)
        return tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "cannot read session %s: %s", id, why);
    json_error_t je;
    json_t *s = json_loadb(data, len, 0, &je);
    free(data);
    if (!json_is_object(s)) {
        json_decref(s);
        return tool_fail(e, TOOL_E_GARBAGE, NULL, 0, "session %s under %s is not a session "
                         "file (%s)", id, root, je.text);
    }
    return s;
}

static json_t *now_json(void)
{
    char buf[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* ---- cfg_build_from_flags ---- */

static json_t *build_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct cfg_templates ts;
    struct composed c;
    char **mods = NULL;
    long nm = 0;
    json_t *out = NULL, *sess = NULL;
    const char *sid = tool_str(args, "session_id", NULL), *root = NULL;
    const char *tname = tool_str(args, "template", NULL);

    memset(&c, 0, sizeof(c));
    memset(&ts, 0, sizeof(ts));
    if (sid && (!(root = sessions_root(x, e)) || !(sess = session_read(root, sid, e))))
        return NULL;
    const char *stname = sess ? tool_str(sess, "template", NULL) : NULL;
    if (stname && tname && strcmp(stname, tname)) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "session %s is for template '%s', not '%.80s'; "
                  "leave template out or start another session", sid, stname, tname);
        goto out;
    }
    if (!cfg_tool_templates(x, &ts, e))
        goto out;
    const struct cfg_template *t = pick(&ts, tname ? tname : stname, e);
    const json_t *site = json_object_get(args, "site_params");
    if (!t || !compose(x, t, json_object_get(args, "flags"), site, &c, e))
        goto out;
    if (!(out = composed_json(&c, &mods, &nm)) || nm < 0) {
        json_decref(out);
        out = tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
        goto out;
    }
    size_t shown = c.r.len > CFG_TEXT_SHOWN ? CFG_TEXT_SHOWN : c.r.len;
    while (shown < c.r.len && shown && (c.r.text[shown] & 0xC0) == 0x80)
        shown--; /* whole UTF-8 characters */
    json_t *text = json_stringn(c.r.text, shown);
    if (!text) {
        json_decref(out);
        out = tool_fail(e, TOOL_E_GARBAGE, NULL, 0, "template '%s' renders to text that is not "
                        "UTF-8", t->name);
        goto out;
    }
    json_object_set_new(out, "config", text);
    json_object_set_new(out, "bytes", json_integer((json_int_t)c.r.len));
    if (shown < c.r.len)
        json_object_set_new(out, "config_truncated", json_true());
    json_t *v = json_object_get(args, "validate");
    if (!v || json_is_true(v)) {
        struct tool_error ce = {0};
        json_t *check = cfg_tool_check_text(x, c.r.text, c.r.len, "opensips.cfg", &ce);
        char *cut = NULL;
        if (check && !(check = tool_cap(check, CFG_CHECK_SHOWN, &cut)))
            tool_fail(&ce, TOOL_E_SYSTEM, NULL, 0, "out of memory");
        if (check && cut)
            json_object_set_new(check, "note", json_string(cut));
        free(cut);
        if (check)
            json_object_set_new(out, "check", check);
        else if (ce.name && !strcmp(ce.name, "opensips_not_found"))
            json_object_set_new(out, "check_skipped", json_string(ce.text));
        else {
            *e = ce;
            json_decref(out);
            out = NULL;
            goto out;
        }
    }
    if (sess) {
        json_object_set_new(sess, "template", json_string(t->name));
        json_object_set(sess, "flags", json_object_get(args, "flags"));
        json_object_set_new(sess, "site_params", site ? json_incref((json_t *)site) : json_object());
        json_object_set_new(sess, "config", json_stringn(c.r.text, c.r.len));
        json_t *check = json_object_get(out, "check");
        if (check)
            json_object_set(sess, "check_passed", json_object_get(check, "passed"));
        else
            json_object_del(sess, "check_passed");
        json_object_set_new(sess, "updated", now_json());
        if (!session_write(root, sid, sess, false, e)) {
            json_decref(out);
            out = NULL;
            goto out;
        }
        json_object_set_new(out, "session_id", json_string(sid));
    }
out:
    cfg_modules_free(mods, nm > 0 ? (size_t)nm : 0);
    json_decref(sess);
    composed_release(&c);
    cfg_templates_release(&ts);
    return capped(out);
}

/* ---- cfg_start_session ---- */

static json_t *start_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct cfg_templates ts;
    const char *desc = tool_str(args, "description", ""), *root = sessions_root(x, e);
    const char *tname = tool_str(args, "template", NULL), *set_why = NULL;
    json_t *out = NULL, *sess = NULL;
    int lock = -1;
    char id[CFG_SESSION_ID_LEN + 1], why[300], kw[64];

    if (!root)
        return NULL;
    /* the templates first: a call that cannot propose anything leaves no directory behind */
    if (!cfg_tool_templates(x, &ts, e)) {
        cfg_templates_release(&ts);
        return NULL;
    }
    lock = sessions_lock(root);
    long n = lock < 0 ? -1 : sessions_count(lock);
    if (n < 0) {
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "cannot use %s/" CFG_SESSIONS_DIR ": %s%s", root,
                  strerror(errno), errno == ELOOP || errno == ENOTDIR
                                       ? " (a symbolic link or not a directory)" : "");
        goto out;
    }
    if (n >= CFG_SESSIONS_MAX) {
        tool_fail(e, TOOL_E_REFUSED, "too_many_sessions", 0, "%ld config sessions are kept "
                  "under %s/" CFG_SESSIONS_DIR ", the most there may be (%d); remove old ones "
                  "there first", n, root, CFG_SESSIONS_MAX);
        goto out;
    }
    const struct cfg_template *t;
    if (tname) {
        if (!(t = cfg_tool_template(&ts, tname, e)))
            goto out;
        snprintf(why, sizeof(why), "asked for");
    } else {
        const char *base = cfg_suggest_template(desc, kw, sizeof(kw));
        if (!(t = pick_set(&ts, base, &set_why))) {
            t = pick(&ts, NULL, e);
            set_why = "the template it suggests is not installed here";
        }
        if (kw[0])
            snprintf(why, sizeof(why), "the description says '%s'; %s", kw, set_why);
        else
            snprintf(why, sizeof(why), "no keyword matched, residential is the general one; %s",
                     set_why);
    }
    json_t *site = json_array(), *feat = json_array(), *sug = json_array();
    for (size_t i = 0; i < t->n_flags; i++) {
        const struct cfg_flag *f = &t->flags[i];
        const char *kind = cfg_flag_kind(f);
        json_t *row = json_pack("{s:s, s:s*, s:s*}", "name", f->name, "default",
                                f->default_value, "meaning", f->comment);
        if (!strcmp(kind, "value"))
            json_array_append_new(site, row);
        else if (!strcmp(kind, "switch") && !f->no_effect)
            json_array_append_new(feat, row);
        else
            json_decref(row);
    }
    const char *flag;
    for (size_t i = 0; (flag = cfg_suggest_flag(t, desc, i, kw, sizeof(kw))); i++)
        json_array_append_new(sug, json_pack("{s:s, s:s}", "flag", flag, "because", kw));
    if (cfg_session_id_new(id)) {
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "no randomness for a session id: %s",
                  strerror(errno));
        json_decref(site);
        json_decref(feat);
        json_decref(sug);
        goto out;
    }
    sess = json_pack("{s:s, s:s, s:s, s:o, s:[], s:{}}", "id", id, "description", desc,
                     "template", t->name, "created", now_json(), "flags", "site_params");
    if (!sess || !session_write(root, id, sess, true, e)) {
        if (!sess)
            tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
        json_decref(site);
        json_decref(feat);
        json_decref(sug);
        goto out;
    }
    out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "session_id", id, "template",
                    t->name, "why", why, "site_params", site, "flags", feat, "suggested", sug,
                    "next", "call cfg_build_from_flags with this session_id, the flags to turn "
                    "on and site_params; it renders, checks and stores the config here");
    if (!out)
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
out:
    json_decref(sess);
    cfg_templates_release(&ts);
    if (lock >= 0)
        close(lock);
    return capped(out);
}

#define TEMPLATE_ARG_D(d) {.name = "template", .type = T_STRING, .min_len = 1, .max_len = 80, \
                           .description = (d)}
#define TEMPLATE_ARG TEMPLATE_ARG_D("From cfg_list_flags; default examples/residential")
#define FLAGS_ARG                                                                       \
    {.name = "flags", .type = T_ARRAY, .flags = ARG_REQUIRED, .max_len = CFG_CHOICES_MAX, \
     .item = ITEM(.type = T_STRING, .min_len = 1, .max_len = 330),                      \
     .description = "NAME (yes) or NAME=VALUE; any case; WITH_X taken as X, USE_X"}

static const struct tool_def cfg_compose_tools[] = {
    {.name = "cfg_list_flags",
     .title = "List template flags",
     .description = "The installation's config templates and their flags; with template, each "
                    "flag's default, meaning, kind and traps.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_SERVER,
     .args = ARGS(TEMPLATE_ARG),
     .run = list_run,
     .mapping = "Read from the templates of the configured OpenSIPS (--cfg-templates or "
                "--opensips). Fixed: the Python server lists a fixed WITH_* vocabulary of its own; "
                "ours lists each template's own flags, so a new OpenSIPS brings its own"},
    {.name = "cfg_compose_flags",
     .title = "Resolve flags",
     .description = "Resolves flags on a template without returning the config: modules loaded "
                    "(and versus defaults), modparams, choices without effect and why.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT | TOOL_F_LONG,
     .backend = BACKEND_SERVER,
     .args = ARGS(FLAGS_ARG, TEMPLATE_ARG),
     .run = compose_run,
     .mapping = "m4 renders with and without the flags (config-templates.md §3). Differs: the "
                "Python server resolves its own flag table; ours renders the real template, so "
                "modules are what the config loads; an unknown flag is an error naming the "
                "template's flags, not a list entry"},
    {.name = "cfg_build_from_flags",
     .title = "Build a config from flags",
     .description = "Renders a template with flags and site values, fixes mpath and the DB "
                    "driver, checks it with opensips -C; optionally stores it in a session.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_READ),
     .flags = TOOL_F_READONLY | TOOL_F_LONG,
     .backend = BACKEND_SERVER,
     .args = ARGS(FLAGS_ARG,
                  {.name = "site_params", .type = T_OBJECT,
                   .description = "NAME: value, e.g. LISTEN_IP, DB_URL, MPATH"},
                  {.name = "validate", .type = T_BOOLEAN, .def = "true",
                   .description = "Run opensips -C"},
                  TEMPLATE_ARG_D("From cfg_list_flags; default the session's, else "
                                 "examples/residential"),
                  {.name = "session_id", .type = T_STRING, .min_len = 1, .max_len = 40,
                   .description = "Store the result in this session"}),
     .run = build_run,
     .mapping = "m4 of the installation's template, then opensips -C in a private directory. "
                "Differs: site_params keys are the template's own (LISTEN, RTP_PROXY_ADDR mapped; "
                "others noted as ignored), and the hard-coded mpath and db_mysql are fixed, each "
                "fix listed. Writes only its session file (the server's own state), hence "
                "config.read"},
    {.name = "cfg_start_session",
     .title = "Start a config session",
     .description = "Picks a template from a deployment description, suggests flags, lists site "
                    "values; keeps a session under the allowed directory.",
     .toolset = "cfg",
     .scope = SCOPE_BIT(SCOPE_CONFIG_WRITE),
     .backend = BACKEND_SERVER,
     .args = ARGS({.name = "description", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1,
                   .max_len = CFG_DESCRIPTION_MAX, .description = "The deployment, in words"},
                  TEMPLATE_ARG_D("Use this one (from cfg_list_flags) instead of choosing")),
     .run = start_run,
     .mapping = "Keyword rows pick the template and flags. Differs: the session is a file, "
                "<out-dir-root>/cfg-sessions/<id>.json (at most 64), so it needs config.write "
                "and --out-dir-root, as snapshot_capture does; the templates are the "
                "installation's, not a catalogue of the server's own"},
};
ROW_TABLE(cfg_compose, cfg_compose_tools);
