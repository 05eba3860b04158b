/* events: the listener thread — sockets per node, subscriptions over MI, datagrams into resource
 * URIs (through the resource rows), coalesced flushes into the MCP core. */
#include "events/events.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"
#include "events/coalesce.h"
#include "events/map.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp/server.h"
#include "mi/client.h"
#include "resources/resources.h"
#include "settings.h"
#include "strparse.h"

/* Datagrams read from one socket per loop round, so that a flood on one node cannot starve
 * the flush, the renewals or the other nodes. */
#define READS_PER_ROUND 64
/* A node that could not be reached is tried again this soon (or at the renewal, if sooner). */
#define RETRY_MS 10000u
/* How often a subscribed node is asked its uptime: a restarted OpenSIPS has no subscribers, and
 * waiting for the renewal (half the expiry, 300 s by default) would leave clients unnotified. */
#define PROBE_MS 5000u
/* A subscribe call has the MI client's deadline (--mi-timeout-ms), cut short by stop; the
 * whole unsubscription on exit gets UNSUB_BUDGET_MS. */
#define UNSUB_BUDGET_MS 2000u

struct ev_node {
    char name[64];
    int fd;
    char socket[80];          /* "udp:127.0.0.1:40001", what the node is given */
    unsigned long long subscribed; /* bit i: events.names[i] is subscribed on the node */
    uint64_t next_renew;      /* mi_deadline_after's scale */
    uint64_t next_probe;      /* when to ask its uptime next */
    char up_since[64];        /* core:uptime's "Up since" at the last probe ("" before one) */
    long long up_s;           /* and its "Up time", seconds */
    bool unreachable;         /* the last round could not reach it (warned once) */
};

struct events {
    struct mi_client *mi;
    struct mcp_server *srv;
    unsigned expire_s, interval_ms;
    struct ev_node *nodes;
    size_t n;
    struct cancel stop;       /* fired by events_stop: wakes the loop, stops a subscribe call */
    pthread_t thread;
    struct coalesce pending;
    const char *names[RESOURCE_EVENTS_MAX + 1]; /* what the enabled resources watch, NULL-ended */
    size_t nnames;
    char buf[EVENT_DATAGRAM_MAX + 1];
};

_Static_assert(RESOURCE_EVENTS_MAX <= 64, "ev_node.subscribed has a bit per event");

int events_parse_listen(const char *s, struct sockaddr_in *a, char *err, size_t errlen)
{
    char host[64];
    const char *colon = s ? strrchr(s, ':') : NULL;
    uint64_t port;

    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host)) {
        snprintf(err, errlen, "events-listen '%.100s' is not ADDR:PORT (an IPv4 address, e.g. "
                 "127.0.0.1:4711)", s ? s : "");
        return -1;
    }
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    if (parse_uint(colon + 1, 65535, &port) < 0) {
        snprintf(err, errlen, "events-listen '%.100s': the port must be 0 to 65535", s);
        return -1;
    }
    memset(a, 0, sizeof(*a));
    a->sin_family = AF_INET;
    a->sin_port = htons((unsigned short)port);
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
        snprintf(err, errlen, "events-listen '%.100s': '%s' is not an IPv4 address (OpenSIPS's "
                 "event_datagram takes udp:HOST:PORT and cannot parse IPv6)", s, host);
        return -1;
    }
    if (a->sin_addr.s_addr == htonl(INADDR_ANY)) {
        snprintf(err, errlen, "events-listen '%.100s': give the address the node sends to, not "
                 "0.0.0.0 (it is also what the node is told)", s);
        return -1;
    }
    return 0;
}

/* ---- subscriptions ---- */

/* Subscribe (or with expire 0, unsubscribe) one event: the MI result. */
static enum mi_err subscribe_one(struct events *ev, struct ev_node *nd, const char *event,
                                 unsigned expire, uint64_t deadline, struct mi_error *e)
{
    json_t *params = json_pack("{s:s, s:s, s:I}", "event", event, "socket", nd->socket,
                               "expire", (json_int_t)expire);
    json_t *result = NULL;
    enum mi_err rc;

    if (!params)
        return mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory");
    rc = mi_client_call(ev->mi, nd->name, "event_subscribe", params, deadline, &result, e);
    json_decref(params);
    json_decref(result);
    return rc;
}

