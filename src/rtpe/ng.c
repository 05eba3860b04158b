/* rtpe/ng: RTPEngine's ng control protocol over UDP (query and delete of one call). The answer
 * comes from the network: the decoder reads within len, bounds nesting and lengths, and never
 * trusts a NUL. */
#include "rtpe/ng.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"

#define NG_DEPTH_MAX 16     /* nesting of lists and dictionaries in an answer */
#define NG_ANSWER_MAX 65536 /* one datagram */

struct bcur {
    const char *p, *end;
};

/* A byte string at the cursor ("<len>:<bytes>", at most 9 length digits): 0, or -1. */
static int b_str(struct bcur *c, const char **s, size_t *len)
{
    const char *p = c->p;
    size_t n = 0;

    if (p >= c->end || !isdigit((unsigned char)*p))
        return -1;
    while (p < c->end && isdigit((unsigned char)*p)) {
        if (p - c->p >= 9)
            return -1;
        n = n * 10 + (size_t)(*p++ - '0');
    }
    if (p >= c->end || *p++ != ':' || (size_t)(c->end - p) < n)
        return -1;
    *s = p;
    *len = n;
    c->p = p + n;
    return 0;
}

/* Step over one value of any kind: 0, or -1 when it is not bencode or nests too deep. */
static int b_skip(struct bcur *c, int depth)
{
    const char *s;
    size_t n;

    if (c->p >= c->end || depth > NG_DEPTH_MAX)
        return -1;
    switch (*c->p) {
    case 'i':
        c->p++;
        if (c->p < c->end && *c->p == '-')
            c->p++;
        if (c->p >= c->end || !isdigit((unsigned char)*c->p))
            return -1;
        while (c->p < c->end && isdigit((unsigned char)*c->p))
            c->p++;
        if (c->p >= c->end || *c->p != 'e')
            return -1;
        c->p++;
        return 0;
    case 'l':
    case 'd': {
        bool dict = *c->p == 'd';
        c->p++;
        while (c->p < c->end && *c->p != 'e')
            if ((dict && b_str(c, &s, &n) < 0) || b_skip(c, depth + 1) < 0)
                return -1;
        if (c->p >= c->end)
            return -1;
        c->p++;
        return 0;
    }
    default:
        return b_str(c, &s, &n);
    }
}

/* s[0..len) as printable text in out (size n). */
static void copy_text(char *out, size_t n, const char *s, size_t len)
{
    size_t k = len < n - 1 ? len : n - 1;
    for (size_t i = 0; i < k; i++)
        out[i] = isprint((unsigned char)s[i]) ? s[i] : '.';
    out[k] = '\0';
}

enum ng_status ng_reply_parse(const char *buf, size_t len, const char *cookie, char *why,
                              size_t n)
{
    size_t cl = strlen(cookie);
    struct bcur c = {buf, buf + len};
    char result[32] = "", reason[200] = "";

    if (len < cl + 2 || memcmp(buf, cookie, cl) || buf[cl] != ' ') {
        snprintf(why, n, "the answer is not for our request (another cookie)");
        return NG_FAILED;
    }
    c.p += cl + 1;
    if (c.p >= c.end || *c.p != 'd') {
        snprintf(why, n, "the answer is not an ng dictionary");
        return NG_FAILED;
    }
    c.p++;
    while (c.p < c.end && *c.p != 'e') {
        const char *k, *v;
        size_t kl, vl;
        if (b_str(&c, &k, &kl) < 0)
            goto bad;
        bool is_result = kl == 6 && !memcmp(k, "result", 6);
        bool is_reason = kl == 12 && !memcmp(k, "error-reason", 12);
        if ((is_result || is_reason) && c.p < c.end && isdigit((unsigned char)*c.p)) {
            if (b_str(&c, &v, &vl) < 0)
                goto bad;
            if (is_result)
                copy_text(result, sizeof result, v, vl);
            else
                copy_text(reason, sizeof reason, v, vl);
        } else if (b_skip(&c, 1) < 0) {
            goto bad;
        }
    }
    if (c.p >= c.end)
        goto bad;
    if (!strcmp(result, "ok"))
        return NG_OK;
    if (!result[0]) {
        snprintf(why, n, "the answer has no result");
        return NG_FAILED;
    }
    snprintf(why, n, "RTPEngine answered %s: %s", result, reason[0] ? reason : "no reason");
    /* RTPEngine's words for a call it does not hold: "Unknown call-id" */
    return strcasestr(reason, "unknown call") ? NG_NO_CALL : NG_REFUSED;
bad:
    snprintf(why, n, "the answer is not valid bencode");
    return NG_FAILED;
}

