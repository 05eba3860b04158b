/* dynlib: dlopen a library once and fill a table of function pointers. */
#include "dl/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

/* pthread_once takes no argument: the library being loaded is handed over in a thread-local. */
static _Thread_local struct dynlib *loading;

static void load_once(void)
{
    struct dynlib *lib = loading;
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

    if (!h) {
        snprintf(lib->error, sizeof(lib->error), "cannot load %s: %s", lib->soname, dlerror());
        return;
    }
    for (const struct dynlib_sym *s = lib->syms; s->name; s++) {
        if (!(*s->slot = dlsym(h, s->name))) {
            snprintf(lib->error, sizeof(lib->error), "%s has no symbol %s", lib->soname, s->name);
            return;
        }
    }
    lib->status = 0; /* the handle stays open for the life of the process */
}

int dynlib_load(struct dynlib *lib)
{
    loading = lib;
    pthread_once(&lib->once, load_once);
    return lib->status;
}
