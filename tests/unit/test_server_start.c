/* Unit tests for starting a server: mcp_server_new fills the registry through the caller's
 * function and builds it at once, so that a malformed row fails the start naming its tool;
 * every toolset starts; the protocol revision list is the one both transports use. */
#include "check.h"
#include "log.h"
#include "mcp/server.h"
#include "register.h"
#include "settings.h"

static const struct mcp_tool bad_json[] = {
    {.name = "bad_json_row", .description = "An input schema that is not JSON.",
     .input_schema = "{\"type\":\"object\",\"properties\":{\"x\":{\"minimum\":}}}",
     .flags = TOOL_F_READONLY},
};
static const struct mcp_tool bad_type[] = {
    {.name = "bad_type_row", .description = "An input schema with a type that does not exist.",
     .input_schema = "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integr\"}}}",
     .flags = TOOL_F_READONLY},
};
static const struct mcp_tool bad_output[] = {
    {.name = "bad_output_row", .description = "A good input schema, a broken output schema.",
     .output_schema = "{\"type\":", .flags = TOOL_F_READONLY},
};
static const struct mcp_tool good[] = {
    {.name = "good_row", .description = "Takes no arguments.", .flags = TOOL_F_READONLY},
};

static int add_bad_json(struct registry *reg, const struct settings *s, char *err, size_t n)
{
    (void)s, (void)err, (void)n;
    return registry_add_tools(reg, good, 1) < 0 ? -1 : registry_add_tools(reg, bad_json, 1);
}

static int add_bad_type(struct registry *reg, const struct settings *s, char *err, size_t n)
{
    (void)s, (void)err, (void)n;
    return registry_add_tools(reg, bad_type, 1);
}

static int add_bad_output(struct registry *reg, const struct settings *s, char *err, size_t n)
{
    (void)s, (void)err, (void)n;
    return registry_add_tools(reg, bad_output, 1);
}

static int add_good(struct registry *reg, const struct settings *s, char *err, size_t n)
{
    (void)s, (void)err, (void)n;
    return registry_add_tools(reg, good, 1);
}

static int add_refuses(struct registry *reg, const struct settings *s, char *err, size_t n)
{
    (void)reg, (void)s;
    snprintf(err, n, "unknown toolset 'nope'");
    return -1;
}

/* A malformed row fails mcp_server_new itself, before anything is served, naming the tool. */
static void test_malformed_row_fails_start(const struct settings *st)
{
    char err[256] = "";
    struct mcp_server *srv;

    CHECK((srv = mcp_server_new(st, add_bad_json, err, sizeof(err))) == NULL);
    mcp_server_free(srv);
    CHECK_CONTAINS(err, "tool 'bad_json_row'");
    CHECK_CONTAINS(err, "not valid JSON");

    err[0] = '\0';
    CHECK((srv = mcp_server_new(st, add_bad_type, err, sizeof(err))) == NULL);
    mcp_server_free(srv);
    CHECK_CONTAINS(err, "tool 'bad_type_row'");
    CHECK_CONTAINS(err, "unknown type 'integr'");

    err[0] = '\0';
    CHECK((srv = mcp_server_new(st, add_bad_output, err, sizeof(err))) == NULL);
    mcp_server_free(srv);
    CHECK_CONTAINS(err, "tool 'bad_output_row'");

    /* The register function's own refusal passes through unchanged. */
    err[0] = '\0';
    CHECK((srv = mcp_server_new(st, add_refuses, err, sizeof(err))) == NULL);
    mcp_server_free(srv);
    CHECK_STR(err, "unknown toolset 'nope'");

    CHECK((srv = mcp_server_new(st, add_good, err, sizeof(err))) != NULL);
    CHECK(mcp_server_registry(srv)->ntools == 1);
    mcp_server_free(srv);
    CHECK((srv = mcp_server_new(st, NULL, err, sizeof(err))) != NULL);
    CHECK(mcp_server_registry(srv)->ntools == 0);
    mcp_server_free(srv);
}

/* Every toolset, and the fixtures, register and build at start. */
static void test_every_toolset_starts(void)
{
    char *argv[] = {"t", "--toolsets", "all", "--conformance-fixtures", "--log-level", "critical",
                    NULL};
    struct settings st;
    char err[256] = "";
    struct mcp_server *srv;

    CHECK(settings_load(&st, 6, argv, err, sizeof(err)) == SETTINGS_OK);
    srv = mcp_server_new(&st, mcp_register_all, err, sizeof(err));
    CHECK(srv != NULL);
    if (!srv)
        fprintf(stderr, "mcp_server_new: %s\n", err);
    CHECK(srv && mcp_server_registry(srv)->ntools > 70);
    CHECK(srv && registry_tool(mcp_server_registry(srv), "test_simple_text", NULL) != NULL);
    mcp_server_free(srv);
    settings_release(&st);
}

static void test_protocol_versions(void)
{
    CHECK(mcp_protocol_supported("2025-11-25", 10));
    CHECK(mcp_protocol_supported("2025-06-18", 10));
    CHECK(mcp_protocol_supported("2025-03-26", 10));
    CHECK(mcp_protocol_supported("2024-11-05", 10));
    CHECK(!mcp_protocol_supported("2024-11-0", 9));
    CHECK(!mcp_protocol_supported("2024-11-055", 11));
    CHECK(!mcp_protocol_supported("2024-11-05\0x", 12)); /* a NUL does not cut the value short */
    CHECK(!mcp_protocol_supported("", 0));
    CHECK(!mcp_protocol_supported("2026-07-28", 10));
}

int main(void)
{
    char *argv[] = {"t", "--log-level", "critical", NULL};
    struct settings st;
    char err[256];

    CHECK(settings_load(&st, 3, argv, err, sizeof(err)) == SETTINGS_OK);
    log_set_threshold(st.log_level);
    test_malformed_row_fails_start(&st);
    test_every_toolset_starts();
    test_protocol_versions();
    settings_release(&st);
    return check_done("server_start");
}
