/* test_db_url: OpenSIPS-style database URLs: parsing, percent-decoding, redaction, errors that
 * never show a password; and db_open's refusals that need no server. */
#include "check.h"
#include "db/db.h"

static char err[600];

static int parse(const char *url, struct db_url *u)
{
    err[0] = 0;
    return db_url_parse(url, u, err, sizeof(err));
}

static void redact(const char *url, const char *want)
{
    char out[DB_URL_MAX + 8];
    db_url_redact(url, out, sizeof(out));
    CHECK_STR(out, want);
    if (!check_str(out, want))
        fprintf(stderr, "  redact(%s) = %s\n", url, out);
}

/* A URL that must be refused, with a text containing `says` and never `secret`. */
static void refused(const char *url, const char *says)
{
    struct db_url u;
    CHECK(parse(url, &u) == -1);
    CHECK_CONTAINS(err, says);
    CHECK(!strstr(err, "s3cret"));
    if (!check_contains(err, says))
        fprintf(stderr, "  %s: %s\n", url, err);
}

int main(void)
{
    struct db_url u;

    /* the forms operators use */
    CHECK(parse("postgres://opensips:opensipsrw@db.example.com:5433/opensips", &u) == 0);
    CHECK(u.kind == DB_POSTGRES);
    CHECK_STR(u.user, "opensips");
    CHECK_STR(u.password, "opensipsrw");
    CHECK_STR(u.host, "db.example.com");
    CHECK(u.port == 5433);
    CHECK_STR(u.database, "opensips");
    CHECK(!u.socket);

    CHECK(parse("mysql://opensipsro:opensipsro@localhost/opensips", &u) == 0);
    CHECK(u.kind == DB_MYSQL);
    CHECK_STR(u.host, "localhost");
    CHECK(u.port == 0);
    CHECK_STR(u.database, "opensips");

    /* opensips-cli's database_url has no database name */
    CHECK(parse("mysql://opensips:opensipsrw@localhost", &u) == 0);
    CHECK_STR(u.database, "");
    CHECK(parse("postgresql://postgres@localhost/postgres", &u) == 0);
    CHECK(u.kind == DB_POSTGRES);
    CHECK_STR(u.user, "postgres");
    CHECK_STR(u.password, "");
    /* a +driver suffix is kept by opensips-cli: accepted */
    CHECK(parse("mysql+pymysql://u:p@h/d", &u) == 0);
    CHECK(u.kind == DB_MYSQL);
    CHECK(parse("mariadb://u@h:3307/d", &u) == 0);
    CHECK(u.kind == DB_MYSQL && u.port == 3307);
    /* no credentials at all */
    CHECK(parse("postgres://h/d", &u) == 0);
    CHECK_STR(u.user, "");
    CHECK_STR(u.host, "h");

    /* percent-decoding of user, password, database, host */
    CHECK(parse("postgres://us%65r:p%40ss%3Aw%2Frd%25@127.0.0.1:5432/my%20db", &u) == 0);
    CHECK_STR(u.user, "user");
    CHECK_STR(u.password, "p@ss:w/rd%");
    CHECK_STR(u.database, "my db");
    /* an '@' in the password unencoded: the last '@' before the path ends the credentials */
    CHECK(parse("mysql://u:p@ss@h/d", &u) == 0);
    CHECK_STR(u.password, "p@ss");
    CHECK_STR(u.host, "h");
    /* ':' in the password after the first */
    CHECK(parse("mysql://u:a:b@h/d", &u) == 0);
    CHECK_STR(u.password, "a:b");

    /* IPv6 and unix sockets */
    CHECK(parse("postgres://u:p@[::1]:5432/d", &u) == 0);
    CHECK_STR(u.host, "::1");
    CHECK(u.port == 5432);
    CHECK(parse("mysql://u:p@%2Frun%2Fmysqld%2Fmysqld.sock/opensips", &u) == 0);
    CHECK(u.socket);
    CHECK_STR(u.host, "/run/mysqld/mysqld.sock");
    CHECK_STR(u.database, "opensips");
    CHECK(parse("mysql://u:p@unix(/run/mysqld/mysqld.sock)/opensips", &u) == 0);
    CHECK(u.socket);
    CHECK_STR(u.host, "/run/mysqld/mysqld.sock");
    CHECK_STR(u.database, "opensips");
    CHECK(parse("postgres://u@%2Fvar%2Frun%2Fpostgresql/opensips", &u) == 0);
    CHECK(u.socket);
    CHECK_STR(u.host, "/var/run/postgresql");

    /* refusals: each names the problem, none shows the password */
    refused("", "empty");
    refused("opensips:s3cret@localhost/opensips", "no scheme");
    refused("sqlite:////var/lib/opensips.db", "unknown scheme 'sqlite'");
    refused("oracle://u:s3cret@h/d", "unknown scheme");
    refused("mysql://u:s3cret@/d", "no host");
    refused("mysql://u:s3cret@h:0/d", "port must be a number from 1 to 65535");
    refused("mysql://u:s3cret@h:65536/d", "port must be");
    refused("mysql://u:s3cret@h:-1/d", "port must be");
    refused("mysql://u:s3cret@h:12ab/d", "port must be");
    refused("mysql://u:s3cret@h:/d", "port must be");
    refused("mysql://u:s3cret%zz@h/d", "bad percent escape in the password");
    refused("mysql://u:s3cret%4@h/d", "bad percent escape in the password");
    refused("mysql://u%00:s3cret@h/d", "contains %00");
    refused("mysql://u:s3cret@h/d?sslmode=require", "options after the database name");
    refused("mysql://u:s3cret@h/d/e", "database name contains '/'");
    refused("mysql://u:s3cret@[::1/d", "no closing ']'");
    refused("mysql://u:s3cret@unix(/run/x.sock/d", "no closing ')'");
    refused("mysql://u:s3cret@%2Frun%2Fx.sock:3306/d", "a socket path takes no port");
    refused("mysql://u:s3cr/et@h/d", "'/' in the user or password must be written %2F");
    refused("mysql://u:s3cret@[::1]x/d", "unexpected 'x' after the host");
    {
        char big[DB_URL_MAX + 64];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        memcpy(big, "mysql://u:s3cret@", 17);
        refused(big, "longer than 1024 bytes");
        char user[300];
        memset(user, 'u', sizeof(user) - 1);
        user[sizeof(user) - 1] = 0;
        snprintf(big, sizeof(big), "mysql://%s:s3cret@h/d", user);
        refused(big, "the user is longer than 127 bytes");
    }
    /* the error quotes the URL redacted */
    refused("mysql://u:s3cret@h:99999/d", "mysql://u:***@h:99999/d");

    /* redaction */
    redact("postgres://user:pass@host:5432/db", "postgres://user:***@host:5432/db");
    redact("mysql://u@h/d", "mysql://u@h/d");
    redact("mysql://h/d", "mysql://h/d");
    redact("mysql://u:p@ss@h/d", "mysql://u:***@h/d");
    redact("mysql://u:pa/ss@h/d", "mysql://u:***@h/d");
    redact("mysql://u:p%40ss@h/d", "mysql://u:***@h/d");
    redact("mysql://u:@h/d", "mysql://u:***@h/d");
    redact("not a url", "not a url");
    redact("u:secret@h", "***");
    {
        char small[12];
        db_url_redact("postgres://user:pass@host:5432/db", small, sizeof(small));
        CHECK(strlen(small) == sizeof(small) - 1);
        CHECK(!strstr(small, "pass"));
    }

    /* db_open's refusals without a server */
    {
        struct db_open_opts o = {.connect_timeout_ms = 1000, .statement_timeout_ms = 1000};
        struct db_driver d;
        struct tool_error e;
        CHECK(db_open("sqlite:///x", &o, &d, &e) == TOOL_E_CONFIG);
        CHECK_STR(e.name, "db_config");
        CHECK(db_open("mysql://u:s3cret@h:0/d", &o, &d, &e) == TOOL_E_CONFIG);
        CHECK(!strstr(e.text, "s3cret"));
        o.statement_timeout_ms = 0;
        CHECK(db_open("mysql://u:p@h/d", &o, &d, &e) == TOOL_E_CONFIG);
        /* nothing listens on port 1: refused quickly, named db_unreachable, password hidden */
        o.statement_timeout_ms = 1000;
        CHECK(db_open("postgres://u:s3cret@127.0.0.1:1/d", &o, &d, &e) == TOOL_E_UNREACHABLE);
        CHECK_STR(e.name, "db_unreachable");
        CHECK(!strstr(e.text, "s3cret"));
        CHECK_CONTAINS(e.text, "postgres://u:***@127.0.0.1:1/d");
        CHECK(db_open("mysql://u:s3cret@127.0.0.1:1/d", &o, &d, &e) == TOOL_E_UNREACHABLE);
        CHECK_STR(e.name, "db_unreachable");
        CHECK(!strstr(e.text, "s3cret"));
        db_thread_close();
    }
    return check_done("db_url");
}
