/* events: the simulated Event Interface — subscriptions (evi:subscribe / event_subscribe) and
 * event_datagram notifications to them. Every function runs with sim.lock held. */
#ifndef SIM_EVENTS_H
#define SIM_EVENTS_H

#include <jansson.h>

#include "commands.h"

/* evi:subscribe / event_subscribe: event, socket ("udp:HOST:PORT", IPv4), optional expire. */
int evi_subscribe(struct cmd_call *c);
/* Send `event` with `params` (stolen; NULL: {}) to each live subscriber of it, as
 * event_datagram does: {"jsonrpc":"2.0","method":EVENT,"params":{...}}. Returns how many
 * datagrams went out, or -1 when out of memory. */
int events_raise(const char *event, json_t *params);
/* The live subscriptions: [{"event","socket","expire","ttl"}] (new reference). */
json_t *events_subscribers(void);
/* Forget every subscription, as a restarted OpenSIPS has none. */
void events_clear(void);

#endif
