/* mi/error: the MI client's error table and detail helpers. */
#include "mi/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct mi_err_row {
    enum mi_err err;
    const char *name;
    const char *text;
    bool retryable;
} mi_err_rows[] = {
    {MI_OK, "ok", "success", false},
    {MI_ERR_UNREACHABLE, "mi_unreachable", "MI node unreachable", true},
    {MI_ERR_TIMEOUT, "mi_timeout", "MI call timed out", true},
    {MI_ERR_MI, "mi_error", "MI command failed", false},
    {MI_ERR_HTTP_STATUS, "mi_http_status", "MI node answered an HTTP error status", false},
    {MI_ERR_SERVER, "mi_server_error", "MI node answered an internal error", true},
    {MI_ERR_GARBAGE, "mi_garbage", "MI reply is not a JSON-RPC response", false},
    {MI_ERR_TOO_LARGE, "mi_too_large", "MI reply too large", false},
    {MI_ERR_REQUEST_TOO_LARGE, "mi_request_too_large", "MI request too large for the transport",
     false},
    {MI_ERR_UNKNOWN_COMMAND, "mi_unknown_command", "unknown MI command", false},
    {MI_ERR_BAD_PARAMS, "mi_bad_params", "invalid MI parameters", false},
    {MI_ERR_BAD_ADDRESS, "mi_bad_address", "invalid MI address", false},
    {MI_ERR_UNKNOWN_NODE, "mi_unknown_node", "unknown MI node", false},
    {MI_ERR_CONFIG, "mi_config", "invalid MI setting", false},
    {MI_ERR_SYSTEM, "mi_system", "local system error during MI call", false},
    {MI_ERR_CANCELLED, "mi_cancelled", "MI call cancelled", false},
};
_Static_assert(sizeof mi_err_rows / sizeof mi_err_rows[0] == MI_ERR_COUNT,
               "one row per enum mi_err");

const char *mi_err_name(enum mi_err e)
{
    return (unsigned)e < MI_ERR_COUNT ? mi_err_rows[e].name : "unknown";
}

const char *mi_err_str(enum mi_err e)
{
    return (unsigned)e < MI_ERR_COUNT ? mi_err_rows[e].text : "unknown error";
}

bool mi_err_retryable(enum mi_err e, int code)
{
    if (e == MI_ERR_HTTP_STATUS)
        return code >= 500 && code <= 599;
    return (unsigned)e < MI_ERR_COUNT && mi_err_rows[e].retryable;
}

void mi_error_clear(struct mi_error *e)
{
    if (!e)
        return;
    e->err = MI_OK;
    e->code = 0;
    e->message[0] = '\0';
    e->text[0] = '\0';
}

enum mi_err mi_error_set(struct mi_error *e, enum mi_err err, int code, const char *fmt, ...)
{
    if (!e)
        return err;
    e->err = err;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    snprintf(e->text, sizeof e->text, "%s: %s", mi_err_str(err), e->message);
    return err;
}
