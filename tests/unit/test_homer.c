/* Unit tests for homer/client's pure part: times (ms and ISO-8601, offsets, bad ones refused),
 * the two request shapes homer-app wants (the filter array with its limit element for
 * /search/call/data, {"callid": [...]} for /call/transaction), reading its answers (calls
 * grouped by sid, the ladder in time order with hosts by column, the related Call-IDs,
 * messages), the PCAP check, and a client's shown address without user:password. */
#include <jansson.h>

#include "check.h"
#include "homer/client.h"

static char err[256];

static long long ms_of(json_t *v, int *rc)
{
    long long ms = -1;
    *rc = homer_time_ms(v, "time_from", &ms, err, sizeof(err));
    json_decref(v);
    return ms;
}

static void test_times(void)
{
    int rc;

    CHECK(ms_of(json_integer(1764583200123), &rc) == 1764583200123 && rc == 0);
    CHECK(ms_of(json_string("1764583200123"), &rc) == 1764583200123 && rc == 0);
    CHECK(ms_of(json_string("1970-01-01T00:00:00Z"), &rc) == 0 && rc == 0);
    CHECK(ms_of(json_string("2026-12-01T10:00:00Z"), &rc) == 1796119200000LL && rc == 0);
    CHECK(ms_of(json_string("2026-12-01T10:00:00.250Z"), &rc) == 1796119200250LL && rc == 0);
    CHECK(ms_of(json_string("2026-12-01T12:00:00+02:00"), &rc) == 1796119200000LL && rc == 0);
    CHECK(ms_of(json_string("2026-12-01T05:30:00-0430"), &rc) == 1796119200000LL && rc == 0);
    CHECK(ms_of(json_string("2026-12-01 10:00:00"), &rc) == 1796119200000LL && rc == 0);
    CHECK(ms_of(json_string("2026-12-01T10:00"), &rc) == 1796119200000LL && rc == 0);
    CHECK(ms_of(json_string("2024-02-29"), &rc) == 1709164800000LL && rc == 0);
    static const char *const bad[] = {"", "yesterday", "2026-13-01T00:00:00Z", "2026-12-01T25:00Z",
                                      "2026-12-01T10:00:00Zjunk", "2026-12-01T10:00:00.Z",
                                      "2026-12-01T10:00:00+2", "12:00", "-5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ms_of(json_string(bad[i]), &rc);
        CHECK(rc == -1);
        CHECK_CONTAINS(err, "'time_from' is not a time");
    }
    ms_of(json_integer(-1), &rc);
    CHECK(rc == -1);
    ms_of(json_true(), &rc);
    CHECK(rc == -1);
}

static void test_bodies(void)
{
    json_t *f = json_pack("{s:s, s:i}", "data_header.from_user", "alice", "skipped", 3);
    json_t *b = homer_search_body(1000, 2000, f, 2000, NULL), *arr, *el;
    json_t *search = json_object_get(json_object_get(b, "param"), "search");

    CHECK(json_integer_value(json_object_get(json_object_get(b, "timestamp"), "from")) == 1000);
    CHECK(json_integer_value(json_object_get(json_object_get(b, "timestamp"), "to")) == 2000);
    arr = json_object_get(search, "1_call");
    CHECK(json_is_array(arr) && json_array_size(arr) == 2); /* the non-string filter is left out */
    el = json_array_get(arr, 0);
    CHECK_STR(json_string_value(json_object_get(el, "name")), "data_header.from_user");
    CHECK_STR(json_string_value(json_object_get(el, "value")), "alice");
    CHECK_STR(json_string_value(json_object_get(el, "type")), "string");
    el = json_array_get(arr, 1);
    CHECK_STR(json_string_value(json_object_get(el, "name")), "limit");
    /* a string, as homer-app reads it */
    CHECK_STR(json_string_value(json_object_get(el, "value")), "2000");
    CHECK(json_array_size(json_object_get(json_object_get(json_object_get(b, "param"), "location"),
                                          "node")) == 0);
    json_decref(b);
    json_decref(f);

    json_t *ids = json_pack("[s]", "abc@host");
    b = homer_transaction_body(5, 6, ids);
    search = json_object_get(json_object_get(b, "param"), "search");
    json_t *cid = json_object_get(json_object_get(search, "1_call"), "callid");
    CHECK(json_is_array(cid) && json_array_size(cid) == 1);
    CHECK_STR(json_string_value(json_array_get(cid, 0)), "abc@host");
    CHECK(json_is_array(json_object_get(json_object_get(b, "param"), "whitelist")));
    json_decref(b);
    json_decref(ids);
}

