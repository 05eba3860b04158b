/* cfg/check: opensips -C and its log parsed (cfg/check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/check.h"
#include "cfg/templates.h"
#include "exec/exec.h"
#include "strparse.h"

const char cfg_check_note[] =
    "opensips -C only parses the config, loads its modules and resolves their dependencies and "
    "sockets; it does not run the modules' init (mod_init) nor the fixups of script function "
    "parameters, so bad parameter values (such as create_dialog(\"B\") on 4.0), bad regexes or "
    "flags, unreachable databases and sockets that cannot be bound are only found when OpenSIPS "
    "starts";

void cfg_check_result_release(struct cfg_check_result *r)
{
    for (size_t i = 0; i < r->n_errors; i++) {
        free(r->errors[i].file);
        free(r->errors[i].message);
    }
    for (size_t i = 0; i < r->n_warnings; i++) {
        free(r->warnings[i].file);
        free(r->warnings[i].message);
    }
    free(r->errors);
    free(r->warnings);
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

/* The record after "<date> [<pid>] ", or NULL when the line has no log prefix. */
static const char *record(const char *s, const char *e)
{
    for (const char *p = s; p < e && p < s + 48; p++) {
        if (*p != '[')
            continue;
        const char *q = p + 1;
        while (q < e && *q >= '0' && *q <= '9')
            q++;
        if (q > p + 1 && q + 1 < e && q[0] == ']' && q[1] == ' ')
            return q + 2;
        return NULL;
    }
    return NULL;
}

static bool starts(const char *s, const char *e, const char *prefix)
{
    size_t n = strlen(prefix);
    return (size_t)(e - s) >= n && !strncmp(s, prefix, n);
}

/* Skip "<module>:<function>: " when the text starts so. */
static const char *skip_origin(const char *s, const char *e)
{
    const char *p = s;
    for (int part = 0; part < 2; part++) {
        while (p < e && *p != ':' && *p != ' ')
            p++;
        if (p >= e || *p != ':' || p == s)
            return s;
        p++;
    }
    return p < e && *p == ' ' ? p + 1 : s;
}

/* Parse "<digits>" at *p into *out (bounded); advances *p. */
static bool number(const char **p, const char *e, unsigned *out)
{
    char buf[12];
    size_t n = 0;
    while (*p + n < e && n < sizeof(buf) - 1 && (*p)[n] >= '0' && (*p)[n] <= '9') {
        buf[n] = (*p)[n];
        n++;
    }
    if (!n)
        return false;
    buf[n] = '\0';
    uint64_t v;
    if (parse_uint(buf, 0xffffffffu, &v) < 0)
        return false;
    *out = (unsigned)v;
    *p += n;
    return true;
}

static int add(struct cfg_check_error **list, size_t *n, bool *truncated, const char *file,
               size_t file_len, unsigned line, unsigned col, unsigned col_end, const char *msg,
               const char *msg_end)
{
    while (msg_end > msg && (msg_end[-1] == ' ' || msg_end[-1] == '\r'))
        msg_end--;
    if (*n >= CFG_CHECK_ERRORS_MAX) {
        *truncated = true;
        return CFG_OK;
    }
    /* the second report of a syntax error: same place, no text */
    if (file && msg_end == msg && *n && (*list)[*n - 1].file &&
        (*list)[*n - 1].line == line && (*list)[*n - 1].column == col)
        return CFG_OK;
    struct cfg_check_error *l = realloc(*list, (*n + 1) * sizeof(*l));
    if (!l)
        return CFG_ERR_NOMEM;
    *list = l;
    struct cfg_check_error *x = &l[*n];
    size_t ml = (size_t)(msg_end - msg);
    x->file = file ? strndup(file, file_len) : NULL;
    x->message = strndup(msg, ml > CFG_CHECK_MESSAGE_MAX ? CFG_CHECK_MESSAGE_MAX : ml);
    x->line = line;
    x->column = col;
    x->column_end = col_end;
    (*n)++;
    return (file && !x->file) || !x->message ? CFG_ERR_NOMEM : CFG_OK;
}

/* "<file>:<line>:<col>[-<col_end>]: <msg>": the first such place in [s, e). */
static bool place(const char *s, const char *e, const char **file_end, unsigned *line,
                  unsigned *col, unsigned *col_end, const char **msg)
{
    for (const char *c = s; c < e; c++) {
        if (*c != ':')
            continue;
        const char *p = c + 1;
        *col_end = 0;
        if (!number(&p, e, line) || p >= e || *p++ != ':' || !number(&p, e, col))
            continue;
        if (p < e && *p == '-') {
            p++;
            if (!number(&p, e, col_end))
                continue;
        }
        if (p >= e || *p != ':')
            continue;
        p++;
        *file_end = c;
        *msg = p < e && *p == ' ' ? p + 1 : p;
        return true;
    }
    return false;
}

