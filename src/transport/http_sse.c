/* http_sse: SSE streams of the Streamable HTTP transport — a queue of messages per stream, event
 * ids, the priming event, keepalive comments, and parking a connection while there is nothing
 * to send.
 *
 * Connections are served by a few polling threads (epoll), so a stream never blocks one: with
 * nothing to send, the reader suspends its connection (MHD_suspend_connection, libmicrohttpd's
 * documented way for a content reader to wait), and a send, the keepalive ticker or shutdown
 * resume it. A suspended connection is exempt from the idle timeout, so a tool that runs for
 * minutes keeps its stream. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/http_internal.h"

struct line {
    struct line *next;
    size_t len;
    char data[];
};

struct sse_stream {
    struct mcp_out out;
    pthread_mutex_t lock;
    struct line *head, *tail;
    size_t queued;          /* lines ever queued */
    bool final;             /* the request is over: end the stream once drained */
    bool gone;              /* the client went away or the response was never sent */
    bool primed;
    unsigned keepalive_s;   /* a comment after this many idle seconds; 0: none */
    int refs;               /* the session side (until final) and the HTTP response */
    bool suspended;         /* the reader parked the connection; only wake resumes it */
    bool parked;            /* no response yet: the access handler parked the connection */
    time_t parked_at;       /* monotonic seconds when it did */
    bool ping;              /* the ticker asks for a keepalive comment */
    struct MHD_Connection *conn; /* set while a response reads the stream */
    time_t last_out;        /* monotonic seconds of the last event or comment handed out */
    unsigned long no, next_event;
    char *pending;          /* the event being written */
    size_t pending_len, pending_off;
    struct sse_stream *lnext, **lprev; /* in live_streams while a response reads it */
    void (*on_done)(void *);  /* called once the response is over (sse_on_done) */
    void *done_arg;
};

static atomic_bool stopping;
static atomic_ulong stream_counter;
/* Every stream a response reads, for the keepalive ticker and shutdown. Lock order: this, then
 * a stream's lock. */
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sse_stream *live_streams;

/* Resume a parked connection so that its reader runs again. Under st->lock. */
static void wake(struct sse_stream *st)
{
    if (st->suspended) {
        st->suspended = false;
        MHD_resume_connection(st->conn);
    }
}

void sse_ref(struct sse_stream *st)
{
    pthread_mutex_lock(&st->lock);
    st->refs++;
    pthread_mutex_unlock(&st->lock);
}

