/* mi/catalogue: parse the embedded catalogues lazily, classify every command read or write, and
 * check parameters against recipes (mi_recipe_t in OpenSIPS mi/mi.h: a handler plus the exact
 * set of named parameters it takes; a call matches a recipe when its names equal that set). */
#include "mi/catalogue.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The classification rule: split the 4.x local name into words ("profile_get_size",
 * "getVendorPrice" -> get, vendor, price). A command reads when some word is a read verb and no
 * word is a write verb; anything else writes, so an unknown verb is never retried. */
static const char *const mi_read_words[] = {
    "list",  "dump",  "show",    "get",   "status",  "which",   "help",        "version",
    "uptime", "pwd",  "arg",     "ps",    "check",   "search",  "match",       "translate",
    "hash",  "reports", "identifiers", "subscribers", "fetch", NULL,
};
static const char *const mi_write_words[] = {
    "set",     "reset",  "rm",     "add",     "del",     "delete",   "drop",    "end",
    "reload",  "update", "upsert", "push",    "flush",   "enable",   "disable", "kill",
    "store",   "remove", "raise",  "subscribe", "unsubscribe", "sync", "restore", "terminate",
    "start",   "stop",   "cancel", "reply",   "release", "load",     "close",   "rotate",
    "cleanup", "expose", "publish", "send",   "broadcast", "bridge", "trigger", "transfer",
    "hold",    "unhold", "login",  "dispatch", "resize", "watch",    "fork",    "teardown",
    "capture", "force",  "trace",  NULL,
};

/* Where the rule is wrong. A READ row with write_param reads unless that parameter is given
 * (dr_gw_status lists gateways, dr_gw_status with status sets one). */
static const struct mi_override {
    const char *key;
    enum mi_class cls;
    const char *write_param;
} mi_overrides[] = {
    {"drouting:gw_status", MI_CLASS_READ, "status"},
    {"drouting:carrier_status", MI_CLASS_READ, "status"},
    {"load_balancer:status", MI_CLASS_READ, "new_status"},
    {"core:log_level", MI_CLASS_READ, "level"},
    {"core:xlog_level", MI_CLASS_READ, "level"},
    {"core:log_level_filter", MI_CLASS_READ, "level_filter"},
    {"core:log_mute_state", MI_CLASS_READ, "mute_state"},
    {"call_center:internal_call_dispatching", MI_CLASS_READ, "dispatching"},
    {"drouting:reload_status", MI_CLASS_READ, NULL},
    {"trie:reload_status", MI_CLASS_READ, NULL},
    {"drouting:number_routing", MI_CLASS_READ, NULL},
    {"permissions:allow_uri", MI_CLASS_READ, NULL},
    {"cachedb_redis:redis_cluster_info", MI_CLASS_READ, NULL},
    {"mqueue:fetch", MI_CLASS_WRITE, NULL}, /* pops messages off the queue */
    {"dialog:list_all_profiles", MI_CLASS_READ, NULL},
    {"tracer:trace", MI_CLASS_READ, "mode"}, /* lists traces; with mode turns tracing on/off */
};

/* Commands that need longer than the configured MI time-out (--mi-timeout-ms, 5 s by default):
 * the call's deadline is the longer of the two. tm:hash answered 2.5-2.9 MB in 5.5-8.3 s on a
 * loaded 4.0.1; full dumps grow with the node; reloads re-read whole tables, and a write that
 * times out leaves the caller not knowing whether it ran; t_uac_dlg waits for the far end's
 * final answer (an INVITE's fr_inv_timer). Async commands not listed get MI_ASYNC_MIN_MS. */
#define MI_ASYNC_MIN_MS 35000
static const struct mi_slow {
    const char *key;
    unsigned ms;
} mi_slow[] = {
    {"tm:hash", 30000},
    {"usrloc:dump", 30000},
    {"dialog:list", 15000},
    {"dialog:list_ctx", 15000},
    {"b2b_entities:list", 15000},
    {"b2b_logic:list", 15000},
    {"presence:subs_phtable_list", 15000},
    {"carrierroute:dump_routes", 15000},
    {"statistics:get", 10000},
    {"domain:reload", 30000},
    {"permissions:address_reload", 30000},
    {"dialplan:reload", 30000},
    {"dispatcher:reload", 30000},
    {"drouting:reload", 30000},
    {"load_balancer:reload", 30000},
    {"carrierroute:reload_routes", 30000},
    {"fraud_detection:reload", 30000},
    {"tls_mgm:reload", 30000},
    {"call_center:reload", 30000},
    {"uac_registrant:reload", 30000},
};

