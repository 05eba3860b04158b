/* fifo: mi_fifo. Requests are ":reply_name:json" (JSON may span lines, the newline is optional);
 * the reply goes to the FIFO reply_dir/reply_name that the client made. One thread, in order, as
 * OpenSIPS's MI FIFO process. Framing quirks: recordings/fifo/edge_cases.json. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "faults.h"
#include "rpc.h"
#include "sim.h"
#include "transport.h"

#define FIFO_MAX_PENDING (1u << 20) /* unparsed bytes kept; past this the buffer is dropped */
#define FIFO_IDLE_MS 100            /* a partial request idle this long is malformed */
#define FIFO_OPEN_MS 1000           /* how long to wait for the client to open its reply FIFO */
#define FIFO_LINE_MAX 4096          /* mi_fifo's read buffer: longer requests fail to parse */
#define FIFO_PATH_MAX 128           /* reply_dir + reply name must fit ("reply fifoname too long") */

static char *fifo_path;
static const char *fifo_reply_dir = "/tmp/";
static int fifo_fd = -1;
static atomic_bool fifo_created; /* the FIFO thread makes it, main removes it at exit */

static int fifo_open(void)
{
    struct stat st;
    if (stat(fifo_path, &st) == 0 && !S_ISFIFO(st.st_mode)) {
        sim_log("'%s' exists and is not a FIFO", fifo_path);
        return -1;
    }
    if (stat(fifo_path, &st) == 0) {
        /* read-write: the FIFO never reports EOF when a writer goes */
        fifo_fd = open(fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        fifo_created = fifo_fd >= 0;
        return fifo_fd < 0 ? -1 : 0;
    }
    /* Make it under a private name, open it, then rename it into place: the moment the path
     * exists a reader is there, so a client never meets ENXIO in between. */
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", fifo_path, (int)getpid());
    unlink(tmp);
    if (mkfifo(tmp, 0666) < 0) {
        sim_log("cannot create FIFO '%s': %s", tmp, strerror(errno));
        return -1;
    }
    chmod(tmp, 0666);
    fifo_fd = open(tmp, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fifo_fd < 0 || rename(tmp, fifo_path) < 0) {
        sim_log("cannot create FIFO '%s': %s", fifo_path, strerror(errno));
        if (fifo_fd >= 0)
            close(fifo_fd);
        fifo_fd = -1;
        unlink(tmp);
        return -1;
    }
    fifo_created = true;
    return 0;
}

static void fifo_close(void)
{
    if (fifo_fd >= 0)
        close(fifo_fd);
    fifo_fd = -1;
    if (fifo_created)
        unlink(fifo_path);
    fifo_created = false;
}

/* Open reply_dir/name for writing, waiting a little for the client's reader. -1 on failure. */
static int fifo_open_reply(const char *name)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s%s", fifo_reply_dir, name) >= (int)sizeof path)
        return -1;
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISFIFO(st.st_mode)) {
        sim_log("reply FIFO '%s' missing or not a FIFO", path);
        return -1;
    }
    unsigned long long until = sim_now_ms() + FIFO_OPEN_MS;
    for (;;) {
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            return fd;
        }
        if (errno != ENXIO || sim_now_ms() >= until || sim.stopping) {
            sim_log("cannot open reply FIFO '%s': %s", path, strerror(errno));
            return -1;
        }
        sim_sleep_ms(5);
    }
}