/* Whether an error says the node is there but does not offer this event (its module is not
 * loaded: 400 "Bad parameter value"), rather than that it could not be reached. */
static bool event_refused(enum mi_err rc)
{
    return rc == MI_ERR_MI || rc == MI_ERR_BAD_PARAMS;
}

/* Ask the node its uptime: whether it restarted since the last probe ("Up since" changed, or
 * "Up time" went back), so that its subscriptions, lost with it, are made again now. A probe
 * that fails says nothing (the renewal notices a node that is gone). */
static bool restarted(struct events *ev, struct ev_node *nd)
{
    json_t *r = NULL;
    struct mi_error e;
    bool again = false;

    nd->next_probe = mi_deadline_after(PROBE_MS);
    if (mi_client_call(ev->mi, nd->name, "core:uptime", NULL, 0, &r, &e) != MI_OK)
        return false;
    const char *since = json_string_value(json_object_get(r, "Up since"));
    const char *up = json_string_value(json_object_get(r, "Up time")); /* "7 [sec]" */
    long long secs = up ? strtoll(up, NULL, 10) : 0;
    if (since) {
        again = nd->up_since[0] && (strcmp(since, nd->up_since) || secs < nd->up_s);
        snprintf(nd->up_since, sizeof(nd->up_since), "%s", since);
        nd->up_s = secs;
    }
    json_decref(r);
    if (again)
        log_msg(LOG_NOTICE, "events: node %s restarted (up since %s): subscribing it again",
                nd->name, nd->up_since);
    return again;
}

static void subscribe_node(struct events *ev, struct ev_node *nd)
{
    unsigned long long before = nd->subscribed;
    struct mi_error e;

    for (size_t i = 0; ev->names[i]; i++) {
        enum mi_err rc = subscribe_one(ev, nd, ev->names[i], ev->expire_s, 0, &e);
        if (rc == MI_OK) {
            nd->subscribed |= 1ull << i;
        } else if (rc == MI_ERR_CANCELLED) {
            return; /* stopping */
        } else if (event_refused(rc)) {
            nd->subscribed &= ~(1ull << i);
            log_msg(LOG_DEBUG, "events: node %s does not offer %s: %s", nd->name,
                    ev->names[i], e.text);
        } else {
            unsigned half = ev->expire_s * 1000u / 2, retry = half < RETRY_MS ? half : RETRY_MS;
            /* warned once until it answers again; each retry after at debug */
            log_msg(nd->unreachable ? LOG_DEBUG : LOG_WARNING, "events: cannot subscribe node %s "
                    "to its events (retrying every %u ms): %s", nd->name, retry, e.text);
            nd->unreachable = true;
            nd->next_renew = mi_deadline_after(retry);
            return;
        }
    }
    if (nd->unreachable)
        log_msg(LOG_INFO, "events: node %s answers again", nd->name);
    nd->unreachable = false;
    nd->next_renew = mi_deadline_after(ev->expire_s * 1000u / 2);
    if (nd->subscribed != before)
        log_msg(LOG_INFO, "events: node %s sends %d of %zu events to %s", nd->name,
                __builtin_popcountll(nd->subscribed),
                ev->nnames, nd->socket);
}

/* expire 0: OpenSIPS drops the subscriber from the next second on (event_interface.c). */
static void unsubscribe_all(struct events *ev)
{
    uint64_t deadline = mi_deadline_after(UNSUB_BUDGET_MS);
    struct mi_error e;

    for (size_t k = 0; k < ev->n; k++) {
        struct ev_node *nd = &ev->nodes[k];
        for (size_t i = 0; ev->names[i]; i++) {
            if (!(nd->subscribed & (1ull << i)))
                continue;
            enum mi_err rc = subscribe_one(ev, nd, ev->names[i], 0, deadline, &e);
            if (rc != MI_OK && !event_refused(rc)) {
                log_msg(LOG_WARNING, "events: cannot unsubscribe node %s (its subscriptions "
                        "expire in at most %u s): %s", nd->name, ev->expire_s, e.text);
                break;
            }
            nd->subscribed &= ~(1ull << i);
        }
    }
}

