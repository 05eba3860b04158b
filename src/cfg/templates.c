/* cfg/templates: finding an installation's config templates and loading them (the scan is in
 * cfg/flags.c). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg/templates.h"
#include "file/rootfile.h"

#define MENU_DIR "menuconfig_templates"
#define EXAMPLES_DIR "examples/templates"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + 1 + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, a[0] && a[strlen(a) - 1] == '/' ? "" : "/", b);
    return s;
}

static bool has_templates(const char *dir)
{
    char *m = join(dir, MENU_DIR), *x = join(dir, EXAMPLES_DIR);
    bool yes = (m && is_dir(m)) || (x && is_dir(x));
    free(m);
    free(x);
    return yes;
}

int cfg_share_dir_resolve(const char *spec, char **dir, char *errbuf, size_t errlen)
{
    *dir = NULL;
    if (!spec || !*spec) {
        snprintf(errbuf, errlen, "no OpenSIPS binary, prefix or share directory given");
        return CFG_ERR_INVALID;
    }
    char *cand[2] = {NULL, NULL};
    struct stat st;
    if (stat(spec, &st) == 0 && S_ISREG(st.st_mode)) {
        /* <prefix>/sbin/opensips: two components up, then share/opensips */
        char *p = strdup(spec);
        if (!p)
            return CFG_ERR_NOMEM;
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(p, '/');
            if (!slash) {
                p[0] = '\0';
                break;
            }
            *slash = '\0';
        }
        cand[0] = join(p[0] ? p : (spec[0] == '/' ? "/" : "."), CFG_SHARE_SUFFIX);
        free(p);
    } else {
        cand[0] = strdup(spec);
        cand[1] = join(spec, CFG_SHARE_SUFFIX);
    }
    int rc = CFG_ERR_NOT_FOUND;
    for (int i = 0; i < 2; i++) {
        if (rc && cand[i] && has_templates(cand[i])) {
            *dir = cand[i];
            cand[i] = NULL;
            rc = CFG_OK;
        }
    }
    if (rc)
        snprintf(errbuf, errlen,
                 "no OpenSIPS config templates for '%s': looked for " MENU_DIR "/ and " EXAMPLES_DIR
                 "/ in '%s'; give the installation's share directory (<prefix>/" CFG_SHARE_SUFFIX
                 ")",
                 spec, cand[0] ? cand[0] : spec);
    free(cand[0]);
    free(cand[1]);
    return rc;
}

static int cmp_template(const void *a, const void *b)
{
    return strcmp(((const struct cfg_template *)a)->name, ((const struct cfg_template *)b)->name);
}

static void template_free(struct cfg_template *t)
{
    cfg_template_flags_release(t);
    free(t->name);
    free(t->file);
    free(t->defs_file);
    memset(t, 0, sizeof(*t));
}

void cfg_templates_release(struct cfg_templates *t)
{
    for (size_t i = 0; i < t->n; i++)
        template_free(&t->items[i]);
    free(t->items);
    free(t->share_dir);
    memset(t, 0, sizeof(*t));
}

/* Read relpath under share with rootfile's rules; rootfile's text on failure. */
static int read_under(const char *share, const char *rel, char **data, char *errbuf,
                      size_t errlen)
{
    size_t len;
    char why[512];
    int r = rootfile_read(share, rel, CFG_TEMPLATE_MAX, data, &len, why, sizeof(why));
    if (r == ROOTFILE_OK) {
        if (memchr(*data, '\0', len)) {
            snprintf(errbuf, errlen, "template '%s' holds a NUL byte: not a template", rel);
            free(*data);
            *data = NULL;
            return CFG_ERR_INVALID;
        }
        return CFG_OK;
    }
    snprintf(errbuf, errlen, "cannot read template %s under '%s'%s", why, share,
             r == ROOTFILE_ERR_TOO_LARGE ? " (over 1 MiB)" : "");
    return r == ROOTFILE_ERR_TOO_LARGE ? CFG_ERR_INVALID : CFG_ERR_IO;
}

