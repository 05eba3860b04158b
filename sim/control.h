/* control: the simulator's own MI methods (sim:...), answered on every transport and profile. */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include <jansson.h>

/* Run control method `method` ("sim:fault", ...). Sets result (new reference) or code and msg. */
void control_handle(const char *method, json_t *params, json_t **result, int *code,
                    const char **msg);

#endif
