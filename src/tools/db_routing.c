/* db_routing: where calls go, as provisioned in the database — dispatcher sets, drouting
 * gateways, rules, carriers and groups, dialplan rules and load-balancer destinations — each
 * change followed by the module's reload on the node. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tools/be_sql.h"
#include "tools/row.h"
#include "tools/tool.h"

/* Whitespace spelled out: our validator is POSIX ERE, where "\\s" in brackets is a backslash and
 * an 's' (it refused "sip:a;transport=tcp"); clients' ECMA-262 reads these characters the same. */
#define SIP_URI "^sips?:[^" NO_SPACE "]+$"
#define STATE_DESC "0 active, 1 inactive, 2 probing"

static const struct sql_table dispatcher = {
    .table = "dispatcher",
    .columns = COLUMNS(
        COL("id", COL_KEY, .description = "Row id (see dispatcher_db_list)"),
        COL("setid", COL_WRITABLE, .description = "Set the script selects from"),
        COL("destination", COL_WRITABLE | COL_REQUIRED, .pattern = SIP_URI,
            .description = "SIP URI, e.g. sip:10.0.0.5:5060"),
        COL("socket", COL_WRITABLE, .description = "Local socket"),
        COL("state", COL_WRITABLE, .ints = (const long long[]){0, 1, 2}, .nints = 3,
            .description = STATE_DESC),
        COL("probe_mode", COL_WRITABLE, .ints = (const long long[]){0, 1, 2}, .nints = 3,
            .description = "0 when inactive, 1 always, 2 never"),
        COL("probe_mode", COL_WRITABLE, .name = "flags", .ints = (const long long[]){0, 1, 2},
            .nints = 3, .description = "Old name of probe_mode"),
        COL("weight", COL_WRITABLE, .description = "Share, e.g. 10"),
        COL("priority", COL_WRITABLE, .description = "Higher first"),
        COL("attrs", COL_WRITABLE, .description = "Attributes"),
        COL("description", COL_WRITABLE, .description = "Free text."),
        COL("setid", COL_FILTER)),
    .reload = "dispatcher:reload",
};

static const struct sql_table dr_gateways = {
    .table = "dr_gateways",
    .columns = COLUMNS(
        COL("id", COL_KEY),
        COL("gwid", COL_WRITABLE, .min_len = 1, .pattern = "^[^,;=#" NO_SPACE "]+$",
            .description = "Name for rules' gwlist (default: the address)"),
        COL("address", COL_WRITABLE | COL_REQUIRED, .min_len = 1,
            .description = "host[:port] or SIP URI"),
        COL("type", COL_WRITABLE, .description = "Gateway type"),
        COL("strip", COL_WRITABLE, .description = "Digits to strip"),
        COL("pri_prefix", COL_WRITABLE, .description = "Prefix to add"),
        COL("attrs", COL_WRITABLE, .description = "Attributes"),
        COL("probe_mode", COL_WRITABLE, .ints = (const long long[]){0, 1, 2}, .nints = 3,
            .description = "0 never, 1 when disabled, 2 always"),
        COL("state", COL_WRITABLE, .ints = (const long long[]){0, 1, 2}, .nints = 3,
            .description = STATE_DESC),
        COL("socket", COL_WRITABLE, .description = "Local socket"),
        COL("description", COL_WRITABLE, .description = "Free text."),
        COL("type", COL_FILTER)),
    .reload = "drouting:reload",
};

static const struct sql_table dr_rules = {
    .table = "dr_rules",
    .columns = COLUMNS(
        COL("ruleid", COL_KEY, .description = "Rule id (see drouting_list_rules)"),
        CHECKED("groupid", COL_WRITABLE | COL_REQUIRED, SQL_CHECK_INT_LIST,
                .description = "Routing groups, e.g. \"1,2\""),
        COL("prefix", COL_WRITABLE | COL_REQUIRED, .pattern = "^[0-9+*#]*$",
            .description = "Number prefix; empty matches all"),
        CHECKED("gwlist", COL_WRITABLE | COL_REQUIRED, SQL_CHECK_GWLIST, .min_len = 1,
                .description = "gwids and #carrierids, ',' or ';'-separated"),
        COL("priority", COL_WRITABLE, .description = "Higher first"),
        COL("routeid", COL_WRITABLE, .description = "Script route"),
        COL("timerec", COL_WRITABLE, .description = "RFC 5545 time"),
        COL("sort_alg", COL_WRITABLE, .values = VALUES("N", "W", "Q", "O"),
            .description = "N none, W weight, Q quality, O order"),
        COL("sort_profile", COL_WRITABLE, .description = "qrouting profile"),
        COL("attrs", COL_WRITABLE, .description = "Attributes"),
        COL("description", COL_WRITABLE, .description = "Free text."),
        COL("prefix", COL_LIKE)),
    .reload = "drouting:reload",
};

