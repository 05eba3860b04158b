/* reqlog: what arrived and how often. */
#include "reqlog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define REQLOG_NAMES 4096 /* distinct names counted; later ones go under "(other)" */

static pthread_mutex_t reqlog_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *reqlog_file;
static json_t *reqlog_commands, *reqlog_methods, *reqlog_transports;
static json_int_t reqlog_total;

int reqlog_open(const char *path)
{
    if (!path)
        return 0;
    reqlog_file = fopen(path, "a");
    if (!reqlog_file)
        return -1;
    setvbuf(reqlog_file, NULL, _IOLBF, 0);
    return 0;
}

static void reqlog_count(json_t **obj, const char *name)
{
    if (!*obj)
        *obj = json_object();
    if (!*obj || !name)
        return;
    if (!json_object_get(*obj, name) && json_object_size(*obj) >= REQLOG_NAMES)
        name = "(other)";
    json_t *v = json_object_get(*obj, name);
    json_object_set_new(*obj, name, json_integer(json_integer_value(v) + 1));
}

void reqlog_note(const char *transport, const char *method, const char *command, json_t *params,
                 const char *outcome, const char *fault)
{
    pthread_mutex_lock(&reqlog_lock);
    reqlog_total++;
    reqlog_count(&reqlog_transports, transport);
    reqlog_count(&reqlog_methods, method);
    reqlog_count(&reqlog_commands, command);
    if (reqlog_file) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        json_t *line = json_pack("{s:f,s:s}", "time", tv.tv_sec + tv.tv_usec / 1e6, "transport",
                                 transport);
        if (line) {
            json_object_set_new(line, "method", method ? json_string(method) : json_null());
            json_object_set_new(line, "command", command ? json_string(command) : json_null());
            if (params)
                json_object_set(line, "params", params);
            json_object_set_new(line, "outcome", json_string(outcome));
            if (fault)
                json_object_set_new(line, "fault", json_string(fault));
            char *s = json_dumps(line, JSON_COMPACT);
            if (s)
                fprintf(reqlog_file, "%s\n", s);
            free(s);
            json_decref(line);
        }
    }
    pthread_mutex_unlock(&reqlog_lock);
}

json_t *reqlog_counts(void)
{
    pthread_mutex_lock(&reqlog_lock);
    json_t *o = json_pack("{s:I}", "total", reqlog_total);
    if (o) {
        json_object_set_new(o, "commands",
                            reqlog_commands ? json_deep_copy(reqlog_commands) : json_object());
        json_object_set_new(o, "methods",
                            reqlog_methods ? json_deep_copy(reqlog_methods) : json_object());
        json_object_set_new(o, "transports",
                            reqlog_transports ? json_deep_copy(reqlog_transports) : json_object());
    }
    pthread_mutex_unlock(&reqlog_lock);
    return o;
}

void reqlog_reset(void)
{
    pthread_mutex_lock(&reqlog_lock);
    json_decref(reqlog_commands);
    json_decref(reqlog_methods);
    json_decref(reqlog_transports);
    reqlog_commands = reqlog_methods = reqlog_transports = NULL;
    reqlog_total = 0;
    pthread_mutex_unlock(&reqlog_lock);
}
