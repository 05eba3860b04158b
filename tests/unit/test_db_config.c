/* test_db_config: each node's provisioning database from opensips-cli's INI file, the JSON config
 * file, the environment and the command line (db/config_load.c): every source, their precedence,
 * duplicates, limits, time-out ranges, the default node, and refusals that name their source and
 * never show a password. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "db/config.h"

#define PW "s3cret" /* every password below: no message may hold it */

static char err[1024];
static char dir[] = "/tmp/db-config-test-XXXXXX";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static const struct db_node_cfg *node(const struct db_config *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->nodes[i].name, name))
            return &c->nodes[i];
    return NULL;
}

static const char *url_of(const struct db_config *c, const char *name)
{
    const struct db_node_cfg *n = node(c, name);
    return n ? n->url : NULL;
}

static const char *source_of(const struct db_config *c, const char *name)
{
    const struct db_node_cfg *n = node(c, name);
    return n ? n->source : NULL;
}

/* A refusal: rc -1, err holds every one of `says` (NULL-terminated), never the password. */
#define REFUSED(call, ...)                                                                   \
    do {                                                                                     \
        err[0] = '\0';                                                                       \
        int rc_ = (call);                                                                    \
        CHECK(rc_ == -1);                                                                    \
        const char *says_[] = {__VA_ARGS__, NULL};                                           \
        for (int i_ = 0; says_[i_]; i_++) {                                                  \
            CHECK_CONTAINS(err, says_[i_]);                                                  \
            if (!check_contains(err, says_[i_]))                                             \
                fprintf(stderr, "  line %d: '%s' not in: %s\n", __LINE__, says_[i_], err);   \
        }                                                                                    \
        CHECK(!strstr(err, PW));                                                             \
        if (strstr(err, PW))                                                                 \
            fprintf(stderr, "  line %d: password in: %s\n", __LINE__, err);                  \
    } while (0)

static json_t *flags(const char *const *pairs)
{
    json_t *a = json_array();
    for (size_t i = 0; pairs[i]; i += 2)
        json_array_append_new(a, json_pack("[s, s]", pairs[i], pairs[i + 1]));
    return a;
}

static int load_flags(struct db_config *c, const char *const *pairs)
{
    json_t *a = flags(pairs);
    int rc = db_config_load_flags(c, a, err, sizeof(err));
    json_decref(a);
    return rc;
}

static int load_json(struct db_config *c, const char *text)
{
    json_error_t je;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        fprintf(stderr, "  bad test JSON: %s\n", je.text);
        return -2;
    }
    int rc = db_config_load_json(c, json_object_get(doc, "db"), json_object_get(doc, "mi"),
                                 "/etc/x.json", err, sizeof(err));
    json_decref(doc);
    return rc;
}

static void unset_env(void)
{
    unsetenv("OPENSIPS_MCP_DB_URL");
    unsetenv("OPENSIPS_MCP_DB_NODES");
    unsetenv("OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS");
    unsetenv("OPENSIPS_MCP_DB_STATEMENT_TIMEOUT_MS");
}

