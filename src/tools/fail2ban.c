/* tools/fail2ban: fail2ban_status, fail2ban_list_banned, fail2ban_ban_ip, fail2ban_unban_ip (the
 * Python server's names and arguments; the jail defaults to "opensips"). fail2ban-client runs
 * on the exec backend (exec/exec.h): an argument vector, never a shell; -s SOCKET when one is
 * set; a deadline; bounded output. Every address is checked and written as fail2ban keeps it
 * before it is sent (fail2ban's banip takes any string), a jail name is checked, and a jail the
 * server lacks is refused naming the jails it has. Facts: fail2ban 1.0.2 (Debian) and 1.1's
 * client, their outputs and exit codes (0, or 255 with a sentence). */
#include "tools/fail2ban.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "mcp/server.h"
#include "settings.h"
#include "tools/be_exec.h"
#include "tools/row.h"
#include "tools/tool.h"

#define F2B_OUTPUT_MAX (1u << 20)     /* bytes of stdout kept: ~60 000 banned addresses */
#define F2B_STDERR_MAX (16u * 1024)
#define F2B_BAN_PREFIX_MIN_V4 8       /* a shorter IPv4 network is not banned (over 2^24 hosts) */
#define F2B_BAN_PREFIX_MIN_V6 32
#define F2B_INSTALL "install the Debian package fail2ban (apt-get install fail2ban), or set " \
                    "OPENSIPS_MCP_FAIL2BAN_CLIENT (--fail2ban-client) to its path"

/* ---- addresses, jail names and the client's answers ---- */

int f2b_ip_normalize(const char *in, char *out, size_t n, int *prefix, char *why, size_t whyn)
{
    char host[F2B_IP_MAX + 1];
    const char *slash = strchr(in, '/');
    size_t hl = slash ? (size_t)(slash - in) : strlen(in);
    unsigned char a[16];
    int af, bits, max;

    if (!*in) {
        snprintf(why, whyn, "the address is empty");
        return -1;
    }
    if (strlen(in) > F2B_IP_MAX || hl == 0 || hl >= sizeof(host)) {
        snprintf(why, whyn, "'%.80s' is not an IPv4 or IPv6 address", in);
        return -1;
    }
    memcpy(host, in, hl);
    host[hl] = '\0';
    if (inet_pton(AF_INET, host, a) == 1)
        af = AF_INET, max = 32;
    else if (inet_pton(AF_INET6, host, a) == 1)
        af = AF_INET6, max = 128;
    else {
        snprintf(why, whyn, "'%.80s' is not an IPv4 or IPv6 address (optionally /prefix)", in);
        return -1;
    }
    bits = max;
    if (slash) {
        const char *p = slash + 1;
        long v = 0;
        if (!*p || strlen(p) > 3) {
            snprintf(why, whyn, "'%.80s': the prefix after '/' must be 0 to %d", in, max);
            return -1;
        }
        for (; *p; p++) {
            if (!isdigit((unsigned char)*p)) {
                snprintf(why, whyn, "'%.80s': the prefix after '/' must be 0 to %d", in, max);
                return -1;
            }
            v = v * 10 + (*p - '0');
        }
        if (v > max) {
            snprintf(why, whyn, "'%.80s': the prefix after '/' must be 0 to %d", in, max);
            return -1;
        }
        bits = (int)v;
    }
    /* ::ffff:a.b.c.d is fail2ban's a.b.c.d (a mapped network it keeps as IPv6) */
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (af == AF_INET6 && !memcmp(a, mapped, 12) && bits == 128) {
        memmove(a, a + 12, 4);
        af = AF_INET, max = 32, bits = 32;
    }
    /* a network: its host bits cleared */
    for (int i = bits; i < max; i++)
        a[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
    if (!inet_ntop(af, a, out, (socklen_t)n)) {
        snprintf(why, whyn, "'%.80s' cannot be written back", in);
        return -1;
    }
    if (bits < max) {
        size_t l = strlen(out);
        snprintf(out + l, n - l, "/%d", bits);
    }
    *prefix = bits;
    return 0;
}

bool f2b_jail_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > F2B_JAIL_MAX || s[0] == '-')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.@-", *s))
            return false;
    return true;
}

