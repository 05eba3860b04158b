/* tools/cfg_files: cfg_dry_run, cfg_backup, cfg_list_backups and cfg_rollback (the Python
 * server's tools of those names), over m4, `opensips -C` (tools/cfg_common.h) and the files
 * under the cfg root (file/rootfile.h). This header holds what the tools' tests reach: m4 run on
 * a caller's text with none of its builtins that run commands or touch files, and the backup
 * names.
 *
 * Thread-safe: no state. */
#ifndef TOOLS_CFG_FILES_H
#define TOOLS_CFG_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define CFG_DRY_TEXT_MAX (1u << 20)  /* bytes of main_m4, and of local_m4 */
#define CFG_M4_AS_MAX (256u << 20)   /* address space m4 may use on a caller's text */
#define CFG_M4_FSIZE_MAX (16u << 20) /* bytes of one file m4 may write (its diversions) */
#define CFG_FILE_MAX (4u << 20)      /* bytes of a config that is backed up or restored */
#define CFG_BACKUP_SUFFIX_MAX 99     /* -1 .. -99 after a name taken in the same second */
#define CFG_BACKUPS_SHOWN_MAX 100    /* backups cfg_list_backups answers, newest first */
#define CFG_PRLIMIT "prlimit"        /* util-linux: sets the limits, then execs m4 */
#define CFG_READ_MAX (1u << 20)      /* bytes of a config the opensips-mcp://cfg/{file} resource
                                        serves */

/* What m4 made of a caller's text. */
struct cfg_m4_result {
    int status;         /* m4's exit status, or -signal */
    bool timed_out;     /* the deadline passed: m4 was killed */
    bool too_large;     /* more than CFG_RENDER_OUT_MAX bytes came: out holds the first ones */
    bool out_of_memory; /* m4 hit CFG_M4_AS_MAX (a macro that expands forever) */
    char *out;          /* owned, NUL-terminated */
    size_t out_len;
    char *err;          /* owned: m4's messages, NUL-terminated */
    size_t err_len;
};

/* Render local (llen bytes) then main (mlen) with GNU m4 (`m4`, a name or path; NULL: "m4") as
 * `m4 -U <each unsafe builtin> - local.cfg.m4 opensips.cfg.m4` in a private 0700 directory
 * under /tmp (removed after), under prlimit(1) (address space CFG_M4_AS_MAX, CPU seconds of the
 * deadline, files CFG_M4_FSIZE_MAX, no core), with deadline_ms (0: CFG_RENDER_DEADLINE_MS). No
 * macro of the text can run a command, read, create or write a file: the builtins that would
 * are removed before it is read, and the names are defined again as macros that stop m4 with a
 * message saying why; include(`local.cfg.m4') (or sinclude, or a path ending in /local.cfg.m4)
 * expands to nothing, since local was read first. r is zeroed first; release it with
 * cfg_m4_result_release in every case. CFG_OK when m4 ran, whatever its status; else (errbuf
 * set) CFG_ERR_NOT_FOUND (m4 or prlimit missing), CFG_ERR_RUN (cannot start, cancelled),
 * CFG_ERR_IO (the private directory), CFG_ERR_NOMEM. */
int cfg_m4_guarded(const char *m4, const char *local, size_t llen, const char *main,
                   size_t mlen, unsigned deadline_ms, struct cfg_m4_result *r, char *errbuf,
                   size_t errlen);

void cfg_m4_result_release(struct cfg_m4_result *r);

/* "<base>.bak-YYYYMMDD-HHMMSS" of t in UTC, then "-<attempt>" when attempt > 0, into out (size
 * n). false when it does not fit. */
bool cfg_backup_name(const char *base, time_t t, unsigned attempt, char *out, size_t n);

/* Whether name is one cfg_backup gives a backup of a file named base: "<base>.bak-" and more. */
bool cfg_is_backup_of(const char *name, const char *base);

/* Whether a file named `name` (its last component) is a config a config.read reader may see
 * whole (the opensips-mcp://cfg/{file} resource, its completion): "<x>.cfg", "<x>.m4", or a
 * backup of one ("<x>.cfg.bak-...", "<x>.m4.bak-...", what cfg_backup writes and cfg_rollback
 * restores); never a name starting with '.' (rootfile_write's temporary files and the like). */
bool cfg_is_config_name(const char *name);

/* The config text s[0..len) with the password of every URL's userinfo (scheme://user:PASSWORD@)
 * replaced by "***": a config's db_url is a database credential, and a reader with config.read
 * (the viewer role) must not gain the database with it. A new NUL-terminated string (its length
 * in *out_len), NULL out of memory; *redacted counts the passwords replaced. */
char *cfg_redact_urls(const char *s, size_t len, size_t *out_len, unsigned *redacted);

struct tool_ctx;
struct tool_error;

/* The cfg root: --cfg-root, else --out-dir-root (x's backends' files_root); borrowed. NULL
 * with e filled (TOOL_E_CONFIG "no_cfg_root", naming the settings to give) when neither is
 * set. */
const char *cfg_files_root(struct tool_ctx *x, struct tool_error *e);

#endif
