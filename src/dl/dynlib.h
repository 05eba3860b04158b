/* dynlib: bind a shared library on first use (dlopen), so that what only one mode needs —
 * libmicrohttpd for the HTTP transport, libcurl for MI over HTTP — costs nothing at start-up
 * in the others. Measured: linking both pulls 32 more libraries, ~6 ms and ~7 MiB of RSS into
 * every start, stdio included (bench/run.sh startup). */
#ifndef DL_DYNLIB_H
#define DL_DYNLIB_H

#include <pthread.h>
#include <stddef.h>

struct dynlib_sym {
    const char *name;
    void **slot;
};

struct dynlib {
    const char *soname;             /* e.g. "libcurl.so.4": the Debian package's runtime name */
    const struct dynlib_sym *syms;  /* terminated by a row with name NULL */
    pthread_once_t once;
    int status;                     /* 0 loaded, -1 failed */
    char error[256];
};

#define DYNLIB_INIT(soname, syms) {(soname), (syms), PTHREAD_ONCE_INIT, -1, ""}

/* A library's functions are one list of rows X(kind, name, type, params, args), from which
 * its table of pointers, its dynlib_sym rows and its wrappers are generated, so that binding
 * one more function is one row (dl/curl.h, dl/mhd.h):
 *   FN    returns `type`: a wrapper `type name params` calls the bound function with `args`,
 *         so callers use the library's own names and prototypes;
 *   PROC  the same for a function returning void;
 *   VA    variadic: no wrapper can pass its arguments on, so callers reach it through the table
 *         (the library's header #defines the name to its slot).
 * The wrappers are defined where the library is bound; a row whose type or parameters differ
 * from the library's header fails to compile there. */
#define DYNLIB_SLOT(kind, name, type, params, args) __typeof__(name) *name;
#define DYNLIB_SYM(table, name) {#name, (void **)&(table).name},
#define DYNLIB_WRAP(table, kind, name, type, params, args) \
    DYNLIB_WRAP_##kind(table, name, type, params, args)
#define DYNLIB_WRAP_FN(table, name, type, params, args) \
    type name params { return (table).name args; }
#define DYNLIB_WRAP_PROC(table, name, type, params, args) \
    void name params { (table).name args; }
#define DYNLIB_WRAP_VA(table, name, type, params, args)

/* Load `lib` and fill every slot, once, thread-safe. Returns 0, or -1 with lib->error telling
 * which library or symbol is missing and which package provides it. */
int dynlib_load(struct dynlib *lib);

#endif
