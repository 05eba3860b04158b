/* tools/docker: docker_restart, `docker compose restart <service>` (the Python server's tool of
 * that name and parameter), on the exec backend (exec/exec.h): the compose command the
 * operator configured (--compose-command: docker compose, docker-compose, podman compose or
 * podman-compose) as an argument vector, never a shell; the compose file (--compose-file) passed
 * as -f and the service name checked against its services (docker/compose.h) before anything
 * runs; a deadline (--compose-timeout-s, 60 s as the Python server's); bounded output;
 * cancellation ending the program's process group. What compose answers when it cannot work
 * (no compose plugin, no daemon) becomes an error that says what to install or start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/compose.h"
#include "exec/exec.h"
#include "mcp/server.h"
#include "settings.h"
#include "tools/be_exec.h"
#include "tools/row.h"
#include "tools/tool.h"

#define DOCKER_OUTPUT_MAX (64u * 1024) /* bytes of stdout and of stderr kept */
#define DOCKER_TAIL_MAX 600            /* bytes of output a result or an error shows */
#define DOCKER_ARGV_MAX (COMPOSE_COMMAND_WORDS + 7)
#define DOCKER_INSTALL "install Docker's compose (Debian: apt-get install docker.io " \
                       "docker-compose-plugin, or docker-compose) or Podman's (apt-get install " \
                       "podman podman-compose), and name it with --compose-command " \
                       "(OPENSIPS_MCP_COMPOSE_COMMAND), a path for a program outside " \
                       "/usr/sbin:/usr/bin:/sbin:/bin such as '/usr/local/bin/docker compose'"

/* The variables a compose program reads to find its daemon and its plugins, passed from the
 * server's own environment when set (the child's is otherwise only PATH and LANG). */
static const char *const passed_env[] = {"HOME", "DOCKER_HOST", "DOCKER_CONTEXT",
                                         "DOCKER_CONFIG", "XDG_RUNTIME_DIR", NULL};
#define DOCKER_ENV_VALUE_MAX 1024

/* One call's command line, checked. */
struct plan {
    struct compose_command cmd;
    struct compose_services svc;
    const char *argv[DOCKER_ARGV_MAX + 1];
    size_t argc;
    const char *service, *file;
    char dir[4096];         /* the compose file's directory: the program's working directory */
    unsigned deadline_ms;
    char *env_store[sizeof(passed_env) / sizeof(passed_env[0])];
};

static void plan_release(struct plan *p)
{
    compose_command_release(&p->cmd);
    compose_services_release(&p->svc);
    for (size_t i = 0; i < sizeof(p->env_store) / sizeof(p->env_store[0]); i++)
        free(p->env_store[i]);
    memset(p, 0, sizeof(*p));
}

/* compose's rule for a project name: lowercase letters, digits, '-' and '_', starting with a
 * letter or a digit. */
static bool project_ok(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) || strlen(s) > 255)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

/* "a, b, c" of the services, within n bytes ("..." when cut). */
static void services_text(const struct compose_services *s, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", s->names[i]);
        if (w < 0 || (size_t)w >= n - used - 4) {
            snprintf(out + used, n - used, ", ...");
            return;
        }
        used += (size_t)w;
    }
    if (!s->n)
        snprintf(out, n, "none");
}

/* Check everything a restart needs and build its argument vector; false with *e filled.
 * Nothing is run. */
static bool plan_build(struct mcp_call *c, const json_t *args, struct plan *p,
                       struct tool_error *e)
{
    const struct settings *set = mcp_server_settings(mcp_call_server(c));
    char why[600];

