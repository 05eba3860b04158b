/* http_session: the Mcp-Session-Id table of the Streamable HTTP transport — creating sessions
 * within the quotas, finding them, expiring idle ones, each session's GET stream, and the list
 * and end hooks of the server_sessions tools. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "transport/http_headers.h"
#include "transport/http_internal.h"

/* A message that belongs to no request goes to the session's GET stream (§Listening). */
static void notify_send(struct mcp_out *out, const char *text, size_t len, bool final)
{
    struct http_session *hs = out->ctx;
    struct sse_stream *st;

    (void)final;
    pthread_mutex_lock(&hs->lock);
    st = hs->get_stream;
    if (st)
        sse_ref(st);
    pthread_mutex_unlock(&hs->lock);
    if (!st)
        return; /* no GET stream open: the message has nowhere to go (§Listening) */
    sse_push(st, text, len);
    sse_unref(st);
}

void http_session_unref(struct http_session *hs)
{
    bool last;

    pthread_mutex_lock(&hs->lock);
    last = --hs->refs == 0;
    pthread_mutex_unlock(&hs->lock);
    if (last) {
        pthread_mutex_destroy(&hs->lock);
        free(hs);
    }
}

void http_session_end(struct http_session *hs)
{
    struct sse_stream *st;

    mcp_session_close(hs->mcp);
    pthread_mutex_lock(&hs->lock);
    st = hs->get_stream;
    hs->get_stream = NULL;
    pthread_mutex_unlock(&hs->lock);
    sse_end(st); /* ends the GET stream, drops our ref */
    http_session_unref(hs);
}

/* The session's GET stream while its client is still there. One whose response is over (the
 * client went away) is dropped from the session and handed back in *dead, for the caller to
 * release with sse_end outside hs->lock. Under hs->lock. */
static struct sse_stream *get_stream_live(struct http_session *hs, struct sse_stream **dead)
{
    struct sse_stream *st = hs->get_stream;

    *dead = NULL;
    if (!st)
        return NULL;
    if (!sse_gone(st))
        return st;
    hs->get_stream = NULL;
    *dead = st;
    return NULL;
}

int http_session_listen(struct http_session *hs, struct sse_stream *st)
{
    struct sse_stream *dead = NULL;
    int rc = 0;

    pthread_mutex_lock(&hs->lock);
    /* A stream whose client went away makes room for a new one (a reconnecting client). */
    if (!st || get_stream_live(hs, &dead))
        rc = -1;
    else
        hs->get_stream = st; /* the session's reference is the stream's "session side" */
    pthread_mutex_unlock(&hs->lock);
    sse_end(dead);
    return rc;
}

/* Whether the session may be reclaimed for its principal: no handler holds it (refs is the
 * table's alone) and no request of it runs. An open GET stream does not count: a client that
 * left without DELETE is not seen to have gone while its stream is parked (libmicrohttpd does
 * not watch a suspended connection), and such sessions would hold the quota for nothing; a
 * live listener whose session is reclaimed sees its stream end and initializes again. Under
 * the server's lock. */
static bool session_unused(struct http_session *hs)
{
    pthread_mutex_lock(&hs->lock);
    bool unused = hs->refs == 1;
    pthread_mutex_unlock(&hs->lock);
    return unused && mcp_session_idle(hs->mcp);
}

void http_sessions_expire(struct http_server *hsrv)
{
    time_t now = time(NULL);
    struct http_session *expired = NULL;

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session **pp = &hsrv->sessions; *pp;) {
        struct http_session *hs = *pp;
        pthread_mutex_lock(&hs->lock);
        bool alone = hs->refs == 1; /* the refs are written under the session's lock */
        pthread_mutex_unlock(&hs->lock);
        if (now - hs->last_used > (time_t)hsrv->settings->session_idle_s && alone) {
            *pp = hs->next;
            hsrv->nsessions--;
            hs->next = expired;
            expired = hs;
        } else {
            pp = &hs->next;
        }
    }
    pthread_mutex_unlock(&hsrv->lock);
    while (expired) {
        struct http_session *hs = expired;
        expired = hs->next;
        log_msg(LOG_INFO, "session expired after %u s idle", hsrv->settings->session_idle_s);
        http_session_end(hs);
    }
}

