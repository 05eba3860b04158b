/* Unit tests for mi/reply: the recorded reply shapes (result, JSON-RPC error, plain-text
 * "500 Internal error" on a stream and on a datagram, "400 Parse_error", empty), and what a
 * broken node can send (not JSON, another id, no result, a code outside int), with bytes that
 * are not NUL-terminated. */
#include <pthread.h>

#include "check.h"
#include "jsonload.h"
#include "mi/reply.h"

static const struct mi_reply_from stream = {"edge", "fifo:/tmp/opensips_fifo", "dlg_list", false};
static const struct mi_reply_from dgram = {"edge", "udp:127.0.0.1:8080", "ul_dump", true};

/* Parse s as the reply to request 1, from a heap copy without a terminating NUL. */
static enum mi_err parse(const char *s, const struct mi_reply_from *from, json_t **result,
                         struct mi_error *e)
{
    size_t len = strlen(s);
    char *copy = malloc(len ? len : 1);
    memcpy(copy, s, len);
    *result = NULL;
    mi_error_clear(e);
    enum mi_err rc = mi_reply_parse(copy, len, 1, from, result, e);
    free(copy);
    return rc;
}

/* A reply whose result is `depth` nested arrays, answering request 1. */
static char *deep_reply(size_t depth)
{
    static const char head[] = "{\"jsonrpc\":\"2.0\",\"result\":", tail[] = ",\"id\":1}";
    char *s = malloc(sizeof head + 2 * depth + sizeof tail);

    memcpy(s, head, sizeof head - 1);
    memset(s + sizeof head - 1, '[', depth);
    memset(s + sizeof head - 1 + depth, ']', depth);
    memcpy(s + sizeof head - 1 + 2 * depth, tail, sizeof tail);
    return s;
}

struct deep_case {
    size_t depth;
    enum mi_err rc;
    json_t *result;
    struct mi_error e;
};

static void *parse_deep(void *arg)
{
    struct deep_case *c = arg;
    char *s = deep_reply(c->depth);

    c->result = NULL;
    c->rc = mi_reply_parse(s, strlen(s), 1, &stream, &c->result, &c->e);
    free(s);
    return NULL;
}

/* A hostile node's reply nested 2 040 deep (under jansson's own limit) is a typed error, on a
 * stack as small as a worker's (src/mcp/workers.c), never a crash. */
static void test_deep(void)
{
    pthread_attr_t attr;
    pthread_t t;
    size_t depths[] = {JSONLOAD_DEPTH_MAX - 2, JSONLOAD_DEPTH_MAX, 2040, 100000};

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        struct deep_case c = {.depth = depths[i]};
        CHECK(pthread_create(&t, &attr, parse_deep, &c) == 0);
        pthread_join(t, NULL);
        if (c.depth <= JSONLOAD_DEPTH_MAX - 1) { /* the envelope is one level */
            CHECK(c.rc == MI_OK && json_is_array(c.result));
        } else {
            CHECK(c.rc == MI_ERR_GARBAGE && c.result == NULL);
            CHECK_CONTAINS(c.e.text, "to 'dlg_list' is nested deeper than 64 levels");
        }
        json_decref(c.result);
    }
    pthread_attr_destroy(&attr);
}

