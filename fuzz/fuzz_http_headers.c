/* fuzz_http_headers: feed arbitrary bytes to every request-header parser of the HTTP transport
 * (Host, Origin, Content-Type, Accept, Mcp-Session-Id). The first byte picks which Accept type
 * is rated; each parser must stay inside its input and keep its documented invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/http_headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"text/event-stream", "application/json"};
    const char *s = (const char *)data;
    struct http_host h;
    int r;

    if (http_host_parse(s, size, &h) == 0) {
        /* A parsed host lies inside the input, has no NUL and a port in range. */
        if (h.name != s || h.name_len == 0 || h.name_len > size || memchr(s, '\0', size) ||
            h.port > 65535)
            abort();
        (void)http_host_is_loopback(&h);
    }
    r = http_origin_check(s, size);
    if (r < -1 || r > 1 || (r == 1 && memchr(s, '\0', size)))
        abort();
    if (http_content_type_is_json(s, size) && (size < 16 || memchr(s, '\0', size)))
        abort();
    r = http_accept_rates(s, size, types[size ? data[0] & 1 : 0]);
    if (r < -1 || r > 1 || (r == 1 && memchr(s, '\0', size)))
        abort();
    if (http_session_id_valid(s, size) && size != 32)
        abort();
    return 0;
}
