/* Unit tests for roles and tokens: built-in roles, custom roles, token hashes and refusals. */
#include "auth/roles.h"
#include "auth/tokens.h"
#include "check.h"

static json_t *parse(const char *text)
{
    return json_loads(text, 0, NULL);
}

int main(void)
{
    struct roles roles;
    struct tokens tokens;
    char err[512];
    json_t *cfg;
    const struct role *r;
    unsigned char h[32];

    CHECK(roles_load(&roles, NULL, err, sizeof(err)) == 0);
    r = roles_find(&roles, "viewer");
    CHECK(r && r->scopes == (SCOPE_BIT(SCOPE_MI_READ) | SCOPE_BIT(SCOPE_STATS_READ) |
                             SCOPE_BIT(SCOPE_DB_READ) | SCOPE_BIT(SCOPE_CONFIG_READ)));
    r = roles_find(&roles, "operator");
    CHECK(r && (r->scopes & SCOPE_BIT(SCOPE_MI_WRITE)) && !(r->scopes & SCOPE_BIT(SCOPE_MI_EXECUTE)));
    r = roles_find(&roles, "admin");
    CHECK(r && r->scopes == SCOPES_ALL);
    CHECK(roles_find(&roles, "root") == NULL);
    for (int s = 0; s < SCOPE_COUNT; s++)
        CHECK(scope_parse(scope_name((enum scope)s)) == s);
    CHECK_STR(scope_bit_name(SCOPE_BIT(SCOPE_PROCESS_MANAGE)), "process.manage");

    cfg = parse("{\"auditor\":[\"mi.read\",\"stats.read\"],\"nothing\":[]}");
    CHECK(roles_load(&roles, cfg, err, sizeof(err)) == 0);
    r = roles_find(&roles, "auditor");
    CHECK(r && r->scopes == (SCOPE_BIT(SCOPE_MI_READ) | SCOPE_BIT(SCOPE_STATS_READ)));
    CHECK(roles_find(&roles, "nothing")->scopes == 0);
    json_decref(cfg);

    cfg = parse("{\"admin\":[\"mi.read\"]}");
    CHECK(roles_load(&roles, cfg, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "built in");
    json_decref(cfg);
    cfg = parse("{\"x\":[\"mi.everything\"]}");
    CHECK(roles_load(&roles, cfg, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "unknown scope");
    json_decref(cfg);
    cfg = parse("{\"x\":\"mi.read\"}");
    CHECK(roles_load(&roles, cfg, err, sizeof(err)) == -1);
    json_decref(cfg);

    /* SHA-256("abc"), FIPS 180-2 appendix B.1. */
    tokens_sha256("abc", 3, h);
    CHECK(h[0] == 0xba && h[1] == 0x78 && h[31] == 0xad);

    CHECK(roles_load(&roles, NULL, err, sizeof(err)) == 0);
    cfg = parse("[{\"name\":\"noc\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"operator\"},"
                "{\"name\":\"ro\",\"sha256\":\"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AE\",\"role\":\"viewer\"}]");
    CHECK(tokens_load(&tokens, cfg, &roles, err, sizeof(err)) == 0);
    CHECK(tokens.count == 2);
    CHECK(tokens_check(&tokens, "abc", 3) == &tokens.list[0]);
    CHECK_STR(tokens_check(&tokens, "abc", 3)->role->name, "operator");
    CHECK(tokens_check(&tokens, "abd", 3) == NULL);
    CHECK(tokens_check(&tokens, "", 0) == NULL);
    json_decref(cfg);

    static const char *const bad[][2] = {
        {"[{\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"viewer\"}]", "\"name\""},
        {"[{\"name\":\"a\",\"sha256\":\"abc\",\"role\":\"viewer\"}]", "64 hex digits"},
        {"[{\"name\":\"a\",\"sha256\":\"zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"viewer\"}]", "64 hex digits"},
        {"[{\"name\":\"a\",\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"role\":\"viewer\"}]", "64 hex digits"},
        {"[{\"name\":\"a\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"god\"}]", "unknown role"},
        {"{\"name\":\"a\"}", "must be an array"},
        /* A viewer token named like the admin's would share its sessions and audit name. */
        {"[{\"name\":\"root\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"admin\"},"
         "{\"name\":\"root\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae\",\"role\":\"viewer\"}]",
         "token name 'root' is used twice"},
        /* The same token under two names (hex case differs): which one is the caller? */
        {"[{\"name\":\"a\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"admin\"},"
         "{\"name\":\"b\",\"sha256\":\"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\",\"role\":\"viewer\"}]",
         "tokens 'a' and 'b' have the same sha256"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cfg = parse(bad[i][0]);
        CHECK(tokens_load(&tokens, cfg, &roles, err, sizeof(err)) == -1);
        CHECK_CONTAINS(err, bad[i][1]);
        CHECK(strstr(err, "ba7816") == NULL); /* a hash is never echoed */
        json_decref(cfg);
    }
    return check_done("auth");
}