static void test_set_node(void)
{
    struct db_config c;

    db_config_init(&c);
    CHECK(c.n == 0 && c.open.connect_timeout_ms == 3000 && c.open.statement_timeout_ms == 10000);
    CHECK(c.default_node[0] == '\0');
    CHECK(db_config_set_node(&c, "pbx1", "postgres://u:" PW "@db1/opensips", "test", err,
                             sizeof(err)) == 0);
    CHECK(c.n == 1 && check_str(url_of(&c, "pbx1"), "postgres://u:" PW "@db1/opensips"));
    CHECK_STR(source_of(&c, "pbx1"), "test");
    /* the same name again replaces */
    CHECK(db_config_set_node(&c, "pbx1", "mysql://u@db2/opensips", "later", err, sizeof(err)) ==
          0);
    CHECK(c.n == 1 && check_str(url_of(&c, "pbx1"), "mysql://u@db2/opensips"));
    CHECK_STR(source_of(&c, "pbx1"), "later");

    REFUSED(db_config_set_node(&c, "bad name", "postgres://h/d", "src", err, sizeof(err)),
            "src: bad node name 'bad name'");
    REFUSED(db_config_set_node(&c, "", "postgres://h/d", "src", err, sizeof(err)),
            "bad node name");
    /* a name that is a URL (NAME= forgotten) is quoted redacted */
    REFUSED(db_config_set_node(&c, "postgres://u:" PW "@h/d", "postgres://h/d", "src", err,
                               sizeof(err)),
            "bad node name 'postgres://***@h/d'");
    char longname[80];
    memset(longname, 'n', 70);
    longname[70] = '\0';
    REFUSED(db_config_set_node(&c, longname, "postgres://h/d", "src", err, sizeof(err)),
            "at most 63");
    REFUSED(db_config_set_node(&c, "x", "", "src", err, sizeof(err)), "src: node 'x' has no "
            "database URL");
    REFUSED(db_config_set_node(&c, "x", NULL, "src", err, sizeof(err)), "has no database URL");
    /* every kind of bad URL: the source, the node, db_url_parse's reason, no password */
    REFUSED(db_config_set_node(&c, "x", "postgres://u:" PW "@h:99999/d", "--db-node", err,
                               sizeof(err)),
            "--db-node: node 'x': database URL postgres://u:***@h:99999/d", "port");
    REFUSED(db_config_set_node(&c, "x", "oracle://u:" PW "@h/d", "OPENSIPS_MCP_DB_URL", err,
                               sizeof(err)),
            "OPENSIPS_MCP_DB_URL: node 'x'", "unknown scheme");
    REFUSED(db_config_set_node(&c, "x", "u:" PW "@h/d", "src", err, sizeof(err)), "no scheme");
    REFUSED(db_config_set_node(&c, "x", "mysql://u:" PW "@/d", "src", err, sizeof(err)),
            "no host");
    REFUSED(db_config_set_node(&c, "x", "mysql://u:" PW "%zz@h/d", "src", err, sizeof(err)),
            "percent");
    REFUSED(db_config_set_node(&c, "x", "mysql://u:" PW "@h/d?sslmode=require", "src", err,
                               sizeof(err)),
            "options after the database name");
    /* a list pasted where one URL goes */
    REFUSED(db_config_set_node(&c, "x", "postgres://u:" PW "@a/d,pbx2=mysql://u:" PW "@b/d",
                               "src", err, sizeof(err)),
            "holds more than one", "NAME=URL;NAME=URL");
    /* too long for the table */
    char big[DB_URL_MAX + 16];
    snprintf(big, sizeof(big), "postgres://u:" PW "@h/");
    size_t blen = strlen(big);
    memset(big + blen, 'd', DB_URL_MAX + 4 - blen);
    big[DB_URL_MAX + 4] = '\0';
    REFUSED(db_config_set_node(&c, "x", big, "src", err, sizeof(err)), "longer than 1023 bytes");
    CHECK(c.n == 1); /* nothing refused was added */

    /* at most DB_NODES_MAX nodes; replacing one at the limit still works */
    db_config_init(&c);
    for (int i = 0; i < DB_NODES_MAX; i++) {
        char name[16];
        snprintf(name, sizeof(name), "n%d", i);
        CHECK(db_config_set_node(&c, name, "postgres://h/d", "src", err, sizeof(err)) == 0);
    }
    CHECK(c.n == DB_NODES_MAX);
    REFUSED(db_config_set_node(&c, "one-more", "postgres://h/d", "src", err, sizeof(err)),
            "src: more than 64 node databases");
    CHECK(db_config_set_node(&c, "n7", "mysql://h/d", "src", err, sizeof(err)) == 0);
    CHECK(c.n == DB_NODES_MAX && check_str(url_of(&c, "n7"), "mysql://h/d"));
}

