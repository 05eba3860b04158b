/* utf8: character-boundary cuts of valid UTF-8 (RFC 3629 §3: continuation bytes are 10xxxxxx). */
#include "utf8.h"

#include <string.h>

size_t utf8_prefix_len(const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;

    /* s[n] starts the first character left out: back up while it continues one kept */
    while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

char *utf8_truncate(char *s, size_t max)
{
    s[utf8_prefix_len(s, strlen(s), max)] = '\0';
    return s;
}
