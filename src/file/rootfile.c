/* file/rootfile: openat from the root's descriptor, one component at a time with O_NOFOLLOW;
 * a write goes to a temporary name and is renamed into place. */
#include "file/rootfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TEMP_ATTEMPTS 16

/* A relative path cut into its components (pointers into buf). */
struct rel {
    char buf[ROOTFILE_PATH_MAX];
    const char *comp[ROOTFILE_DEPTH_MAX + 1];
    int n; /* the last one is the file */
};

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* relpath cut into r's components. A file's path (dir false) must name one; a directory's (dir
 * true) may be empty, ".", or end in '/' (r->n 0 is the root itself). */
static int split_path(const char *relpath, bool dir, struct rel *r, char *err, size_t errlen)
{
    size_t len = relpath ? strlen(relpath) : 0;
    char *save = NULL, *c;

    r->n = 0;
    if (!len && dir)
        return ROOTFILE_OK;
    if (!relpath || !len)
        return fail(err, errlen, ROOTFILE_ERR_PATH, "no file named (empty path)");
    if (len >= sizeof(r->buf))
        return fail(err, errlen, ROOTFILE_ERR_PATH, "'%.64s...': the path is longer than %d "
                    "bytes", relpath, ROOTFILE_PATH_MAX - 1);
    if (relpath[0] == '/')
        return fail(err, errlen, ROOTFILE_ERR_PATH, "'%s' is an absolute path; give one "
                    "relative to the allowed directory", relpath);
    if (relpath[len - 1] == '/' && !dir)
        return fail(err, errlen, ROOTFILE_ERR_PATH, "'%s' names a directory, not a file",
                    relpath);
    memcpy(r->buf, relpath, len + 1);
    for (c = strtok_r(r->buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, "."))
            continue;
        if (!strcmp(c, ".."))
            return fail(err, errlen, ROOTFILE_ERR_PATH, "'%s' may not contain '..'", relpath);
        if (strlen(c) > ROOTFILE_NAME_MAX)
            return fail(err, errlen, ROOTFILE_ERR_PATH, "'%s' has a name longer than %d bytes",
                        relpath, ROOTFILE_NAME_MAX);
        if (r->n > ROOTFILE_DEPTH_MAX)
            return fail(err, errlen, ROOTFILE_ERR_PATH, "'%s' has more than %d levels of "
                        "directories", relpath, ROOTFILE_DEPTH_MAX);
        r->comp[r->n++] = c;
    }
    if (dir && r->n > ROOTFILE_DEPTH_MAX)
        return fail(err, errlen, ROOTFILE_ERR_PATH, "'%s' has more than %d levels of "
                    "directories", relpath, ROOTFILE_DEPTH_MAX);
    if (dir)
        return ROOTFILE_OK;
    if (!r->n || !strcmp(relpath, ".") || (len >= 2 && !strcmp(relpath + len - 2, "/.")))
        return fail(err, errlen, ROOTFILE_ERR_PATH, "'%s' names a directory, not a file",
                    relpath);
    return ROOTFILE_OK;
}

static int split(const char *relpath, struct rel *r, char *err, size_t errlen)
{
    return split_path(relpath, false, r, err, errlen);
}

static int open_root(const char *root, char *err, size_t errlen)
{
    if (!root || root[0] != '/')
        return fail(err, errlen, ROOTFILE_ERR_ROOT, "the allowed directory '%s' is not an "
                    "absolute path", root ? root : "");
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return fail(err, errlen, ROOTFILE_ERR_ROOT, "the allowed directory '%s' cannot be "
                    "opened: %s", root, strerror(errno));
    return fd;
}

/* The directory of r's first `upto` components, opened from rootfd (not consumed) without
 * following links; missing directories created when mkdirs. Returns a descriptor or a negative
 * rootfile_err. */
