/* bench/throughput: tools/call throughput and latency of a Streamable HTTP MCP server under N clients. */
/*
 * usage: throughput HOST:PORT CLIENTS SECONDS TOOL ARGS_JSON
 *        throughput --wait HOST:PORT        (retry connecting for up to 30 s; exit 0 once it accepts)
 *
 * Each of CLIENTS threads opens one keep-alive HTTP/1.1 connection to http://HOST:PORT/mcp and its own
 * MCP session (initialize, then notifications/initialized, echoing Mcp-Session-Id and the negotiated
 * MCP-Protocol-Version), then calls `tools/call {name: TOOL, arguments: ARGS_JSON}` back to back: one
 * request in flight per client, as an assistant's host does. All clients start together; the first
 * WARMUP_MS are not counted, then SECONDS are. At the end each client ends its session with DELETE.
 *
 * A call counts when its response is HTTP 200 and carries a JSON-RPC result that is not isError (a plain
 * application/json body, or an SSE stream read to its end). Anything else is an error; any error fails
 * the run (exit 1), since a fast wrong answer is no figure.
 *
 * Prints one line: "<clients> <calls counted> <calls/s> <p50 ms> <p99 ms> <max ms>". Latency is per call,
 * request written -> response fully read, CLOCK_MONOTONIC. Every socket wait is bounded (IO_TIMEOUT_S).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define WARMUP_MS 500
#define IO_TIMEOUT_S 10
#define MAX_CLIENTS 1024
#define BUF_SIZE (1 << 20)

static const char *host, *port, *tool, *args_json;
static int nclients;
static double seconds;
static struct addrinfo *addr;
static pthread_barrier_t ready;
static atomic_bool stop, failed;
static _Atomic double t_begin, t_end; /* the counted window, set by main after the barrier */

