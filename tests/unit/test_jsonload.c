/* Unit tests for jsonload: the depth scan (strings, escapes, the exact limit), the error it
 * gives, the file reader and the flattened copy of a message too deep to accept. */
#include <unistd.h>

#include "check.h"
#include "jsonload.h"

/* n '[' then n ']' (caller frees). */
static char *nested(size_t n, const char *pre, const char *post)
{
    size_t lp = strlen(pre), lq = strlen(post);
    char *s = malloc(lp + 2 * n + lq + 1);

    memcpy(s, pre, lp);
    memset(s + lp, '[', n);
    memset(s + lp + n, ']', n);
    memcpy(s + lp + 2 * n, post, lq + 1);
    return s;
}

static void test_scan(void)
{
    char *s;

    CHECK(jsonload_too_deep_at("[]", 2, 1) == 2);
    CHECK(jsonload_too_deep_at("[[]]", 4, 1) == 1);
    CHECK(jsonload_too_deep_at("{\"a\":[]}", 8, 1) == 5);
    /* brackets inside strings, escaped quotes and backslashes do not count */
    const char *str = "[\"[[[{{{\",\"\\\"[[[\",\"\\\\\",[]]";
    CHECK(jsonload_too_deep_at(str, strlen(str), 2) == strlen(str));
    CHECK(jsonload_too_deep_at(str, strlen(str), 1) == strlen(str) - 3);
    /* closing brackets never go below zero */
    CHECK(jsonload_too_deep_at("]]][[", 5, 1) == 4);

    /* exactly the limit is accepted, one more is not */
    s = nested(JSONLOAD_DEPTH_MAX, "", "");
    json_t *v = jsonload_string(s, 0, NULL);
    CHECK(json_is_array(v));
    json_decref(v);
    free(s);
    s = nested(JSONLOAD_DEPTH_MAX + 1, "", "");
    json_error_t je;
    CHECK(jsonload_string(s, 0, &je) == NULL);
    CHECK(json_error_code(&je) == json_error_stack_overflow);
    CHECK_STR(je.text, "nested deeper than 64 levels of arrays and objects");
    CHECK(je.position == JSONLOAD_DEPTH_MAX);
    CHECK(je.line == 1);
    free(s);
    /* 2040 deep (under jansson's own 2048) and far beyond it */
    s = nested(2040, "{\"x\":", "}");
    CHECK(jsonload_string(s, 0, &je) == NULL && json_error_code(&je) == json_error_stack_overflow);
    free(s);
    s = nested(100000, "", "");
    CHECK(jsonload_bytes(s, strlen(s), 0, NULL) == NULL);
    free(s);
    /* other errors are jansson's, unchanged */
    CHECK(jsonload_string("[1,", 0, &je) == NULL);
    CHECK(json_error_code(&je) == json_error_premature_end_of_input);
}

static void test_file(void)
{
    char path[] = "/tmp/opensips-mcp-jsonload-XXXXXX";
    int fd = mkstemp(path);
    json_error_t je;
    json_t *v;
    char *s;

    CHECK(fd >= 0);
    s = nested(5000, "{\"mi\":\n", "}");
    CHECK(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
    free(s);
    CHECK(jsonload_file(path, 0, &je) == NULL);
    CHECK(json_error_code(&je) == json_error_stack_overflow);
    CHECK(je.line == 2 && je.position == 7 + JSONLOAD_DEPTH_MAX - 1);
    CHECK_CONTAINS(je.source, "jsonload");
    CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
    s = nested(JSONLOAD_DEPTH_MAX - 1, "{\"mi\":", "}");
    CHECK(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
    free(s);
    v = jsonload_file(path, JSON_REJECT_DUPLICATES, &je);
    CHECK(json_is_array(json_object_get(v, "mi")));
    json_decref(v);
    close(fd);
    unlink(path);
    CHECK(jsonload_file(path, 0, &je) == NULL);
    CHECK_CONTAINS(je.text, "unable to open");
}

static void test_flatten(void)
{
    size_t n;
    char *in = nested(3000, "{\"id\":7,\"a\":\"]\",\"p\":{\"q\":", ",\"b\":[1]}}"), *out;

    out = jsonload_flatten(in, strlen(in), 3, &n);
    CHECK_STR(out, "{\"id\":7,\"a\":\"]\",\"p\":{\"q\":[0],\"b\":[1]}}");
    CHECK(n == strlen(out));
    free(out);
    free(in);
    /* never closed: the rest is dropped */
    out = jsonload_flatten("[[[[\"x\"", 7, 2, &n);
    CHECK_STR(out, "[[");
    free(out);
    out = jsonload_flatten("[]", 2, 2, &n);
    CHECK_STR(out, "[]");
    free(out);
}

int main(void)
{
    test_scan();
    test_file();
    test_flatten();
    return check_done("jsonload");
}
