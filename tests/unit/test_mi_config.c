/* Unit tests for mi/addr and mi/config: every address form, clear refusals, and nodes from
 * flags, environment, the JSON config and opensips-cli's INI file. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "mi/client.h"
#include "mi/config.h"
#include "mi/transport.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static const struct mi_node_cfg *node(const struct mi_config *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->nodes[i].name, name))
            return &c->nodes[i];
    return NULL;
}

int main(void)
{
    struct mi_addr a;
    struct mi_error e;

    /* addresses */
    CHECK(mi_addr_parse("http://127.0.0.1:8888/mi", NULL, &a, &e) == MI_OK);
    CHECK(a.kind == MI_ADDR_HTTP && check_str(a.url, "http://127.0.0.1:8888/mi"));
    CHECK(mi_addr_parse("HTTPS://mi.example/mi", NULL, &a, &e) == MI_OK && a.kind == MI_ADDR_HTTP);
    CHECK(mi_addr_parse("fifo:/run/opensips/opensips_fifo", NULL, &a, &e) == MI_OK);
    CHECK(a.kind == MI_ADDR_FIFO && check_str(a.path, "/run/opensips/opensips_fifo") &&
          check_str(a.reply_dir, "/tmp/"));
    CHECK(mi_addr_parse("fifo:/x/f", "/var/run/replies", &a, &e) == MI_OK &&
          check_str(a.reply_dir, "/var/run/replies/"));
    CHECK(mi_addr_parse("udp:127.0.0.1:8080", NULL, &a, &e) == MI_OK && a.kind == MI_ADDR_UDP);
    CHECK(a.sa.ss_family == AF_INET && ntohs(((struct sockaddr_in *)&a.sa)->sin_port) == 8080);
    CHECK(mi_addr_parse("udp:[::1]:8080", NULL, &a, &e) == MI_OK && a.sa.ss_family == AF_INET6);
    CHECK(mi_addr_parse("unix:/run/opensips/mi.sock", NULL, &a, &e) == MI_OK &&
          a.kind == MI_ADDR_UNIX && a.sa.ss_family == AF_UNIX);
    CHECK_STR(mi_addr_kind_name(MI_ADDR_UNIX), "unix");
    const char *bad[] = {"", "ftp://x/", "http://", "http:///mi", "fifo:relative", "unix:",
                         "udp:127.0.0.1", "udp:127.0.0.1:0", "udp:127.0.0.1:70000",
                         "udp::8080", "udp:::1:8080", "udp:[::1]8080", "udp:127.0.0.1:80x",
                         "http://a b/", "fifo:/"
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                         "udp:no-such-host.invalid:8080", NULL};
    for (int i = 0; bad[i]; i++) {
        int rc = mi_addr_parse(bad[i], NULL, &a, &e);
        CHECK(rc == MI_ERR_BAD_ADDRESS);
        if (rc != MI_ERR_BAD_ADDRESS)
            fprintf(stderr, "  accepted bad address '%s'\n", bad[i]);
    }
    mi_addr_parse("udp:127.0.0.1", NULL, &a, &e);
    CHECK_CONTAINS(e.text, "missing port");
    CHECK_CONTAINS(e.text, "use http://HOST:PORT/mi, fifo:/PATH, udp:HOST:PORT or unix:/PATH");
    CHECK(mi_addr_parse("fifo:/f", "relative/", &a, &e) == MI_ERR_BAD_ADDRESS);

    /* bounded buffer */
    struct mi_buf b;
    mi_buf_init(&b, 8);
    CHECK(mi_buf_add(&b, "12345", 5) == 0 && mi_buf_add(&b, "678", 3) == 0);
    CHECK(mi_buf_add(&b, "9", 1) == -1 && b.len == 8 && check_str(b.data, "12345678"));
    mi_buf_release(&b);

    /* flags and environment */
    struct mi_config cfg;
    mi_config_init(&cfg);
    CHECK(cfg.timeout_ms == 5000 && cfg.max_reply == 16u << 20 && cfg.n == 0);
    CHECK(mi_config_flag(&cfg, "--mi-node", "a=http://127.0.0.1:8888/mi;b=udp:127.0.0.1:8080",
                         &e) == 1);
    CHECK(cfg.n == 2 && check_str(node(&cfg, "b")->address, "udp:127.0.0.1:8080"));
    CHECK(mi_config_flag(&cfg, "--mi-node", "bad name=fifo:/x", &e) == -1 &&
          e.err == MI_ERR_CONFIG);
    CHECK(mi_config_flag(&cfg, "--mi-node", "noequals", &e) == -1);
    CHECK(mi_config_flag(&cfg, "--mi-timeout-ms", "250", &e) == 1 && cfg.timeout_ms == 250);
    CHECK(mi_config_flag(&cfg, "--mi-timeout-ms", "0", &e) == -1);
    CHECK(mi_config_flag(&cfg, "--mi-timeout-ms", "-5", &e) == -1);
    CHECK(mi_config_flag(&cfg, "--mi-max-reply", "65536", &e) == 1 && cfg.max_reply == 65536);
    CHECK(mi_config_flag(&cfg, "--mi-max-reply", "12", &e) == -1);
    CHECK(mi_config_flag(&cfg, "--mi-default", "b", &e) == 1);
    CHECK(mi_config_flag(&cfg, "--other", "x", &e) == 0);
    setenv("OPENSIPS_MI_URL", "fifo:/run/opensips/opensips_fifo", 1);
    setenv("OPENSIPS_MCP_MI_FIFO_REPLY_DIR", "/run/opensips-mcp/", 1);
    setenv("OPENSIPS_MCP_MI_TIMEOUT_MS", "1500", 1);
    CHECK(mi_config_load_env(&cfg, &e) == MI_OK);
    CHECK(node(&cfg, "default") && check_str(node(&cfg, "default")->fifo_reply_dir,
                                             "/run/opensips-mcp/"));
    CHECK(cfg.timeout_ms == 1500);
    setenv("OPENSIPS_MCP_MI_TIMEOUT_MS", "soon", 1);
    CHECK(mi_config_load_env(&cfg, &e) == MI_ERR_CONFIG);
    CHECK_CONTAINS(e.text, "OPENSIPS_MCP_MI_TIMEOUT_MS");
    unsetenv("OPENSIPS_MCP_MI_TIMEOUT_MS");
    unsetenv("OPENSIPS_MI_URL");
    unsetenv("OPENSIPS_MCP_MI_FIFO_REPLY_DIR");

    /* a client from that config: default node "b" */
    struct mi_client *cl = mi_client_new(&cfg, &e);
    CHECK(cl && mi_client_node_count(cl) == 3);
    json_t *info = mi_client_node_info(cl, NULL);
    CHECK(info && check_str(json_string_value(json_object_get(info, "name")), "b"));
    CHECK(check_str(json_string_value(json_object_get(info, "transport")), "datagram"));
    json_decref(info);
    json_t *res;
    CHECK(mi_client_call(cl, "nope", "dialog:list", NULL, 0, &res, &e) == MI_ERR_UNKNOWN_NODE);
    CHECK_CONTAINS(e.text, "no node 'nope'; configured: 'a', 'b', 'default'");
    CHECK(mi_client_call(cl, NULL, "no_such_cmd", NULL, 0, &res, &e) ==
          MI_ERR_UNKNOWN_COMMAND && !res);
    mi_client_free(cl);
    snprintf(cfg.default_node, sizeof cfg.default_node, "zzz");
    CHECK(mi_client_new(&cfg, &e) == NULL && e.err == MI_ERR_UNKNOWN_NODE);
    cfg.default_node[0] = '\0';
    mi_config_set_node(&cfg, "broken", "udp:127.0.0.1", NULL, "test", &e);
    CHECK(mi_client_new(&cfg, &e) == NULL && e.err == MI_ERR_BAD_ADDRESS);
    CHECK_CONTAINS(e.text, "node 'broken' (test)");

    /* JSON config */
    mi_config_init(&cfg);
    json_t *j = json_loads("{\"nodes\":{\"edge\":\"http://10.0.0.1:8888/mi\",\"core\":"
                           "{\"address\":\"fifo:/run/o/f\",\"fifo_reply_dir\":\"/run/r/\"}},"
                           "\"default\":\"core\",\"timeout_ms\":900,\"max_reply_bytes\":4096}",
                           0, NULL);
    CHECK(mi_config_load_json(&cfg, j, &e) == MI_OK);
    CHECK(cfg.n == 2 && check_str(cfg.default_node, "core") && cfg.timeout_ms == 900 &&
          cfg.max_reply == 4096);
    CHECK(check_str(node(&cfg, "core")->fifo_reply_dir, "/run/r/"));
    json_decref(j);
    j = json_loads("{\"timeout_ms\":\"5\"}", 0, NULL);
    CHECK(mi_config_load_json(&cfg, j, &e) == MI_ERR_CONFIG);
    CHECK_CONTAINS(e.text, "mi.timeout_ms");
    json_decref(j);
    j = json_loads("{\"nodes\":{\"x\":5}}", 0, NULL);
    CHECK(mi_config_load_json(&cfg, j, &e) == MI_ERR_CONFIG);
    json_decref(j);

    /* opensips-cli INI */
    char dir[] = "/tmp/mi-config-test-XXXXXX", path[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/opensips-cli.cfg", dir);
    write_file(path, "# opensips-cli\n[DEFAULT]\nfifo_reply_dir: /var/tmp/\n\n"
                     "[default]\ncommunication_type: fifo\nfifo_file: /run/opensips/fifo\n\n"
                     "[edge]\ncommunication_type = http\nurl = http://10.1.1.1:8888/mi\n\n"
                     "[dg]\ncommunication_type: datagram\ndatagram_ip: 10.2.2.2\n"
                     "datagram_port: 8090\n\n[dg6]\ncommunication_type: datagram\n"
                     "datagram_ip: ::1\ndatagram_port: 8091\n[db]\ndatabase_url: mysql://x\n");
    mi_config_init(&cfg);
    CHECK(mi_config_load_cli(&cfg, path, &e) == MI_OK);
    CHECK(cfg.n == 4);
    CHECK(node(&cfg, "default") && check_str(node(&cfg, "default")->address,
                                             "fifo:/run/opensips/fifo"));
    CHECK(check_str(node(&cfg, "default")->fifo_reply_dir, "/var/tmp/"));
    CHECK(node(&cfg, "edge") && check_str(node(&cfg, "edge")->address, "http://10.1.1.1:8888/mi"));
    CHECK(node(&cfg, "dg") && check_str(node(&cfg, "dg")->address, "udp:10.2.2.2:8090"));
    CHECK(node(&cfg, "dg6") && check_str(node(&cfg, "dg6")->address, "udp:[::1]:8091"));
    CHECK(!node(&cfg, "db"));
    cl = mi_client_new(&cfg, &e);
    CHECK(cl != NULL);
    mi_client_free(cl);
    write_file(path, "[x]\ncommunication_type: pigeon\n");
    CHECK(mi_config_load_cli(&cfg, path, &e) == MI_ERR_CONFIG);
    CHECK_CONTAINS(e.text, "communication_type 'pigeon' unknown");
    write_file(path, "[x\n");
    CHECK(mi_config_load_cli(&cfg, path, &e) == MI_ERR_CONFIG);
    CHECK(mi_config_load_cli(&cfg, "/nonexistent/cli.cfg", &e) == MI_ERR_CONFIG);
    /* the rules of the shared reader (cliconf.c), which the DB reader had first */
    write_file(path, "[a]\nurl: http://h:1/mi\ncommunication_type: http\n[a]\nurl: http://h:2/mi\n");
    mi_config_init(&cfg);
    CHECK(mi_config_load_cli(&cfg, path, &e) == MI_ERR_CONFIG); /* was: the second one won */
    CHECK_CONTAINS(e.text, ":4: a section appears twice (a)");
    {
        char big[4096];
        /* a long line is read whole (it was cut at 1023 bytes, its rest read as a line) */
        memset(big, 'x', 1500);
        big[0] = '#';
        snprintf(big + 1500, 100, "\n[a]\ncommunication_type: http\n");
        write_file(path, big);
        mi_config_init(&cfg);
        CHECK(mi_config_load_cli(&cfg, path, &e) == MI_OK && cfg.n == 1);
        /* and one over 2048 bytes is refused */
        memset(big, '#', 2100);
        snprintf(big + 2100, 100, "\n[a]\ncommunication_type: http\n");
        write_file(path, big);
        CHECK(mi_config_load_cli(&cfg, path, &e) == MI_ERR_CONFIG);
        CHECK_CONTAINS(e.text, ":1: line longer than 2048 bytes");
        /* a url longer than an address is refused, not cut to 511 bytes */
        int o = snprintf(big, sizeof big, "[a]\ncommunication_type: http\nurl: http://h/");
        memset(big + o, 'p', 600);
        big[o + 600] = '\0';
        write_file(path, big);
        mi_config_init(&cfg);
        CHECK(mi_config_load_cli(&cfg, path, &e) == MI_ERR_CONFIG && cfg.n == 0);
        CHECK_CONTAINS(e.text, "node 'a' has no or a too long address");
        /* a section name longer than a node name is refused, not cut to 63 bytes */
        big[0] = '[';
        memset(big + 1, 'n', 70);
        snprintf(big + 71, 100, "]\ncommunication_type: http\n");
        write_file(path, big);
        CHECK(mi_config_load_cli(&cfg, path, &e) == MI_ERR_CONFIG && cfg.n == 0);
        CHECK_CONTAINS(e.text, "bad node name 'nnnnnnnnnn");
        /* sections past the 64th were dropped unread: now the 70th is a node */
        o = 0;
        for (int i = 0; i < 69; i++)
            o += snprintf(big + o, sizeof big - (size_t)o, "[s%d]\n", i);
        snprintf(big + o, sizeof big - (size_t)o, "[last]\ncommunication_type: http\n");
        write_file(path, big);
        CHECK(mi_config_load_cli(&cfg, path, &e) == MI_OK && node(&cfg, "last"));
    }
    /* a key given empty in a section is empty (opensips-cli's default), as in configparser;
     * it took [DEFAULT]'s value before */
    write_file(path, "[DEFAULT]\nfifo_file: /d/fifo\n[a]\ncommunication_type: fifo\n"
                     "fifo_file:\n[b]\ncommunication_type: fifo\n");
    mi_config_init(&cfg);
    CHECK(mi_config_load_cli(&cfg, path, &e) == MI_OK && cfg.n == 2);
    CHECK(node(&cfg, "a") && check_str(node(&cfg, "a")->address, "fifo:/tmp/opensips_fifo"));
    CHECK(node(&cfg, "b") && check_str(node(&cfg, "b")->address, "fifo:/d/fifo"));
    /* the default locations: a HOME without the file is no error */
    setenv("HOME", dir, 1);
    unlink(path);
    mi_config_init(&cfg);
    CHECK(mi_config_load_cli(&cfg, NULL, &e) == MI_OK);
    snprintf(path, sizeof path, "%s/.opensips-cli.cfg", dir);
    write_file(path, "[default]\ncommunication_type: http\n");
    CHECK(mi_config_load_cli(&cfg, NULL, &e) == MI_OK && cfg.n == 1 &&
          check_str(cfg.nodes[0].address, "http://127.0.0.1:8888/mi"));
    unlink(path);

    /* node lists: ';' and ',' both separate (issue 12: commas made one node with the address
     * "http://...,pbx2=http://..."); spaces around entries, a trailing separator and empty
     * entries are ignored */
    const char *lists[] = {"pbx1=http://127.0.0.1:1/mi,pbx2=http://127.0.0.1:2/mi",
                           "pbx1=http://127.0.0.1:1/mi;pbx2=http://127.0.0.1:2/mi",
                           "pbx1=http://127.0.0.1:1/mi ; pbx2=http://127.0.0.1:2/mi;",
                           "pbx1=http://127.0.0.1:1/mi,;, pbx2 = http://127.0.0.1:2/mi,",
                           NULL};
    for (int i = 0; lists[i]; i++) {
        mi_config_init(&cfg);
        CHECK(mi_config_flag(&cfg, "--mi-node", lists[i], &e) == 1);
        CHECK(cfg.n == 2 && node(&cfg, "pbx1") && node(&cfg, "pbx2"));
        CHECK(node(&cfg, "pbx1") && check_str(node(&cfg, "pbx1")->address,
                                              "http://127.0.0.1:1/mi"));
        CHECK(node(&cfg, "pbx2") && check_str(node(&cfg, "pbx2")->address,
                                              "http://127.0.0.1:2/mi"));
        if (cfg.n != 2)
            fprintf(stderr, "  list '%s' made %zu nodes\n", lists[i], cfg.n);
    }
    mi_config_init(&cfg);
    setenv("OPENSIPS_MCP_MI_NODES", "a=udp:127.0.0.1:8080,b=fifo:/run/o/f;c=http://h:1/mi", 1);
    CHECK(mi_config_load_env(&cfg, &e) == MI_OK && cfg.n == 3);
    CHECK(node(&cfg, "c") && check_str(node(&cfg, "c")->source, "OPENSIPS_MCP_MI_NODES"));
    /* refused, naming the variable: a duplicate, junk, an empty address, nothing at all */
    struct {
        const char *list, *says;
    } refused[] = {
        {"a=http://h:1/mi,a=http://h:2/mi", "node 'a' is given twice"},
        {"a=http://h:1/mi;junk", "'junk' is not NAME=ADDRESS"},
        {"a=http://h:1/mi,junk,b=http://h:2/mi", "'junk' is not NAME=ADDRESS"},
        {"a=", "node 'a' has no address"},
        {"=http://h:1/mi", "bad node name ''"},
        {";, ;", "names no node"},
        {NULL, NULL},
    };
    for (int i = 0; refused[i].list; i++) {
        mi_config_init(&cfg);
        setenv("OPENSIPS_MCP_MI_NODES", refused[i].list, 1);
        CHECK(mi_config_load_env(&cfg, &e) == MI_ERR_CONFIG);
        CHECK_CONTAINS(e.text, "OPENSIPS_MCP_MI_NODES");
        CHECK_CONTAINS(e.text, refused[i].says);
        if (!check_contains(e.text, refused[i].says))
            fprintf(stderr, "  '%s' said: %s\n", refused[i].list, e.text);
    }
    unsetenv("OPENSIPS_MCP_MI_NODES");
    /* the same name twice across repeated --mi-node flags; a later source may still replace */
    mi_config_init(&cfg);
    CHECK(mi_config_flag(&cfg, "--mi-node", "a=http://h:1/mi", &e) == 1);
    CHECK(mi_config_flag(&cfg, "--mi-node", "a=http://h:2/mi", &e) == -1);
    CHECK_CONTAINS(e.text, "--mi-node: node 'a' is given twice");
    mi_config_init(&cfg);
    CHECK(mi_config_set_node(&cfg, "a", "http://h:1/mi", NULL, "config file", &e) == MI_OK);
    CHECK(mi_config_flag(&cfg, "--mi-node", "a=http://h:2/mi", &e) == 1 && cfg.n == 1);
    CHECK(check_str(node(&cfg, "a")->address, "http://h:2/mi"));
    /* one address that holds a list, from any source, is refused with its source */
    mi_config_init(&cfg);
    setenv("OPENSIPS_MI_URL", "http://h:1/mi,pbx2=http://h:2/mi", 1);
    CHECK(mi_config_load_env(&cfg, &e) == MI_ERR_CONFIG);
    CHECK_CONTAINS(e.text, "OPENSIPS_MI_URL: the address of node 'default'");
    CHECK_CONTAINS(e.text, "holds more than one");
    setenv("OPENSIPS_MI_URL", "http://h:1/mi;http://h:2/mi", 1);
    CHECK(mi_config_load_env(&cfg, &e) == MI_ERR_CONFIG);
    unsetenv("OPENSIPS_MI_URL");
    CHECK(mi_config_flag(&cfg, "--mi-url", "fifo:/a, b=fifo:/b", &e) == -1);
    j = json_loads("{\"nodes\":{\"x\":\"http://h:1/mi,y=http://h:2/mi\"}}", 0, NULL);
    CHECK(mi_config_load_json(&cfg, j, &e) == MI_ERR_CONFIG);
    CHECK_CONTAINS(e.text, "config file: the address of node 'x'");
    json_decref(j);
    /* junk as an address is refused when the client is made, naming node and variable */
    mi_config_init(&cfg);
    setenv("OPENSIPS_MCP_MI_NODES", "pbx1=junk", 1);
    CHECK(mi_config_load_env(&cfg, &e) == MI_OK);
    unsetenv("OPENSIPS_MCP_MI_NODES");
    CHECK(mi_client_new(&cfg, &e) == NULL && e.err == MI_ERR_BAD_ADDRESS);
    CHECK_CONTAINS(e.text, "node 'pbx1' (OPENSIPS_MCP_MI_NODES): 'junk': unknown scheme");

    /* the name a call resolves to: the default node's for none, the configured one's */
    mi_config_init(&cfg);
    CHECK(mi_config_flag(&cfg, "--mi-node", "pbx1=http://h:1/mi;pbx2=http://h:2/mi", &e) == 1);
    cl = mi_client_new(&cfg, &e);
    CHECK(cl != NULL);
    CHECK_STR(mi_client_resolve_name(cl, NULL), "pbx1");
    CHECK_STR(mi_client_resolve_name(cl, ""), "pbx1");
    CHECK_STR(mi_client_resolve_name(cl, "pbx2"), "pbx2");
    CHECK(mi_client_resolve_name(cl, "nope") == NULL && mi_client_resolve_name(cl, "*") == NULL);
    mi_client_free(cl);
    CHECK(mi_config_flag(&cfg, "--mi-default", "pbx2", &e) == 1);
    cl = mi_client_new(&cfg, &e);
    CHECK(cl && check_str(mi_client_resolve_name(cl, NULL), "pbx2"));
    mi_client_free(cl);
    CHECK(mi_config_set_node(&cfg, "default", "http://h:3/mi", NULL, "test", &e) == MI_OK);
    cfg.default_node[0] = '\0';
    cl = mi_client_new(&cfg, &e);
    CHECK(cl && check_str(mi_client_resolve_name(cl, NULL), "default"));
    mi_client_free(cl);

    /* no node from any source: OpenSIPS's default FIFO when it exists (a FIFO of the test's
     * own, by the test-only variable), else nothing; an explicit node turns the fallback off */
    char fifo[300];
    snprintf(fifo, sizeof fifo, "%s/opensips_fifo", dir);
    setenv(MI_DEFAULT_FIFO_TEST_ENV, fifo, 1);
    CHECK_STR(mi_config_default_fifo(), fifo);
    mi_config_init(&cfg);
    CHECK(!mi_config_fallback(&cfg) && cfg.n == 0); /* no such file */
    cl = mi_client_new(&cfg, &e);
    CHECK(cl && mi_client_node_count(cl) == 0 && !mi_client_resolve_name(cl, NULL));
    mi_client_free(cl);
    write_file(fifo, "not a fifo\n");
    CHECK(!mi_config_fallback(&cfg) && cfg.n == 0); /* a regular file */
    unlink(fifo);
    CHECK(mkfifo(fifo, 0600) == 0);
    mi_config_init(&cfg);
    CHECK(mi_config_fallback(&cfg) && cfg.n == 1);
    CHECK(check_str(cfg.nodes[0].name, "default"));
    CHECK(check_prefix(cfg.nodes[0].address, "fifo:") &&
          check_str(cfg.nodes[0].address + 5, fifo));
    CHECK(check_prefix(cfg.nodes[0].source, "OpenSIPS's default FIFO (") &&
          check_contains(cfg.nodes[0].source, fifo));
    mi_config_init(&cfg);
    cl = mi_client_new(&cfg, &e); /* the client falls back on its own */
    CHECK(cl && mi_client_node_count(cl) == 1 && check_str(mi_client_resolve_name(cl, NULL),
                                                           "default"));
    info = cl ? mi_client_node_info(cl, NULL) : NULL;
    CHECK(info && check_prefix(json_string_value(json_object_get(info, "source")),
                               "OpenSIPS's default FIFO ("));
    CHECK(info && check_str(json_string_value(json_object_get(info, "transport")), "fifo"));
    json_decref(info);
    mi_client_free(cl);
    mi_config_init(&cfg); /* the reply directory setting reaches the fallback node */
    CHECK(mi_config_flag(&cfg, "--mi-fifo-reply-dir", "/run/r/", &e) == 1);
    CHECK(mi_config_fallback(&cfg) && check_str(cfg.nodes[0].fifo_reply_dir, "/run/r/"));
    mi_config_init(&cfg);
    CHECK(mi_config_flag(&cfg, "--mi-node", "pbx1=http://h:1/mi", &e) == 1);
    CHECK(!mi_config_fallback(&cfg) && cfg.n == 1);
    cl = mi_client_new(&cfg, &e);
    CHECK(cl && mi_client_node_count(cl) == 1 && check_str(mi_client_node_name(cl, 0), "pbx1"));
    mi_client_free(cl);
    /* a default named but no node at all: an error, not a crash (it was a NULL dereference) */
    unlink(fifo);
    mi_config_init(&cfg);
    snprintf(cfg.default_node, sizeof cfg.default_node, "pbx1");
    CHECK(mi_client_new(&cfg, &e) == NULL && e.err == MI_ERR_UNKNOWN_NODE);
    CHECK_CONTAINS(e.text, "default node 'pbx1' is not configured");
    unsetenv(MI_DEFAULT_FIFO_TEST_ENV);
    CHECK_STR(mi_config_default_fifo(), "/tmp/opensips_fifo");

    rmdir(dir);
    return check_done("test_mi_config");
}