static int open_upto(int rootfd, const char *relpath, const struct rel *r, int upto, bool mkdirs,
                     char *err, size_t errlen)
{
    int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);

    if (fd < 0)
        return fail(err, errlen, ROOTFILE_ERR_IO, "'%s': %s", relpath, strerror(errno));
    for (int i = 0; i < upto; i++) {
        const char *c = r->comp[i];
        int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT && mkdirs) {
            if (mkdirat(fd, c, ROOTFILE_DIR_MODE) < 0 && errno != EEXIST) {
                int e = errno;
                close(fd);
                return fail(err, errlen, ROOTFILE_ERR_IO, "'%s': directory '%s' cannot be "
                            "created: %s", relpath, c, strerror(e));
            }
            next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (next < 0) {
            int e = errno;
            close(fd);
            if (e == ELOOP || e == ENOTDIR)
                return fail(err, errlen, ROOTFILE_ERR_LINK, "'%s': '%s' is a symbolic link or "
                            "not a directory", relpath, c);
            if (e == ENOENT)
                return fail(err, errlen, ROOTFILE_ERR_NOT_FOUND, "'%s': directory '%s' does not "
                            "exist", relpath, c);
            return fail(err, errlen, ROOTFILE_ERR_IO, "'%s': directory '%s' cannot be opened: "
                        "%s", relpath, c, strerror(e));
        }
        close(fd);
        fd = next;
    }
    return fd;
}

/* The directory holding r's file. */
static int open_dirs(int rootfd, const char *relpath, const struct rel *r, bool mkdirs,
                     char *err, size_t errlen)
{
    return open_upto(rootfd, relpath, r, r->n - 1, mkdirs, err, errlen);
}

