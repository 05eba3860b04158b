/* strparse: checked reading of outside text (flags, environment, config): numbers, booleans,
 * node names, and the error sentence its callers return. */
#ifndef STRPARSE_H
#define STRPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse all of `s` as a decimal unsigned integer no larger than `max` into *out.
 * Returns 0, or -1 (and leaves *out alone) for an empty string, a sign, trailing
 * characters, or a value over `max`. Never uses atoi/strtol's silent failures. */
int parse_uint(const char *s, uint64_t max, uint64_t *out);

/* Parse "true/false/yes/no/on/off/1/0" (case-insensitive). Returns 0 or -1. */
int parse_bool(const char *s, bool *out);

/* Whether c may stand in a node name: a letter, a digit, '_', '-' or '.'. */
bool node_name_char(char c);

/* Whether s is a node name (the MI nodes' and their databases'): one or more node_name_char,
 * shorter than `max` bytes (the size of the array that holds it, NUL included). */
bool node_name_ok(const char *s, size_t max);

/* s without the white space (isspace) at both ends: the end is cut in place, the start is a
 * pointer into s. */
char *trim_space(char *s);

/* Write the formatted sentence into err (errlen bytes, cut to fit) and return -1: the one line
 * of the loaders that report with (char *err, size_t errlen). */
int parse_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
