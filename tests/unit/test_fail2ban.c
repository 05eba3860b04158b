/* Unit tests for the fail2ban tools' checks and parsers: addresses written as fail2ban keeps them
 * (and every bad one refused), jail names, the status trees fail2ban-client 1.0.2 printed (copied
 * from real runs), its counts, and its error sentences. */
#include "check.h"
#include "tools/fail2ban.h"

static char out[80], why[200];
static int prefix;

static int norm(const char *in)
{
    out[0] = why[0] = '\0';
    return f2b_ip_normalize(in, out, sizeof(out), &prefix, why, sizeof(why));
}

static void addresses(void)
{
    CHECK(norm("192.0.2.10") == 0 && check_str(out, "192.0.2.10") && prefix == 32);
    CHECK(norm("2001:DB8::5") == 0 && check_str(out, "2001:db8::5") && prefix == 128);
    CHECK(norm("2001:0db8:0000:0000:0000:0000:0000:0001") == 0 && check_str(out, "2001:db8::1"));
    CHECK(norm("::ffff:1.2.3.4") == 0 && check_str(out, "1.2.3.4") && prefix == 32);
    /* fail2ban keeps a mapped network as IPv6, with its host bits cleared */
    CHECK(norm("::ffff:1.2.3.7/120") == 0 && check_str(out, "::ffff:1.2.3.0/120") && prefix == 120);
    CHECK(norm("::ffff:10.0.0.0/104") == 0 && check_str(out, "::ffff:10.0.0.0/104"));
    CHECK(norm("2001:db8:0:0:1::/64") == 0 && check_str(out, "2001:db8::/64"));
    CHECK(norm("::1.2.3.4") == 0 && check_str(out, "::1.2.3.4"));
    /* as fail2ban stores them: host bits cleared, a full prefix dropped */
    CHECK(norm("10.1.1.7/24") == 0 && check_str(out, "10.1.1.0/24") && prefix == 24);
    CHECK(norm("10.1.1.7/32") == 0 && check_str(out, "10.1.1.7"));
    CHECK(norm("2001:db8::77/64") == 0 && check_str(out, "2001:db8::/64") && prefix == 64);
    CHECK(norm("0.0.0.0/0") == 0 && check_str(out, "0.0.0.0/0") && prefix == 0);

    static const char *const bad[] = {
        "", "1.2.3.4; rm", "999.1.1.1", "::zz", "1.2.3", "1.2.3.4.5", "01.2.3.4", " 1.2.3.4",
        "1.2.3.4 ", "notanip", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/2a",
        "2001:db8::1/129", "/24", "1.2.3.4/0024", "-1.2.3.4", "[::1]", "fe80::1%eth0",
        "1.2.3.4\n5.6.7.8", NULL};
    for (const char *const *b = bad; *b; b++) {
        int rc = norm(*b);
        CHECK(rc == -1);
        if (rc != -1)
            fprintf(stderr, "  accepted: '%s' as '%s'\n", *b, out);
        CHECK(why[0] != '\0');
    }
    CHECK(norm("") == -1 && check_contains(why, "empty"));
    CHECK(norm("1.2.3.4/33") == -1 && check_contains(why, "0 to 32"));
    char longer[200];
    memset(longer, '1', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    CHECK(norm(longer) == -1);
}

static void jails(void)
{
    CHECK(f2b_jail_ok("opensips"));
    CHECK(f2b_jail_ok("nginx-http-auth"));
    CHECK(f2b_jail_ok("opensips_udp.v2@x"));
    CHECK(!f2b_jail_ok(""));
    CHECK(!f2b_jail_ok("-s"));
    CHECK(!f2b_jail_ok("a b"));
    CHECK(!f2b_jail_ok("a;b"));
    CHECK(!f2b_jail_ok("a/b"));
    CHECK(!f2b_jail_ok("a\nb"));
    CHECK(!f2b_jail_ok("0123456789012345678901234567890123456789012345678901234567890123x"));
}

/* Real outputs of fail2ban-client 1.0.2 */
static const char global[] = "Status\n|- Number of jail:\t2\n`- Jail list:\topensips, other\n";
static const char jail[] =
    "Status for the jail: opensips\n"
    "|- Filter\n"
    "|  |- Currently failed:\t0\n"
    "|  |- Total failed:\t0\n"
    "|  `- File list:\t/tmp/f2b-probe/log/opensips.log\n"
    "`- Actions\n"
    "   |- Currently banned:\t3\n"
    "   |- Total banned:\t3\n"
    "   `- Banned IP list:\t192.0.2.10 2001:db8::1 10.0.0.0/24\n";
static const char empty[] =
    "Status for the jail: opensips\n|- Filter\n|  |- Currently failed:\t0\n"
    "|  |- Total failed:\t0\n|  `- File list:\t/x.log\n`- Actions\n"
    "   |- Currently banned:\t0\n   |- Total banned:\t0\n   `- Banned IP list:\t\n";

static void trees(void)
{
    json_t *t = f2b_parse_tree(global), *l;

    CHECK(t && check_str(json_string_value(json_object_get(t, "number_of_jail")), "2"));
    l = f2b_split(json_string_value(json_object_get(t, "jail_list")), ", ");
    CHECK(json_array_size(l) == 2 && check_str(json_string_value(json_array_get(l, 1)), "other"));
    json_decref(l);
    json_decref(t);

    t = f2b_parse_tree(jail);
    CHECK(t && check_str(json_string_value(json_object_get(t, "currently_banned")), "3"));
    CHECK(check_str(json_string_value(json_object_get(t, "file_list")),
                    "/tmp/f2b-probe/log/opensips.log"));
    CHECK(!json_object_get(t, "filter") && !json_object_get(t, "actions"));
    l = f2b_split(json_string_value(json_object_get(t, "banned_ip_list")), " ");
    CHECK(json_array_size(l) == 3);
    CHECK(check_str(json_string_value(json_array_get(l, 2)), "10.0.0.0/24"));
    json_decref(l);
    json_decref(t);

    t = f2b_parse_tree(empty);
    CHECK(t && check_str(json_string_value(json_object_get(t, "banned_ip_list")), ""));
    l = f2b_split(json_string_value(json_object_get(t, "banned_ip_list")), " ");
    CHECK(json_array_size(l) == 0);
    json_decref(l);
    json_decref(t);

    /* "Jail list:" with no jail */
    t = f2b_parse_tree("Status\n|- Number of jail:\t0\n`- Jail list:\t\n");
    l = f2b_split(json_string_value(json_object_get(t, "jail_list")), ", ");
    CHECK(t && json_array_size(l) == 0);
    json_decref(l);
    json_decref(t);

    CHECK(!f2b_parse_tree(""));
    /* a line with a key, not a status tree: the callers look for their keys */
    t = f2b_parse_tree("Server replied: pong\n");
    CHECK(t && !json_object_get(t, "jail_list"));
    json_decref(t);
    CHECK(!f2b_parse_tree("garbage\nno keys here\n"));
}

static void counts(void)
{
    CHECK(f2b_count("1\n") == 1);
    CHECK(f2b_count("0\n") == 0);
    CHECK(f2b_count("2") == 2);
    CHECK(f2b_count("some warning\n1\n") == 1);
    CHECK(f2b_count("") == -1);
    CHECK(f2b_count("OK\n") == -1);
    CHECK(f2b_count("1x\n") == -1);
    CHECK(f2b_count("-1\n") == -1);
}

static void failures(void)
{
    CHECK(f2b_failure_of("", "2026-12-01 23:28:08,249 fail2ban [13280]: ERROR   Failed to access "
                             "socket path: /tmp/x.sock. Is fail2ban running?\n") ==
          F2B_FAIL_NOT_RUNNING);
    CHECK(f2b_failure_of("", "ERROR   [[Errno 111] Connection refused] Unable to contact server. "
                             "Is it running?\n") == F2B_FAIL_NOT_RUNNING);
    CHECK(f2b_failure_of("", "ERROR   Permission denied to socket: /var/run/fail2ban/fail2ban."
                             "sock, (you must be root)\n") == F2B_FAIL_PERMISSION);
    CHECK(f2b_failure_of("Sorry but the jail 'nosuch' does not exist\n",
                         "ERROR   NOK: ('nosuch',)\n") == F2B_FAIL_NO_JAIL);
    CHECK(f2b_failure_of("Sorry but the command is invalid\n", "") == F2B_FAIL_INVALID);
    CHECK(f2b_failure_of("something else", "") == F2B_FAIL_OTHER);
    CHECK(f2b_failure_of(NULL, NULL) == F2B_FAIL_OTHER);
}

int main(void)
{
    addresses();
    jails();
    trees();
    counts();
    failures();
    return check_done("fail2ban");
}
