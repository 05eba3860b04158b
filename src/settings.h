/* settings: every run-time setting, resolved as flags > environment (OPENSIPS_MCP_*) > config
 * file (JSON) > defaults, from one table of rows that also writes --help. */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct settings {
    char *config;                 /* path of the JSON config file, or NULL */
    char *transport;              /* "stdio" or "http" */
    char *listen;                 /* http: ADDR:PORT */
    char *allowed_origins;        /* http: comma-separated Origin values allowed besides loopback */
    unsigned max_sessions;        /* http: live sessions at once */
    unsigned session_idle_s;      /* http: a session unused this long is ended */
    unsigned max_sessions_per_principal; /* http: live sessions of one principal */
    unsigned max_connections;     /* http: open connections at once */
    unsigned max_connections_per_address; /* http: open connections from one address */
    unsigned http_idle_timeout_s; /* http: a silent connection is closed after this */
    unsigned http_header_timeout_s; /* http: deadline for a request's headers */
    unsigned http_threads;        /* http: connection-serving threads */
    enum log_level log_level;     /* stderr threshold */
    size_t max_message_size;      /* bytes in one JSON-RPC message */
    unsigned page_size;           /* items per page of tools/list and friends */
    unsigned workers;             /* threads for slow requests */
    unsigned max_queue;           /* requests waiting for a worker */
    unsigned long_workers;        /* threads for long-running tools (TOOL_F_LONG) */
    unsigned max_calls_per_principal; /* requests one principal may have on the workers */
    unsigned client_timeout_ms;   /* wait for a client's answer to elicitation/sampling */
    char *state_secret_file;      /* requestState HMAC key file, or NULL: random per process */
    unsigned shutdown_grace_ms;   /* stdio: on EOF or SIGTERM, time left to running requests */
    bool conformance_fixtures;    /* expose the conformance suite's fixtures */
    char *role;                   /* role of stdio clients and of token-less loopback HTTP */
    char *audit;                  /* audit trail: "off", "syslog" or an absolute file path */
    char *toolsets;               /* comma-separated toolsets to expose, or "all" */
    char *out_dir_root;           /* absolute directory tools may write files under, or NULL */
    char *sipp;                   /* the SIPp program: a name in EXEC_PATH or a path */
    char *opensips;               /* the OpenSIPS binary cfg tools check with (-C): name or path */
    char *cfg_templates;          /* where the config templates are, or NULL: opensips's share */
    char *m4;                     /* the m4 program templates are rendered with */
    char *compose_command;        /* docker_restart's compose command, words split on blanks */
    char *compose_file;           /* the compose file (absolute) docker_restart uses, or NULL */
    char *compose_project;        /* its project name (-p), or NULL: compose's own choice */
    unsigned compose_timeout_s;   /* deadline of one docker_restart */
    char *fail2ban_client;        /* the fail2ban-client program: a name in EXEC_PATH or a path */
    char *fail2ban_socket;        /* fail2ban's socket (-s), or NULL: the client's default */
    unsigned fail2ban_timeout_ms; /* deadline of one fail2ban-client run */
    char *cfg_root;               /* the directory whose configs cfg_backup/_rollback may touch,
                                     or NULL: out_dir_root */
    char *homer_url;              /* Homer 7 (homer-app) base address, or NULL: no Homer */
    char *homer_user;             /* the Homer user the homer_* tools log in as */
    char *homer_password;         /* its password: environment or config file only, never shown */
    unsigned homer_timeout_ms;    /* deadline of one Homer HTTP exchange */
    size_t homer_max_reply;       /* bytes one Homer answer may have (a PCAP export included) */
    char *events_listen;          /* UDP ADDR:PORT node events come to, or NULL: no events */
    unsigned events_expire_s;     /* lifetime of an event subscription on a node */
    unsigned events_interval_ms;  /* one resource update per URI per interval at most */
    bool read_only;               /* hide and refuse every tool that changes state */
    bool tools_markdown;          /* print the tool reference and exit */
    bool prompts_markdown;        /* print the prompt and resource reference and exit */
    json_t *config_doc;           /* the config file, for sections other modules read
                                     ("tokens", "roles", "mi"); NULL without a file */
    json_t *mi_flags;             /* the --mi-* options, [[flag, value], ...], for the MI
                                     client's own parser (mi/config.h) */
    json_t *db_flags;             /* the --db-* options, [[flag, value], ...], for the node
                                     databases' own parser (db/config.h) */
    json_t *sources;              /* {setting name: where its value came from}, see
                                     settings_source() */
};

enum settings_outcome { SETTINGS_OK, SETTINGS_EXIT_OK, SETTINGS_ERROR };

/* Fill *s from defaults, the config file, the environment and argv, in rising precedence.
 * SETTINGS_EXIT_OK after --help or --version (already printed); SETTINGS_ERROR with a
 * sentence in err for anything wrong, naming where it came from. */
enum settings_outcome settings_load(struct settings *s, int argc, char **argv, char *err,
                                    size_t errlen);
void settings_release(struct settings *s);

/* One option as --help and the man page (man.c) show it. */
struct settings_option {
    const char *name;   /* the flag without "--" */
    const char *arg;    /* its value's placeholder ("N", "VALUE"), NULL for a switch */
    const char *def;    /* default ("" for empty), or NULL for none */
    const char *help;
    char env[64];       /* its environment variable, or "" */
    char key[64];       /* its config file key, or "" (the --mi-* options live under "mi");
                           "db.url" for a key inside the "db" object */
    bool row;           /* a settings row (flag, environment and config key) */
};

/* Option i (from 0) of --help into *o; false past the last. Static strings: nothing to free. */
bool settings_option(size_t i, struct settings_option *o);

/* Where the value of the setting `name` (a row's name, "toolsets") came from, for messages:
 * "command line", "environment OPENSIPS_MCP_TOOLSETS", "config file '/etc/x.json'" or "default".
 * Borrowed from *s; "default" for a name that is no row. */
const char *settings_source(const struct settings *s, const char *name);

/* The candidate nearest to word[0..len) when it is a likely typo of it (a few edits away, a
 * dash or letter missing, doubled or swapped), else NULL; for "did you mean" hints. */
const char *settings_nearest(const char *word, size_t len, const char *const *candidates,
                             size_t n);

#endif
