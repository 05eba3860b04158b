/* Unit tests for the event machinery: datagrams as event_datagram sends them parsed (and every
 * malformed kind refused with its reason), events mapped to resource URIs through the resource
 * rows (encoding, missing or oversized parameters, unmapped events), the canonical URI, the coalescing set (dedup, order, bound, flush), and
 * the events-listen address. */
#include <arpa/inet.h>

#include "check.h"
#include "events/coalesce.h"
#include "events/events.h"
#include "events/map.h"
#include "mcp/registry.h"
#include "resources/resources.h"

static int parse(const char *s, struct event_msg *m, char *err, size_t n)
{
    return event_parse(s, strlen(s), m, err, n);
}

static void test_parse(void)
{
    struct event_msg m;
    char err[200];

    /* the shape of evi_build_payload's output: no id, method the event, params by name */
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"method\":\"E_UL_AOR_INSERT\",\"params\":{\"domain\":"
                "\"location\",\"aor\":\"alice@example.com\"}}", &m, err, sizeof(err)) == 0);
    CHECK_STR(m.name, "E_UL_AOR_INSERT");
    CHECK_STR(json_string_value(json_object_get(m.params, "aor")), "alice@example.com");
    event_msg_release(&m);
    CHECK(m.params == NULL);

    /* an event without parameters has none in the payload: params is {} */
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"method\":\"E_CORE_THRESHOLD\"}", &m, err, sizeof(err)) == 0);
    CHECK(json_is_object(m.params) && json_object_size(m.params) == 0);
    event_msg_release(&m);

    CHECK(parse("not json", &m, err, sizeof(err)) == -1);
    CHECK_PREFIX(err, "not JSON: ");
    CHECK(m.params == NULL);
    CHECK(event_parse("", 0, &m, err, sizeof(err)) == -1);
    CHECK_PREFIX(err, "not JSON: ");
    CHECK(parse("[1,2]", &m, err, sizeof(err)) == -1);
    CHECK_STR(err, "not a JSON-RPC notification with a method");
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"E_X\"}", &m, err, sizeof(err)) == -1);
    CHECK_STR(err, "not a JSON-RPC notification with a method");
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"method\":7}", &m, err, sizeof(err)) == -1);
    CHECK_STR(err, "not a JSON-RPC notification with a method");
    CHECK(parse("{\"method\":\"dlg_list\"}", &m, err, sizeof(err)) == -1);
    CHECK_STR(err, "method 'dlg_list' is not an event name");
    CHECK(parse("{\"method\":\"E_lower\"}", &m, err, sizeof(err)) == -1);
    CHECK_STR(err, "method 'E_lower' is not an event name");
    CHECK(parse("{\"method\":\"E_\"}", &m, err, sizeof(err)) == -1);
    /* 64 bytes is one too many for the name */
    char big[128];
    snprintf(big, sizeof(big), "{\"method\":\"E_%s\"}",
             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    CHECK(parse(big, &m, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "is not an event name");
    CHECK(parse("{\"method\":\"E_X\",\"params\":[1]}", &m, err, sizeof(err)) == -1);
    CHECK_STR(err, "params of E_X are not an object");
    CHECK(parse("{\"method\":\"E_X\",\"method\":\"E_Y\"}", &m, err, sizeof(err)) == -1);
    CHECK_PREFIX(err, "not JSON: ");

    /* nesting past jsonload's bound is refused before jansson parses it */
    size_t n = 2 * 100 + 40;
    char *deep = malloc(n);
    int o = snprintf(deep, n, "{\"method\":\"E_X\",\"params\":{\"a\":");
    for (int i = 0; i < 90; i++)
        deep[o++] = '[';
    for (int i = 0; i < 90; i++)
        deep[o++] = ']';
    deep[o++] = '}';
    deep[o++] = '}';
    CHECK(event_parse(deep, (size_t)o, &m, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "nested deeper than 64 levels");
    free(deep);
}

struct seen {
    char uris[8][RESOURCE_URI_MAX];
    size_t n;
};

static void collect(const char *uri, void *ctx)
{
    struct seen *s = ctx;
    if (s->n < 8)
        snprintf(s->uris[s->n++], RESOURCE_URI_MAX, "%s", uri);
}

/* What the listener does with a datagram from `node`: parse, then the resource rows' map. */
static size_t map(const char *node, const char *json, struct seen *s)
{
    struct event_msg m;
    char err[200];
    size_t n;

    memset(s, 0, sizeof(*s));
    if (parse(json, &m, err, sizeof(err)) < 0)
        return (size_t)-1;
    n = resources_event_each(node, m.name, m.params, collect, s);
    event_msg_release(&m);
    return n;
}

static void test_map(void)
{
    struct seen s;

    CHECK(map("pbx1", "{\"method\":\"E_UL_AOR_INSERT\",\"params\":{\"aor\":\"alice@example.com\"}}",
              &s) == 1);
    CHECK_STR(s.uris[0], "opensips://pbx1/registrations/alice@example.com");
    CHECK(map("pbx1", "{\"method\":\"E_UL_CONTACT_UPDATE\",\"params\":{\"aor\":\"bob\"}}", &s) == 1);
    CHECK_STR(s.uris[0], "opensips://pbx1/registrations/bob");
    /* a slash, a space and non-ASCII bytes cannot break out of the segment */
    CHECK(map("n", "{\"method\":\"E_DLG_STATE_CHANGED\",\"params\":{\"callid\":\"a/b c\\u00e9~._-\"}}",
              &s) == 2);
    CHECK_STR(s.uris[0], "opensips://n/dialogs");
    CHECK_STR(s.uris[1], "opensips://n/dialog/a%2Fb%20c%C3%A9~._-");
    /* the per-item URI needs its parameter: absent, empty or not a string, only the list */
    CHECK(map("n", "{\"method\":\"E_DLG_STATE_CHANGED\",\"params\":{}}", &s) == 1);
    CHECK(map("n", "{\"method\":\"E_DLG_STATE_CHANGED\",\"params\":{\"callid\":\"\"}}", &s) == 1);
    CHECK(map("n", "{\"method\":\"E_DLG_STATE_CHANGED\",\"params\":{\"callid\":5}}", &s) == 1);
    CHECK_STR(s.uris[0], "opensips://n/dialogs");
    /* a parameter too long for a URI: skipped */
    char json[4096];
    char aor[1100];
    memset(aor, 'a', sizeof(aor) - 1);
    aor[sizeof(aor) - 1] = 0;
    snprintf(json, sizeof(json), "{\"method\":\"E_UL_AOR_DELETE\",\"params\":{\"aor\":\"%s\"}}", aor);
    CHECK(map("n", json, &s) == 0);
    /* the node name is encoded too */
    CHECK(map("my node", "{\"method\":\"E_DISPATCHER_STATUS\"}", &s) == 1);
    CHECK_STR(s.uris[0], "opensips://my%20node/dispatcher");
    CHECK(map("n", "{\"method\":\"E_DROUTING_STATUS\"}", &s) == 1);
    CHECK_STR(s.uris[0], "opensips://n/drouting");
    CHECK(map("n", "{\"method\":\"E_LOAD_BALANCER_STATUS\"}", &s) == 1);
    CHECK_STR(s.uris[0], "opensips://n/load_balancer");
    CHECK(map("n", "{\"method\":\"E_PIKE_BLOCKED\",\"params\":{\"ip\":\"192.0.2.1\"}}", &s) == 1);
    CHECK_STR(s.uris[0], "opensips://n/pike");
    CHECK(map("n", "{\"method\":\"E_CORE_SHM_THRESHOLD\"}", &s) == 1);
    CHECK_STR(s.uris[0], "opensips://n/status");
    /* an event no resource watches changes nothing */
    CHECK(map("n", "{\"method\":\"E_CORE_LOG\"}", &s) == 0);
    CHECK(map("n", "{\"method\":\"E_CORE_THRESHOLD\"}", &s) == 0);

    /* one spelling of a resource: what an event builds matches what a client subscribed to */
    char c[64];
    CHECK(uri_canon("opensips://n/registrations/alice%40example.com", c, sizeof(c)) == 0);
    CHECK_STR(c, "opensips://n/registrations/alice@example.com");
    CHECK(uri_canon("opensips://n/dialog/a%2fb%7E", c, sizeof(c)) == 0);
    CHECK_STR(c, "opensips://n/dialog/a%2Fb~");
    CHECK(uri_canon("x/%", c, sizeof(c)) == 0 && !strcmp(c, "x/%"));   /* not an escape: as is */
    CHECK(uri_canon("x/%4g", c, sizeof(c)) == 0 && !strcmp(c, "x/%4g"));
    CHECK(uri_canon("x/%00", c, sizeof(c)) == 0 && !strcmp(c, "x/%00")); /* NUL stays escaped */
    CHECK(uri_canon("0123456789", c, 8) == -1);
    CHECK(uri_canon("", c, 0) == -1);
}

static size_t flushed;
static char last[64];

static void count(const char *uri, void *ctx)
{
    (void)ctx;
    if (flushed++ == 0)
        snprintf(last, sizeof(last), "%s", uri);
}

static void test_coalesce(void)
{
    struct coalesce c = {0};
    char uri[64];

    CHECK(coalesce_add(&c, "a") == 1);
    CHECK(coalesce_add(&c, "b") == 1);
    CHECK(coalesce_add(&c, "a") == 0);
    CHECK(c.n == 2);
    flushed = 0;
    CHECK(coalesce_flush(&c, count, NULL) == 2);
    CHECK(flushed == 2);
    CHECK_STR(last, "a"); /* in the order first added */
    CHECK(c.n == 0);
    CHECK(coalesce_flush(&c, count, NULL) == 0);
    /* after a flush the same URI is new again */
    CHECK(coalesce_add(&c, "a") == 1);
    coalesce_release(&c);

    /* bounded: the 257th distinct URI is dropped and counted, a pending one still dedups */
    for (int i = 0; i < COALESCE_MAX; i++) {
        snprintf(uri, sizeof(uri), "opensips://n/dialogs/%d", i);
        CHECK(coalesce_add(&c, uri) == 1);
    }
    CHECK(coalesce_add(&c, "opensips://n/dialogs/overflow") == -1);
    CHECK(coalesce_add(&c, "opensips://n/dialogs/0") == 0);
    CHECK(c.dropped == 1);
    flushed = 0;
    CHECK(coalesce_flush(&c, count, NULL) == COALESCE_MAX);
    CHECK(c.dropped == 0);
    coalesce_release(&c);
}

static void test_listen(void)
{
    struct sockaddr_in a;
    char err[300];

    CHECK(events_parse_listen("127.0.0.1:4711", &a, err, sizeof(err)) == 0);
    CHECK(ntohs(a.sin_port) == 4711 && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK(events_parse_listen("localhost:0", &a, err, sizeof(err)) == 0);
    CHECK(a.sin_port == 0 && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK(events_parse_listen("10.1.2.3:65535", &a, err, sizeof(err)) == 0);
    CHECK(events_parse_listen("4711", &a, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "is not ADDR:PORT");
    CHECK(events_parse_listen(":4711", &a, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "is not ADDR:PORT");
    CHECK(events_parse_listen(NULL, &a, err, sizeof(err)) == -1);
    CHECK(events_parse_listen("127.0.0.1:", &a, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "the port must be 0 to 65535");
    CHECK(events_parse_listen("127.0.0.1:65536", &a, err, sizeof(err)) == -1);
    CHECK(events_parse_listen("127.0.0.1:-1", &a, err, sizeof(err)) == -1);
    CHECK(events_parse_listen("127.0.0.1:12x", &a, err, sizeof(err)) == -1);
    CHECK(events_parse_listen("[::1]:4711", &a, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "is not an IPv4 address");
    CHECK(events_parse_listen("host.example:4711", &a, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "is not an IPv4 address");
    CHECK(events_parse_listen("0.0.0.0:4711", &a, err, sizeof(err)) == -1);
    CHECK_CONTAINS(err, "not 0.0.0.0");
}

int main(void)
{
    test_parse();
    test_map();
    test_coalesce();
    test_listen();
    return check_done("events");
}