/* "warning in config file <file>, line <n>, column <a>-<b>: <msg>" */
static bool warning_place(const char *s, const char *e, const char **file, const char **file_end,
                          unsigned *line, unsigned *col, unsigned *col_end, const char **msg)
{
    const char *k = "warning in config file ";
    const char *p = s;
    for (; p < e && !starts(p, e, k); p++)
        ;
    if (p >= e)
        return false;
    *file = p + strlen(k);
    const char *q = *file;
    for (; q < e && !starts(q, e, ", line "); q++)
        ;
    if (q >= e)
        return false;
    *file_end = q;
    q += 7;
    *col_end = 0;
    if (!number(&q, e, line) || !starts(q, e, ", column "))
        return false;
    q += 9;
    if (!number(&q, e, col))
        return false;
    if (q < e && *q == '-') {
        q++;
        if (!number(&q, e, col_end))
            return false;
    }
    if (q >= e || *q != ':')
        return false;
    q++;
    *msg = q < e && *q == ' ' ? q + 1 : q;
    return true;
}

static int parse_line(const char *s, const char *e, struct cfg_check_result *r)
{
    const char *rec = record(s, e);
    if (!rec)
        return CFG_OK;
    const char *fe, *f, *msg;
    unsigned line, col, col_end;
    if (starts(rec, e, "CRITICAL:")) {
        const char *t = rec + 9;
        if (!starts(t, e, "core:yyerror: parse error in "))
            return CFG_OK; /* the traceback and the dump of the lines around an error */
        t += strlen("core:yyerror: parse error in ");
        if (place(t, e, &fe, &line, &col, &col_end, &msg))
            return add(&r->errors, &r->n_errors, &r->errors_truncated, t, (size_t)(fe - t), line,
                       col, col_end, msg, e);
        return add(&r->errors, &r->n_errors, &r->errors_truncated, NULL, 0, 0, 0, 0, t, e);
    }
    if (starts(rec, e, "ERROR:")) {
        const char *t = skip_origin(rec + 6, e);
        if (starts(t, e, "bad config file (") || starts(t, e, "failed to parse config file"))
            return CFG_OK; /* the summary */
        return add(&r->errors, &r->n_errors, &r->errors_truncated, NULL, 0, 0, 0, 0, t, e);
    }
    if (starts(rec, e, "WARNING:")) {
        const char *t = skip_origin(rec + 8, e);
        if (warning_place(t, e, &f, &fe, &line, &col, &col_end, &msg))
            return add(&r->warnings, &r->n_warnings, &r->errors_truncated, f, (size_t)(fe - f),
                       line, col, col_end, msg, e);
        return add(&r->warnings, &r->n_warnings, &r->errors_truncated, NULL, 0, 0, 0, 0, t, e);
    }
    return CFG_OK;
}

int cfg_check_parse(const char *text, size_t len, struct cfg_check_result *r)
{
    const char *end = text + len;
    for (const char *s = text; s < end;) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        int rc = parse_line(s, e, r);
        if (rc)
            return rc;
        s = nl ? nl + 1 : end;
    }
    return CFG_OK;
}

int cfg_check(const char *opensips, const char *file, unsigned deadline_ms,
              struct cfg_check_result *r, char *errbuf, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    if (!opensips || !*opensips || !file || !*file) {
        snprintf(errbuf, errlen, "no %s given to check with", !file || !*file ? "config file"
                                                                              : "opensips binary");
        return CFG_ERR_INVALID;
    }
    const char *argv[] = {opensips, "-C", "-f", file, NULL};
    struct exec_spec s = {.argv = argv,
                          .deadline_ms = deadline_ms ? deadline_ms : CFG_CHECK_DEADLINE_MS,
                          .stdout_max = CFG_CHECK_OUTPUT_MAX,
                          .stderr_max = CFG_CHECK_OUTPUT_MAX};
    struct exec_result res = {0};
    char why[512];
    int er = exec_run(&s, NULL, &res, why, sizeof(why));
    if (er != EXEC_OK) {
        snprintf(errbuf, errlen, "%s", why);
        return er == EXEC_ERR_NOT_FOUND ? CFG_ERR_NOT_FOUND : CFG_ERR_RUN;
    }
    r->exit_status = res.status;
    r->timed_out = res.timed_out || res.cancelled;
    r->ok = res.status == 0 && !r->timed_out;
    int rc = cfg_check_parse(res.err, res.err_len, r);
    r->out = res.out;
    r->err = res.err;
    res.out = res.err = NULL;
    exec_result_release(&res);
    if (rc)
        snprintf(errbuf, errlen, "out of memory parsing the output of '%s -C'", opensips);
    return rc;
}
