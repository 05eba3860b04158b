/* tools/sipp: what the SIPp tool knows that the resources serve too — SIPp's built-in scenarios
 * (opensips-mcp://sipp/scenarios, opensips-mcp://sipp/scenario/{name}). */
#ifndef TOOLS_SIPP_H
#define TOOLS_SIPP_H

#include <jansson.h>

#include "resources/resources.h"

/* The built-in scenarios sipp_run_scenario runs, NULL-terminated. */
extern const char *const sipp_builtins[];

/* Resource reads (resources.h): the list with what each does; one built-in's XML, as
 * `sipp -sd NAME` of the configured SIPp prints it (-32002 for a name not on the list). */
json_t *sipp_read_scenarios(struct resource_ctx *x, struct rpc_err *e);
json_t *sipp_read_scenario(struct resource_ctx *x, struct rpc_err *e);

#endif
