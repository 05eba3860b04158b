/* fuzz_jsonload: the depth scan against jansson itself. For any bytes: what jsonload accepts is
 * at most JSONLOAD_DEPTH_MAX deep, what jansson parses within the limit jsonload accepts too (the
 * scan refuses nothing valid), and a flattened copy is never too deep. A broken property aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Levels of arrays and objects in v (jansson's own limit keeps this recursion short). */
static size_t depth_of(const json_t *v)
{
    size_t best = 0, d, i;
    const char *k;
    json_t *x;

    if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            if ((d = depth_of(x)) > best)
                best = d;
        }
        return best + 1;
    }
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x) {
            if ((d = depth_of(x)) > best)
                best = d;
        }
        return best + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    json_error_t je;
    json_t *ours = jsonload_bytes(buf, size, JSON_DECODE_ANY, &je);
    json_t *theirs = json_loadb(buf, size, JSON_DECODE_ANY, NULL);
    size_t n;
    char *flat;

    if (ours && depth_of(ours) > JSONLOAD_DEPTH_MAX)
        abort();
    if (!ours && json_error_code(&je) == json_error_stack_overflow && theirs &&
        depth_of(theirs) <= JSONLOAD_DEPTH_MAX)
        abort();
    if (!ours && theirs && json_error_code(&je) != json_error_stack_overflow)
        abort();
    json_decref(ours);
    json_decref(theirs);
    flat = jsonload_flatten(buf, size, JSONLOAD_DEPTH_MAX, &n);
    if (!flat || n > size || jsonload_too_deep_at(flat, n, JSONLOAD_DEPTH_MAX) != n)
        abort();
    free(flat);
    return 0;
}