    memset(p, 0, sizeof(*p));
    p->service = tool_str(args, "service", "opensips");
    if (!compose_name_ok(p->service)) {
        tool_fail(e, TOOL_E_BAD_ARGS, "bad_service_name", 0, "service '%.100s' is not a name "
                  "compose accepts (letters, digits, '.', '_' and '-', not starting with '-'); "
                  "nothing was run", p->service);
        return false;
    }
    if (!set) {
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "no settings");
        return false;
    }
    if (compose_command_parse(set->compose_command, &p->cmd, why, sizeof(why)) < 0) {
        tool_fail(e, TOOL_E_CONFIG, "compose_command", 0, "%s: %s (set --compose-command)",
                  settings_source(set, "compose-command"), why);
        return false;
    }
    p->file = set->compose_file;
    if (!p->file || !*p->file) {
        tool_fail(e, TOOL_E_CONFIG, "no_compose_file", 0, "docker_restart needs the compose "
                  "file of the OpenSIPS containers: the operator must set --compose-file "
                  "(OPENSIPS_MCP_COMPOSE_FILE) to its absolute path; nothing was run");
        return false;
    }
    const char *project = set->compose_project;
    if (project && *project && !project_ok(project)) {
        tool_fail(e, TOOL_E_CONFIG, "compose_project", 0, "%s: compose project '%.100s' is not "
                  "a name compose accepts (lowercase letters, digits, '-' and '_', starting with "
                  "a letter or a digit)", settings_source(set, "compose-project"), project);
        return false;
    }
    int rc = compose_services_read(p->file, &p->svc, why, sizeof(why));
    if (rc != COMPOSE_OK) {
        tool_fail(e, rc == COMPOSE_ERR_TOO_LARGE ? TOOL_E_TOO_LARGE
                     : rc == COMPOSE_ERR_IO ? TOOL_E_SYSTEM : TOOL_E_CONFIG,
                  "compose_file", 0, "%s (%s); nothing was run", why,
                  settings_source(set, "compose-file"));
        return false;
    }
    if (!compose_services_has(&p->svc, p->service)) {
        char list[400];
        services_text(&p->svc, list, sizeof(list));
        tool_fail(e, TOOL_E_NOT_FOUND, "no_such_service", 0, "service '%s' is not in compose "
                  "file '%.200s'; its services: %s%s. Nothing was run", p->service, p->file, list,
                  p->svc.includes ? " (and those of the files it includes, which are not "
                                    "read: name the file that defines the service with "
                                    "--compose-file)" : "");
        return false;
    }
    const char *slash = strrchr(p->file, '/');
    snprintf(p->dir, sizeof(p->dir), "%.*s", slash == p->file ? 1 : (int)(slash - p->file),
             p->file);
    for (size_t i = 0; i < p->cmd.argc; i++)
        p->argv[p->argc++] = p->cmd.argv[i];
    p->argv[p->argc++] = "-f";
    p->argv[p->argc++] = p->file;
    if (project && *project) {
        p->argv[p->argc++] = "-p";
        p->argv[p->argc++] = project;
    }
    p->argv[p->argc++] = "restart";
    p->argv[p->argc++] = p->service;
    p->argv[p->argc] = NULL;
    p->deadline_ms = set->compose_timeout_s * 1000u;
    return true;
}

static json_t *argv_json(const struct plan *p)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->argc; i++)
        json_array_append_new(a, json_string(p->argv[i]));
    return a;
}

