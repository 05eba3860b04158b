/* stdio: read lines from stdin with a size ceiling, hand them to the session, write replies
 * to stdout under a lock so that lines from worker threads never interleave. */
#include "transport/stdio.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "log.h"

struct stdout_channel {
    struct mcp_out out;
    pthread_mutex_t lock;
    int fd;
    int broken; /* the reader went away: drop output silently */
};

static void write_all(struct stdout_channel *ch, const char *buf, size_t len)
{
    while (len && !ch->broken) {
        ssize_t n = write(ch->fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ch->broken = 1;
            log_msg(LOG_WARNING, "stdout is closed; replies are dropped");
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

static void stdout_send(struct mcp_out *out, const char *line, size_t len, bool final)
{
    struct stdout_channel *ch = out->ctx;
    (void)final;

    if (!line)
        return;
    pthread_mutex_lock(&ch->lock);
    write_all(ch, line, len);
    write_all(ch, "\n", 1);
    pthread_mutex_unlock(&ch->lock);
}

/* The line buffer never holds more than the message limit plus one read. A longer line is
 * skipped up to its newline and answered with one error; the session goes on. */
#define READ_CHUNK (64 * 1024)

struct reader {
    char *buf;
    size_t len, cap, limit;
    int skipping;     /* inside an over-long line */
    size_t skipped;   /* its length so far */
};

static void deliver(struct mcp_session *s, struct mcp_out *out, char *line, size_t len)
{
    size_t i = 0;

    if (len && line[len - 1] == '\r')
        len--;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len)
        return; /* blank lines are not messages */
    mcp_session_handle(s, line, len, out);
}

static void too_long(struct mcp_session *s, struct mcp_out *out, const struct reader *r)
{
    char text[200];

    snprintf(text, sizeof(text),
             "Invalid Request: message exceeds the limit of %zu bytes (max-message-size); it was "
             "discarded",
             r->limit);
    log_msg(LOG_WARNING, "discarded a message of more than %zu bytes", r->limit);
    mcp_session_reject(s, out, JSONRPC_INVALID_REQUEST, text);
}

/* Consume buffered bytes: deliver complete lines, keep the partial tail. */
static void consume(struct reader *r, struct mcp_session *s, struct mcp_out *out)
{
    size_t start = 0;

    for (;;) {
        char *nl = memchr(r->buf + start, '\n', r->len - start);
        if (!nl)
            break;
        size_t n = (size_t)(nl - (r->buf + start));
        if (r->skipping) {
            r->skipping = 0;
            too_long(s, out, r);
        } else if (n > r->limit) {
            too_long(s, out, r);
        } else {
            deliver(s, out, r->buf + start, n);
        }
        start += n + 1;
    }
    memmove(r->buf, r->buf + start, r->len - start);
    r->len -= start;
    if (r->len > r->limit) {
        /* An over-long line with no end yet: forget its bytes, remember we are inside it. */
        r->skipping = 1;
        r->skipped += r->len;
        r->len = 0;
    }
}

int stdio_serve(struct mcp_server *srv, const struct settings *settings)
{
    struct stdout_channel ch = {.out = {stdout_send, &ch}, .fd = STDOUT_FILENO};
    struct reader r = {.limit = settings->max_message_size};
    struct mcp_session *s;
    sigset_t sigs;
    int sfd, rc = 0, stop = 0;

    pthread_mutex_init(&ch.lock, NULL);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    r.cap = 4 * READ_CHUNK;
    r.buf = malloc(r.cap);
    s = mcp_session_new(srv, &ch.out);
    if (sfd < 0 || !r.buf || !s) {
        log_msg(LOG_CRITICAL, "cannot start the stdio transport: %s", strerror(errno));
        rc = 1;
        goto out;
    }

    while (!stop) {
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            log_msg(LOG_ERROR, "poll: %s", strerror(errno));
            rc = 1;
            break;
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
                continue;
            if (si.ssi_signo == SIGHUP) {
                mcp_server_reopen_logs(srv);
                continue;
            }
            /* As at the end of input: running requests get the grace, then are cancelled,
             * which stops the MI calls they wait in. */
            log_msg(LOG_INFO, "signal %u: shutting down", si.ssi_signo);
            mcp_session_drain(s, settings->shutdown_grace_ms);
            break;
        }
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        /* Grow up to the limit plus one read's worth; consume() keeps len <= limit, so there
         * is always room and read() never gets a zero length (which would look like EOF). */
        if (r.cap - r.len < READ_CHUNK && r.cap < r.limit + 2 * READ_CHUNK) {
            size_t ncap = r.cap * 2 < r.limit + 2 * READ_CHUNK ? r.cap * 2 : r.limit + 2 * READ_CHUNK;
            char *nb = realloc(r.buf, ncap);
            if (nb) {
                r.buf = nb;
                r.cap = ncap;
            }
        }
        size_t room = r.cap - r.len < READ_CHUNK ? r.cap - r.len : READ_CHUNK;
        if (!room) { /* could not grow: treat the line as too long rather than stall */
            r.skipping = 1;
            r.len = 0;
            continue;
        }
        ssize_t n = read(STDIN_FILENO, r.buf + r.len, room);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            /* End of input: a last line without a newline is still a message. */
            if (r.len && !r.skipping && r.len <= r.limit)
                deliver(s, &ch.out, r.buf, r.len);
            else if (r.skipping || r.len)
                too_long(s, &ch.out, &r);
            r.len = 0;
            mcp_session_drain(s, settings->shutdown_grace_ms);
            stop = 1;
            break;
        }
        r.len += (size_t)n;
        consume(&r, s, &ch.out);
    }
out:
    if (s)
        mcp_session_close(s);
    if (sfd >= 0)
        close(sfd);
    free(r.buf);
    pthread_mutex_destroy(&ch.lock);
    return rc;
}