json_t *f2b_parse_tree(const char *text)
{
    json_t *out = json_object();
    const char *line = text;

    while (line && *line) {
        const char *end = strchr(line, '\n'), *p = line, *colon;
        size_t len = end ? (size_t)(end - line) : strlen(line);
        while (p < line + len && strchr("|`- ", *p))
            p++;
        colon = memchr(p, ':', (size_t)(line + len - p));
        if (colon && colon > p) {
            char key[64];
            size_t k = 0;
            for (const char *q = p; q < colon && k + 1 < sizeof(key); q++)
                key[k++] = *q == ' ' ? '_' : (char)tolower((unsigned char)*q);
            key[k] = '\0';
            const char *v = colon + 1;
            while (v < line + len && (*v == '\t' || *v == ' '))
                v++;
            size_t vl = (size_t)(line + len - v);
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            json_t *val = json_stringn(v, vl);
            if (val)
                json_object_set_new(out, key, val);
        }
        line = end ? end + 1 : NULL;
    }
    if (!json_object_size(out)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *f2b_split(const char *s, const char *sep)
{
    json_t *out = json_array();
    size_t sl = strlen(sep);

    while (s && *s) {
        /* not strstr: each call there may read the whole rest (sanitizers' strstr does), and
         * a list can hold 60 000 addresses */
        const char *e = s;
        while (*e && strncmp(e, sep, sl))
            e++;
        size_t len = (size_t)(e - s);
        if (!*e)
            e = NULL;
        if (len) {
            json_t *v = json_stringn(s, len);
            if (v)
                json_array_append_new(out, v);
        }
        s = e ? e + sl : NULL;
    }
    return out;
}

long f2b_count(const char *out)
{
    const char *p = out + strlen(out), *start;
    char *end;

    while (p > out && isspace((unsigned char)p[-1]))
        p--;
    start = p;
    while (start > out && start[-1] != '\n')
        start--;
    if (start == p || !isdigit((unsigned char)*start))
        return -1;
    long v = strtol(start, &end, 10);
    return end == p && v >= 0 ? v : -1;
}

enum f2b_failure f2b_failure_of(const char *out, const char *err)
{
    const char *both[] = {out ? out : "", err ? err : ""};

    for (int i = 0; i < 2; i++) {
        if (strstr(both[i], "Permission denied to socket"))
            return F2B_FAIL_PERMISSION;
        if (strstr(both[i], "Failed to access socket path") ||
            strstr(both[i], "Unable to contact server") || strstr(both[i], "Is fail2ban running"))
            return F2B_FAIL_NOT_RUNNING;
        if (strstr(both[i], "Sorry but the jail"))
            return F2B_FAIL_NO_JAIL;
        if (strstr(both[i], "Sorry but the command is invalid"))
            return F2B_FAIL_INVALID;
    }
    return F2B_FAIL_OTHER;
}

/* ---- running fail2ban-client ---- */

struct f2b {
    const char *prog, *socket;
    unsigned deadline_ms;
};

static struct f2b f2b_of(struct tool_ctx *x)
{
    const struct settings *s = mcp_server_settings(mcp_call_server(x->call));
    struct f2b f = {.prog = "fail2ban-client", .deadline_ms = EXEC_DEADLINE_DEFAULT_MS};

    if (s && s->fail2ban_client && *s->fail2ban_client)
        f.prog = s->fail2ban_client;
    if (s && s->fail2ban_socket && *s->fail2ban_socket)
        f.socket = s->fail2ban_socket;
    if (s && s->fail2ban_timeout_ms)
        f.deadline_ms = s->fail2ban_timeout_ms;
    return f;
}

/* The last line of a failed client's output, for an error sentence. */
static const char *last_words(const struct exec_result *r, char *buf, size_t n)
{
    const char *t = r->err_len ? r->err : r->out;
    size_t len = r->err_len ? r->err_len : r->out_len;

    while (len && isspace((unsigned char)t[len - 1]))
        len--;
    size_t from = len;
    while (from && t[from - 1] != '\n')
        from--;
    snprintf(buf, n, "%.*s", (int)(len - from > 400 ? 400 : len - from), t + from);
    return buf;
}

/* Run fail2ban-client with `cmd` (NULL-terminated) after -s SOCKET. 0 with *r filled (exit 0),
 * or -1 with *e filled and *r released; a missing jail is TOOL_E_NOT_FOUND "unknown_jail". */
static int client(struct tool_ctx *x, const char *const *cmd, struct exec_result *r,
                  struct tool_error *e)
{
    struct f2b f = f2b_of(x);
    const char *argv[16];
    size_t n = 0;
    char why[512], said[420];

    argv[n++] = f.prog;
    if (f.socket) {
        argv[n++] = "-s";
        argv[n++] = f.socket;
    }
    while (*cmd && n + 1 < sizeof(argv) / sizeof(argv[0]))
        argv[n++] = *cmd++;
    argv[n] = NULL;
    struct exec_spec spec = {.argv = argv, .deadline_ms = f.deadline_ms,
                             .stdout_max = F2B_OUTPUT_MAX, .stderr_max = F2B_STDERR_MAX};
    memset(r, 0, sizeof(*r));
    int rc = exec_run(&spec, NULL, r, why, sizeof(why));
    if (rc != EXEC_OK) {
        if (rc == EXEC_ERR_NOT_FOUND)
            tool_fail(e, TOOL_E_UNSUPPORTED, "not_installed", 0, "fail2ban-client is not "
                      "installed: %s; %s", why, F2B_INSTALL);
        else if (rc == EXEC_ERR_CANCELLED)
            tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "cancelled before fail2ban-client started");
        else
            tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "%s", why);
        return -1;
    }
    const char *sock = f.socket ? f.socket : "the socket of fail2ban.conf";
    if (r->cancelled)
        tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "fail2ban-client was stopped: the request was "
                  "cancelled");
    else if (r->timed_out)
        tool_fail(e, TOOL_E_TIMEOUT, NULL, 0, "fail2ban-client did not answer within %u ms and "
                  "was stopped: is the fail2ban server on %s stuck? (the deadline is "
                  "--fail2ban-timeout-ms)", f.deadline_ms, sock);
    else if (r->status == 0)
        return 0;
    else {
        switch (f2b_failure_of(r->out, r->err)) {
        case F2B_FAIL_NOT_RUNNING:
            tool_fail(e, TOOL_E_UNREACHABLE, "not_running", r->status, "fail2ban is not "
                      "running: nothing answers on %s. Start it (systemctl start fail2ban, or "
                      "fail2ban-client start), or set --fail2ban-socket "
                      "(OPENSIPS_MCP_FAIL2BAN_SOCKET) to the socket it listens on", sock);
            break;
        case F2B_FAIL_PERMISSION:
            tool_fail(e, TOOL_E_CONFIG, "permission_denied", r->status, "this server's user "
                      "may not use fail2ban's socket %s: run it as a user that may (fail2ban "
                      "makes its socket root's), or set --fail2ban-socket to one it may use",
                      sock);
            break;
        case F2B_FAIL_NO_JAIL:
            tool_fail(e, TOOL_E_NOT_FOUND, "unknown_jail", r->status, "%s",
                      last_words(r, said, sizeof(said)));
            break;
        default:
            tool_fail(e, TOOL_E_REFUSED, "exit_status", r->status, "fail2ban-client exited with "
                      "status %d: %s", r->status, last_words(r, said, sizeof(said)));
        }
    }
    exec_result_release(r);
    return -1;
}