/* "udp:HOST:PORT" or "udp6:HOST:PORT" (HOST may be in brackets) into host and port. */
static int split_url(const char *url, char *host, size_t hn, char *port, size_t pn, int *family)
{
    const char *p;

    if (!strncmp(url, "udp:", 4)) {
        p = url + 4;
        *family = AF_UNSPEC;
    } else if (!strncmp(url, "udp6:", 5)) {
        p = url + 5;
        *family = AF_INET6;
    } else {
        return -1;
    }
    const char *colon = strrchr(p, ':');
    if (!colon || colon == p || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return -1;
    size_t len = (size_t)(colon - p);
    if (*p == '[' && len >= 2 && p[len - 1] == ']') {
        p++;
        len -= 2;
    }
    if (len >= hn || strlen(colon + 1) >= pn)
        return -1;
    memcpy(host, p, len);
    host[len] = '\0';
    snprintf(port, pn, "%s", colon + 1);
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

enum ng_status ng_call(const char *url, const char *command, const char *callid,
                       unsigned timeout_ms, char *why, size_t n)
{
    char host[256], port[16], cookie[24], msg[1024];
    unsigned char rnd[8];
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
    enum ng_status st = NG_FAILED;
    int fd = -1, family, len;
    char *answer = NULL;

    if (split_url(url, host, sizeof host, port, sizeof port, &family) < 0) {
        snprintf(why, n, "'%.100s' is not an ng address this server can reach (udp:HOST:PORT)",
                 url);
        return NG_FAILED;
    }
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        snprintf(why, n, "no random bytes for a cookie");
        return NG_FAILED;
    }
    snprintf(cookie, sizeof cookie, "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
             rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    /* keys in bencode's sorted order: call-id, command, delete-delay. A delete is meant now:
     * RTPEngine otherwise keeps a deleted call for its delete-delay (30 s by default), still
     * counted and still answering queries. */
    len = snprintf(msg, sizeof msg, "%s d7:call-id%zu:%s7:command%zu:%s%se", cookie,
                   strlen(callid), callid, strlen(command), command,
                   strcmp(command, "delete") ? "" : "12:delete-delayi0e");
    if (len < 0 || (size_t)len >= sizeof msg) {
        snprintf(why, n, "the Call-ID is too long for one ng request");
        return NG_FAILED;
    }
    hints.ai_family = family;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai) {
        snprintf(why, n, "cannot resolve '%.100s': %s", host, gai_strerror(gai));
        return NG_FAILED;
    }
    if ((fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 || send(fd, msg, (size_t)len, 0) != len) {
        snprintf(why, n, "cannot send to %.100s: %s", url, strerror(errno));
        goto out;
    }
    uint64_t deadline = now_ms() + timeout_ms;
    if (!(answer = malloc(NG_ANSWER_MAX))) {
        snprintf(why, n, "out of memory");
        goto out;
    }
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline) {
            snprintf(why, n, "no answer from RTPEngine at %.100s within %u ms", url, timeout_ms);
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = cancel_poll(&p, 1, (int)(deadline - now));
        if (r < 0) {
            snprintf(why, n, errno == ECANCELED ? "cancelled" : "poll: %s", strerror(errno));
            break;
        }
        if (r == 0)
            continue;
        ssize_t got = recv(fd, answer, NG_ANSWER_MAX, 0);
        if (got < 0) {
            snprintf(why, n, "no answer from RTPEngine at %.100s: %s", url, strerror(errno));
            break;
        }
        st = ng_reply_parse(answer, (size_t)got, cookie, why, n);
        /* a stray answer to someone else's cookie: keep waiting for ours */
        if (st != NG_FAILED || got < (ssize_t)strlen(cookie) + 1 ||
            !memcmp(answer, cookie, strlen(cookie)))
            break;
    }
out:
    free(answer);
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return st;
}
