/* mi/datagram: mi_datagram over UDP or a Unix datagram socket. One request per datagram, one
 * reply datagram back (recordings/datagram/); a reply too large for a datagram comes back as the
 * plain text "500 Internal error", which the client turns into MI_ERR_TOO_LARGE. Unix replies
 * reach us on an autobound abstract address, so no socket file is ever left behind. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cancel.h"
#include "mi/transport.h"

static enum mi_err dgram_errno(const struct mi_addr *a, const char *what, int err,
                               struct mi_error *e)
{
    if (err == ECONNREFUSED || err == ENOENT || err == EHOSTUNREACH || err == ENETUNREACH ||
        err == EACCES || err == ENOTSOCK || err == EPROTOTYPE)
        return mi_error_set(e, MI_ERR_UNREACHABLE, 0,
                            "cannot %s '%s': %s; is OpenSIPS running with mi_datagram loaded?",
                            what, a->text, strerror(err));
    return mi_error_set(e, MI_ERR_SYSTEM, 0, "cannot %s '%s': %s", what, a->text, strerror(err));
}

static enum mi_err dgram_call(const struct mi_addr *a, const char *req, size_t len,
                              uint64_t deadline, unsigned flags, struct mi_buf *reply,
                              struct mi_error *e)
{
    (void)flags; /* datagrams have no connection to keep */
    enum mi_err rc = MI_OK;
    char *buf = NULL;
    int fd = -1;
    if (len > MI_DATAGRAM_MAX)
        return mi_error_set(e, MI_ERR_REQUEST_TOO_LARGE, 0,
                            "request of %zu bytes does not fit one datagram (%d bytes)", len,
                            MI_DATAGRAM_MAX);
    fd = socket(a->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        rc = dgram_errno(a, "open a socket for", errno, e);
        goto out;
    }
    if (a->kind == MI_ADDR_UNIX) {
        sa_family_t fam = AF_UNIX; /* autobind: the kernel picks a unique abstract name */
        if (bind(fd, (struct sockaddr *)&fam, sizeof fam) < 0) {
            rc = dgram_errno(a, "bind a reply address for", errno, e);
            goto out;
        }
    }
    if (connect(fd, (const struct sockaddr *)&a->sa, a->salen) < 0) {
        rc = dgram_errno(a, "connect to", errno, e);
        goto out;
    }
    ssize_t sent;
    do {
        sent = send(fd, req, len, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        /* a full Unix socket queue: wait for room until the deadline */
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        uint64_t now = mi_now_ms();
        int r = now < deadline ? cancel_poll(&p, 1, (int)(deadline - now)) : 0;
        if (r < 0 && errno == ECANCELED) {
            rc = mi_error_set(e, MI_ERR_CANCELLED, 0, "gave up sending to '%s'", a->text);
            goto out;
        }
        if (r <= 0) {
            rc = mi_error_set(e, MI_ERR_TIMEOUT, 0, "'%s' did not take the request in time",
                              a->text);
            goto out;
        }
        sent = send(fd, req, len, MSG_NOSIGNAL);
    }
    if (sent < 0) {
        rc = dgram_errno(a, "send to", errno, e);
        goto out;
    }
    size_t cap = reply->max < MI_DATAGRAM_MAX ? reply->max + 1 : MI_DATAGRAM_MAX + 1;
    if (!(buf = malloc(cap))) {
        rc = mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory calling '%s'", a->text);
        goto out;
    }
    for (;;) {
        uint64_t now = mi_now_ms();
        if (now >= deadline) {
            rc = mi_error_set(e, MI_ERR_TIMEOUT, 0, "no reply from '%s' before the deadline",
                              a->text);
            goto out;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = cancel_poll(&p, 1, (int)(deadline - now));
        if (r < 0 && errno == ECANCELED) {
            rc = mi_error_set(e, MI_ERR_CANCELLED, 0, "stopped waiting for '%s'", a->text);
            goto out;
        }
        if (r < 0) {
            rc = dgram_errno(a, "wait for", errno, e);
            goto out;
        }
        if (r == 0)
            continue; /* the loop head reports the time-out */
        ssize_t n = recv(fd, buf, cap, MSG_TRUNC);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            rc = dgram_errno(a, "receive from", errno, e);
            goto out;
        }
        if ((size_t)n > reply->max || (size_t)n > cap) {
            rc = mi_error_set(e, MI_ERR_TOO_LARGE, 0,
                              "reply from '%s' of %zd bytes passed the limit of %zu bytes; "
                              "narrow the request or raise the MI reply limit",
                              a->text, n, reply->max);
            goto out;
        }
        if (mi_buf_add(reply, buf, (size_t)n) < 0) {
            rc = mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory calling '%s'", a->text);
            goto out;
        }
        break;
    }
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

const struct mi_transport mi_transport_datagram = {.name = "datagram", .call = dgram_call};
