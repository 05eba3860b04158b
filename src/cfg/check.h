/* cfg/check: `opensips -C -f FILE` of a given OpenSIPS binary, run by exec, and its log parsed
 * into a verdict and structured errors.
 *
 * What 4.0.1 and 3.6.8 print (both the same; samples in tests/unit/data/cfg_check/): with -C the
 * log goes to stderr, one line per record, "<Mon dd hh:mm:ss> [<pid>] <LEVEL>:<text>".
 * - A parse error: "CRITICAL:core:yyerror: parse error in <file>:<line>:<col>-<col_end>:
 *   <message>", after a "CRITICAL:Traceback ..." header and before a dump of the lines around it
 *   (more CRITICAL lines). A syntax error is reported twice, the second time with an empty
 *   message; the message can end in a newline (then an unprefixed empty line follows). The
 *   columns are where the lexer stood, past the offending token, not its start: "\tnosuchfunc();"
 *   on line 5 is reported at 5:13-14.
 * - Other failures have no position: "ERROR:core:load_module: failed to load module 'x.so' -
 *   not found", "ERROR:core:main: no transport protocol loaded", "ERROR:core:parse_opensips_cfg:
 *   loading config file /x: No such file or directory".
 * - The summary: "ERROR:core:parse_opensips_cfg: bad config file (<N> errors)", "ERROR:core:main:
 *   failed to parse config file <file>", "NOTICE:core:main: Exiting....".
 * - Success: "NOTICE:core:main: config file ok, exiting...", exit status 0, and on stdout
 *   "Listening on", the sockets and "Aliases:".
 * Exit status 0 is ok, anything else (255 when main() returns -1) is not.
 *
 * Thread-safe: no state. */
#ifndef CFG_CHECK_H
#define CFG_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#define CFG_CHECK_DEADLINE_MS 30000u /* when 0 is given */
#define CFG_CHECK_OUTPUT_MAX (256u << 10) /* bytes kept of stdout and of stderr */
#define CFG_CHECK_ERRORS_MAX 100    /* errors (and warnings) kept; errors_truncated past it */
#define CFG_CHECK_MESSAGE_MAX 512   /* bytes of one message kept */

/* What -C leaves unchecked (config-templates.md §4): said with every result, so that a config
 * that only parses is not called valid. */
extern const char cfg_check_note[];

struct cfg_check_error {
    char *file;          /* owned, as opensips names it; NULL for an error without position */
    unsigned line;       /* 1-based; 0 without position */
    unsigned column;     /* first column; 0 without position */
    unsigned column_end; /* last column, or 0 */
    char *message;       /* owned, never NULL (may be "") */
};

struct cfg_check_result {
    bool ok;           /* exit status 0 and no deadline */
    int exit_status;   /* exec's status: 0..255, or -signal */
    bool timed_out;
    struct cfg_check_error *errors; /* owned: parse errors and other ERROR/CRITICAL records */
    size_t n_errors;
    struct cfg_check_error *warnings; /* owned: WARNING records */
    size_t n_warnings;
    bool errors_truncated;
    char *out; /* owned raw stdout and stderr (bounded by CFG_CHECK_OUTPUT_MAX) */
    char *err;
};

/* Run `<opensips> -C -f <file>` (both borrowed; opensips a path or a name in EXEC_PATH) with
 * deadline_ms (0: CFG_CHECK_DEADLINE_MS) and fill r (zeroed first; release it with
 * cfg_check_result_release in every case). CFG_OK when opensips ran, whatever the verdict;
 * CFG_ERR_NOT_FOUND when the binary is missing, CFG_ERR_RUN when it cannot start, _NOMEM. The
 * caller checks file against its allowed roots; opensips reads it (and what it includes)
 * relative to the caller's working directory. */
int cfg_check(const char *opensips, const char *file, unsigned deadline_ms,
              struct cfg_check_result *r, char *errbuf, size_t errlen);

/* Parse stderr text (len bytes) into r->errors and r->warnings (appended). For cfg_check and
 * tests. CFG_OK or CFG_ERR_NOMEM. */
int cfg_check_parse(const char *text, size_t len, struct cfg_check_result *r);

void cfg_check_result_release(struct cfg_check_result *r);

#endif
