/* Unit tests for starting a server: register_all fills the registry and builds it at once, so
 * that a malformed schema fails the start naming its tool; every toolset starts; the protocol
 * revision list is the one both transports use. */
#include "check.h"
#include "log.h"
#include "mcp/server.h"
#include "register.h"
#include "settings.h"
#include "tools/backends.h"

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

/* registry_build, which register_all ends with, fails on a malformed schema naming the tool. */
static void expect_build_fails(const struct mcp_tool *rows, const char *name, const char *why)
{
    struct registry reg;
    char err[256] = "";

    registry_init(&reg);
    CHECK(registry_add_tools(&reg, good, 1) == 0);
    CHECK(registry_add_tools(&reg, rows, 1) == 0);
    CHECK(registry_build(&reg, err, sizeof(err)) < 0);
    CHECK_CONTAINS(err, name);
    if (why)
        CHECK_CONTAINS(err, why);
    registry_release(&reg);
}

static void test_malformed_row_fails_start(void)
{
    struct registry reg;
    char err[256] = "";

    expect_build_fails(bad_json, "tool 'bad_json_row'", "its schema cannot be built");
    expect_build_fails(bad_type, "tool 'bad_type_row'", "unknown type 'integr'");
    expect_build_fails(bad_output, "tool 'bad_output_row'", NULL);
    registry_init(&reg);
    CHECK(registry_add_tools(&reg, good, 1) == 0);
    CHECK(registry_build(&reg, err, sizeof(err)) == 0);
    registry_release(&reg);
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
    static const struct tool_backends no_backends = {0};
    srv = mcp_server_new(&st, err, sizeof(err));
    CHECK(srv != NULL);
    CHECK(srv && register_all(mcp_server_registry(srv), &no_backends, &st, err, sizeof(err)) == 0);
    if (err[0])
        fprintf(stderr, "register_all: %s\n", err);
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
    test_malformed_row_fails_start();
    test_every_toolset_starts();
    test_protocol_versions();
    settings_release(&st);
    return check_done("server_start");
}
