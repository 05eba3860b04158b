/* era: the stateless MCP revision 2026-07-28 ("modern") beside the legacy one. A modern request
 * carries everything in its own _meta (basic/versioning.mdx, SEP-2575): the protocol version,
 * the client's capabilities, optionally its log level. Its result says resultType, names this
 * server in _meta, and carries caching hints on lists and reads (SEP-2549). A handler that needs
 * the client (elicitation, sampling, roots) cannot ask it mid-request: it answers
 * input_required with what it needs, and the client calls again with the answers (MRTR,
 * SEP-2322). The answers of earlier rounds travel in requestState, which this file signs
 * (HMAC-SHA256) and binds to the request, the caller and a deadline, so that no replica has to
 * remember anything and no client can forge or move an answer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "jsonrpc.h"
#include "mcp/internal.h"
#include "version.h"

#define META_VERSION "io.modelcontextprotocol/protocolVersion"
#define META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define META_LEVEL "io.modelcontextprotocol/logLevel"
#define META_SERVER "io.modelcontextprotocol/serverInfo"

/* How long a requestState stays good: the user has this long to answer. */
#define STATE_TTL_S 600
/* The largest requestState payload (answers of earlier rounds included). */
#define STATE_MAX (64 * 1024)
/* Caching hints: lists change only with a restart; a read is live node state. */
#define LIST_TTL_MS 300000

static uint8_t state_key[SHA256_DIGEST_SIZE];

static void sha256_of(const uint8_t *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

int era_init(const struct settings *settings, char *err, size_t errlen)
{
    const char *path = settings->state_secret_file;
    uint8_t buf[4096];
    ssize_t n;
    int fd;

    if (!path || !*path) {
        size_t got = 0;
        while (got < sizeof(state_key)) {
            n = getrandom(state_key + got, sizeof(state_key) - got, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                snprintf(err, errlen, "cannot make a requestState key: getrandom: %s",
                         strerror(errno));
                return -1;
            }
            got += (size_t)n;
        }
        return 0;
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "state-secret-file '%s': %s", path, strerror(errno));
        return -1;
    }
    n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n < 0) {
        snprintf(err, errlen, "state-secret-file '%s': %s", path, strerror(errno));
        return -1;
    }
    if (n < 32) {
        snprintf(err, errlen, "state-secret-file '%s' holds %zd bytes; it needs at least 32 "
                 "secret bytes (e.g. head -c 32 /dev/urandom > FILE)", path, n);
        return -1;
    }
    sha256_of(buf, (size_t)n, state_key);
    memset(buf, 0, sizeof(buf));
    return 0;
}

bool era_is_modern(const struct mcp_session *s, json_t *params)
{
    if (s->stateless)
        return true;
    return !s->initialized &&
           json_is_string(json_object_get(json_object_get(params, "_meta"), META_VERSION));
}

json_t *era_supported(void)
{
    return json_pack("[s]", MCP_MODERN_VERSION);
}

/* ---- requestState ---- */

static void sha256_hex(const char *data, size_t len, char out[2 * SHA256_DIGEST_SIZE + 1])
{
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_of((const uint8_t *)data, len, d);
    for (size_t i = 0; i < sizeof(d); i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void hmac(const char *data, size_t len, uint8_t mac[SHA256_DIGEST_SIZE])
{
    struct hmac_sha256_ctx ctx;
    hmac_sha256_set_key(&ctx, sizeof(state_key), state_key);
    hmac_sha256_update(&ctx, len, (const uint8_t *)data);
    hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, mac);
}

/* What a requestState is bound to: the method, the tool, prompt or URI, the arguments and the
 * caller. A new object. */
static json_t *binding(struct mcp_call *c)
{
    json_t *p = c->params, *args = json_object_get(p, "arguments");
    json_t *name = json_object_get(p, json_object_get(p, "uri") ? "uri" : "name");
    /* absent arguments are {} (the gate fills them in before the first round's state) */
    char *dump = args && !json_is_null(args) ? json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS)
                                             : strdup("{}");
    char hex[2 * SHA256_DIGEST_SIZE + 1];

    sha256_hex(dump ? dump : "", dump ? strlen(dump) : 0, hex);
    free(dump);
    return json_pack("{s:s, s:s, s:s, s:s}", "m", c->method->name, "n",
                     json_is_string(name) ? json_string_value(name) : "", "a", hex, "p",
                     c->sess->principal);
}

