/* auth_hash: MD5, SHA-256 and SHA-512/256 of "user:realm:password", with nettle. */
#include "db/auth_hash.h"

#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

static void hex(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

#define FEED(ctx, update, user, realm, password)                      \
    do {                                                              \
        update(ctx, strlen(user), (const uint8_t *)(user));          \
        update(ctx, 1, (const uint8_t *)":");                        \
        update(ctx, strlen(realm), (const uint8_t *)(realm));        \
        update(ctx, 1, (const uint8_t *)":");                        \
        update(ctx, strlen(password), (const uint8_t *)(password));  \
    } while (0)

int auth_hashes(const char *user, const char *realm, const char *password, char ha1[33],
                char sha256[65], char sha512t256[65])
{
    struct md5_ctx m;
    struct sha256_ctx s;
    struct sha512_256_ctx t;
    unsigned char d[32];

    if (!user || !realm || !password)
        return -1;
    md5_init(&m);
    FEED(&m, md5_update, user, realm, password);
    md5_digest(&m, MD5_DIGEST_SIZE, d);
    hex(d, MD5_DIGEST_SIZE, ha1);
    sha256_init(&s);
    FEED(&s, sha256_update, user, realm, password);
    sha256_digest(&s, SHA256_DIGEST_SIZE, d);
    hex(d, SHA256_DIGEST_SIZE, sha256);
    sha512_256_init(&t);
    FEED(&t, sha512_256_update, user, realm, password);
    sha512_256_digest(&t, SHA512_256_DIGEST_SIZE, d);
    hex(d, SHA512_256_DIGEST_SIZE, sha512t256);
    return 0;
}
