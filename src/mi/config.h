/* mi/config: MI nodes and limits from flags, environment, the JSON config file and
 * opensips-cli's own INI config file. Plain data that mi_client_new() consumes. */
#ifndef MI_CONFIG_H
#define MI_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "mi/error.h"

#define MI_NODE_NAME_MAX 64
#define MI_NODES_MAX 64

struct mi_node_cfg {
    char name[MI_NODE_NAME_MAX];
    char address[512];         /* http://..., fifo:/..., udp:H:P, unix:/... */
    char fifo_reply_dir[96];   /* fifo only; "" = /tmp/ (OpenSIPS's default) */
    char source[128];          /* where it came from, for messages ("--mi-node", ...) */
};

struct mi_config {
    struct mi_node_cfg nodes[MI_NODES_MAX];
    size_t n;
    char default_node[MI_NODE_NAME_MAX]; /* "" = the node named "default", else the first */
    unsigned timeout_ms;       /* default deadline per call (5000) */
    size_t max_reply;          /* bytes in one reply (16 MiB) */
    unsigned retry_max;        /* attempts for a read-only command (3) */
    unsigned backoff_ms;       /* first pause between attempts, doubled each time (50) */
    char fifo_reply_dir[96];   /* --mi-fifo-reply-dir / OPENSIPS_MCP_MI_FIFO_REPLY_DIR, for a
                                  node added after them (mi_config_fallback); "" = /tmp/ */
};

/* OpenSIPS's default mi_fifo path, which opensips-cli also falls back to. */
#define MI_DEFAULT_FIFO "/tmp/opensips_fifo"
/* For tests only: an environment variable naming another path to take for MI_DEFAULT_FIFO, so
 * that a test can make a FIFO of its own without touching the machine's /tmp/opensips_fifo
 * (which a real OpenSIPS may own). Not a setting: operators configure a node instead. */
#define MI_DEFAULT_FIFO_TEST_ENV "OPENSIPS_MCP_TEST_DEFAULT_FIFO"

/* Defaults, no nodes. */
void mi_config_init(struct mi_config *cfg);

/* Add or replace node `name`. MI_OK or MI_ERR_CONFIG (bad name, table full, no address, or an
 * address that holds several: "http://a/mi,pbx2=http://b/mi"). */
enum mi_err mi_config_set_node(struct mi_config *cfg, const char *name, const char *address,
                               const char *fifo_reply_dir, const char *source,
                               struct mi_error *e);

/* Read opensips-cli's INI file (path, or NULL for ~/.opensips-cli.cfg then
 * /etc/opensips-cli.cfg; a missing default file is not an error) with cliconf_load's rules
 * (cliconf.h: a file it refuses is MI_ERR_CONFIG, out of memory MI_ERR_SYSTEM). Each section
 * becomes a node named after it, from communication_type (fifo|http|datagram), url, fifo_file,
 * fifo_reply_dir, datagram_ip, datagram_port (datagram_unix_socket too); keys of [DEFAULT]
 * apply to every section that does not give them itself (an empty value given is empty, and
 * an empty value means opensips-cli's default). A section with none of communication_type,
 * url, fifo_file, datagram_ip adds nothing. */
enum mi_err mi_config_load_cli(struct mi_config *cfg, const char *path, struct mi_error *e);

/* The "mi" object of the JSON config file:
 * {"nodes":{"name":"ADDRESS" | {"address":..., "fifo_reply_dir":...}}, "default":"name",
 *  "timeout_ms":N, "max_reply_bytes":N, "retry_max":N, "opensips_cli_config":"path"} */
enum mi_err mi_config_load_json(struct mi_config *cfg, const json_t *mi, struct mi_error *e);

/* The environment: OPENSIPS_MI_URL (node "default", any address form),
 * OPENSIPS_MCP_MI_NODES ("name=ADDRESS;name=ADDRESS", ',' separates too), OPENSIPS_MCP_MI_DEFAULT,
 * OPENSIPS_MCP_MI_TIMEOUT_MS, OPENSIPS_MCP_MI_MAX_REPLY, OPENSIPS_MCP_MI_FIFO_REPLY_DIR. */
enum mi_err mi_config_load_env(struct mi_config *cfg, struct mi_error *e);

/* The path mi_config_fallback looks at: MI_DEFAULT_FIFO, or MI_DEFAULT_FIFO_TEST_ENV's value. */
const char *mi_config_default_fifo(void);

/* When no source configured a node (cfg->n == 0) and OpenSIPS's default FIFO exists and is a
 * FIFO, add it as node "default", its source "OpenSIPS's default FIFO (/tmp/opensips_fifo)",
 * as opensips-cli does without a config. Returns whether it did; anything else (no such file,
 * not a FIFO, a node already configured) leaves cfg as it was. */
bool mi_config_fallback(struct mi_config *cfg);

/* One command-line flag with its value: --mi-node NAME=ADDRESS, --mi-url ADDRESS, --mi-default
 * NAME, --mi-timeout-ms N, --mi-max-reply N, --mi-fifo-reply-dir DIR, --mi-cli-config PATH.
 * Returns 1 when the flag is ours (and applied), 0 when not ours, or -1 with e filled. */
int mi_config_flag(struct mi_config *cfg, const char *flag, const char *value,
                   struct mi_error *e);

#endif
