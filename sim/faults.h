/* faults: injected misbehaviour (delay, drop, HTTP 500, garbage, ...), per command or at a rate. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <jansson.h>
#include <stdbool.h>

enum fault_kind {
    FAULT_NONE,
    FAULT_DELAY,    /* answer after ms milliseconds */
    FAULT_DROP,     /* run the command, never answer */
    FAULT_HTTP500,  /* http: a complete 500 response; datagram/fifo: "500 Internal error" */
    FAULT_GARBAGE,  /* bytes that are not JSON instead of the reply */
    FAULT_TRUNCATE, /* the first half of the reply, then the end of the stream */
    FAULT_HUGE,     /* a valid reply padded to `bytes` bytes */
    FAULT_CHUNKED,  /* http: 200, chunked, the body never ends; elsewhere: like drop */
    FAULT_REFUSE,   /* every endpoint stops listening for ms milliseconds (not per command) */
    FAULT_DEEP,     /* a reply whose result is `depth` arrays nested in one another */
    FAULT_ERROR,    /* the command runs, and a JSON-RPC error object is answered instead */
    FAULT_KIND_COUNT
};

struct fault {
    enum fault_kind kind;
    char command[128];    /* "*" or a command/method name */
    double rate;          /* 0 < rate <= 1: probability per matching request */
    unsigned ms;          /* delay */
    unsigned long bytes;  /* huge */
    unsigned depth;       /* deep: levels of nesting (default 2040, under jansson's 2048) */
    long count;           /* remaining hits, -1 without limit */
    unsigned long long until_ms; /* refuse: set by faults_add to now + ms */
};

/* "delay" -> FAULT_DELAY; FAULT_NONE when unknown. */
enum fault_kind fault_kind_parse(const char *s);
const char *fault_kind_name(enum fault_kind k);

/* Parse "kind=delay,cmd=dialog:list,rate=0.5,ms=2000,count=3,bytes=N,depth=N" (the --fault flag). */
int fault_parse_spec(const char *spec, struct fault *out, const char **why);
/* Same from a JSON object {"kind":...,"command":...,"rate":...,"ms":...,"count":...,"bytes":...,"depth":...}. */
int fault_parse_json(json_t *obj, struct fault *out, const char **why);

/* Add a fault; -1 when the table (64 rows) is full. Thread-safe. */
int faults_add(const struct fault *f);
/* Remove all faults, or those of one kind (FAULT_NONE: all). Thread-safe. */
void faults_clear(enum fault_kind kind);
/* The fault that hits this request (first matching row whose dice roll hits), consuming one of
 * its count; false when none. command may be NULL (unresolved), method is the raw name. */
bool faults_pick(const char *command, const char *method, struct fault *out);
/* True while a refuse fault is set. */
bool faults_refusing(void);
/* The table as a JSON array (new reference). */
json_t *faults_to_json(void);

#endif
