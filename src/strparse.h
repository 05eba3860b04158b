/* strparse: checked conversions of outside text (flags, environment, config) into numbers. */
#ifndef STRPARSE_H
#define STRPARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Parse all of `s` as a decimal unsigned integer no larger than `max` into *out.
 * Returns 0, or -1 (and leaves *out alone) for an empty string, a sign, trailing
 * characters, or a value over `max`. Never uses atoi/strtol's silent failures. */
int parse_uint(const char *s, uint64_t max, uint64_t *out);

/* Parse "true/false/yes/no/on/off/1/0" (case-insensitive). Returns 0 or -1. */
int parse_bool(const char *s, bool *out);

#endif
