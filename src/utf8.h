/* utf8: cutting valid UTF-8 text short without splitting a character. */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/* The length of the longest prefix of `s` (`len` bytes of valid UTF-8) that is at most `max`
 * bytes and ends on a character boundary: never inside a multi-byte sequence. */
size_t utf8_prefix_len(const char *s, size_t len, size_t max);

/* Cut the NUL-terminated valid UTF-8 `s` in place to at most `max` bytes on a character
 * boundary (as utf8_prefix_len); returns s. */
char *utf8_truncate(char *s, size_t max);

#endif