/* 3.x names that 4.0 no longer accepts (catalogue names_from_3_6_not_accepted_by_4_0), mapped to
 * the 4.x command that replaced them. */
static const struct mi_legacy {
    const char *name36, *key;
} mi_legacy[] = {
    {"bdb_reload", "db_berkeley:reload"},     {"flat_rotate", "db_flatstore:rotate"},
    {"domain_reload", "domain:reload"},       {"domain_dump", "domain:dump"},
    {"nh_enable_ping", "nathelper:enable_ping"}, {"pike_list", "pike:list"},
    {"pike_rm", "pike:rm"},                   {"refreshWatchers", "presence:refresh_watchers"},
    {"rtpengine_enable", "rtpengine:enable"}, {"rtpengine_show", "rtpengine:show"},
    {"rtpengine_reload", "rtpengine:reload"}, {"rtpproxy_enable", "rtpproxy:enable"},
    {"rtpproxy_show", "rtpproxy:show"},       {"rtpproxy_reload", "rtpproxy:reload"},
};

static struct {
    pthread_once_t once;
    json_t *doc40, *doc36;
    struct mi_cmd *cmds;
    size_t n;
    json_t *byname; /* every name a command answers to -> its index in cmds (mi_catalogue_find) */
    char err[256];
} cat = {.once = PTHREAD_ONCE_INIT};

static bool in_words(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(w, *list))
            return true;
    return false;
}

enum mi_class mi_catalogue_classify_rule(const char *local)
{
    char w[64];
    size_t n = 0;
    bool rd = false, wr = false;
    for (const char *p = local;; p++) {
        bool cut = !*p || *p == '_' || *p == ':' ||
                   (n && isupper((unsigned char)*p) && islower((unsigned char)p[-1]));
        if (cut && n) {
            w[n] = '\0';
            rd |= in_words(w, mi_read_words);
            wr |= in_words(w, mi_write_words);
            n = 0;
        }
        if (!*p)
            break;
        if (*p != '_' && *p != ':' && n + 1 < sizeof w)
            w[n++] = (char)tolower((unsigned char)*p);
    }
    return rd && !wr ? MI_CLASS_READ : MI_CLASS_WRITE;
}

/* 3.x commands by name (borrowed entries of doc36), built once by load_once */
static json_t *index36;

static json_t *find36(const char *name)
{
    return json_object_get(index36, name);
}

