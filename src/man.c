/* man: opensips-mcp(1) from settings_option(); the prose around the options lives here. */
#include "man.h"

#include <stdbool.h>
#include <string.h>

#include "settings.h"
#include "version.h"

/* Text for a roff line: backslashes and dashes escaped; a leading '.' or '\'' is made literal so
 * a help text can never become a request. */
static void text(FILE *out, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", out);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else if (*s == '\n')
            fputs(" ", out);
        else
            fputc(*s, out);
    }
}

static void option(FILE *out, const struct settings_option *o)
{
    fputs(".TP\n\\fB\\-\\-", out);
    text(out, o->name);
    fputs("\\fR", out);
    if (o->arg) {
        fputs(" \\fI", out);
        text(out, o->arg);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    text(out, o->help);
    fputs(".\n", out);
    if (o->def || o->env[0] || o->key[0]) {
        fputs(".br\n", out);
        if (o->def) {
            fputs("Default: ", out);
            if (*o->def) {
                fputs("\\fB", out);
                text(out, o->def);
                fputs("\\fR", out);
            } else
                fputs("empty", out);
            fputs(o->env[0] || o->key[0] ? "; " : ".\n", out);
        }
        if (o->env[0]) {
            fputs(o->def ? "environment \\fB" : "Environment \\fB", out);
            text(out, o->env);
            fputs(o->key[0] ? "\\fR; " : "\\fR.\n", out);
        }
        if (o->key[0]) {
            fputs("config key \\fB", out);
            text(out, o->key);
            fputs("\\fR.\n", out);
        }
    }
}

/* Paragraphs of fixed prose: each string one roff line, written as is (they are ours). */
static void lines(FILE *out, const char *const *l)
{
    for (; *l; l++) {
        fputs(*l, out);
        fputc('\n', out);
    }
}

static const char *const head[] = {
    ".SH NAME",
    "opensips\\-mcp \\- MCP server for operating OpenSIPS through its Management Interface",
    ".SH SYNOPSIS",
    ".B opensips\\-mcp",
    "[\\fIoptions\\fR]",
    ".br",
    ".B opensips\\-mcp check",
    "[\\fIoptions\\fR] [\\fB\\-\\-json\\fR]",
    ".br",
    ".B opensips\\-mcp call",
    "[\\fIoptions\\fR] \\fITOOL\\fR [\\fIJSON\\fR | \\fIKEY\\fR=\\fIVALUE\\fR ...]",
    ".br",
    ".B opensips\\-mcp tools",
    "[\\fIoptions\\fR] [\\fB\\-\\-json\\fR]",
    ".SH DESCRIPTION",
    ".B opensips\\-mcp",
    "lets AI assistants (MCP clients) inspect and operate OpenSIPS SIP servers. It speaks the",
    "Model Context Protocol over standard input and output (\\fB\\-\\-transport stdio\\fR, the",
    "default: the client starts the binary) or Streamable HTTP (\\fB\\-\\-transport http\\fR, a",
    "long\\-running service on \\fB/mcp\\fR), and talks to each OpenSIPS node over its MI: HTTP",
    "(mi_http), FIFO (mi_fifo), UDP or a UNIX datagram socket (mi_datagram).",
    ".PP",
    "Every call passes one gate: the caller's role must hold the scope the tool needs, a tool that",
    "changes state asks for confirmation first, and with an audit trail configured the call is",
    "recorded before anything reaches OpenSIPS. Over HTTP the server listens on loopback only",
    "unless bearer tokens are configured; tokens are stored as SHA\\-256 hashes and map to roles.",
    ".PP",
    "Each setting below comes, in rising precedence, from its default, the config file",
    "(\\fB\\-\\-config\\fR, a JSON object whose keys are the settings' names with underscores),",
    "the environment, and the command line. The \\fB\\-\\-mi\\-*\\fR options have their own",
    "object, \\fBmi\\fR, in the config file (see the README), and the \\fB\\-\\-db\\-*\\fR options",
    "theirs, \\fBdb\\fR (the config key each names). A database URL's password never appears in a",
    "message, the log or the audit trail; nothing connects to a database at start.",
    ".SH OPTIONS",
    NULL,
};

static const char *const tail[] = {
    ".SH ENVIRONMENT",
    "Every option above that names an environment variable may be set through it instead;",
    "a flag wins over the environment, the environment over the config file. Empty values are",
    "ignored.",
    ".TP",
    ".B OPENSIPS_MI_URL",
    "the default node's MI address, as opensips\\-cli and the rest of the OpenSIPS tools use it.",
    ".TP",
    ".B OPENSIPS_MCP_MI_NODES",
    "several nodes at once: \\fINAME\\fR=\\fIADDRESS\\fR entries separated by semicolons.",
    ".SH FILES",
    ".TP",
    ".I /etc/opensips\\-mcp/config.json",
    "the config file the systemd unit passes with \\fB\\-\\-config\\fR: settings, \\fBroles\\fR,",
    "\\fBtokens\\fR (name, sha256 of the token, role) and \\fBmi\\fR nodes. A token's hash is",
    "\\fBprintf %s \"$TOKEN\" | sha256sum\\fR.",
    ".TP",
    ".I /usr/share/doc/opensips\\-mcp/examples/config.json",
    "an example config with tokens, a custom role and the audit trail.",
    ".TP",
    ".I /var/log/opensips\\-mcp/",
    "where the unit's audit trail (JSON Lines) is written; SIGHUP reopens the file (logrotate).",
    ".TP",
    ".I /var/lib/opensips\\-mcp/",
    "the unit's \\fB\\-\\-out\\-dir\\-root\\fR: the one directory tools may write files under.",
    ".TP",
    ".I ~/.opensips\\-cli.cfg, /etc/opensips\\-cli.cfg",
    "opensips\\-cli configs read for MI nodes when nothing else names one, and for each",
    "section's \\fBdatabase_url\\fR (see \\fB\\-\\-mi\\-cli\\-config\\fR).",
    ".SH EXIT STATUS",
    ".TP",
    ".B 0",
    "a clean shutdown (end of input on stdio, SIGTERM or SIGINT), or \\fB\\-\\-help\\fR and",
    "\\fB\\-\\-version\\fR.",
    ".TP",
    ".B 1",
    "the server could not start or serve (for example the HTTP port is taken).",
    ".TP",
    ".B 2",
    "a configuration error: a bad flag, environment value or config file, named in the one",
    "error line on standard error.",
    ".PP",
    "The one-shot commands: \\fBcheck\\fR exits 0 when every node and node database answered,",
    "1 when one did not, 2 when none is configured; \\fBcall\\fR exits 0 on a result, 1 when the tool",
    "answered an error (its text on standard error; a change needs \\fBconfirm=true\\fR), 2 on a",
    "usage or configuration error.",
    ".SH SEE ALSO",
    ".BR opensips (8),",
    ".BR opensips\\-cli (8),",
    ".BR systemd.exec (5);",
    "the project's README.md, docs/deploy.md (install, the systemd unit, TLS through a reverse",
    "proxy), docs/security.md and docs/tools.md (every tool).",
    NULL,
};

int man_write(FILE *out)
{
    struct settings_option o;

    fputs(".\\\" Generated by `opensips-mcp --man` (make man) from src/settings.c: do not edit.\n",
          out);
    fprintf(out, ".TH OPENSIPS\\-MCP 1 \"\" \"%s %s\" \"User Commands\"\n", OPENSIPS_MCP_NAME,
            OPENSIPS_MCP_VERSION);
    lines(out, head);
    for (size_t i = 0; settings_option(i, &o); i++)
        option(out, &o);
    lines(out, tail);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