static void test_flags(void)
{
    struct db_config c;

    db_config_init(&c);
    CHECK(load_flags(&c, (const char *[]){"--db-url", "postgres://u:" PW "@db/opensips",
                                          "--db-node", "pbx1=mysql://a@h1/o;pbx2=mysql://b@h2/o",
                                          "--db-node", " pbx3 = postgres://h3/o ;",
                                          "--db-connect-timeout-ms", "250",
                                          "--db-statement-timeout-ms", "60000", NULL}) == 0);
    CHECK(c.n == 4);
    CHECK_STR(url_of(&c, "default"), "postgres://u:" PW "@db/opensips");
    CHECK_STR(source_of(&c, "default"), "--db-url");
    CHECK_STR(url_of(&c, "pbx2"), "mysql://b@h2/o");
    CHECK_STR(source_of(&c, "pbx2"), "--db-node");
    CHECK_STR(url_of(&c, "pbx3"), "postgres://h3/o"); /* spaces around entries are trimmed */
    CHECK(c.open.connect_timeout_ms == 250 && c.open.statement_timeout_ms == 60000);

    /* duplicates within the command line */
    db_config_init(&c);
    REFUSED(load_flags(&c, (const char *[]){"--db-node", "a=postgres://h/d;a=mysql://h/d", NULL}),
            "--db-node: node 'a' is given a database twice");
    db_config_init(&c);
    REFUSED(load_flags(&c, (const char *[]){"--db-node", "a=postgres://h/d", "--db-node",
                                            "a=mysql://h/d", NULL}),
            "node 'a' is given a database twice");
    db_config_init(&c);
    REFUSED(load_flags(&c, (const char *[]){"--db-url", "postgres://u:" PW "@h/d", "--db-node",
                                            "default=mysql://u:" PW "@h/d", NULL}),
            "node 'default' is given a database twice", "before by --db-url");
    db_config_init(&c);
    REFUSED(load_flags(&c, (const char *[]){"--db-url", "postgres://h/d", "--db-url",
                                            "postgres://h/e", NULL}),
            "given a database twice");

    /* malformed entries */
    db_config_init(&c);
    REFUSED(load_flags(&c, (const char *[]){"--db-node", "postgres://u:" PW "@h/d", NULL}),
            "--db-node: 'postgres://***@h/d' is not NAME=URL");
    /* a password holding ',' or ';' unencoded is still hidden, whatever the parse makes of it */
    REFUSED(load_flags(&c, (const char *[]){"--db-node", "postgres://u:pa," PW "@h/d", NULL}),
            "'postgres://***@h/d' is not NAME=URL");
    REFUSED(load_flags(&c, (const char *[]){"--db-node", "u:" PW "@h", NULL}), "'***' is not");
    /* a ';' that does not start an entry (NAME=) belongs to the URL: an unencoded password */
    db_config_init(&c);
    CHECK(load_flags(&c, (const char *[]){"--db-node", "a=postgres://u:pa;" PW "@h/d; b=mysql://h/e",
                                          NULL}) == 0);
    CHECK(c.n == 2 && check_str(url_of(&c, "a"), "postgres://u:pa;" PW "@h/d") &&
          check_str(url_of(&c, "b"), "mysql://h/e"));
    REFUSED(load_flags(&c, (const char *[]){"--db-node", "pbx1", NULL}), "'pbx1' is not NAME=URL");
    REFUSED(load_flags(&c, (const char *[]){"--db-node", ";;", NULL}), "names no node");
    REFUSED(load_flags(&c, (const char *[]){"--db-node", "pbx1=", NULL}),
            "node 'pbx1' has no database URL");
    REFUSED(load_flags(&c, (const char *[]){"--db-node", "pbx1=postgres://u:" PW "@h:0/d", NULL}),
            "--db-node: node 'pbx1': database URL postgres://u:***@h:0/d");
    /* ',' does not separate (passwords hold it): a ',' list is caught and explained */
    REFUSED(load_flags(&c, (const char *[]){"--db-node",
                                            "a=postgres://u:" PW "@h/d,b=mysql://u:" PW "@h/d",
                                            NULL}),
            "holds more than one");
    REFUSED(load_flags(&c, (const char *[]){"--db-user", "x", NULL}),
            "unknown option '--db-user'");
    REFUSED(load_flags(&c, (const char *[]){"--db-mysql://u:" PW "@h", "x", NULL}),
            "unknown option '--db-mysql://***@h'");
    REFUSED(load_flags(&c, (const char *[]){"--db-connect-timeout-ms", "mysql://u:" PW "@h", NULL}),
            "'mysql://***@h' is not a number of milliseconds");

    /* time-outs: whole milliseconds in range */
    const char *bad_ms[] = {"0", "99", "600001", "-5", "1e3", "soon", "", "3000ms", NULL};
    for (int i = 0; bad_ms[i]; i++) {
        db_config_init(&c);
        REFUSED(load_flags(&c, (const char *[]){"--db-connect-timeout-ms", bad_ms[i], NULL}),
                "--db-connect-timeout-ms:", "from 100 to 600000");
        CHECK(c.open.connect_timeout_ms == 3000);
    }
    db_config_init(&c);
    REFUSED(load_flags(&c, (const char *[]){"--db-statement-timeout-ms", "3600001", NULL}),
            "--db-statement-timeout-ms: '3600001' is not a number of milliseconds from 100 to "
            "3600000");
    CHECK(load_flags(&c, (const char *[]){"--db-statement-timeout-ms", "3600000",
                                          "--db-connect-timeout-ms", "100", NULL}) == 0);
    CHECK(c.open.statement_timeout_ms == 3600000 && c.open.connect_timeout_ms == 100);
}