static const struct sql_table dr_carriers = {
    .table = "dr_carriers",
    .columns = COLUMNS(
        COL("id", COL_KEY, .description = "Row id (see drouting_list_carriers)"),
        COL("carrierid", COL_WRITABLE | COL_REQUIRED, .min_len = 1, .pattern = "^[^,;=#" NO_SPACE "]+$",
            .description = "Carrier name (#name in rules' gwlist)"),
        CHECKED("gwlist", COL_WRITABLE | COL_REQUIRED, SQL_CHECK_GWIDS, .min_len = 1,
                .description = "Its gwids, ','-separated, =weight optional"),
        COL("flags", COL_WRITABLE, .description = "1 weight-based, 2 first only, 4 disabled"),
        COL("sort_alg", COL_WRITABLE, .values = VALUES("N", "W", "Q", "O"),
            .description = "N none, W weight, Q quality, O order"),
        COL("state", COL_WRITABLE, .ints = (const long long[]){0, 1}, .nints = 2,
            .description = "0 active, 1 inactive"),
        COL("attrs", COL_WRITABLE, .description = "Attributes"),
        COL("description", COL_WRITABLE, .description = "Free text.")),
    .reload = "drouting:reload",
};

static const struct sql_table dr_groups = {
    .table = "dr_groups",
    .columns = COLUMNS(
        COL("id", COL_KEY, .description = "Row id (drouting_list_groups)"),
        COL("username", COL_WRITABLE | COL_REQUIRED, .min_len = 1,
            .description = "Caller's user name"),
        COL("domain", COL_WRITABLE, .description = "Caller's domain"),
        COL("groupid", COL_WRITABLE | COL_REQUIRED, .description = "The caller's routing group"),
        COL("description", COL_WRITABLE, .description = "Free text."),
        COL("groupid", COL_FILTER)),
    .reload = "drouting:reload",
};

static const struct sql_table dialplan = {
    .table = "dialplan",
    .columns = COLUMNS(
        COL("id", COL_KEY, .description = "Row id (see dialplan_list_rules)"),
        COL("dpid", COL_WRITABLE | COL_REQUIRED, .description = "Dialplan id the script uses"),
        COL("pr", COL_WRITABLE, .description = "Priority: lower is tried first"),
        COL("match_op", COL_WRITABLE, .def = "1", .ints = (const long long[]){0, 1, 2},
            .nints = 3, .description = "0 equal, 1 regex, 2 fnmatch"),
        COL("match_exp", COL_WRITABLE | COL_REQUIRED, .min_len = 1,
            .description = "What to match"),
        COL("match_flags", COL_WRITABLE, .ints = (const long long[]){0, 1}, .nints = 2,
            .description = "1: case-insensitive"),
        COL("subst_exp", COL_WRITABLE | COL_REQUIRED, .description = "Regex to substitute"),
        COL("repl_exp", COL_WRITABLE | COL_REQUIRED, .description = "Replacement (\\1 refs)"),
        COL("timerec", COL_WRITABLE, .description = "RFC 5545 time"),
        COL("disabled", COL_WRITABLE, .ints = (const long long[]){0, 1}, .nints = 2,
            .description = "1: ignored"),
        COL("attrs", COL_WRITABLE, .description = "Attributes"),
        COL("dpid", COL_FILTER)),
    .reload = "dialplan:reload",
};

static const struct sql_table load_balancer = {
    .table = "load_balancer",
    .columns = COLUMNS(
        COL("id", COL_KEY, .description = "Row id (see lb_db_list)"),
        COL("group_id", COL_WRITABLE, .description = "Group the script selects from"),
        COL("dst_uri", COL_WRITABLE | COL_REQUIRED, .pattern = SIP_URI,
            .description = "SIP URI of the destination"),
        COL("resources", COL_WRITABLE | COL_REQUIRED, .min_len = 1,
            .pattern = "^[A-Za-z0-9_-]+=[0-9]+(;[A-Za-z0-9_-]+=[0-9]+)*$",
            .description = "Capacities, e.g. \"pstn=32;vm=10\""),
        COL("probe_mode", COL_WRITABLE, .ints = (const long long[]){0, 1, 2}, .nints = 3,
            .description = "0 never, 1 when disabled, 2 always"),
        COL("attrs", COL_WRITABLE, .description = "Attributes"),
        COL("description", COL_WRITABLE, .description = "Free text."),
        COL("group_id", COL_FILTER)),
    .reload = "load_balancer:reload",
};

