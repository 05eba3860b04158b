/* state_core: core commands (version, uptime, which, help, log_level), from the catalogue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "naming.h"
#include "recorded.h"
#include "sim.h"

static int core_log_level_value = 3;

int core_version(struct cmd_call *c)
{
    if (c->recipe && json_array_size(c->recipe) > 0)
        return CMD_RECORDED; /* "revision": served as recorded */
    const char *v = sim.version == SIM_V40 ? "OpenSIPS (4.0.1 (x86_64/linux))"
                                           : "OpenSIPS (3.6.8 (x86_64/linux))";
    return cmd_result(c, json_pack("{s:s}", "Server", v));
}

static void core_ctime(time_t t, char *out, size_t n)
{
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, n, "%a %b %e %H:%M:%S %Y", &tm);
}

int core_uptime(struct cmd_call *c)
{
    char now_s[64], since_s[64], up_s[64];
    time_t now = time(NULL);
    core_ctime(now, now_s, sizeof now_s);
    core_ctime(sim.start, since_s, sizeof since_s);
    snprintf(up_s, sizeof up_s, "%lld [sec]", (long long)(now - sim.start));
    return cmd_result(c, json_pack("{s:s,s:s,s:s}", "Now", now_s, "Up since", since_s, "Up time",
                                   up_s));
}

/* which/help take a name and answer 404 "unknown MI command" when it does not resolve */
static const struct cat_cmd *core_named_cmd(struct cmd_call *c, const char *param)
{
    const char *name = NULL;
    if (cmd_param_str(c, param, &name) != 0)
        return NULL;
    const struct cat_cmd *cmd = NULL;
    if (naming_resolve(&sim.cat, name, &cmd, NULL) != NAMING_FOUND)
        cmd_error(c, 404, "unknown MI command", NULL);
    return cmd;
}

int core_which(struct cmd_call *c)
{
    if (!c->recipe || json_array_size(c->recipe) == 0) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < sim.cat.nloaded; i++)
            json_array_append_new(a, json_string(sim.cat.loaded[i]->name));
        return cmd_result(c, a);
    }
    const struct cat_cmd *cmd = core_named_cmd(c, "command");
    if (!cmd)
        return CMD_DONE;
    return cmd_result(c, json_deep_copy(cmd->recipes));
}

int core_help(struct cmd_call *c)
{
    if (!c->recipe || json_array_size(c->recipe) == 0)
        return cmd_result(c, json_string("Usage: help mi_cmd - returns information about 'mi_cmd'"));
    const struct cat_cmd *cmd = core_named_cmd(c, "mi_cmd");
    if (!cmd)
        return CMD_DONE;
    return cmd_result(c, json_pack("{s:s,s:s}", "Help",
                                   cmd->help ? cmd->help : "not available for this command",
                                   "Exported by", cmd->module));
}

int core_log_level(struct cmd_call *c)
{
    long long level;
    int rc = cmd_param_int(c, "level", &level);
    if (rc < 0)
        return CMD_DONE;
    if (rc == 0) {
        if (level < -3 || level > 4)
            return cmd_error(c, 400, "Bad parameter value", NULL);
        if (cmd_param(c, "pid"))
            return CMD_RECORDED;
        core_log_level_value = (int)level;
        return cmd_result(c, json_pack("{s:i}", "New global log level", core_log_level_value));
    }
    /* the process list as recorded, with the current level */
    char *key = recorded_key(c->cmd->name, NULL);
    const struct recorded_reply *r = key ? recorded_next(&sim.rec, key) : NULL;
    free(key);
    if (!r || r->is_error)
        return CMD_RECORDED;
    char *text = NULL;
    if (asprintf(&text, "{%.*s}", (int)r->member_len, r->member) < 0)
        return CMD_RECORDED;
    json_t *o = json_loads(text, 0, NULL);
    free(text);
    json_t *procs = json_object_get(json_object_get(o, "result"), "Processes");
    size_t i;
    json_t *p;
    json_array_foreach(procs, i, p) {
        if (json_object_get(p, "Log level"))
            json_object_set_new(p, "Log level", json_integer(core_log_level_value));
    }
    json_t *res = json_incref(json_object_get(o, "result"));
    json_decref(o);
    if (!res)
        return CMD_RECORDED;
    return cmd_result(c, res);
}
