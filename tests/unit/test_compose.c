/* Unit tests for docker/compose: the services scan over the forms compose files are written in
 * and the ones it refuses, service names, the compose command's words, and reading the file
 * (missing, relative, a directory, a FIFO never waited on, too large). */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "docker/compose.h"

static char why[600];

/* Scan text; the names joined with ',' in out (or "" on failure); returns the scan's code. */
static int scan(const char *text, char *out, size_t n)
{
    struct compose_services s;
    size_t used = 0;
    why[0] = out[0] = '\0';
    int rc = compose_services_scan(text, strlen(text), &s, why, sizeof(why));
    for (size_t i = 0; rc == COMPOSE_OK && i < s.n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "", s.names[i]);
    compose_services_release(&s);
    return rc;
}

static void test_scan_forms(void)
{
    char got[1024];

    CHECK(scan("services:\n  opensips:\n    image: opensips/opensips\n  rtpengine:\n"
               "    image: x\n", got, sizeof(got)) == COMPOSE_OK);
    CHECK_STR(got, "opensips,rtpengine");
    /* comments, blank lines, CRLF, a byte order mark, ---, quoted keys, anchors, other keys */
    CHECK(scan("\xef\xbb\xbf---\r\n# services:\r\nname: proj\r\nx-common: &c\r\n"
               "  restart: always\r\nservices:   # the services\r\n\r\n    # a comment\r\n"
               "    \"db\":\r\n"
               "      <<: *c\r\n    'web.1': &w\r\n      image: y\r\n    api-2 :\r\n"
               "      command: |\r\n        services:\r\n          not: this\r\n"
               "volumes:\r\n  data:\r\n", got, sizeof(got)) == COMPOSE_OK);
    CHECK_STR(got, "db,web.1,api-2");
    /* services ends at the next top-level key; a nested services key is not the top-level one */
    CHECK(scan("x-tmpl:\n  services:\n    fake:\nservices:\n  a:\nnetworks:\n  b:\n", got,
               sizeof(got)) == COMPOSE_OK);
    CHECK_STR(got, "a");
    /* an anchor on services itself, an empty flow mapping, and includes noted */
    CHECK(scan("services: &s\n  one: {image: x}\n  two: {}\n", got, sizeof(got)) == COMPOSE_OK);
    CHECK_STR(got, "one,two");
    struct compose_services s;
    const char *inc = "include:\n  - other.yaml\nservices: {}\n";
    CHECK(compose_services_scan(inc, strlen(inc), &s, why, sizeof(why)) == COMPOSE_OK);
    CHECK(s.n == 0 && s.includes);
    compose_services_release(&s);
    /* a second document is not read; neither is what follows "..." */
    CHECK(scan("services:\n  a:\n---\nservices:\n  b:\n", got, sizeof(got)) == COMPOSE_OK);
    CHECK_STR(got, "a");
    CHECK(scan("services:\n  a:\n...\n  b:\n", got, sizeof(got)) == COMPOSE_OK);
    CHECK_STR(got, "a");
    /* a value on the service's line, a plain key with an inner colon value */
    CHECK(scan("services:\n  web: {image: \"nginx:1\"}\n  db:\n", got, sizeof(got)) == COMPOSE_OK);
    CHECK_STR(got, "web,db");
    /* no newline at the end */
    CHECK(scan("services:\n  last:", got, sizeof(got)) == COMPOSE_OK);
    CHECK_STR(got, "last");
}