/* drouting_add_gateway: a gateway without a gwid is named after its address. */
static json_t *add_gateway(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    json_t *values = json_deep_copy(args), *out;

    if (!json_object_get(values, "gwid")) {
        char gwid[65];
        size_t n = 0;
        for (const char *s = tool_str(args, "address", ""); *s && n < sizeof(gwid) - 1; s++)
            gwid[n++] = isalnum((unsigned char)*s) || *s == '.' || *s == '-' ? *s : '_';
        gwid[n] = '\0';
        json_object_set_new(values, "gwid", json_string(gwid));
    }
    out = sql_apply(x, (const json_t *const *)&values, 1, args, e);
    json_decref(values);
    return out;
}

static const struct tool_arg disabled_arg[] = ARGS(
    {.name = "disabled", .type = T_BOOLEAN,
     .description = "dr_rules has no such column: true is refused"});

/* drouting_add_rule: the Python server's disabled, which dr_rules cannot hold. */
static json_t *add_rule(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    if (json_is_true(json_object_get(args, "disabled")))
        return tool_fail(e, TOOL_E_BAD_ARGS, NULL, 0,
                         "dr_rules has no disabled column (OpenSIPS 3.6 and 4.0): a rule is "
                         "active once added. To keep it from matching, give it a groupid no "
                         "caller has, or add it later; nothing was changed");
    return sql_apply(x, &args, 1, args, e);
}

static const struct tool_arg gen_args[] = ARGS(
    {.name = "set_id", .type = T_INTEGER, .flags = ARG_REQUIRED, MINIMUM(0),
     MAXIMUM(2147483647), .description = "Dispatcher set (templates use 1)"},
    {.name = "destinations", .type = T_ARRAY, .flags = ARG_REQUIRED, .min_len = 1,
     .max_len = 64, .item = ITEM(.type = T_STRING, .pattern = SIP_URI, .max_len = 192),
     .description = "SIP URIs, one row each"},
    {.name = "dry_run", .type = T_BOOLEAN, .def = "true",
     .description = "true: only show the rows"},
    {.name = "socket", .type = T_STRING, .max_len = 128,
     .description = "Local socket for every row"});

/* gen_test_dispatcher: one row per destination, in one transaction (or only the plan). */
static json_t *gen_test_dispatcher(struct tool_ctx *x, const json_t *args, struct tool_error *e)
{
    const json_t *dests = json_object_get(args, "destinations");
    size_t n = json_array_size(dests), i;
    json_t *plan = json_array(), *rows[64], *out = NULL, *d;

    json_array_foreach(dests, i, d) {
        rows[i] = json_pack("{s:O,s:O,s:s,s:s}", "setid", json_object_get(args, "set_id"),
                            "destination", d, "weight", "1", "description", "test");
        if (json_object_get(args, "socket"))
            json_object_set(rows[i], "socket", json_object_get(args, "socket"));
        json_array_append(plan, rows[i]);
    }
    if (!json_is_false(json_object_get(args, "dry_run")))
        out = json_pack("{s:b,s:O,s:s}", "dry_run", 1, "rows", plan, "note",
                        "nothing was written: call again with dry_run false to add these");
    else if ((out = sql_apply(x, (const json_t *const *)rows, n, args, e)))
        json_object_set(out, "rows", plan);
    for (i = 0; i < n; i++)
        json_decref(rows[i]);
    json_decref(plan);
    return out;
}