struct client {
    int idx, fd;
    char sid[256], version[64];
    char *buf;
    size_t len;
    double *lat;
    size_t nlat, cap;
    char err[512];
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int dial(void)
{
    int fd = socket(addr->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct timeval tv = {.tv_sec = IO_TIMEOUT_S};

    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, addr->ai_addr, addr->ai_addrlen) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int fail(struct client *c, const char *fmt, const char *detail)
{
    snprintf(c->err, sizeof(c->err), fmt, detail ? detail : strerror(errno));
    atomic_store(&failed, true);
    atomic_store(&stop, true);
    return -1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read more into c->buf; 0 on data, -1 on EOF/error/timeout. */
static int fill(struct client *c)
{
    ssize_t r;

    if (c->len + 1 >= BUF_SIZE)
        return -1;
    do
        r = recv(c->fd, c->buf + c->len, BUF_SIZE - 1 - c->len, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return -1;
    c->len += (size_t)r;
    c->buf[c->len] = '\0';
    return 0;
}

/* A header's value in the header block [h, end), into out; false when absent. */
static bool header(const char *h, const char *end, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);

    for (const char *p = h; p && p < end; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL) {
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1, *e = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            size_t n = (size_t)(e - v) < outlen - 1 ? (size_t)(e - v) : outlen - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return true;
        }
    }
    return false;
}

/* One HTTP response on the connection: status, the headers we use, and the body (de-chunked) in
 * *body (inside c->buf, NUL-terminated). Leaves nothing pipelined behind (one request in flight). */
static int read_response(struct client *c, int *status, char **body, bool *closing)
{
    char *hend, v[256];
    size_t hlen;

    c->len = 0;
    c->buf[0] = '\0';
    while (!(hend = strstr(c->buf, "\r\n\r\n"))) {
        if (fill(c) < 0)
            return fail(c, "reading response headers: %s", c->len ? "connection closed" : NULL);
    }
    if (sscanf(c->buf, "HTTP/1.%*d %d", status) != 1)
        return fail(c, "bad status line: %.80s", c->buf);
    hlen = (size_t)(hend - c->buf) + 4;
    *closing = header(c->buf, hend, "Connection", v, sizeof(v)) && !strcasecmp(v, "close");
    if (header(c->buf, hend, "Mcp-Session-Id", v, sizeof(v)))
        snprintf(c->sid, sizeof(c->sid), "%s", v);
    if (header(c->buf, hend, "Content-Length", v, sizeof(v))) {
        size_t n = strtoul(v, NULL, 10);
        while (c->len < hlen + n)
            if (fill(c) < 0)
                return fail(c, "reading the body: %s", "short body");
        c->buf[hlen + n] = '\0';
        *body = c->buf + hlen;
        return 0;
    }
    if (header(c->buf, hend, "Transfer-Encoding", v, sizeof(v)) && strcasestr(v, "chunked")) {
        /* De-chunk in place: out trails in. */
        size_t in = hlen, out = hlen;
        for (;;) {
            char *eol;
            while (!(eol = strstr(c->buf + in, "\r\n")))
                if (fill(c) < 0)
                    return fail(c, "reading a chunk size: %s", "connection closed");
            size_t n = strtoul(c->buf + in, NULL, 16);
            size_t data = (size_t)(eol - c->buf) + 2;
            while (c->len < data + n + 2)
                if (fill(c) < 0)
                    return fail(c, "reading a chunk: %s", "connection closed");
            if (n == 0)
                break; /* no trailers from either server */
            memmove(c->buf + out, c->buf + data, n);
            out += n;
            in = data + n + 2;
        }
        c->buf[out] = '\0';
        *body = c->buf + hlen;
        return 0;
    }
    *body = c->buf + hlen; /* no body (202) */
    c->buf[hlen] = '\0';
    return 0;
}

static int request(struct client *c, const char *method, const char *json, int *status, char **body)
{
    char head[1024], sid[300] = "", ver[100] = "";
    bool closing = false;

    if (c->sid[0])
        snprintf(sid, sizeof(sid), "Mcp-Session-Id: %s\r\n", c->sid);
    if (c->version[0])
        snprintf(ver, sizeof(ver), "MCP-Protocol-Version: %s\r\n", c->version);
    snprintf(head, sizeof(head),
             "%s /mcp HTTP/1.1\r\nHost: %s:%s\r\n"
             "Accept: application/json, text/event-stream\r\n"
             "%s%s%sContent-Length: %zu\r\n\r\n",
             method, host, port, json ? "Content-Type: application/json\r\n" : "", sid, ver,
             json ? strlen(json) : 0);
    if (write_all(c->fd, head, strlen(head)) < 0 || (json && write_all(c->fd, json, strlen(json)) < 0))
        return fail(c, "writing the request: %s", NULL);
    if (read_response(c, status, body, &closing) < 0)
        return -1;
    if (closing) {
        close(c->fd);
        if ((c->fd = dial()) < 0)
            return fail(c, "reconnecting: %s", NULL);
    }
    return 0;
}

/* "A 200 with a JSON-RPC result, not isError" — the SSE case's last data line is the result. */
static bool good_result(int status, const char *body)
{
    return status == 200 && strstr(body, "\"result\"") && !strstr(body, "\"isError\":true") &&
           !strstr(body, "\"isError\": true");
}

static void *client_main(void *arg)
{
    struct client *c = arg;
    int status;
    char *body, *call;
    const char *pv;
    unsigned long id = 2;

    if ((c->fd = dial()) < 0) {
        fail(c, "connect: %s", NULL);
        goto setup_failed;
    }
    if (request(c, "POST",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                "\"clientInfo\":{\"name\":\"opensips-mcp-bench\",\"version\":\"0.0.0\"}}}",
                &status, &body) < 0)
        goto setup_failed;
    if (status != 200 || !c->sid[0] || !(pv = strstr(body, "\"protocolVersion\":\""))) {
        fail(c, "initialize: %.200s", body);
        goto setup_failed;
    }
    pv += strlen("\"protocolVersion\":\"");
    snprintf(c->version, sizeof(c->version), "%.*s", (int)strcspn(pv, "\""), pv);
    if (request(c, "POST", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &status,
                &body) < 0)
        goto setup_failed;
    if (status != 202 && status != 200) {
        fail(c, "notifications/initialized: %s", "HTTP status not 202");
        goto setup_failed;
    }
    pthread_barrier_wait(&ready);
    if (asprintf(&call, "{\"jsonrpc\":\"2.0\",\"id\":%%lu,\"method\":\"tools/call\",\"params\":"
                        "{\"name\":\"%s\",\"arguments\":%s}}", tool, args_json) < 0)
        goto out;
    while (!atomic_load(&stop)) {
        char msg[4096];
        snprintf(msg, sizeof(msg), call, id++);
        double t0 = now_ms();
        if (request(c, "POST", msg, &status, &body) < 0)
            break;
        double t1 = now_ms();
        if (!good_result(status, body)) {
            char d[300];
            snprintf(d, sizeof(d), "HTTP %d: %.200s", status, body);
            fail(c, "tools/call: %s", d);
            break;
        }
        if (t0 >= t_begin && t1 <= t_end) {
            if (c->nlat == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 4096;
                c->lat = realloc(c->lat, c->cap * sizeof(*c->lat));
                if (!c->lat) {
                    fail(c, "out of memory%s", "");
                    break;
                }
            }
            c->lat[c->nlat++] = t1 - t0;
        }
    }
    free(call);
    if (c->sid[0] && c->fd >= 0)
        request(c, "DELETE", NULL, &status, &body); /* best effort: end the session */
    goto out;
setup_failed:
    pthread_barrier_wait(&ready); /* everyone meets there, failed or not; main then sees `failed` */
out:
    if (c->fd >= 0)
        close(c->fd);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int split_hostport(char *hp)
{
    char *colon = strrchr(hp, ':');
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};

    if (!colon)
        return -1;
    *colon = '\0';
    host = hp;
    port = colon + 1;
    return getaddrinfo(host, port, &hints, &addr) ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--wait")) {
        if (split_hostport(argv[2]) < 0)
            return 2;
        for (double until = now_ms() + 30000; now_ms() < until; usleep(20000)) {
            int fd = dial();
            if (fd >= 0) {
                close(fd);
                return 0;
            }
        }
        fprintf(stderr, "throughput: nothing listens on %s:%s after 30 s\n", host, port);
        return 1;
    }
    if (argc != 6 || split_hostport(argv[1]) < 0 || (nclients = atoi(argv[2])) < 1 ||
        nclients > MAX_CLIENTS || (seconds = atof(argv[3])) <= 0) {
        fprintf(stderr, "usage: throughput HOST:PORT CLIENTS SECONDS TOOL ARGS_JSON | --wait HOST:PORT\n");
        return 2;
    }
    tool = argv[4];
    args_json = argv[5];

    struct client *cs = calloc((size_t)nclients, sizeof(*cs));
    pthread_t *th = calloc((size_t)nclients, sizeof(*th));
    if (!cs || !th)
        return 1;
    pthread_barrier_init(&ready, NULL, (unsigned)nclients + 1);
    t_begin = t_end = 1e300; /* nothing counts until the window is set */
    for (int i = 0; i < nclients; i++) {
        cs[i].idx = i;
        cs[i].fd = -1;
        if (!(cs[i].buf = malloc(BUF_SIZE)))
            return 1;
        cs[i].buf[0] = '\0';
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, 256 * 1024);
        if (pthread_create(&th[i], &a, client_main, &cs[i]))
            return 1;
        pthread_attr_destroy(&a);
    }
    /* Every client reaches the barrier, set up or failed (bounded by IO_TIMEOUT_S per step). */
    pthread_barrier_wait(&ready);
    double start = now_ms();
    t_begin = start + WARMUP_MS;
    t_end = t_begin + seconds * 1000;
    while (now_ms() < t_end && !atomic_load(&failed))
        usleep(10000);
    atomic_store(&stop, true);
    for (int i = 0; i < nclients; i++)
        pthread_join(th[i], NULL);

    size_t n = 0;
    for (int i = 0; i < nclients; i++) {
        if (cs[i].err[0])
            fprintf(stderr, "throughput: client %d: %s\n", i, cs[i].err);
        n += cs[i].nlat;
    }
    if (atomic_load(&failed) || n == 0) {
        fprintf(stderr, "throughput: run failed (%zu calls counted)\n", n);
        return 1;
    }
    double *all = malloc(n * sizeof(*all));
    size_t k = 0;
    for (int i = 0; i < nclients; i++) {
        memcpy(all + k, cs[i].lat, cs[i].nlat * sizeof(*all));
        k += cs[i].nlat;
    }
    qsort(all, n, sizeof(*all), cmp_double);
    size_t i50 = (n - 1) / 2, i99 = (size_t)((double)n * 0.99);
    if (i99 >= n)
        i99 = n - 1;
    printf("%d %zu %.1f %.3f %.3f %.3f\n", nclients, n, (double)n / seconds, all[i50], all[i99], all[n - 1]);
    return 0;
}
