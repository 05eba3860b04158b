/* Unit tests for schema: each supported keyword accepts what it should and names what it refuses. */
#include "check.h"
#include "mcp/schema.h"

static const char *schema_text =
    "{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":5,\"pattern\":\"^[a-z]+$\"},"
    "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10},"
    "\"ratio\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"exclusiveMaximum\":1},"
    "\"mode\":{\"enum\":[\"fast\",\"safe\"]},"
    "\"fixed\":{\"const\":42},"
    "\"either\":{\"type\":[\"string\",\"integer\"]},"
    "\"tags\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":2,\"items\":{\"type\":\"string\"}},"
    "\"inner\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"boolean\"}},"
    "\"required\":[\"x\"],\"additionalProperties\":false}"
    "},\"required\":[\"name\"],\"additionalProperties\":false}";

static json_t *schema;

static void ok(const char *args)
{
    char err[512];
    json_t *v = json_loads(args, 0, NULL);
    int rc = schema_validate(schema, v, err, sizeof(err));
    CHECK(rc == 0);
    if (rc)
        fprintf(stderr, "  unexpected refusal of %s: %s\n", args, err);
    json_decref(v);
}

static void bad(const char *args, const char *expect)
{
    char err[512];
    json_t *v = json_loads(args, 0, NULL);
    CHECK(v != NULL);
    CHECK(schema_validate(schema, v, err, sizeof(err)) == -1);
    CHECK_STR(err, expect);
    if (strcmp(err, expect))
        fprintf(stderr, "  for %s\n  got:  %s\n  want: %s\n", args, err, expect);
    json_decref(v);
}

int main(void)
{
    char err[256];

    schema = json_loads(schema_text, 0, NULL);
    CHECK(schema != NULL);
    CHECK(schema_check(schema, err, sizeof(err)) == 0);

    ok("{\"name\":\"ab\"}");
    ok("{\"name\":\"abcde\",\"count\":10,\"ratio\":0.5,\"mode\":\"safe\",\"fixed\":42,"
       "\"either\":3,\"tags\":[\"a\"],\"inner\":{\"x\":true}}");
    ok("{\"name\":\"ab\",\"count\":2.0}"); /* 2.0 is an integer in JSON Schema */
    ok("{\"name\":\"ab\",\"either\":\"s\"}");

    bad("{}", "missing required argument 'name'");
    bad("{\"name\":\"ab\",\"extra\":1}",
        "unknown argument 'extra'; accepted: name, count, ratio, mode, fixed, either, tags, inner");
    bad("{\"name\":3}", "argument 'name' must be a string, not an integer");
    bad("{\"name\":\"a\"}", "argument 'name' must be at least 2 characters long");
    bad("{\"name\":\"abcdef\"}", "argument 'name' must be at most 5 characters long");
    bad("{\"name\":\"AB\"}", "argument 'name' must match the pattern ^[a-z]+$");
    bad("{\"name\":\"ab\",\"count\":\"3\"}", "argument 'count' must be an integer, not a string");
    bad("{\"name\":\"ab\",\"count\":2.5}", "argument 'count' must be an integer, not a number");
    bad("{\"name\":\"ab\",\"count\":0}", "argument 'count' must be at least 1, not 0");
    bad("{\"name\":\"ab\",\"count\":11}", "argument 'count' must be at most 10, not 11");
    bad("{\"name\":\"ab\",\"ratio\":0}", "argument 'ratio' must be greater than 0, not 0");
    bad("{\"name\":\"ab\",\"ratio\":1}", "argument 'ratio' must be less than 1, not 1");
    bad("{\"name\":\"ab\",\"mode\":\"slow\"}", "argument 'mode' must be one of \"fast\", \"safe\"");
    bad("{\"name\":\"ab\",\"fixed\":41}", "argument 'fixed' must be 42");
    bad("{\"name\":\"ab\",\"either\":true}",
        "argument 'either' must be one of the types \"string\", \"integer\", not a boolean");
    bad("{\"name\":\"ab\",\"tags\":[]}", "argument 'tags' must have at least 1 items");
    bad("{\"name\":\"ab\",\"tags\":[\"a\",\"b\",\"c\"]}", "argument 'tags' must have at most 2 items");
    bad("{\"name\":\"ab\",\"tags\":[\"a\",7]}", "argument 'tags[1]' must be a string, not an integer");
    bad("{\"name\":\"ab\",\"inner\":{}}", "argument 'inner' is missing its required property 'x'");
    bad("{\"name\":\"ab\",\"inner\":{\"x\":1}}", "argument 'inner.x' must be a boolean, not an integer");
    bad("{\"name\":\"ab\",\"inner\":{\"x\":true,\"y\":1}}",
        "argument 'inner' has an unknown property 'y'; accepted: x");
    bad("[]", "the arguments must be an object, not an array");

    /* Length counts characters, not bytes: "éé" is two characters. */
    ok("{\"name\":\"ab\",\"either\":\"\xc3\xa9\xc3\xa9\"}");
    {
        json_t *s = json_loads("{\"type\":\"string\",\"maxLength\":2}", 0, NULL);
        json_t *v = json_string("\xc3\xa9\xc3\xa9");
        CHECK(schema_validate(s, v, err, sizeof(err)) == 0);
        json_decref(v);
        json_decref(s);
    }

    /* Our own tables are checked: an unknown type or a broken pattern is caught at start-up. */
    {
        json_t *s = json_loads("{\"type\":\"strin\"}", 0, NULL);
        CHECK(schema_check(s, err, sizeof(err)) == -1);
        json_decref(s);
        s = json_loads("{\"properties\":{\"a\":{\"pattern\":\"([\"}}}", 0, NULL);
        CHECK(schema_check(s, err, sizeof(err)) == -1);
        json_decref(s);
        /* a class escape means one thing to a client (ECMA-262) and another to regcomp:
         * "[^\s]" would refuse "gws" and let a space through */
        s = json_loads("{\"pattern\":\"^[^\\\\s]+$\"}", 0, NULL);
        CHECK(s && schema_check(s, err, sizeof(err)) == -1);
        CHECK_CONTAINS(err, "ECMA-262");
        json_decref(s);
        s = json_loads("{\"pattern\":\"^[0-9]+\\\\.[0-9]+$\"}", 0, NULL);
        CHECK(s && schema_check(s, err, sizeof(err)) == 0); /* escaped punctuation is fine */
        json_decref(s);
    }
    json_decref(schema);
    return check_done("schema");
}
