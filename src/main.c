/* main: read the settings, build the server, serve the chosen transport. */
#include <signal.h>
#include <stdio.h>

#include "log.h"
#include "mcp/server.h"
#include "settings.h"
#include "transport/http.h"
#include "transport/stdio.h"
#include <string.h>

int main(int argc, char **argv)
{
    struct settings settings;
    struct mcp_server *srv;
    char err[512];
    sigset_t sigs;
    int rc;

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

    /* Block termination signals in every thread; the transport takes them synchronously.
     * A vanished reader must not kill the process: writes fail with EPIPE instead. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    srv = mcp_server_new(&settings, err, sizeof(err));
    if (!srv) {
        fprintf(stderr, "opensips-mcp: error: %s\n", err);
        settings_release(&settings);
        return 1;
    }
    rc = strcmp(settings.transport, "http") ? stdio_serve(srv, &settings)
                                              : http_serve(srv, &settings);
    mcp_server_free(srv);
    settings_release(&settings);
    return rc;
}