/* The command line in words, for the question and the errors. */
static void argv_text(const struct plan *p, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p->argc && used < n; i++) {
        int w = snprintf(out + used, n - used, "%s%s", i ? " " : "", p->argv[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* The last DOCKER_TAIL_MAX bytes of the output (stderr, else stdout) as text: starting on a
 * character, bytes that are not UTF-8 as '?'. Owned. */
static char *output_tail(const struct exec_result *r)
{
    const char *t = r->err_len ? r->err : r->out;
    size_t len = r->err_len ? r->err_len : r->out_len, from = 0;
    while (len && (t[len - 1] == '\n' || t[len - 1] == ' '))
        len--;
    if (len > DOCKER_TAIL_MAX)
        from = len - DOCKER_TAIL_MAX;
    while (from < len && ((unsigned char)t[from] & 0xc0) == 0x80)
        from++;
    char *s = strndup(t + from, len - from);
    json_t *probe = s ? json_string(s) : NULL;
    if (s && !probe)
        for (char *q = s; *q; q++)
            if ((unsigned char)*q >= 0x80 || ((unsigned char)*q < 0x20 && *q != '\n'))
                *q = '?';
    json_decref(probe);
    return s;
}

/* The length of t's first line, at most 200 bytes. */
static int first_line(const char *t)
{
    size_t n = t ? strcspn(t, "\n") : 0;
    if (n > 200)
        for (n = 200; n && ((unsigned char)t[n] & 0xc0) == 0x80; n--)
            ;
    return (int)n;
}

/* Cut a character that vsnprintf left incomplete at the end of s (the tail in an error). */
static void cut_partial(char *s)
{
    size_t n = strlen(s), i = n;
    while (i && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--;
    if (!i || (unsigned char)s[i - 1] < 0xc0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

static bool said(const struct exec_result *r, const char *what)
{
    return (r->err && strstr(r->err, what)) || (r->out && strstr(r->out, what));
}

static json_t *docker_needs(struct mcp_call *c, const struct tool_def *d, const json_t *args,
                            struct mcp_needs *n)
{
    struct tool_error e = {0};
    struct plan p;
    char line[400];

    /* A wrong argument (a bad name, a service the file lacks) is refused before anyone is
     * asked; a setting that is wrong is told after the question, as every tool's is, when the
     * restart is about to run. */
    if (!plan_build(c, args, &p, &e)) {
        plan_release(&p);
        if (e.kind == TOOL_E_BAD_ARGS || e.kind == TOOL_E_NOT_FOUND)
            return tool_error_result(c, d->name, &e);
        return NULL;
    }
    argv_text(&p, line, sizeof(line));
    snprintf(n->what, sizeof(n->what), "restart compose service '%s' (run %s)", p.service, line);
    plan_release(&p);
    return NULL;
}

static json_t *docker_restart(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    struct plan p;
    struct exec_result res = {0};
    const char *env[sizeof(passed_env) / sizeof(passed_env[0])];
    char why[512], line[400];
    json_t *out = NULL;
    size_t ne = 0;

    if (!plan_build(x->call, args, &p, e)) {
        plan_release(&p);
        return NULL;
    }
    for (const char *const *v = passed_env; *v; v++) {
        const char *val = getenv(*v);
        if (!val || !*val || strlen(val) > DOCKER_ENV_VALUE_MAX)
            continue;
        size_t l = strlen(*v) + strlen(val) + 2;
        if (!(p.env_store[ne] = malloc(l)))
            continue;
        snprintf(p.env_store[ne], l, "%s=%s", *v, val);
        env[ne] = p.env_store[ne];
        ne++;
    }
    env[ne] = NULL;
    argv_text(&p, line, sizeof(line));
    struct exec_spec spec = {.argv = p.argv, .deadline_ms = p.deadline_ms, .cwd = p.dir,
                             .env = env, .stdout_max = DOCKER_OUTPUT_MAX,
                             .stderr_max = DOCKER_OUTPUT_MAX};
    int rc = exec_run(&spec, NULL, &res, why, sizeof(why));
    char *tail = rc == EXEC_OK ? output_tail(&res) : NULL;
    if (rc == EXEC_ERR_NOT_FOUND)
        tool_fail(e, TOOL_E_UNSUPPORTED, "not_installed", 0, "compose is not installed: %s; %s",
                  why, DOCKER_INSTALL);
    else if (rc == EXEC_ERR_CANCELLED)
        tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "cancelled before %s started", line);
    else if (rc != EXEC_OK)
        tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "%s", why);
    else if (res.cancelled)
        tool_fail(e, TOOL_E_CANCELLED, NULL, 0, "%s was stopped: the request was cancelled; the "
                  "service may be left stopped: check it with %s ps", line, p.cmd.argv[0]);
    else if (res.timed_out)
        tool_fail(e, TOOL_E_TIMEOUT, NULL, 0, "%s did not finish within %u s and was stopped "
                  "(--compose-timeout-s); the service may be left stopped: check it with %s "
                  "ps", line, p.deadline_ms / 1000, p.cmd.argv[0]);
    else if (res.status != 0 && (said(&res, "unknown command: docker compose") ||
                                 said(&res, "'compose' is not a docker command") ||
                                 said(&res, "unknown shorthand flag: 'f' in -f") ||
                                 said(&res, "looking up compose provider failed")))
        tool_fail(e, TOOL_E_UNSUPPORTED, "compose_missing", res.status, "%s has no compose "
                  "command (exit status %d: %.*s); %s", p.cmd.argv[0], res.status,
                  first_line(tail), tail ? tail : "", DOCKER_INSTALL);
    else if (res.status != 0 && (said(&res, "Cannot connect to the Docker daemon") ||
                                 said(&res, "Is the docker daemon running") ||
                                 said(&res, "Cannot connect to Podman")))
        tool_fail(e, TOOL_E_UNREACHABLE, "daemon_down", res.status, "the container daemon is "
                  "not running or not reachable: %s answered '%.*s'; start it (systemctl "
                  "start docker, or podman.socket) or give this server access to its socket",
                  line, first_line(tail), tail ? tail : "");
    else if (res.status != 0 && said(&res, "no such service"))
        tool_fail(e, TOOL_E_NOT_FOUND, "no_such_service", res.status, "compose knows no "
                  "service '%s' in '%s': %.*s", p.service, p.file, first_line(tail),
                  tail ? tail : "");
    else if (res.status != 0)
        tool_fail(e, TOOL_E_REFUSED, "exit_status", res.status, "%s exited with status %d: %s",
                  line, res.status, tail && *tail ? tail : "(no output)");
    else {
        out = json_pack("{s:s, s:b, s:o, s:i, s:s}", "service", p.service, "restarted", 1,
                        "command", argv_json(&p), "status", res.status, "output",
                        tail ? tail : "");
        if (out && !*(tail ? tail : ""))
            json_object_set_new(out, "note", json_string("compose printed nothing: the service "
                                "may have no container to restart; check with compose ps"));
        if (!out)
            tool_fail(e, TOOL_E_SYSTEM, NULL, 0, "out of memory");
    }
    if (!out)
        cut_partial(e->text);
    free(tail);
    exec_result_release(&res);
    plan_release(&p);
    return out;
}

static const struct tool_def docker_tools[] = {
    {.name = "docker_restart",
     .title = "Restart a compose service",
     .description = "Runs compose restart SERVICE with the configured compose file; the name "
                    "must be one of its services. Calls in progress on it may drop.",
     .toolset = "docker",
     .scope = SCOPE_BIT(SCOPE_PROCESS_MANAGE),
     .flags = TOOL_F_DESTRUCTIVE | TOOL_F_LONG,
     .backend = BACKEND_EXEC,
     .exec = &(const struct exec_row){.program = "docker", .install = DOCKER_INSTALL},
     .args = ARGS({.name = "service", .type = T_STRING, .def = "\"opensips\"", .min_len = 1,
                   .max_len = COMPOSE_NAME_MAX, .description = "Compose service"}),
     .run = docker_restart,
     .needs = docker_needs,
     .mapping = "`COMPOSE -f FILE [-p PROJECT] restart SERVICE` as an argument vector "
                "(--compose-command, --compose-file, --compose-project), killed after "
                "--compose-timeout-s. Fixed: the Python server runs `docker compose restart` in "
                "its working directory with any service string; ours names the file, checks the "
                "service against its services first, and maps compose's failures (no plugin, "
                "no daemon) to errors that say what to do"},
};
ROW_TABLE(docker, docker_tools);
