/* fuzz_events: feed arbitrary bytes to the event datagram parser, map each event it accepts to
 * resource URIs through the resource rows, canonicalise each URI as a subscription is, and
 * decode its last segment back as a read does; any crash, leak or undefined behaviour is a
 * finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events/map.h"
#include "mcp/registry.h"
#include "resources/resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const char *uri, void *ctx)
{
    char canon[RESOURCE_URI_MAX];
    const char *last = strrchr(uri, '/');

    (void)ctx;
    (void)uri_canon(uri, canon, sizeof(canon));
    free(resources_decode(last ? last + 1 : uri));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct event_msg m;
    char err[200];

    if (event_parse((const char *)data, size, &m, err, sizeof(err)) < 0)
        return 0;
    resources_event_each("fuzz node", m.name, m.params, decode, NULL);
    event_msg_release(&m);
    return 0;
}
