/* events: the server's own subscriptions to its nodes' events, and the listener that turns them
 * into notifications/resources/updated. With events-listen set, one thread binds a UDP socket
 * per MI node (the first on the configured port, the next on the ports after it; ephemeral
 * ones with port 0), subscribes each node's socket to every event an enabled resource row
 * watches (resources/resources.h, .events) over MI
 * (event_subscribe / evi:subscribe, expire events-expire-s), renews at half the expiry, reads
 * the datagrams event_datagram sends, and for each resource URI an event changes that some
 * session is subscribed to, tells the MCP core once per events-interval-ms (events/coalesce.h).
 * On stop it removes its subscriptions (expire 0) within a short deadline. docs/events.md. */
#ifndef EVENTS_EVENTS_H
#define EVENTS_EVENTS_H

#include <netinet/in.h>
#include <stddef.h>

struct events;
struct mcp_server;
struct mi_client;
struct settings;

/* "ADDR:PORT" (IPv4 dotted quad, or localhost) into *a: 0, or -1 with a sentence in err.
 * event_datagram takes the socket as udp:HOST:PORT and splits it at the first colon: no IPv6. */
int events_parse_listen(const char *s, struct sockaddr_in *a, char *err, size_t errlen);

/* Start when settings->events_listen is set (*out NULL otherwise): bind every node's socket
 * now (a failure is a configuration error), subscribe on the listener thread. mi and srv are
 * borrowed and must outlive events_stop. 0, or -1 with a sentence in err. */
int events_start(const struct settings *s, struct mi_client *mi, struct mcp_server *srv,
                 struct events **out, char *err, size_t errlen);
/* Unsubscribe (expire 0, at most about two seconds in all), stop the thread, close, free.
 * NULL is a no-op. */
void events_stop(struct events *ev);

#endif
