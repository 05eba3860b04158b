/* internal: the session and call structures shared by the dispatcher (session.c) and the
 * method handlers (methods.c, gate.c). Nothing outside src/mcp includes this. */
#ifndef MCP_INTERNAL_H
#define MCP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "auth/audit.h"
#include "auth/roles.h"
#include "auth/tokens.h"
#include "mcp/call.h"
#include "mcp/server.h"
#include "workers.h"
#include "cancel.h"

struct mcp_server {
    const struct settings *settings;
    struct registry reg;
    struct workers *pool;            /* interactive lane: every request that may block */
    struct workers *long_pool;       /* long-job lane: tools flagged TOOL_F_LONG */
    struct principal_load *loads;    /* requests on a lane per principal, under lock */
    struct roles roles;
    struct tokens tokens;
    const struct role *default_role; /* stdio, and HTTP on loopback without tokens */
    struct audit *audit;             /* every tool call, allowed or refused */
    pthread_mutex_t lock;
    struct mcp_session *sessions;
    pthread_mutex_t admin_lock;      /* guards session_admin while it is called */
    const struct mcp_session_admin *session_admin; /* the transport's sessions, or NULL */
};

/* A request we sent to the client, awaiting its answer (call.c), found by the reader
 * (session.c). */
struct pending {
    char id[32];
    struct mcp_call *call;
    json_t *root;           /* the answer, owned once answered: taken from the reader whole, so
                               that only the waiting thread touches it (see handle_request) */
    json_t *result, *error; /* borrowed from root */
    bool done;
    struct pending *next;
};
struct principal_load; /* one principal's requests on the lanes (session.c) */

struct mcp_session {
    struct mcp_server *srv;
    struct mcp_out *notify;
    pthread_mutex_t lock;
    pthread_cond_t idle;        /* signalled whenever a request finishes */
    int refs;                   /* the transport's, plus one per request in flight */
    bool initialized, closed;
    bool stateless;             /* HTTP without Mcp-Session-Id: one modern-era request (era.c) */
    char version[16];           /* negotiated protocol revision */
    json_t *client_caps;        /* ClientCapabilities from initialize */
    enum log_level log_level;   /* logging/setLevel */
    char principal[64];         /* who: a token's name, or "local" */
    const struct role *role;    /* what they may do */
    json_t *subscriptions;      /* URIs, as the keys of an object */
    struct mcp_call *inflight;
    struct pending *pending;
    unsigned long next_out_id;
    struct mcp_session *next;
};

#define M_BEFORE_INIT (1u << 0) /* allowed before initialize (initialize, ping) */
#define M_WORKER      (1u << 1) /* may block: run on a worker thread */
#define M_LEGACY      (1u << 2) /* removed in 2026-07-28: -32601 to a modern request */
#define M_MODERN      (1u << 3) /* new in 2026-07-28: -32601 to a legacy session */
#define M_CACHE       (1u << 4) /* a modern result carries ttlMs and cacheScope */
#define M_INPUT       (1u << 5) /* may answer input_required (MRTR, SEP-2322) */
#define M_STREAM      (1u << 6) /* may send messages before its reply: HTTP answers with SSE */

struct mcp_method {
    const char *name;
    json_t *(*fn)(struct mcp_call *c, json_t *params, struct rpc_err *e);
    unsigned flags;
};

struct mcp_notification {
    const char *name;
    void (*fn)(struct mcp_session *s, json_t *params);
};