static void test_scan_refusals(void)
{
    char got[64];

    CHECK(scan("version: '3'\nnetworks:\n  a:\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "no top-level services key");
    CHECK(scan("", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK(scan("services: {a: {image: x}}\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "line 1: services is not a block mapping");
    CHECK(scan("services: *other\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK(scan("services:\n\ta:\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "line 2: a tab in the indentation");
    CHECK(scan("services:\n  - a\n  - b\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "services is a list");
    CHECK(scan("services:\n  <<: *base\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "merge key");
    CHECK(scan("services:\n  \"x; rm -rf /\":\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "'x; rm -rf /' is not a service name");
    CHECK(scan("services:\n  a:\n  a:\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "line 3: service 'a' is defined twice");
    CHECK(scan("services:\n  a:\nservices:\n  b:\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "a second top-level services key");
    CHECK(scan("services:\n    a:\n  b:\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, "line 3: indented less");
    CHECK(scan("services:\n  just a scalar\n", got, sizeof(got)) == COMPOSE_ERR_SYNTAX);
    const char nul[] = "services:\n  a\0b:\n";
    struct compose_services s;
    CHECK(compose_services_scan(nul, sizeof(nul) - 1, &s, why, sizeof(why)) == COMPOSE_ERR_SYNTAX);
    compose_services_release(&s);

    /* more services than the limit */
    size_t cap = (COMPOSE_SERVICES_MAX + 2) * 16, used;
    char *big = malloc(cap);
    used = (size_t)snprintf(big, cap, "services:\n");
    for (int i = 0; i <= COMPOSE_SERVICES_MAX; i++)
        used += (size_t)snprintf(big + used, cap - used, "  s%d:\n", i);
    CHECK(compose_services_scan(big, used, &s, why, sizeof(why)) == COMPOSE_ERR_TOO_LARGE);
    compose_services_release(&s);
    free(big);
}

static void test_names(void)
{
    CHECK(compose_name_ok("opensips"));
    CHECK(compose_name_ok("Web_1.x-y"));
    CHECK(!compose_name_ok(""));
    CHECK(!compose_name_ok(NULL));
    CHECK(!compose_name_ok("-f"));
    CHECK(!compose_name_ok("--help"));
    CHECK(!compose_name_ok("x; rm -rf /"));
    CHECK(!compose_name_ok("a b"));
    CHECK(!compose_name_ok("a/b"));
    CHECK(!compose_name_ok("$(id)"));
    CHECK(!compose_name_ok("caf\xc3\xa9"));
    char longname[COMPOSE_NAME_MAX + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[COMPOSE_NAME_MAX + 1] = '\0';
    CHECK(!compose_name_ok(longname));
    longname[COMPOSE_NAME_MAX] = '\0';
    CHECK(compose_name_ok(longname));
}

static void test_command(void)
{
    struct compose_command c;
    static const char *const good[][3] = {
        {"docker compose", "docker", "compose"},
        {"  docker \t compose  ", "docker", "compose"},
        {"docker-compose", "docker-compose", NULL},
        {"podman compose", "podman", "compose"},
        {"podman-compose", "podman-compose", NULL},
        {"/usr/local/bin/docker compose", "/usr/local/bin/docker", "compose"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CHECK(compose_command_parse(good[i][0], &c, why, sizeof(why)) == 0);
        CHECK_STR(c.argv[0], good[i][1]);
        CHECK(good[i][2] ? c.argc == 2 && check_str(c.argv[1], good[i][2]) : c.argc == 1);
        CHECK(c.argv[c.argc] == NULL);
        compose_command_release(&c);
    }
    static const char *const bad[] = {
        "", "   ", "docker", "docker ps", "docker compose restart", "sh -c", "bash",
        "./docker compose", "bin/docker compose", "docker-compose compose", "podman",
        "docker;rm compose", "docker\ncompose", "/usr/bin/sh", "docker-composer",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = '\0';
        CHECK(compose_command_parse(bad[i], &c, why, sizeof(why)) < 0);
        CHECK_CONTAINS(why, "docker compose, docker-compose, podman compose or podman-compose");
        CHECK(c.argc == 0 && c.argv[0] == NULL);
        compose_command_release(&c);
    }
    CHECK(compose_command_parse(NULL, &c, why, sizeof(why)) < 0);
}

static void test_read(void)
{
    char dir[] = "/tmp/test-compose-XXXXXX", path[256];
    struct compose_services s;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/compose.yaml", dir);
    CHECK(compose_services_read(path, &s, why, sizeof(why)) == COMPOSE_ERR_NOT_FOUND);
    CHECK_CONTAINS(why, "No such file");
    CHECK(compose_services_read("compose.yaml", &s, why, sizeof(why)) == COMPOSE_ERR_PATH);
    CHECK_CONTAINS(why, "not an absolute path");
    CHECK(compose_services_read(dir, &s, why, sizeof(why)) == COMPOSE_ERR_NOT_FILE);
    FILE *f = fopen(path, "w");
    fputs("services:\n  opensips:\n", f);
    fclose(f);
    CHECK(compose_services_read(path, &s, why, sizeof(why)) == COMPOSE_OK);
    CHECK(s.n == 1 && compose_services_has(&s, "opensips") && !compose_services_has(&s, "x"));
    compose_services_release(&s);
    /* a file the scan refuses names the file */
    f = fopen(path, "w");
    fputs("networks: {}\n", f);
    fclose(f);
    CHECK(compose_services_read(path, &s, why, sizeof(why)) == COMPOSE_ERR_SYNTAX);
    CHECK_CONTAINS(why, path);
    /* too large: one byte over */
    f = fopen(path, "w");
    fputs("services:\n  a:\n", f);
    for (size_t i = 15; i <= COMPOSE_FILE_MAX; i++) /* 15: the two lines above */
        fputc('#', f);
    fclose(f);
    CHECK(compose_services_read(path, &s, why, sizeof(why)) == COMPOSE_ERR_TOO_LARGE);
    CHECK_CONTAINS(why, "larger than");
    /* a FIFO is refused at once, never waited on */
    char fifo[256];
    snprintf(fifo, sizeof(fifo), "%s/fifo.yaml", dir);
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(compose_services_read(fifo, &s, why, sizeof(why)) == COMPOSE_ERR_NOT_FILE);
    unlink(fifo);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    test_scan_forms();
    test_scan_refusals();
    test_names();
    test_command();
    test_read();
    return check_done("compose");
}
