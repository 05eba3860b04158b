/* tools/fail2ban: what the fail2ban tools read and check, apart from running fail2ban-client:
 * an address as fail2ban stores it, a jail name, and the client's answers parsed from the forms
 * it prints (fail2ban 1.0 and 1.1: the status tree, "1"/"0", its error sentences). */
#ifndef TOOLS_FAIL2BAN_H
#define TOOLS_FAIL2BAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define F2B_IP_MAX 64     /* bytes of an address argument, "/128" included */
#define F2B_JAIL_MAX 64   /* bytes of a jail name */

/* `in` as fail2ban keeps it: an IPv4 or IPv6 address, optionally "/prefix" (v4 0..32, v6
 * 0..128), written canonically as fail2ban 1.0.2 does (inet_ntop: IPv6 lower case and shortest;
 * an IPv4-mapped IPv6 address, not a network, as its IPv4; a network's host bits cleared; a
 * full-length prefix dropped), into out
 * (size n >= F2B_IP_MAX). *prefix gets the prefix length (32 or 128 for one address). 0, or -1
 * with a sentence in why (size whyn) saying what is wrong with it. */
int f2b_ip_normalize(const char *in, char *out, size_t n, int *prefix, char *why, size_t whyn);

/* Whether `s` can be a jail name: 1..F2B_JAIL_MAX bytes of [A-Za-z0-9_.@-], not starting with
 * '-' (fail2ban-client would read it as an option). */
bool f2b_jail_ok(const char *s);

/* The status tree `fail2ban-client status` (or `status <jail>`) prints, as an object of its
 * "Key: value" lines, keyed by the key in lower case with spaces as '_' ("jail_list",
 * "currently_failed", "banned_ip_list"); section lines ("Filter") are skipped. NULL when
 * `text` holds no such line. */
json_t *f2b_parse_tree(const char *text);

/* "a, b" (the jail list) or "a b" (the banned list, the file list) as a new array of strings;
 * `sep` is the separator (", " or " "); empty fields are left out. */
json_t *f2b_split(const char *s, const char *sep);

/* The number `set <jail> banip|unbanip` printed (its last line), or -1 when it is not one. */
long f2b_count(const char *out);

/* What a failed fail2ban-client said, from its stdout and stderr. */
enum f2b_failure {
    F2B_FAIL_OTHER,
    F2B_FAIL_NOT_RUNNING,  /* "Failed to access socket path", "Unable to contact server" */
    F2B_FAIL_PERMISSION,   /* "Permission denied to socket" */
    F2B_FAIL_NO_JAIL,      /* "Sorry but the jail '...' does not exist" */
    F2B_FAIL_INVALID,      /* "Sorry but the command is invalid" */
};
enum f2b_failure f2b_failure_of(const char *out, const char *err);

#endif
