/* error: the tool layer's error kinds as one table. */
#include "tools/error.h"

#include <stdio.h>

static const struct {
    const char *name, *text;
} kinds[TOOL_E_COUNT] = {
    [TOOL_OK] = {"ok", "no error"},
    [TOOL_E_UNREACHABLE] = {"unreachable", "the backend cannot be reached"},
    [TOOL_E_TIMEOUT] = {"timeout", "no answer before the deadline"},
    [TOOL_E_CANCELLED] = {"cancelled", "the request was cancelled"},
    [TOOL_E_REFUSED] = {"refused", "the backend answered with an error"},
    [TOOL_E_UNSUPPORTED] = {"unsupported", "the backend does not offer it"},
    [TOOL_E_BAD_ARGS] = {"bad_args", "the backend cannot take these arguments"},
    [TOOL_E_NOT_FOUND] = {"not_found", "nothing by that name"},
    [TOOL_E_GARBAGE] = {"garbage", "an answer that cannot be read"},
    [TOOL_E_TOO_LARGE] = {"too_large", "over a size limit"},
    [TOOL_E_CONFIG] = {"config", "a setting is wrong"},
    [TOOL_E_SYSTEM] = {"system", "a local failure"},
};

const char *tool_err_name(enum tool_err kind)
{
    return (unsigned)kind < TOOL_E_COUNT ? kinds[kind].name : "unknown";
}

const char *tool_strerror(enum tool_err kind)
{
    return (unsigned)kind < TOOL_E_COUNT ? kinds[kind].text : "unknown error";
}

void *tool_fail(struct tool_error *e, enum tool_err kind, const char *name, int code,
                const char *fmt, ...)
{
    va_list ap;

    e->kind = kind;
    e->name = name ? name : tool_err_name(kind);
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof(e->text), fmt, ap);
    va_end(ap);
    return NULL;
}