static void test_env(void)
{
    struct db_config c;

    unset_env();
    db_config_init(&c);
    CHECK(db_config_load_env(&c, err, sizeof(err)) == 0 && c.n == 0);
    setenv("OPENSIPS_MCP_DB_URL", "postgres://u:" PW "@db/opensips", 1);
    setenv("OPENSIPS_MCP_DB_NODES", "pbx1=mysql://h1/o; pbx2=mysql://h2/o;", 1);
    setenv("OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS", "1500", 1);
    setenv("OPENSIPS_MCP_DB_STATEMENT_TIMEOUT_MS", "2500", 1);
    CHECK(db_config_load_env(&c, err, sizeof(err)) == 0);
    CHECK(c.n == 3 && check_str(url_of(&c, "pbx2"), "mysql://h2/o"));
    CHECK_STR(source_of(&c, "default"), "OPENSIPS_MCP_DB_URL");
    CHECK_STR(source_of(&c, "pbx1"), "OPENSIPS_MCP_DB_NODES");
    CHECK(c.open.connect_timeout_ms == 1500 && c.open.statement_timeout_ms == 2500);

    /* empty values are ignored */
    unset_env();
    setenv("OPENSIPS_MCP_DB_URL", "", 1);
    setenv("OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS", "", 1);
    db_config_init(&c);
    CHECK(db_config_load_env(&c, err, sizeof(err)) == 0 && c.n == 0 &&
          c.open.connect_timeout_ms == 3000);

    unset_env();
    setenv("OPENSIPS_MCP_DB_URL", "postgres://u:" PW "@h:port/d", 1);
    db_config_init(&c);
    REFUSED(db_config_load_env(&c, err, sizeof(err)),
            "OPENSIPS_MCP_DB_URL: node 'default': database URL postgres://u:***@h:port/d");
    unset_env();
    setenv("OPENSIPS_MCP_DB_NODES", "pbx1=postgres://u:" PW "@h/d;pbx1=postgres://h/e", 1);
    db_config_init(&c);
    REFUSED(db_config_load_env(&c, err, sizeof(err)),
            "OPENSIPS_MCP_DB_NODES: node 'pbx1' is given a database twice");
    /* OPENSIPS_MCP_DB_URL and a "default" entry of OPENSIPS_MCP_DB_NODES: one source, twice */
    setenv("OPENSIPS_MCP_DB_URL", "postgres://h/d", 1);
    setenv("OPENSIPS_MCP_DB_NODES", "default=postgres://u:" PW "@h/e", 1);
    db_config_init(&c);
    REFUSED(db_config_load_env(&c, err, sizeof(err)), "node 'default' is given a database twice",
            "before by OPENSIPS_MCP_DB_URL");
    unset_env();
    setenv("OPENSIPS_MCP_DB_NODES", "pbx1=mysql://u:" PW "@h/d,pbx2=mysql://u:" PW "@h/e", 1);
    db_config_init(&c);
    REFUSED(db_config_load_env(&c, err, sizeof(err)), "OPENSIPS_MCP_DB_NODES:",
            "holds more than one", "%2C");
    unset_env();
    setenv("OPENSIPS_MCP_DB_STATEMENT_TIMEOUT_MS", "50", 1);
    db_config_init(&c);
    REFUSED(db_config_load_env(&c, err, sizeof(err)),
            "OPENSIPS_MCP_DB_STATEMENT_TIMEOUT_MS: '50' is not a number of milliseconds from 100");
    unset_env();
    setenv("OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS", "700000", 1);
    db_config_init(&c);
    REFUSED(db_config_load_env(&c, err, sizeof(err)), "OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS:");
    unset_env();
    /* a list over its bound */
    char *huge = malloc(20000);
    memset(huge, 'a', 19999);
    huge[19999] = '\0';
    setenv("OPENSIPS_MCP_DB_NODES", huge, 1);
    db_config_init(&c);
    REFUSED(db_config_load_env(&c, err, sizeof(err)), "OPENSIPS_MCP_DB_NODES: longer than");
    free(huge);
    unset_env();
}