/* Add one template: rel is the .m4 under share, defs_rel its _def.m4 or NULL. */
static int add(struct cfg_templates *out, const char *name, enum cfg_set set, const char *rel,
               const char *defs_rel, char *errbuf, size_t errlen)
{
    if (out->n >= CFG_TEMPLATES_MAX) {
        snprintf(errbuf, errlen, "more than %d templates in '%s'", CFG_TEMPLATES_MAX,
                 out->share_dir);
        return CFG_ERR_INVALID;
    }
    struct cfg_template *items = realloc(out->items, (out->n + 1) * sizeof(*items));
    if (!items)
        return CFG_ERR_NOMEM;
    out->items = items;
    struct cfg_template *t = &items[out->n];
    memset(t, 0, sizeof(*t));
    out->n++;
    t->set = set;
    t->name = strdup(name);
    t->file = join(out->share_dir, rel);
    if (defs_rel)
        t->defs_file = join(out->share_dir, defs_rel);
    if (!t->name || !t->file || (defs_rel && !t->defs_file))
        return CFG_ERR_NOMEM;
    char *text = NULL, *defs = NULL;
    int rc = read_under(out->share_dir, rel, &text, errbuf, errlen);
    if (!rc && defs_rel)
        rc = read_under(out->share_dir, defs_rel, &defs, errbuf, errlen);
    if (!rc)
        rc = cfg_template_scan(t, text, defs, errbuf, errlen);
    free(text);
    free(defs);
    return rc;
}

/* The templates of one set: dir under share, files matching prefix<name>.m4 (not _def.m4). */
static int load_set(struct cfg_templates *out, enum cfg_set set, char *errbuf, size_t errlen)
{
    const char *sub = set == CFG_SET_MENUCONFIG ? MENU_DIR : EXAMPLES_DIR;
    const char *prefix = set == CFG_SET_MENUCONFIG ? "opensips_" : "";
    const char *setname = set == CFG_SET_MENUCONFIG ? "menuconfig" : "examples";
    char *path = join(out->share_dir, sub);
    if (!path)
        return CFG_ERR_NOMEM;
    DIR *d = opendir(path);
    free(path);
    if (!d)
        return CFG_OK; /* a set may be absent: older or trimmed installations */
    int rc = CFG_OK;
    struct dirent *de;
    while (!rc && (de = readdir(d))) {
        size_t n = strlen(de->d_name), pl = strlen(prefix);
        if (n <= pl + 3 || strncmp(de->d_name, prefix, pl) || strcmp(de->d_name + n - 3, ".m4"))
            continue;
        if (n >= 7 && !strcmp(de->d_name + n - 7, "_def.m4"))
            continue;
        char base[CFG_NAME_MAX + 1], name[CFG_NAME_MAX + 16], rel[512], defs[512];
        if (n - pl - 3 > CFG_NAME_MAX)
            continue;
        snprintf(base, sizeof(base), "%.*s", (int)(n - pl - 3), de->d_name + pl);
        snprintf(name, sizeof(name), "%s/%s", setname, base);
        snprintf(rel, sizeof(rel), "%s/%s", sub, de->d_name);
        snprintf(defs, sizeof(defs), "%s/%s%s_def.m4", sub, prefix, base);
        bool with_defs = false;
        if (set == CFG_SET_MENUCONFIG) {
            char *abs = join(out->share_dir, defs);
            struct stat st;
            with_defs = abs && stat(abs, &st) == 0;
            free(abs);
        }
        rc = add(out, name, set, rel, with_defs ? defs : NULL, errbuf, errlen);
    }
    closedir(d);
    return rc;
}

int cfg_templates_load(const char *share_dir, struct cfg_templates *out, char *errbuf,
                       size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!share_dir || share_dir[0] != '/') {
        snprintf(errbuf, errlen, "the template share directory '%s' is not an absolute path",
                 share_dir ? share_dir : "");
        return CFG_ERR_INVALID;
    }
    if (!(out->share_dir = strdup(share_dir)))
        return CFG_ERR_NOMEM;
    int rc = load_set(out, CFG_SET_MENUCONFIG, errbuf, errlen);
    if (!rc)
        rc = load_set(out, CFG_SET_EXAMPLES, errbuf, errlen);
    if (rc == CFG_ERR_NOMEM)
        snprintf(errbuf, errlen, "out of memory loading templates from '%s'", share_dir);
    if (!rc && !out->n) {
        snprintf(errbuf, errlen,
                 "no OpenSIPS config templates in '%s': neither " MENU_DIR "/opensips_*.m4 nor "
                 EXAMPLES_DIR "/*.m4 exists; give the installation's share directory "
                 "(<prefix>/" CFG_SHARE_SUFFIX ")",
                 share_dir);
        rc = CFG_ERR_NOT_FOUND;
    }
    if (!rc)
        qsort(out->items, out->n, sizeof(*out->items), cmp_template);
    return rc;
}

const struct cfg_template *cfg_templates_find(const struct cfg_templates *t, const char *name)
{
    for (size_t i = 0; name && i < t->n; i++)
        if (!strcmp(t->items[i].name, name))
            return &t->items[i];
    return NULL;
}

const struct cfg_flag *cfg_template_flag(const struct cfg_template *t, const char *name)
{
    for (size_t i = 0; name && i < t->n_flags; i++)
        if (!strcmp(t->flags[i].name, name))
            return &t->flags[i];
    return NULL;
}