static void fifo_write_huge(int fd, unsigned long bytes)
{
    static const char pre[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"padding\":\"";
    static const char post[] = "\"},\"id\":null}";
    if (transport_write_all(fd, pre, sizeof pre - 1) < 0)
        return;
    char blk[8192];
    memset(blk, 'x', sizeof blk);
    for (unsigned long left = bytes; left > 0 && !sim.stopping;) {
        size_t k = left < sizeof blk ? left : sizeof blk;
        if (transport_write_all(fd, blk, k) < 0)
            return;
        left -= k;
    }
    transport_write_all(fd, post, sizeof post - 1);
}

static void fifo_dispatch(const char *name, const char *json, size_t len)
{
    struct rpc_result res;
    rpc_handle(json, len, "fifo", &res);
    if (res.outcome == RPC_CRASH || (res.async && !name[0])) {
        /* 4.0.1 and 3.6.8: an async command with an empty reply name segfaults the MI FIFO
         * process and the whole daemon stops (edge_cases.json) */
        sim_log("emulated crash: %s", res.outcome == RPC_CRASH ? "recorded crash"
                                                                : "async command without a reply FIFO");
        rpc_result_release(&res);
        if (sim.crash == SIM_CRASH_EXIT)
            exit(3);
        return;
    }
    unsigned delay = res.delay_ms;
    enum fault_kind fk = res.has_fault ? res.fault.kind : FAULT_NONE;
    if (fk == FAULT_DELAY)
        delay += res.fault.ms;
    if (delay)
        sim_sleep_ms(delay);
    bool write_reply = res.outcome == RPC_REPLY || res.outcome == RPC_NOTIFY;
    if (!name[0] || !write_reply || fk == FAULT_DROP || fk == FAULT_CHUNKED) {
        rpc_result_release(&res);
        return;
    }
    int fd = fifo_open_reply(name);
    if (fd >= 0) {
        /* a notification: the reply FIFO is opened and closed with nothing written (3.6 README) */
        if (res.outcome == RPC_REPLY) {
            if (fk == FAULT_HTTP500) {
                transport_write_all(fd, "500 Internal error", 18);
            } else if (fk == FAULT_GARBAGE) {
                char g[64];
                transport_garbage(g, sizeof g);
                transport_write_all(fd, g, sizeof g);
            } else if (fk == FAULT_TRUNCATE) {
                transport_write_all(fd, res.body, res.len / 2);
            } else if (fk == FAULT_HUGE) {
                fifo_write_huge(fd, res.fault.bytes);
            } else {
                transport_write_all(fd, res.body, res.len);
            }
        }
        close(fd);
    }
    rpc_result_release(&res);
}

static void fifo_consume(struct buf *b, size_t n)
{
    if (n > b->len)
        n = b->len;
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    if (b->data)
        b->data[b->len] = '\0';
}

static size_t fifo_line_end(const struct buf *b, size_t from)
{
    const char *nl = from < b->len ? memchr(b->data + from, '\n', b->len - from) : NULL;
    return nl ? (size_t)(nl - b->data) + 1 : b->len;
}

/* Take every complete request off the front of b. idle: no more bytes are coming soon. */
static void fifo_process(struct buf *b, bool idle)
{
    while (b->len > 0) {
        size_t skip = 0;
        while (skip < b->len && (b->data[skip] == '\n' || b->data[skip] == '\r'))
            skip++;
        fifo_consume(b, skip);
        if (b->len == 0)
            return;
        if (b->data[0] != ':') {
            size_t e = fifo_line_end(b, 0);
            if (e == b->len && b->data[b->len - 1] != '\n' && !idle)
                return;
            sim_log("FIFO request does not start with ':', dropped");
            fifo_consume(b, e);
            continue;
        }
        const char *c2 = memchr(b->data + 1, ':', b->len - 1);
        const char *nl = memchr(b->data + 1, '\n', b->len - 1);
        if (!c2 || (nl && nl < c2)) {
            if (!nl && !idle)
                return;
            sim_log("FIFO request without a reply name, dropped");
            fifo_consume(b, fifo_line_end(b, 0));
            continue;
        }
        char name[256];
        size_t nlen = (size_t)(c2 - (b->data + 1));
        bool bad_name = nlen >= sizeof name || memchr(b->data + 1, '\0', nlen);
        if (!bad_name) {
            memcpy(name, b->data + 1, nlen);
            name[nlen] = '\0';
            bad_name = strpbrk(name, "./\\") != NULL;
        }
        size_t js = nlen + 2;
        json_error_t jerr;
        json_t *probe = json_loadb(b->data + js, b->len - js, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY,
                                   &jerr);
        if (!probe) {
            bool premature = json_error_code(&jerr) == json_error_premature_end_of_input;
            if (premature && !idle && b->len <= FIFO_LINE_MAX)
                return; /* the rest may still come */
            sim_log("FIFO: cannot parse command, dropped");
            size_t at = js + (size_t)(jerr.position > 0 ? jerr.position - 1 : 0);
            fifo_consume(b, fifo_line_end(b, at < b->len ? at : b->len));
            continue;
        }
        json_decref(probe);
        size_t used = (size_t)jerr.position;
        if (used > b->len - js)
            used = b->len - js;
        if (js + used > FIFO_LINE_MAX) {
            sim_log("FIFO: request longer than %u bytes: cannot parse command", FIFO_LINE_MAX);
        } else if (!bad_name && strlen(fifo_reply_dir) + strlen(name) >= FIFO_PATH_MAX) {
            sim_log("FIFO: reply fifoname too long, request dropped");
        } else if (bad_name) {
            sim_log("FIFO: forbidden reply name, request dropped");
        } else {
            char *json = strndup(b->data + js, used);
            if (json)
                fifo_dispatch(name, json, used);
            free(json);
        }
        /* the line's end (trailing newline) belongs to this request */
        size_t end = js + used;
        while (end < b->len && (b->data[end] == ' ' || b->data[end] == '\t' || b->data[end] == '\r'))
            end++;
        if (end < b->len && b->data[end] == '\n')
            end++;
        fifo_consume(b, end);
    }
}

static void *fifo_loop(void *arg)
{
    (void)arg;
    struct buf in;
    buf_init(&in, FIFO_MAX_PENDING);
    while (!sim.stopping) {
        bool refuse = faults_refusing();
        if (refuse && fifo_fd >= 0) {
            fifo_close();
            in.len = 0;
        } else if (!refuse && fifo_fd < 0 && fifo_open() < 0) {
            sim_sleep_ms(200);
            continue;
        }
        if (fifo_fd < 0) {
            sim_sleep_ms(50);
            continue;
        }
        struct pollfd p = {.fd = fifo_fd, .events = POLLIN};
        int r = poll(&p, 1, in.len ? FIFO_IDLE_MS : 100);
        if (r == 0) {
            if (in.len)
                fifo_process(&in, true);
            continue;
        }
        if (r < 0)
            continue;
        char tmp[65536];
        ssize_t n = read(fifo_fd, tmp, sizeof tmp);
        if (n <= 0)
            continue;
        if (buf_add(&in, tmp, (size_t)n) < 0) {
            sim_log("FIFO: request larger than %u bytes, dropped", FIFO_MAX_PENDING);
            in.len = 0;
            continue;
        }
        fifo_process(&in, false);
    }
    buf_release(&in);
    return NULL;
}

int fifo_start(const char *path, const char *reply_dir)
{
    fifo_path = strdup(path);
    if (!fifo_path)
        return -1;
    if (reply_dir)
        fifo_reply_dir = reply_dir;
    if (fifo_open() < 0)
        return -1;
    pthread_t t;
    if (pthread_create(&t, NULL, fifo_loop, NULL) != 0)
        return -1;
    pthread_detach(t);
    return 0;
}

void fifo_stop(void)
{
    if (fifo_created && fifo_path)
        unlink(fifo_path);
}
