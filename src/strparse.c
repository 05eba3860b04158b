/* strparse: checked reading of outside text: numbers, booleans, node names. */
#include "strparse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int parse_bool(const char *s, bool *out)
{
    static const struct { const char *word; bool value; } words[] = {
        {"true", true}, {"yes", true}, {"on", true}, {"1", true},
        {"false", false}, {"no", false}, {"off", false}, {"0", false},
    };

    if (!s)
        return -1;
    for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (!strcasecmp(s, words[i].word)) {
            *out = words[i].value;
            return 0;
        }
    }
    return -1;
}

bool node_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

bool node_name_ok(const char *s, size_t max)
{
    if (!*s || strlen(s) >= max)
        return false;
    for (; *s; s++)
        if (!node_name_char(*s))
            return false;
    return true;
}

char *trim_space(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

int parse_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}
