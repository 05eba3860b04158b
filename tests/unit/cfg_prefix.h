/* cfg_prefix: where the unit tests of src/cfg/ find the OpenSIPS builds of scripts/opensips.sh
 * (${XDG_CACHE_HOME:-$HOME/.cache}/opensips-mcp/opensips-VERSION), used read-only. */
#ifndef CFG_PREFIX_H
#define CFG_PREFIX_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *const cfg_versions[] = {"4.0.1", "3.6.8"};

/* The prefix of version v in buf, or false (with a "skip" line on stdout) when it is not built. */
static inline bool cfg_prefix(const char *v, char *buf, size_t len)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, len, "%s/opensips-mcp/opensips-%s", xdg, v);
    else
        snprintf(buf, len, "%s/.cache/opensips-mcp/opensips-%s", home ? home : "", v);
    char bin[4200];
    snprintf(bin, sizeof(bin), "%s/sbin/opensips", buf);
    struct stat st;
    if (stat(bin, &st) == 0)
        return true;
    printf("skip: no OpenSIPS %s in %s (scripts/opensips.sh %s builds it)\n", v, buf, v);
    return false;
}

#endif