/* The absolute path of r under root: realpath(root) (or root as given), then the components. */
static void full_path(const char *root, const struct rel *r, char *out, size_t n)
{
    char real[PATH_MAX];
    const char *base = realpath(root, real) ? real : root;
    size_t used;

    if (!out || !n)
        return;
    used = (size_t)snprintf(out, n, "%s", strcmp(base, "/") ? base : "");
    for (int i = 0; i < r->n && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "/%s", r->comp[i]);
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* A new temporary file in dirfd (mode, less the umask): its descriptor, its name in tmp. */
static int open_temp(int dirfd, char *tmp, size_t n, unsigned mode)
{
    for (int i = 0; i < TEMP_ATTEMPTS; i++) {
        uint64_t r;
        if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            r = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid() ^ ((uint64_t)i << 56);
        }
        snprintf(tmp, n, ".rootfile-%016llx.tmp", (unsigned long long)r);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        (mode_t)mode);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* tmp onto name without ever replacing name. */
static int rename_noreplace(int dirfd, const char *tmp, const char *name)
{
    if (renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -1;
    /* a file system without RENAME_NOREPLACE: a hard link refuses an existing name too */
    if (linkat(dirfd, tmp, dirfd, name, 0) < 0)
        return -1;
    unlinkat(dirfd, tmp, 0);
    return 0;
}

int rootfile_write(const char *root, const char *relpath, const void *data, size_t len,
                   unsigned flags, char *path_out, size_t path_out_len, char *err, size_t errlen)
{
    return rootfile_write_mode(root, relpath, data, len, flags, ROOTFILE_MODE, path_out,
                               path_out_len, err, errlen);
}

int rootfile_write_mode(const char *root, const char *relpath, const void *data, size_t len,
                        unsigned flags, unsigned mode, char *path_out, size_t path_out_len,
                        char *err, size_t errlen)
{
    struct rel r;
    struct stat st;
    char tmp[64] = "";
    int rootfd = -1, dirfd = -1, fd = -1, rc;
    bool exists = false;

    if (path_out && path_out_len)
        path_out[0] = '\0';
    if ((rc = split(relpath, &r, err, errlen)) != ROOTFILE_OK)
        return rc;
    if ((rc = rootfd = open_root(root, err, errlen)) < 0)
        return rc;
    if ((rc = dirfd = open_dirs(rootfd, relpath, &r, flags & ROOTFILE_MKDIRS, err, errlen)) < 0)
        goto out;
    const char *name = r.comp[r.n - 1];
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
            rc = fail(err, errlen, ROOTFILE_ERR_LINK, "'%s' is %s; it is never written through",
                      relpath, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
            goto out;
        }
        if (!(flags & ROOTFILE_OVERWRITE)) {
            rc = fail(err, errlen, ROOTFILE_ERR_EXISTS, "'%s' exists already and was kept",
                      relpath);
            goto out;
        }
        exists = true;
    } else if (errno != ENOENT) {
        rc = fail(err, errlen, ROOTFILE_ERR_IO, "'%s': %s", relpath, strerror(errno));
        goto out;
    }
    if ((fd = open_temp(dirfd, tmp, sizeof(tmp), mode & 07777)) < 0) {
        tmp[0] = '\0';
        rc = fail(err, errlen, ROOTFILE_ERR_IO, "'%s' cannot be created: %s", relpath,
                  strerror(errno));
        goto out;
    }
    /* the replaced file's owner first (chown clears set-id bits), then its bits; an owner the
     * process may not give is left as it is (then its group alone, which a member may give) */
    if (exists && (flags & ROOTFILE_OVERWRITE) && (flags & ROOTFILE_KEEP_MODE)) {
        int e = 0;
        if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
            fchown(fd, st.st_uid, st.st_gid) < 0 &&
            (errno != EPERM || (fchown(fd, (uid_t)-1, st.st_gid) < 0 && errno != EPERM)))
            e = errno;
        else if (fchmod(fd, st.st_mode & 07777) < 0)
            e = errno;
        if (e) {
            rc = fail(err, errlen, ROOTFILE_ERR_IO, "'%s': its owner or mode cannot be kept: %s",
                      relpath, strerror(e));
            goto out;
        }
    }
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        rc = fail(err, errlen, ROOTFILE_ERR_IO, "writing '%s' failed: %s", relpath,
                  strerror(errno));
        goto out;
    }
    int c = close(fd);
    fd = -1;
    if (c < 0) {
        rc = fail(err, errlen, ROOTFILE_ERR_IO, "writing '%s' failed: %s", relpath,
                  strerror(errno));
        goto out;
    }
    if ((flags & ROOTFILE_OVERWRITE) ? renameat(dirfd, tmp, dirfd, name)
                                     : rename_noreplace(dirfd, tmp, name)) {
        int e = errno;
        rc = e == EEXIST ? fail(err, errlen, ROOTFILE_ERR_EXISTS, "'%s' exists already and was "
                                "kept", relpath)
             : e == EISDIR || e == ENOTDIR
                 ? fail(err, errlen, ROOTFILE_ERR_LINK, "'%s' is not a regular file; it is "
                        "never written through", relpath)
                 : fail(err, errlen, ROOTFILE_ERR_IO, "'%s' cannot be put in place: %s",
                        relpath, strerror(e));
        goto out;
    }
    tmp[0] = '\0';
    /* the rename itself is durable once the directory is; a failure here loses nothing the
     * caller could act on */
    (void)fsync(dirfd);
    full_path(root, &r, path_out, path_out_len);
    rc = ROOTFILE_OK;
out:
    if (fd >= 0)
        close(fd);
    if (tmp[0])
        unlinkat(dirfd, tmp, 0);
    if (dirfd >= 0)
        close(dirfd);
    close(rootfd);
    return rc;
}

int rootfile_read(const char *root, const char *relpath, size_t max, char **data, size_t *len,
                  char *err, size_t errlen)
{
    return rootfile_read_stat(root, relpath, max, data, len, NULL, err, errlen);
}

static void stat_of(const struct stat *st, struct rootfile_stat *out)
{
    out->mode = (unsigned)(st->st_mode & 07777);
    out->size = (long long)st->st_size;
    out->mtime = st->st_mtim;
}

