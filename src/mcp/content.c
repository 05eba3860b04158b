/* content: CallToolResult builders. */
#include "mcp/content.h"

#include <stdarg.h>
#include <stdio.h>

json_t *content_text(const char *text)
{
    return json_pack("{s:s, s:s}", "type", "text", "text", text ? text : "");
}

json_t *content_text_result(const char *text)
{
    return json_pack("{s:[o]}", "content", content_text(text));
}

json_t *content_error_result(const char *fmt, ...)
{
    char text[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return json_pack("{s:[o], s:b}", "content", content_text(text), "isError", 1);
}

json_t *content_structured_result(json_t *value)
{
    return json_pack("{s:o}", "structuredContent", value);
}
