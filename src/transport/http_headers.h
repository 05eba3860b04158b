/* http_headers: strict parsers for the request headers the HTTP transport acts on (Host, Origin,
 * Content-Type, Accept, Mcp-Session-Id). Pure functions over (pointer, length), so a NUL byte
 * inside a value is seen and refused rather than silently cutting it short; no allocation, no
 * state, fuzzed by fuzz/fuzz_http_headers.c. */
#ifndef TRANSPORT_HTTP_HEADERS_H
#define TRANSPORT_HTTP_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

/* A parsed Host (RFC 9110 §7.2, RFC 3986 §3.2.2): `name` points into the input (for an IPv6
 * literal it includes the brackets); port is 0 when absent. */
struct http_host {
    const char *name;
    size_t name_len;
    unsigned port;
    bool ipv6;
};

/* Parse "host[:port]": a reg-name or IPv4 address of letters, digits, '-', '.' and '_' (1 to 253
 * bytes), or an IPv6 literal in brackets (hex digits, ':' and '.'); an optional port of 1 to 5
 * digits up to 65535. Anything else (NUL, spaces, a second ':', junk after the port, an empty
 * host) fails. Returns 0, or -1. */
int http_host_parse(const char *s, size_t len, struct http_host *out);

/* Whether a parsed host names this machine's loopback: localhost (any case), 127.0.0.1 or [::1]. */
bool http_host_is_loopback(const struct http_host *h);

/* Parse an Origin (RFC 6454 §7): "null", or scheme "://" host [":" port] with nothing after.
 * Returns 1 when it is http or https on a loopback host, 0 when it is well formed but not
 * loopback, -1 when malformed. */
int http_origin_check(const char *s, size_t len);

/* Whether a Content-Type is exactly the media type application/json (case-insensitive), with
 * optional parameters (";" token "=" token-or-quoted-string), surrounding whitespace allowed.
 * "application/jsonx", "application/json-seq" and "application/json garbage" are not. */
bool http_content_type_is_json(const char *s, size_t len);

/* How an Accept header (RFC 9110 §12.5.1) rates `type` ("text/event-stream"): 1 when some
 * media range matches it with q > 0 (the most specific matching range decides: exact, then
 * type/x, then x/x, with x the wildcard), 0 when no range does or the deciding one has q=0,
 * -1 when the header is malformed (a range that is not type/subtype with tokens, a wildcard type
 * with a concrete subtype, a bad parameter or q-value). */
int http_accept_rates(const char *s, size_t len, const char *type);

/* Whether an Mcp-Session-Id has the shape of the ids this server hands out: 32 lowercase hex
 * digits. Anything else cannot name a session. */
bool http_session_id_valid(const char *s, size_t len);

#endif
