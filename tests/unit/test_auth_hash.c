/* test_auth_hash: the three hashes auth_db reads (ha1, ha1_sha256, ha1_sha512t256) against
 * vectors computed outside our code, with Python's hashlib:
 *   python3 -c "import hashlib,sys; s=sys.argv[1].encode(); print(hashlib.md5(s).hexdigest(), hashlib.sha256(s).hexdigest(), hashlib.new('sha512_256',s).hexdigest())" 'alice:example.com:secret'
 */
#include "check.h"
#include "db/auth_hash.h"

struct vector {
    const char *user, *realm, *password;
    const char *md5, *sha256, *sha512_256;
};

static const struct vector vectors[] = {
    {"alice", "example.com", "secret", "b1726872c344b6dc8365b774f8fd6412",
     "ed8925b20f9a77b8f8f8d5f8e4467fe32b866f7208ab9e4b20595e9821a0fdee",
     "9e413627514b03d0753229d450617d94a9b2a2a635222e49bad90404c29e97ad"},
    /* an empty password */
    {"1001", "sip.example.org", "", "ec4ba60b5185e16239319ec2d2f1ca43",
     "7ebcfda14740a1842cd8be743e86fd6f970d6cfe25ffd23d524d9f5011df6ce8",
     "7de513514a46f7e09e70af2867cca7059868286df3c3b154e4edd770b4d16eb1"},
    /* UTF-8 in all three: hashed as the bytes, as auth_db sees them on the wire */
    {"j\xc3\xbcrgen", "b\xc3\xbc" "cher.example", "p\xc3\xa4ssw\xc3\xb6rd",
     "314b2cdcf703d0449c6b21c9d60bed90",
     "1ec834e47cde319abb5b4dd621cc30b26c9dbf9c1324bed1750defc5793f0d2a",
     "700f0057ab001a09f50da684171207c886cb826631950a4f8109fa1d8647f385"},
    {"\xe7\x94\xa8\xe6\x88\xb7", "\xe4\xbe\x8b\xe5\xad\x90.\xe6\xb5\x8b\xe8\xaf\x95",
     "\xe5\xaf\x86\xe7\xa0\x81", "a8d43e19b41c8049dc500da17bfd2712",
     "ae08bc57fbe02ae958045f513440645d3921917267deca1c700c731b3fe1f4c9",
     "6c333db1e97708d63508381fb9f33bdd55f546c127bf54ba3e514bef0573e015"},
    /* all empty: still "::" */
    {"", "", "", "4501c091b0366d76ea3218b6cfdd8097",
     "71546855d6279ef70d20909b292c42c2dcb02cd06bde01485da52d13e304ebf4",
     "674602a61614a779e4b84c5d3462e6ba1269bfdd897b2399d91dc208a9614f3e"},
};

int main(void)
{
    struct auth_hashes h;

    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct vector *v = &vectors[i];
        CHECK(auth_hash_compute(v->user, v->realm, v->password, &h) == 0);
        CHECK_STR(h.ha1, v->md5);
        CHECK_STR(h.ha1_sha256, v->sha256);
        CHECK_STR(h.ha1_sha512t256, v->sha512_256);
        if (!check_str(h.ha1_sha512t256, v->sha512_256))
            fprintf(stderr, "  vector %zu: %s %s %s\n", i, h.ha1, h.ha1_sha256, h.ha1_sha512t256);
        CHECK(strlen(h.ha1) == AUTH_HASH_HA1_HEX && strlen(h.ha1_sha256) == 64 &&
              strlen(h.ha1_sha512t256) == 64);
        CHECK(strspn(h.ha1_sha512t256, "0123456789abcdef") == 64);
    }

    /* a password longer than one SHA-512 block (128 bytes) and than two MD5 blocks */
    char big[301];
    memset(big, 'x', 300);
    big[300] = '\0';
    CHECK(auth_hash_compute("bob", "example.net", big, &h) == 0);
    CHECK_STR(h.ha1, "de011468e93faf90dbbac88f60776275");
    CHECK_STR(h.ha1_sha256, "48c2150010b85c0f3f08608d6cce88130864eb6b545ed4d5d9f9ac2721b17575");
    CHECK_STR(h.ha1_sha512t256,
              "a3e2244e84803d5f5f13b81f3f52c9ea3ed1c404b4c363e46f8ea9f451b040b8");

    /* SHA-512/256 has its own initial values: not the first half of SHA-512 (which for
     * alice would be b5c21b4c...) */
    CHECK(auth_hash_compute("alice", "example.com", "secret", &h) == 0);
    CHECK(strcmp(h.ha1_sha512t256,
                 "b5c21b4c4187761d663bd092dd35600cc54eac955b21a851dd1e2f8ff3b20ba1") != 0);

    /* the realm is part of the input: the same user and password in another domain differ */
    struct auth_hashes other;
    CHECK(auth_hash_compute("alice", "example.org", "secret", &other) == 0);
    CHECK(strcmp(h.ha1, other.ha1) && strcmp(h.ha1_sha256, other.ha1_sha256) &&
          strcmp(h.ha1_sha512t256, other.ha1_sha512t256));

    /* NULL is refused, and leaves nothing behind */
    CHECK(auth_hash_compute(NULL, "example.com", "secret", &h) == -1 && h.ha1[0] == '\0');
    CHECK(auth_hash_compute("alice", NULL, "secret", &h) == -1);
    CHECK(auth_hash_compute("alice", "example.com", NULL, &h) == -1 &&
          h.ha1_sha512t256[0] == '\0');

    return check_done("auth_hash");
}
