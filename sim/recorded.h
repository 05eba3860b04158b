/* recorded: the replies OpenSIPS gave in the recordings, served for commands without a model. */
#ifndef SIM_RECORDED_H
#define SIM_RECORDED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalogue.h"

struct recorded_reply {
    char *file;         /* "http/lb_list.json" */
    char *key;          /* command name + canonical params */
    char *member;       /* the bytes between {"jsonrpc":"2.0", and ,"id":...}: "result":... */
    size_t member_len;
    unsigned ms;        /* recorded time to the reply */
    bool crash;         /* OpenSIPS died on this request: the connection closed with no reply */
    bool is_error;
};

struct recorded {
    struct recorded_reply *r;
    size_t n;
    size_t *cursor;     /* per reply: next index to serve for its key (only used on the first) */
};

/* Load every reply of index.json under dir, in recording order (the `seq` field when present),
 * keyed by the command each request resolves to in cat. 0 on success, -1 on failure. */
int recorded_load(struct recorded *rec, const char *dir, const struct catalogue *cat);
void recorded_release(struct recorded *rec);

/* The key of a request: command name and params canonicalised; caller frees. */
char *recorded_key(const char *cmd, json_t *params);

/* The reply recorded for this exact key; several recorded replies for one key are served in
 * recording order, the last one repeating. NULL when none. */
const struct recorded_reply *recorded_next(struct recorded *rec, const char *key);
/* Any reply recorded for this command (success first): NULL when the command was never recorded. */
const struct recorded_reply *recorded_any(const struct recorded *rec, const char *cmd);
/* Rewind every sequence to its first reply. */
void recorded_rewind(struct recorded *rec);

/* The "result" of the recorded mi_http reply in FILE (under the recordings' http/), or its member
 * `key` when key is not NULL: a new deep copy, or NULL, logged, when either is missing. State that
 * starts from the recordings loads it this way. */
json_t *recorded_result(const char *file, const char *key);

#endif
