/* fuzz_jsonrpc: feed arbitrary bytes, split into lines, to a fresh MCP session with every
 * fixture enabled; any crash, leak or undefined behaviour is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mcp/server.h"
#include "register.h"
#include "settings.h"

static void discard(struct mcp_out *out, const char *line, size_t len, bool final)
{
    (void)out, (void)line, (void)len, (void)final;
}

static struct mcp_out sink = {discard, NULL};
static struct settings settings;
static struct mcp_server *srv;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mcp_session *s;
    size_t start = 0;

    if (!srv) {
        char *argv[] = {"fuzz", "--conformance-fixtures", "--page-size", "3",
                        "--log-level", "emergency", "--client-timeout-ms", "100", NULL};
        char err[256];
        if (settings_load(&settings, 8, argv, err, sizeof(err)) != SETTINGS_OK)
            abort();
        log_set_threshold(settings.log_level);
        srv = mcp_server_new(&settings, mcp_register_all, err, sizeof(err));
        if (!srv)
            abort();
    }
    s = mcp_session_new(srv, &sink);
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            if (i > start)
                mcp_session_handle(s, (const char *)data + start, i - start, &sink);
            start = i + 1;
        }
    }
    mcp_session_drain(s, 0);
    mcp_session_close(s);
    return 0;
}
