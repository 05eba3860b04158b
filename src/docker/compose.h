/* docker/compose: what docker_restart needs to know of Docker Compose before it runs anything:
 * the compose command an operator configured, split into an argument vector and checked to be
 * one of the compose programs (docker compose, docker-compose, podman compose, podman-compose);
 * whether a service name is one compose accepts; and the services a compose file defines, read
 * by a bounded scan of its top-level `services:` keys (no YAML library, no compose needed).
 *
 * The scan reads the block style compose files are written in: the top-level `services:` key
 * (not indented), then the keys at the first deeper indentation below it, plain or quoted, with
 * comments, anchors (`&x`), CRLF line ends, a UTF-8 byte order mark and a leading `---`. It
 * refuses rather than guesses what it does not read: a flow mapping (`services: {a: ...}`), a
 * tab in the indentation, a merge key (`<<:`) among the services, a list, a name compose would
 * refuse, a name given twice. Services that `include:`d files define are not seen (the result
 * says the file includes others). Facts: the Compose Specification (services are a mapping whose
 * keys match ^[a-zA-Z0-9._-]+$, schema/compose-spec.json).
 *
 * Thread-safe: no state. */
#ifndef DOCKER_COMPOSE_H
#define DOCKER_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>

#define COMPOSE_FILE_MAX (1u << 20)   /* bytes of a compose file that is read */
#define COMPOSE_SERVICES_MAX 512      /* services of one file; more is an error */
#define COMPOSE_NAME_MAX 255          /* bytes of one service name */
#define COMPOSE_COMMAND_WORDS 2       /* words of the compose command ("docker compose") */

/* Whether `name` is a service name compose accepts and that cannot be read as an option:
 * 1 to COMPOSE_NAME_MAX bytes of [a-zA-Z0-9._-], not starting with '-'. */
bool compose_name_ok(const char *name);

/* The compose command as an argument vector: argv[0] is a name looked for in EXEC_PATH or an
 * absolute path whose last component is docker, podman, docker-compose or podman-compose;
 * docker and podman take "compose" as the second word, the other two none. */
struct compose_command {
    char *argv[COMPOSE_COMMAND_WORDS + 1]; /* owned, NULL-terminated */
    size_t argc;
    const char *program;                   /* the last component of argv[0]; borrowed from it */
};

/* Split `text` on spaces and tabs (no quoting: a path with a space cannot be named) into *c.
 * 0, or -1 with a sentence in why (size whylen) naming what is wrong and what is accepted;
 * *c is empty then. Release with compose_command_release in every case. */
int compose_command_parse(const char *text, struct compose_command *c, char *why, size_t whylen);
void compose_command_release(struct compose_command *c);

/* The services of a compose file, in the file's order. */
struct compose_services {
    char **names;  /* owned; n of them */
    size_t n;
    bool includes; /* the file has a top-level include: (services there are not listed) */
};

enum compose_err {
    COMPOSE_OK = 0,
    COMPOSE_ERR_PATH = -1,      /* the path is not absolute */
    COMPOSE_ERR_NOT_FOUND = -2, /* no such file */
    COMPOSE_ERR_NOT_FILE = -3,  /* not a regular file (a directory, a FIFO, a device) */
    COMPOSE_ERR_TOO_LARGE = -4, /* over COMPOSE_FILE_MAX bytes */
    COMPOSE_ERR_IO = -5,        /* the system refused: permissions, ... (errno's text) */
    COMPOSE_ERR_SYNTAX = -6,    /* no top-level services:, or a form the scan does not read */
};

/* Scan len bytes of a compose file's text. COMPOSE_OK with *s filled (zero services for
 * `services: {}`), or COMPOSE_ERR_SYNTAX (or COMPOSE_ERR_TOO_LARGE past COMPOSE_SERVICES_MAX)
 * with a sentence in why naming the line. *s is zeroed first; release it in every case. */
int compose_services_scan(const char *text, size_t len, struct compose_services *s, char *why,
                          size_t whylen);

/* Read the file at `path` (absolute; a link is followed: the path is the operator's; a FIFO
 * is never waited on) if it holds at most COMPOSE_FILE_MAX bytes, and scan it. A negative enum
 * compose_err with why set to a sentence naming the file, or COMPOSE_OK. */
int compose_services_read(const char *path, struct compose_services *s, char *why,
                          size_t whylen);

/* Whether s lists `name`. */
bool compose_services_has(const struct compose_services *s, const char *name);

void compose_services_release(struct compose_services *s);

#endif
