/* cfg_fixture: small files written into a temporary directory for the src/cfg/ unit tests. */
#ifndef CFG_FIXTURE_H
#define CFG_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Write text to dir/rel, making dir/<first component> when rel has one. */
static inline void cfg_fixture_write(const char *dir, const char *rel, const char *text)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A fresh temporary directory in buf, or NULL. */
static inline char *cfg_fixture_dir(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/cfgtest.XXXXXX");
    return mkdtemp(buf);
}

static inline void cfg_fixture_rm(const char *dir)
{
    if (strncmp(dir, "/tmp/cfgtest.", 13))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    if (pid > 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0)
            ;
    }
}

#endif
