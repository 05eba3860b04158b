/* Unit tests for codegen/mi_codegen: small synthetic modules (an array of 4.x and of 3.x
 * entries, an empty one, none with positional and designated exports, one-line and #if-wrapped
 * shapes), refusals (a duplicate by literal, macro or alias; bad names, descriptions and file
 * names; sources that are not modules; limits), CRLF and unterminated last lines, each patch
 * applied with patch(1) and compared with the patched source; then the proof the issue asks for:
 * real modules of OpenSIPS 4.0.1 and 3.6.8, patched with patch(1) and compiled as OpenSIPS's own
 * build compiles them (tests/unit/mi_codegen_cc.sh), and every module file of both trees run
 * through the generator. The real-tree parts skip when the trees are absent. */
#include "codegen/mi_codegen.h"
#include "cfg_prefix.h"
#include "check.h"

#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[1024];
static char tmpdir[] = "/tmp/test_mi_codegen.XXXXXX";

static int add(const char *src, const char *name, const char *desc, const char *file,
               struct mi_codegen_result *r)
{
    return mi_codegen_add(src, strlen(src), name, desc, file, r, err, sizeof(err));
}

static bool write_file(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(s, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    if (s) {
        s[n] = '\0';
        *len = (size_t)n;
    }
    return s;
}

/* Apply r's patch to src with patch(1) in a scratch directory: the result must be r's source. */
static bool patch_applies(const char *src, size_t srclen, const struct mi_codegen_result *r,
                          const char *file)
{
    char dir[300], path[400], diff[400], cmd[1400];
    static int n;
    snprintf(dir, sizeof(dir), "%s/p%d", tmpdir, n++);
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    snprintf(diff, sizeof(diff), "%s.diff", dir);
    char *slash = strrchr(path, '/');
    snprintf(cmd, sizeof(cmd), "mkdir -p '%.*s'", (int)(slash - path), path);
    if (system(cmd) != 0 || !write_file(path, src, srclen) ||
        !write_file(diff, r->patch, r->patch_len))
        return false;
    snprintf(cmd, sizeof(cmd), "cd '%s' && patch -s -p1 < '%s' > /dev/null 2>&1", dir, diff);
    if (system(cmd) != 0)
        return false;
    size_t len = 0;
    char *got = read_file(path, &len);
    bool same = got && len == r->source_len && !memcmp(got, r->source, len);
    free(got);
    return same;
}

/* The 1-based line n of s (without its end), into buf. */
static const char *line_at(const char *s, unsigned n, char *buf, size_t len)
{
    for (unsigned i = 1; i < n && s; i++)
        if ((s = strchr(s, '\n')))
            s++;
    if (!s)
        return "";
    size_t k = strcspn(s, "\r\n");
    snprintf(buf, len, "%.*s", (int)k, s);
    return buf;
}

#define MOD_HEAD "#include \"../../sr_module.h\"\n\nstatic int mod_init(void);\n\n"

#define EXPORTS(mi) \
    "struct module_exports exports = {\n" \
    "\t\"demo\",\n\tMOD_TYPE_DEFAULT,\n\tMODULE_VERSION,\n\tDEFAULT_DLFLAGS,\n\t0,\n" \
    "\tNULL,\n\tcmds,\n\t0,\n\tparams,\n\t0,\n" \
    "\t" mi ",           /* exported MI functions */\n" \
    "\t0,\n\t0,\n\t0,\n\t0,\n\tmod_init,\n\t0,\n\t0,\n\t0,\n\t0\n};\n"

static const char mod40[] =
    MOD_HEAD
    "#define MI_DEMO_SHOW \"demo_show\"\n\n"
    "/* the MI commands */\n"
    "static const mi_export_t mi_cmds[] = {\n"
    "\t{MI_DEMO_SHOW, \"shows\", 0, 0, {\n"
    "\t\t{mi_show, {0}},\n"
    "\t\t{EMPTY_MI_RECIPE}}, {\"demo_display\", 0}},\n"
    "\t{\"demo_\" \"reset\", 0, 0, 0, {\n"
    "\t\t{mi_reset, {\"what\", 0}},\n"
    "\t\t{EMPTY_MI_RECIPE}}, {0}},\n"
    "\t{EMPTY_MI_EXPORT}\n"
    "};\n\n"
    EXPORTS("mi_cmds");

static void test_array_40(void)
{
    struct mi_codegen_result r;
    char buf[256];

    CHECK(add(mod40, "demo_new", "Adds a demo", NULL, &r) == MI_CODEGEN_OK);
    CHECK(!r.created_array);
    CHECK_STR(r.module, "demo");
    CHECK_STR(r.handler, "mi_demo_new");
    CHECK_PREFIX(r.patch, "--- a/demo.c\n+++ b/demo.c\n@@ -4,6 +4,30 @@\n");
    /* the handler before the array and the comment above it, the entry before the terminator */
    CHECK_STR(line_at(r.source, r.handler_line, buf, sizeof(buf)),
              "static mi_response_t *mi_demo_new(const mi_params_t *params,");
    CHECK_STR(line_at(r.source, r.handler_line - 2, buf, sizeof(buf)),
              "/* MI command 'demo_new': Adds a demo.");
    CHECK_STR(line_at(r.source, r.entry_line, buf, sizeof(buf)),
              "\t{\"demo_new\", \"Adds a demo\", 0, 0, {");
    CHECK_STR(line_at(r.source, r.entry_line + 1, buf, sizeof(buf)),
              "\t\t{mi_demo_new, {\"value\", 0}},");
    CHECK_STR(line_at(r.source, r.entry_line + 2, buf, sizeof(buf)),
              "\t\t{EMPTY_MI_RECIPE}}, {0}},");
    CHECK_STR(line_at(r.source, r.entry_line + 3, buf, sizeof(buf)), "\t{EMPTY_MI_EXPORT}");
    CHECK(strstr(r.source, "/* the MI commands */\nstatic const mi_export_t") != NULL);
    CHECK(strstr(r.source, "}\n\n/* the MI commands */") != NULL);
    CHECK_CONTAINS(r.source, "get_mi_string_param(params, \"value\", &value.s, &value.len) < 0)"
                             "\n\t\treturn init_mi_param_error();");
    CHECK_CONTAINS(r.source, "resp = init_mi_result_object(&resp_obj);");
    CHECK(patch_applies(mod40, strlen(mod40), &r, "demo.c"));
    CHECK(r.n_notes == 1); /* the macro resolved in the source: nothing unchecked */
    mi_codegen_result_release(&r);

    /* the same names the array has, by macro, by literal pieces and by alias */
    CHECK(add(mod40, "demo_show", NULL, NULL, &r) == MI_CODEGEN_E_EXISTS);
    CHECK_CONTAINS(err, "MI command 'demo_show' already exists in 'mi_cmds' (line 9)");
    mi_codegen_result_release(&r);
    CHECK(add(mod40, "demo_reset", NULL, NULL, &r) == MI_CODEGEN_E_EXISTS);
    mi_codegen_result_release(&r);
    static const char two[] = MOD_HEAD "#define NAME \"demo_\" \"x\" /* two pieces */\n"
        "static const mi_export_t mi_cmds[] = {\n\t{NAME, 0, 0, 0, {{mi_a, {0}}, "
        "{EMPTY_MI_RECIPE}}, {0}},\n\t{EMPTY_MI_EXPORT}\n};\n" EXPORTS("mi_cmds");
    CHECK(add(two, "demo_", NULL, NULL, &r) == MI_CODEGEN_OK); /* not "demo_" alone */
    CHECK_CONTAINS(r.notes[0], "by a macro this source does not define as one string (NAME)");
    mi_codegen_result_release(&r);
    CHECK(add(mod40, "demo_display", NULL, NULL, &r) == MI_CODEGEN_E_EXISTS);
    CHECK_CONTAINS(err, "'demo_display' is already an alias of MI command 'demo_show'");
    mi_codegen_result_release(&r);

    /* a file name given; the handler's name taken */
    CHECK(add(mod40, "show", NULL, "modules/demo/demo_mod.c", &r) == MI_CODEGEN_OK);
    CHECK_STR(r.handler, "mi_show_cmd");
    CHECK_PREFIX(r.patch, "--- a/modules/demo/demo_mod.c\n+++ b/modules/demo/demo_mod.c\n");
    CHECK_CONTAINS(r.notes[0], "'mi_show' is taken");
    CHECK(patch_applies(mod40, strlen(mod40), &r, "modules/demo/demo_mod.c"));
    mi_codegen_result_release(&r);
}

static const char mod36[] =
    MOD_HEAD
    "static mi_export_t mi_cmds [] = {\n"
    "    { MI_FROM_HEADER, 0, 0, 0, {\n"
    "        {mi_show, {0}},\n"
    "        {EMPTY_MI_RECIPE}}\n"
    "    },\n"
    "    {0,0,0,0,{{0,{0}}}}\n"
    "};\n\n"
    EXPORTS("mi_cmds");

static void test_array_36(void)
{
    struct mi_codegen_result r;
    char buf[256];

    /* five members and spaces: copied; a zero terminator; a macro from a header noted */
    CHECK(add(mod36, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_STR(line_at(r.source, r.entry_line, buf, sizeof(buf)),
              "    {\"demo_new\", \"demo_new: describe what it does\", 0, 0, {");
    CHECK_STR(line_at(r.source, r.entry_line + 2, buf, sizeof(buf)),
              "        {EMPTY_MI_RECIPE}}},");
    /* the handler at the file's indentation (mostly tabs) */
    CHECK_STR(line_at(r.source, r.handler_line + 3, buf, sizeof(buf)), "\tmi_response_t *resp;");
    CHECK_CONTAINS(r.notes[0], "1 entry of 'mi_cmds' names the command by a macro this source "
                               "does not define as one string (MI_FROM_HEADER)");
    CHECK(patch_applies(mod36, strlen(mod36), &r, "demo.c"));
    mi_codegen_result_release(&r);
}

static void test_empty_and_one_line(void)
{
    struct mi_codegen_result r;
    char buf[256];
    static const char empty[] = MOD_HEAD
        "static const mi_export_t mi_cmds[] = {\n\t{EMPTY_MI_EXPORT}\n};\n" EXPORTS("mi_cmds");
    static const char one[] = MOD_HEAD
        "static const mi_export_t mi_cmds[] = { {EMPTY_MI_EXPORT} };\n" EXPORTS("mi_cmds");

    CHECK(add(empty, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_STR(line_at(r.source, r.entry_line, buf, sizeof(buf)),
              "\t{.name = \"demo_new\", .help = \"demo_new: describe what it does\", .flags = 0, "
              ".init_f = 0, .recipes = {");
    CHECK_CONTAINS(r.notes[0], "no entry to copy");
    CHECK(patch_applies(empty, strlen(empty), &r, "demo.c"));
    mi_codegen_result_release(&r);

    /* the terminator shares its line: the line is broken before it */
    CHECK(add(one, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.source, "static const mi_export_t mi_cmds[] = {\n\t{.name = \"demo_new\"");
    CHECK_CONTAINS(r.source, "{EMPTY_MI_RECIPE}}},\n\t{EMPTY_MI_EXPORT} };\n");
    CHECK_STR(line_at(r.source, r.entry_line, buf, sizeof(buf)),
              "\t{.name = \"demo_new\", .help = \"demo_new: describe what it does\", .flags = 0, "
              ".init_f = 0, .recipes = {");
    CHECK(patch_applies(one, strlen(one), &r, "demo.c"));
    mi_codegen_result_release(&r);
}

static void test_no_array(void)
{
    struct mi_codegen_result r;
    char buf[256];
    static const char positional[] = MOD_HEAD "/* the exports */\n" EXPORTS("0");
    static const char with_null[] = MOD_HEAD EXPORTS("NULL");
    static const char short_[] = MOD_HEAD
        "struct module_exports exports = {\n\t\"demo\",\n\tMOD_TYPE_DEFAULT,\n\t0\n};\n";
    static const char elsewhere[] = MOD_HEAD EXPORTS("demo_mi_cmds");
    static const char named_null[] = MOD_HEAD
        "struct module_exports exports = {\n\t.name = \"demo\",\n\t.mi_cmds = NULL,\n"
        "\t.init_f = mod_init,\n};\n";
    static const char named_none[] = MOD_HEAD
        "struct module_exports exports = {\n\t.name = \"demo\",\n\t.init_f = mod_init,\n};\n";
    static const char wrapped[] = MOD_HEAD
        "#ifdef STATIC_DEMO\nstruct module_exports demo_exports = {\n#else\n"
        "struct module_exports exports= {\n#endif\n\t\"demo\",\n\tMOD_TYPE_DEFAULT,\n"
        "\tMODULE_VERSION,\n\tDEFAULT_DLFLAGS,\n\t0,\n\tNULL,\n\tcmds,\n\t0,\n\tparams,\n\t0,\n"
        "\t0,          /* exported MI functions */\n"
        "\t0,\n\t0,\n\t0,\n\t0,\n\tmod_init,\n\t0,\n\t0,\n\t0,\n\t0\n};\n";

    CHECK(add(positional, "demo_new", "New", NULL, &r) == MI_CODEGEN_OK);
    CHECK(r.created_array);
    /* the comment's column kept */
    CHECK_CONTAINS(r.source, "\n\tmi_cmds,     /* exported MI functions */\n");
    CHECK_CONTAINS(r.source, "\n}\n\nstatic const mi_export_t mi_cmds[] = {\n\t{.name = "
                             "\"demo_new\", .help = \"New\",");
    CHECK_CONTAINS(r.source, "\t{EMPTY_MI_EXPORT}\n};\n\n/* the exports */\nstruct module_exports");
    CHECK_STR(line_at(r.source, r.entry_line - 1, buf, sizeof(buf)),
              "static const mi_export_t mi_cmds[] = {");
    CHECK_CONTAINS(r.patch, "\n-\t0,           /* exported MI functions */\n"
                            "+\tmi_cmds,     /* exported MI functions */\n");
    CHECK(patch_applies(positional, strlen(positional), &r, "demo.c"));
    mi_codegen_result_release(&r);

    CHECK(add(with_null, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.source, "\n\tmi_cmds,        /* exported MI functions */\n");
    mi_codegen_result_release(&r);

    CHECK(add(named_null, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.source, "\n\t.mi_cmds = mi_cmds,\n\t.init_f");
    CHECK(patch_applies(named_null, strlen(named_null), &r, "demo.c"));
    mi_codegen_result_release(&r);

    CHECK(add(named_none, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.source, "= {\n\t.mi_cmds = mi_cmds,\n\t.name = \"demo\",");
    CHECK(patch_applies(named_none, strlen(named_none), &r, "demo.c"));
    mi_codegen_result_release(&r);

    /* above the whole #if that holds the exports */
    CHECK(add(wrapped, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.source, "};\n\n#ifdef STATIC_DEMO\nstruct module_exports demo_exports");
    CHECK_CONTAINS(r.source, "\tmi_cmds,    /* exported MI functions */");
    CHECK(patch_applies(wrapped, strlen(wrapped), &r, "demo.c"));
    mi_codegen_result_release(&r);

    /* an array inside an #if: the handler stays inside it too */
    static const char cond[] = MOD_HEAD
        "#ifdef STATISTICS\nstatic const mi_export_t mi_cmds[] = {\n\t{EMPTY_MI_EXPORT}\n};\n"
        "#endif\n" EXPORTS("mi_cmds");
    CHECK(add(cond, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.source, "#ifdef STATISTICS\n\n/* MI command 'demo_new'");
    CHECK(patch_applies(cond, strlen(cond), &r, "demo.c"));
    mi_codegen_result_release(&r);

    CHECK(add(short_, "demo_new", NULL, NULL, &r) == MI_CODEGEN_E_UNSUPPORTED);
    CHECK_CONTAINS(err, "has 3 members, not the 20 of OpenSIPS 3.6/4.0");
    CHECK_CONTAINS(err, "add by hand a 'static const mi_export_t mi_cmds[]'");
    mi_codegen_result_release(&r);

    CHECK(add(elsewhere, "demo_new", NULL, NULL, &r) == MI_CODEGEN_E_UNSUPPORTED);
    CHECK_CONTAINS(err, "exports names its MI commands 'demo_mi_cmds'");
    CHECK_CONTAINS(err, "which this source does not define");
    mi_codegen_result_release(&r);

    /* mi_cmds taken by something else: the array is named after the module */
    static const char taken[] = MOD_HEAD "static int mi_cmds;\n" EXPORTS("0");
    CHECK(add(taken, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.source, "static const mi_export_t demo_mi_cmds[] = {");
    CHECK_CONTAINS(r.source, "\tdemo_mi_cmds, /* exported MI functions */");
    mi_codegen_result_release(&r);
}

static void test_hostile_description(void)
{
    struct mi_codegen_result r;
    char buf[512];
    const char *evil = "end */ int evil; /* \"quoted\" back\\slash ?\?=trigraph ?\?/";

    CHECK(add(mod40, "demo_new", evil, NULL, &r) == MI_CODEGEN_OK);
    CHECK_STR(line_at(r.source, r.handler_line - 2, buf, sizeof(buf)),
              "/* MI command 'demo_new': end * / int evil; / * \"quoted\" back\\slash ? ?=trigraph "
              "? ?/.");
    CHECK_STR(line_at(r.source, r.entry_line, buf, sizeof(buf)),
              "\t{\"demo_new\", \"end */ int evil; /* \\\"quoted\\\" back\\\\slash ?\\?=trigraph "
              "?\\?/\", 0, 0, {");
    mi_codegen_result_release(&r);

    CHECK(add(mod40, "demo_new", "two\nlines", NULL, &r) == MI_CODEGEN_E_ARGS);
    CHECK_CONTAINS(err, "control character 0x0a at byte 4");
    mi_codegen_result_release(&r);
    CHECK(add(mod40, "demo_new", "tab\there", NULL, &r) == MI_CODEGEN_E_ARGS);
    mi_codegen_result_release(&r);
    char longd[MI_CODEGEN_DESC_MAX + 2];
    memset(longd, 'a', sizeof(longd) - 1);
    longd[sizeof(longd) - 1] = '\0';
    CHECK(add(mod40, "demo_new", longd, NULL, &r) == MI_CODEGEN_E_ARGS);
    CHECK_CONTAINS(err, "command_description is 257 bytes; at most 256");
    mi_codegen_result_release(&r);
    longd[MI_CODEGEN_DESC_MAX] = '\0';
    CHECK(add(mod40, "demo_new", longd, NULL, &r) == MI_CODEGEN_OK);
    mi_codegen_result_release(&r);
    /* UTF-8 text is kept as it is */
    CHECK(add(mod40, "demo_new", "caf\xc3\xa9", NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.source, "\"caf\xc3\xa9\"");
    mi_codegen_result_release(&r);
}

static void test_bad_names(void)
{
    struct mi_codegen_result r;
    static const char *const bad[] = {"", "Bad", "1abc", "_x", "a-b", "a:b", "a b", "caf\xc3\xa9",
                                      "a\x01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(add(mod40, bad[i], NULL, NULL, &r) == MI_CODEGEN_E_ARGS);
        CHECK_CONTAINS(err, "command_name");
        mi_codegen_result_release(&r);
    }
    CHECK(add(mod40, "a:b", NULL, NULL, &r) == MI_CODEGEN_E_ARGS);
    CHECK_CONTAINS(err, "command_name 'a:b' has ':' at position 2");
    mi_codegen_result_release(&r);
    CHECK(add(mod40, "a\x01", NULL, NULL, &r) == MI_CODEGEN_E_ARGS);
    CHECK_CONTAINS(err, "command_name has byte 0x01 at position 2");
    mi_codegen_result_release(&r);

    char name[MI_CODEGEN_NAME_MAX + 2];
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    CHECK(add(mod40, name, NULL, NULL, &r) == MI_CODEGEN_E_ARGS);
    mi_codegen_result_release(&r);
    name[MI_CODEGEN_NAME_MAX] = '\0';
    CHECK(add(mod40, name, NULL, NULL, &r) == MI_CODEGEN_OK);
    mi_codegen_result_release(&r);

    static const char *const files[] = {"", "/etc/passwd", "../x.c", "a/../b.c", "a b.c",
                                        "x.c\n+++ b/y.c"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        CHECK(add(mod40, "demo_new", NULL, files[i], &r) == MI_CODEGEN_E_ARGS);
        CHECK_CONTAINS(err, "file_name must be a relative path");
        mi_codegen_result_release(&r);
    }
}

static void test_not_modules_and_limits(void)
{
    struct mi_codegen_result r;

    CHECK(add("int main(void) { return 0; }\n", "demo_new", NULL, NULL, &r) ==
          MI_CODEGEN_E_NOT_MODULE);
    CHECK_CONTAINS(err, "module_source is not an OpenSIPS module");
    mi_codegen_result_release(&r);
    CHECK(add("", "demo_new", NULL, NULL, &r) == MI_CODEGEN_E_NOT_MODULE);
    mi_codegen_result_release(&r);
    /* a declaration is not a definition */
    CHECK(add("extern struct module_exports exports;\n", "demo_new", NULL, NULL, &r) ==
          MI_CODEGEN_E_NOT_MODULE);
    mi_codegen_result_release(&r);
    /* in a comment or a string: not code */
    CHECK(add("/* struct module_exports exports = { } */\nchar *s = \"struct module_exports e = "
              "{}\";\n", "demo_new", NULL, NULL, &r) == MI_CODEGEN_E_NOT_MODULE);
    mi_codegen_result_release(&r);
    CHECK(add("int a;\n/* never closed\nstruct module_exports exports = {\n};\n", "demo_new",
              NULL, NULL, &r) == MI_CODEGEN_E_NOT_MODULE);
    CHECK_CONTAINS(err, "a comment opened on line 2 never closes");
    mi_codegen_result_release(&r);
    CHECK(add("char *s = \"open\n;", "demo_new", NULL, NULL, &r) == MI_CODEGEN_E_NOT_MODULE);
    CHECK_CONTAINS(err, "a string literal on line 1 does not end on its line");
    mi_codegen_result_release(&r);
    CHECK(add("struct module_exports exports = { \"x\", (", "demo_new", NULL, NULL, &r) ==
          MI_CODEGEN_E_NOT_MODULE);
    mi_codegen_result_release(&r);

    /* an array the exports do not name, two arrays, no terminator */
    static const char unnamed[] = MOD_HEAD
        "static const mi_export_t mine[] = {\n\t{EMPTY_MI_EXPORT}\n};\n" EXPORTS("0");
    CHECK(add(unnamed, "demo_new", NULL, NULL, &r) == MI_CODEGEN_E_UNSUPPORTED);
    CHECK_CONTAINS(err, "defines the mi_export_t array 'mine' (line 5), but exports' MI member "
                        "is 0");
    mi_codegen_result_release(&r);
    static const char unterminated[] = MOD_HEAD
        "static const mi_export_t mi_cmds[] = {\n\t{\"a\", 0, 0, 0, {{mi_a, {0}}, "
        "{EMPTY_MI_RECIPE}}},\n};\n" EXPORTS("mi_cmds");
    CHECK(add(unterminated, "demo_new", NULL, NULL, &r) == MI_CODEGEN_E_UNSUPPORTED);
    CHECK_CONTAINS(err, "does not end with {EMPTY_MI_EXPORT}");
    mi_codegen_result_release(&r);

    /* sizes and bytes */
    size_t big = MI_CODEGEN_SOURCE_MAX + 1;
    char *s = malloc(big + 1);
    memset(s, ' ', big);
    s[big] = '\0';
    CHECK(mi_codegen_add(s, big, "demo_new", NULL, NULL, &r, err, sizeof(err)) ==
          MI_CODEGEN_E_ARGS);
    CHECK_CONTAINS(err, "module_source is 1048577 bytes; at most 1048576");
    mi_codegen_result_release(&r);
    /* exactly at the limit: read (and this one is a module) */
    memcpy(s, mod40, strlen(mod40));
    CHECK(mi_codegen_add(s, big - 1, "demo_new", NULL, NULL, &r, err, sizeof(err)) ==
          MI_CODEGEN_OK);
    mi_codegen_result_release(&r);
    s[10] = '\0';
    CHECK(mi_codegen_add(s, big - 1, "demo_new", NULL, NULL, &r, err, sizeof(err)) ==
          MI_CODEGEN_E_ARGS);
    CHECK_CONTAINS(err, "module_source has a NUL byte at byte 11");
    mi_codegen_result_release(&r);
    free(s);
}

/* `piece` repeated to nearly `size` bytes, then `tail_`. */
static char *repeat(const char *piece, size_t size, const char *tail_, size_t *len)
{
    size_t pl = strlen(piece), tl = strlen(tail_), n = (size - tl) / pl;
    char *s = malloc(n * pl + tl + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * pl, piece, pl);
    memcpy(s + n * pl, tail_, tl + 1);
    *len = n * pl + tl;
    return s;
}

/* Sources of 1 MiB built to make a naive scan quadratic (a forward search for each of 40 000
 * unclosed brackets, each of 100 000 comment lines or #else above the exports, 20 000 macros
 * looked up for 20 000 entries): answered like any other. The bound is the suite's, not a
 * clock. */
static void test_hostile_sizes(void)
{
    struct mi_codegen_result r;
    size_t len;
    char *s;

    s = repeat("static const mi_export_t a[", MI_CODEGEN_SOURCE_MAX, "", &len);
    CHECK(mi_codegen_add(s, len, "demo_new", NULL, NULL, &r, err, sizeof(err)) ==
          MI_CODEGEN_E_NOT_MODULE);
    mi_codegen_result_release(&r);
    free(s);
    s = repeat("struct module_exports e = {", MI_CODEGEN_SOURCE_MAX, "", &len);
    CHECK(mi_codegen_add(s, len, "demo_new", NULL, NULL, &r, err, sizeof(err)) ==
          MI_CODEGEN_E_NOT_MODULE);
    mi_codegen_result_release(&r);
    free(s);
    static const char *const above[] = {"// c\n", "/* c */\n", "#else\n", "#if A\n#else\n"};
    for (size_t i = 0; i < sizeof(above) / sizeof(above[0]); i++) {
        s = repeat(above[i], MI_CODEGEN_SOURCE_MAX, EXPORTS("0"), &len);
        CHECK(mi_codegen_add(s, len, "demo_new", NULL, NULL, &r, err, sizeof(err)) ==
              MI_CODEGEN_OK);
        CHECK(r.created_array);
        mi_codegen_result_release(&r);
        free(s);
    }
    /* 20 000 macros, and an array of 20 000 entries naming them */
    struct { char *s; size_t len, cap; } b = {malloc(MI_CODEGEN_SOURCE_MAX), 0,
                                               MI_CODEGEN_SOURCE_MAX};
    for (int i = 0; i < 20000; i++)
        b.len += (size_t)snprintf(b.s + b.len, b.cap - b.len, "#define M%d \"c%d\"\n", i, i);
    b.len += (size_t)snprintf(b.s + b.len, b.cap - b.len,
                              "static const mi_export_t mi_cmds[] = {\n");
    for (int i = 0; i < 20000; i++)
        b.len += (size_t)snprintf(b.s + b.len, b.cap - b.len, "{M%d,0,0,0,{{0}}},\n", i);
    b.len += (size_t)snprintf(b.s + b.len, b.cap - b.len, "{EMPTY_MI_EXPORT}\n};\n%s",
                              EXPORTS("mi_cmds"));
    CHECK(b.len < MI_CODEGEN_SOURCE_MAX);
    CHECK(mi_codegen_add(b.s, b.len, "demo_new", NULL, NULL, &r, err, sizeof(err)) ==
          MI_CODEGEN_OK);
    mi_codegen_result_release(&r);
    CHECK(mi_codegen_add(b.s, b.len, "c19999", NULL, NULL, &r, err, sizeof(err)) ==
          MI_CODEGEN_E_EXISTS);
    mi_codegen_result_release(&r);
    free(b.s);
}

/* CRLF lines stay CRLF; a source without its last newline keeps it missing. */
static void test_line_ends(void)
{
    struct mi_codegen_result r;
    size_t n = strlen(mod40);
    char *crlf = malloc(2 * n + 1), *p = crlf;
    for (size_t i = 0; i < n; i++) {
        if (mod40[i] == '\n')
            *p++ = '\r';
        *p++ = mod40[i];
    }
    *p = '\0';
    CHECK(add(crlf, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    bool bare = false;
    for (size_t i = 0; i < r.source_len; i++)
        bare |= r.source[i] == '\n' && (!i || r.source[i - 1] != '\r');
    CHECK(!bare);
    CHECK_CONTAINS(r.source, "\t{\"demo_new\", \"demo_new: describe what it does\", 0, 0, {\r\n");
    CHECK(patch_applies(crlf, strlen(crlf), &r, "demo.c"));
    mi_codegen_result_release(&r);
    free(crlf);

    /* the exports' member at the end of a file without its last newline */
    static const char tail[] = MOD_HEAD
        "struct module_exports exports = {\"demo\", MOD_TYPE_DEFAULT, MODULE_VERSION, 0, 0, 0, "
        "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};";
    CHECK(add(tail, "demo_new", NULL, NULL, &r) == MI_CODEGEN_OK);
    CHECK_CONTAINS(r.patch, "\n\\ No newline at end of file\n");
    CHECK(r.source[r.source_len - 1] == ';');
    CHECK_CONTAINS(r.source, "MODULE_VERSION, 0, 0, 0, 0, 0, 0, 0, mi_cmds, 0,");
    CHECK(patch_applies(tail, strlen(tail), &r, "demo.c"));
    mi_codegen_result_release(&r);
}

/* ---- the real OpenSIPS trees ---- */

static bool src_tree(const char *v, char *buf, size_t len)
{
    return cfg_cache_dir("src", v, "mi/mi.h", "source tree", buf, len);
}

/* Patch the module's file with patch(1) and compile it as OpenSIPS's build does. */
static bool compiles(const char *tree, const char *mod, const char *file, const char *name,
                     const char *desc, bool expect_created)
{
    char path[4400], rel[300], dir[400], cmd[6000];
    size_t len = 0;
    struct mi_codegen_result r;
    static int n;

    snprintf(path, sizeof(path), "%s/modules/%s/%s", tree, mod, file);
    snprintf(rel, sizeof(rel), "modules/%s/%s", mod, file);
    char *src = read_file(path, &len);
    if (!src)
        return false;
    int rc = mi_codegen_add(src, len, name, desc, rel, &r, err, sizeof(err));
    CHECK(rc == MI_CODEGEN_OK);
    if (rc != MI_CODEGEN_OK) {
        fprintf(stderr, "%s: %s\n", path, err);
        free(src);
        return false;
    }
    CHECK(r.created_array == expect_created);
    bool ok = patch_applies(src, len, &r, rel);
    CHECK(ok);
    snprintf(dir, sizeof(dir), "%s/cc%d", tmpdir, n++);
    snprintf(path, sizeof(path), "%s.c", dir);
    ok = ok && write_file(path, r.source, r.source_len);
    snprintf(cmd, sizeof(cmd), "tests/unit/mi_codegen_cc.sh '%s' '%s' '%s' '%s' '%s.o' >%s.log "
             "2>&1 && nm '%s.o' | grep -q ' t %s$'", tree, mod, file, path, dir, dir, dir,
             r.handler);
    bool built = ok && system(cmd) == 0;
    if (!built) {
        snprintf(cmd, sizeof(cmd), "cat %s.log >&2", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "no log of %s\n", dir);
    }
    /* with the build's defines (MOD_NAME, the allocators...); and these modules compile clean
     * as they are, so the patched one must too (-Werror) */
    snprintf(cmd, sizeof(cmd), "grep -q -- \" -Werror .*-DMOD_NAME=\\|-DMOD_NAME=.* -Werror \" "
             "%s.log", dir);
    bool werror = built && system(cmd) == 0;
    CHECK(werror);
    printf("%s %s/%s + %s: %s\n", strstr(tree, "4.0") ? "4.0.1" : "3.6.8", mod, file, name,
           werror ? "compiles with the build's flags and -Werror" : built ? "compiles, with "
           "warnings" : "FAILED");
    mi_codegen_result_release(&r);
    free(src);
    return built;
}

static void test_real_compile(void)
{
    const char *evil = "Test */ \"x\" ?\?= \\";
    for (size_t i = 0; i < 2; i++) {
        const char *v = i ? "3.6.8" : "4.0.1";
        char tree[4096], cmd[8400];
        if (!src_tree(v, tree, sizeof(tree)))
            continue;
        CHECK(compiles(tree, "pike", "pike.c", "pike_probe", evil, false));
        CHECK(compiles(tree, "cfgutils", "cfgutils.c", "cfg_probe", "Answers a probe", false));
        CHECK(compiles(tree, "maxfwd", "maxfwd.c", "maxfwd_probe", NULL, true));
        CHECK(compiles(tree, "sipmsgops", "sipmsgops.c", "sipmsg_probe", "Probe", true));
        /* the harness fails a source that does not compile */
        char bad[600];
        snprintf(bad, sizeof(bad), "%s/broken.c", tmpdir);
        static const char broken[] = "#include \"../../sr_module.h\"\nint x = ;\n";
        CHECK(write_file(bad, broken, strlen(broken)));
        snprintf(cmd, sizeof(cmd), "tests/unit/mi_codegen_cc.sh '%s' pike pike.c '%s' '%s/b.o' "
                 ">/dev/null 2>&1", tree, bad, tmpdir);
        CHECK(system(cmd) != 0);
    }
}

/* Every module file of both trees: patched, or refused as unsupported with a reason. */
static void test_every_module(void)
{
    for (size_t i = 0; i < 2; i++) {
        const char *v = i ? "3.6.8" : "4.0.1";
        char tree[4096], dir[4200], path[4800];
        if (!src_tree(v, tree, sizeof(tree)))
            continue;
        snprintf(dir, sizeof(dir), "%s/modules", tree);
        DIR *d = opendir(dir);
        CHECK(d != NULL);
        size_t files = 0, patched = 0, refused = 0, created = 0;
        struct dirent *m;
        while (d && (m = readdir(d))) {
            if (m->d_name[0] == '.')
                continue;
            char sub[4500];
            snprintf(sub, sizeof(sub), "%s/%s", dir, m->d_name);
            DIR *md = opendir(sub);
            struct dirent *f;
            while (md && (f = readdir(md))) {
                size_t fl = strlen(f->d_name), len = 0;
                if (fl < 3 || strcmp(f->d_name + fl - 2, ".c"))
                    continue;
                snprintf(path, sizeof(path), "%s/%s", sub, f->d_name);
                char *src = read_file(path, &len);
                if (!src || !strstr(src, "struct module_exports") || !strstr(src, "= {")) {
                    free(src);
                    continue;
                }
                struct mi_codegen_result r;
                int rc = mi_codegen_add(src, len, "zz_probe", NULL, NULL, &r, err, sizeof(err));
                if (strstr(src, "module_exports exports")) { /* the module's own, not e.g. tm's */
                    files++;
                    patched += rc == MI_CODEGEN_OK;
                    refused += rc == MI_CODEGEN_E_UNSUPPORTED;
                    created += rc == MI_CODEGEN_OK && r.created_array;
                    if (rc != MI_CODEGEN_OK && rc != MI_CODEGEN_E_UNSUPPORTED)
                        fprintf(stderr, "%s: %d %s\n", path, rc, err);
                    CHECK(rc == MI_CODEGEN_OK || rc == MI_CODEGEN_E_UNSUPPORTED);
                    if (rc == MI_CODEGEN_OK)
                        CHECK(r.source_len > len && r.patch_len > 0);
                }
                mi_codegen_result_release(&r);
                free(src);
            }
            if (md)
                closedir(md);
        }
        if (d)
            closedir(d);
        printf("%s: %zu module files, %zu patched (%zu with a new array), %zu refused\n", v,
               files, patched, created, refused);
        CHECK(files > 150 && patched + refused == files && patched * 100 >= files * 95);
    }
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_array_40();
    test_array_36();
    test_empty_and_one_line();
    test_no_array();
    test_hostile_description();
    test_bad_names();
    test_not_modules_and_limits();
    test_line_ends();
    test_hostile_sizes();
    test_every_module();
    test_real_compile();
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_done("mi_codegen");
}
