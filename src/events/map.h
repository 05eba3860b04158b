/* events/map: what one of a node's event datagrams says. Pure functions, no I/O: the listener
 * (events/events.h) feeds them bytes from the socket. Which resources an event changes is in
 * the resource rows (resources/resources.h, their .events), the one table of it.
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

struct event_msg {
    char name[64];  /* "E_UL_AOR_INSERT" */
    json_t *params; /* an object (new reference; {} when the event has none) */
};

/* Parse buf[0..len) (through jsonload: nesting bounded) into *m. 0, or -1 with a lowercase
 * sentence in err: not JSON, not a notification, a method that is not an event name
 * ("E_" and [A-Z0-9_], under 64 bytes), params neither absent nor an object. */
int event_parse(const char *buf, size_t len, struct event_msg *m, char *err, size_t errlen);
void event_msg_release(struct event_msg *m);

#endif
