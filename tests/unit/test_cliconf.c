/* test_cliconf: opensips-cli's INI file as sections of key/value pairs (cliconf.c): [DEFAULT]
 * merging, comments, white space, a section given twice, the line, section and size limits, an
 * empty or missing file, a section without keys, and every refusal's text. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cliconf.h"

static char err[1024];
static char dir[] = "/tmp/cliconf-test-XXXXXX";
static char path[256];

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static const struct cliconf_section *section(const struct cliconf *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->sections[i].name, name))
            return &c->sections[i];
    return NULL;
}

/* The value of key in section name, NULL when either is missing. */
static const char *get(const struct cliconf *c, const char *name, const char *key)
{
    const struct cliconf_section *s = section(c, name);
    return s ? cliconf_get(c, s, key) : NULL;
}

/* Load text: its return, err filled on failure. */
static int load(struct cliconf *c, const char *text)
{
    write_file(text);
    err[0] = '\0';
    return cliconf_load(c, path, err, sizeof(err));
}

/* Load text, expect it refused with a message holding want; release. */
static void refused(const char *text, const char *want)
{
    struct cliconf c;
    CHECK(load(&c, text) == CLICONF_ERR_FILE);
    CHECK_CONTAINS(err, want);
    CHECK_CONTAINS(err, path);
    if (!check_contains(err, want))
        fprintf(stderr, "  got: %s\n", err);
    cliconf_release(&c);
}

static void test_default_merging(void)
{
    struct cliconf c;

    /* [DEFAULT] applies to every section, before or after it, and may come twice */
    CHECK(load(&c, "[a]\nurl: a-url\n[DEFAULT]\nurl: d-url\nfifo_file: /d\n[b]\n"
                   "fifo_file =\n[DEFAULT]\nprompt: p\n") == 0);
    CHECK(c.n == 2 && check_str(c.sections[0].name, "a") && check_str(c.sections[1].name, "b"));
    CHECK_STR(get(&c, "a", "url"), "a-url");      /* the section's own wins */
    CHECK_STR(get(&c, "a", "fifo_file"), "/d");   /* [DEFAULT]'s where it gives none */
    CHECK_STR(get(&c, "b", "url"), "d-url");
    CHECK_STR(get(&c, "b", "fifo_file"), "");     /* given empty: empty, as configparser */
    CHECK_STR(get(&c, "b", "prompt"), "p");       /* the second [DEFAULT] adds to the first */
    CHECK(get(&c, "a", "nope") == NULL);
    CHECK_STR(cliconf_get(&c, &c.defaults, "url"), "d-url");
    CHECK(cliconf_get(&c, &c.defaults, "nope") == NULL);
    cliconf_release(&c);
    CHECK(c.n == 0 && c.sections == NULL && c.defaults.n == 0);

    /* keys before any header belong to [DEFAULT]; a key given twice: the last one */
    CHECK(load(&c, "url: early\n[a]\nk: 1\nk: 2\n[DEFAULT]\nurl: late\n") == 0);
    CHECK_STR(get(&c, "a", "k"), "2");
    CHECK_STR(get(&c, "a", "url"), "late");
    cliconf_release(&c);
}

static void test_comments_and_space(void)
{
    struct cliconf c;

    CHECK(load(&c, "# a comment\n; another\n   # indented\n\n \t \n[  pbx 1 \t]  \n"
                   "  key one  =  value : with = both  \n"
                   "k2:v2\n"
                   "k3 = a # not a comment\n"
                   "k4:\n"
                   "k5 = \r\n") == 0);
    CHECK(c.n == 1);
    CHECK_STR(get(&c, "pbx 1", "key one"), "value : with = both"); /* split at the first */
    CHECK_STR(get(&c, "pbx 1", "k2"), "v2");
    CHECK_STR(get(&c, "pbx 1", "k3"), "a # not a comment"); /* inline: part of the value */
    CHECK_STR(get(&c, "pbx 1", "k4"), "");
    CHECK_STR(get(&c, "pbx 1", "k5"), "");                  /* CRLF trimmed */
    cliconf_release(&c);
    /* ':' before '=' splits at ':' */
    CHECK(load(&c, "[s]\nurl: http://h:1/mi?a=b\n") == 0);
    CHECK_STR(get(&c, "s", "url"), "http://h:1/mi?a=b");
    cliconf_release(&c);
}

