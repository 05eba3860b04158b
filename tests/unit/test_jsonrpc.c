/* Unit tests for jsonrpc: classification of every kind of message and the error for each bad one. */
#include "check.h"
#include "jsonload.h"
#include "jsonrpc.h"

static enum jsonrpc_kind parse(const char *text, struct jsonrpc_msg *m)
{
    return jsonrpc_parse(text, strlen(text), m);
}

static void expect_invalid(const char *text, int code, const char *prefix, int id_is_null)
{
    struct jsonrpc_msg m;

    CHECK(parse(text, &m) == JSONRPC_INVALID);
    CHECK(m.code == code);
    CHECK_PREFIX(m.message, prefix);
    if (id_is_null)
        CHECK(m.id == NULL);
    else
        CHECK(m.id != NULL);
    jsonrpc_msg_release(&m);
}

/* A request whose params hold `depth` levels in all (the envelope is level 1). */
static char *deep_request(size_t depth, const char *head, const char *tail)
{
    size_t n = depth - 2, lh = strlen(head), lt = strlen(tail);
    char *s = malloc(lh + 2 * n + lt + 1);

    memcpy(s, head, lh);
    memset(s + lh, '[', n);
    memset(s + lh + n, ']', n);
    memcpy(s + lh + 2 * n, tail, lt + 1);
    return s;
}

/* One nesting limit for every message: at the limit parsed, beyond it refused with the id when
 * it can be read, and never handed to jansson as it is. */
static void test_depth(void)
{
    const char *head = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"a\":";
    struct jsonrpc_msg m;
    char *s;

    s = deep_request(JSONLOAD_DEPTH_MAX, head, "}}");
    CHECK(parse(s, &m) == JSONRPC_REQUEST);
    jsonrpc_msg_release(&m);
    free(s);
    for (size_t depth = JSONLOAD_DEPTH_MAX + 1; depth < 200000; depth *= 7) {
        s = deep_request(depth, head, "}}");
        CHECK(parse(s, &m) == JSONRPC_INVALID);
        CHECK(m.code == JSONRPC_INVALID_PARAMS);
        CHECK(json_integer_value(m.id) == 5);
        CHECK_STR(m.method, "tools/call");
        CHECK_CONTAINS(m.message, "nested deeper than 64 levels");
        jsonrpc_msg_release(&m);
        free(s);
    }
    /* a notification, or anything without a readable id: -32600, id null */
    s = deep_request(3000, "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"a\":", "}}");
    expect_invalid(s, JSONRPC_INVALID_REQUEST, "Invalid Request: the message is nested deeper", 1);
    free(s);
    s = deep_request(3000, "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":", "},\"method\":\"x\"}");
    expect_invalid(s, JSONRPC_INVALID_REQUEST, "Invalid Request: the message is nested deeper", 1);
    free(s);
    /* cut short: still the depth, not a parse error at some later byte */
    s = deep_request(3000, head, "}}");
    s[strlen(s) / 2] = '\0';
    expect_invalid(s, JSONRPC_INVALID_REQUEST, "Invalid Request: the message is nested deeper", 1);
    free(s);
    /* a response too deep reaches the waiting call as an error, and is never answered */
    s = deep_request(3000, "{\"jsonrpc\":\"2.0\",\"id\":\"srv-2\",\"result\":{\"a\":", "}}");
    CHECK(parse(s, &m) == JSONRPC_RESPONSE);
    CHECK_STR(json_string_value(m.id), "srv-2");
    CHECK(m.result == NULL);
    CHECK(json_integer_value(json_object_get(m.error, "code")) == JSONRPC_INVALID_REQUEST);
    CHECK_CONTAINS(json_string_value(json_object_get(m.error, "message")), "nested deeper");
    jsonrpc_msg_release(&m);
    free(s);
    /* brackets inside strings are text, not nesting */
    s = deep_request(3, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"a\":"
                        "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\",\"b\":", "}}");
    CHECK(parse(s, &m) == JSONRPC_REQUEST);
    jsonrpc_msg_release(&m);
    free(s);
}

int main(void)
{
    struct jsonrpc_msg m;

    CHECK(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", &m) == JSONRPC_REQUEST);
    CHECK_STR(m.method, "ping");
    CHECK(json_integer_value(m.id) == 1);
    CHECK(m.params == NULL);
    jsonrpc_msg_release(&m);

    CHECK(parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":{\"k\":1}}", &m) ==
          JSONRPC_REQUEST);
    CHECK(json_is_object(m.params));
    jsonrpc_msg_release(&m);

    CHECK(parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &m) ==
          JSONRPC_NOTIFICATION);
    jsonrpc_msg_release(&m);

    CHECK(parse("{\"jsonrpc\":\"2.0\",\"id\":\"srv-1\",\"result\":{}}", &m) == JSONRPC_RESPONSE);
    CHECK_STR(json_string_value(m.id), "srv-1");
    jsonrpc_msg_release(&m);

    /* An error reply with id null is a response: never answered, never bounced. */
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"x\"}}",
                &m) == JSONRPC_RESPONSE);
    CHECK(m.id == NULL);
    jsonrpc_msg_release(&m);

    expect_invalid("garbage", JSONRPC_PARSE_ERROR, "Parse error", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1", JSONRPC_PARSE_ERROR, "Parse error", 1);
    expect_invalid("", JSONRPC_PARSE_ERROR, "Parse error", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\"} trailing", JSONRPC_PARSE_ERROR,
                   "Parse error", 1);
    expect_invalid("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: batch", 1);
    expect_invalid("42", JSONRPC_INVALID_REQUEST, "Invalid Request: a message must be a JSON object", 1);
    expect_invalid("\"ping\"", JSONRPC_INVALID_REQUEST, "Invalid Request: a message must", 1);
    expect_invalid("null", JSONRPC_INVALID_REQUEST, "Invalid Request: a message must", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: id must be a string or an integer, not null", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: id must be a string or an integer, not an object", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: id must be", 1);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: id must be", 1);
    expect_invalid("{\"id\":1,\"method\":\"ping\"}", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: member \"jsonrpc\"", 0);
    expect_invalid("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: member \"jsonrpc\"", 0);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1}", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: member \"method\" is missing", 0);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", JSONRPC_INVALID_REQUEST,
                   "Invalid Request: member \"method\" must be a string", 0);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3}",
                   JSONRPC_INVALID_REQUEST, "Invalid Request: member \"params\"", 0);
    /* Invalid UTF-8 is unparsable. */
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", JSONRPC_PARSE_ERROR,
                   "Parse error", 1);

    {
        json_t *id = json_integer(7);
        json_t *e = jsonrpc_error_new(id, -32601, "Method not found: x", NULL);
        char *s = jsonrpc_dump(e);
        CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32601,\"message\":"
                     "\"Method not found: x\"}}");
        free(s);
        json_decref(e);
        e = jsonrpc_result_new(NULL, NULL);
        s = jsonrpc_dump(e);
        CHECK_STR(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}");
        free(s);
        json_decref(e);
        /* A newline inside a string never reaches the wire raw (stdio framing). */
        e = jsonrpc_result_new(id, json_pack("{s:s}", "t", "a\nb"));
        s = jsonrpc_dump(e);
        CHECK(strchr(s, '\n') == NULL);
        free(s);
        json_decref(e);
        json_decref(id);
    }
    test_depth();
    return check_done("jsonrpc");
}
