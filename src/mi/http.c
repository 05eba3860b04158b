/* mi/http: mi_http over libcurl. POST the JSON-RPC request with Content-Type application/json
 * (mi_http closes the connection on any other type); act on the status line: error statuses
 * (400/405/500) send their headers and a chunked body that never ends (recordings/index.json,
 * http/err_*.txt), so the transfer is aborted from the header callback and never waits for it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dl/curl.h"
#include "cancel.h"
#include "mi/transport.h"

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static bool http_ready;
static char http_init_error[300];

struct http_call {
    struct mi_buf *reply;
    long status;       /* from the status line; 0 until seen */
    bool status_error; /* aborted on an error status */
    bool too_large;    /* aborted by the size limit */
    bool nomem;
};

/* Each header line; the status line comes first ("HTTP/1.1 500 Internal Server Error"). */
static size_t http_on_header(char *p, size_t size, size_t n, void *arg)
{
    struct http_call *hc = arg;
    size_t len = size * n;
    if (len > 9 && !strncmp(p, "HTTP/", 5)) {
        const char *sp = memchr(p, ' ', len);
        long st = 0;
        if (sp && (size_t)(sp - p) + 4 <= len) {
            for (int i = 1; i <= 3; i++)
                st = st * 10 + (sp[i] >= '0' && sp[i] <= '9' ? sp[i] - '0' : 0);
        }
        hc->status = st;
        if (st >= 400) {
            hc->status_error = true;
            return 0; /* abort now: the body of an error status never ends */
        }
    }
    return len;
}

static size_t http_on_body(char *p, size_t size, size_t n, void *arg)
{
    struct http_call *hc = arg;
    int rc = mi_buf_add(hc->reply, p, size * n);
    if (rc == -1)
        hc->too_large = true;
    else if (rc < 0)
        hc->nomem = true;
    return rc == 0 ? size * n : 0;
}

/* Without a cancellation eventfd, libcurl's progress callback (at least once a second when
 * nothing moves) aborts a cancelled transfer (CURLE_ABORTED_BY_CALLBACK). */
static int http_on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                            curl_off_t ulnow)
{
    (void)arg, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return cancel_bound_fired() ? 1 : 0;
}

/* Each thread keeps one easy handle for requests that may reuse a connection: libcurl keeps the
 * connection to the node alive in it, which saves a TCP handshake per read (keep-alive is what
 * mi_http's libmicrohttpd offers). Writes always get a handle of their own and a fresh
 * connection, so that libcurl never resends one on a connection that died under it. */
static pthread_key_t handle_key, multi_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;

static void handle_free(void *h)
{
    curl_easy_cleanup(h);
}

static void multi_free(void *m)
{
    curl_multi_cleanup(m);
}

static void handle_key_init(void)
{
    pthread_key_create(&handle_key, handle_free);
    pthread_key_create(&multi_key, multi_free);
}

void mi_transport_thread_release(void)
{
    CURL *c;
    CURLM *m;

    pthread_once(&handle_once, handle_key_init);
    if ((c = pthread_getspecific(handle_key))) {
        pthread_setspecific(handle_key, NULL);
        curl_easy_cleanup(c);
    }
    if ((m = pthread_getspecific(multi_key))) {
        pthread_setspecific(multi_key, NULL);
        curl_multi_cleanup(m);
    }
}

/* This thread's multi handle, for transfers that a cancellation must be able to stop at once.
 * It holds the kept-alive connection from then on, as the easy handle did. */
static CURLM *multi_get(void)
{
    CURLM *m;

    pthread_once(&handle_once, handle_key_init);
    if ((m = pthread_getspecific(multi_key)))
        return m;
    if ((m = curl_multi_init()) && pthread_setspecific(multi_key, m) != 0) {
        curl_multi_cleanup(m);
        m = NULL;
    }
    return m;
}

/* curl_easy_perform, but waiting on the cancellation's eventfd beside the transfer's sockets, so
 * that firing it ends the wait at once (CURLE_ABORTED_BY_CALLBACK, as the progress callback does
 * without an eventfd). */
