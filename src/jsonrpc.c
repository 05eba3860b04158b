/* jsonrpc: parse, validate and build JSON-RPC 2.0 messages (jsonrpc.org/specification §4, §5). */
#include "jsonrpc.h"

#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonload.h"

static enum jsonrpc_kind invalid(struct jsonrpc_msg *msg, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum jsonrpc_kind invalid(struct jsonrpc_msg *msg, int code, const char *fmt, ...)
{
    va_list ap;

    msg->kind = JSONRPC_INVALID;
    msg->code = code;
    va_start(ap, fmt);
    vsnprintf(msg->message, sizeof(msg->message), fmt, ap);
    va_end(ap);
    return msg->kind;
}

static int id_is_valid(const json_t *id)
{
    return json_is_string(id) || json_is_integer(id);
}

/*
 * A message nested deeper than JSONLOAD_DEPTH_MAX is never parsed as it is. Its shallow members
 * are read from a copy with the deep values cut off, so that a request is answered with its own
 * id (-32602: what is too deep is the data it carries, its envelope is readable), a response
 * reaches the call that waits for it as an error, and anything else gets -32600 with id null.
 */
static enum jsonrpc_kind too_deep(const char *buf, size_t len, struct jsonrpc_msg *msg)
{
    size_t flen;
    char *flat = jsonload_flatten(buf, len, JSONLOAD_DEPTH_MAX, &flen);
    json_t *root = flat ? json_loadb(flat, flen, JSON_DECODE_ANY, NULL) : NULL;
    json_t *id = json_object_get(root, "id"), *method = json_object_get(root, "method");
    bool id_ok = id_is_valid(id);
    char text[96];

    free(flat);
    if (json_is_object(root) && !method &&
        (json_object_get(root, "result") || json_object_get(root, "error"))) {
        json_object_del(root, "result");
        snprintf(text, sizeof(text), "response nested deeper than %d levels of arrays and "
                 "objects", JSONLOAD_DEPTH_MAX);
        json_object_set_new(root, "error", json_pack("{s:i, s:s}", "code",
                                                     JSONRPC_INVALID_REQUEST, "message", text));
        msg->root = root;
        msg->kind = JSONRPC_RESPONSE;
        msg->id = id_ok ? id : NULL;
        msg->error = json_object_get(root, "error");
        return msg->kind;
    }
    if (json_is_object(root) && id_ok && json_is_string(method)) {
        msg->root = root;
        msg->id = id;
        msg->method = json_string_value(method);
        return invalid(msg, JSONRPC_INVALID_PARAMS,
                       "Invalid params: the message is nested deeper than %d levels of arrays "
                       "and objects; send flatter arguments", JSONLOAD_DEPTH_MAX);
    }
    json_decref(root);
    return invalid(msg, JSONRPC_INVALID_REQUEST,
                   "Invalid Request: the message is nested deeper than %d levels of arrays and "
                   "objects", JSONLOAD_DEPTH_MAX);
}

enum jsonrpc_kind jsonrpc_parse(const char *buf, size_t len, struct jsonrpc_msg *msg)
{
    json_error_t jerr;
    json_t *root, *version, *method, *id;

    memset(msg, 0, sizeof(*msg));
    if (jsonload_too_deep_at(buf, len, JSONLOAD_DEPTH_MAX) < len)
        return too_deep(buf, len, msg);
    root = json_loadb(buf, len, JSON_DECODE_ANY, &jerr);
    if (!root)
        return invalid(msg, JSONRPC_PARSE_ERROR, "Parse error: %s (at byte %d)", jerr.text,
                       jerr.position);
    msg->root = root;
    if (json_is_array(root))
        return invalid(msg, JSONRPC_INVALID_REQUEST,
                       "Invalid Request: batch arrays are not supported (MCP removed JSON-RPC "
                       "batching in 2025-06-18); send one message per line");
    if (!json_is_object(root))
        return invalid(msg, JSONRPC_INVALID_REQUEST,
                       "Invalid Request: a message must be a JSON object");

    id = json_object_get(root, "id");
    method = json_object_get(root, "method");
    version = json_object_get(root, "jsonrpc");

    /* A response to one of our requests: never answered, even when malformed, so that two
     * peers cannot bounce errors at each other. id null is legal for a parse-error reply. */
    if (!method && (json_object_get(root, "result") || json_object_get(root, "error"))) {
        msg->kind = JSONRPC_RESPONSE;
        msg->id = id_is_valid(id) ? id : NULL;
        msg->result = json_object_get(root, "result");
        msg->error = json_object_get(root, "error");
        return msg->kind;
    }

    if (id && !id_is_valid(id))
        return invalid(msg, JSONRPC_INVALID_REQUEST,
                       "Invalid Request: id must be a string or an integer, not %s",
                       json_is_null(id) ? "null" : json_is_object(id) ? "an object"
                       : json_is_array(id) ? "an array" : json_is_boolean(id) ? "a boolean"
                       : "a fraction");
    msg->id = id;
    if (!json_is_string(version) || strcmp(json_string_value(version), "2.0"))
        return invalid(msg, JSONRPC_INVALID_REQUEST,
                       "Invalid Request: member \"jsonrpc\" must be the string \"2.0\"");
    if (!method)
        return invalid(msg, JSONRPC_INVALID_REQUEST, "Invalid Request: member \"method\" is missing");
    if (!json_is_string(method))
        return invalid(msg, JSONRPC_INVALID_REQUEST,
                       "Invalid Request: member \"method\" must be a string");
    msg->method = json_string_value(method);
    msg->params = json_object_get(root, "params");
    if (msg->params && !json_is_object(msg->params) && !json_is_array(msg->params))
        return invalid(msg, JSONRPC_INVALID_REQUEST,
                       "Invalid Request: member \"params\" must be an object");
    msg->kind = id ? JSONRPC_REQUEST : JSONRPC_NOTIFICATION;
    return msg->kind;
}

void jsonrpc_msg_release(struct jsonrpc_msg *msg)
{
    json_decref(msg->root);
    memset(msg, 0, sizeof(*msg));
}

static json_t *envelope(json_t *id)
{
    json_t *m = json_object();

    if (!m)
        return NULL;
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "id", id ? json_deep_copy(id) : json_null());
    return m;
}

