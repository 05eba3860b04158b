/* strparse: checked conversions of outside text into numbers and booleans. */
#include "strparse.h"

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
