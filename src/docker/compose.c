/* docker/compose: the compose command checked, service names checked, and the bounded scan of a
 * compose file's top-level services keys. */
#include "docker/compose.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    va_list ap;
    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static bool name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-';
}

static bool name_ok_n(const char *name, size_t n)
{
    if (n == 0 || n > COMPOSE_NAME_MAX || name[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!name_char(name[i]))
            return false;
    return true;
}

bool compose_name_ok(const char *name)
{
    return name && name_ok_n(name, strlen(name));
}

/* ---- the compose command ---- */

void compose_command_release(struct compose_command *c)
{
    for (size_t i = 0; i < COMPOSE_COMMAND_WORDS; i++)
        free(c->argv[i]);
    memset(c, 0, sizeof(*c));
}

int compose_command_parse(const char *text, struct compose_command *c, char *why, size_t whylen)
{
    static const char accepted[] = "use docker compose, docker-compose, podman compose or "
                                   "podman-compose, the program as a name or an absolute path";
    const char *p = text ? text : "";

    memset(c, 0, sizeof(*c));
    for (const char *q = p; *q; q++)
        if ((unsigned char)*q < 0x20 && *q != '\t')
            return fail(why, whylen, -1, "the compose command holds a control character; %s",
                        accepted);
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " \t");
        if (c->argc == COMPOSE_COMMAND_WORDS) {
            compose_command_release(c);
            return fail(why, whylen, -1, "the compose command '%.200s' has more than %d words; "
                        "%s", text, COMPOSE_COMMAND_WORDS, accepted);
        }
        if (!(c->argv[c->argc++] = strndup(p, n))) {
            compose_command_release(c);
            return fail(why, whylen, -1, "out of memory");
        }
        p += n;
    }
    if (!c->argc)
        return fail(why, whylen, -1, "the compose command is empty; %s", accepted);
    const char *prog = c->argv[0], *slash = strrchr(prog, '/');
    if (slash && prog[0] != '/') {
        compose_command_release(c);
        return fail(why, whylen, -1, "the compose program '%.200s' is a relative path; %s",
                    text, accepted);
    }
    c->program = slash ? slash + 1 : prog;
    bool plugin = !strcmp(c->program, "docker") || !strcmp(c->program, "podman");
    bool standalone = !strcmp(c->program, "docker-compose") ||
                      !strcmp(c->program, "podman-compose");
    const char *bad = NULL;
    if (!plugin && !standalone)
        bad = "is not a compose program";
    else if (plugin && (c->argc != 2 || strcmp(c->argv[1], "compose")))
        bad = "needs 'compose' as its second word";
    else if (standalone && c->argc != 1)
        bad = "takes no second word";
    if (bad) {
        int rc = fail(why, whylen, -1, "the compose command '%.200s' %s; %s", text, bad,
                      accepted);
        compose_command_release(c);
        return rc;
    }
    return 0;
}

/* ---- the services scan ---- */

void compose_services_release(struct compose_services *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->names[i]);
    free(s->names);
    memset(s, 0, sizeof(*s));
}

bool compose_services_has(const struct compose_services *s, const char *name)
{
    for (size_t i = 0; name && i < s->n; i++)
        if (!strcmp(s->names[i], name))
            return true;
    return false;
}

/* The key a mapping line starts with (line: without its indentation, n bytes): *key and *klen
 * point into line (between the quotes of a quoted key), *after past the ':'. false when the line
 * is no "key:" (a list item, a complex key, a value continued). *quoted tells a quoted key,
 * whose bytes are taken as they stand (a name with an escape is refused by the name check). */
static bool line_key(const char *line, size_t n, const char **key, size_t *klen,
                     const char **after, bool *quoted)
{
    size_t i;

    *quoted = false;
    if (n == 0 || line[0] == '-' || line[0] == '?' || line[0] == '[' || line[0] == '{')
        return false;
    if (line[0] == '"' || line[0] == '\'') {
        const char *close = memchr(line + 1, line[0], n - 1);
        if (!close)
            return false;
        *key = line + 1;
        *klen = (size_t)(close - line - 1);
        *quoted = true;
        i = (size_t)(close - line) + 1;
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= n || line[i] != ':')
            return false;
        *after = line + i + 1;
        return true;
    }
    /* plain: up to the first ':' that ends the line or is followed by a blank */
    for (i = 0; i < n; i++) {
        if (line[i] == '#' && i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t'))
            return false;
        if (line[i] == ':' && (i + 1 == n || line[i + 1] == ' ' || line[i + 1] == '\t'))
            break;
    }
    if (i == n)
        return false;
    *key = line;
    *klen = i;
    while (*klen && (line[*klen - 1] == ' ' || line[*klen - 1] == '\t'))
        (*klen)--;
    *after = line + i + 1;
    return *klen > 0;
}