/* The jails the server has (new array), or NULL with *e filled. */
static json_t *jails(struct tool_ctx *x, struct tool_error *e)
{
    static const char *const cmd[] = {"status", NULL};
    struct exec_result r;
    json_t *tree, *out;

    if (client(x, cmd, &r, e) < 0)
        return NULL;
    tree = f2b_parse_tree(r.out);
    const char *list = tool_str(tree, "jail_list", NULL);
    if (!list)
        tool_fail(e, TOOL_E_GARBAGE, NULL, 0, "fail2ban-client status printed no jail list: "
                  "%.300s", r.out);
    out = list ? f2b_split(list, ", ") : NULL;
    json_decref(tree);
    exec_result_release(&r);
    return out;
}

/* e (an unknown_jail failure) said again with the jails the server has. */
static void *no_jail(struct tool_ctx *x, const char *jail, struct tool_error *e)
{
    struct tool_error e2 = {0};
    json_t *have = jails(x, &e2), *j;
    char list[400] = "";
    size_t i, l = 0;

    json_array_foreach(have, i, j)
        if (l < sizeof(list))
            l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "",
                                  json_string_value(j));
    json_decref(have);
    return tool_fail(e, TOOL_E_NOT_FOUND, "unknown_jail", e->code, "fail2ban has no jail '%s'; "
                     "%s%s. An OpenSIPS jail and filter to start from are in contrib/fail2ban/",
                     jail, !have ? "its jails could not be listed" : i ? "its jails are: "
                     : "it has no jail", list);
}

/* The checked jail and, when `ip_out` is given, the address as fail2ban keeps it; NULL with *e
 * filled when either is wrong. Nothing runs. */
static const char *check_args(const json_t *args, char *ip_out, size_t n, bool ban,
                              struct tool_error *e)
{
    const char *jail = tool_str(args, "jail", "opensips");
    char why[200];
    int prefix;

