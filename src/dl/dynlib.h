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

/* Load `lib` and fill every slot, once, thread-safe. Returns 0, or -1 with lib->error telling
 * which library or symbol is missing and which package provides it. */
int dynlib_load(struct dynlib *lib);

#endif
