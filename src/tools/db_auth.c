/* db_auth: who may register and for which domains — auth_db's subscriber table (passwords
 * stored as the three digest hashes auth_db reads, never read back) and the domain table. */
#include <string.h>

#include "db/auth_hash.h"
#include "tools/be_sql.h"
#include "tools/row.h"
#include "tools/tool.h"

static const struct sql_table subscriber = {
    .table = "subscriber",
    .columns = COLUMNS(
        COL("id", COL_KEY, .description = "Row id (see subscriber_list)"),
        COL("username", COL_WRITABLE | COL_REQUIRED, .description = "SIP user name", .min_len = 1),
        COL("domain", COL_WRITABLE | COL_REQUIRED, .min_len = 1,
            .description = "SIP domain, also the digest realm"),
        COL("username", COL_LIKE),
        COL("domain", COL_FILTER),
        COL("password", COL_WRITABLE | COL_SECRET | COL_HIDDEN),
        COL("ha1", COL_WRITABLE | COL_SECRET | COL_HIDDEN),
        COL("ha1_sha256", COL_WRITABLE | COL_SECRET | COL_HIDDEN),
        COL("ha1_sha512t256", COL_WRITABLE | COL_SECRET | COL_HIDDEN)),
};

static const struct tool_arg password_arg[] = ARGS(
    {.name = "password", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, .max_len = 128,
     .description = "The new password; stored only as its digest hashes"});

/* The hashes of args' password for args' user and domain (the realm), into values. */
static bool hash_into(const json_t *args, json_t *values, struct tool_error *e)
{
    struct auth_hashes h;

    if (auth_hash_compute(tool_str(args, "username", ""), tool_str(args, "domain", ""),
                          tool_str(args, "password", ""), &h) < 0) {
        tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "username, domain and password are needed to "
                  "make the hashes; nothing was changed");
        return false;
    }
    json_object_set_new(values, "ha1", json_string(h.ha1));
    json_object_set_new(values, "ha1_sha256", json_string(h.ha1_sha256));
    json_object_set_new(values, "ha1_sha512t256", json_string(h.ha1_sha512t256));
    json_object_set_new(values, "password", json_string("")); /* no plaintext at rest */
    json_object_del(values, "confirm");
    return true;
}

/* subscriber_add and subscriber_set_password: the hashes replace the password. */
static json_t *with_hashes(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *values = json_pack("{s:O?,s:O?}", "username", json_object_get(args, "username"),
                               "domain", json_object_get(args, "domain")), *out;

    out = hash_into(args, values, e) ? sql_apply(x, (const json_t *const *)&values, 1, args, e)
                                     : NULL;
    json_decref(values);
    return out;
}

static const struct sql_table domain = {
    .table = "domain",
    .columns = COLUMNS(
        COL("id", COL_KEY, .description = "Row id"),
        COL("domain", COL_WRITABLE | COL_REQUIRED, .min_len = 1,
            .description = "SIP domain this proxy serves"),
        COL("attrs", COL_WRITABLE, .description = "Attributes"),
        COL("accept_subdomain", COL_WRITABLE, .ints = (const long long[]){0, 1}, .nints = 2,
            .description = "1: its subdomains too"),
        COL("domain", COL_LIKE)),
    .reload = "domain:reload",
};

static const struct tool_def db_auth_rows[] = {
    {.name = "subscriber_list",
     .title = "List subscribers",
     .description = "Lists auth_db's subscribers (username: contains), never passwords or "
                    "hashes.",
     DB_READ(.sql = SQL(&subscriber, SQL_LIST))},
    {.name = "subscriber_get",
     .title = "Get a subscriber",
     .description = "One subscriber by user name and domain, without password or hashes.",
     DB_GET(.sql = SQL(&subscriber, SQL_GET, .keys = VALUES("username", "domain")))},
    {.name = "subscriber_add",
     .title = "Add a subscriber",
     .description = "Adds a SIP account, storing its MD5, SHA-256 and SHA-512/256 digest hashes "
                    "(realm: the domain), not the password. 4.0 matches user and domain; 3.6 "
                    "by default the user only (auth_db use_domain).",
     DB_WRITE(.sql = SQL(&subscriber, SQL_ADD), .args = password_arg, .run = with_hashes)},
    {.name = "subscriber_set_password",
     .title = "Change a password",
     .description = "Sets a password: rewrites all three hashes (opensips-cli leaves the SHA "
                    "ones stale).",
     DB_WRITE(.flags = TOOL_F_IDEMPOTENT,
              .sql = SQL(&subscriber, SQL_UPDATE, .keys = VALUES("username", "domain")),
              .args = password_arg, .run = with_hashes)},
    {.name = "subscriber_delete",
     .title = "Delete a subscriber",
     .description = "Deletes a subscriber by row id; it can no longer authenticate.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&subscriber, SQL_DELETE))},
    {.name = "domain_list",
     .title = "List domains",
     .description = "Lists the domain table: the SIP domains this proxy serves.",
     DB_READ(.sql = SQL(&domain, SQL_LIST))},
    {.name = "domain_add",
     .title = "Add a domain",
     .description = "Adds a served SIP domain, then reloads the domain module.",
     DB_WRITE(.sql = SQL(&domain, SQL_ADD))},
    {.name = "domain_delete",
     .title = "Delete a domain",
     .description = "Stops serving a SIP domain (by name), then reloads the domain module.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&domain, SQL_DELETE, .keys = VALUES("domain")))},
};
ROW_TABLE(db_auth, db_auth_rows);
