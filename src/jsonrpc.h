/* jsonrpc: JSON-RPC 2.0 messages as MCP uses them — parse and classify one message, build replies. */
#ifndef JSONRPC_H
#define JSONRPC_H

#include <jansson.h>
#include <stddef.h>

/* JSON-RPC 2.0 §5.1 codes, and MCP's own (2025-11-25 schema.ts). */
enum {
    JSONRPC_PARSE_ERROR = -32700,
    JSONRPC_INVALID_REQUEST = -32600,
    JSONRPC_METHOD_NOT_FOUND = -32601,
    JSONRPC_INVALID_PARAMS = -32602,
    JSONRPC_INTERNAL_ERROR = -32603,
    MCP_RESOURCE_NOT_FOUND = -32002,
};

enum jsonrpc_kind {
    JSONRPC_REQUEST,      /* method + id: must be answered */
    JSONRPC_NOTIFICATION, /* method, no id: never answered */
    JSONRPC_RESPONSE,     /* result or error for a request we sent: never answered */
    JSONRPC_INVALID,      /* answer with `code`/`message` and `id` (JSON null when unreadable) */
};

struct jsonrpc_msg {
    enum jsonrpc_kind kind;
    json_t *root;       /* owned: the parsed message, NULL when unparsable */
    json_t *id;         /* borrowed from root; NULL means "null" in a reply */
    const char *method; /* borrowed from root */
    json_t *params;     /* borrowed; NULL when absent */
    json_t *result;     /* borrowed; responses */
    json_t *error;      /* borrowed; responses */
    int code;           /* JSONRPC_INVALID: the error to answer */
    char message[320];
};

/* Parse and classify one message of `len` bytes. Always fills *msg; release it with
 * jsonrpc_msg_release(). Batches (JSON arrays) are refused: MCP 2025-06-18 removed them.
 * A message nested deeper than JSONLOAD_DEPTH_MAX (jsonload.h) is never parsed whole: a request
 * is JSONRPC_INVALID with -32602 and its id (and method), a response becomes one carrying an
 * error (code -32600) in place of its result, anything else is -32600 with id null. */
enum jsonrpc_kind jsonrpc_parse(const char *buf, size_t len, struct jsonrpc_msg *msg);
void jsonrpc_msg_release(struct jsonrpc_msg *msg);

/* Builders. `id` is borrowed (copied); NULL id means JSON null. `result`/`data`/`params`
 * are stolen (may be NULL). Each returns a new message object. */
json_t *jsonrpc_result_new(json_t *id, json_t *result);
json_t *jsonrpc_error_new(json_t *id, int code, const char *message, json_t *data);
json_t *jsonrpc_request_new(json_t *id, const char *method, json_t *params);
json_t *jsonrpc_notification_new(const char *method, json_t *params);

/* Compact one-line serialisation (no raw newlines: jansson escapes them). Caller frees. */
char *jsonrpc_dump(const json_t *msg);

#endif
