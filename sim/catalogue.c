/* catalogue: the MI commands of one OpenSIPS version and which are loaded. */
#include "catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str_or_null(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int catalogue_load(struct catalogue *cat, enum sim_version v, const char *cat_file,
                   const char *which_file)
{
    json_error_t jerr;
    json_t *which = NULL;
    memset(cat, 0, sizeof *cat);
    cat->version = v;
    cat->doc = json_load_file(cat_file, 0, &jerr);
    if (!cat->doc) {
        fprintf(stderr, "opensips-mi-sim: cannot load catalogue '%s': %s\n", cat_file, jerr.text);
        return -1;
    }
    json_t *cmds = json_object_get(cat->doc, "commands");
    if (!json_is_array(cmds) || json_array_size(cmds) == 0) {
        fprintf(stderr, "opensips-mi-sim: catalogue '%s' has no commands\n", cat_file);
        goto fail;
    }
    cat->ncmds = json_array_size(cmds);
    cat->cmds = calloc(cat->ncmds, sizeof *cat->cmds);
    cat->loaded = calloc(cat->ncmds, sizeof *cat->loaded);
    if (!cat->cmds || !cat->loaded)
        goto fail;
    for (size_t i = 0; i < cat->ncmds; i++) {
        json_t *c = json_array_get(cmds, i);
        struct cat_cmd *cc = &cat->cmds[i];
        cc->name = str_or_null(c, "name");
        cc->local_name = str_or_null(c, "local_name");
        if (!cc->local_name)
            cc->local_name = cc->name;
        cc->module = str_or_null(c, "module");
        cc->help = str_or_null(c, "help");
        cc->name_3x = str_or_null(c, "name_in_3_6");
        cc->recipes = json_object_get(c, "recipes");
        cc->aliases = json_object_get(c, "aliases");
        cc->named_only = json_is_true(json_object_get(c, "named_params_only"));
        cc->async = json_is_true(json_object_get(c, "async"));
        cc->loaded_pos = -1;
        if (!cc->name || !cc->module || !json_is_array(cc->recipes)) {
            fprintf(stderr, "opensips-mi-sim: catalogue entry %zu is malformed\n", i);
            goto fail;
        }
    }
    which = json_load_file(which_file, 0, &jerr);
    json_t *names = json_object_get(which, "result");
    if (!json_is_array(names)) {
        fprintf(stderr, "opensips-mi-sim: cannot read the command list '%s'\n", which_file);
        goto fail;
    }
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *n = json_string_value(json_array_get(names, i));
        struct cat_cmd *cc = n ? (struct cat_cmd *)catalogue_find(cat, n) : NULL;
        if (!cc || cc->loaded_pos >= 0)
            continue;
        cc->loaded_pos = (int)cat->nloaded;
        cat->loaded[cat->nloaded++] = cc;
    }
    json_decref(which);
    return 0;
fail:
    json_decref(which);
    catalogue_release(cat);
    return -1;
}

void catalogue_release(struct catalogue *cat)
{
    free(cat->cmds);
    free(cat->loaded);
    json_decref(cat->doc);
    memset(cat, 0, sizeof *cat);
}

const struct cat_cmd *catalogue_find(const struct catalogue *cat, const char *name)
{
    for (size_t i = 0; i < cat->ncmds; i++)
        if (strcmp(cat->cmds[i].name, name) == 0)
            return &cat->cmds[i];
    return NULL;
}

static bool recipe_has_names(json_t *recipe, json_t *obj)
{
    size_t i;
    json_t *n;
    json_array_foreach(recipe, i, n) {
        if (!json_is_string(n) || !json_object_get(obj, json_string_value(n)))
            return false;
    }
    return true;
}

enum recipe_check catalogue_match(const struct cat_cmd *cmd, json_t *params, json_t **recipe)
{
    size_t n = 0;
    bool positional = json_is_array(params);
    if (positional)
        n = json_array_size(params);
    else if (json_is_object(params))
        n = json_object_size(params);
    if (positional && n > 0 && cmd->named_only)
        return RECIPE_NAMED_ONLY;
    enum recipe_check rc = RECIPE_COUNT;
    size_t i;
    json_t *r;
    json_array_foreach(cmd->recipes, i, r) {
        if (json_array_size(r) != n)
            continue;
        if (n == 0 || positional) {
            *recipe = r;
            return RECIPE_OK;
        }
        if (recipe_has_names(r, params)) {
            *recipe = r;
            return RECIPE_OK;
        }
        rc = RECIPE_NAMES;
    }
    return rc;
}

const char *catalogue_check_text(enum recipe_check rc)
{
    switch (rc) {
    case RECIPE_COUNT:
        return "Too few or too many parameters";
    case RECIPE_NAMES:
        return "Named parameters do not match";
    case RECIPE_NAMED_ONLY:
        return "Command only supports named parameters";
    case RECIPE_OK:
        break;
    }
    return "";
}
