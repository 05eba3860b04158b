/* Unit tests for settings: defaults, config file, environment and flags in rising precedence,
 * and a clear refusal of every bad value. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "settings.h"
#include "strparse.h"

static enum settings_outcome load(struct settings *s, char **argv, char *err)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return settings_load(s, argc, argv, err, 512);
}

int main(void)
{
    struct settings s;
    char err[512];
    uint64_t v;
    char cfg[] = "/tmp/opensips-mcp-test-XXXXXX";
    int fd;

    CHECK(parse_uint("0", 10, &v) == 0 && v == 0);
    CHECK(parse_uint("18446744073709551615", UINT64_MAX, &v) == 0 && v == UINT64_MAX);
    CHECK(parse_uint("18446744073709551616", UINT64_MAX, &v) == -1);
    CHECK(parse_uint("11", 10, &v) == -1);
    CHECK(parse_uint("-1", 10, &v) == -1);
    CHECK(parse_uint("1x", 10, &v) == -1);
    CHECK(parse_uint("", 10, &v) == -1);

    unsetenv("OPENSIPS_MCP_PAGE_SIZE");
    CHECK(load(&s, (char *[]){"x", NULL}, err) == SETTINGS_OK);
    CHECK(s.max_message_size == 4194304);
    CHECK(s.page_size == 100);
    CHECK(!s.conformance_fixtures);
    settings_release(&s);

    fd = mkstemp(cfg);
    CHECK(fd >= 0);
    CHECK(write(fd, "{\"page_size\": 7, \"workers\": \"3\", \"conformance_fixtures\": true}", 62) == 62);
    close(fd);
    setenv("OPENSIPS_MCP_CONFIG", cfg, 1);
    CHECK(load(&s, (char *[]){"x", NULL}, err) == SETTINGS_OK);
    CHECK(s.page_size == 7 && s.workers == 3 && s.conformance_fixtures);
    settings_release(&s);
    setenv("OPENSIPS_MCP_PAGE_SIZE", "8", 1);
    CHECK(load(&s, (char *[]){"x", NULL}, err) == SETTINGS_OK);
    CHECK(s.page_size == 8); /* environment beats the file */
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--page-size", "9", NULL}, err) == SETTINGS_OK);
    CHECK(s.page_size == 9); /* flags beat the environment */
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--page-size=10", "--conformance-fixtures=false", NULL}, err) == SETTINGS_OK);
    CHECK(s.page_size == 10 && !s.conformance_fixtures);
    settings_release(&s);
    unsetenv("OPENSIPS_MCP_PAGE_SIZE");

    CHECK(load(&s, (char *[]){"x", "--page-size", "0", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "'page-size' needs a whole number from 1 to 10000, not '0'");
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--nope", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "unknown option '--nope'");
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--log-level", "loud", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "needs one of debug");
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--page-size", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "needs a value");
    settings_release(&s);
    setenv("OPENSIPS_MCP_WORKERS", "many", 1);
    CHECK(load(&s, (char *[]){"x", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "environment OPENSIPS_MCP_WORKERS");
    settings_release(&s);
    unsetenv("OPENSIPS_MCP_WORKERS");

    fd = open(cfg, O_WRONLY | O_TRUNC);
    CHECK(write(fd, "{\"bogus\": 1}", 12) == 12);
    close(fd);
    CHECK(load(&s, (char *[]){"x", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "unknown setting 'bogus'");
    settings_release(&s);
    fd = open(cfg, O_WRONLY | O_TRUNC);
    CHECK(write(fd, "{oops", 5) == 5);
    close(fd);
    CHECK(load(&s, (char *[]){"x", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "config file");
    settings_release(&s);
    /* nested past the one limit (jsonload.h): refused at the line where it goes too deep */
    fd = open(cfg, O_WRONLY | O_TRUNC);
    char deep[2040];
    memset(deep, '[', sizeof(deep));
    CHECK(write(fd, "{\"roles\":\n", 10) == 10 && write(fd, deep, sizeof(deep)) == 2040);
    close(fd);
    CHECK(load(&s, (char *[]){"x", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "nested deeper than 64 levels of arrays and objects (line 2)");
    settings_release(&s);
    unlink(cfg);
    unsetenv("OPENSIPS_MCP_CONFIG");
    CHECK(load(&s, (char *[]){"x", "--config", "/nonexistent/file.json", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "/nonexistent/file.json");
    settings_release(&s);
    /* where each value came from: the last layer that set it */
    setenv("OPENSIPS_MCP_TOOLSETS", "dialog", 1);
    CHECK(load(&s, (char *[]){"x", "--role", "admin", NULL}, err) == SETTINGS_OK);
    CHECK(!strcmp(settings_source(&s, "toolsets"), "environment OPENSIPS_MCP_TOOLSETS"));
    CHECK(!strcmp(settings_source(&s, "role"), "command line"));
    CHECK(!strcmp(settings_source(&s, "audit"), "default"));
    CHECK(!strcmp(settings_source(&s, "no-such-setting"), "default"));
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--toolsets=mi", NULL}, err) == SETTINGS_OK);
    CHECK(!strcmp(settings_source(&s, "toolsets"), "command line"));
    settings_release(&s);
    unsetenv("OPENSIPS_MCP_TOOLSETS");

    /* near misses: a suggestion for typos, none for what is far from every name */
    CHECK(load(&s, (char *[]){"x", "--readonly", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "unknown option '--readonly'; did you mean '--read-only'?");
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--wokrers=3", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "unknown option '--wokrers'; did you mean '--workers'?");
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--qqqqqqqq", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "unknown option '--qqqqqqqq'; see --help");
    settings_release(&s);
    {
        const char *names[] = {"dialog", "dispatcher", "registrations", "mi"};
        CHECK(!strcmp(settings_nearest("dialogs", 7, names, 4), "dialog"));
        CHECK(!strcmp(settings_nearest("registratons", 12, names, 4), "registrations"));
        CHECK(!strcmp(settings_nearest("dialgo", 6, names, 4), "dialog")); /* a swap */
        CHECK(settings_nearest("zzzzzz", 6, names, 4) == NULL);
        CHECK(settings_nearest("dialogs", 7, names, 0) == NULL);
        char longer[200];
        memset(longer, 'd', sizeof(longer));
        CHECK(settings_nearest(longer, sizeof(longer), names, 4) == NULL);
    }

    /* a config file that is not there is told so, not as a JSON error at line -1 */
    CHECK(load(&s, (char *[]){"x", "--config", "/nonexistent-opensips-mcp.json", NULL}, err) ==
          SETTINGS_ERROR);
    CHECK_CONTAINS(err, "cannot read config file '/nonexistent-opensips-mcp.json': No such file");
    CHECK(!strstr(err, "line -1"));
    settings_release(&s);

    /* the --db-* options are kept, in order, for db/config; the --mi-* ones apart */
    unsetenv("OPENSIPS_MCP_CONFIG");
    CHECK(load(&s, (char *[]){"x", "--db-url", "postgres://u:pw@h/d", "--mi-url", "fifo:/f",
                              "--db-node=a=mysql://h/o", "--db-connect-timeout-ms", "500", NULL},
               err) == SETTINGS_OK);
    CHECK(json_array_size(s.db_flags) == 3 && json_array_size(s.mi_flags) == 1);
    CHECK_STR(json_string_value(json_array_get(json_array_get(s.db_flags, 1), 0)), "--db-node");
    CHECK_STR(json_string_value(json_array_get(json_array_get(s.db_flags, 1), 1)),
              "a=mysql://h/o");
    CHECK_STR(json_string_value(json_array_get(json_array_get(s.db_flags, 2), 1)), "500");
    settings_release(&s);
    CHECK(load(&s, (char *[]){"x", "--db-url", NULL}, err) == SETTINGS_ERROR);
    CHECK_CONTAINS(err, "option '--db-url' needs a value");
    settings_release(&s);
    /* the config file's "db" object is a section for db/config, not an unknown setting */
    char dbcfg[] = "/tmp/opensips-mcp-test-db-XXXXXX";
    fd = mkstemp(dbcfg);
    CHECK(fd >= 0 && write(fd, "{\"db\": {\"url\": \"postgres://h/d\"}}", 33) == 33);
    close(fd);
    CHECK(load(&s, (char *[]){"x", "--config", dbcfg, NULL}, err) == SETTINGS_OK);
    CHECK(json_is_object(json_object_get(s.config_doc, "db")));
    settings_release(&s);
    unlink(dbcfg);
    /* the database options are in --help and the man page, with their variables and keys */
    struct settings_option o;
    bool seen_url = false, seen_ms = false;
    for (size_t i = 0; settings_option(i, &o); i++) {
        if (!strcmp(o.name, "db-url"))
            seen_url = check_str(o.env, "OPENSIPS_MCP_DB_URL") && check_str(o.key, "db.url");
        if (!strcmp(o.name, "db-statement-timeout-ms"))
            seen_ms = check_str(o.def, "10000") && check_str(o.key, "db.statement_timeout_ms");
    }
    CHECK(seen_url && seen_ms);

    return check_done("settings");
}
