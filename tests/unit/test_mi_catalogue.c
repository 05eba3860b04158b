/* Unit tests for mi/catalogue and mi/error: lookup by key, 3.x name and alias; read/write
 * classification of known commands; recipe checks with clear errors; the error table. */
#include <string.h>

#include "check.h"
#include "mi/catalogue.h"
#include "mi/error.h"
#include "mi/transport.h"

static enum mi_class cls(const char *name, const char *params_json)
{
    const struct mi_cmd *c = mi_catalogue_find(name, NULL);
    if (!c)
        return MI_CLASS_COUNT;
    json_t *p = params_json ? json_loads(params_json, 0, NULL) : NULL;
    enum mi_class k = mi_cmd_class(c, p);
    json_decref(p);
    return k;
}

static enum mi_err check(const char *name, int major, const char *params_json,
                         struct mi_error *e)
{
    const struct mi_cmd *c = mi_catalogue_find(name, e);
    if (!c)
        return e->err;
    json_t *p = params_json ? json_loads(params_json, 0, NULL) : NULL;
    enum mi_err rc = mi_cmd_check_params(c, major, p, e);
    json_decref(p);
    return rc;
}

int main(void)
{
    struct mi_error e;
    uint64_t t0 = mi_now_ms();
    CHECK(mi_catalogue_load(&e) == MI_OK);
    uint64_t t1 = mi_now_ms();
    printf("catalogue parsed in %llu ms, %zu commands\n", (unsigned long long)(t1 - t0),
           mi_catalogue_count());
    CHECK(mi_catalogue_count() == 275);

    /* lookup: key, 3.x name, 4.x alias, legacy 3.x name, unknown */
    const struct mi_cmd *c = mi_catalogue_find("dialog:end_dlg", &e);
    CHECK(c && check_str(c->key, "dialog:end_dlg") && check_str(c->name36, "dlg_end_dlg"));
    CHECK(mi_catalogue_find("dlg_end_dlg", NULL) == c);
    c = mi_catalogue_find("ul_dump", NULL);
    CHECK(c && check_str(c->key, "usrloc:dump"));
    c = mi_catalogue_find("pike_list", NULL);
    CHECK(c && check_str(c->key, "pike:list") && check_str(c->name36, "pike_list"));
    c = mi_catalogue_find("get_statistics", NULL);
    CHECK(c && check_str(c->key, "statistics:get"));
    CHECK(mi_catalogue_find("no_such_cmd", &e) == NULL && e.err == MI_ERR_UNKNOWN_COMMAND);
    CHECK_CONTAINS(e.text, "'no_such_cmd' is not in the OpenSIPS MI catalogue");
    CHECK(mi_catalogue_find("", &e) == NULL && e.err == MI_ERR_UNKNOWN_COMMAND);

    /* names per version */
    const char *names[8];
    c = mi_catalogue_find("dialog:end_dlg", NULL);
    size_t n = mi_cmd_names(c, 4, names, 8);
    CHECK(n == 2 && check_str(names[0], "dialog:end_dlg") && check_str(names[1], "dlg_end_dlg"));
    n = mi_cmd_names(c, 3, names, 8);
    CHECK(n == 1 && check_str(names[0], "dlg_end_dlg"));
    c = mi_catalogue_find("core:profiling_proc", NULL); /* 4.x only */
    CHECK(c && mi_cmd_names(c, 3, names, 8) == 0);

    /* classification on a sample of known commands */
    CHECK(cls("dialog:list", NULL) == MI_CLASS_READ);
    CHECK(cls("dialog:end_dlg", NULL) == MI_CLASS_WRITE);
    CHECK(cls("ul_dump", NULL) == MI_CLASS_READ);
    CHECK(cls("ul_rm", NULL) == MI_CLASS_WRITE);
    CHECK(cls("ul_rm_contact", NULL) == MI_CLASS_WRITE);
    CHECK(cls("ul_add", NULL) == MI_CLASS_WRITE);
    CHECK(cls("ul_show_contact", NULL) == MI_CLASS_READ);
    CHECK(cls("ds_set_state", NULL) == MI_CLASS_WRITE);
    CHECK(cls("ds_list", NULL) == MI_CLASS_READ);
    CHECK(cls("ds_reload", NULL) == MI_CLASS_WRITE);
    CHECK(cls("get_statistics", NULL) == MI_CLASS_READ);
    CHECK(cls("reset_statistics", NULL) == MI_CLASS_WRITE);
    CHECK(cls("list_statistics", NULL) == MI_CLASS_READ);
    CHECK(cls("which", NULL) == MI_CLASS_READ);
    CHECK(cls("help", NULL) == MI_CLASS_READ);
    CHECK(cls("version", NULL) == MI_CLASS_READ);
    CHECK(cls("uptime", NULL) == MI_CLASS_READ);
    CHECK(cls("ps", NULL) == MI_CLASS_READ);
    CHECK(cls("kill", NULL) == MI_CLASS_WRITE);
    CHECK(cls("t_uac_dlg", NULL) == MI_CLASS_WRITE);
    CHECK(cls("dlg_push_var", NULL) == MI_CLASS_WRITE);
    CHECK(cls("profile_get_size", NULL) == MI_CLASS_READ);
    CHECK(cls("dp_translate", NULL) == MI_CLASS_READ);
    CHECK(cls("dp_reload", NULL) == MI_CLASS_WRITE);
    CHECK(cls("lb_resize", NULL) == MI_CLASS_WRITE);
    CHECK(cls("mq_fetch", NULL) == MI_CLASS_WRITE);        /* override: pops the queue */
    CHECK(cls("dr_reload_status", NULL) == MI_CLASS_READ); /* override */
    CHECK(cls("rate_cacher:getVendorPrice", NULL) == MI_CLASS_READ); /* camelCase words */
    CHECK(cls("rate_cacher:deleteVendor", NULL) == MI_CLASS_WRITE);
    /* parameter-dependent: a getter that sets when given the setter parameter */
    CHECK(cls("dr_gw_status", NULL) == MI_CLASS_READ);
    CHECK(cls("dr_gw_status", "{\"gw_id\":\"gw1\"}") == MI_CLASS_READ);
    CHECK(cls("dr_gw_status", "{\"gw_id\":\"gw1\",\"status\":\"0\"}") == MI_CLASS_WRITE);
    CHECK(cls("log_level", NULL) == MI_CLASS_READ);
    CHECK(cls("log_level", "{\"level\":4}") == MI_CLASS_WRITE);
    CHECK(cls("lb_status", "{\"destination_id\":1,\"new_status\":0}") == MI_CLASS_WRITE);
    CHECK(mi_catalogue_classify_rule("frobnicate") == MI_CLASS_WRITE); /* unknown verb */
    CHECK(mi_catalogue_classify_rule("list_things") == MI_CLASS_READ);
    CHECK(mi_catalogue_classify_rule("reload_status") == MI_CLASS_WRITE); /* rule alone */
    size_t reads = 0, overridden = 0;
    for (size_t i = 0; i < mi_catalogue_count(); i++) {
        reads += mi_catalogue_at(i)->cls == MI_CLASS_READ;
        overridden += mi_catalogue_at(i)->overridden;
    }
    printf("classification: %zu read, %zu write, %zu overridden\n", reads,
           mi_catalogue_count() - reads, overridden);
    CHECK(reads > 80 && reads < 180);
    CHECK(mi_catalogue_at(mi_catalogue_count()) == NULL);

    /* recipes */
    CHECK(check("dialog:end_dlg", 4, "{\"dialog_id\":\"1.2\"}", &e) == MI_OK);
    CHECK(check("dialog:end_dlg", 4, "{\"dialog_id\":\"1.2\",\"extra_hdrs\":\"X: y\\r\\n\"}",
                &e) == MI_OK);
    CHECK(check("dialog:end_dlg", 4, NULL, &e) == MI_ERR_BAD_PARAMS);
    CHECK_CONTAINS(e.text, "missing parameter 'dialog_id'");
    CHECK_CONTAINS(e.text, "{dialog_id} or {dialog_id, extra_hdrs}");
    CHECK(check("dialog:end_dlg", 4, "{\"h_entry\":1,\"h_id\":2}", &e) == MI_ERR_BAD_PARAMS);
    CHECK_CONTAINS(e.text, "does not take parameter 'h_entry'");
    CHECK(check("dialog:end_dlg", 3, "{\"extra_hdrs\":\"x\"}", &e) == MI_ERR_BAD_PARAMS);
    CHECK_CONTAINS(e.text, "'dlg_end_dlg' is missing parameter 'dialog_id'");
    CHECK(check("dialog:end_dlg", 4, "[\"1.2\"]", &e) == MI_ERR_BAD_PARAMS);
    CHECK_CONTAINS(e.text, "named parameters");
    CHECK(check("dialog:list", 4, NULL, &e) == MI_OK);
    CHECK(check("dialog:list", 4, "{}", &e) == MI_OK);
    CHECK(check("dialog:list", 4, "{\"index\":0,\"counter\":10}", &e) == MI_OK);
    CHECK(check("dialog:list", 4, "{\"index\":0}", &e) == MI_ERR_BAD_PARAMS);
    CHECK_CONTAINS(e.text, "missing parameter 'counter'");
    CHECK(check("dialog:list", 4, "{\"callid\":\"a\",\"index\":0}", &e) == MI_ERR_BAD_PARAMS);
    CHECK_CONTAINS(e.text, "not take these parameters together");
    /* 4.x added recipes that 3.x lacks (callops:hold leg) */
    CHECK(check("callops:hold", 4, "{\"callid\":\"a\",\"leg\":\"caller\"}", &e) == MI_OK);
    CHECK(check("callops:hold", 3, "{\"callid\":\"a\",\"leg\":\"caller\"}", &e) ==
          MI_ERR_BAD_PARAMS);
    CHECK(check("core:profiling_proc", 3, NULL, &e) == MI_ERR_UNKNOWN_COMMAND);
    CHECK(check("aaa_diameter:fd_log_level", 4, NULL, &e) == MI_ERR_BAD_PARAMS);

    /* the error table */
    for (int i = 0; i < MI_ERR_COUNT; i++) {
        CHECK(strcmp(mi_err_name((enum mi_err)i), "unknown") != 0);
        CHECK(strcmp(mi_err_str((enum mi_err)i), "unknown error") != 0);
    }
    CHECK_STR(mi_err_name(MI_ERR_TIMEOUT), "mi_timeout");
    CHECK_STR(mi_err_name(MI_ERR_COUNT), "unknown");
    CHECK(mi_err_retryable(MI_ERR_TIMEOUT, 0) && mi_err_retryable(MI_ERR_UNREACHABLE, 0));
    CHECK(mi_err_retryable(MI_ERR_HTTP_STATUS, 503) && !mi_err_retryable(MI_ERR_HTTP_STATUS, 400));
    CHECK(!mi_err_retryable(MI_ERR_MI, -32602) && !mi_err_retryable(MI_ERR_GARBAGE, 0));
    CHECK(mi_error_set(&e, MI_ERR_TIMEOUT, 0, "after %d ms", 5) == MI_ERR_TIMEOUT);
    CHECK_STR(e.text, "MI call timed out: after 5 ms");
    mi_error_clear(&e);
    CHECK(e.err == MI_OK && !e.text[0]);
    return check_done("test_mi_catalogue");
}
