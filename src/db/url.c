/* url: OpenSIPS-style database URLs, parsed and redacted. */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..n) into out (size cap). Returns 0, -1 on a bad escape, -2 when too long,
 * -3 on a decoded NUL. */
static int decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return -1;
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            if (c == '\0')
                return -3;
            i += 2;
        }
        if (o + 1 >= cap)
            return -2;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int field(const char *what, const char *s, size_t n, char *out, size_t cap, const char *red,
                 char *err, size_t errlen)
{
    int r = decode(s, n, out, cap);

    if (r == -1)
        snprintf(err, errlen, "database URL %s: bad percent escape in the %s (write %%XX with two hex digits)", red, what);
    else if (r == -2)
        snprintf(err, errlen, "database URL %s: the %s is longer than %zu bytes", red, what, cap - 1);
    else if (r == -3)
        snprintf(err, errlen, "database URL %s: the %s contains %%00", red, what);
    return r ? -1 : 0;
}

void db_url_redact(const char *url, char *out, size_t outlen)
{
    const char *p = strstr(url, "://"), *auth, *at = NULL, *colon;

    if (!outlen)
        return;
    if (!p) {
        /* not a URL: nothing can be told apart from a password */
        snprintf(out, outlen, "%s", strchr(url, '@') || strchr(url, ':') ? "***" : url);
        return;
    }
    auth = p + 3;
    /* the credentials end at the last '@' before the path */
    for (const char *q = auth; *q && *q != '/'; q++)
        if (*q == '@')
            at = q;
    if (!at) {
        /* also an '@' after a '/', as in a password holding '/' that was not encoded */
        at = strrchr(auth, '@');
    }
    if (!at) {
        snprintf(out, outlen, "%s", url);
        return;
    }
    colon = memchr(auth, ':', (size_t)(at - auth));
    if (!colon)
        snprintf(out, outlen, "%s", url);
    else
        snprintf(out, outlen, "%.*s:***%s", (int)(colon - url), url, at);
}

int db_url_parse(const char *url, struct db_url *u, char *err, size_t errlen)
{
    char red[DB_URL_MAX + 8];
    const char *p, *auth, *at = NULL, *hp, *hend, *path;
    size_t slen;

    memset(u, 0, sizeof(*u));
    if (!url || !*url) {
        snprintf(err, errlen, "database URL is empty (write postgres://user:pass@host:port/db or mysql://...)");
        return -1;
    }
    if (strlen(url) > DB_URL_MAX) {
        snprintf(err, errlen, "database URL is longer than %d bytes", DB_URL_MAX);
        return -1;
    }
    db_url_redact(url, red, sizeof(red));
    p = strstr(url, "://");
    if (!p) {
        snprintf(err, errlen, "database URL %s has no scheme (write postgres://user:pass@host:port/db or mysql://...)", red);
        return -1;
    }
    slen = strcspn(url, "+:");
    if (slen == 8 && !strncmp(url, "postgres", 8))
        u->kind = DB_POSTGRES;
    else if (slen == 10 && !strncmp(url, "postgresql", 10))
        u->kind = DB_POSTGRES;
    else if ((slen == 5 && !strncmp(url, "mysql", 5)) || (slen == 7 && !strncmp(url, "mariadb", 7)))
        u->kind = DB_MYSQL;
    else {
        snprintf(err, errlen, "database URL %s: unknown scheme '%.*s' (use postgres, postgresql or mysql)", red,
                 (int)(slen < 32 ? slen : 32), url);
        return -1;
    }
    auth = p + 3;
    path = strchr(auth, '/');
    /* credentials up to the last '@' before the path; a raw '/' in a password moves the path */
    for (const char *q = auth; *q && (!path || q < path); q++)
        if (*q == '@')
            at = q;
    if (!at && path && strchr(path, '@')) {
        snprintf(err, errlen, "database URL %s: '/' in the user or password must be written %%2F", red);
        return -1;
    }
    hp = auth;
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        const char *uend = colon ? colon : at;
        if (field("user", auth, (size_t)(uend - auth), u->user, sizeof(u->user), red, err, errlen) < 0)
            return -1;
        if (colon && field("password", colon + 1, (size_t)(at - colon - 1), u->password, sizeof(u->password),
                           red, err, errlen) < 0)
            return -1;
        hp = at + 1;
    }
    /* host: unix(/path), [v6], or up to ':' or '/' */
    if (!strncmp(hp, "unix(", 5)) {
        const char *close = strchr(hp + 5, ')');
        if (!close) {
            snprintf(err, errlen, "database URL %s: unix( has no closing ')'", red);
            return -1;
        }
        if (field("socket path", hp + 5, (size_t)(close - hp - 5), u->host, sizeof(u->host), red, err, errlen) < 0)
            return -1;
        hend = close + 1;
        path = strchr(hend, '/');
    } else if (*hp == '[') {
        const char *close = strchr(hp, ']');
        if (!close || (path && close > path)) {
            snprintf(err, errlen, "database URL %s: '[' of an IPv6 address has no closing ']'", red);
            return -1;
        }
        if (field("host", hp + 1, (size_t)(close - hp - 1), u->host, sizeof(u->host), red, err, errlen) < 0)
            return -1;
        hend = close + 1;
    } else {
        hend = hp + strcspn(hp, ":/");
        if (field("host", hp, (size_t)(hend - hp), u->host, sizeof(u->host), red, err, errlen) < 0)
            return -1;
    }
    if (!u->host[0]) {
        snprintf(err, errlen, "database URL %s has no host (write localhost, an address, or a socket path)", red);
        return -1;
    }
    u->socket = u->host[0] == '/';
    if (*hend == ':') {
        char *end;
        long port = strtol(hend + 1, &end, 10);
        if (end == hend + 1 || (*end && *end != '/') || port < 1 || port > 65535 || hend[1] == '+' ||
            hend[1] == '-') {
            snprintf(err, errlen, "database URL %s: the port must be a number from 1 to 65535", red);
            return -1;
        }
        if (u->socket) {
            snprintf(err, errlen, "database URL %s: a socket path takes no port", red);
            return -1;
        }
        u->port = (int)port;
        hend = end;
    }
    if (*hend && *hend != '/') {
        snprintf(err, errlen, "database URL %s: unexpected '%c' after the host", red, *hend);
        return -1;
    }
    if (*hend == '/') {
        const char *db = hend + 1;
        size_t n = strcspn(db, "?#");
        if (db[n]) {
            snprintf(err, errlen, "database URL %s: options after the database name ('%c') are not supported", red,
                     db[n]);
            return -1;
        }
        if (memchr(db, '/', n)) {
            snprintf(err, errlen, "database URL %s: the database name contains '/'", red);
            return -1;
        }
        if (field("database name", db, n, u->database, sizeof(u->database), red, err, errlen) < 0)
            return -1;
    }
    return 0;
}