/* What follows "services:" on its line (rest: n bytes): 0 nothing (a block follows), 1 an empty
 * flow mapping, -1 anything else (a flow mapping, an alias, a scalar). An anchor and a comment
 * are skipped. */
static int services_value(const char *rest, size_t n)
{
    size_t i = 0;
    while (i < n && (rest[i] == ' ' || rest[i] == '\t'))
        i++;
    if (i < n && rest[i] == '&') {
        while (i < n && rest[i] != ' ' && rest[i] != '\t')
            i++;
        while (i < n && (rest[i] == ' ' || rest[i] == '\t'))
            i++;
    }
    if (i == n || rest[i] == '#')
        return 0;
    if (rest[i] == '{') {
        size_t j = i + 1;
        while (j < n && (rest[j] == ' ' || rest[j] == '\t'))
            j++;
        if (j < n && rest[j] == '}') {
            j++;
            while (j < n && (rest[j] == ' ' || rest[j] == '\t'))
                j++;
            if (j == n || rest[j] == '#')
                return 1;
        }
    }
    return -1;
}

int compose_services_scan(const char *text, size_t len, struct compose_services *s, char *why,
                          size_t whylen)
{
    enum { BEFORE, IN, AFTER } state = BEFORE;
    const char *p = text, *end = text + len;
    size_t child = 0, lineno = 0, cap = 0;
    bool seen_key = false, found = false;

    memset(s, 0, sizeof(*s));
    if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line = p, *lend = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        if (lend > line && lend[-1] == '\r')
            lend--;
        size_t n = (size_t)(lend - line), ind = 0;
        while (ind < n && line[ind] == ' ')
            ind++;
        const char *rest = line + ind;
        size_t rn = n - ind;
        if (memchr(line, '\0', n))
            return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu holds a NUL byte: not a "
                        "compose file", lineno);
        bool tab = rn && rest[0] == '\t';
        /* blank lines and comments (a line of blanks and tabs is blank too) */
        size_t k = 0;
        while (k < rn && (rest[k] == ' ' || rest[k] == '\t'))
            k++;
        if (k == rn || rest[k] == '#')
            continue;
        if (ind == 0 && !tab) {
            if (rn >= 3 && !memcmp(rest, "---", 3) && (rn == 3 || rest[3] == ' ')) {
                if (seen_key)
                    break; /* a second document: compose reads one */
                continue;
            }
            if (rn >= 3 && !memcmp(rest, "...", 3) && (rn == 3 || rest[3] == ' '))
                break;
            const char *key, *after;
            size_t klen;
            bool quoted;
            seen_key = true;
            if (state == IN)
                state = AFTER;
            if (!line_key(rest, rn, &key, &klen, &after, &quoted))
                continue; /* a continued scalar, or something compose itself will refuse */
            if (klen == 7 && !memcmp(key, "include", 7))
                s->includes = true;
            if (klen != 8 || memcmp(key, "services", 8))
                continue;
            if (found)
                return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: a second top-level "
                            "services key", lineno);
            found = true;
            int v = services_value(after, (size_t)(rest + rn - after));
            if (v < 0)
                return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: services is not a "
                            "block mapping (a flow mapping {...}, an alias or a scalar), which "
                            "this scan does not read; write one service name per line below "
                            "services:", lineno);
            if (v == 0)
                state = IN;
            continue;
        }
        if (state != IN)
            continue;
        if (tab || (ind < n && line[ind] == '\t'))
            return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: a tab in the indentation "
                        "below services (YAML indents with spaces)", lineno);
        if (!child)
            child = ind;
        if (ind > child)
            continue; /* inside a service */
        if (ind < child)
            return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: indented less than the "
                        "service names above it", lineno);
        const char *key, *after;
        size_t klen;
        bool quoted;
        if (rest[0] == '-')
            return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: services is a list; "
                        "compose needs a mapping of service names", lineno);
        if (!line_key(rest, rn, &key, &klen, &after, &quoted))
            return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: no service name (name:) "
                        "where one was expected", lineno);
        if (!quoted && klen == 2 && !memcmp(key, "<<", 2))
            return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: a merge key (<<) among the "
                        "services, which this scan does not follow", lineno);
        if (!name_ok_n(key, klen))
            return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: '%.*s' is not a service name "
                        "compose accepts ([a-zA-Z0-9._-], at most %d bytes)", lineno,
                        (int)(klen > 64 ? 64 : klen), key, COMPOSE_NAME_MAX);
        for (size_t i = 0; i < s->n; i++)
            if (strlen(s->names[i]) == klen && !memcmp(s->names[i], key, klen))
                return fail(why, whylen, COMPOSE_ERR_SYNTAX, "line %zu: service '%.*s' is "
                            "defined twice", lineno, (int)klen, key);
        if (s->n == COMPOSE_SERVICES_MAX)
            return fail(why, whylen, COMPOSE_ERR_TOO_LARGE, "more than %d services",
                        COMPOSE_SERVICES_MAX);
        if (s->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = realloc(s->names, ncap * sizeof(*nn));
            if (!nn)
                return fail(why, whylen, COMPOSE_ERR_IO, "out of memory");
            s->names = nn;
            cap = ncap;
        }
        if (!(s->names[s->n] = strndup(key, klen)))
            return fail(why, whylen, COMPOSE_ERR_IO, "out of memory");
        s->n++;
    }
    if (!found)
        return fail(why, whylen, COMPOSE_ERR_SYNTAX, "no top-level services key");
    return COMPOSE_OK;
}

