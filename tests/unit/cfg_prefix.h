/* cfg_prefix: where the unit tests of src/cfg/ find the OpenSIPS builds of scripts/opensips.sh
 * (${XDG_CACHE_HOME:-$HOME/.cache}/opensips-mcp/opensips-VERSION), used read-only. */
#ifndef CFG_PREFIX_H
#define CFG_PREFIX_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *const cfg_versions[] = {"4.0.1", "3.6.8"};

/* ${XDG_CACHE_HOME:-$HOME/.cache}/opensips-mcp/<kind>-<v> in buf ("opensips" for the installed
 * prefix, "src" for the build tree), when `probe` exists below it; else false with a "skip" line
 * on stdout naming `what`. */
static inline bool cfg_cache_dir(const char *kind, const char *v, const char *probe,
                                 const char *what, char *buf, size_t len)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, len, "%s/opensips-mcp/%s-%s", xdg, kind, v);
    else
        snprintf(buf, len, "%s/.cache/opensips-mcp/%s-%s", home ? home : "", kind, v);
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", buf, probe);
    struct stat st;
    if (stat(path, &st) == 0)
        return true;
    printf("skip: no OpenSIPS %s %s in %s (scripts/opensips.sh %s builds it)\n", v, what, buf, v);
    return false;
}

/* The prefix of version v in buf, or false (with a "skip" line on stdout) when it is not built. */
static inline bool cfg_prefix(const char *v, char *buf, size_t len)
{
    return cfg_cache_dir("opensips", v, "sbin/opensips", "build", buf, len);
}

#endif