    if (!f2b_jail_ok(jail))
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0, "'%.80s' is not a jail name (letters, "
                         "digits, _ . @ -); nothing was run", jail);
    if (!ip_out)
        return jail;
    if (f2b_ip_normalize(tool_str(args, "ip", ""), ip_out, n, &prefix, why, sizeof(why)) < 0)
        return tool_fail(e, TOOL_E_BAD_ARGS, "bad_ip", 0, "%s; nothing was run", why);
    if (ban && prefix < (strchr(ip_out, ':') ? F2B_BAN_PREFIX_MIN_V6 : F2B_BAN_PREFIX_MIN_V4))
        return tool_fail(e, TOOL_E_BAD_ARGS, "bad_ip", 0, "%s is too wide a network to ban "
                         "(the shortest prefix banned is /%d for IPv4, /%d for IPv6); nothing "
                         "was run", ip_out, F2B_BAN_PREFIX_MIN_V4, F2B_BAN_PREFIX_MIN_V6);
    return jail;
}

/* ---- the tools ---- */

static json_t *status_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *list = jails(x, e);

    (void)args;
    return list ? json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(list), "jails",
                            list) : NULL;
}

static json_int_t num(const json_t *tree, const char *key)
{
    const char *v = tool_str(tree, key, NULL);
    return v ? (json_int_t)strtoll(v, NULL, 10) : 0;
}

static json_t *list_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const char *jail = check_args(args, NULL, 0, false, e);
    struct exec_result r;
    json_t *tree, *out;

    if (!jail)
        return NULL;
    const char *const cmd[] = {"status", jail, NULL};
    if (client(x, cmd, &r, e) < 0)
        return e->kind == TOOL_E_NOT_FOUND ? no_jail(x, jail, e) : NULL;
    tree = f2b_parse_tree(r.out);
    const char *banned = tool_str(tree, "banned_ip_list", NULL);
    if (!banned) {
        tool_fail(e, TOOL_E_GARBAGE, NULL, 0, "fail2ban-client status %s printed no banned "
                  "list: %.300s", jail, r.out);
        json_decref(tree);
        exec_result_release(&r);
        return NULL;
    }
    json_t *ips = f2b_split(banned, " ");
    if (r.stdout_truncated && json_array_size(ips)) /* the last one may be cut */
        json_array_remove(ips, json_array_size(ips) - 1);
    out = row_page(ips, args, -1, 0);
    json_object_set_new(out, "jail", json_string(jail));
    json_object_set_new(out, "currently_banned", json_integer(num(tree, "currently_banned")));
    json_object_set_new(out, "total_banned", json_integer(num(tree, "total_banned")));
    json_object_set_new(out, "currently_failed", json_integer(num(tree, "currently_failed")));
    json_object_set_new(out, "total_failed", json_integer(num(tree, "total_failed")));
    if (tool_str(tree, "file_list", NULL))
        json_object_set_new(out, "files", f2b_split(tool_str(tree, "file_list", ""), " "));
    if (tool_str(tree, "journal_matches", NULL))
        json_object_set_new(out, "journal_matches",
                            json_string(tool_str(tree, "journal_matches", "")));
    if (r.stdout_truncated)
        json_object_set_new(out, "note", json_sprintf("fail2ban-client printed over %u bytes: "
                            "the list holds only the addresses in them", F2B_OUTPUT_MAX));
    json_decref(tree);
    exec_result_release(&r);
    return out;
}

static json_t *set_run(struct tool_ctx *x, const json_t *args, struct tool_error *e, bool ban)
{
    char ip[F2B_IP_MAX + 8];
    const char *jail = check_args(args, ip, sizeof(ip), ban, e);
    struct exec_result r;

    if (!jail)
        return NULL;
    const char *const cmd[] = {"set", jail, ban ? "banip" : "unbanip", ip, NULL};
    if (client(x, cmd, &r, e) < 0)
        return e->kind == TOOL_E_NOT_FOUND ? no_jail(x, jail, e) : NULL;
    long n = f2b_count(r.out);
    if (n < 0) {
        tool_fail(e, TOOL_E_GARBAGE, NULL, 0, "fail2ban-client set %s %s printed no count: "
                  "%.300s", jail, ban ? "banip" : "unbanip", r.out);
        exec_result_release(&r);
        return NULL;
    }
    exec_result_release(&r);
    json_t *out = json_pack("{s:s, s:s, s:b}", "jail", jail, "ip", ip, "changed", n > 0);
    if (!n)
        json_object_set_new(out, "note", json_string(ban ? "it was banned already"
                            : "it was not banned (a network is unbanned as it was banned)"));
    return out;
}

static json_t *ban_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    return set_run(x, args, e, true);
}