/* ---- datagrams ---- */

static void uri_changed(const char *uri, void *ctx)
{
    struct events *ev = ctx;

    /* nothing is kept for a resource no session follows */
    if (mcp_server_resource_subscribed(ev->srv, uri) && coalesce_add(&ev->pending, uri) < 0)
        log_msg(LOG_DEBUG, "events: over %d resources changed in one interval; dropped %s",
                COALESCE_MAX, uri);
}

static void read_node(struct events *ev, struct ev_node *nd)
{
    for (int r = 0; r < READS_PER_ROUND; r++) {
        ssize_t len = recv(nd->fd, ev->buf, EVENT_DATAGRAM_MAX, MSG_DONTWAIT);
        struct event_msg m;
        char err[200];

        if (len < 0)
            return; /* EAGAIN: drained; anything else: try at the next wake */
        if (event_parse(ev->buf, (size_t)len, &m, err, sizeof(err)) < 0) {
            log_msg(LOG_DEBUG, "events: node %s: ignored a datagram of %zd bytes: %s", nd->name,
                    len, err);
            continue;
        }
        log_msg(LOG_DEBUG, "events: node %s: %s", nd->name, m.name);
        resources_event_each(nd->name, m.name, m.params, uri_changed, ev);
        event_msg_release(&m);
    }
}

static void notify(const char *uri, void *ctx)
{
    struct events *ev = ctx;
    mcp_server_resource_updated(ev->srv, uri);
}

static void *run(void *arg)
{
    struct events *ev = arg;
    struct pollfd *fds = calloc(ev->n + 1, sizeof(*fds));
    uint64_t next_flush = mi_deadline_after(ev->interval_ms);
    int wake = cancel_fd(&ev->stop);

    if (!fds) {
        log_msg(LOG_ERROR, "events: out of memory; no live resource updates");
        return NULL;
    }
    /* bound to this thread: a subscribe call waiting on a slow node ends when stop fires */
    cancel_bind(&ev->stop);
    while (!cancel_fired(&ev->stop)) {
        uint64_t now = mi_deadline_after(0), wake_at = next_flush;
        for (size_t k = 0; k < ev->n; k++) {
            struct ev_node *nd = &ev->nodes[k];
            if (nd->subscribed && !nd->unreachable && now >= nd->next_probe &&
                !cancel_fired(&ev->stop) && restarted(ev, nd))
                nd->next_renew = now; /* its subscribers went with it */
            if (now >= nd->next_renew && !cancel_fired(&ev->stop)) {
                subscribe_node(ev, nd);
                if (nd->subscribed && !nd->unreachable && !nd->up_since[0])
                    (void)restarted(ev, nd); /* the first probe: what later ones compare to */
                now = mi_deadline_after(0);
            }
            if (nd->next_renew < wake_at)
                wake_at = nd->next_renew;
            if (nd->subscribed && !nd->unreachable && nd->next_probe < wake_at)
                wake_at = nd->next_probe;
        }
        for (size_t k = 0; k < ev->n; k++)
            fds[k] = (struct pollfd){.fd = ev->nodes[k].fd, .events = POLLIN};
        fds[ev->n] = (struct pollfd){.fd = wake, .events = POLLIN}; /* -1: ignored by poll */
        int timeout = wake_at > now ? (int)(wake_at - now) : 0;
        if (wake < 0 && timeout > CANCEL_SLICE_MS)
            timeout = CANCEL_SLICE_MS; /* no eventfd: look at the flag in slices */
        if (poll(fds, ev->n + 1, timeout) < 0 && errno != EINTR) {
            log_msg(LOG_ERROR, "events: poll: %s; no live resource updates", strerror(errno));
            break;
        }
        if (cancel_fired(&ev->stop))
            break;
        for (size_t k = 0; k < ev->n; k++)
            if (fds[k].revents & POLLIN)
                read_node(ev, &ev->nodes[k]);
        now = mi_deadline_after(0);
        if (now >= next_flush) {
            if (ev->pending.dropped)
                log_msg(LOG_WARNING, "events: %lu resource updates dropped in one interval "
                        "(more than %d resources changed)", ev->pending.dropped, COALESCE_MAX);
            coalesce_flush(&ev->pending, notify, ev);
            next_flush = now + ev->interval_ms;
        }
    }
    free(fds);
    cancel_bind(NULL); /* the unsubscriptions must not be cancelled: they have their own budget */
    unsubscribe_all(ev);
    return NULL;
}

