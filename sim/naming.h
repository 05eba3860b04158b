/* naming: how a method name in a request finds a loaded command (OpenSIPS 4.0 vs 3.6 rules). */
#ifndef SIM_NAMING_H
#define SIM_NAMING_H

#include "buf.h"
#include "catalogue.h"

enum naming_result { NAMING_FOUND, NAMING_NOT_FOUND, NAMING_AMBIGUOUS };

/* Resolve a method name among the loaded commands.
 * 4.0: the full "module:command" name, or a bare local name or alias that only one loaded command
 * has; several give NAMING_AMBIGUOUS with "supported names: a, b" appended to data (if non-NULL).
 * 3.6: exact, case-sensitive flat name only. */
enum naming_result naming_resolve(const struct catalogue *cat, const char *name,
                                  const struct cat_cmd **out, struct buf *data);

#endif