static void test_json(void)
{
    struct db_config c;
    char path[300], json[700];

    db_config_init(&c);
    CHECK(load_json(&c, "{}") == 0 && c.n == 0);
    CHECK(load_json(&c, "{\"db\": {\"url\": \"postgres://u:" PW "@db/opensips\", \"nodes\": "
                        "{\"pbx1\": \"mysql://h1/o\", \"pbx2\": \"mysql://h2/o\"}, \"default\": "
                        "\"pbx2\", \"connect_timeout_ms\": 800, \"statement_timeout_ms\": 20000}}") ==
          0);
    CHECK(c.n == 3 && check_str(url_of(&c, "pbx1"), "mysql://h1/o"));
    CHECK_STR(source_of(&c, "default"), "config file db.url");
    CHECK_STR(source_of(&c, "pbx1"), "config file db.nodes.pbx1");
    CHECK_STR(c.default_node, "pbx2");
    CHECK(c.open.connect_timeout_ms == 800 && c.open.statement_timeout_ms == 20000);

    /* db_url inside an MI node object: the box's MI address and its database together */
    db_config_init(&c);
    CHECK(load_json(&c, "{\"mi\": {\"nodes\": {\"pbx1\": {\"address\": \"http://h:8888/mi\", "
                        "\"db_url\": \"postgres://h/o\"}, \"pbx2\": \"http://h2:8888/mi\"}}}") == 0);
    CHECK(c.n == 1 && check_str(url_of(&c, "pbx1"), "postgres://h/o"));
    CHECK_STR(source_of(&c, "pbx1"), "config file mi.nodes.pbx1.db_url");
    db_config_init(&c);
    REFUSED(load_json(&c, "{\"mi\": {\"nodes\": {\"pbx1\": {\"address\": \"http://h/mi\", "
                          "\"db_url\": \"postgres://u:" PW "@h/o\"}}}, \"db\": {\"nodes\": "
                          "{\"pbx1\": \"mysql://h/o\"}}}"),
            "config file db.nodes.pbx1: node 'pbx1' is given a database twice",
            "before by config file mi.nodes.pbx1.db_url");
    db_config_init(&c);
    REFUSED(load_json(&c, "{\"mi\": {\"nodes\": {\"pbx1\": {\"db_url\": 5}}}}"),
            "config file '/etc/x.json': mi.nodes.pbx1.db_url must be a database URL string");
    db_config_init(&c);
    REFUSED(load_json(&c, "{\"db\": {\"url\": \"postgres://h/d\", \"nodes\": {\"default\": "
                          "\"postgres://u:" PW "@h/d\"}}}"),
            "node 'default' is given a database twice");

    /* refusals name the file and the key */
    const struct {
        const char *json, *says;
    } bad[] = {
        {"{\"db\": []}", "config file '/etc/x.json': 'db' must be an object"},
        {"{\"db\": {\"url\": 5}}", "db.url must be a database URL string"},
        {"{\"db\": {\"nodes\": []}}", "db.nodes must be an object"},
        {"{\"db\": {\"nodes\": {\"a\": {\"url\": \"postgres://h/d\"}}}}",
         "db.nodes.a must be a database URL string"},
        {"{\"db\": {\"postgres://u:" PW "@h\": 5}}", "unknown key db.postgres://***@h"},
        {"{\"db\": {\"statment_timeout_ms\": 5}}",
         "unknown key db.statment_timeout_ms; use url, nodes, default"},
        {"{\"db\": {\"connect_timeout_ms\": 0}}",
         "db.connect_timeout_ms must be an integer number of milliseconds from 100 to 600000"},
        {"{\"db\": {\"connect_timeout_ms\": \"3000\"}}", "db.connect_timeout_ms must be"},
        {"{\"db\": {\"statement_timeout_ms\": 3600001}}", "db.statement_timeout_ms must be"},
        {"{\"db\": {\"statement_timeout_ms\": 1.5}}", "db.statement_timeout_ms must be"},
        {"{\"db\": {\"default\": \"a b\"}}", "db.default must be a node name"},
        {"{\"db\": {\"default\": 1}}", "db.default must be a node name"},
        {"{\"db\": {\"nodes\": {\"x y\": \"postgres://h/d\"}}}", "bad node name 'x y'"},
        /* a key that is a URL: quoted redacted, not made a source */
        {"{\"db\": {\"nodes\": {\"postgres://u:" PW "@h/d\": \"postgres://h/d\"}}}",
         "bad node name 'postgres://***@h/d' in db.nodes"},
        {"{\"mi\": {\"nodes\": {\"mysql://u:" PW "@h\": {\"db_url\": \"postgres://h/d\"}}}}",
         "bad node name 'mysql://***@h' in mi.nodes"},
        {"{\"db\": {\"url\": \"postgres://u:" PW "@h/a/b\"}}",
         "config file db.url: node 'default': database URL postgres://u:***@h/a/b"},
        {"{\"mi\": {\"opensips_cli_config\": \"/nonexistent-db-config.cfg\"}}",
         "cannot read opensips-cli config '/nonexistent-db-config.cfg'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        db_config_init(&c);
        REFUSED(load_json(&c, bad[i].json), bad[i].says);
    }

    /* mi.opensips_cli_config is read (as the MI client reads it), before db */
    snprintf(path, sizeof(path), "%s/named.cfg", dir);
    write_file(path, "[pbx1]\ndatabase_url: mysql://u:" PW "@h\n[pbx2]\n"
                     "database_url: mysql://h2/o\n");
    snprintf(json, sizeof(json), "{\"mi\": {\"opensips_cli_config\": \"%s\"}, \"db\": {\"nodes\": "
                                 "{\"pbx2\": \"postgres://h/override\"}}}", path);
    db_config_init(&c);
    CHECK(load_json(&c, json) == 0);
    CHECK_STR(url_of(&c, "pbx1"), "mysql://u:" PW "@h/opensips");
    CHECK_STR(url_of(&c, "pbx2"), "postgres://h/override");
}

static void test_cli(void)
{
    struct db_config c;
    char path[400], home[300];

    snprintf(path, sizeof(path), "%s/opensips-cli.cfg", dir);
    write_file(path,
               "# opensips-cli\n"
               "[DEFAULT]\n"
               "database_name: opensips\n"
               "\n"
               "[default]\n"
               "communication_type: fifo\n"
               "database_url: mysql://opensips:" PW "@localhost\n"
               "\n"
               "; a box whose URL names its database already\n"
               "[pbx2]\n"
               "url = http://10.1.1.1:8888/mi\n"
               "database_url = postgresql://opensips:" PW "@10.1.1.2:5433/prov\n"
               "\n"
               "[pbx3]\n"
               "database_url: postgres://h3/\n"
               "database_name: my db\n"
               "\n"
               "[mionly]\n"
               "communication_type: http\n");
    db_config_init(&c);
    CHECK(db_config_load_cli(&c, path, err, sizeof(err)) == 0);
    if (c.n != 3)
        fprintf(stderr, "  cli: %zu nodes: %s\n", c.n, err);
    CHECK(c.n == 3 && !node(&c, "mionly"));
    /* database_name is joined to a URL without a database, as opensips-cli does */
    CHECK_STR(url_of(&c, "default"), "mysql://opensips:" PW "@localhost/opensips");
    CHECK_STR(url_of(&c, "pbx2"), "postgresql://opensips:" PW "@10.1.1.2:5433/prov");
    CHECK_STR(url_of(&c, "pbx3"), "postgres://h3/my%20db");
    CHECK_PREFIX(source_of(&c, "pbx2"), path);
    CHECK_CONTAINS(source_of(&c, "pbx2"), "[pbx2] database_url");

    /* [DEFAULT]'s database_url applies to every section, wherever [DEFAULT] stands; without
     * database_name the database is "opensips" */
    write_file(path, "[a]\ncommunication_type: fifo\n[b]\ndatabase_url: mysql://b@hb\n"
                     "[DEFAULT]\ndatabase_url: postgres://u:" PW "@all\n");
    db_config_init(&c);
    CHECK(db_config_load_cli(&c, path, err, sizeof(err)) == 0);
    CHECK(c.n == 2);
    CHECK_STR(url_of(&c, "a"), "postgres://u:" PW "@all/opensips");
    CHECK_STR(url_of(&c, "b"), "mysql://b@hb/opensips");
    /* [DEFAULT] alone makes no node, as for the MI reader */
    write_file(path, "[DEFAULT]\ndatabase_url: postgres://all\n");
    db_config_init(&c);
    CHECK(db_config_load_cli(&c, path, err, sizeof(err)) == 0 && c.n == 0);

    /* refusals name the file, the section, the key; never the password */
    write_file(path, "[pbx1]\ndatabase_url: postgres://opensips:" PW "@h:70000\n");
    db_config_init(&c);
    REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), "[pbx1] database_url: node 'pbx1'",
            "postgres://opensips:***@h:70000", "port");
    write_file(path, "[pbx1]\ndatabase_url: mysql://h/a\n[pbx1]\ndatabase_url: mysql://h/b\n");
    db_config_init(&c);
    REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), ":3: a section appears twice (pbx1)");
    write_file(path, "[mysql://u:" PW "@h]\n[mysql://u:" PW "@h]\n");
    REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), ":2: a section appears twice (a name");
    write_file(path, "[pbx1\n");
    REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), ":1: unclosed section header");
    write_file(path, "[pbx1]\njust words\n");
    REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), ":2: expected 'key: value'");
    write_file(path, "[bad name]\ndatabase_url: mysql://u:" PW "@h/a\n");
    REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), "section [bad name] with a "
            "database_url: bad node name");
    write_file(path, "[mysql://u:" PW "@h]\ndatabase_url: mysql://h/a\n");
    REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), "section [mysql://***@h]");
    {
        char *line = malloc(3000);
        snprintf(line, 3000, "[pbx1]\ndatabase_url: mysql://u:" PW "@h/");
        size_t l = strlen(line);
        memset(line + l, 'd', 2500);
        line[l + 2500] = '\0';
        write_file(path, line);
        free(line);
        REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), ":2: line longer than 2048");
    }
    /* a database_name longer than DB_CLI_DATABASE_NAME_MAX - 1 is refused; [DEFAULT]'s long
     * one is not looked at where the section gives its own (it was refused before) */
    {
        char text[600];
        int o = snprintf(text, sizeof(text), "[DEFAULT]\ndatabase_name: ");
        memset(text + o, 'n', 200);
        snprintf(text + o + 200, sizeof(text) - (size_t)o - 200,
                 "\n[pbx1]\ndatabase_url: mysql://h\n");
        write_file(path, text);
        db_config_init(&c);
        REFUSED(db_config_load_cli(&c, path, err, sizeof(err)),
                "[pbx1] database_url: database_url or database_name is too long");
        snprintf(text + o + 200, sizeof(text) - (size_t)o - 200,
                 "\n[pbx1]\ndatabase_url: mysql://h\ndatabase_name: own\n");
        write_file(path, text);
        db_config_init(&c);
        CHECK(db_config_load_cli(&c, path, err, sizeof(err)) == 0);
        CHECK_STR(url_of(&c, "pbx1"), "mysql://h/own");
    }
    /* a database_url given empty in a section is empty, not [DEFAULT]'s */
    write_file(path, "[DEFAULT]\ndatabase_url: mysql://h/d\n[pbx1]\ndatabase_url:\n");
    db_config_init(&c);
    REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), "node 'pbx1' has no database URL");
    /* more sections with a database than the table holds */
    {
        size_t cap = 100 * 64, len = 0;
        char *text = malloc(cap);
        for (int i = 0; i <= DB_NODES_MAX; i++)
            len += (size_t)snprintf(text + len, cap - len, "[n%d]\ndatabase_url: mysql://h/d\n", i);
        write_file(path, text);
        free(text);
        db_config_init(&c);
        REFUSED(db_config_load_cli(&c, path, err, sizeof(err)), "more than 64 node databases");
    }
    REFUSED(db_config_load_cli(&c, "/nonexistent-db-config.cfg", err, sizeof(err)),
            "cannot read opensips-cli config '/nonexistent-db-config.cfg'");

    /* path NULL: ~/.opensips-cli.cfg; a missing default file is no error */
    snprintf(home, sizeof(home), "%s/home", dir);
    mkdir(home, 0700);
    setenv("HOME", home, 1);
    db_config_init(&c);
    CHECK(db_config_load_cli(&c, NULL, err, sizeof(err)) == 0);
    if (access("/etc/opensips-cli.cfg", F_OK) != 0)
        CHECK(c.n == 0);
    snprintf(path, sizeof(path), "%s/.opensips-cli.cfg", home);
    write_file(path, "[default]\ndatabase_url: mysql://u@h\n");
    db_config_init(&c);
    CHECK(db_config_load_cli(&c, NULL, err, sizeof(err)) == 0);
    CHECK_STR(url_of(&c, "default"), "mysql://u@h/opensips");
}

