/* auth_hash: the three digest hashes auth_db reads from the subscriber table. */
#ifndef DB_AUTH_HASH_H
#define DB_AUTH_HASH_H

/* ha1 = hex MD5("user:realm:password"), ha1_sha256 = hex SHA-256(same), ha1_sha512t256 = hex
 * SHA-512/256(same), lower case, NUL-terminated. Returns 0, or -1 when an input is NULL. */
int auth_hashes(const char *user, const char *realm, const char *password, char ha1[33],
                char sha256[65], char sha512t256[65]);

#endif