static const struct tool_def db_routing_rows[] = {
    {.name = "dispatcher_db_list", .title = "List dispatcher rows",
     .description = "Lists the dispatcher table (dispatcher_list: what is loaded).",
     DB_READ(.sql = SQL(&dispatcher, SQL_LIST))},
    {.name = "dispatcher_add", .title = "Add a dispatcher destination",
     .description = "Adds a destination to a dispatcher set, then reloads dispatcher.",
     DB_WRITE(.sql = SQL(&dispatcher, SQL_ADD))},
    {.name = "dispatcher_update", .title = "Change a dispatcher row",
     .description = "Sets the given columns (as in dispatcher_add) of a row, then reloads dispatcher.",
     DB_WRITE(.flags = TOOL_F_IDEMPOTENT, .sql = SQL(&dispatcher, SQL_UPDATE))},
    {.name = "dispatcher_remove", .title = "Remove a dispatcher row",
     .description = "Deletes a dispatcher row by id, then reloads dispatcher.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&dispatcher, SQL_DELETE))},
    {.name = "gen_test_dispatcher", .title = "Seed a test dispatcher set",
     .description = "Plans (dry_run, the default) or adds a dispatcher row per destination, "
                    "all or none, then reloads.",
     DB_WRITE(.sql = SQL(&dispatcher, SQL_ADD, .own_args = true), .args = gen_args, .run = gen_test_dispatcher)},
    {.name = "drouting_list_gateways", .title = "List drouting gateways",
     .description = "Lists dr_gateways.", DB_READ(.sql = SQL(&dr_gateways, SQL_LIST))},
    {.name = "drouting_add_gateway", .title = "Add a drouting gateway",
     .description = "Adds a gateway to dr_gateways, then reloads drouting.",
     DB_WRITE(.sql = SQL(&dr_gateways, SQL_ADD), .run = add_gateway)},
    {.name = "drouting_update_gateway", .title = "Change a drouting gateway",
     .description = "Sets the given columns (as in drouting_add_gateway) of a gateway, then reloads.",
     DB_WRITE(.flags = TOOL_F_IDEMPOTENT,
              .sql = SQL(&dr_gateways, SQL_UPDATE, .keys = VALUES("gwid")))},
    {.name = "drouting_delete_gateway", .title = "Delete a drouting gateway",
     .description = "Deletes a gateway by gwid, then reloads drouting.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&dr_gateways, SQL_DELETE, .keys = VALUES("gwid")))},
    {.name = "drouting_list_rules", .title = "List drouting rules",
     .description = "Lists dr_rules.", DB_READ(.sql = SQL(&dr_rules, SQL_LIST))},
    {.name = "drouting_add_rule", .title = "Add a drouting rule",
     .description = "Adds a routing rule; its gateways and carriers must exist. Reloads "
                    "drouting.",
     DB_WRITE(.sql = SQL(&dr_rules, SQL_ADD), .args = disabled_arg, .run = add_rule)},
    {.name = "drouting_delete_rule", .title = "Delete a drouting rule",
     .description = "Deletes a rule by ruleid, then reloads drouting.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&dr_rules, SQL_DELETE))},
    {.name = "drouting_list_carriers", .title = "List drouting carriers",
     .description = "Lists dr_carriers.", DB_READ(.sql = SQL(&dr_carriers, SQL_LIST))},
    {.name = "drouting_add_carrier", .title = "Add a drouting carrier",
     .description = "Adds a carrier (its gateways must exist), then reloads drouting.",
     DB_WRITE(.sql = SQL(&dr_carriers, SQL_ADD))},
    {.name = "drouting_update_carrier", .title = "Change a drouting carrier",
     .description = "Sets the given columns (as in drouting_add_carrier), then reloads drouting.",
     DB_WRITE(.flags = TOOL_F_IDEMPOTENT, .sql = SQL(&dr_carriers, SQL_UPDATE))},
    {.name = "drouting_delete_carrier", .title = "Delete a drouting carrier",
     .description = "Deletes a carrier by id, then reloads drouting.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&dr_carriers, SQL_DELETE))},
    {.name = "drouting_list_groups", .title = "List drouting groups",
     .description = "Lists dr_groups: which routing group each caller is in.",
     DB_READ(.sql = SQL(&dr_groups, SQL_LIST))},
    {.name = "drouting_add_group", .title = "Put a caller in a group",
     .description = "Adds a dr_groups row, then reloads drouting.",
     DB_WRITE(.sql = SQL(&dr_groups, SQL_ADD))},
    {.name = "drouting_delete_group", .title = "Remove a caller's group",
     .description = "Deletes a dr_groups row by id, then reloads drouting.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&dr_groups, SQL_DELETE))},
    {.name = "dialplan_list_rules", .title = "List dialplan rules",
     .description = "Lists the dialplan table.", DB_READ(.sql = SQL(&dialplan, SQL_LIST))},
    {.name = "dialplan_add_rule", .title = "Add a dialplan rule",
     .description = "Adds a translation rule, then reloads dialplan.",
     DB_WRITE(.sql = SQL(&dialplan, SQL_ADD))},
    {.name = "dialplan_update_rule", .title = "Change a dialplan rule",
     .description = "Sets the given columns (as in dialplan_add_rule) of a rule, then reloads.",
     DB_WRITE(.flags = TOOL_F_IDEMPOTENT, .sql = SQL(&dialplan, SQL_UPDATE))},
    {.name = "dialplan_delete_rule", .title = "Delete a dialplan rule",
     .description = "Deletes a rule by id, then reloads dialplan.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&dialplan, SQL_DELETE))},
    {.name = "lb_db_list", .title = "List load-balancer rows",
     .description = "Lists the load_balancer table (lb_list: what is loaded).",
     DB_READ(.sql = SQL(&load_balancer, SQL_LIST))},
    {.name = "lb_add", .title = "Add a load-balancer destination",
     .description = "Adds a destination, then reloads load_balancer.",
     DB_WRITE(.sql = SQL(&load_balancer, SQL_ADD))},
    {.name = "lb_delete", .title = "Delete a load-balancer destination",
     .description = "Deletes a destination by id, then reloads load_balancer.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&load_balancer, SQL_DELETE))},
};
ROW_TABLE(db_routing, db_routing_rows);
