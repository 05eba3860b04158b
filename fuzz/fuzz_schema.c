/* fuzz_schema: validate arbitrary JSON against a schema that uses every supported keyword. */
#include <stdint.h>
#include <stdlib.h>

#include "mcp/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char schema_text[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":16,\"pattern\":\"^[a-z][a-z0-9_]*$\"},"
    "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100},"
    "\"ratio\":{\"type\":[\"number\",\"null\"],\"exclusiveMinimum\":0},"
    "\"mode\":{\"enum\":[\"fast\",\"safe\",1,null]},\"fixed\":{\"const\":{\"a\":[1]}},"
    "\"tags\":{\"type\":\"array\",\"maxItems\":4,\"items\":{\"type\":\"string\",\"maxLength\":3}},"
    "\"inner\":{\"type\":\"object\",\"required\":[\"x\"],\"additionalProperties\":false,"
    "\"properties\":{\"x\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}"
    "},\"required\":[\"name\"],\"additionalProperties\":false}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *schema;
    json_t *v;
    char err[512];

    if (!schema && !(schema = json_loads(schema_text, 0, NULL)))
        abort();
    v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (v) {
        schema_validate(schema, v, err, sizeof(err));
        json_decref(v);
    }
    return 0;
}