/* ---- start, stop ---- */

static void events_free(struct events *ev)
{
    for (size_t k = 0; k < ev->n; k++)
        if (ev->nodes[k].fd >= 0)
            close(ev->nodes[k].fd);
    cancel_release(&ev->stop);
    coalesce_release(&ev->pending);
    free(ev->nodes);
    free(ev);
}

int events_start(const struct settings *s, struct mi_client *mi, struct mcp_server *srv,
                 struct events **out, char *err, size_t errlen)
{
    struct sockaddr_in base;
    struct events *ev;
    size_t n = mi_client_node_count(mi);
    unsigned port0;
    char host[INET_ADDRSTRLEN];

    *out = NULL;
    if (!s->events_listen || !*s->events_listen)
        return 0;
    if (events_parse_listen(s->events_listen, &base, err, errlen) < 0)
        return -1;
    port0 = ntohs(base.sin_port);
    if (port0 && port0 + n - 1 > 65535) {
        snprintf(err, errlen, "events-listen: %zu nodes need ports %u to %zu", n, port0,
                 port0 + n - 1);
        return -1;
    }
    inet_ntop(AF_INET, &base.sin_addr, host, sizeof(host));
    if (!(ev = calloc(1, sizeof(*ev))) || !(ev->nodes = calloc(n ? n : 1, sizeof(*ev->nodes)))) {
        free(ev);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ev->mi = mi;
    ev->srv = srv;
    ev->expire_s = s->events_expire_s;
    ev->interval_ms = s->events_interval_ms;
    ev->nnames = resources_events(ev->names, RESOURCE_EVENTS_MAX);
    cancel_init(&ev->stop);
    for (size_t k = 0; k < n; k++) {
        struct ev_node *nd = &ev->nodes[k];
        struct sockaddr_in a = base;
        socklen_t alen = sizeof(a);
        ev->n++;
        snprintf(nd->name, sizeof(nd->name), "%s", mi_client_node_name(mi, k));
        a.sin_port = htons(port0 ? (unsigned short)(port0 + k) : 0);
        nd->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (nd->fd < 0 || bind(nd->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            getsockname(nd->fd, (struct sockaddr *)&a, &alen) < 0) {
            snprintf(err, errlen, "events-listen: cannot listen on %s:%u for node %s: %s", host,
                     ntohs(a.sin_port), nd->name, strerror(errno));
            events_free(ev);
            return -1;
        }
        snprintf(nd->socket, sizeof(nd->socket), "udp:%s:%u", host, ntohs(a.sin_port));
    }
    if (pthread_create(&ev->thread, NULL, run, ev) != 0) {
        snprintf(err, errlen, "events: cannot start the listener: %s", strerror(errno));
        events_free(ev);
        return -1;
    }
    for (size_t k = 0; k < ev->n; k++)
        log_msg(LOG_INFO, "events: node %s: listening on %s", ev->nodes[k].name,
                ev->nodes[k].socket);
    *out = ev;
    return 0;
}

void events_stop(struct events *ev)
{
    if (!ev)
        return;
    cancel_fire(&ev->stop);
    pthread_join(ev->thread, NULL);
    events_free(ev);
}