int main(void)
{
    struct mi_error e;
    json_t *r;

    CHECK(parse("{\"jsonrpc\":\"2.0\",\"result\":{\"Dialogs\":[]},\"id\":1}", &stream, &r, &e) ==
          MI_OK);
    CHECK(json_is_array(json_object_get(r, "Dialogs")) && e.err == MI_OK);
    json_decref(r);
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}\n", &stream, &r, &e) == MI_OK);
    CHECK(json_is_null(r));
    json_decref(r);

    CHECK(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":404,\"message\":\"Requested Dialog not "
                "found\"},\"id\":1}", &stream, &r, &e) == MI_ERR_MI);
    CHECK(r == NULL && e.code == 404);
    CHECK_STR(e.message, "Requested Dialog not found");
    CHECK_STR(e.text, "MI command 'dlg_list' failed on node 'edge': Requested Dialog not found "
                      "(404)");
    /* the reason OpenSIPS gives in "data" reaches the caller (4.0.1 usrloc:add, recorded) */
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"Invalid params\","
                "\"data\":\"Bad type for parameter 'cflags'\"},\"id\":1}", &stream, &r, &e) ==
          MI_ERR_MI && e.code == -32602);
    CHECK_STR(e.message, "Invalid params: Bad type for parameter 'cflags'");
    CHECK_STR(e.text, "MI command 'dlg_list' failed on node 'edge': Invalid params: Bad type for "
                      "parameter 'cflags' (-32602)");
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":500,\"message\":\"x\",\"data\":{\"a\":[1]}},"
                "\"id\":1}", &stream, &r, &e) == MI_ERR_MI);
    CHECK_STR(e.message, "x: {\"a\":[1]}");
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":500,\"message\":\"x\",\"data\":null},"
                "\"id\":1}", &stream, &r, &e) == MI_ERR_MI);
    CHECK_STR(e.message, "x");
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601},\"id\":1}", &stream, &r, &e) ==
          MI_ERR_MI && e.code == -32601);
    CHECK_CONTAINS(e.text, "no message");
    /* 2^32 - 32601 would become -32601 if cut to int */
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":4294934695,\"message\":\"x\"},\"id\":1}",
                &stream, &r, &e) == MI_ERR_GARBAGE && e.code == 0);
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":\"404\"},\"id\":1}", &stream, &r, &e) ==
          MI_ERR_GARBAGE);

    CHECK(parse("500 Internal error", &stream, &r, &e) == MI_ERR_SERVER && e.code == 500);
    CHECK_CONTAINS(e.text, "answered \"500 Internal error\" to 'dlg_list'");
    CHECK(parse("500 Internal error\n", &dgram, &r, &e) == MI_ERR_TOO_LARGE && e.code == 500);
    CHECK_CONTAINS(e.text, "did not fit one datagram (node answered \"500 Internal error\")");
    CHECK(parse("400 Parse_error", &dgram, &r, &e) == MI_ERR_GARBAGE && e.code == 400);
    CHECK_CONTAINS(e.text, "refused the request 'ul_dump': \"400 Parse_error\"");
    CHECK(parse("503 \x01\xff\n", &stream, &r, &e) == MI_ERR_SERVER);
    CHECK_CONTAINS(e.text, "\"503 ..\"");

    CHECK(parse("", &stream, &r, &e) == MI_ERR_GARBAGE);
    CHECK_CONTAINS(e.text, "empty reply");
    CHECK(parse("\x01<html>garbage\xff\xfe not json", &stream, &r, &e) == MI_ERR_GARBAGE);
    CHECK_CONTAINS(e.text, "is not JSON");
    CHECK_CONTAINS(e.text, "starts \".<html>garbage.. not json\"");
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"result\":{\"Dialo", &stream, &r, &e) == MI_ERR_GARBAGE);
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":2}", &stream, &r, &e) ==
          MI_ERR_GARBAGE);
    CHECK_CONTAINS(e.text, "not a JSON-RPC response to request 1");
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":\"1\"}", &stream, &r, &e) ==
          MI_ERR_GARBAGE);
    CHECK(parse("[{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":1}]", &stream, &r, &e) ==
          MI_ERR_GARBAGE);
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"id\":1}", &stream, &r, &e) == MI_ERR_GARBAGE);
    CHECK_CONTAINS(e.text, "neither result nor error");
    CHECK(parse("{\"result\":1,\"id\":1}{\"result\":2,\"id\":2}", &stream, &r, &e) ==
          MI_ERR_GARBAGE);

    /* no error record, no sender */
    r = NULL;
    CHECK(mi_reply_parse("500 x", 5, 1, NULL, &r, NULL) == MI_ERR_SERVER && r == NULL);
    CHECK(mi_reply_parse("{\"result\":1,\"id\":7}", 19, 7, NULL, &r, NULL) == MI_OK);
    CHECK(json_integer_value(r) == 1);
    json_decref(r);
    test_deep();
    return check_done("test_mi_reply");
}
