/* tokens: static bearer tokens for the HTTP transport, stored in the config as SHA-256 hashes
 * (never the tokens themselves), each mapped to a role; compared in constant time. */
#ifndef AUTH_TOKENS_H
#define AUTH_TOKENS_H

#include <jansson.h>
#include <stddef.h>

#include "auth/roles.h"

#define TOKENS_MAX 256

struct token {
    char name[64];               /* who holds it: the principal in logs and audit */
    unsigned char sha256[32];
    const struct role *role;
};

struct tokens {
    struct token list[TOKENS_MAX];
    size_t count;
};

/* Load the config's "tokens" array ([{"name","sha256","role"}], may be NULL) against `roles`.
 * Names and hashes must be unique. Returns 0, or -1 with the reason in err (never echoing a
 * hash). */
int tokens_load(struct tokens *t, const json_t *config, const struct roles *roles, char *err,
                size_t errlen);

/* The token whose hash matches `presented`, or NULL. Every configured hash is compared, in
 * constant time, whatever matches. */
const struct token *tokens_check(const struct tokens *t, const char *presented, size_t len);

/* SHA-256 of data into out[32] (nettle). */
void tokens_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