static CURLcode perform_cancellable(CURL *c, struct cancel *k)
{
    CURLM *m = multi_get();
    CURLcode cc = CURLE_FAILED_INIT;
    CURLMsg *msg;
    int running = 1, left;

    if (!m)
        return CURLE_OUT_OF_MEMORY;
    if (curl_multi_add_handle(m, c) != CURLM_OK)
        return CURLE_FAILED_INIT;
    for (;;) {
        if (curl_multi_perform(m, &running) != CURLM_OK)
            break;
        if (!running) {
            while ((msg = curl_multi_info_read(m, &left)))
                if (msg->msg == CURLMSG_DONE && msg->easy_handle == c)
                    cc = msg->data.result;
            break;
        }
        if (atomic_load(&k->fired)) {
            cc = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        struct curl_waitfd w = {.fd = k->fd, .events = CURL_WAIT_POLLIN};
        if (curl_multi_poll(m, &w, 1, 1000, NULL) != CURLM_OK)
            break;
    }
    curl_multi_remove_handle(m, c);
    return cc;
}

static CURL *handle_get(unsigned flags, bool *owned)
{
    CURL *c;

    *owned = true;
    if (!(flags & MI_CALL_REUSE))
        return curl_easy_init();
    pthread_once(&handle_once, handle_key_init);
    if ((c = pthread_getspecific(handle_key))) {
        curl_easy_reset(c);
        *owned = false;
        return c;
    }
    if ((c = curl_easy_init()) && pthread_setspecific(handle_key, c) == 0)
        *owned = false;
    return c;
}

static enum mi_err http_call(const struct mi_addr *a, const char *req, size_t len,
                             uint64_t deadline, unsigned flags, struct mi_buf *reply,
                             struct mi_error *e)
{
    bool owned;
    if (mi_transport_global_init() < 0)
        return mi_error_set(e, MI_ERR_SYSTEM, 0, "cannot call '%s': %s", a->text, http_init_error);
    uint64_t now = mi_now_ms();
    if (now >= deadline)
        return mi_error_set(e, MI_ERR_TIMEOUT, 0, "no time left to call '%s'", a->text);
    struct http_call hc = {.reply = reply};
    struct curl_slist *hdrs = NULL, *h;
    enum mi_err rc = MI_OK;
    CURL *c = handle_get(flags, &owned);
    if (!c || !(h = curl_slist_append(NULL, "Content-Type: application/json")))
        goto nomem;
    hdrs = h;
    if (!(h = curl_slist_append(hdrs, "Expect:"))) /* never wait for 100-continue */
        goto nomem;
    hdrs = h;
    long ms = (long)(deadline - now);
    curl_easy_setopt(c, CURLOPT_URL, a->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*"); /* MI is a management port: never via a proxy */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for resolver time-outs */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hc);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &hc);
    struct cancel *k = cancel_bound();
    if (k && k->fd < 0) {
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_on_progress);
    }
    if (k && k->fd >= 0 && owned) {
        /* a write shares this thread's multi handle, not its connection */
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    }
    if (reply->max < (size_t)0x7fffffff)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)reply->max);

    CURLcode cc = k && k->fd >= 0 ? perform_cancellable(c, k) : curl_easy_perform(c);
    if (hc.status_error) {
        rc = mi_error_set(e, MI_ERR_HTTP_STATUS, (int)hc.status,
                          "'%s' answered HTTP %ld; its error body is not awaited (mi_http never "
                          "ends it)",
                          a->text, hc.status);
    } else if (hc.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
        rc = mi_error_set(e, MI_ERR_TOO_LARGE, 0,
                          "reply from '%s' passed the limit of %zu bytes; narrow the request "
                          "or raise the MI reply limit",
                          a->text, reply->max);
    } else if (hc.nomem) {
        goto nomem;
    } else if (cc == CURLE_OK) {
        long st = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
        if (st != 200)
            rc = mi_error_set(e, MI_ERR_HTTP_STATUS, (int)st, "'%s' answered HTTP %ld",
                              a->text, st);
    } else if (cc == CURLE_ABORTED_BY_CALLBACK) {
        rc = mi_error_set(e, MI_ERR_CANCELLED, 0, "stopped waiting for '%s'", a->text);
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        rc = mi_error_set(e, MI_ERR_TIMEOUT, 0, "no complete reply from '%s' within %ld ms",
                          a->text, ms);
    } else if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST) {
        rc = mi_error_set(e, MI_ERR_UNREACHABLE, 0, "cannot connect to '%s': %s; is OpenSIPS "
                          "running with mi_http loaded?",
                          a->text, curl_easy_strerror(cc));
    } else if (cc == CURLE_PARTIAL_FILE) {
        rc = mi_error_set(e, MI_ERR_GARBAGE, 0, "reply from '%s' was cut short (%zu bytes)",
                          a->text, reply->len);
    } else if (cc == CURLE_GOT_NOTHING || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR) {
        rc = mi_error_set(e, MI_ERR_SERVER, 0, "'%s' closed the connection without a reply: %s",
                          a->text, curl_easy_strerror(cc));
    } else if (cc == CURLE_OUT_OF_MEMORY) {
        goto nomem;
    } else {
        rc = mi_error_set(e, MI_ERR_GARBAGE, 0, "HTTP exchange with '%s' failed: %s", a->text,
                          curl_easy_strerror(cc));
    }
    goto out;
nomem:
    rc = mi_error_set(e, MI_ERR_SYSTEM, 0, "out of memory calling '%s'", a->text);
out:
    curl_slist_free_all(hdrs);
    if (c && owned)
        curl_easy_cleanup(c);
    return rc;
}

const struct mi_transport mi_transport_http = {.name = "http", .call = http_call};

static void http_init_once(void)
{
    if (dl_curl_load(http_init_error, sizeof http_init_error) < 0)
        return;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(http_init_error, sizeof http_init_error, "curl_global_init failed");
        return;
    }
    http_ready = true;
}

int mi_transport_global_init(void)
{
    pthread_once(&http_once, http_init_once);
    return http_ready ? 0 : -1;
}

void mi_transport_global_cleanup(void)
{
    mi_transport_thread_release();
    if (http_ready)
        curl_global_cleanup();
}
