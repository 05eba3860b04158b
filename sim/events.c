/* events: the Event Interface as the simulator models it — evi:subscribe (3.6: event_subscribe)
 * to udp:HOST:PORT sockets, and event_datagram's JSON-RPC notifications sent to them when a
 * modelled command changes state (dialog:end_dlg, usrloc:add/rm/rm_contact) or sim:raise asks.
 * OpenSIPS's behaviour (evi/event_interface.c, modules/event_datagram): an unknown event or a
 * malformed socket is 400 "Bad parameter value"; a subscription to the same event and socket
 * again renews it (subscription time now, the new expire); without "expire" it lasts 3600 s;
 * one whose subscription time + expire is past (expire 0: from the next second) is dropped when
 * the event is next raised. Called with sim.lock held, as every command is. */
#include "events.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

#define EVENTS_SUBS_MAX 128
#define EVENTS_DEFAULT_EXPIRE 3600

/* The events the simulated node publishes: its modules' and the core's. */
static const char *const known_events[] = {
    "E_UL_AOR_INSERT", "E_UL_AOR_DELETE", "E_UL_CONTACT_INSERT", "E_UL_CONTACT_UPDATE",
    "E_UL_CONTACT_DELETE", "E_UL_CONTACT_REFRESH", "E_UL_LATENCY_UPDATE",
    "E_DLG_STATE_CHANGED", "E_DISPATCHER_STATUS", "E_DROUTING_STATUS", "E_LOAD_BALANCER_STATUS",
    "E_PIKE_BLOCKED", "E_CALLCENTER_AGENT_REPORT", "E_CORE_THRESHOLD", "E_CORE_SHM_THRESHOLD",
    "E_CORE_PKG_THRESHOLD", "E_CORE_PROC_AUTO_SCALE", "E_CORE_TCP_DISCONNECT",
    "E_CORE_SR_STATUS_CHANGED", "E_CORE_LOG", NULL};

struct sub {
    char event[64];
    char socket[80];          /* as given, after "udp:" or "tcp:" */
    bool udp;                 /* event_datagram: sent to; event_stream: only listed */
    struct sockaddr_in to;
    time_t since;
    long long expire;
};

static struct sub subs[EVENTS_SUBS_MAX];
static size_t nsubs;
static int sock_fd = -1;

static bool known(const char *ev)
{
    for (const char *const *k = known_events; *k; k++)
        if (!strcmp(*k, ev))
            return true;
    return false;
}

/* "udp:HOST:PORT" (event_datagram) or "tcp:HOST:PORT" (event_stream, accepted as the recordings
 * show, never sent to) with an IPv4 HOST (or localhost) into *to; -1 when malformed. */
static int parse_socket(const char *s, struct sockaddr_in *to, bool *udp, char *rest, size_t n)
{
    char host[64];
    const char *colon;
    char *end;
    long port;

    *udp = !strncmp(s, "udp:", 4);
    if (!*udp && strncmp(s, "tcp:", 4))
        return -1;
    const char *h = s + 4;
    colon = strrchr(h, ':');
    if (!colon || colon == h || (size_t)(colon - h) >= sizeof(host) || strlen(h) >= n)
        return -1;
    memcpy(host, h, (size_t)(colon - h));
    host[colon - h] = 0;
    port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535)
        return -1;
    memset(to, 0, sizeof(*to));
    to->sin_family = AF_INET;
    to->sin_port = htons((unsigned short)port);
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &to->sin_addr) != 1)
        return -1;
    snprintf(rest, n, "%s", h);
    return 0;
}

int evi_subscribe(struct cmd_call *c)
{
    const char *event = NULL, *socket = NULL;
    long long expire = EVENTS_DEFAULT_EXPIRE;
    struct sockaddr_in to;
    char rest[80];
    bool udp;
    int rc;

    if (cmd_param_str(c, "event", &event) < 0 || cmd_param_str(c, "socket", &socket) < 0 ||
        (rc = cmd_param_int(c, "expire", &expire)) < 0)
        return CMD_DONE;
    if (!event || !socket || !*event || !*socket)
        return cmd_error(c, -32602, "Invalid params", NULL);
    if (expire < 0)
        return cmd_error(c, -32602, "Invalid params", "Negative expire value");
    if (!known(event) || parse_socket(socket, &to, &udp, rest, sizeof(rest)) < 0)
        return cmd_error(c, 400, "Bad parameter value", NULL);
    for (size_t i = 0; i < nsubs; i++) {
        if (!strcmp(subs[i].event, event) && !strcmp(subs[i].socket, rest) && subs[i].udp == udp) {
            subs[i].since = time(NULL);
            subs[i].expire = expire;
            return cmd_result(c, json_string("OK"));
        }
    }
    if (nsubs == EVENTS_SUBS_MAX)
        return cmd_error(c, 500, "Internal error", "subscriber table full");
    struct sub *s = &subs[nsubs++];
    snprintf(s->event, sizeof(s->event), "%s", event);
    snprintf(s->socket, sizeof(s->socket), "%s", rest);
    s->to = to;
    s->udp = udp;
    s->since = time(NULL);
    s->expire = expire;
    return cmd_result(c, json_string("OK"));
}

static bool expired(const struct sub *s, time_t now)
{
    return s->since + s->expire < now;
}

static void prune(time_t now)
{
    size_t j = 0;
    for (size_t i = 0; i < nsubs; i++)
        if (!expired(&subs[i], now))
            subs[j++] = subs[i];
    nsubs = j;
}

int events_raise(const char *event, json_t *params)
{
    time_t now = time(NULL);
    json_t *msg;
    char *text;
    int sent = 0;

    prune(now);
    msg = json_pack("{s:s, s:s, s:O}", "jsonrpc", "2.0", "method", event, "params",
                    params ? params : json_object());
    json_decref(params);
    if (!msg)
        return -1;
    text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!text)
        return -1;
    if (sock_fd < 0)
        sock_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    for (size_t i = 0; sock_fd >= 0 && i < nsubs; i++) {
        if (strcmp(subs[i].event, event) || !subs[i].udp)
            continue;
        if (sendto(sock_fd, text, strlen(text), 0, (struct sockaddr *)&subs[i].to,
                   sizeof(subs[i].to)) >= 0)
            sent++;
    }
    free(text);
    return sent;
}

json_t *events_subscribers(void)
{
    time_t now = time(NULL);
    json_t *a = json_array();

    prune(now);
    for (size_t i = 0; a && i < nsubs; i++) {
        long long ttl = subs[i].since + subs[i].expire - now;
        json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "event", subs[i].event,
                                           "socket", subs[i].socket, "expire",
                                           (json_int_t)subs[i].expire, "ttl",
                                           (json_int_t)(ttl < 0 ? 0 : ttl)));
    }
    return a;
}

void events_clear(void)
{
    nsubs = 0;
}
