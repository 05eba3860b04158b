/* main: read the settings, build the backends (the MI client, the node databases) and the
 * server, hand the backends to the tools layer, serve the chosen transport. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cancel.h"
#include "cli.h"
#include "db/config.h"
#include "events/events.h"
#include "homer/client.h"
#include "log.h"
#include "mcp/server.h"
#include "mi/catalogue.h"
#include "mi/client.h"
#include "mi/config.h"
#include "mi/transport.h"
#include "register.h"
#include "resources/resources.h"
#include "report.h"
#include "settings.h"
#include "tools/backends.h"
#include "tools/docs.h"
#include "tools/row.h"
#include "transport/http.h"
#include "transport/stdio.h"

/* MI nodes and limits, in rising precedence: opensips-cli's config, the config file's "mi"
 * object, the environment, the --mi-* flags. */
static struct mi_client *mi_from_settings(const struct settings *s, char *err, size_t errlen)
{
    struct mi_config cfg;
    struct mi_error e;
    struct mi_client *mi;
    size_t i;
    json_t *f;

    mi_config_init(&cfg);
    if (mi_config_load_cli(&cfg, NULL, &e) != MI_OK ||
        mi_config_load_json(&cfg, json_object_get(s->config_doc, "mi"), &e) != MI_OK ||
        mi_config_load_env(&cfg, &e) != MI_OK)
        goto fail;
    json_array_foreach(s->mi_flags, i, f) {
        const char *flag = json_string_value(json_array_get(f, 0));
        int rc = mi_config_flag(&cfg, flag, json_string_value(json_array_get(f, 1)), &e);
        if (rc < 0)
            goto fail;
        if (rc == 0) {
            snprintf(err, errlen, "unknown option '%s'; see --help", flag);
            return NULL;
        }
    }
    if ((mi = mi_client_new(&cfg, &e)))
        return mi;
fail:
    snprintf(err, errlen, "%s", e.text);
    return NULL;
}

/* Each node's provisioning database, in the same rising precedence, with the MI client's default
 * node as the database's (a call without "node" reaches the same box over MI and SQL). */
static int db_from_settings(const struct settings *s, struct mi_client *mi, struct db_config *c,
                            char *err, size_t errlen)
{
    return db_config_build(c, s->config_doc, s->config, s->mi_flags, s->db_flags,
                           mi_client_resolve_name(mi, NULL),
                           mi_client_resolve_name(mi, "default") != NULL, err, errlen);
}

int main(int argc, char **argv)
{
    /* static: some 80 KB, and it must outlive the registry (be.db borrows it) */
    static struct db_config db;
    struct settings settings;
    struct mcp_server *srv = NULL;
    struct mi_client *mi = NULL;
    struct events *events = NULL;
    struct tool_backends be = {0};
    char err[1024];
    sigset_t sigs;
    int rc = 1;

    /* No fastbins: a large MI reply is a few million small jansson allocations freed at once,
     * and glibc's consolidation of fastbins then costs more than they save (a 16 MB reply
     * through mi_execute: about 580 -> 450 ms of CPU, bench/run.sh bigreply). tcache still
     * serves the small churn of ordinary calls. */
    mallopt(M_MXFAST, 0);
    /* opensips-mcp check | call | tools: one-shot commands over the same settings and tools */
    if (cli_is_command(argc, argv))
        return cli_main(argc, argv, mi_from_settings, db_from_settings);

    switch (settings_load(&settings, argc, argv, err, sizeof(err))) {
    case SETTINGS_EXIT_OK:
        settings_release(&settings);
        return 0;
    case SETTINGS_ERROR:
        fprintf(stderr, "opensips-mcp: error: %s\n", err);
        settings_release(&settings);
        return 2;
    case SETTINGS_OK:
        break;
    }
    log_set_threshold(settings.log_level);
    /* mi_params given by position are redacted by the names the catalogue gives them */
    log_redact_set_positional(mi_catalogue_param_is_secret);
    if (settings.tools_markdown || settings.prompts_markdown) {
        rc = (settings.tools_markdown ? tools_markdown(stdout) : prompts_resources_markdown(stdout))
                 == 0 ? 0 : 1;
        settings_release(&settings);
        return rc;
    }

    /* Block termination signals in every thread; the transport takes them synchronously.
     * A vanished reader must not kill the process: writes fail with EPIPE instead. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP); /* reopen the audit file (logrotate) */
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Every configuration error exits 2 (the README's promise), whichever module finds it. */
    if (!(mi = mi_from_settings(&settings, err, sizeof(err))) ||
        db_from_settings(&settings, mi, &db, err, sizeof(err)) < 0 ||
        rows_check_toolsets(settings.toolsets, err, sizeof(err)) < 0 ||
        !(srv = mcp_server_new(&settings, err, sizeof(err)))) {
        rc = report_config_error(&settings, err);
        goto out;
    }
    /* Every table is registered and built here, before serving: a malformed row fails the start. */
    be.mi = mi;
    be.files_root = settings.out_dir_root;
    /* Nothing connects here: a tool's first call binds libpq or libmariadb and connects. */
    if (db.n) {
        be.db = &db;
        be.db_connect = db_config_open;
    }
    if (settings.homer_url && *settings.homer_url &&
        !(be.homer = homer_new(&(struct homer_config){
              .url = settings.homer_url, .user = settings.homer_user,
              .password = settings.homer_password, .timeout_ms = settings.homer_timeout_ms,
              .max_reply = settings.homer_max_reply}))) {
        fprintf(stderr, "opensips-mcp: error: out of memory\n");
        goto out;
    }
    if (register_all(mcp_server_registry(srv), &be, &settings, err, sizeof(err)) < 0) {
        fprintf(stderr, "opensips-mcp: error: %s\n", err);
        goto out;
    }
    if (!strcmp(settings.transport, "http") && (rc = http_check(srv, &settings)) != 0)
        goto out;
    if (events_start(&settings, mi, srv, &events, err, sizeof(err)) < 0) {
        rc = report_config_error(&settings, err);
        goto out;
    }
    report_startup(&settings, srv, mi, be.db);
    rc = strcmp(settings.transport, "http") ? stdio_serve(srv, &settings)
                                            : http_serve(srv, &settings);
out:
    events_stop(events); /* unsubscribes; before the server it notifies goes */
    mcp_server_free(srv);
    homer_free(be.homer);
    mi_client_free(mi);
    mi_transport_global_cleanup();
    cancel_pool_free();
    settings_release(&settings);
    return rc;
}
