/* audit: JSON records of every tool call, one write() per line, to a file, syslog (local, or a
 * remote collector over UDP as RFC 5424) or nowhere. */

/* <syslog.h> and log.h both name LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING and LOG_ALERT
 * (syslog's as macros, ours as enum log_level). Take syslog's values first, drop its macros,
 * then let log.h's names mean what they mean everywhere else in the program. */
#include <syslog.h>

enum {
    SYSLOG_FACILITY = LOG_AUTHPRIV,
    SYSLOG_OPTIONS = LOG_PID | LOG_NDELAY,
    SYSLOG_PRIO_ALLOWED = LOG_INFO,
    SYSLOG_PRIO_NOTABLE = LOG_NOTICE, /* refusals and writes */
};
#undef LOG_DEBUG
#undef LOG_INFO
#undef LOG_NOTICE
#undef LOG_WARNING
#undef LOG_ALERT

#include "auth/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "strparse.h"

#define SYSLOG_IDENT "opensips-mcp"
#define SYSLOG_URL "syslog://"
#define SYSLOG_DEFAULT_PORT "514" /* RFC 5426 */
#define SYSLOG_HOST_MAX 255       /* RFC 5424's HOSTNAME */

enum audit_kind { AUDIT_OFF, AUDIT_SYSLOG, AUDIT_REMOTE, AUDIT_FILE };

struct audit {
    enum audit_kind kind;
    char *path;              /* AUDIT_FILE: the absolute path, reopened by audit_reopen();
                                AUDIT_REMOTE: the destination as given (syslog://HOST:PORT) */
    char *host, *port;       /* AUDIT_REMOTE: the collector, resolved again by audit_reopen() */
    char hostname[SYSLOG_HOST_MAX + 1]; /* AUDIT_REMOTE: this machine, the header's HOSTNAME */
    int fd;                  /* AUDIT_FILE: the file; AUDIT_REMOTE: a UDP socket connect()ed to
                                the collector. Guarded by lock */
    pthread_rwlock_t lock;   /* records hold it shared (O_APPEND keeps their lines whole);
                                audit_reopen() holds it exclusively to swap fd */
    atomic_bool torn;        /* the last write stopped mid-line: start the next with '\n' */
    atomic_bool failing;     /* inside a burst of failed records (logged once) */
    atomic_uint_fast64_t burst;   /* records dropped in the current burst */
    atomic_uint_fast64_t dropped; /* records dropped since audit_open() */
};

/* One counter per process, so ids never repeat even across audit objects. */
static atomic_uint_fast64_t last_id;

static const char *const decision_names[AUDIT_DECISION_COUNT] = {
    "allowed", "refused", "declined", "unconfirmed",
};

