/* db_security: who may send traffic and how much — permissions' address table, fraud_detection
 * rules and tls_mgm's TLS domains — as provisioned in the database. */
#include "tools/be_sql.h"
#include "tools/row.h"
#include "tools/tool.h"

static const struct sql_table address = {
    .table = "address",
    .columns = COLUMNS(
        COL("id", COL_KEY, .description = "Row id (see address_list)"),
        COL("grp", COL_WRITABLE, .description = "Group the script checks"),
        COL("ip", COL_WRITABLE | COL_REQUIRED, .min_len = 1, .pattern = "^[0-9A-Fa-f.:]+$",
            .description = "IPv4 or IPv6 address"),
        COL("mask", COL_WRITABLE, MINIMUM(0), MAXIMUM(128),
            .description = "Prefix length"),
        COL("port", COL_WRITABLE, MINIMUM(0), MAXIMUM(65535),
            .description = "0: any port"),
        COL("proto", COL_WRITABLE, .values = VALUES("any", "udp", "tcp", "tls", "sctp", "ws", "wss"),
            .description = "Transport: any or one"),
        COL("pattern", COL_WRITABLE, .description = "URI regex to match"),
        COL("context_info", COL_WRITABLE, .description = "Text for the script"),
        COL("grp", COL_FILTER),
        COL("ip", COL_LIKE)),
    .reload = "permissions:address_reload",
};

#define HOUR "^([01][0-9]|2[0-3]):[0-5][0-9]$"

static const struct sql_table fraud = {
    .table = "fraud_detection",
    .columns = COLUMNS(
        COL("ruleid", COL_KEY, .description = "Rule id (see fraud_list_rules)"),
        COL("profileid", COL_WRITABLE | COL_REQUIRED, .description = "Profile the script checks"),
        COL("prefix", COL_WRITABLE, .def = "\"\"", .pattern = "^[0-9+*#]*$",
            .description = "Number prefix; empty matches all"),
        COL("start_hour", COL_WRITABLE, .pattern = HOUR, .description = "From HH:MM"),
        COL("end_hour", COL_WRITABLE, .pattern = HOUR, .description = "Until HH:MM"),
        COL("daysoftheweek", COL_WRITABLE, .name = "daysofweek",
            .pattern = "^((Mon|Tue|Wed|Thu|Fri|Sat|Sun)[-,]?)+$",
            .description = "Days, e.g. Mon-Fri,Sun (column daysoftheweek)"),
        COL("cpm_warning", COL_WRITABLE, .description = "Warn level"),
        COL("cpm_critical", COL_WRITABLE, .description = "Critical level"),
        COL("call_duration_warning", COL_WRITABLE, .description = "Warn level"),
        COL("call_duration_critical", COL_WRITABLE, .description = "Critical level"),
        COL("total_calls_warning", COL_WRITABLE, .description = "Warn level"),
        COL("total_calls_critical", COL_WRITABLE, .description = "Critical level"),
        COL("concurrent_calls_warning", COL_WRITABLE, .description = "Warn level"),
        COL("concurrent_calls_critical", COL_WRITABLE, .description = "Critical level"),
        COL("sequential_calls_warning", COL_WRITABLE, .description = "Warn level"),
        COL("sequential_calls_critical", COL_WRITABLE, .description = "Critical level"),
        COL("profileid", COL_FILTER)),
    .reload = "fraud_detection:reload",
};

static const struct sql_table tls = {
    .table = "tls_mgm",
    .columns = COLUMNS(
        COL("id", COL_KEY),
        COL("domain", COL_WRITABLE | COL_REQUIRED, .min_len = 1,
            .description = "TLS domain name"),
        COL("type", COL_WRITABLE, .ints = (const long long[]){1, 2}, .nints = 2,
            .description = "1 server, 2 client"),
        COL("match_ip_address", COL_WRITABLE, .description = "Sockets, e.g. *"),
        COL("match_sip_domain", COL_WRITABLE, .description = "Domains, e.g. *"),
        COL("method", COL_WRITABLE, .description = "TLS method"),
        COL("verify_cert", COL_WRITABLE, .ints = (const long long[]){0, 1}, .nints = 2,
            .description = "1: verify the peer"),
        COL("require_cert", COL_WRITABLE, .ints = (const long long[]){0, 1}, .nints = 2,
            .description = "1: the peer must send one"),
        COL("certificate", COL_WRITABLE, .description = "PEM certificate"),
        COL("private_key", COL_WRITABLE | COL_SECRET, .description = "PEM; never read back"),
        COL("ca_list", COL_WRITABLE, .description = "PEM CA list"),
        COL("cipher_list", COL_WRITABLE, .description = "OpenSSL ciphers"),
        COL("domain", COL_FILTER)),
    .manual = "committed; tls_mgm keeps its domains until tls_reload (guarded: it can crash a "
              "node with proto_tls loaded) or a restart",
};

static const struct tool_def db_security_rows[] = {
    {.name = "address_list", .title = "List permission addresses",
     .description = "Lists permissions' address table.", DB_READ(.sql = SQL(&address, SQL_LIST))},
    {.name = "address_add", .title = "Allow an address",
     .description = "Adds an address (or subnet) to a permissions group, then reloads it. "
                    "PostgreSQL's schema holds grp and port up to 32767 only.",
     DB_WRITE(.sql = SQL(&address, SQL_ADD))},
    {.name = "address_remove", .title = "Remove an address",
     .description = "Deletes an address row by id, then reloads permissions.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, .sql = SQL(&address, SQL_DELETE))},
    {.name = "fraud_list_rules", .title = "List fraud rules",
     .description = "Lists fraud_detection rules.", DB_READ(.sql = SQL(&fraud, SQL_LIST))},
    {.name = "fraud_add_rule", .title = "Add a fraud rule",
     .description = "Adds a fraud_detection rule, then reloads. Thresholds *_warning and *_critical: cpm (calls a minute), call_duration (s), total_calls, concurrent_calls, sequential_calls; 0 is off.",
     DB_WRITE(.sql = SQL(&fraud, SQL_ADD))},
    {.name = "fraud_update_rule", .title = "Change a fraud rule",
     .description = "Sets the given columns (as in fraud_add_rule) of a rule, then reloads.",
     DB_WRITE(.flags = TOOL_F_IDEMPOTENT, .sql = SQL(&fraud, SQL_UPDATE))},
    {.name = "fraud_delete_rule", .title = "Delete a fraud rule",
     .description = "Deletes a rule by ruleid, then reloads fraud_detection.",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT, .sql = SQL(&fraud, SQL_DELETE))},
    {.name = "tls_list", .title = "List TLS domains",
     .description = "Lists tls_mgm's domains, never private keys.",
     DB_READ(.sql = SQL(&tls, SQL_LIST))},
    {.name = "tls_add", .title = "Add a TLS domain",
     .description = "Adds a tls_mgm domain; it takes effect at tls_reload or a restart.",
     DB_WRITE(.sql = SQL(&tls, SQL_ADD))},
    {.name = "tls_delete", .title = "Delete a TLS domain",
     .description = "Deletes a tls_mgm domain by name (its server and client rows).",
     DB_WRITE(.flags = TOOL_F_DESTRUCTIVE | TOOL_F_IDEMPOTENT,
              .sql = SQL(&tls, SQL_DELETE, .keys = VALUES("domain")))},
};
ROW_TABLE(db_security, db_security_rows);