static void test_finish(void)
{
    struct db_config c;

    /* no MI node: the default stays "" ("default", else the first) */
    db_config_init(&c);
    db_config_set_node(&c, "a", "postgres://h/a", "src", err, sizeof(err));
    CHECK(db_config_finish(&c, NULL, false, err, sizeof(err)) == 0);
    CHECK(c.default_node[0] == '\0' && db_config_node(&c, NULL) == node(&c, "a"));

    /* with MI nodes, the MI default is the database's default */
    db_config_init(&c);
    db_config_set_node(&c, "pbx1", "postgres://h/1", "src", err, sizeof(err));
    db_config_set_node(&c, "pbx2", "postgres://h/2", "src", err, sizeof(err));
    CHECK(db_config_finish(&c, "pbx2", false, err, sizeof(err)) == 0);
    CHECK_STR(c.default_node, "pbx2");
    CHECK(db_config_node(&c, NULL) == node(&c, "pbx2"));
    CHECK(db_config_node(&c, "pbx1") == node(&c, "pbx1"));
    CHECK(db_config_node(&c, "pbx9") == NULL);

    /* --db-url ("default") with --mi-node pbx1=...: the database of the default MI node */
    db_config_init(&c);
    db_config_set_node(&c, "default", "postgres://h/d", "--db-url", err, sizeof(err));
    CHECK(db_config_finish(&c, "pbx1", false, err, sizeof(err)) == 0);
    CHECK(c.n == 1 && node(&c, "pbx1") && !node(&c, "default"));
    CHECK_STR(source_of(&c, "pbx1"), "--db-url, for the default MI node");
    CHECK(db_config_node(&c, NULL) == node(&c, "pbx1"));
    /* ... but not when an MI node is named "default" (it is that node's database) */
    db_config_init(&c);
    db_config_set_node(&c, "default", "postgres://h/d", "--db-url", err, sizeof(err));
    CHECK(db_config_finish(&c, "pbx1", true, err, sizeof(err)) == 0);
    CHECK(node(&c, "default") && !node(&c, "pbx1") && db_config_node(&c, NULL) == NULL);
    /* ... nor when the default MI node has a database of its own */
    db_config_init(&c);
    db_config_set_node(&c, "default", "postgres://h/d", "--db-url", err, sizeof(err));
    db_config_set_node(&c, "pbx1", "postgres://h/1", "--db-node", err, sizeof(err));
    CHECK(db_config_finish(&c, "pbx1", false, err, sizeof(err)) == 0);
    CHECK(node(&c, "default") && db_config_node(&c, NULL) == node(&c, "pbx1"));

    /* an explicit db.default wins, and must name a database */
    db_config_init(&c);
    db_config_set_node(&c, "a", "postgres://h/a", "src", err, sizeof(err));
    db_config_set_node(&c, "b", "postgres://h/b", "src", err, sizeof(err));
    snprintf(c.default_node, sizeof(c.default_node), "b");
    CHECK(db_config_finish(&c, "a", false, err, sizeof(err)) == 0);
    CHECK(db_config_node(&c, NULL) == node(&c, "b"));
    snprintf(c.default_node, sizeof(c.default_node), "zzz");
    REFUSED(db_config_finish(&c, "a", false, err, sizeof(err)),
            "db.default names node 'zzz', which has no database configured");
}