void sse_unref(struct sse_stream *st)
{
    bool last;

    pthread_mutex_lock(&st->lock);
    last = --st->refs == 0;
    pthread_mutex_unlock(&st->lock);
    if (!last)
        return;
    while (st->head) {
        struct line *l = st->head;
        st->head = l->next;
        free(l);
    }
    free(st->pending);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static void stream_send(struct mcp_out *out, const char *text, size_t len, bool final)
{
    struct sse_stream *st = out->ctx;
    struct line *l = NULL;

    if (text && (l = malloc(sizeof(*l) + len + 1))) {
        l->next = NULL;
        l->len = len;
        memcpy(l->data, text, len);
        l->data[len] = '\0';
    }
    pthread_mutex_lock(&st->lock);
    if (l && !st->gone) {
        if (st->tail)
            st->tail->next = l;
        else
            st->head = l;
        st->tail = l;
        st->queued++;
        l = NULL;
    }
    if (final)
        st->final = true;
    wake(st);
    pthread_mutex_unlock(&st->lock);
    free(l);
    if (final)
        sse_unref(st); /* the session is done with it */
}

struct sse_stream *sse_new(unsigned keepalive_s)
{
    struct sse_stream *st = calloc(1, sizeof(*st));

    if (!st)
        return NULL;
    st->out.send = stream_send;
    st->out.ctx = st;
    st->refs = 2;
    st->keepalive_s = keepalive_s;
    st->no = atomic_fetch_add(&stream_counter, 1) + 1;
    st->last_out = http_mono_now();
    pthread_mutex_init(&st->lock, NULL);
    return st;
}

struct mcp_out *sse_out(struct sse_stream *st)
{
    return &st->out;
}

void sse_push(struct sse_stream *st, const char *text, size_t len)
{
    stream_send(&st->out, text, len, false);
}

void sse_end(struct sse_stream *st)
{
    if (st)
        stream_send(&st->out, NULL, 0, true);
}

void sse_discard(struct sse_stream *st)
{
    sse_end(st);
    sse_response_done(st);
}

bool sse_gone(struct sse_stream *st)
{
    bool gone;

    pthread_mutex_lock(&st->lock);
    gone = st->gone;
    pthread_mutex_unlock(&st->lock);
    return gone;
}

char *sse_single_message(struct sse_stream *st)
{
    char *body = NULL;

    pthread_mutex_lock(&st->lock);
    if (st->final && st->queued == 1)
        body = strndup(st->head->data, st->head->len);
    pthread_mutex_unlock(&st->lock);
    return body;
}

/* Event ids say which stream they belong to (SHOULD, §Resumability): "<stream>-<n>". */
static void stream_format(struct sse_stream *st, const char *data, size_t len)
{
    free(st->pending);
    st->pending_off = 0;
    if (asprintf(&st->pending, "id: %lu-%lu\ndata: %.*s\n\n", st->no, st->next_event++,
                 (int)len, data) < 0) {
        st->pending = NULL;
        st->pending_len = 0;
        return;
    }
    st->pending_len = strlen(st->pending);
}

/* Make the next event (or comment) pending: false when there is none yet. Under st->lock. */
static bool stream_next(struct sse_stream *st)
{
    if (!st->primed) {
        /* The priming event: an id and empty data, before anything else (SEP-1699). */
        st->primed = true;
        stream_format(st, "", 0);
        return true;
    }
    if (st->head) {
        struct line *l = st->head;
        st->head = l->next;
        if (!st->head)
            st->tail = NULL;
        stream_format(st, l->data, l->len);
        free(l);
        return true;
    }
    return false;
}

/* libmicrohttpd's content reader. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct sse_stream *st = cls;
    ssize_t n = 0;
    (void)pos;

    pthread_mutex_lock(&st->lock);
    for (;;) {
        if (st->pending && st->pending_off < st->pending_len) {
            size_t left = st->pending_len - st->pending_off;
            n = (ssize_t)(left < max ? left : max);
            memcpy(buf, st->pending + st->pending_off, (size_t)n);
            st->pending_off += (size_t)n;
            break;
        }
        if (stream_next(st))
            continue;
        if (st->final || atomic_load(&stopping)) {
            n = MHD_CONTENT_READER_END_OF_STREAM;
            break;
        }
        if (st->ping) {
            /* A comment keeps proxies from timing out and finds vanished clients. */
            st->ping = false;
            free(st->pending);
            st->pending = strdup(":\n\n");
            st->pending_len = st->pending ? 3 : 0;
            st->pending_off = 0;
            continue;
        }
        /* Nothing to send: park the connection until there is. */
        st->suspended = true;
        MHD_suspend_connection(st->conn);
        n = 0;
        break;
    }
    if (n > 0)
        st->last_out = http_mono_now();
    pthread_mutex_unlock(&st->lock);
    return n;
}

/* Every second: a keepalive comment on streams silent for their keepalive_s; parked requests
 * silent for SSE_PARK_MAX_S are answered with their stream. */
void sse_tick(void)
{
    time_t now = http_mono_now();

    pthread_mutex_lock(&streams_lock);
    for (struct sse_stream *st = live_streams; st; st = st->lnext) {
        pthread_mutex_lock(&st->lock);
        if (st->keepalive_s && st->suspended && now - st->last_out >= (time_t)st->keepalive_s) {
            st->ping = true;
            wake(st);
        } else if (st->parked && st->suspended && now - st->parked_at >= SSE_PARK_MAX_S) {
            wake(st); /* silent for a while: answer with the stream, which sends at once */
        }
        pthread_mutex_unlock(&st->lock);
    }
    pthread_mutex_unlock(&streams_lock);
}