static char *b64url(const uint8_t *src, size_t len)
{
    struct base64_encode_ctx ctx;
    char *out = malloc(BASE64_ENCODE_LENGTH(len) + BASE64_ENCODE_FINAL_LENGTH + 1);
    size_t n;

    if (!out)
        return NULL;
    base64url_encode_init(&ctx);
    n = base64_encode_update(&ctx, out, len, src);
    n += base64_encode_final(&ctx, out + n);
    out[n] = '\0';
    return out;
}

/* Decode base64url text into a new buffer (NUL-terminated); NULL when it is not base64url. */
static uint8_t *unb64url(const char *src, size_t len, size_t *outlen)
{
    struct base64_decode_ctx ctx;
    uint8_t *out = malloc(BASE64_DECODE_LENGTH(len) + 1);
    size_t n = BASE64_DECODE_LENGTH(len);

    if (!out)
        return NULL;
    base64url_decode_init(&ctx);
    if (!base64_decode_update(&ctx, &n, out, len, src) || !base64_decode_final(&ctx)) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *outlen = n;
    return out;
}

/* A signed requestState carrying the answers the handler used, or NULL. */
static char *state_make(struct mcp_call *c)
{
    json_t *st = binding(c);
    char *payload, *p64, *m64, *out = NULL;
    uint8_t mac[SHA256_DIGEST_SIZE];

    json_object_set_new(st, "x", json_integer((json_int_t)time(NULL) + STATE_TTL_S));
    json_object_set_new(st, "r", c->input_used ? json_incref(c->input_used) : json_object());
    payload = json_dumps(st, JSON_COMPACT);
    json_decref(st);
    if (!payload || strlen(payload) > STATE_MAX) {
        free(payload);
        return NULL;
    }
    hmac(payload, strlen(payload), mac);
    p64 = b64url((const uint8_t *)payload, strlen(payload));
    m64 = b64url(mac, sizeof(mac));
    if (p64 && m64 && asprintf(&out, "%s.%s", p64, m64) < 0)
        out = NULL;
    free(payload);
    free(p64);
    free(m64);
    return out;
}

/* The answers a requestState carries (a new object), or NULL with why. */
static json_t *state_open(struct mcp_call *c, const char *text, const char **why)
{
    const char *dot = strchr(text, '.');
    uint8_t *payload = NULL, *mac = NULL, want[SHA256_DIGEST_SIZE];
    size_t plen = 0, mlen = 0;
    json_t *st = NULL, *bind = NULL, *r = NULL;
    const char *k;
    json_t *v;

    *why = "requestState failed its integrity check (it was not issued by this server, or was "
           "changed); call again without requestState and inputResponses";
    if (!dot || strlen(text) > 2 * STATE_MAX ||
        !(payload = unb64url(text, (size_t)(dot - text), &plen)) ||
        !(mac = unb64url(dot + 1, strlen(dot + 1), &mlen)) || mlen != sizeof(want))
        goto out;
    hmac((const char *)payload, plen, want);
    if (!nettle_memeql_sec(want, mac, sizeof(want)))
        goto out;
    if (!(st = json_loadb((const char *)payload, plen, 0, NULL)) || !json_is_object(st))
        goto out;
    if (json_integer_value(json_object_get(st, "x")) < (json_int_t)time(NULL)) {
        *why = "requestState has expired; call again without requestState and inputResponses";
        goto out;
    }
    bind = binding(c);
    json_object_foreach(bind, k, v) {
        if (!json_equal(v, json_object_get(st, k))) {
            *why = "requestState was issued for another request (another method, name, "
                   "arguments or caller); call again without requestState and inputResponses";
            goto out;
        }
    }
    r = json_object_get(st, "r");
    r = json_is_object(r) ? json_incref(r) : json_object();
    *why = NULL;
out:
    json_decref(bind);
    json_decref(st);
    free(payload);
    free(mac);
    return r;
}

/* ---- the request ---- */

