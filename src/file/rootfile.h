/* file/rootfile: files written and read only under an allowed root directory (snapshots,
 * backups, rendered configs). A path is taken relative to the root, one component at a time
 * from the root's descriptor: no '..', no symbolic link anywhere on the way or as the file
 * itself, so that nothing a tool is given can reach outside the root, even while someone swaps
 * directories for links. A write is atomic (a temporary file in the same directory, fsync,
 * rename) and replaces an existing file only when asked. The root itself is the operator's and
 * is opened as configured (a link there is followed).
 *
 * Thread-safe: no state; each call opens and closes its own descriptors. */
#ifndef FILE_ROOTFILE_H
#define FILE_ROOTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define ROOTFILE_DEPTH_MAX 16   /* directories below the root a path may name */
#define ROOTFILE_NAME_MAX 255   /* bytes in one component */
#define ROOTFILE_PATH_MAX 4096  /* bytes in a relative path */
#define ROOTFILE_MODE 0640      /* a new file's mode, less the umask */
#define ROOTFILE_DIR_MODE 0750  /* a directory ROOTFILE_MKDIRS creates, less the umask */
#define ROOTFILE_LIST_MAX 10000 /* entries rootfile_list keeps (and as many skipped ones) */
#define ROOTFILE_SCAN_MAX 100000 /* directory entries rootfile_list looks at */

enum rootfile_flags {
    ROOTFILE_OVERWRITE = 1u << 0, /* replace an existing regular file (atomically) */
    ROOTFILE_MKDIRS = 1u << 1,    /* create missing directories on the way */
    ROOTFILE_KEEP_MODE = 1u << 2, /* with ROOTFILE_OVERWRITE: the file that is replaced gives
                                     its permission bits (and its owner and group, where the
                                     process may give them) to the new one */
};

enum rootfile_err {
    ROOTFILE_OK = 0,
    ROOTFILE_ERR_ROOT = -1,      /* the root is not an absolute path to a directory we can open */
    ROOTFILE_ERR_PATH = -2,      /* the path is absolute, has '..', names no file, is too deep or
                                    too long */
    ROOTFILE_ERR_LINK = -3,      /* a symbolic link or a non-directory on the way, or the file is
                                    a symbolic link or not a regular file */
    ROOTFILE_ERR_EXISTS = -4,    /* the file exists and ROOTFILE_OVERWRITE was not given: kept */
    ROOTFILE_ERR_NOT_FOUND = -5, /* a directory on the way (without ROOTFILE_MKDIRS) or the file
                                    to read does not exist */
    ROOTFILE_ERR_TOO_LARGE = -6, /* the file to read is larger than the limit */
    ROOTFILE_ERR_IO = -7,        /* the system refused (permissions, space, ...): errno's text */
};

/* Write len bytes of data to relpath under root: a temporary file (mode ROOTFILE_MODE) in the
 * final directory, written, fsynced and renamed onto the name, so that a reader sees the old
 * file or the whole new one, never a part; without ROOTFILE_OVERWRITE the rename refuses an
 * existing name (RENAME_NOREPLACE, or link+unlink where the file system lacks it) so that even a
 * file created meanwhile is never replaced. On any failure nothing is left behind (but the
 * directories ROOTFILE_MKDIRS made).
 *
 * relpath: '/'-separated, relative; empty and "." components are skipped. path_out (size
 * path_out_len, may be NULL) gets the file's absolute path (the resolved root, then relpath's
 * components; cut short when it does not fit: PATH_MAX + ROOTFILE_PATH_MAX bytes always do).
 * Returns ROOTFILE_OK or a negative enum rootfile_err with err (size errlen) set to
 * a sentence naming the path: "'link/x.json': 'link' is a symbolic link or not a directory". */
int rootfile_write(const char *root, const char *relpath, const void *data, size_t len,
                   unsigned flags, char *path_out, size_t path_out_len, char *err, size_t errlen);

/* rootfile_write with the new file's permission bits (less the umask) given: `mode` instead
 * of ROOTFILE_MODE (ROOTFILE_KEEP_MODE's bits win when it replaces a file). A copy of a file
 * made readable by fewer people than ROOTFILE_MODE allows is given its source's mode this way. */
int rootfile_write_mode(const char *root, const char *relpath, const void *data, size_t len,
                        unsigned flags, unsigned mode, char *path_out, size_t path_out_len,
                        char *err, size_t errlen);

/* What rootfile_read_stat and rootfile_list tell of a file. */
struct rootfile_stat {
    unsigned mode;         /* permission bits (07777) */
    long long size;        /* bytes */
    struct timespec mtime; /* last modification */
};

/* Read relpath under root (same path rules; a FIFO or device is refused, never opened for
 * long) if it holds at most max bytes. On ROOTFILE_OK *data (owned, NUL-terminated after the
 * *len bytes) holds the content; otherwise *data is NULL and err is set as above. */
int rootfile_read(const char *root, const char *relpath, size_t max, char **data, size_t *len,
                  char *err, size_t errlen);

/* rootfile_read, and *st (may be NULL) filled from the descriptor the data was read from. */
int rootfile_read_stat(const char *root, const char *relpath, size_t max, char **data,
                       size_t *len, struct rootfile_stat *st, char *err, size_t errlen);

/* One entry rootfile_list found. */
struct rootfile_entry {
    char *name;              /* owned: the name in the directory */
    struct rootfile_stat st; /* kept entries: their stat; skipped ones: zero */
    const char *skipped;     /* NULL for a regular file; else why it was left out ("a symbolic
                                link", "a directory", "not a regular file"); static */
};

struct rootfile_list {
    struct rootfile_entry *files;   /* owned: regular files, in directory order */
    size_t n_files;
    struct rootfile_entry *skipped; /* owned: entries whose name matched but that are not
                                       regular files (never followed nor opened) */
    size_t n_skipped;
    bool truncated;                 /* more than `max` matched, or the directory has more than
                                       ROOTFILE_SCAN_MAX entries: some were not looked at */
    char *dir_path;                 /* owned: the directory's absolute path (as path_out) */
};

/* The entries of the directory reldir under root ("" or "." for the root itself; the same path
 * rules, every component a directory reached without following a link) whose names start with
 * prefix (NULL or "": all; "." and ".." never, nor the temporary files of rootfile_write), at
 * most max (0 or over ROOTFILE_LIST_MAX: ROOTFILE_LIST_MAX) regular files and as many skipped
 * entries. Each entry is looked at with fstatat(AT_SYMLINK_NOFOLLOW), never opened. l is zeroed
 * first; release it with rootfile_list_release in every case. ROOTFILE_OK, or a negative enum
 * rootfile_err with err set (ROOTFILE_ERR_NOT_FOUND: reldir does not exist; ROOTFILE_ERR_LINK:
 * it, or a directory on the way, is a symbolic link or not a directory). */
int rootfile_list(const char *root, const char *reldir, const char *prefix, size_t max,
                  struct rootfile_list *l, char *err, size_t errlen);

void rootfile_list_release(struct rootfile_list *l);

/* A tool's path argument relative to root: path itself when relative, the rest after root (as
 * configured or as realpath resolves it) when absolute and under it, leading '/' skipped ("" for
 * the root itself); NULL when absolute and outside. Borrowed from path. Lexical: the components
 * are checked by rootfile_write/_read. */
const char *rootfile_relative(const char *root, const char *path);

#endif
