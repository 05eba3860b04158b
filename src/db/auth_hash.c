/* db/auth_hash: MD5, SHA-256 and SHA-512/256 of "user:realm:password" with nettle, the forms
 * auth_db compares against (modules/auth_db: password_column, hash_column_sha256,
 * hash_column_sha512t256). */
#include "db/auth_hash.h"

#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <string.h>

static void hex(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The one input string, fed to a hash in its three parts and the two colons between them. */
#define FEED(update, ctx, user, realm, password)                                             \
    do {                                                                                     \
        update(ctx, strlen(user), (const uint8_t *)(user));                                  \
        update(ctx, 1, (const uint8_t *)":");                                                \
        update(ctx, strlen(realm), (const uint8_t *)(realm));                                \
        update(ctx, 1, (const uint8_t *)":");                                                \
        update(ctx, strlen(password), (const uint8_t *)(password));                          \
    } while (0)

int auth_hash_compute(const char *username, const char *realm, const char *password,
                      struct auth_hashes *h)
{
    unsigned char d[SHA256_DIGEST_SIZE];
    struct md5_ctx md5;
    struct sha256_ctx sha256;
    struct sha512_256_ctx sha512_256;

    memset(h, 0, sizeof(*h));
    if (!username || !realm || !password)
        return -1;
    _Static_assert(MD5_DIGEST_SIZE * 2 == AUTH_HASH_HA1_HEX, "ha1 length");
    _Static_assert(SHA256_DIGEST_SIZE * 2 == AUTH_HASH_SHA256_HEX, "ha1_sha256 length");
    _Static_assert(SHA512_256_DIGEST_SIZE * 2 == AUTH_HASH_SHA512T256_HEX, "sha512t256 length");

    md5_init(&md5);
    FEED(md5_update, &md5, username, realm, password);
    md5_digest(&md5, MD5_DIGEST_SIZE, d);
    hex(d, MD5_DIGEST_SIZE, h->ha1);

    sha256_init(&sha256);
    FEED(sha256_update, &sha256, username, realm, password);
    sha256_digest(&sha256, SHA256_DIGEST_SIZE, d);
    hex(d, SHA256_DIGEST_SIZE, h->ha1_sha256);

    sha512_256_init(&sha512_256);
    FEED(sha512_256_update, &sha512_256, username, realm, password);
    sha512_256_digest(&sha512_256, SHA512_256_DIGEST_SIZE, d);
    hex(d, SHA512_256_DIGEST_SIZE, h->ha1_sha512t256);

    /* An HA1 is as good as the password for digest auth, and a context's block buffer still
     * holds the password's last bytes: leave neither on the stack. */
    explicit_bzero(d, sizeof(d));
    explicit_bzero(&md5, sizeof(md5));
    explicit_bzero(&sha256, sizeof(sha256));
    explicit_bzero(&sha512_256, sizeof(sha512_256));
    return 0;
}
