/* events/map: what one of a node's event datagrams says, and which of our resources it changes.
 * Pure functions, no I/O: the listener (events/events.h) feeds them bytes from the socket.
 *
 * event_datagram sends each event as one UDP datagram holding a JSON-RPC notification,
 * {"jsonrpc":"2.0","method":"E_DLG_STATE_CHANGED","params":{"callid":"...",...}}, params by
 * name (docs/events.md says where that comes from). */
#ifndef EVENTS_MAP_H
#define EVENTS_MAP_H

#include <jansson.h>
#include <stddef.h>

/* Bytes of one datagram we read; a longer one is cut there by the kernel and refused as
 * malformed JSON. 64 KiB is the most a UDP datagram can carry. */
#define EVENT_DATAGRAM_MAX 65535
/* Longest resource URI an event maps to; a longer one (a huge AOR) is not notified. */
#define EVENT_URI_MAX 512

struct event_msg {
    char name[64];  /* "E_UL_AOR_INSERT" */
    json_t *params; /* an object (new reference; {} when the event has none) */
};

/* Parse buf[0..len) (through jsonload: nesting bounded) into *m. 0, or -1 with a lowercase
 * sentence in err: not JSON, not a notification, a method that is not an event name
 * ("E_" and [A-Z0-9_], under 64 bytes), params neither absent nor an object. */
int event_parse(const char *buf, size_t len, struct event_msg *m, char *err, size_t errlen);
void event_msg_release(struct event_msg *m);

/* The events the server subscribes to on each node, NULL-terminated after EVENT_NAMES_COUNT. */
#define EVENT_NAMES_COUNT 12
extern const char *const event_names[EVENT_NAMES_COUNT + 1];

typedef void (*event_uri_fn)(const char *uri, void *ctx);
/* Call fn with each resource URI that event m on `node` changes ("opensips://pbx1/dialogs",
 * "opensips://pbx1/registrations/alice%40example.com"), template variables encoded as
 * RFC 6570 simple expansion does (every byte outside ALPHA / DIGIT / -._~ percent-encoded), so
 * that each is one path segment. A URI that needs a parameter the event lacks, or would exceed
 * EVENT_URI_MAX, is skipped. Returns how many fn got; 0 for an event we do not map. */
size_t event_uris(const char *node, const struct event_msg *m, event_uri_fn fn, void *ctx);

/* RFC 6570 simple-string expansion of s into out (NUL-terminated): 0, or -1 when it does not
 * fit in n bytes. */
int event_uri_encode(const char *s, char *out, size_t n);
/* The reverse, for a template variable read back from a URI: every %XX decoded into out
 * (NUL-terminated). 0, or -1 when a % is not followed by two hex digits, decodes to a NUL
 * byte, or the result does not fit in n bytes. */
int event_uri_decode(const char *s, char *out, size_t n);

#endif