struct mcp_call {
    struct mcp_session *sess;
    json_t *root;               /* the request message, owned */
    json_t *id;                 /* borrowed from root */
    json_t *params;             /* borrowed; an empty object when absent */
    json_t *progress_token;     /* borrowed; NULL when the request did not ask */
    pthread_mutex_t progress_lock; /* last_progress, any_progress: fan-out threads share them */
    double last_progress;
    bool any_progress;
    bool cancelled;             /* under sess->lock */
    bool over_limit;            /* its principal had max-calls-per-principal running: refuse */
    struct principal_load *load;/* counted against its principal while on a lane; or NULL */
    struct cancel cancel;       /* fired with `cancelled`: stops the MI call it waits in */
    pthread_cond_t cv;          /* wakes sleeps and waits for the client */
    struct mcp_out *out;
    /* The era of this request. Legacy: caps and log level are the session's (initialize,
     * logging/setLevel). Modern (2026-07-28): the request's own _meta, nothing inferred from
     * earlier requests (era.c). */
    bool modern;
    json_t *caps;               /* modern: _meta clientCapabilities (borrowed from root) */
    enum log_level log_level;   /* modern: _meta logLevel; LOG_LEVEL_COUNT: no log messages */
    json_t *input_responses;    /* modern: answers so far (requestState's + inputResponses), owned */
    json_t *input_requests;     /* modern: what the handler asked and has no answer for, owned */
    json_t *input_used;         /* modern: the answers the handler read, kept in requestState */
    /* subscriptions/listen (listen.c): open until the client or the server ends it */
    bool listening;
    unsigned listen_kinds;      /* LISTEN_* the stream asked for */
    json_t *listen_subs;        /* canonical URI -> as the client spelled it, owned */
    const struct mcp_method *method;
    const struct mcp_tool *tool;  /* tools/call: the tool, once found */
    unsigned long verdict;        /* tools/call: its needs check's word for the handler */
    _Atomic(const char *) outcome; /* set by a handler for the audit trail ("unconfirmed", ...);
                                   atomic: fan-out runs a handler on several threads */
    struct mcp_call *next;
};

const struct mcp_method *mcp_method_find(const char *name);
/* tools/call (gate.c). */
json_t *mcp_tools_call(struct mcp_call *c, json_t *params, struct rpc_err *e);
/* Why this session may not call tool t (a sentence in buf), or NULL when it may. */
const char *mcp_tool_refusal(const struct mcp_session *s, const struct mcp_tool *t, char *buf,
                             size_t n);
/* params[key] when it is a string, else NULL with e set. */
json_t *mcp_str_param(json_t *params, const char *key, struct rpc_err *e);
/* Whether this request runs on the long-job lane: tools/call of a tool flagged TOOL_F_LONG. */
bool mcp_method_long(struct mcp_session *s, const struct mcp_method *m, json_t *params);
/* The sentence refusing a request whose principal is at max-calls-per-principal. */
void mcp_over_limit_text(struct mcp_call *c, char *buf, size_t n);
const struct mcp_notification *mcp_notification_find(const char *name);
/* Mark the in-flight request with this id cancelled (notifications/cancelled). */
void mcp_session_cancel(struct mcp_session *s, const json_t *id);
/* CLOCK_MONOTONIC now + ms, for pthread_cond_timedwait on a monotonic condition. */
struct timespec mcp_deadline_after(unsigned ms);
/* ---- the 2026-07-28 era (era.c) ---- */
#define MCP_MODERN_VERSION "2026-07-28"
/* Whether a request of the session is modern: always on a stateless session; on one that was
 * never initialized (stdio), when params._meta names a protocol version. */
bool era_is_modern(const struct mcp_session *s, json_t *params);
/* Check a modern request's _meta and set up the call from it (caps, log level, MRTR answers
 * with their requestState checked). 0, or -1 with code and message (-32602, -32022 with data). */
int era_call_setup(struct mcp_call *c, int *code, char *msg, size_t n, json_t **data);
/* A modern result: input_required when the handler asked for input (replacing `result`),
 * else resultType complete, serverInfo, and ttlMs/cacheScope where the method is cacheable.
 * Takes `result`, returns the one to send (NULL: out of memory, or the answers so far do not
 * fit in a requestState). */
json_t *era_finish_result(struct mcp_call *c, json_t *result);
/* The versions a stateless request may name, as a new array. */
json_t *era_supported(void);
/* Load or make the requestState key (--state-secret-file); 0, or -1 with err. */
int era_init(const struct settings *settings, char *err, size_t errlen);

/* ---- subscriptions/listen (methods.c, session.c) ---- */
/* End the session's open listen streams: with the empty result (graceful, the server stops) or
 * silently (the client went). Not under s->lock. */
void listen_end_all(struct mcp_session *s, bool graceful);
/* Send `method` to every listen stream following `kind` (LISTEN_*) or, kind 0, resource `key`
 * (canonical; the note names it as that stream spelled it); under srv->lock. */
void listen_deliver_locked(struct mcp_server *srv, unsigned kind, const char *key,
                           const char *method);

/* Send a message on a channel (not final). Takes ownership of msg. */
void mcp_send(struct mcp_out *out, json_t *msg);

#endif
