/* content: building CallToolResult values — text, errors that tell the model what to do next,
 * and structured results. */
#ifndef MCP_CONTENT_H
#define MCP_CONTENT_H

#include <jansson.h>

/* {"type":"text","text":...} */
json_t *content_text(const char *text);
/* {"content":[text]} */
json_t *content_text_result(const char *text);
/* {"content":[text],"isError":true}: a tool failure the model can act on (SEP-1303). */
json_t *content_error_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* {"structuredContent": value} (stolen); the dispatcher adds the compact JSON as text. */
json_t *content_structured_result(json_t *value);

#endif
