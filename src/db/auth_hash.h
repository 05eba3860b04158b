/* db/auth_hash: the password hashes OpenSIPS's auth_db reads from the subscriber table, so that
 * a subscriber written by a tool authenticates with every digest algorithm auth_db offers. */
#ifndef DB_AUTH_HASH_H
#define DB_AUTH_HASH_H

/* Lengths in hex digits (lower case, as auth_db and opensips-cli write them). */
#define AUTH_HASH_HA1_HEX 32           /* MD5 */
#define AUTH_HASH_SHA256_HEX 64        /* SHA-256 */
#define AUTH_HASH_SHA512T256_HEX 64    /* SHA-512/256 (RFC 8760), not a truncated SHA-512 */

/* The three columns of one subscriber row, each NUL-terminated lower-case hex. */
struct auth_hashes {
    char ha1[AUTH_HASH_HA1_HEX + 1];                   /* column ha1 */
    char ha1_sha256[AUTH_HASH_SHA256_HEX + 1];         /* column ha1_sha256 */
    char ha1_sha512t256[AUTH_HASH_SHA512T256_HEX + 1]; /* column ha1_sha512t256 */
};

/* Fill *h with the digests of "username:realm:password" (the bytes as given: UTF-8 stays
 * UTF-8; realm is the subscriber's domain, as auth_db's www_authorize("", "subscriber")
 * and opensips-cli's `user add` take it). Any of the three may be empty. Returns 0, or -1
 * (and *h emptied) when an argument is NULL. Keeps no copy of the password. */
int auth_hash_compute(const char *username, const char *realm, const char *password,
                      struct auth_hashes *h);

/* The same three hashes into caller buffers (db_auth.c's form on branch db): ha1[33],
 * sha256[65], sha512t256[65]. Returns 0, or -1 when an input is NULL. */
int auth_hashes(const char *user, const char *realm, const char *password, char ha1[33],
                char sha256[65], char sha512t256[65]);

#endif
