/* schema: the JSON Schema 2020-12 subset tool arguments need — type, properties, required,
 * additionalProperties:false, enum, const, minimum/maximum (and exclusive), minLength/maxLength,
 * pattern (POSIX extended regular expressions), items, minItems/maxItems. Other keywords are
 * ignored, as a validator must for annotations. */
#ifndef MCP_SCHEMA_H
#define MCP_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

/* Validate `inst` against `schema` (both borrowed). Returns 0 when it conforms; otherwise -1
 * with a sentence in `err` that names the offending argument and says what to pass, e.g.
 * "argument 'count' must be an integer, not a string". */
int schema_validate(const json_t *schema, const json_t *inst, char *err, size_t errlen);

/* Check that `schema` uses only what schema_validate understands correctly (types known,
 * patterns compile). Returns 0 or -1 with the reason in err. Used on our own tool tables. */
int schema_check(const json_t *schema, char *err, size_t errlen);

#endif
