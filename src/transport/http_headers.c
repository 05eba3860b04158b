/* http_headers: strict parsing of Host, Origin, Content-Type, Accept and Mcp-Session-Id. */
#include "transport/http_headers.h"

#include <string.h>
#include <strings.h>

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* tchar, RFC 9110 §5.6.2. */
static bool is_tchar(char c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static bool span_ieq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !strncasecmp(s, lit, n);
}

/* A token starting at *i; advances and returns its length (0 when none). */
static size_t token(const char *s, size_t len, size_t *i)
{
    size_t start = *i;

    while (*i < len && is_tchar(s[*i]))
        (*i)++;
    return *i - start;
}

static void skip_ows(const char *s, size_t len, size_t *i)
{
    while (*i < len && is_ows(s[*i]))
        (*i)++;
}

int http_host_parse(const char *s, size_t len, struct http_host *out)
{
    size_t i = 0, end;

    memset(out, 0, sizeof(*out));
    if (len == 0)
        return -1;
    if (s[0] == '[') {
        for (i = 1; i < len && (is_hex(s[i]) || s[i] == ':' || s[i] == '.'); i++)
            ;
        if (i == len || s[i] != ']' || i < 3) /* at least "[::]" */
            return -1;
        end = ++i;
        out->ipv6 = true;
    } else {
        while (i < len && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == '.' ||
                           s[i] == '_'))
            i++;
        end = i;
        if (end == 0 || end > 253)
            return -1;
    }
    out->name = s;
    out->name_len = end;
    if (i == len)
        return 0;
    if (s[i++] != ':')
        return -1;
    if (i == len || len - i > 5)
        return -1;
    unsigned port = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i]))
            return -1;
        port = port * 10 + (unsigned)(s[i] - '0');
    }
    if (port == 0 || port > 65535)
        return -1;
    out->port = port;
    return 0;
}

bool http_host_is_loopback(const struct http_host *h)
{
    return span_ieq(h->name, h->name_len, "localhost") ||
           span_ieq(h->name, h->name_len, "127.0.0.1") || span_ieq(h->name, h->name_len, "[::1]");
}

int http_origin_check(const char *s, size_t len)
{
    struct http_host h;
    size_t i = 0;

    if (span_ieq(s, len, "null"))
        return 0;
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1) */
    if (len == 0 || !is_alpha(s[0]))
        return -1;
    while (i < len && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' ||
                       s[i] == '.'))
        i++;
    size_t scheme_len = i;
    if (len - i < 3 || memcmp(s + i, "://", 3))
        return -1;
    i += 3;
    if (http_host_parse(s + i, len - i, &h) < 0)
        return -1;
    bool web = span_ieq(s, scheme_len, "http") || span_ieq(s, scheme_len, "https");
    return web && http_host_is_loopback(&h) ? 1 : 0;
}

/* quoted-string (RFC 9110 §5.6.4) starting at s[*i] == '"'; advances past it. */
static int quoted_string(const char *s, size_t len, size_t *i)
{
    for ((*i)++; *i < len; (*i)++) {
        unsigned char c = (unsigned char)s[*i];
        if (c == '"') {
            (*i)++;
            return 0;
        }
        if (c == '\\') {
            if (++(*i) == len)
                return -1;
            c = (unsigned char)s[*i];
            if (c != '\t' && (c < 0x20 || c == 0x7f))
                return -1;
            continue;
        }
        if (c != '\t' && (c < 0x20 || c == 0x7f))
            return -1;
    }
    return -1;
}

/* Parameters: *( OWS ";" OWS [ token "=" ( token / quoted-string ) ] ), stopping at `stop` (or
 * the end). With `q`, a "q" parameter is checked as a qvalue and read into *q (0..1000). */
static int parameters(const char *s, size_t len, size_t *i, char stop, unsigned *q)
{
    for (;;) {
        skip_ows(s, len, i);
        if (*i == len || s[*i] == stop)
            return 0;
        if (s[*i] != ';')
            return -1;
        (*i)++;
        skip_ows(s, len, i);
        if (*i == len || s[*i] == stop || s[*i] == ';')
            continue; /* an empty parameter, as RFC 9110 §5.6.6 allows */
        size_t name = *i, nlen = token(s, len, i);
        if (nlen == 0 || *i == len || s[*i] != '=')
            return -1;
        (*i)++;
        size_t value = *i;
        if (*i < len && s[*i] == '"') {
            if (quoted_string(s, len, i) < 0)
                return -1;
        } else if (token(s, len, i) == 0) {
            return -1;
        }
        if (q && span_ieq(s + name, nlen, "q")) {
            /* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
            size_t vl = *i - value, k = 1;
            const char *v = s + value;
            unsigned milli = 0, scale = 100;
            if (v[0] != '0' && v[0] != '1')
                return -1;
            if (vl > 1 && (v[1] != '.' || vl > 5))
                return -1;
            for (k = 2; k < vl; k++, scale /= 10) {
                if (!is_digit(v[k]))
                    return -1;
                milli += (unsigned)(v[k] - '0') * scale;
            }
            if (v[0] == '1' && milli)
                return -1;
            *q = v[0] == '1' ? 1000 : milli;
        }
    }
}

bool http_content_type_is_json(const char *s, size_t len)
{
    size_t i = 0, t, tl, st, sl;

    skip_ows(s, len, &i);
    t = i;
    tl = token(s, len, &i);
    if (!tl || i == len || s[i] != '/')
        return false;
    i++;
    st = i;
    sl = token(s, len, &i);
    if (!sl || !span_ieq(s + t, tl, "application") || !span_ieq(s + st, sl, "json"))
        return false;
    return parameters(s, len, &i, '\0', NULL) == 0 && i == len;
}

int http_accept_rates(const char *s, size_t len, const char *type)
{
    const char *slash = strchr(type, '/');
    size_t want_tl = (size_t)(slash - type);
    int best_rank = -1; /* 0: any/any, 1: type/any, 2: exact */
    unsigned best_q = 0;
    size_t i = 0;

    for (;;) {
        skip_ows(s, len, &i);
        if (i == len)
            break;
        if (s[i] == ',') { /* empty list elements are allowed (RFC 9110 §5.6.1.2) */
            i++;
            continue;
        }
        size_t t = i, tl = token(s, len, &i);
        if (!tl || i == len || s[i] != '/')
            return -1;
        i++;
        size_t st = i, sl = token(s, len, &i);
        if (!sl)
            return -1;
        /* A token may contain '*': only a whole "*" is a wildcard, and "*" type needs "*". */
        bool any_t = tl == 1 && s[t] == '*', any_s = sl == 1 && s[st] == '*';
        if (any_t && !any_s)
            return -1;
        unsigned q = 1000;
        if (parameters(s, len, &i, ',', &q) < 0)
            return -1;
        int rank = -1;
        if (any_t)
            rank = 0;
        else if (tl != want_tl || strncasecmp(s + t, type, tl))
            rank = -1;
        else if (any_s)
            rank = 1;
        else if (span_ieq(s + st, sl, slash + 1))
            rank = 2;
        if (rank > best_rank) {
            best_rank = rank;
            best_q = q;
        } else if (rank == best_rank && rank >= 0 && q > best_q) {
            best_q = q;
        }
        if (i < len)
            i++; /* the ',' */
    }
    return best_rank >= 0 && best_q > 0 ? 1 : 0;
}

bool http_session_id_valid(const char *s, size_t len)
{
    if (len != 32)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
            return false;
    return true;
}
