/* jsonload: the one way outside bytes become JSON. Nesting is bounded to JSONLOAD_DEPTH_MAX
 * levels by a scan of the raw bytes before jansson parses them, so neither jansson's recursive
 * parser nor any recursive walk of the result (redaction, dumps, json_decref) can run deep on a
 * worker's small stack. MCP messages, tool arguments holding JSON text, MI replies and the config
 * file all come through here. */
#ifndef JSONLOAD_H
#define JSONLOAD_H

#include <jansson.h>
#include <stddef.h>

/* Levels of arrays and objects accepted: [] is 1, {"a":[]} is 2. OpenSIPS's deepest MI reply
 * in data/recordings is 7 (ds_list with its envelope), our deepest tool schema 7 and a
 * tools/list reply 11; jansson's own limit (2048) is far past what a 512 KiB worker stack
 * survives in a recursive walk. */
#define JSONLOAD_DEPTH_MAX 64
#define JSONLOAD_DEPTH_MAX_TEXT "64" /* for messages built at compile time */
_Static_assert(JSONLOAD_DEPTH_MAX == 64, "JSONLOAD_DEPTH_MAX_TEXT says 64");

/* Offset of the first '[' or '{' (outside strings, escapes honoured) that opens level
 * `limit` + 1, or len when no bracket does. Reads buf[0..len) only; never fails. */
size_t jsonload_too_deep_at(const char *buf, size_t len, size_t limit);

/* json_loadb() of buf[0..len) after the depth scan. Returns a new reference, or NULL with *je
 * (may be NULL) filled as jansson fills it. Beyond the limit nothing is parsed: je->text is
 * "nested deeper than 64 levels of arrays and objects", je->position the offset of the bracket
 * that opens level 65, and json_error_code(je) is json_error_stack_overflow (the code jansson
 * gives its own limit). */
json_t *jsonload_bytes(const char *buf, size_t len, size_t flags, json_error_t *je);
/* The same for a NUL-terminated string. */
json_t *jsonload_string(const char *s, size_t flags, json_error_t *je);
/* The same for a file, scanned as jansson reads it (json_load_file's errors: text, line). */
json_t *jsonload_file(const char *path, size_t flags, json_error_t *je);

/* A copy of buf[0..len) in which every array or object that would open level `limit` + 1 is
 * replaced by 0, so what is left can be parsed to read its shallow members (the id of a
 * JSON-RPC request too deep to accept). A bracket never closed is dropped with the rest of the
 * input. Returns a new NUL-terminated buffer (caller frees) and its length in *outlen, or NULL
 * when out of memory. */
char *jsonload_flatten(const char *buf, size_t len, size_t limit, size_t *outlen);

#endif
