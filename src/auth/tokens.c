/* tokens: bearer token hashes from the config, checked in constant time. */
#include "auth/tokens.h"

#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

void tokens_sha256(const void *data, size_t len, unsigned char out[32])
{
    struct sha256_ctx ctx;

    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

static int unhex(const char *s, unsigned char out[32])
{
    for (size_t i = 0; i < 32; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + (size_t)k];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
            else return -1;
        }
        out[i] = (unsigned char)v;
    }
    return s[64] == '\0' ? 0 : -1;
}

int tokens_load(struct tokens *t, const json_t *config, const struct roles *roles, char *err,
                size_t errlen)
{
    static const unsigned char zeros[32];
    size_t i;
    json_t *e;

    memset(t, 0, sizeof(*t));
    if (!config)
        return 0;
    if (!json_is_array(config))
        return snprintf(err, errlen, "config: \"tokens\" must be an array of {name, sha256, role}"), -1;
    json_array_foreach(config, i, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *hash = json_string_value(json_object_get(e, "sha256"));
        const char *role = json_string_value(json_object_get(e, "role"));
        struct token *tok;

        if (t->count == TOKENS_MAX)
            return snprintf(err, errlen, "config: more than %d tokens", TOKENS_MAX), -1;
        if (!name || !*name || strlen(name) >= sizeof(tok->name))
            return snprintf(err, errlen, "config: token %zu needs a \"name\" of 1 to 63 characters", i), -1;
        tok = &t->list[t->count];
        snprintf(tok->name, sizeof(tok->name), "%s", name);
        if (!hash || strlen(hash) != 64 || unhex(hash, tok->sha256) < 0 ||
            !memcmp(tok->sha256, zeros, 32))
            return snprintf(err, errlen,
                            "config: token '%s' needs \"sha256\": the 64 hex digits of the "
                            "token's SHA-256 (printf %%s TOKEN | sha256sum)",
                            name),
                   -1;
        if (!(tok->role = roles_find(roles, role)))
            return snprintf(err, errlen, "config: token '%s' names an unknown role", name), -1;
        /* Names and hashes are unique: a name is the principal in logs and audit, a hash is
         * who a presented token is; two entries sharing either make them ambiguous. */
        for (size_t k = 0; k < t->count; k++) {
            if (!strcmp(t->list[k].name, name))
                return snprintf(err, errlen, "config: token name '%s' is used twice; give "
                                "each token its own name", name), -1;
            if (!memcmp(t->list[k].sha256, tok->sha256, 32))
                return snprintf(err, errlen, "config: tokens '%s' and '%s' have the same "
                                "sha256; give each holder a token of their own",
                                t->list[k].name, name), -1;
        }
        t->count++;
    }
    return 0;
}

const struct token *tokens_check(const struct tokens *t, const char *presented, size_t len)
{
    unsigned char h[32];
    const struct token *found = NULL;

    tokens_sha256(presented, len, h);
    for (size_t i = 0; i < t->count; i++)
        if (memeql_sec(h, t->list[i].sha256, 32))
            found = &t->list[i];
    return found;
}