int era_call_setup(struct mcp_call *c, int *code, char *msg, size_t n, json_t **data)
{
    json_t *meta = json_object_get(c->params, "_meta");
    json_t *pv = json_object_get(meta, META_VERSION), *caps = json_object_get(meta, META_CAPS);
    json_t *level = json_object_get(meta, META_LEVEL), *ir, *rs;

    *code = JSONRPC_INVALID_PARAMS;
    if (!json_is_string(pv) || !json_is_object(caps)) {
        snprintf(msg, n, "Invalid params: a request without a session (MCP %s) carries _meta "
                 "with '%s' and '%s'; older clients send initialize first",
                 MCP_MODERN_VERSION, META_VERSION, META_CAPS);
        return -1;
    }
    if (strcmp(json_string_value(pv), MCP_MODERN_VERSION)) {
        *code = MCP_ERR_UNSUPPORTED_VERSION;
        snprintf(msg, n, "Unsupported protocol version: %.64s (a request without a session "
                 "speaks %s; older revisions send initialize first)",
                 json_string_value(pv), MCP_MODERN_VERSION);
        *data = json_pack("{s:o, s:O}", "supported", era_supported(), "requested", pv);
        return -1;
    }
    c->modern = true;
    c->caps = caps;
    c->log_level = LOG_LEVEL_COUNT;
    if (level) {
        int l = json_is_string(level) ? log_level_parse(json_string_value(level)) : -1;
        if (l < 0) {
            snprintf(msg, n, "Invalid params: _meta '%s' must be one of %s", META_LEVEL,
                     log_level_names());
            return -1;
        }
        c->log_level = (enum log_level)l;
    }
    if (!(c->method->flags & M_INPUT))
        return 0;
    ir = json_object_get(c->params, "inputResponses");
    rs = json_object_get(c->params, "requestState");
    if (ir && !json_is_object(ir)) {
        snprintf(msg, n, "Invalid params: inputResponses must be an object of answers keyed as "
                 "the inputRequests were");
        return -1;
    }
    if (rs && !json_is_string(rs)) {
        snprintf(msg, n, "Invalid params: requestState must be the string this server gave");
        return -1;
    }
    if (rs) {
        const char *why;
        if (!(c->input_responses = state_open(c, json_string_value(rs), &why))) {
            snprintf(msg, n, "Invalid params: %s", why);
            return -1;
        }
    }
    if (ir) {
        const char *k;
        json_t *v;
        if (!c->input_responses)
            c->input_responses = json_object();
        json_object_foreach(ir, k, v)
            if (json_is_object(v)) /* anything else is no answer: asked again */
                json_object_set(c->input_responses, k, v);
    }
    return 0;
}

static json_t *server_info(void)
{
    return json_pack("{s:s, s:s, s:s}", "name", OPENSIPS_MCP_NAME, "title", OPENSIPS_MCP_TITLE,
                     "version", OPENSIPS_MCP_VERSION);
}

json_t *era_finish_result(struct mcp_call *c, json_t *result)
{
    json_t *meta;

    if (c->input_requests && json_object_size(c->input_requests) &&
        (c->method->flags & M_INPUT)) {
        char *st = state_make(c);
        json_decref(result);
        if (!st)
            return NULL; /* the answers so far do not fit in a requestState */
        result = json_pack("{s:s, s:O, s:s}", "resultType", "input_required", "inputRequests",
                           c->input_requests, "requestState", st);
        free(st);
    }
    if (!json_is_object(result))
        return result;
    if (!json_object_get(result, "resultType"))
        json_object_set_new(result, "resultType", json_string("complete"));
    meta = json_object_get(result, "_meta");
    if (!json_is_object(meta)) {
        meta = json_object();
        json_object_set_new(result, "_meta", meta);
    }
    json_object_set_new(meta, META_SERVER, server_info());
    if (c->method->flags & M_CACHE) {
        bool read = !strcmp(c->method->name, "resources/read");
        json_object_set_new(result, "ttlMs", json_integer(read ? 0 : LIST_TTL_MS));
        /* what a caller sees depends on its role: never share it between callers */
        json_object_set_new(result, "cacheScope", json_string("private"));
    }
    return result;
}

unsigned mcp_modern_http_status(int code)
{
    switch (code) {
    case JSONRPC_METHOD_NOT_FOUND:
        return 404;
    case JSONRPC_PARSE_ERROR:
    case JSONRPC_INVALID_REQUEST:
    case JSONRPC_INVALID_PARAMS:
    case MCP_ERR_HEADER_MISMATCH:
    case MCP_ERR_MISSING_CAPABILITY:
    case MCP_ERR_UNSUPPORTED_VERSION:
        return 400;
    default:
        return 200;
    }
}
