/* docs: write the tool reference (docs/tools.md) from the tool rows. */
#ifndef TOOLS_DOCS_H
#define TOOLS_DOCS_H

#include <stdio.h>

/* Markdown for every row of every area, including the MI names per OpenSIPS version. 0 or -1. */
int tools_markdown(FILE *out);

#endif
