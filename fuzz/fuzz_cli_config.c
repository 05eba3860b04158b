/* fuzz_cli_config: feed arbitrary bytes to the opensips-cli config reader (cliconf.c, through
 * both its callers: mi/config.c and db/config_load.c) as the file it reads (a memfd, reopened by
 * path as the reader opens any file), then hand any MI nodes it made to the MI client; any
 * crash, leak, undefined behaviour or broken contract is a finding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "db/config.h"
#include "mi/client.h"
#include "mi/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int terminated(const char *s, size_t n)
{
    return memchr(s, '\0', n) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    struct mi_config cfg;
    struct mi_error e;

    if (fd < 0) {
        fd = memfd_create("opensips-cli.cfg", MFD_CLOEXEC);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    mi_config_init(&cfg);
    mi_error_clear(&e);
    enum mi_err rc = mi_config_load_cli(&cfg, path, &e);
    if (rc != MI_OK && rc != MI_ERR_CONFIG && rc != MI_ERR_SYSTEM)
        abort();
    if (rc != MI_OK && (e.err != rc || !e.text[0] || !terminated(e.text, sizeof e.text)))
        abort();
    if (cfg.n > MI_NODES_MAX)
        abort();
    for (size_t i = 0; i < cfg.n; i++) {
        const struct mi_node_cfg *n = &cfg.nodes[i];
        if (!n->name[0] || !terminated(n->name, sizeof n->name) ||
            !terminated(n->address, sizeof n->address) ||
            !terminated(n->fifo_reply_dir, sizeof n->fifo_reply_dir) ||
            !terminated(n->source, sizeof n->source))
            abort();
    }
    /* what it accepted must be usable or refused cleanly; nothing is sent */
    if (rc == MI_OK && cfg.n) {
        struct mi_client *cl = mi_client_new(&cfg, &e);
        if (!cl && (e.err == MI_OK || !terminated(e.text, sizeof e.text)))
            abort();
        mi_client_free(cl);
    }
    /* the same file as the database loader reads it */
    static struct db_config dc;
    char err[512] = "";
    db_config_init(&dc);
    int drc = db_config_load_cli(&dc, path, err, sizeof err);
    if (drc != 0 && (drc != -1 || !err[0] || !terminated(err, sizeof err)))
        abort();
    if (dc.n > DB_NODES_MAX)
        abort();
    for (size_t i = 0; i < dc.n; i++)
        if (!dc.nodes[i].name[0] || !terminated(dc.nodes[i].name, sizeof dc.nodes[i].name) ||
            !terminated(dc.nodes[i].url, sizeof dc.nodes[i].url) ||
            !terminated(dc.nodes[i].source, sizeof dc.nodes[i].source))
            abort();
    return 0;
}