static void load_once(void)
{
    json_error_t je;
    cat.doc40 = json_loadb(mi_catalogue_40_json,
                           (size_t)(mi_catalogue_40_json_end - mi_catalogue_40_json) - 1, 0, &je);
    cat.doc36 = cat.doc40 ? json_loadb(mi_catalogue_36_json,
                                       (size_t)(mi_catalogue_36_json_end - mi_catalogue_36_json) -
                                           1,
                                       0, &je)
                          : NULL;
    json_t *cmds = json_object_get(cat.doc40, "commands");
    if (!cat.doc36 || !json_is_array(cmds)) {
        snprintf(cat.err, sizeof cat.err, "embedded MI catalogue unreadable: %s", je.text);
        goto fail;
    }
    cat.cmds = calloc(json_array_size(cmds), sizeof *cat.cmds);
    index36 = json_object();
    size_t j;
    json_t *c3;
    json_array_foreach(json_object_get(cat.doc36, "commands"), j, c3) {
        const char *nm = json_string_value(json_object_get(c3, "name"));
        if (nm && index36)
            json_object_set(index36, nm, c3);
    }
    if (!cat.cmds || !index36) {
        snprintf(cat.err, sizeof cat.err, "out of memory loading the MI catalogue");
        goto fail;
    }
    size_t i;
    json_t *c;
    json_array_foreach(cmds, i, c) {
        struct mi_cmd *m = &cat.cmds[cat.n];
        m->key = json_string_value(json_object_get(c, "name"));
        m->local = json_string_value(json_object_get(c, "local_name"));
        m->recipes40 = json_object_get(c, "recipes");
        if (!m->key || !m->local || !json_is_array(m->recipes40))
            continue;
        m->name36 = json_string_value(json_object_get(c, "name_in_3_6"));
        for (size_t k = 0; !m->name36 && k < sizeof mi_legacy / sizeof mi_legacy[0]; k++)
            if (!strcmp(mi_legacy[k].key, m->key))
                m->name36 = mi_legacy[k].name36;
        json_t *c36 = m->name36 ? find36(m->name36) : NULL;
        m->recipes36 = c36 ? json_object_get(c36, "recipes") : NULL;
        if (!c36)
            m->name36 = NULL;
        m->aliases = json_object_get(c, "aliases");
        m->async = json_is_true(json_object_get(c, "async"));
        m->min_timeout_ms = m->async ? MI_ASYNC_MIN_MS : 0;
        for (size_t k = 0; k < sizeof mi_slow / sizeof mi_slow[0]; k++)
            if (!strcmp(mi_slow[k].key, m->key))
                m->min_timeout_ms = mi_slow[k].ms;
        m->cls = mi_catalogue_classify_rule(m->local);
        for (size_t k = 0; k < sizeof mi_overrides / sizeof mi_overrides[0]; k++)
            if (!strcmp(mi_overrides[k].key, m->key)) {
                m->cls = mi_overrides[k].cls;
                m->write_param = mi_overrides[k].write_param;
                m->overridden = true;
            }
        cat.n++;
    }
    /* every name a command answers to, a key winning over a 3.x name winning over an alias, and
     * within each the first command (each pass goes backwards, the last set wins) */
    if (!(cat.byname = json_object())) {
        snprintf(cat.err, sizeof cat.err, "out of memory loading the MI catalogue");
        cat.n = 0;
        return;
    }
    for (int pass = 0; pass < 3; pass++)
        for (size_t k = cat.n; k-- > 0;) {
            const struct mi_cmd *m = &cat.cmds[k];
            size_t ai;
            json_t *a;
            if (pass == 0)
                json_array_foreach(m->aliases, ai, a) {
                    if (json_is_string(a))
                        json_object_set_new(cat.byname, json_string_value(a),
                                            json_integer((json_int_t)k));
                }
            else if (pass == 1 && m->name36)
                json_object_set_new(cat.byname, m->name36, json_integer((json_int_t)k));
            else if (pass == 2)
                json_object_set_new(cat.byname, m->key, json_integer((json_int_t)k));
        }
    /* a key in mi_slow that names no command is a typo: fail loudly, not silently */
    for (size_t k = 0; k < sizeof mi_slow / sizeof mi_slow[0]; k++) {
        size_t at = 0;
        while (at < cat.n && strcmp(cat.cmds[at].key, mi_slow[k].key))
            at++;
        if (at == cat.n) {
            snprintf(cat.err, sizeof cat.err, "mi_slow names '%s', which is not in the catalogue",
                     mi_slow[k].key);
            cat.n = 0;
            return;
        }
    }
    return;
fail:
    json_decref(cat.doc40);
    json_decref(cat.doc36);
    cat.doc40 = cat.doc36 = NULL;
}

enum mi_err mi_catalogue_load(struct mi_error *e)
{
    pthread_once(&cat.once, load_once);
    if (!cat.n)
        return mi_error_set(e, MI_ERR_SYSTEM, 0, "%s", cat.err[0] ? cat.err : "empty catalogue");
    return MI_OK;
}

size_t mi_catalogue_count(void)
{
    return mi_catalogue_load(NULL) == MI_OK ? cat.n : 0;
}

const struct mi_cmd *mi_catalogue_at(size_t i)
{
    return i < mi_catalogue_count() ? &cat.cmds[i] : NULL;
}

/* v's text, or def when v is not a string. */
static const char *str_or(const json_t *v, const char *def)
{
    const char *s = json_string_value(v);
    return s ? s : def;
}

const struct mi_cmd *mi_catalogue_find(const char *name, struct mi_error *e)
{
    if (mi_catalogue_load(e) != MI_OK)
        return NULL;
    if (!name || !*name) {
        mi_error_set(e, MI_ERR_UNKNOWN_COMMAND, 0, "no command named");
        return NULL;
    }
    json_t *at = json_object_get(cat.byname, name);
    if (json_is_integer(at))
        return &cat.cmds[json_integer_value(at)];
    mi_error_set(e, MI_ERR_UNKNOWN_COMMAND, 0,
                 "'%.100s' is not in the OpenSIPS MI catalogue (4.0.1, 3.6.8); name it "
                 "'module:command' as OpenSIPS 4.x does, e.g. 'dialog:list'",
                 name);
    return NULL;
}

const char *mi_class_name(enum mi_class k)
{
    return k == MI_CLASS_READ ? "read" : k == MI_CLASS_WRITE ? "write" : "unknown";
}

enum mi_class mi_cmd_class(const struct mi_cmd *c, const json_t *params)
{
    if (c->cls == MI_CLASS_READ && c->write_param && json_is_object(params) &&
        json_object_get(params, c->write_param))
        return MI_CLASS_WRITE;
    return c->cls;
}

