/* homer/client: Homer 7's REST API (homer-app) over libcurl, for the homer_* tools. One client
 * per process holds the address, the user and password, and the JWT that POST /api/v3/auth
 * gave; every call sends it as "Authorization: Bearer", and a 401 logs in again once and
 * retries (the token expires after auth_settings.token_expire minutes). Searches answer 201,
 * exports 200; every other status is an error. Times are Unix milliseconds, as homer-app reads
 * them (timestamp.from/to). Facts: ../shared/reference/homer7-api.md.
 *
 * Thread-safe: the token sits behind a mutex, logins are serialised, and each call has its own
 * curl handle. Every call is bounded by the client's deadline and reply limit, and stops when
 * the calling request is cancelled (cancel.h). */
#ifndef HOMER_CLIENT_H
#define HOMER_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tools/error.h"

#define HOMER_URL_MAX 1024
#define HOMER_CALLIDS_MAX 32   /* Call-IDs one transaction or export asks for */

struct homer_config {
    const char *url;      /* base, "http://host:9080" (api_prefix included when there is one) */
    const char *user;
    const char *password; /* never logged nor shown */
    unsigned timeout_ms;  /* deadline of one HTTP exchange (a login and its retry have one each) */
    size_t max_reply;     /* bytes one reply may have */
};

struct homer;

/* A client over copies of c's strings; NULL out of memory or without a url. Nothing connects. */
struct homer *homer_new(const struct homer_config *c);
void homer_free(struct homer *h);

/* The base address as shown: without any user:password@ (borrowed). */
const char *homer_url_shown(const struct homer *h);

/* POST `body` (borrowed) as JSON to path ("/api/v3/search/call/data") with the token, logging in
 * first when there is none and again once on 401. On success (HTTP `want`: 201 for searches)
 * *reply is the parsed JSON (new reference) and TOOL_OK is returned. Otherwise the kind, with *e
 * saying it for a person: TOOL_E_UNREACHABLE (no connection; name "homer_unreachable"),
 * TOOL_E_TIMEOUT, TOOL_E_CANCELLED, TOOL_E_CONFIG (name "homer_auth": the login itself was
 * refused, i.e. wrong user or password, or a token refused right after a fresh login),
 * TOOL_E_REFUSED (another status: e->code holds it; a 500 names "homer_500" and says the
 * request's shape is the likely cause), TOOL_E_TOO_LARGE, TOOL_E_GARBAGE (not JSON). */
enum tool_err homer_post_json(struct homer *h, const char *path, const json_t *body, int want,
                              json_t **reply, struct tool_error *e);

/* homer_post_json for a binary answer (HTTP 200, the PCAP export): *data (owned, len bytes). */
enum tool_err homer_post_bytes(struct homer *h, const char *path, const json_t *body,
                               char **data, size_t *len, struct tool_error *e);

/* GET path; with `auth`, as homer_post_json (want 200); without, no token is sent and any
 * answer that is HTTP counts: *status gets it. *reply (may be NULL) the JSON when it parses. */
enum tool_err homer_get(struct homer *h, const char *path, bool auth, long *status,
                        json_t **reply, struct tool_error *e);

/* ---- what the tools send and how they read the answers (pure: unit-tested) ---- */

/* A time argument in Unix ms: an integer, or a string holding digits (ms) or an ISO-8601 date
 * and time ("2026-12-01T10:00:00Z", ".123" fractions, "+02:00" offsets; no offset: UTC). 0, or
 * -1 with a sentence in err naming `name`. */
int homer_time_ms(const json_t *v, const char *name, long long *ms, char *err, size_t errlen);

/* The body of /search/call/data: timestamp {from, to}, param.search {"1_call": [filters]}, the
 * filter array as homer-app reads it (every value a string, type "string"), from `filters`
 * {field: value} (borrowed; values strings), plus {"name":"limit","value":"<rows>"};
 * param.location.node from `nodes` (borrowed array or NULL: all nodes). New reference. */
json_t *homer_search_body(long long from_ms, long long to_ms, const json_t *filters,
                          unsigned rows, const json_t *nodes);

/* The body of /call/transaction and the exports: param.search {"1_call": {"callid": [...]}}
 * from `callids` (borrowed array of strings), location all nodes, no whitelist. New reference. */
json_t *homer_transaction_body(long long from_ms, long long to_ms, const json_t *callids);

/* The messages of a /search/call/data answer (borrowed reply) grouped into calls by sid, in
 * order of their first message: [{callid, first_ms, last_ms, messages, methods, from_user,
 * to_user, ruri_user, src, dst, nodes}] (new reference; [] when data is not an array). */
json_t *homer_calls_of(const json_t *reply);

/* One /search/call/data row as the tools show it: {id, t_ms, callid, method, src, dst, cseq,
 * from_user, to_user, ruri_user, user_agent, node} (new reference). */
json_t *homer_message_of(const json_t *row);

/* The ladder of a /call/transaction answer (borrowed): data.calldata in time order as [{t_ms,
 * callid, from, to, method}] (new reference; [] when absent); *hosts (new reference) the hosts
 * in column order, ["ip:port", ...]. */
json_t *homer_ladder_of(const json_t *reply, json_t **hosts);

/* The Call-IDs a /call/transaction answer holds (data.messages' sid): [{callid, messages,
 * first_ms, last_ms}] in order of first message (new reference). */
json_t *homer_related_of(const json_t *reply);

/* The packets of a libpcap file (either byte order, µs or ns), or -1 when data is not one
 * whole: a header, then records each within len. */
long long homer_pcap_records(const char *data, size_t len);

#endif