int rootfile_read_stat(const char *root, const char *relpath, size_t max, char **data,
                       size_t *len, struct rootfile_stat *sto, char *err, size_t errlen)
{
    struct rel r;
    struct stat st;
    int rootfd, dirfd = -1, fd = -1, rc;
    char *buf = NULL;
    size_t cap, used = 0;

    *data = NULL;
    *len = 0;
    if (sto)
        memset(sto, 0, sizeof(*sto));
    if (max > SIZE_MAX / 2)
        max = SIZE_MAX / 2;
    if ((rc = split(relpath, &r, err, errlen)) != ROOTFILE_OK)
        return rc;
    if ((rc = rootfd = open_root(root, err, errlen)) < 0)
        return rc;
    if ((rc = dirfd = open_dirs(rootfd, relpath, &r, false, err, errlen)) < 0)
        goto out;
    /* O_NONBLOCK: a FIFO put there must not hold the open; it is refused below */
    fd = openat(dirfd, r.comp[r.n - 1], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        rc = e == ELOOP ? fail(err, errlen, ROOTFILE_ERR_LINK, "'%s' is a symbolic link; it is "
                               "never followed", relpath)
             : e == ENOENT ? fail(err, errlen, ROOTFILE_ERR_NOT_FOUND, "'%s' does not exist",
                                  relpath)
                           : fail(err, errlen, ROOTFILE_ERR_IO, "'%s' cannot be opened: %s",
                                  relpath, strerror(e));
        goto out;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = fail(err, errlen, ROOTFILE_ERR_LINK, "'%s' is not a regular file", relpath);
        goto out;
    }
    if ((uint64_t)st.st_size > max) {
        rc = fail(err, errlen, ROOTFILE_ERR_TOO_LARGE, "'%s' is larger than %zu bytes (%lld)",
                  relpath, max, (long long)st.st_size);
        goto out;
    }
    /* The size may change while we read: read to the end, never past max. */
    cap = (size_t)st.st_size + 1;
    if (!(buf = malloc(cap + 1))) {
        rc = fail(err, errlen, ROOTFILE_ERR_IO, "'%s': out of memory", relpath);
        goto out;
    }
    for (;;) {
        if (used == cap) {
            size_t ncap = cap > max / 2 ? max + 1 : cap * 2;
            char *b = ncap > cap ? realloc(buf, ncap + 1) : NULL;
            if (!b) {
                rc = ncap > cap ? fail(err, errlen, ROOTFILE_ERR_IO, "'%s': out of memory",
                                       relpath)
                                : fail(err, errlen, ROOTFILE_ERR_TOO_LARGE, "'%s' is larger "
                                       "than %zu bytes", relpath, max);
                goto out;
            }
            buf = b;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = fail(err, errlen, ROOTFILE_ERR_IO, "reading '%s' failed: %s", relpath,
                      strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    if (used > max) {
        rc = fail(err, errlen, ROOTFILE_ERR_TOO_LARGE, "'%s' is larger than %zu bytes", relpath,
                  max);
        goto out;
    }
    buf[used] = '\0';
    if (sto) {
        stat_of(&st, sto);
        sto->size = (long long)used;
    }
    *data = buf;
    *len = used;
    buf = NULL;
    rc = ROOTFILE_OK;
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    if (dirfd >= 0)
        close(dirfd);
    close(rootfd);
    return rc;
}

static int entry_add(struct rootfile_entry **v, size_t *n, const char *name,
                     const struct stat *st, const char *skipped)
{
    /* grown by doubling: n stays under ROOTFILE_LIST_MAX, so this never overflows */
    if (!(*n & (*n - 1))) {
        struct rootfile_entry *g = realloc(*v, (*n ? *n * 2 : 8) * sizeof(**v));
        if (!g)
            return -1;
        *v = g;
    }
    struct rootfile_entry *e = &(*v)[*n];
    memset(e, 0, sizeof(*e));
    if (!(e->name = strdup(name)))
        return -1;
    if (st)
        stat_of(st, &e->st);
    e->skipped = skipped;
    (*n)++;
    return 0;
}

int rootfile_list(const char *root, const char *reldir, const char *prefix, size_t max,
                  struct rootfile_list *l, char *err, size_t errlen)
{
    struct rel r;
    DIR *d = NULL;
    struct dirent *de;
    size_t plen = prefix ? strlen(prefix) : 0, scanned = 0;
    int rootfd, fd = -1, rc;
    const char *shown = reldir && *reldir ? reldir : ".";

    memset(l, 0, sizeof(*l));
    if (!max || max > ROOTFILE_LIST_MAX)
        max = ROOTFILE_LIST_MAX;
    if ((rc = split_path(reldir ? reldir : "", true, &r, err, errlen)) != ROOTFILE_OK)
        return rc;
    if ((rc = rootfd = open_root(root, err, errlen)) < 0)
        return rc;
    if ((rc = fd = open_upto(rootfd, shown, &r, r.n, false, err, errlen)) < 0)
        goto out;
    if (!(d = fdopendir(fd))) {
        rc = fail(err, errlen, ROOTFILE_ERR_IO, "'%s' cannot be listed: %s", shown,
                  strerror(errno));
        goto out;
    }
    fd = -1; /* d owns it now */
    for (errno = 0; (de = readdir(d)); errno = 0) {
        struct stat st;
        const char *why = NULL;
        if (++scanned > ROOTFILE_SCAN_MAX) {
            l->truncated = true;
            break;
        }
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
            !strncmp(de->d_name, ".rootfile-", 10) || strncmp(de->d_name, prefix ? prefix : "",
                                                              plen))
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT)
                continue; /* removed meanwhile */
            why = "not readable";
        } else if (S_ISLNK(st.st_mode))
            why = "a symbolic link";
        else if (S_ISDIR(st.st_mode))
            why = "a directory";
        else if (!S_ISREG(st.st_mode))
            why = "not a regular file";
        if ((why ? l->n_skipped : l->n_files) >= max) {
            l->truncated = true;
            continue;
        }
        if (why ? entry_add(&l->skipped, &l->n_skipped, de->d_name, NULL, why)
                : entry_add(&l->files, &l->n_files, de->d_name, &st, NULL)) {
            rc = fail(err, errlen, ROOTFILE_ERR_IO, "'%s': out of memory", shown);
            goto out;
        }
    }
    if (errno) {
        rc = fail(err, errlen, ROOTFILE_ERR_IO, "'%s' cannot be listed: %s", shown,
                  strerror(errno));
        goto out;
    }
    char path[PATH_MAX + ROOTFILE_PATH_MAX];
    full_path(root, &r, path, sizeof(path));
    if (!(l->dir_path = strdup(path))) {
        rc = fail(err, errlen, ROOTFILE_ERR_IO, "'%s': out of memory", shown);
        goto out;
    }
    rc = ROOTFILE_OK;
out:
    if (d)
        closedir(d);
    if (fd >= 0)
        close(fd);
    close(rootfd);
    if (rc != ROOTFILE_OK)
        rootfile_list_release(l);
    return rc;
}

void rootfile_list_release(struct rootfile_list *l)
{
    for (size_t i = 0; i < l->n_files; i++)
        free(l->files[i].name);
    for (size_t i = 0; i < l->n_skipped; i++)
        free(l->skipped[i].name);
    free(l->files);
    free(l->skipped);
    free(l->dir_path);
    memset(l, 0, sizeof(*l));
}

/* path minus the prefix base (trailing '/' of base ignored) when path is base or under it. */
static const char *after(const char *path, const char *base)
{
    size_t n = base ? strlen(base) : 0;

    while (n > 1 && base[n - 1] == '/')
        n--;
    if (n == 1 && base[0] == '/')
        return path; /* the root is "/": every absolute path */
    if (n && !strncmp(path, base, n) && (path[n] == '/' || !path[n]))
        return path + n;
    return NULL;
}

const char *rootfile_relative(const char *root, const char *path)
{
    char real[PATH_MAX];
    const char *rest;

    if (!path || !root)
        return NULL;
    if (path[0] != '/')
        return path;
    if (!(rest = after(path, root)) && realpath(root, real))
        rest = after(path, real);
    while (rest && *rest == '/')
        rest++;
    return rest;
}