/* Every source at once, each one overriding the one below it for the same node. */
static void test_build(void)
{
    struct db_config c;
    char home[300], path[400], cli2[300];
    json_t *doc, *mi_flags, *db_flags;

    unset_env();
    snprintf(home, sizeof(home), "%s/home2", dir);
    mkdir(home, 0700);
    setenv("HOME", home, 1);
    snprintf(path, sizeof(path), "%s/.opensips-cli.cfg", home);
    write_file(path, "[a]\ndatabase_url: mysql://cli@h\n[b]\ndatabase_url: mysql://cli@h\n"
                     "[c]\ndatabase_url: mysql://cli@h\n[d]\ndatabase_url: mysql://cli@h\n");
    snprintf(cli2, sizeof(cli2), "%s/flag.cfg", dir);
    write_file(cli2, "[e]\ndatabase_url: mysql://cliflag@h\n[d]\ndatabase_url: mysql://cliflag@h\n");
    doc = json_pack("{s:{s:{s:s, s:s}, s:i}}", "db", "nodes", "b", "postgres://json@h/o", "c",
                    "postgres://json@h/o", "connect_timeout_ms", 700);
    setenv("OPENSIPS_MCP_DB_NODES", "c=postgres://env@h/o", 1);
    setenv("OPENSIPS_MCP_DB_CONNECT_TIMEOUT_MS", "900", 1);
    mi_flags = json_pack("[[s, s]]", "--mi-cli-config", cli2);
    db_flags = flags((const char *[]){"--db-node", "d=postgres://flag@h/o",
                                      "--db-connect-timeout-ms", "1100", NULL});

    CHECK(db_config_build(&c, doc, "/etc/x.json", mi_flags, db_flags, NULL, false, err,
                          sizeof(err)) == 0);
    CHECK(c.n == 5);
    CHECK_STR(url_of(&c, "a"), "mysql://cli@h/opensips");   /* opensips-cli's file */
    CHECK_STR(url_of(&c, "b"), "postgres://json@h/o");      /* the config file over it */
    CHECK_STR(url_of(&c, "c"), "postgres://env@h/o");       /* the environment over that */
    CHECK_STR(url_of(&c, "d"), "postgres://flag@h/o");      /* a flag over everything */
    CHECK_STR(url_of(&c, "e"), "mysql://cliflag@h/opensips"); /* --mi-cli-config's file */
    CHECK_STR(source_of(&c, "c"), "OPENSIPS_MCP_DB_NODES");
    CHECK(c.open.connect_timeout_ms == 1100 && c.open.statement_timeout_ms == 10000);

    /* a bad URL anywhere fails the whole build, naming its source */
    json_decref(db_flags);
    db_flags = flags((const char *[]){"--db-url", "mysql://u:" PW "@h:x/d", NULL});
    REFUSED(db_config_build(&c, doc, "/etc/x.json", mi_flags, db_flags, NULL, false, err,
                            sizeof(err)),
            "--db-url: node 'default': database URL mysql://u:***@h:x/d");
    /* the MI default settles the database default */
    json_decref(db_flags);
    db_flags = flags((const char *[]){"--db-url", "mysql://u:" PW "@h/d", NULL});
    CHECK(db_config_build(&c, NULL, NULL, NULL, db_flags, "pbx1", false, err, sizeof(err)) == 0);
    CHECK_STR(c.default_node, "pbx1");
    CHECK(db_config_node(&c, NULL) && check_str(db_config_node(&c, "pbx1")->url,
                                                "mysql://u:" PW "@h/d"));
    json_decref(doc);
    json_decref(mi_flags);
    json_decref(db_flags);
    unset_env();
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    test_set_node();
    test_flags();
    test_env();
    test_json();
    test_cli();
    test_finish();
    test_build();
    char cmd[100];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return check_done("db_config");
}