enum http_admit http_session_admit(struct http_server *hsrv, const struct token *owner)
{
    struct http_session **victim = NULL, *hs = NULL;
    unsigned mine = 0;
    enum http_admit rc = HTTP_ADMIT_OK;

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session **pp = &hsrv->sessions; *pp; pp = &(*pp)->next) {
        if ((*pp)->owner != owner)
            continue;
        mine++;
        if (session_unused(*pp) && (!victim || (*pp)->last_used <= (*victim)->last_used))
            victim = pp;
    }
    if (mine >= hsrv->settings->max_sessions_per_principal) {
        if (victim) {
            hs = *victim;
            *victim = hs->next;
            hsrv->nsessions--;
        } else {
            rc = HTTP_ADMIT_QUOTA;
        }
    }
    if (rc == HTTP_ADMIT_OK && hsrv->nsessions >= hsrv->settings->max_sessions)
        rc = HTTP_ADMIT_FULL;
    pthread_mutex_unlock(&hsrv->lock);
    if (hs) {
        log_msg(LOG_NOTICE, "%s is at its quota of %u sessions: ended its oldest unused one",
                owner ? owner->name : "local", hsrv->settings->max_sessions_per_principal);
        http_session_end(hs);
    }
    return rc;
}

struct http_session *http_session_create(struct http_server *hsrv, const struct token *owner)
{
    struct http_session *hs;
    unsigned char rnd[16];

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return NULL;
    hs = calloc(1, sizeof(*hs));
    if (!hs)
        return NULL;
    hs->owner = owner;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hs->id + 2 * i, 3, "%02x", rnd[i]);
    pthread_mutex_init(&hs->lock, NULL);
    hs->notify.send = notify_send;
    hs->notify.ctx = hs;
    hs->refs = 2; /* the table's and the caller's */
    hs->created = hs->last_used = time(NULL);
    hs->mcp = mcp_session_new(hsrv->mcp, &hs->notify);
    if (hs->mcp && owner)
        mcp_session_set_principal(hs->mcp, owner->name, owner->role);
    if (!hs->mcp) {
        pthread_mutex_destroy(&hs->lock);
        free(hs);
        return NULL;
    }
    pthread_mutex_lock(&hsrv->lock);
    hs->next = hsrv->sessions;
    hsrv->sessions = hs;
    hsrv->nsessions++;
    pthread_mutex_unlock(&hsrv->lock);
    return hs;
}

struct http_session *http_session_find(struct http_server *hsrv, const char *id, bool remove)
{
    struct http_session *hs = NULL;

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session **pp = &hsrv->sessions; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->id, id)) {
            hs = *pp;
            if (remove) {
                *pp = hs->next;
                hsrv->nsessions--;
            } else {
                pthread_mutex_lock(&hs->lock);
                hs->refs++;
                pthread_mutex_unlock(&hs->lock);
                hs->last_used = time(NULL);
            }
            break;
        }
    }
    pthread_mutex_unlock(&hsrv->lock);
    return hs;
}

void http_sessions_end_all(struct http_server *hsrv)
{
    pthread_mutex_lock(&hsrv->lock);
    struct http_session *all = hsrv->sessions;
    hsrv->sessions = NULL;
    pthread_mutex_unlock(&hsrv->lock);
    while (all) {
        struct http_session *hs = all;
        all = hs->next;
        mcp_session_drain(hs->mcp, 0);
        http_session_end(hs);
    }
}

/* server_sessions: every live session; the ids are what DELETE and server_session_end take. */
static json_t *admin_list(void *ctx)
{
    struct http_server *hsrv = ctx;
    time_t now = time(NULL);
    json_t *list = json_array();

    pthread_mutex_lock(&hsrv->lock);
    for (struct http_session *hs = hsrv->sessions; list && hs; hs = hs->next) {
        struct sse_stream *dead = NULL;
        pthread_mutex_lock(&hs->lock);
        bool stream = get_stream_live(hs, &dead) != NULL;
        pthread_mutex_unlock(&hs->lock);
        sse_end(dead);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:b}", "id", hs->id, "principal",
                            hs->owner ? hs->owner->name : "local", "role",
                            hs->owner ? hs->owner->role->name : hsrv->settings->role, "age_s",
                            (json_int_t)(now - hs->created), "idle_s",
                            (json_int_t)(now - hs->last_used), "busy",
                            !mcp_session_idle(hs->mcp), "get_stream", stream));
    }
    pthread_mutex_unlock(&hsrv->lock);
    return list;
}

static int admin_end(void *ctx, const char *id)
{
    struct http_server *hsrv = ctx;
    struct http_session *hs;

    if (!http_session_id_valid(id, strlen(id)) || !(hs = http_session_find(hsrv, id, true)))
        return -1;
    log_msg(LOG_NOTICE, "session of %s ended by an administrator",
            hs->owner ? hs->owner->name : "local");
    http_session_end(hs);
    return 0;
}

struct mcp_session_admin http_sessions_admin(struct http_server *hsrv)
{
    return (struct mcp_session_admin){admin_list, admin_end, hsrv};
}
