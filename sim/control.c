/* control: sim:fault, sim:faults, sim:clear_faults, sim:requests, sim:reset, sim:restart,
 * sim:raise, sim:subscribers. */
#include "control.h"

#include <string.h>
#include <time.h>

#include "commands.h"
#include "events.h"
#include "faults.h"
#include "reqlog.h"
#include "sim.h"

void control_handle(const char *method, json_t *params, json_t **result, int *code,
                    const char **msg)
{
    *result = NULL;
    *code = -32601;
    *msg = "Method not found";
    if (strcmp(method, "sim:fault") == 0) {
        struct fault f;
        const char *why = NULL;
        if (fault_parse_json(params, &f, &why) < 0) {
            *code = -32602;
            *msg = why;
            return;
        }
        if (faults_add(&f) < 0) {
            *code = 500;
            *msg = "fault table full";
            return;
        }
        *result = json_string("OK");
    } else if (strcmp(method, "sim:faults") == 0) {
        *result = faults_to_json();
    } else if (strcmp(method, "sim:clear_faults") == 0) {
        const char *k = json_string_value(json_object_get(params, "kind"));
        enum fault_kind kind = k ? fault_kind_parse(k) : FAULT_NONE;
        if (k && kind == FAULT_NONE) {
            *code = -32602;
            *msg = "unknown fault kind";
            return;
        }
        faults_clear(kind);
        *result = json_string("OK");
    } else if (strcmp(method, "sim:requests") == 0) {
        *result = reqlog_counts();
    } else if (strcmp(method, "sim:reset_requests") == 0) {
        reqlog_reset();
        *result = json_string("OK");
    } else if (strcmp(method, "sim:raise") == 0) {
        const char *ev = json_string_value(json_object_get(params, "event"));
        json_t *p = json_object_get(params, "params");
        if (!ev || (p && !json_is_object(p))) {
            *code = -32602;
            *msg = "sim:raise needs event (a string) and optional params (an object)";
            return;
        }
        pthread_mutex_lock(&sim.lock);
        int sent = events_raise(ev, p ? json_incref(p) : NULL);
        pthread_mutex_unlock(&sim.lock);
        if (sent >= 0)
            *result = json_pack("{s:i}", "sent", sent);
    } else if (strcmp(method, "sim:subscribers") == 0) {
        pthread_mutex_lock(&sim.lock);
        *result = events_subscribers();
        pthread_mutex_unlock(&sim.lock);
    } else if (strcmp(method, "sim:restart") == 0) {
        /* what an OpenSIPS restart leaves: fresh state, no event subscribers, a new "Up since" */
        pthread_mutex_lock(&sim.lock);
        commands_reset_state();
        events_clear();
        sim.start = time(NULL);
        pthread_mutex_unlock(&sim.lock);
        *result = json_string("OK");
    } else if (strcmp(method, "sim:reset") == 0) {
        pthread_mutex_lock(&sim.lock);
        commands_reset_state();
        pthread_mutex_unlock(&sim.lock);
        reqlog_reset();
        faults_clear(FAULT_NONE);
        *result = json_string("OK");
    }
    if (!*result && *code != -32601) {
        *code = 500;
        *msg = "out of memory";
    }
}
