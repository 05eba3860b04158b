/* man: the man page (roff, man(7) macros) written from the settings table, so it names exactly
 * the options --help does; `opensips-mcp --man` prints it and `make man` keeps docs/opensips-mcp.1. */
#ifndef MAN_H
#define MAN_H

#include <stdio.h>

/* Write the whole page to out. Returns 0, or -1 when a write failed. */
int man_write(FILE *out);

#endif
