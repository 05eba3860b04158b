/* rpc: one MI request (JSON-RPC 2.0 as OpenSIPS's MI core reads it) in, one outcome out. */
#ifndef SIM_RPC_H
#define SIM_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include "faults.h"

enum rpc_outcome {
    RPC_REPLY,        /* body holds the JSON-RPC reply */
    RPC_NOTIFY,       /* a notification: the command ran (if it exists), nothing to send */
    RPC_PARSE_ERROR,  /* not JSON: body holds the -32700 reply (http); datagram "400 Parse_error" */
    RPC_BAD_ID,       /* id is an object or boolean: http 500 never-ending; "500 Internal error" */
    RPC_EMPTY,        /* empty request: http 400 never-ending; datagram: no reply */
    RPC_CRASH,        /* OpenSIPS died on this request in the recordings: close, no reply */
};

struct rpc_result {
    enum rpc_outcome outcome;
    char *body;       /* owned, NUL-terminated, may be NULL */
    size_t len;
    bool async;       /* the command is async (MI_ASYNC_RPL_FLAG) */
    unsigned delay_ms; /* recorded latency to reproduce before answering */
    bool has_fault;
    struct fault fault;
};

/* Handle one request from transport ("http", "fifo", "datagram"). Never fails: out of memory gives
 * a -32603-free "500 Internal error" style outcome (RPC_BAD_ID). Caller frees with rpc_result_release. */
void rpc_handle(const char *req, size_t len, const char *transport, struct rpc_result *res);
void rpc_result_release(struct rpc_result *res);

#endif
