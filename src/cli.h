/* cli: the one-shot commands, as operators script opensips-cli -x mi: `check` pings every
 * configured MI node and node database, `call` runs one tool, `tools` lists the tools the role may call. They read
 * the server's own settings and build its own MI client, server, registry and session, so a call
 * passes the same gate (scopes, read-only mode, confirmation, audit) as one from an MCP client. */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

struct mi_client;
struct db_config;

/* Build the MI client from the settings as the server does (main's mi_from_settings): a new
 * client, or NULL with a sentence in err. */
typedef struct mi_client *(*cli_mi_new_fn)(const struct settings *s, char *err, size_t errlen);

/* Fill *c, each node's database, from the settings as the server does (main's
 * db_from_settings, db_config_build), with mi's default node: 0, or -1 with a sentence in err. */
typedef int (*cli_db_new_fn)(const struct settings *s, struct mi_client *mi, struct db_config *c,
                             char *err, size_t errlen);

/* Whether argv[1] names a one-shot command (check, call, tools). */
bool cli_is_command(int argc, char **argv);

/* Run the command argv[1]. The other arguments are its own (TOOL, its arguments, --json,
 * --list, --help) and the server's options, in any order; `--` ends the options. Prints the
 * outcome on stdout and failures on stderr, and returns the exit status: 0 when every node
 * (and every node's database, for check) answered or the tool succeeded, 1 when one did not or
 * the tool answered isError, 2 for a usage or configuration error (an unknown tool, neither an
 * MI node nor a database configured). */
int cli_main(int argc, char **argv, cli_mi_new_fn mi_new, cli_db_new_fn db_new);

#endif
