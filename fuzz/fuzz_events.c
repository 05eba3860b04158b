/* fuzz_events: feed arbitrary bytes to the event datagram parser and map each event it accepts
 * to resource URIs, then decode every URI's last segment back; any crash, leak or undefined
 * behaviour is a finding. */
#include <stdint.h>
#include <string.h>

#include "events/map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const char *uri, void *ctx)
{
    char out[EVENT_URI_MAX];
    const char *last = strrchr(uri, '/');

    (void)ctx;
    (void)event_uri_decode(last ? last + 1 : uri, out, sizeof(out));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct event_msg m;
    char err[200];

    if (event_parse((const char *)data, size, &m, err, sizeof(err)) < 0)
        return 0;
    event_uris("fuzz node", &m, decode, NULL);
    event_msg_release(&m);
    return 0;
}
