/* mi/fifo: mi_fifo. One line ":<reply_name>:<json>\n" into the server FIFO; the reply comes on a
 * FIFO we made in OpenSIPS's reply_dir (modparam mi_fifo reply_dir, default /tmp/), named per call
 * and removed on every path. The name is always given: an async command with an empty reply name
 * ("::") crashes OpenSIPS 4.0.1 (fifo/edge_cases.json). OpenSIPS refuses names with '.', '/' or
 * '\\' and reply_dir + name of 128 bytes or more, so names are [a-z0-9_] and short. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"
#include "mi/transport.h"

#define FIFO_NAME_TRIES 8

static atomic_uint fifo_seq;

/* Create a fresh reply FIFO under a->reply_dir; fills path and name. */
static enum mi_err fifo_make_reply(const struct mi_addr *a, char *path, size_t pathlen,
                                   char *name, size_t namelen, struct mi_error *e)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    for (int i = 0; i < FIFO_NAME_TRIES; i++) {
        unsigned seq = atomic_fetch_add(&fifo_seq, 1);
        snprintf(name, namelen, "opensips_mcp_%ld_%u_%lx", (long)getpid(), seq,
                 ((unsigned long)ts.tv_nsec ^ ((unsigned long)seq * 2654435761u)) & 0xffffff);
        if ((size_t)snprintf(path, pathlen, "%s%s", a->reply_dir, name) >= pathlen ||
            strlen(path) >= 128)
            return mi_error_set(e, MI_ERR_CONFIG, 0,
                                "FIFO reply path '%s%s' is 128 bytes or more, which OpenSIPS "
                                "refuses; use a shorter reply directory",
                                a->reply_dir, name);
        if (mkfifo(path, 0600) == 0)
            return MI_OK;
        if (errno != EEXIST)
            return mi_error_set(e, MI_ERR_SYSTEM, 0,
                                "cannot create reply FIFO '%s': %s; check the FIFO reply "
                                "directory (fifo_reply_dir)",
                                path, strerror(errno));
    }
    return mi_error_set(e, MI_ERR_SYSTEM, 0, "cannot find a free reply FIFO name in '%s'",
                        a->reply_dir);
}

/* Write the whole request line (at most PIPE_BUF bytes: one atomic write) before the deadline. */
static enum mi_err fifo_send(const struct mi_addr *a, const char *line, size_t n,
                             uint64_t deadline, struct mi_error *e)
{
    int fd = open(a->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENXIO || err == ENOENT || err == EACCES || err == ENOTDIR)
            return mi_error_set(e, MI_ERR_UNREACHABLE, 0,
                                "cannot open '%s': %s; is OpenSIPS running with mi_fifo loaded?",
                                a->text, err == ENXIO ? "no process reads the FIFO"
                                                      : strerror(err));
        return mi_error_set(e, MI_ERR_SYSTEM, 0, "cannot open '%s': %s", a->text,
                            strerror(err));
    }
    enum mi_err rc = MI_OK;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
        rc = mi_error_set(e, MI_ERR_UNREACHABLE, 0, "'%s' is not a FIFO", a->text);
        goto out;
    }
    for (;;) {
        ssize_t w = write(fd, line, n);
        if (w == (ssize_t)n)
            break;
        if (w >= 0) { /* cannot happen for n <= PIPE_BUF; do not resend half a line */
            rc = mi_error_set(e, MI_ERR_SYSTEM, 0, "short write to '%s'", a->text);
            goto out;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN) {
            rc = mi_error_set(e, errno == EPIPE ? MI_ERR_UNREACHABLE : MI_ERR_SYSTEM, 0,
                              "cannot write to '%s': %s", a->text, strerror(errno));
            goto out;
        }
        uint64_t now = mi_now_ms();
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int r = now < deadline ? cancel_poll(&p, 1, (int)(deadline - now)) : 0;
        if (r < 0 && errno == ECANCELED) {
            rc = mi_error_set(e, MI_ERR_CANCELLED, 0, "gave up writing to '%s'", a->text);
            goto out;
        }
        if (r == 0) {
            rc = mi_error_set(e, MI_ERR_TIMEOUT, 0, "'%s' is full: the request was not taken "
                              "before the deadline",
                              a->text);
            goto out;
        }
    }
