/* reqlog: what arrived and how often (the --request-log file and the sim:requests counters). */
#ifndef SIM_REQLOG_H
#define SIM_REQLOG_H

#include <jansson.h>

/* Append JSON Lines to path (NULL: counters only). 0 on success, -1 when the file cannot open. */
int reqlog_open(const char *path);
/* Note one request: transport ("http", "fifo", "datagram"), raw method (may be NULL), resolved
 * command (may be NULL), params (may be NULL), outcome text and fault name (may be NULL). */
void reqlog_note(const char *transport, const char *method, const char *command, json_t *params,
                 const char *outcome, const char *fault);
/* {"total":N,"commands":{name:count},"methods":{name:count},"transports":{...}} (new ref). */
json_t *reqlog_counts(void);
void reqlog_reset(void);

#endif
