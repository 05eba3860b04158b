/* check: the unit tests' one assertion macro and their closing line. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* atomic: some tests CHECK on their own threads (test_audit on a small stack) */
static _Atomic int check_passed, check_failed;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (cond) {                                                                          \
            check_passed++;                                                                  \
        } else {                                                                             \
            check_failed++;                                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                                    \
    } while (0)

static inline int check_str(const char *a, const char *b) { return a && b && !strcmp(a, b); }
static inline int check_prefix(const char *s, const char *p) { return s && !strncmp(s, p, strlen(p)); }
static inline int check_contains(const char *s, const char *p) { return s && strstr(s, p); }
#define CHECK_STR(a, b) CHECK(check_str((a), (b)))
#define CHECK_PREFIX(s, p) CHECK(check_prefix((s), (p)))
#define CHECK_CONTAINS(s, p) CHECK(check_contains((s), (p)))

/* Print "N passed, N failed" and return the exit status. */
static inline int check_done(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, (int)check_passed, (int)check_failed);
    return check_failed ? 1 : 0;
}

#endif