static void test_sections(void)
{
    struct cliconf c;
    char *text;
    size_t len;

    /* a section with no keys is there, and [DEFAULT]'s keys apply to it */
    CHECK(load(&c, "[DEFAULT]\nurl: d\n[empty]\n[other]\nk: v\n") == 0);
    CHECK(c.n == 2 && section(&c, "empty") && section(&c, "empty")->n == 0);
    CHECK_STR(get(&c, "empty", "url"), "d");
    cliconf_release(&c);

    /* configparser refuses a section given twice; the name is quoted only when a node name */
    refused("[pbx1]\nk: v\n[pbx2]\n[pbx1]\n", ":4: a section appears twice (pbx1)");
    refused("[mysql://u:pw@h]\n[mysql://u:pw@h]\n", ":2: a section appears twice (a name that "
                                                    "is none)");
    CHECK(load(&c, "[mysql://u:pw@h]\n[mysql://u:pw@h]\n") < 0 && !strstr(err, "pw"));
    cliconf_release(&c);
    /* an empty name is a section like any other */
    CHECK(load(&c, "[]\nk: v\n") == 0 && c.n == 1 && check_str(c.sections[0].name, ""));
    cliconf_release(&c);

    /* CLICONF_SECTIONS_MAX sections, [DEFAULT] not counted; one more is refused */
    len = (CLICONF_SECTIONS_MAX + 1) * 16 + 32;
    text = calloc(1, len);
    size_t o = (size_t)snprintf(text, len, "[DEFAULT]\n");
    for (int i = 0; i < CLICONF_SECTIONS_MAX; i++)
        o += (size_t)snprintf(text + o, len - o, "[s%d]\nk: %d\n", i, i);
    CHECK(load(&c, text) == 0 && c.n == CLICONF_SECTIONS_MAX);
    CHECK_STR(get(&c, "s127", "k"), "127");
    cliconf_release(&c);
    snprintf(text + o, len - o, "[one-more]\n");
    refused(text, "more than 128 sections");
    free(text);

    refused("[a]\n[b\n", ":2: unclosed section header");
    refused("[a]\nk: v\njust words\n", ":3: expected 'key: value'");
}

static void test_limits(void)
{
    struct cliconf c;
    char *text = malloc(CLICONF_TEXT_MAX + 4096);

    /* a line of CLICONF_LINE_MAX bytes (newline not counted) is read whole, value included */
    memset(text, 0, CLICONF_TEXT_MAX + 4096);
    memcpy(text, "[s]\nk=", 6);
    memset(text + 6, 'v', CLICONF_LINE_MAX - 2);
    strcat(text, "\nnext: 1\n");
    CHECK(load(&c, text) == 0);
    CHECK(get(&c, "s", "k") && strlen(get(&c, "s", "k")) == CLICONF_LINE_MAX - 2);
    CHECK_STR(get(&c, "s", "next"), "1");
    cliconf_release(&c);
    /* one byte more is refused, with or without a newline after it */
    text[6 + CLICONF_LINE_MAX - 2] = 'v';
    text[6 + CLICONF_LINE_MAX - 1] = '\n';
    text[6 + CLICONF_LINE_MAX] = '\0';
    refused(text, ":2: line longer than 2048 bytes");
    text[6 + CLICONF_LINE_MAX - 1] = '\0';
    refused(text, ":2: line longer than 2048 bytes");
    /* a long comment line too: it is not cut and its rest read as another line */
    memset(text, '#', 1500);
    snprintf(text + 1500, 64, "\n[s]\nk: v\n");
    CHECK(load(&c, text) == 0 && check_str(get(&c, "s", "k"), "v"));
    cliconf_release(&c);

    /* more than CLICONF_TEXT_MAX bytes of names, keys and values are refused */
    size_t o = (size_t)snprintf(text, 16, "[s]\n");
    for (int i = 0; o < CLICONF_TEXT_MAX + 2048; i++) {
        o += (size_t)snprintf(text + o, 40, "k%d=", i);
        memset(text + o, 'x', 1000);
        o += 1000;
        text[o++] = '\n';
    }
    text[o] = '\0';
    refused(text, "more than 1048576 bytes of section names, keys and values");
    free(text);
}

static void test_files(void)
{
    struct cliconf c;
    char home[300];

    /* an empty file: no sections, no defaults */
    CHECK(load(&c, "") == 0 && c.n == 0 && c.defaults.n == 0 && check_str(c.path, path));
    cliconf_release(&c);
    /* a named file that is missing is an error that names it */
    CHECK(cliconf_load(&c, "/nonexistent/cli.cfg", err, sizeof(err)) == CLICONF_ERR_FILE);
    CHECK_CONTAINS(err, "cannot read opensips-cli config '/nonexistent/cli.cfg': No such file");
    cliconf_release(&c);
    /* no path: ~/.opensips-cli.cfg, else /etc/opensips-cli.cfg, else nothing and no error */
    setenv("HOME", dir, 1);
    snprintf(home, sizeof(home), "%s/.opensips-cli.cfg", dir);
    CHECK(cliconf_load(&c, NULL, err, sizeof(err)) == 0 && c.n == 0);
    CHECK(c.path[0] == '\0' || check_str(c.path, "/etc/opensips-cli.cfg"));
    cliconf_release(&c);
    FILE *f = fopen(home, "w");
    fputs("[home]\nk: v\n", f);
    fclose(f);
    CHECK(cliconf_load(&c, NULL, err, sizeof(err)) == 0 && check_str(c.path, home));
    CHECK_STR(get(&c, "home", "k"), "v");
    cliconf_release(&c);
    unlink(home);
    /* a directory opens but cannot be read as lines: no sections, as fgets sees none */
    CHECK(cliconf_load(&c, dir, err, sizeof(err)) == 0 && c.n == 0);
    cliconf_release(&c);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/opensips-cli.cfg", dir);
    test_default_merging();
    test_comments_and_space();
    test_sections();
    test_limits();
    test_files();
    unlink(path);
    rmdir(dir);
    return check_done("cliconf");
}