int compose_services_read(const char *path, struct compose_services *s, char *why,
                          size_t whylen)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd, rc;

    memset(s, 0, sizeof(*s));
    if (!path || path[0] != '/')
        return fail(why, whylen, COMPOSE_ERR_PATH, "compose file '%.200s' is not an absolute "
                    "path", path ? path : "");
    /* O_NONBLOCK: a FIFO is not waited on (it is refused below) */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
        return fail(why, whylen, errno == ENOENT || errno == ENOTDIR ? COMPOSE_ERR_NOT_FOUND
                                                                      : COMPOSE_ERR_IO,
                    "cannot read compose file '%.200s': %s", path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        rc = fail(why, whylen, COMPOSE_ERR_IO, "cannot read compose file '%.200s': %s", path,
                  strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = fail(why, whylen, COMPOSE_ERR_NOT_FILE, "compose file '%.200s' is not a regular "
                  "file", path);
        goto out;
    }
    if (st.st_size > (off_t)COMPOSE_FILE_MAX) {
        rc = fail(why, whylen, COMPOSE_ERR_TOO_LARGE, "compose file '%.200s' is larger than %u "
                  "bytes (%lld)", path, COMPOSE_FILE_MAX, (long long)st.st_size);
        goto out;
    }
    /* one byte more than the limit: a file that grew meanwhile is still caught */
    if (!(buf = malloc(COMPOSE_FILE_MAX + 2))) {
        rc = fail(why, whylen, COMPOSE_ERR_IO, "out of memory");
        goto out;
    }
    while (got <= COMPOSE_FILE_MAX) {
        ssize_t r = read(fd, buf + got, COMPOSE_FILE_MAX + 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = fail(why, whylen, COMPOSE_ERR_IO, "cannot read compose file '%.200s': %s",
                      path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got > COMPOSE_FILE_MAX) {
        rc = fail(why, whylen, COMPOSE_ERR_TOO_LARGE, "compose file '%.200s' is larger than %u "
                  "bytes", path, COMPOSE_FILE_MAX);
        goto out;
    }
    char detail[300];
    rc = compose_services_scan(buf, got, s, detail, sizeof(detail));
    if (rc != COMPOSE_OK) {
        compose_services_release(s);
        fail(why, whylen, rc, "compose file '%.200s': %s", path, detail);
    }
out:
    free(buf);
    close(fd);
    return rc;
}