static void test_answers(void)
{
    json_t *search = json_loads(
        "{\"total\":3,\"data\":["
        "{\"id\":1,\"sid\":\"a@x\",\"create_date\":100,\"method\":\"INVITE\","
        "\"srcIp\":\"10.0.0.1\",\"srcPort\":5060,\"dstIp\":\"10.0.0.2\",\"dstPort\":5060,"
        "\"from_user\":\"alice\",\"node\":\"h1\"},"
        "{\"id\":2,\"sid\":\"b@x\",\"create_date\":150,\"method\":\"INVITE\",\"node\":\"h1\"},"
        "{\"id\":3,\"sid\":\"a@x\",\"create_date\":300,\"method\":\"200\",\"node\":\"h2\"},"
        "{\"id\":4,\"create_date\":400}]}", 0, NULL);
    json_t *calls = homer_calls_of(search), *c;

    CHECK(json_array_size(calls) == 2);
    c = json_array_get(calls, 0);
    CHECK_STR(json_string_value(json_object_get(c, "callid")), "a@x");
    CHECK(json_integer_value(json_object_get(c, "messages")) == 2);
    CHECK(json_integer_value(json_object_get(c, "first_ms")) == 100);
    CHECK(json_integer_value(json_object_get(c, "last_ms")) == 300);
    CHECK(json_array_size(json_object_get(c, "methods")) == 2);
    CHECK(json_array_size(json_object_get(c, "nodes")) == 2);
    CHECK_STR(json_string_value(json_object_get(c, "src")), "10.0.0.1:5060");
    json_decref(calls);
    json_t *m = homer_message_of(json_array_get(json_object_get(search, "data"), 0));
    CHECK(json_integer_value(json_object_get(m, "t_ms")) == 100);
    CHECK_STR(json_string_value(json_object_get(m, "dst")), "10.0.0.2:5060");
    json_decref(m);
    json_decref(search);
    calls = homer_calls_of(NULL);
    CHECK(json_is_array(calls) && json_array_size(calls) == 0);
    json_decref(calls);

    json_t *tr = json_loads(
        "{\"total\":2,\"data\":{\"messages\":[{\"sid\":\"a@x\",\"create_date\":9},"
        "{\"sid\":\"b@x\",\"create_date\":5},{\"sid\":\"a@x\",\"create_date\":12}],"
        "\"hosts\":{\"10.0.0.2:5060\":{\"position\":1},\"10.0.0.1:5060\":{\"position\":0}},"
        "\"calldata\":[{\"sid\":\"a@x\",\"create_date\":9,\"srcHost\":\"10.0.0.1:5060\","
        "\"dstHost\":\"10.0.0.2:5060\",\"method\":\"INVITE\",\"method_text\":\"INVITE\"},"
        "{\"sid\":\"b@x\",\"create_date\":5,\"srcHost\":\"10.0.0.2:5060\",\"dstHost\":"
        "\"10.0.0.1:5060\",\"method\":\"100\"}]}}", 0, NULL);
    json_t *hosts, *ladder = homer_ladder_of(tr, &hosts);
    CHECK(json_array_size(ladder) == 2);
    CHECK(json_integer_value(json_object_get(json_array_get(ladder, 0), "t_ms")) == 5);
    CHECK_STR(json_string_value(json_object_get(json_array_get(ladder, 0), "method")), "100");
    CHECK_STR(json_string_value(json_object_get(json_array_get(ladder, 1), "from")),
              "10.0.0.1:5060");
    CHECK_STR(json_string_value(json_array_get(hosts, 0)), "10.0.0.1:5060");
    CHECK_STR(json_string_value(json_array_get(hosts, 1)), "10.0.0.2:5060");
    json_decref(ladder);
    json_decref(hosts);
    json_t *rel = homer_related_of(tr);
    CHECK(json_array_size(rel) == 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(rel, 0), "callid")), "a@x");
    CHECK(json_integer_value(json_object_get(json_array_get(rel, 0), "messages")) == 2);
    CHECK(json_integer_value(json_object_get(json_array_get(rel, 0), "last_ms")) == 12);
    json_decref(rel);
    json_decref(tr);
    ladder = homer_ladder_of(NULL, &hosts);
    CHECK(json_array_size(ladder) == 0 && json_array_size(hosts) == 0);
    json_decref(ladder);
    json_decref(hosts);
}

static void test_pcap(void)
{
    unsigned char p[24 + 16 + 4] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    p[24 + 8] = 4; /* incl_len 4, little-endian */
    CHECK(homer_pcap_records((char *)p, 24) == 0);
    CHECK(homer_pcap_records((char *)p, sizeof(p)) == 1);
    CHECK(homer_pcap_records((char *)p, sizeof(p) - 1) == -1); /* record cut short */
    CHECK(homer_pcap_records((char *)p, 30) == -1);
    CHECK(homer_pcap_records("{\"message\":\"x\"}", 15) == -1);
    p[0] = 0;
    CHECK(homer_pcap_records((char *)p, sizeof(p)) == -1);
}

static void test_client(void)
{
    struct homer *h = homer_new(&(struct homer_config){.url = "http://u:secret@homer:9080/",
                                                       .user = "u", .password = "secret"});
    CHECK(h != NULL);
    if (h)
        CHECK_STR(homer_url_shown(h), "http://homer:9080");
    homer_free(h);
    CHECK(homer_new(&(struct homer_config){.url = ""}) == NULL);
}

int main(void)
{
    test_times();
    test_bodies();
    test_answers();
    test_pcap();
    test_client();
    return check_done("homer");
}