json_t *jsonrpc_result_new(json_t *id, json_t *result)
{
    json_t *m = envelope(id);

    if (!m || json_object_set_new(m, "result", result ? result : json_object()) < 0) {
        json_decref(m);
        return NULL;
    }
    return m;
}

json_t *jsonrpc_error_new(json_t *id, int code, const char *message, json_t *data)
{
    json_t *m = envelope(id), *err = json_object();

    if (!m || !err) {
        json_decref(m);
        json_decref(err);
        json_decref(data);
        return NULL;
    }
    json_object_set_new(err, "code", json_integer(code));
    json_object_set_new(err, "message", json_string(message));
    if (data)
        json_object_set_new(err, "data", data);
    json_object_set_new(m, "error", err);
    return m;
}

json_t *jsonrpc_request_new(json_t *id, const char *method, json_t *params)
{
    json_t *m = envelope(id);

    if (!m) {
        json_decref(params);
        return NULL;
    }
    json_object_set_new(m, "method", json_string(method));
    if (params)
        json_object_set_new(m, "params", params);
    return m;
}

json_t *jsonrpc_notification_new(const char *method, json_t *params)
{
    json_t *m = json_object();

    if (!m) {
        json_decref(params);
        return NULL;
    }
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "method", json_string(method));
    if (params)
        json_object_set_new(m, "params", params);
    return m;
}

char *jsonrpc_dump(const json_t *msg)
{
    return json_dumps(msg, JSON_COMPACT);
}