static json_t *unban_run(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    return set_run(x, args, e, false);
}

/* Before the question: the address and the jail name are checked, and the question names the
 * address as it will be sent. */
static json_t *set_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                         struct mcp_needs *n)
{
    char ip[F2B_IP_MAX + 8];
    struct tool_error e = {0};
    bool ban = !strcmp(d->name, "fail2ban_ban_ip");
    const char *jail = check_args(args, ip, sizeof(ip), ban, &e);

    if (!jail)
        return tool_error_result(c, d->name, &e);
    snprintf(n->what, sizeof(n->what), "%s %s in the fail2ban jail %s (fail2ban-client set %s "
             "%s %s)", ban ? "ban" : "unban", ip, jail, jail, ban ? "banip" : "unbanip", ip);
    return NULL;
}

#define JAIL_ARG {.name = "jail", .type = T_STRING, .def = "\"opensips\"", .min_len = 1, \
                  .max_len = F2B_JAIL_MAX, .description = "fail2ban jail (default opensips)"}
#define IP_ARG {.name = "ip", .type = T_STRING, .flags = ARG_REQUIRED, .min_len = 1, \
                .max_len = F2B_IP_MAX, .pattern = "^[0-9A-Fa-f]*[.:][0-9A-Fa-f:.]*(/[0-9]+)?$", \
                .description = "IPv4 or IPv6, optionally /prefix"}
#define F2B_EXEC (&(const struct exec_row){.program = "fail2ban-client", .install = F2B_INSTALL})

static const struct tool_def fail2ban_tools[] = {
    {.name = "fail2ban_status",
     .title = "fail2ban jails",
     .description = "Lists the jails of the fail2ban server on this host (fail2ban-client "
                    "status).",
     .toolset = "fail2ban",
     .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_EXEC,
     .exec = F2B_EXEC,
     .run = status_run,
     .mapping = "fail2ban-client [-s SOCKET] status, parsed: {count, jails}"},
    {.name = "fail2ban_list_banned",
     .title = "IPs banned by a fail2ban jail",
     .description = "A jail's banned addresses (paged) and its failure and ban counters.",
     .toolset = "fail2ban",
     .scope = SCOPE_BIT(SCOPE_STATS_READ),
     .flags = TOOL_F_READONLY | TOOL_F_IDEMPOTENT,
     .backend = BACKEND_EXEC,
     .exec = F2B_EXEC,
     .args = ARGS(JAIL_ARG,
                  {.name = "limit", .type = T_INTEGER, MINIMUM(1), MAXIMUM(500),
                   .description = "Items per page (default 50)"},
                  {.name = "offset", .type = T_INTEGER, MINIMUM(0),
                   .description = "The previous page's next_offset"}),
     .run = list_run,
     .mapping = "fail2ban-client [-s SOCKET] status <jail>, its tree parsed; an unknown jail is "
                "refused naming the jails there are"},
    {.name = "fail2ban_ban_ip",
     .title = "Ban an IP in fail2ban",
     .description = "Bans an address or network in a jail (fail2ban runs the jail's ban "
                    "action). changed false: it was banned already.",
     .toolset = "fail2ban",
     .scope = SCOPE_BIT(SCOPE_PROCESS_MANAGE),
     .flags = TOOL_F_IDEMPOTENT,
     .backend = BACKEND_EXEC,
     .exec = F2B_EXEC,
     .args = ARGS(IP_ARG, JAIL_ARG),
     .run = ban_run,
     .needs = set_needs,
     .mapping = "fail2ban-client [-s SOCKET] set <jail> banip <ip>. Fixed: the Python server "
                "sends any string (fail2ban bans 'notanip' too); ours sends only an address it "
                "checked, written as fail2ban keeps it, and refuses networks wider than /8 "
                "(IPv4) or /32 (IPv6)"},
    {.name = "fail2ban_unban_ip",
     .title = "Unban an IP in fail2ban",
     .description = "Lifts a jail's ban of an address or network. changed false: it was not "
                    "banned.",
     .toolset = "fail2ban",
     .scope = SCOPE_BIT(SCOPE_PROCESS_MANAGE),
     .flags = TOOL_F_IDEMPOTENT | TOOL_F_DESTRUCTIVE,
     .backend = BACKEND_EXEC,
     .exec = F2B_EXEC,
     .args = ARGS(IP_ARG, JAIL_ARG),
     .run = unban_run,
     .needs = set_needs,
     .mapping = "fail2ban-client [-s SOCKET] set <jail> unbanip <ip>, the address checked "
                "first"},
};
ROW_TABLE(fail2ban, fail2ban_tools);
