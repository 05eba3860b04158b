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

#include <stddef.h>

#define ROOTFILE_DEPTH_MAX 16   /* directories below the root a path may name */
#define ROOTFILE_NAME_MAX 255   /* bytes in one component */
#define ROOTFILE_PATH_MAX 4096  /* bytes in a relative path */
#define ROOTFILE_MODE 0640      /* a new file's mode, less the umask */
#define ROOTFILE_DIR_MODE 0750  /* a directory ROOTFILE_MKDIRS creates, less the umask */

enum rootfile_flags {
    ROOTFILE_OVERWRITE = 1u << 0, /* replace an existing regular file (atomically) */
    ROOTFILE_MKDIRS = 1u << 1,    /* create missing directories on the way */
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

/* Read relpath under root (same path rules; a FIFO or device is refused, never opened for
 * long) if it holds at most max bytes. On ROOTFILE_OK *data (owned, NUL-terminated after the
 * *len bytes) holds the content; otherwise *data is NULL and err is set as above. */
int rootfile_read(const char *root, const char *relpath, size_t max, char **data, size_t *len,
                  char *err, size_t errlen);

/* A tool's path argument relative to root: path itself when relative, the rest after root (as
 * configured or as realpath resolves it) when absolute and under it, leading '/' skipped ("" for
 * the root itself); NULL when absolute and outside. Borrowed from path. Lexical: the components
 * are checked by rootfile_write/_read. */
const char *rootfile_relative(const char *root, const char *path);

#endif
