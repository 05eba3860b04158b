/* Unit tests for http_headers: Host, Origin, Content-Type, Accept and session id parsing. */
#include "check.h"
#include "transport/http_headers.h"

#define S(lit) lit, sizeof(lit) - 1

static int host_ok(const char *s, size_t n)
{
    struct http_host h;
    return http_host_parse(s, n, &h) == 0;
}

static int loopback(const char *s, size_t n)
{
    struct http_host h;
    return http_host_parse(s, n, &h) == 0 && http_host_is_loopback(&h);
}

int main(void)
{
    struct http_host h;

    CHECK(http_host_parse(S("localhost:3111"), &h) == 0 && h.port == 3111 && h.name_len == 9);
    CHECK(http_host_parse(S("[::1]:80"), &h) == 0 && h.ipv6 && h.name_len == 5 && h.port == 80);
    CHECK(host_ok(S("example.com")) && host_ok(S("127.0.0.1")) && host_ok(S("[::1]")));
    CHECK(host_ok(S("my_host-1.example")));
    CHECK(loopback(S("LOCALHOST")) && loopback(S("127.0.0.1:1")) && loopback(S("[::1]:3111")));
    CHECK(!loopback(S("localhost.evil.com")) && !loopback(S("127.0.0.1.evil.com")));
    CHECK(!loopback(S("[::2]")) && !loopback(S("example.com")));
    CHECK(!host_ok(S("localhost\0.evil.com")));
    CHECK(!host_ok(S("127.0.0.1:evil.com")));
    CHECK(!host_ok(S("127.0.0.1:")) && !host_ok(S(":80")) && !host_ok(S("")));
    CHECK(!host_ok(S("127.0.0.1:0")) && !host_ok(S("127.0.0.1:65536")) && !host_ok(S("a:123456")));
    CHECK(!host_ok(S("127.0.0.1:80:80")) && !host_ok(S("localhost ")) && !host_ok(S("a b")));
    CHECK(!host_ok(S("::1")) && !host_ok(S("[::1")) && !host_ok(S("[::1]x")) && !host_ok(S("[]")));
    CHECK(!host_ok(S("[::1]:")) && !host_ok(S("user@localhost")) && !host_ok(S("localhost/")));
    CHECK(host_ok(S("65535.x:65535")));

    CHECK(http_origin_check(S("http://localhost:3000")) == 1);
    CHECK(http_origin_check(S("https://127.0.0.1")) == 1);
    CHECK(http_origin_check(S("HTTP://[::1]:8080")) == 1);
    CHECK(http_origin_check(S("http://evil.com")) == 0);
    CHECK(http_origin_check(S("null")) == 0);
    CHECK(http_origin_check(S("ftp://localhost")) == 0);
    CHECK(http_origin_check(S("http://localhost:evil.com")) == -1);
    CHECK(http_origin_check(S("http://localhost.evil.com")) == 0);
    CHECK(http_origin_check(S("http://localhost/path")) == -1);
    CHECK(http_origin_check(S("http://localhost\0x")) == -1);
    CHECK(http_origin_check(S("localhost")) == -1 && http_origin_check(S("")) == -1);
    CHECK(http_origin_check(S("http://")) == -1 && http_origin_check(S("1http://localhost")) == -1);

    CHECK(http_content_type_is_json(S("application/json")));
    CHECK(http_content_type_is_json(S("Application/JSON")));
    CHECK(http_content_type_is_json(S("application/json; charset=utf-8")));
    CHECK(http_content_type_is_json(S("application/json;charset=\"utf-8\"")));
    CHECK(http_content_type_is_json(S(" application/json ")));
    CHECK(!http_content_type_is_json(S("application/jsonx")));
    CHECK(!http_content_type_is_json(S("application/json-seq")));
    CHECK(!http_content_type_is_json(S("application/json garbage")));
    CHECK(http_content_type_is_json(S("application/json;")));
    CHECK(!http_content_type_is_json(S("application/json; charset")));
    CHECK(!http_content_type_is_json(S("application/json; charset=\"utf-8")));
    CHECK(!http_content_type_is_json(S("application/json\0")));
    CHECK(!http_content_type_is_json(S("text/json")) && !http_content_type_is_json(S("")));
    CHECK(!http_content_type_is_json(S("application/")) && !http_content_type_is_json(S("/json")));

    const char *sse = "text/event-stream", *json = "application/json";
    CHECK(http_accept_rates(S("application/json, text/event-stream"), sse) == 1);
    CHECK(http_accept_rates(S("application/json, text/event-stream"), json) == 1);
    CHECK(http_accept_rates(S("*/*"), sse) == 1);
    CHECK(http_accept_rates(S("text/*"), sse) == 1 && http_accept_rates(S("text/*"), json) == 0);
    CHECK(http_accept_rates(S("TEXT/Event-Stream;q=0.5"), sse) == 1);
    CHECK(http_accept_rates(S("text/event-stream;q=0"), sse) == 0);
    CHECK(http_accept_rates(S("*/*, text/event-stream;q=0"), sse) == 0);
    CHECK(http_accept_rates(S("*/*;q=0, text/event-stream"), sse) == 1);
    CHECK(http_accept_rates(S("text/*;q=0, */*"), sse) == 0);
    CHECK(http_accept_rates(S("text/event-stream;q=1.000, ,"), sse) == 1);
    CHECK(http_accept_rates(S("text/html"), sse) == 0);
    CHECK(http_accept_rates(S("text/event-streamx"), sse) == 0);
    CHECK(http_accept_rates(S("application/json"), sse) == 0);
    CHECK(http_accept_rates(S("foo/*/*bar"), sse) == -1);
    CHECK(http_accept_rates(S("*/json"), json) == -1);
    CHECK(http_accept_rates(S("text"), sse) == -1 && http_accept_rates(S("text/"), sse) == -1);
    CHECK(http_accept_rates(S("text/event-stream;q=2"), sse) == -1);
    CHECK(http_accept_rates(S("text/event-stream;q=1.5"), sse) == -1);
    CHECK(http_accept_rates(S("text/event-stream;q=0.1234"), sse) == -1);
    CHECK(http_accept_rates(S("text/event-stream;q="), sse) == -1);
    CHECK(http_accept_rates(S("text/event-stream x"), sse) == -1);
    CHECK(http_accept_rates(S("text/event-stream\0"), sse) == -1);
    CHECK(http_accept_rates(S(""), sse) == 0);

    CHECK(http_session_id_valid(S("0123456789abcdef0123456789abcdef")));
    CHECK(!http_session_id_valid(S("0123456789ABCDEF0123456789abcdef")));
    CHECK(!http_session_id_valid(S("0123456789abcdef0123456789abcde")));
    CHECK(!http_session_id_valid(S("0123456789abcdef0123456789abcde\0")));
    return check_done("http_headers");
}