void sse_stop(void)
{
    atomic_store(&stopping, true);
}

void sse_wake_all(void)
{
    pthread_mutex_lock(&streams_lock);
    for (struct sse_stream *st = live_streams; st; st = st->lnext) {
        pthread_mutex_lock(&st->lock);
        wake(st);
        pthread_mutex_unlock(&st->lock);
    }
    pthread_mutex_unlock(&streams_lock);
}

void sse_drain(unsigned max_ms)
{
    for (unsigned waited = 0; waited < max_ms; waited += 10) {
        pthread_mutex_lock(&streams_lock);
        bool none = !live_streams;
        pthread_mutex_unlock(&streams_lock);
        if (none)
            return;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
}

void sse_response_done(void *cls)
{
    struct sse_stream *st = cls;

    pthread_mutex_lock(&streams_lock);
    if (st->lprev) {
        *st->lprev = st->lnext;
        if (st->lnext)
            st->lnext->lprev = st->lprev;
        st->lprev = NULL;
    }
    pthread_mutex_unlock(&streams_lock);
    pthread_mutex_lock(&st->lock);
    st->gone = true;
    pthread_mutex_unlock(&st->lock);
    if (st->on_done)
        st->on_done(st->done_arg);
    sse_unref(st);
}

void sse_on_done(struct sse_stream *st, void (*fn)(void *), void *arg)
{
    st->on_done = fn;
    st->done_arg = arg;
}

/* Put the stream in live_streams (once), for the ticker and shutdown. */
static void list_live(struct sse_stream *st)
{
    pthread_mutex_lock(&streams_lock);
    if (!st->lprev) {
        st->lnext = live_streams;
        if (live_streams)
            live_streams->lprev = &st->lnext;
        st->lprev = &live_streams;
        live_streams = st;
    }
    pthread_mutex_unlock(&streams_lock);
}

enum MHD_Result sse_answer(struct MHD_Connection *conn, struct sse_stream *st,
                           const char *session_id)
{
    struct MHD_Response *r;
    enum MHD_Result rc;

    pthread_mutex_lock(&st->lock);
    st->conn = conn;
    pthread_mutex_unlock(&st->lock);
    list_live(st);
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, st,
                                          sse_response_done);
    if (!r) {
        sse_response_done(st);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    if (session_id)
        MHD_add_response_header(r, "Mcp-Session-Id", session_id);
    rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

bool sse_park(struct MHD_Connection *conn, struct sse_stream *st)
{
    bool park;

    list_live(st); /* first: shutdown must find it to resume it */
    pthread_mutex_lock(&st->lock);
    park = !st->head && !st->final && !atomic_load(&stopping);
    if (park) {
        st->conn = conn;
        st->parked = true;
        st->parked_at = http_mono_now();
        st->suspended = true;
        MHD_suspend_connection(conn);
    }
    pthread_mutex_unlock(&st->lock);
    return park;
}

/* The one queued line of a stream that is over, taken out of the queue (the caller frees it),
 * or NULL when the stream has more, or less, or is not over. Under st->lock. */
static struct line *take_single(struct sse_stream *st)
{
    struct line *l = st->head;

    if (!st->final || st->queued != 1 || !l)
        return NULL;
    st->head = st->tail = NULL;
    return l;
}

enum MHD_Result sse_answer_ready(struct MHD_Connection *conn, struct sse_stream *st,
                                 const char *session_id)
{
    enum MHD_Result rc;
    struct line *l;

    pthread_mutex_lock(&st->lock);
    st->parked = false;
    l = take_single(st);
    pthread_mutex_unlock(&st->lock);
    if (!l)
        return sse_answer(conn, st, session_id);
    sse_response_done(st);
    rc = http_reply(conn, MHD_HTTP_OK, "application/json", l->data, session_id);
    free(l);
    return rc;
}