const char *audit_decision_name(enum audit_decision d)
{
    return (unsigned)d < AUDIT_DECISION_COUNT ? decision_names[d] : "unknown";
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there are not UTF-8
 * (stray continuation, overlong form, surrogate, beyond U+10FFFF) — jansson refuses those. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned cp;
    size_t n, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2, cp = s[0] & 0x1Fu;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3, cp = s[0] & 0x0Fu;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4, cp = s[0] & 0x07u;
    else
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A JSON string of at most `max` bytes of `s` (+ "..." when cut, on a character boundary),
 * non-UTF-8 bytes as '?'. `s` NULL gives null or "" (null_when_absent). New reference. */
static json_t *text_value(const char *s, size_t max, bool null_when_absent)
{
    char buf[AUDIT_TEXT_MAX + 4];
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, n;

    if (!s)
        return null_when_absent ? json_null() : json_string("");
    if (max > AUDIT_TEXT_MAX)
        max = AUDIT_TEXT_MAX;
    while (*p) {
        n = utf8_seq(p);
        if (o + (n ? n : 1) > max) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (n) {
            memcpy(buf + o, p, n);
            o += n;
            p += n;
        } else {
            buf[o++] = '?';
            p++;
        }
    }
    return json_stringn(buf, o);
}

/* "2026-11-23T16:45:55.123Z" in out[40] (also a valid RFC 5424 TIMESTAMP). */
static void timestamp_text(char out[40])
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    if (!gmtime_r(&ts.tv_sec, &tm)) {
        snprintf(out, 40, "1970-01-01T00:00:00.000Z");
        return;
    }
    n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 40 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

static json_t *timestamp_value(void)
{
    char out[40];

    timestamp_text(out);
    return json_string(out);
}

static int set(json_t *rec, const char *key, json_t *value)
{
    return json_object_set_new(rec, key, value); /* steals value; -1 when value is NULL */
}

/* The fields every record starts with. New reference, NULL when out of memory. */
static json_t *record_new(const char *event, uint64_t id, enum audit_decision d,
                          const struct audit_call *c)
{
    json_t *rec = json_object();
    int rc = 0;

    if (!rec)
        return NULL;
    rc |= set(rec, "ts", timestamp_value());
    rc |= set(rec, "id", json_integer((json_int_t)id));
    rc |= set(rec, "pid", json_integer((json_int_t)getpid()));
    rc |= set(rec, "event", json_string(event));
    rc |= set(rec, "decision", json_string(audit_decision_name(d)));
    rc |= set(rec, "principal", text_value(c->principal, AUDIT_FIELD_MAX, false));
    rc |= set(rec, "role", text_value(c->role, AUDIT_FIELD_MAX, false));
    rc |= set(rec, "tool", text_value(c->tool, AUDIT_FIELD_MAX, false));
    rc |= set(rec, "node", text_value(c->node, AUDIT_FIELD_MAX, true));
    rc |= set(rec, "write", json_boolean(c->write));
    if (rc) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

/* Add "args": the redacted arguments, or null plus "args_bytes" and "args_head" when they are
 * longer than AUDIT_ARGS_MAX. Returns 0, or -1 when out of memory. */
static int add_args(json_t *rec, const json_t *args)
{
    json_t *red;
    char *text;
    size_t size;
    int rc;

    if (!args)
        return set(rec, "args", json_null());
    red = log_redact(args);
    if (!red)
        return -1;
    size = json_dumpb(red, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
    if (size <= AUDIT_ARGS_MAX)
        return set(rec, "args", red);
    text = malloc(size + 1);
    if (!text) {
        json_decref(red);
        return -1;
    }
    json_dumpb(red, text, size, JSON_COMPACT | JSON_ENCODE_ANY);
    text[size] = '\0';
    json_decref(red);
    rc = set(rec, "args", json_null());
    rc |= set(rec, "args_bytes", json_integer((json_int_t)size));
    rc |= set(rec, "args_head", text_value(text, AUDIT_ARGS_HEAD, false));
    free(text);
    return rc;
}

static const struct audit_call no_call;

/* Note a dropped record; the first of a burst is logged. */
static void note_failure(struct audit *a, const char *why)
{
    atomic_fetch_add(&a->dropped, 1);
    atomic_fetch_add(&a->burst, 1);
    if (!atomic_exchange(&a->failing, true))
        log_msg(LOG_ERROR,
                "cannot write audit record to '%s': %s; further failures are not logged until "
                "a record is written again",
                a->kind != AUDIT_SYSLOG ? a->path : "syslog", why);
}

static void note_success(struct audit *a)
{
    if (atomic_load(&a->failing) && atomic_exchange(&a->failing, false))
        log_msg(LOG_WARNING, "audit records reach '%s' again; %llu were dropped",
                a->kind != AUDIT_SYSLOG ? a->path : "syslog",
                (unsigned long long)atomic_exchange(&a->burst, 0));
}

/* write() all of buf; a short write is continued. Returns 0, or -1 with errno; *torn is set
 * when part of the line went out. */
static int write_line(int fd, const char *buf, size_t len, bool *torn)
{
    size_t done = 0;
    ssize_t n;

    *torn = false;
    while (done < len) {
        n = write(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            *torn = done > 0;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

/* Send one RFC 5424 message holding the record (rec[0..len)) to the collector:
 * "<PRI>1 TIMESTAMP HOSTNAME opensips-mcp PROCID audit - {record}", one datagram (RFC 5426).
 * Returns 0, or -1 with errno (the socket refused it: the collector's port was closed when an
 * earlier datagram arrived, no buffer, no route). A datagram that leaves is not acknowledged. */
static int send_remote(struct audit *a, int prio, const char *rec, size_t len)
{
    char head[40 + SYSLOG_HOST_MAX + 96], ts[40];
    struct iovec iov[2];
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    int n;
    ssize_t sent;

    timestamp_text(ts);
    n = snprintf(head, sizeof(head), "<%d>1 %s %s %s %ld audit - ", SYSLOG_FACILITY | prio, ts,
                 a->hostname, SYSLOG_IDENT, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(head)) {
        errno = EINVAL;
        return -1;
    }
    iov[0] = (struct iovec){.iov_base = head, .iov_len = (size_t)n};
    iov[1] = (struct iovec){.iov_base = (void *)rec, .iov_len = len};
    do
        sent = sendmsg(a->fd, &msg, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    if (sent < 0)
        return -1;
    if ((size_t)sent != (size_t)n + len) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

/* Characters some readers take for the end of a line although JSON lets them stand in a
 * string: U+0085 (NEL), U+2028 and U+2029 (JavaScript before ES2019, Python's splitlines()).
 * Each is written as its \u escape, so a record stays one line for every reader. */
static size_t separator_len(const char *p, size_t left)
{
    const unsigned char *u = (const unsigned char *)p;

    if (left >= 2 && u[0] == 0xC2 && u[1] == 0x85)
        return 2;
    if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
        return 3;
    return 0;
}

/* Copy src[0..len) to dst with the separators escaped; returns the bytes written. With dst
 * NULL only counts them. jansson's output is UTF-8, so 0xC2 and 0xE2 are always lead bytes. */
static size_t escape_separators(char *dst, const char *src, size_t len)
{
    size_t o = 0, n;

    for (size_t i = 0; i < len; i += n ? n : 1) {
        n = separator_len(src + i, len - i);
        if (!n) {
            if (dst)
                dst[o] = src[i];
            o++;
            continue;
        }
        if (dst)
            memcpy(dst + o, n == 2 ? "\\u0085" : src[i + 2] == (char)0xA8 ? "\\u2028" : "\\u2029",
                   6);
        o += 6;
    }
    return o;
}

/* Serialise `rec` (stolen) as one line and send it; `durable` flushes a file to disk. */
static int emit(struct audit *a, json_t *rec, bool durable, int prio)
{
    char *buf = NULL, *raw = NULL;
    size_t size, raw_size, off;
    bool torn, was_torn;
    int rc = -1, err;

    if (!rec) {
        note_failure(a, "out of memory");
        return -1;
    }
    /* JSON_REAL_PRECISION: duration_ms as 12.345, not 12.345000000000001. */
    raw_size = json_dumpb(rec, NULL, 0, JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (raw_size == 0 || raw_size + 2 > AUDIT_LINE_MAX) {
        json_decref(rec);
        note_failure(a, raw_size ? "record longer than the line limit" : "cannot encode record");
        return -1;
    }
    raw = malloc(raw_size);
    if (!raw) {
        json_decref(rec);
        note_failure(a, "out of memory");
        return -1;
    }
    json_dumpb(rec, raw, raw_size, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(rec);
    size = escape_separators(NULL, raw, raw_size);
    if (size + 2 > AUDIT_LINE_MAX) {
        free(raw);
        note_failure(a, "record longer than the line limit");
        return -1;
    }
    buf = malloc(size + 3);
    if (!buf) {
        free(raw);
        note_failure(a, "out of memory");
        return -1;
    }
    /* buf = '\n' record '\n' NUL; the leading newline is sent only after a torn line. */
    buf[0] = '\n';
    escape_separators(buf + 1, raw, raw_size);
    free(raw);
    buf[size + 1] = '\n';
    buf[size + 2] = '\0';

    if (a->kind == AUDIT_SYSLOG) {
        syslog(prio, "%.*s", (int)size, buf + 1);
        rc = 0;
    } else if (a->kind == AUDIT_REMOTE) {
        pthread_rwlock_rdlock(&a->lock);
        rc = send_remote(a, prio, buf + 1, size);
        err = errno;
        pthread_rwlock_unlock(&a->lock);
        if (rc < 0)
            note_failure(a, strerror(err));
    } else {
        pthread_rwlock_rdlock(&a->lock);
        was_torn = atomic_exchange(&a->torn, false);
        off = was_torn ? 0 : 1;
        rc = write_line(a->fd, buf + off, size + 2 - off, &torn);
        err = errno;
        /* Still torn when this write stopped mid-line, or wrote nothing after a torn one. */
        if (rc < 0 && (torn || was_torn))
            atomic_store(&a->torn, true);
        if (rc == 0 && durable && fdatasync(a->fd) < 0) {
            err = errno;
            rc = -1;
        }
        pthread_rwlock_unlock(&a->lock);
        if (rc < 0)
            note_failure(a, strerror(err));
    }
    free(buf);
    if (rc == 0)
        note_success(a);
    return rc;
}

int audit_begin(struct audit *a, const struct audit_call *c, uint64_t *id)
{
    json_t *rec;

    *id = atomic_fetch_add(&last_id, 1) + 1;
    if (!a || a->kind == AUDIT_OFF)
        return 0;
    if (!c)
        c = &no_call;
    rec = record_new("begin", *id, AUDIT_ALLOWED, c);
    if (rec && add_args(rec, c->args) < 0) {
        json_decref(rec);
        rec = NULL;
    }
    return emit(a, rec, c->write, c->write ? SYSLOG_PRIO_NOTABLE : SYSLOG_PRIO_ALLOWED);
}

int audit_end(struct audit *a, uint64_t id, const struct audit_call *c, const char *outcome,
              const char *error_text, double duration_ms)
{
    json_t *rec;
    int rc = 0;

    if (!a || a->kind == AUDIT_OFF)
        return 0;
    if (!c)
        c = &no_call;
    /* Microsecond resolution; without libm. */
    if (!isfinite(duration_ms) || duration_ms < 0)
        duration_ms = 0;
    if (duration_ms > 1e12)
        duration_ms = 1e12;
    duration_ms = (double)(long long)(duration_ms * 1000 + 0.5) / 1000;
    rec = record_new("end", id, AUDIT_ALLOWED, c);
    if (rec) {
        rc |= set(rec, "outcome", text_value(outcome ? outcome : "ok", AUDIT_FIELD_MAX, false));
        rc |= set(rec, "error", text_value(error_text, AUDIT_TEXT_MAX, true));
        rc |= set(rec, "duration_ms", json_real(duration_ms));
        if (rc) {
            json_decref(rec);
            rec = NULL;
        }
    }
    return emit(a, rec, c->write, c->write ? SYSLOG_PRIO_NOTABLE : SYSLOG_PRIO_ALLOWED);
}

int audit_refused(struct audit *a, const struct audit_call *c, enum audit_decision decision,
                  const char *reason)
{
    json_t *rec;
    uint64_t id = atomic_fetch_add(&last_id, 1) + 1;

    if (!a || a->kind == AUDIT_OFF)
        return 0;
    if (!c)
        c = &no_call;
    if (decision == AUDIT_ALLOWED || (unsigned)decision >= AUDIT_DECISION_COUNT)
        decision = AUDIT_REFUSED;
    rec = record_new("refused", id, decision, c);
    if (rec && (add_args(rec, c->args) < 0 ||
                set(rec, "reason", text_value(reason, AUDIT_TEXT_MAX, true)) < 0)) {
        json_decref(rec);
        rec = NULL;
    }
    return emit(a, rec, false, SYSLOG_PRIO_NOTABLE);
}

uint64_t audit_dropped(const struct audit *a)
{
    return a ? atomic_load(&((struct audit *)a)->dropped) : 0;
}

/* Open the audit file; returns the fd, or -1 with a sentence in err. */
static int open_file(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd;

    /* A FIFO or device would block or interleave: refuse it before open() could block. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "audit file '%s' is not a regular file; give the path of a file",
                 path);
        return -1;
    }
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
    if (fd < 0) {
        snprintf(err, errlen,
                 "cannot open audit file '%s': %s; create its directory and let this user "
                 "write there, or set audit to \"syslog\" or \"off\"",
                 path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "audit file '%s' is not a regular file; give the path of a file",
                 path);
        close(fd);
        return -1;
    }
    if (st.st_mode & 077)
        log_msg(LOG_WARNING, "audit file '%s' can be read by others (mode %03o); chmod 600 it",
                path, (unsigned)(st.st_mode & 0777));
    return fd;
}

/* Split "syslog://HOST[:PORT]" (HOST a name, an IPv4 address or a bracketed IPv6 one) into
 * new strings *host and *port ("514" when absent). Returns 0, or -1 with a sentence in err. */
static int parse_remote(const char *dest, char **host, char **port, char *err, size_t errlen)
{
    const char *h = dest + strlen(SYSLOG_URL), *end, *p;
    size_t hlen;
    uint64_t v;

    *host = *port = NULL;
    if (*h == '[') {
        end = strchr(++h, ']');
        if (!end) {
            snprintf(err, errlen, "audit destination '%s' has an IPv6 address without its "
                     "closing ']'; give syslog://[ADDR]:PORT", dest);
            return -1;
        }
        p = end + 1;
        if (*p && *p != ':') {
            snprintf(err, errlen, "audit destination '%s' has '%s' after the address; give "
                     "syslog://[ADDR]:PORT", dest, p);
            return -1;
        }
    } else {
        end = h + strcspn(h, ":/?#@");
        p = end;
        if (*p && *p != ':') {
            snprintf(err, errlen, "audit destination '%s' has '%s' after the host; give "
                     "syslog://HOST:PORT and nothing else", dest, p);
            return -1;
        }
    }
    hlen = (size_t)(end - h);
    if (hlen == 0) {
        snprintf(err, errlen, "audit destination '%s' names no host; give syslog://HOST:PORT, "
                 "e.g. syslog://logs.example.net:514", dest);
        return -1;
    }
    if (hlen > SYSLOG_HOST_MAX) {
        snprintf(err, errlen, "audit destination '%.64s...' has a host longer than %d bytes",
                 dest, SYSLOG_HOST_MAX);
        return -1;
    }
    for (size_t i = 0; i < hlen; i++)
        if ((unsigned char)h[i] <= ' ' || (unsigned char)h[i] >= 0x7f) {
            snprintf(err, errlen, "audit destination '%s' has a host with a blank or a "
                     "character that is not printable ASCII", dest);
            return -1;
        }
    if (*p == ':') {
        p++;
        if (parse_uint(p, 65535, &v) < 0 || v < 1) {
            snprintf(err, errlen, "audit destination '%s' has a bad port '%s'; give a number "
                     "from 1 to 65535 (syslog over UDP is 514)", dest, p);
            return -1;
        }
    } else {
        p = SYSLOG_DEFAULT_PORT;
    }
    *host = strndup(h, hlen);
    *port = strdup(p);
    if (!*host || !*port) {
        free(*host);
        free(*port);
        *host = *port = NULL;
        snprintf(err, errlen, "cannot open the audit trail: out of memory");
        return -1;
    }
    return 0;
}

/* A UDP socket connect()ed to the collector host:port (the first of its addresses a socket
 * can be made for); returns it, or -1 with a sentence in err (unresolvable, no socket). */
static int open_remote(const char *dest, const char *host, const char *port, char *err,
                       size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res, *ai;
    int rc, fd = -1, e = 0;

    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "audit destination '%s': cannot resolve '%s': %s", dest, host,
                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            e = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "audit destination '%s': cannot send to '%s' port %s: %s", dest,
                 host, port, strerror(e ? e : EADDRNOTAVAIL));
    return fd;
}

/* This machine's name as RFC 5424 takes it (printable ASCII, no blank), or "-". */
static void local_hostname(char out[SYSLOG_HOST_MAX + 1])
{
    if (gethostname(out, SYSLOG_HOST_MAX + 1) < 0)
        out[0] = '\0';
    out[SYSLOG_HOST_MAX] = '\0';
    for (char *c = out; *c; c++)
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
            *c = '_';
    if (!out[0])
        snprintf(out, SYSLOG_HOST_MAX + 1, "-");
}

struct audit *audit_open(const char *dest, char *err, size_t errlen)
{
    struct audit *a = calloc(1, sizeof(*a));
    pthread_rwlockattr_t attr;

    if (!a) {
        snprintf(err, errlen, "cannot open the audit trail: out of memory");
        return NULL;
    }
    a->fd = -1;
    atomic_init(&a->torn, false);
    atomic_init(&a->failing, false);
    atomic_init(&a->burst, 0);
    atomic_init(&a->dropped, 0);
    if (!dest || !*dest || !strcmp(dest, "off")) {
        a->kind = AUDIT_OFF;
    } else if (!strcmp(dest, "syslog")) {
        a->kind = AUDIT_SYSLOG;
        openlog(SYSLOG_IDENT, SYSLOG_OPTIONS, SYSLOG_FACILITY);
    } else if (!strncmp(dest, SYSLOG_URL, strlen(SYSLOG_URL))) {
        a->kind = AUDIT_REMOTE;
        if (strlen(dest) > PATH_MAX) {
            snprintf(err, errlen, "audit destination is longer than %d bytes", PATH_MAX);
            goto fail;
        }
        if (parse_remote(dest, &a->host, &a->port, err, errlen) < 0)
            goto fail;
        if (!(a->path = strdup(dest))) {
            snprintf(err, errlen, "cannot open the audit trail: out of memory");
            goto fail;
        }
        local_hostname(a->hostname);
        a->fd = open_remote(dest, a->host, a->port, err, errlen);
        if (a->fd < 0)
            goto fail;
    } else if (dest[0] != '/') {
        snprintf(err, errlen,
                 "audit destination '%s' is a relative path; give an absolute path, \"syslog\", "
                 "syslog://HOST:PORT or \"off\"",
                 dest);
        goto fail;
    } else if (strlen(dest) >= PATH_MAX) {
        snprintf(err, errlen, "audit file path is longer than %d bytes", PATH_MAX - 1);
        goto fail;
    } else {
        a->kind = AUDIT_FILE;
        a->path = strdup(dest);
        if (!a->path) {
            snprintf(err, errlen, "cannot open the audit trail: out of memory");
            goto fail;
        }
        a->fd = open_file(a->path, err, errlen);
        if (a->fd < 0)
            goto fail;
    }
    /* Prefer the writer, so a steady stream of records cannot hold off audit_reopen(). */
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    if (pthread_rwlock_init(&a->lock, &attr) != 0) {
        pthread_rwlockattr_destroy(&attr);
        snprintf(err, errlen, "cannot open the audit trail: out of resources");
        if (a->fd >= 0)
            close(a->fd);
        if (a->kind == AUDIT_SYSLOG)
            closelog();
        goto fail;
    }
    pthread_rwlockattr_destroy(&attr);
    return a;

fail:
    free(a->path);
    free(a->host);
    free(a->port);
    free(a);
    return NULL;
}

int audit_reopen(struct audit *a)
{
    char err[PATH_MAX + 256];
    int fd, old;

    if (!a || a->kind == AUDIT_OFF)
        return 0;
    if (a->kind == AUDIT_SYSLOG) {
        closelog();
        openlog(SYSLOG_IDENT, SYSLOG_OPTIONS, SYSLOG_FACILITY);
        return 0;
    }
    fd = a->kind == AUDIT_REMOTE ? open_remote(a->path, a->host, a->port, err, sizeof(err))
                                 : open_file(a->path, err, sizeof(err));
    if (fd < 0) {
        log_msg(LOG_ERROR, "%s; audit records still go to the %s open before", err,
                a->kind == AUDIT_REMOTE ? "address" : "file");
        return -1;
    }
    pthread_rwlock_wrlock(&a->lock);
    old = a->fd;
    a->fd = fd;
    atomic_store(&a->torn, false);
    pthread_rwlock_unlock(&a->lock);
    close(old);
    return 0;
}

void audit_close(struct audit *a)
{
    if (!a)
        return;
    if ((a->kind == AUDIT_FILE || a->kind == AUDIT_REMOTE) && a->fd >= 0)
        close(a->fd);
    if (a->kind == AUDIT_SYSLOG)
        closelog();
    pthread_rwlock_destroy(&a->lock);
    free(a->path);
    free(a->host);
    free(a->port);
    free(a);
}