/* "{dialog_id} or {dialog_id, extra_hdrs}" */
static void recipes_text(const json_t *recipes, char *out, size_t n)
{
    size_t i, k, len = 0;
    json_t *r, *p;
    out[0] = '\0';
    json_array_foreach(recipes, i, r) {
        len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s{", i ? " or " : "");
        json_array_foreach(r, k, p) {
            len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s", k ? ", " : "",
                                    str_or(p, "?"));
        }
        len += (size_t)snprintf(out + len, len < n ? n - len : 0, "}");
    }
    if (len >= n && n > 4)
        memcpy(out + n - 4, "...", 4);
}

static bool recipe_has(const json_t *r, const char *name)
{
    size_t k;
    json_t *p;
    json_array_foreach(r, k, p) {
        if (!strcmp(str_or(p, ""), name))
            return true;
    }
    return false;
}

enum mi_err mi_cmd_check_params(const struct mi_cmd *c, int major, const json_t *params,
                                struct mi_error *e)
{
    const json_t *recipes = major == 3 ? c->recipes36 : c->recipes40;
    const char *shown = major == 3 && c->name36 ? c->name36 : c->key;
    char sets[400];
    if (!recipes)
        return mi_error_set(e, MI_ERR_UNKNOWN_COMMAND, 0, "'%s' does not exist in OpenSIPS %d.x",
                            c->key, major);
    recipes_text(recipes, sets, sizeof sets);
    if (params && !json_is_object(params))
        return mi_error_set(e, MI_ERR_BAD_PARAMS, 0,
                            "'%s' takes named parameters (a JSON object); accepted sets: %s",
                            shown, sets);
    size_t np = params ? json_object_size(params) : 0;
    if (json_array_size(recipes) == 0)
        return mi_error_set(e, MI_ERR_BAD_PARAMS, 0,
                            "'%s' accepts no parameter set in this OpenSIPS version (its recipe "
                            "has no handler); it cannot be called",
                            shown);
    /* an exact match first */
    size_t i;
    json_t *r;
    json_array_foreach(recipes, i, r) {
        if (json_array_size(r) != np)
            continue;
        const char *k;
        json_t *v;
        bool all = true;
        json_object_foreach((json_t *)params, k, v) {
            if (!recipe_has(r, k)) {
                all = false;
                break;
            }
        }
        if (all)
            return MI_OK;
    }
    /* why not: a name no recipe has, else the names missing from the nearest superset */
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)params, k, v) {
        bool known = false;
        json_array_foreach(recipes, i, r) {
            known |= recipe_has(r, k);
        }
        if (!known)
            return mi_error_set(e, MI_ERR_BAD_PARAMS, 0,
                                "'%s' does not take parameter '%.64s'; accepted sets: %s", shown,
                                k, sets);
    }
    json_array_foreach(recipes, i, r) {
        bool superset = true;
        json_object_foreach((json_t *)params, k, v) {
            superset &= recipe_has(r, k);
        }
        if (!superset)
            continue;
        size_t j;
        json_t *p;
        json_array_foreach(r, j, p) {
            if (!params || !json_object_get(params, json_string_value(p)))
                return mi_error_set(e, MI_ERR_BAD_PARAMS, 0,
                                    "'%s' is missing parameter '%s'; accepted sets: %s", shown,
                                    json_string_value(p), sets);
        }
    }
    return mi_error_set(e, MI_ERR_BAD_PARAMS, 0,
                        "'%s' does not take these parameters together; accepted sets: %s", shown,
                        sets);
}

size_t mi_cmd_names(const struct mi_cmd *c, int major, const char **out, size_t n)
{
    size_t k = 0;
    if (major == 3) {
        if (c->name36 && k < n)
            out[k++] = c->name36;
        return k;
    }
    if (k < n)
        out[k++] = c->key;
    size_t i;
    json_t *a;
    json_array_foreach(c->aliases, i, a) {
        if (k < n && json_string_value(a))
            out[k++] = json_string_value(a);
    }
    return k;
}

bool mi_catalogue_param_is_secret(const char *command, size_t index)
{
    const struct mi_cmd *c = mi_catalogue_find(command, NULL);
    const json_t *sets[2];
    json_t *recipe;
    size_t i;

    if (!c)
        return false;
    sets[0] = c->recipes40;
    sets[1] = c->recipes36;
    for (int k = 0; k < 2; k++)
        json_array_foreach(sets[k], i, recipe) {
            const char *name = json_string_value(json_array_get(recipe, index));
            if (name && log_key_is_secret(name))
                return true;
        }
    return false;
}
