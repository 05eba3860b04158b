/* test_tool_cap: tool_cap keeps a reply under its cap in one pass — whole items of the longest
 * list, or the beginning of its text cut on a UTF-8 character boundary — and utf8_prefix_len. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tools/tool.h"
#include "utf8.h"

static size_t size_of(const json_t *v)
{
    return json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Valid UTF-8 by the rules of RFC 3629 (no overlongs, no surrogates, at most U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
            return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += len;
    }
    return 1;
}

static void test_utf8_prefix(void)
{
    const char *s = "a\xC3\xA9" "b\xE2\x82\xAC" "c\xF0\x9F\x98\x80"; /* a é b € c 😀 */
    size_t len = strlen(s);

    CHECK(utf8_prefix_len(s, len, 0) == 0);
    CHECK(utf8_prefix_len(s, len, 1) == 1);
    CHECK(utf8_prefix_len(s, len, 2) == 1); /* inside é */
    CHECK(utf8_prefix_len(s, len, 3) == 3);
    CHECK(utf8_prefix_len(s, len, 5) == 4); /* inside € */
    CHECK(utf8_prefix_len(s, len, 6) == 4);
    CHECK(utf8_prefix_len(s, len, 7) == 7);
    CHECK(utf8_prefix_len(s, len, 9) == 8); /* inside 😀 */
    CHECK(utf8_prefix_len(s, len, 11) == 8);
    CHECK(utf8_prefix_len(s, len, 12) == 12);
    CHECK(utf8_prefix_len(s, len, 100) == len);
    for (size_t max = 0; max <= len; max++)
        CHECK(valid_utf8((const unsigned char *)s, utf8_prefix_len(s, len, max)));
    char buf[16];
    strcpy(buf, s);
    CHECK_STR(utf8_truncate(buf, 6), "a\xC3\xA9" "b");
}

static void test_under_cap_untouched(void)
{
    json_t *v = json_pack("{s:[i,i,i], s:s}", "a", 1, 2, 3, "b", "x"), *r;
    char *note = (char *)1;

    r = tool_cap(v, 1000, &note);
    CHECK(r == v);
    CHECK(note == NULL);
    CHECK(json_array_size(json_object_get(r, "a")) == 3);
    json_decref(r);
}

/* The longest list keeps as many whole items as fit: one more would not. */
static void test_longest_list_cut(void)
{
    for (size_t cap = 200; cap < 1400; cap += 37) {
        json_t *v = json_object(), *items = json_array(), *small = json_pack("[i,i]", 1, 2), *r;
        char *note = NULL;
        for (int i = 0; i < 300; i++)
            json_array_append_new(items, json_pack("{s:i, s:s}", "id", i, "name", "\xC3\xA9t\xC3\xA9"));
        json_object_set_new(v, "items", items);
        json_object_set_new(v, "other", small);
        r = tool_cap(v, cap, &note);
        size_t kept = json_array_size(json_object_get(r, "items"));
        CHECK(r == v);
        CHECK(size_of(r) <= cap);
        CHECK(kept < 300);
        CHECK(json_array_size(json_object_get(r, "other")) == 2);
        /* one more item would not fit */
        json_array_append_new(json_object_get(r, "items"),
                              json_pack("{s:i, s:s}", "id", (int)kept, "name", "\xC3\xA9t\xC3\xA9"));
        CHECK(size_of(r) > cap);
        CHECK_CONTAINS(note, "of 300 items of its longest list are shown");
        free(note);
        json_decref(r);
    }
}

/* A text with a character of 1 to 4 bytes at every offset near the cap: the cut never splits
 * one, the result is valid JSON with valid UTF-8 and fits the cap. */
static void test_multibyte_every_offset(void)
{
    static const char *const chars[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\"",
                                        "\\", "\n", "\x01"};
    const size_t cap = 300;

    for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++) {
        for (size_t pad = 200; pad < 320; pad++) {
            char text[2048];
            size_t len = 0;
            memset(text, 'a', pad);
            len = pad;
            while (len + 8 < sizeof(text) - 1 && len < pad + 600) {
                memcpy(text + len, chars[c], strlen(chars[c]));
                len += strlen(chars[c]);
            }
            text[len] = '\0';
            json_t *v = json_pack("{s:s}", "config", text), *r;
            char *note = NULL;
            CHECK(v != NULL);
            r = tool_cap(v, cap, &note);
            CHECK(r != NULL);
            const char *prefix = json_string_value(json_object_get(r, "text_prefix"));
            CHECK(prefix != NULL);
            CHECK(json_is_true(json_object_get(r, "truncated")));
            CHECK(prefix && valid_utf8((const unsigned char *)prefix, strlen(prefix)));
            CHECK(r && size_of(r) <= cap);
            CHECK(prefix && strlen(prefix) > cap / 4); /* a useful share of the cap is used */
            CHECK_CONTAINS(note, "only its first");
            /* the result survives being packed again, as mi_execute does */
            json_t *out = json_pack("{s:s, s:o}", "command", "x", "result", r);
            CHECK(out != NULL);
            json_decref(out);
            free(note);
        }
    }
}

/* Multi-byte text inside the items of a list: whole items are kept, never cut. */
static void test_multibyte_items(void)
{
    for (size_t cap = 100; cap < 400; cap++) {
        json_t *v = json_array(), *r;
        char *note = NULL;
        for (int i = 0; i < 40; i++)
            json_array_append_new(v, json_string("\xF0\x9F\x98\x80\xE2\x82\xAC\xC3\xA9"));
        r = tool_cap(v, cap, &note);
        CHECK(r != NULL && size_of(r) <= cap);
        CHECK(json_array_size(r) > 0);
        free(note);
        json_decref(r);
    }
}

/* One item too large on its own, and a list emptied that still does not fit: text. */
static void test_falls_back_to_text(void)
{
    char big[4000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    json_t *v = json_pack("{s:s, s:[i,i,i]}", "blob", big, "list", 1, 2, 3), *r;
    char *note = NULL;

    r = tool_cap(v, 500, &note);
    CHECK(r != NULL && size_of(r) <= 500);
    CHECK(json_is_string(json_object_get(r, "text_prefix")));
    CHECK_CONTAINS(note, "only its first");
    free(note);
    json_decref(r);

    v = json_pack("[s]", big);
    r = tool_cap(v, 500, &note);
    CHECK(r != NULL && size_of(r) <= 500);
    CHECK(json_is_string(json_object_get(r, "text_prefix")));
    free(note);
    json_decref(r);
}

int main(void)
{
    test_utf8_prefix();
    test_under_cap_untouched();
    test_longest_list_cut();
    test_multibyte_every_offset();
    test_multibyte_items();
    test_falls_back_to_text();
    return check_done("tool_cap");
}
