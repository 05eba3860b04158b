/* events/map: event datagrams parsed, and the table of which resources each event changes. */
#include "events/map.h"

#include <stdio.h>
#include <string.h>

#include "jsonload.h"

const char *const event_names[EVENT_NAMES_COUNT + 1] = {
    "E_UL_AOR_INSERT",     "E_UL_AOR_DELETE",      "E_UL_CONTACT_INSERT",
    "E_UL_CONTACT_UPDATE", "E_UL_CONTACT_DELETE",  "E_DLG_STATE_CHANGED",
    "E_DISPATCHER_STATUS", "E_DROUTING_STATUS",    "E_PIKE_BLOCKED",
    "E_CORE_THRESHOLD",    "E_CORE_SHM_THRESHOLD", "E_CORE_PKG_THRESHOLD",
    NULL};
_Static_assert(sizeof(event_names) / sizeof(event_names[0]) == EVENT_NAMES_COUNT + 1,
               "EVENT_NAMES_COUNT counts event_names");

/* One resource an event changes: opensips://{node}/<path>[/{<param>}]. */
struct event_route {
    const char *event;
    const char *path;  /* after the node: "registrations" */
    const char *param; /* the event parameter that is the last segment, or NULL */
};

static const struct event_route routes[] = {
    {"E_UL_AOR_INSERT", "registrations", NULL},
    {"E_UL_AOR_INSERT", "registrations", "aor"},
    {"E_UL_AOR_DELETE", "registrations", NULL},
    {"E_UL_AOR_DELETE", "registrations", "aor"},
    {"E_UL_CONTACT_INSERT", "registrations", NULL},
    {"E_UL_CONTACT_INSERT", "registrations", "aor"},
    {"E_UL_CONTACT_UPDATE", "registrations", "aor"},
    {"E_UL_CONTACT_DELETE", "registrations", NULL},
    {"E_UL_CONTACT_DELETE", "registrations", "aor"},
    {"E_DLG_STATE_CHANGED", "dialogs", NULL},
    {"E_DLG_STATE_CHANGED", "dialogs", "callid"},
    {"E_DISPATCHER_STATUS", "dispatcher", NULL},
    {"E_DROUTING_STATUS", "drouting", NULL},
    {"E_PIKE_BLOCKED", "pike", NULL},
    {"E_CORE_THRESHOLD", "status", NULL},
    {"E_CORE_SHM_THRESHOLD", "status", NULL},
    {"E_CORE_PKG_THRESHOLD", "status", NULL},
};

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

int event_uri_encode(const char *s, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        if (o + (plain ? 1 : 3) >= n)
            return -1;
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    if (o >= n)
        return -1;
    out[o] = 0;
    return 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : -1;
}

int event_uri_decode(const char *s, char *out, size_t n)
{
    size_t o = 0;

    for (; *s; s++) {
        int c = (unsigned char)*s;
        if (c == '%') {
            int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
            if (lo < 0 || (c = hi * 16 + lo) == 0)
                return -1;
            s += 2;
        }
        if (o + 1 >= n)
            return -1;
        out[o++] = (char)c;
    }
    if (!n)
        return -1;
    out[o] = 0;
    return 0;
}

size_t event_uris(const char *node, const struct event_msg *m, event_uri_fn fn, void *ctx)
{
    char enode[128], evar[EVENT_URI_MAX], uri[EVENT_URI_MAX];
    size_t count = 0;

    if (event_uri_encode(node, enode, sizeof(enode)) < 0)
        return 0;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct event_route *r = &routes[i];
        int w;
        if (strcmp(r->event, m->name))
            continue;
        if (r->param) {
            const char *v = json_string_value(json_object_get(m->params, r->param));
            if (!v || !*v || event_uri_encode(v, evar, sizeof(evar)) < 0)
                continue;
            w = snprintf(uri, sizeof(uri), "opensips://%s/%s/%s", enode, r->path, evar);
        } else {
            w = snprintf(uri, sizeof(uri), "opensips://%s/%s", enode, r->path);
        }
        if (w < 0 || (size_t)w >= sizeof(uri))
            continue;
        fn(uri, ctx);
        count++;
    }
    return count;
}
