/* datagram: mi_datagram over UDP or a Unix datagram socket, one request per datagram, answered
 * in order by one thread (as OpenSIPS's MI Datagram process does). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "faults.h"
#include "rpc.h"
#include "sim.h"
#include "transport.h"

/* the largest reply 4.0.1 and 3.6.8 sent; larger ones became "500 Internal error" */
#define DGRAM_MAX_REPLY 65457

static struct sockaddr_storage dg_addr;
static unsigned dg_addrlen;
static char dg_path[sizeof ((struct sockaddr_un *)0)->sun_path];
static int dg_fd = -1;

static int dg_open(void)
{
    int fd = socket(dg_addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (dg_path[0])
        unlink(dg_path);
    if (bind(fd, (struct sockaddr *)&dg_addr, dg_addrlen) < 0) {
        close(fd);
        return -1;
    }
    int sz = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    return fd;
}

static void dg_close(void)
{
    if (dg_fd >= 0)
        close(dg_fd);
    dg_fd = -1;
    if (dg_path[0])
        unlink(dg_path);
}

static void dg_send(const void *p, size_t n, struct sockaddr_storage *to, socklen_t tolen)
{
    if (tolen == 0)
        return; /* an unbound Unix client cannot be answered */
    sendto(dg_fd, p, n, MSG_NOSIGNAL, (struct sockaddr *)to, tolen);
}

static void dg_text(const char *s, struct sockaddr_storage *to, socklen_t tolen)
{
    dg_send(s, strlen(s), to, tolen);
}

static void dg_handle(const char *req, size_t n, struct sockaddr_storage *from, socklen_t flen)
{
    struct rpc_result res;
    rpc_handle(req, n, "datagram", &res);
    unsigned delay = res.delay_ms;
    if (res.has_fault && res.fault.kind == FAULT_DELAY)
        delay += res.fault.ms;
    if (delay)
        sim_sleep_ms(delay);
    enum fault_kind fk = res.has_fault ? res.fault.kind : FAULT_NONE;
    switch (res.outcome) {
    case RPC_REPLY:
        if (fk == FAULT_DROP || fk == FAULT_CHUNKED) {
            break;
        } else if (fk == FAULT_HTTP500 || fk == FAULT_HUGE || res.len > DGRAM_MAX_REPLY) {
            dg_text("500 Internal error", from, flen);
        } else if (fk == FAULT_GARBAGE) {
            char g[64];
            transport_garbage(g, sizeof g);
            dg_send(g, sizeof g, from, flen);
        } else if (fk == FAULT_TRUNCATE) {
            dg_send(res.body, res.len / 2, from, flen);
        } else {
            dg_send(res.body, res.len, from, flen);
        }
        break;
    case RPC_PARSE_ERROR:
        if (fk != FAULT_DROP && fk != FAULT_CHUNKED)
            dg_text("400 Parse_error", from, flen);
        break;
    case RPC_BAD_ID:
        if (fk != FAULT_DROP && fk != FAULT_CHUNKED)
            dg_text("500 Internal error", from, flen);
        break;
    case RPC_NOTIFY:
    case RPC_EMPTY:
        break;
    case RPC_CRASH:
        sim_log("emulated crash: datagram request left unanswered");
        if (sim.crash == SIM_CRASH_EXIT)
            exit(3);
        break;
    }
    rpc_result_release(&res);
}

static void *dg_loop(void *arg)
{
    (void)arg;
    static char req[65536];
    while (!sim.stopping) {
        bool refuse = faults_refusing();
        if (refuse && dg_fd >= 0) {
            dg_close();
        } else if (!refuse && dg_fd < 0) {
            dg_fd = dg_open();
            if (dg_fd < 0) {
                sim_sleep_ms(100);
                continue;
            }
        }
        if (dg_fd < 0) {
            sim_sleep_ms(50);
            continue;
        }
        struct pollfd p = {.fd = dg_fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(dg_fd, req, sizeof req, MSG_TRUNC, (struct sockaddr *)&from, &flen);
        if (n < 0)
            continue;
        if ((size_t)n > sizeof req)
            continue; /* larger than any datagram OpenSIPS reads: dropped */
        if (dg_addr.ss_family == AF_UNIX && flen <= sizeof(sa_family_t))
            flen = 0;
        dg_handle(req, (size_t)n, &from, flen);
    }
    return NULL;
}

int datagram_start(const char *spec)
{
    memset(&dg_addr, 0, sizeof dg_addr);
    if (strncmp(spec, "udp:", 4) == 0) {
        if (transport_parse_inet(spec + 4, &dg_addr, &dg_addrlen) < 0) {
            sim_log("bad --datagram address '%s' (want udp:ADDR:PORT)", spec);
            return -1;
        }
    } else if (strncmp(spec, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&dg_addr;
        size_t l = strlen(spec + 5);
        if (l == 0 || l >= sizeof un->sun_path) {
            sim_log("bad --datagram path '%s'", spec);
            return -1;
        }
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, spec + 5, l + 1);
        memcpy(dg_path, spec + 5, l + 1);
        dg_addrlen = sizeof *un;
    } else {
        sim_log("bad --datagram '%s' (want udp:ADDR:PORT or unix:PATH)", spec);
        return -1;
    }
    dg_fd = dg_open();
    if (dg_fd < 0) {
        sim_log("cannot bind datagram socket '%s': %s", spec, strerror(errno));
        return -1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, dg_loop, NULL) != 0)
        return -1;
    pthread_detach(t);
    return 0;
}

void datagram_stop(void)
{
    if (dg_path[0])
        unlink(dg_path);
}
