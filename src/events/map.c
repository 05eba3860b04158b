/* events/map: event datagrams parsed. */
#include "events/map.h"

#include <stdio.h>
#include <string.h>

#include "jsonload.h"

static int is_event_name(const char *s)
{
    size_t n = strlen(s);

    if (n < 3 || n >= sizeof(((struct event_msg *)0)->name) || strncmp(s, "E_", 2))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

int event_parse(const char *buf, size_t len, struct event_msg *m, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root, *method, *params;

    memset(m, 0, sizeof(*m));
    if (!(root = jsonload_bytes(buf, len, JSON_REJECT_DUPLICATES, &je))) {
        snprintf(err, errlen, "not JSON: %s", je.text);
        return -1;
    }
    method = json_object_get(root, "method");
    params = json_object_get(root, "params");
    if (!json_is_object(root) || json_object_get(root, "id") || !json_is_string(method)) {
        snprintf(err, errlen, "not a JSON-RPC notification with a method");
    } else if (!is_event_name(json_string_value(method))) {
        snprintf(err, errlen, "method '%.64s' is not an event name", json_string_value(method));
    } else if (params && !json_is_object(params)) {
        snprintf(err, errlen, "params of %s are not an object", json_string_value(method));
    } else {
        snprintf(m->name, sizeof(m->name), "%s", json_string_value(method));
        m->params = params ? json_incref(params) : json_object();
        json_decref(root);
        return m->params ? 0 : (snprintf(err, errlen, "out of memory"), -1);
    }
    json_decref(root);
    return -1;
}

void event_msg_release(struct event_msg *m)
{
    json_decref(m->params);
    m->params = NULL;
}