out:
    close(fd);
    return rc;
}

/* Read the reply until the server closes its end (one open/write/close per request). */
static enum mi_err fifo_receive(const struct mi_addr *a, int fd, uint64_t deadline,
                                struct mi_buf *reply, struct mi_error *e)
{
    char buf[16384];
    for (;;) {
        uint64_t now = mi_now_ms();
        if (now >= deadline)
            return mi_error_set(e, MI_ERR_TIMEOUT, 0,
                                reply->len ? "reply from '%s' not complete before the deadline"
                                           : "no reply from '%s' before the deadline",
                                a->text);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = cancel_poll(&p, 1, (int)(deadline - now));
        if (r < 0 && errno == ECANCELED)
            return mi_error_set(e, MI_ERR_CANCELLED, 0, "stopped waiting for '%s'", a->text);
        if (r < 0 && errno != EINTR)
            return mi_error_set(e, MI_ERR_SYSTEM, 0, "cannot wait for '%s': %s", a->text,
                                strerror(errno));
        if (r <= 0)
            continue;
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) {
                int ar = mi_buf_add(reply, buf, (size_t)n);
                if (ar == -1)
                    return mi_error_set(e, MI_ERR_TOO_LARGE, 0,
                                        "reply from '%s' passed the limit of %zu bytes; narrow "
                                        "the request or raise the MI reply limit",
                                        a->text, reply->max);
                if (ar < 0)
                    return mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory calling '%s'",
                                        a->text);
                continue;
            }
            if (n == 0)
                return MI_OK; /* the writer closed: the reply is complete */
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            return mi_error_set(e, MI_ERR_SYSTEM, 0, "cannot read reply from '%s': %s", a->text,
                                strerror(errno));
        }
    }
}

static enum mi_err fifo_call(const struct mi_addr *a, const char *req, size_t len,
                             uint64_t deadline, unsigned flags, struct mi_buf *reply,
                             struct mi_error *e)
{
    (void)flags; /* a FIFO has no connection to keep */
    char path[256], name[96], *line = NULL;
    int rfd = -1;
    bool made = false;
    enum mi_err rc;
    if ((rc = fifo_make_reply(a, path, sizeof path, name, sizeof name, e)) != MI_OK)
        goto out;
    made = true;
    size_t n = strlen(name) + len + 3;
    if (n > MI_FIFO_REQUEST_MAX) {
        rc = mi_error_set(e, MI_ERR_REQUEST_TOO_LARGE, 0,
                          "request of %zu bytes does not fit mi_fifo's %d-byte buffer; use "
                          "http or datagram for large parameters",
                          len, MI_FIFO_REQUEST_MAX);
        goto out;
    }
    if (!(line = malloc(n + 1))) {
        rc = mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory calling '%s'", a->text);
        goto out;
    }
    snprintf(line, n + 1, ":%s:%.*s\n", name, (int)len, req);
    /* Open our end first, non-blocking, so OpenSIPS finds a reader when it answers. */
    rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (rfd < 0) {
        rc = mi_error_set(e, MI_ERR_SYSTEM, 0, "cannot open reply FIFO '%s': %s", path,
                          strerror(errno));
        goto out;
    }
    if ((rc = fifo_send(a, line, n, deadline, e)) != MI_OK)
        goto out;
    rc = fifo_receive(a, rfd, deadline, reply, e);
out:
    free(line);
    if (rfd >= 0)
        close(rfd);
    if (made)
        unlink(path);
    return rc;
}

const struct mi_transport mi_transport_fifo = {.name = "fifo", .call = fifo_call};
