/* Unit tests for file/rootfile: a write under the root (and the directories it makes), paths
 * refused ('..', absolute, empty, too deep), symbolic links refused on the way and as the file,
 * no overwrite unless asked (the old content kept, also against a racing writer), an atomic
 * overwrite, reads with a limit, and rootfile_relative; a new file's mode given, the replaced
 * file's mode kept; listings of a directory (by prefix, links and other kinds skipped and said,
 * bounded, refused through links). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "file/rootfile.h"

static char base[64], root[128], outside[128], err[512];

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The file's content (static buffer), or NULL when it cannot be read. */
static const char *content(const char *dir, const char *name)
{
    static char buf[4096];
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Entries of dir, but . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static int wr(const char *rel, const char *text, unsigned flags, char *path, size_t n)
{
    err[0] = '\0';
    return rootfile_write(root, rel, text, strlen(text), flags, path, n, err, sizeof(err));
}

static void setup(void)
{
    char p[256];

    umask(022);
    snprintf(base, sizeof(base), "/tmp/test_rootfile_XXXXXX");
    CHECK(mkdtemp(base) != NULL);
    snprintf(root, sizeof(root), "%s/root", base);
    snprintf(outside, sizeof(outside), "%s/outside", base);
    CHECK(mkdir(root, 0755) == 0 && mkdir(outside, 0755) == 0);
    snprintf(p, sizeof(p), "%s/target", outside);
    put(p, "outside\n");
    snprintf(p, sizeof(p), "%s/link", root);
    CHECK(symlink(outside, p) == 0);
    snprintf(p, sizeof(p), "%s/file-link", root);
    char t[256];
    snprintf(t, sizeof(t), "%s/target", outside);
    CHECK(symlink(t, p) == 0);
}

static void test_write(void)
{
    char path[PATH_MAX], want[PATH_MAX + 64], real[PATH_MAX];
    struct stat st;

    CHECK(wr("a.txt", "one\n", 0, path, sizeof(path)) == ROOTFILE_OK);
    CHECK_STR(content(root, "a.txt"), "one\n");
    CHECK(realpath(root, real) != NULL);
    snprintf(want, sizeof(want), "%s/a.txt", real);
    CHECK_STR(path, want);
    snprintf(want, sizeof(want), "%s/a.txt", root);
    CHECK(stat(want, &st) == 0 && (st.st_mode & 07777) == ROOTFILE_MODE);
    CHECK(entries(root) == 3); /* a.txt, link, file-link: no temporary file left */

    /* "." and empty components are skipped; the path says where the file went */
    CHECK(wr("./b.txt", "two", 0, path, sizeof(path)) == ROOTFILE_OK);
    snprintf(want, sizeof(want), "%s/b.txt", real);
    CHECK_STR(path, want);
    CHECK(wr("x.", "dot", 0, NULL, 0) == ROOTFILE_OK); /* a name ending in a dot is a name */

    /* directories: created only when asked */
    CHECK(wr("new/deeper/c.json", "{}", 0, path, sizeof(path)) == ROOTFILE_ERR_NOT_FOUND);
    CHECK_STR(err, "'new/deeper/c.json': directory 'new' does not exist");
    CHECK(wr("new//deeper/./c.json", "{}", ROOTFILE_MKDIRS, path, sizeof(path)) == ROOTFILE_OK);
    snprintf(want, sizeof(want), "%s/new/deeper/c.json", real);
    CHECK_STR(path, want);
    snprintf(want, sizeof(want), "%s/new/deeper", root);
    CHECK_STR(content(want, "c.json"), "{}");
    CHECK(stat(want, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750);

    /* an empty file */
    CHECK(rootfile_write(root, "empty", "", 0, 0, NULL, 0, err, sizeof(err)) == ROOTFILE_OK);
    CHECK_STR(content(root, "empty"), "");
}

static void test_refused_paths(void)
{
    char deep[512] = "", longname[300];
    const char *bad[] = {"../x", "a/../../x", "new/../a.txt", "..", "/etc/x", "", "dir/", ".",
                         "new/.", NULL};

    for (int i = 0; bad[i]; i++) {
        CHECK(wr(bad[i], "no", ROOTFILE_MKDIRS, NULL, 0) == ROOTFILE_ERR_PATH);
        if (!*err)
            fprintf(stderr, "no error text for '%s'\n", bad[i]);
    }
    CHECK(wr("../x", "no", 0, NULL, 0) == ROOTFILE_ERR_PATH);
    CHECK_STR(err, "'../x' may not contain '..'");
    CHECK(wr("/etc/x", "no", 0, NULL, 0) == ROOTFILE_ERR_PATH);
    CHECK_STR(err, "'/etc/x' is an absolute path; give one relative to the allowed directory");
    CHECK(entries(outside) == 1 && access("/etc/x", F_OK) < 0);
    CHECK(access("x", F_OK) < 0);

    for (int i = 0; i < ROOTFILE_DEPTH_MAX; i++)
        strcat(deep, "d/");
    strcat(deep, "f");
    CHECK(wr(deep, "ok", ROOTFILE_MKDIRS, NULL, 0) == ROOTFILE_OK); /* 16 levels */
    memmove(deep + 2, deep, strlen(deep) + 1);
    memcpy(deep, "d/", 2);
    CHECK(wr(deep, "no", ROOTFILE_MKDIRS, NULL, 0) == ROOTFILE_ERR_PATH); /* 17 */
    CHECK_CONTAINS(err, "more than 16 levels");

    memset(longname, 'n', 256);
    longname[256] = '\0';
    CHECK(wr(longname, "no", 0, NULL, 0) == ROOTFILE_ERR_PATH);
    CHECK(wr(NULL, "no", 0, NULL, 0) == ROOTFILE_ERR_PATH);

    /* the root: absolute, existing */
    CHECK(rootfile_write("relative/root", "a", "x", 1, 0, NULL, 0, err, sizeof(err)) ==
          ROOTFILE_ERR_ROOT);
    CHECK(rootfile_write("/nonexistent-root", "a", "x", 1, 0, NULL, 0, err, sizeof(err)) ==
          ROOTFILE_ERR_ROOT);
    CHECK_STR(err, "the allowed directory '/nonexistent-root' cannot be opened: No such file or "
                   "directory");
    CHECK(rootfile_write(NULL, "a", "x", 1, 0, NULL, 0, NULL, 0) == ROOTFILE_ERR_ROOT);
}

static void test_links(void)
{
    /* a symbolic link to a directory on the way, with or without making directories */
    CHECK(wr("link/x", "no", 0, NULL, 0) == ROOTFILE_ERR_LINK);
    CHECK_STR(err, "'link/x': 'link' is a symbolic link or not a directory");
    CHECK(wr("link/deeper/x", "no", ROOTFILE_MKDIRS, NULL, 0) == ROOTFILE_ERR_LINK);
    CHECK(wr("./link/x", "no", ROOTFILE_OVERWRITE, NULL, 0) == ROOTFILE_ERR_LINK);
    CHECK(entries(outside) == 1);

    /* a symbolic link as the file, even when overwriting: neither it nor its target changes */
    CHECK(wr("file-link", "no", 0, NULL, 0) == ROOTFILE_ERR_LINK);
    CHECK_STR(err, "'file-link' is a symbolic link; it is never written through");
    CHECK(wr("file-link", "no", ROOTFILE_OVERWRITE, NULL, 0) == ROOTFILE_ERR_LINK);
    CHECK_STR(content(outside, "target"), "outside\n");
    char p[256], t[256];
    snprintf(p, sizeof(p), "%s/file-link", root);
    ssize_t n = readlink(p, t, sizeof(t) - 1);
    CHECK(n > 0); /* still the link */

    /* a file where a directory should be; a directory where the file should be */
    CHECK(wr("a.txt/x", "no", ROOTFILE_MKDIRS, NULL, 0) == ROOTFILE_ERR_LINK);
    CHECK(wr("new", "no", ROOTFILE_OVERWRITE, NULL, 0) == ROOTFILE_ERR_LINK);
    CHECK_STR(err, "'new' is not a regular file; it is never written through");
}

static void test_overwrite(void)
{
    char path[512];
    struct stat before, after;

    /* not asked: refused, the old content kept */
    CHECK(wr("a.txt", "changed\n", 0, NULL, 0) == ROOTFILE_ERR_EXISTS);
    CHECK_STR(err, "'a.txt' exists already and was kept");
    CHECK_STR(content(root, "a.txt"), "one\n");

    /* asked: replaced by a new file in one rename, so that a reader of the old one still
     * reads it whole */
    snprintf(path, sizeof(path), "%s/a.txt", root);
    int old = open(path, O_RDONLY);
    CHECK(old >= 0 && fstat(old, &before) == 0);
    CHECK(wr("a.txt", "replaced, longer\n", ROOTFILE_OVERWRITE, NULL, 0) == ROOTFILE_OK);
    CHECK_STR(content(root, "a.txt"), "replaced, longer\n");
    CHECK(stat(path, &after) == 0 && after.st_ino != before.st_ino);
    char buf[32] = "";
    CHECK(read(old, buf, sizeof(buf) - 1) == 4 && !strcmp(buf, "one\n"));
    close(old);
    CHECK(entries(root) == 8); /* a.txt b.txt x. new empty d link file-link: no temporary */
}

struct racer {
    int id;
    int rc;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    char text[16], e[256];
    snprintf(text, sizeof(text), "writer %d", r->id);
    r->rc = rootfile_write(root, "race.txt", text, strlen(text), 0, NULL, 0, e, sizeof(e));
    return NULL;
}

static void test_race(void)
{
    pthread_t t[4];
    struct racer r[4];
    int ok = 0, exists = 0, winner = -1;

    for (int i = 0; i < 4; i++) {
        r[i] = (struct racer){.id = i};
        pthread_create(&t[i], NULL, race, &r[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        if (r[i].rc == ROOTFILE_OK) {
            ok++;
            winner = i;
        }
        exists += r[i].rc == ROOTFILE_ERR_EXISTS;
    }
    CHECK(ok == 1 && exists == 3);
    char want[32];
    snprintf(want, sizeof(want), "writer %d", winner);
    CHECK_STR(content(root, "race.txt"), want);
}

static void test_read(void)
{
    char *data = (char *)1, p[256];
    size_t len = 99;

    CHECK(rootfile_read(root, "a.txt", 100, &data, &len, err, sizeof(err)) == ROOTFILE_OK);
    CHECK(len == 17 && !strcmp(data, "replaced, longer\n"));
    free(data);
    CHECK(rootfile_read(root, "a.txt", 17, &data, &len, err, sizeof(err)) == ROOTFILE_OK);
    free(data);
    CHECK(rootfile_read(root, "a.txt", 16, &data, &len, err, sizeof(err)) ==
          ROOTFILE_ERR_TOO_LARGE);
    CHECK(data == NULL && len == 0);
    CHECK_STR(err, "'a.txt' is larger than 16 bytes (17)");
    CHECK(rootfile_read(root, "empty", 0, &data, &len, err, sizeof(err)) == ROOTFILE_OK);
    CHECK(len == 0 && data && !data[0]);
    free(data);
    CHECK(rootfile_read(root, "new/deeper/c.json", 10, &data, &len, err, sizeof(err)) ==
          ROOTFILE_OK);
    CHECK_STR(data, "{}");
    free(data);

    CHECK(rootfile_read(root, "missing", 10, &data, &len, err, sizeof(err)) ==
          ROOTFILE_ERR_NOT_FOUND);
    CHECK_STR(err, "'missing' does not exist");
    CHECK(rootfile_read(root, "file-link", 100, &data, &len, err, sizeof(err)) ==
          ROOTFILE_ERR_LINK);
    CHECK(rootfile_read(root, "link/target", 100, &data, &len, err, sizeof(err)) ==
          ROOTFILE_ERR_LINK);
    CHECK(rootfile_read(root, "../outside/target", 100, &data, &len, err, sizeof(err)) ==
          ROOTFILE_ERR_PATH);
    CHECK(rootfile_read(root, "new", 100, &data, &len, err, sizeof(err)) == ROOTFILE_ERR_LINK);
    CHECK_STR(err, "'new' is not a regular file");
    /* a FIFO is refused, not waited on */
    snprintf(p, sizeof(p), "%s/fifo", root);
    CHECK(mkfifo(p, 0600) == 0);
    CHECK(rootfile_read(root, "fifo", 100, &data, &len, err, sizeof(err)) == ROOTFILE_ERR_LINK);
    CHECK(data == NULL);
    unlink(p);
}

static void test_relative(void)
{
    char slashed[160];

    CHECK_STR(rootfile_relative(root, "snaps/daily"), "snaps/daily");
    CHECK_STR(rootfile_relative("/srv/out", "/srv/out/snaps"), "snaps");
    CHECK_STR(rootfile_relative("/srv/out/", "/srv/out//snaps"), "snaps");
    CHECK_STR(rootfile_relative("/srv/out", "/srv/out"), "");
    CHECK(rootfile_relative("/srv/out", "/srv/outside/x") == NULL);
    CHECK(rootfile_relative("/srv/out", "/etc") == NULL);
    CHECK(rootfile_relative("/srv/out", NULL) == NULL);
    CHECK_STR(rootfile_relative("/", "/etc/x"), "etc/x");
    /* the root as it resolves: a root given with a link or "//" still matches its real path */
    char real[PATH_MAX], under[PATH_MAX + 8];
    CHECK(realpath(root, real) != NULL);
    snprintf(under, sizeof(under), "%s/x", real);
    snprintf(slashed, sizeof(slashed), "%s/./", root);
    CHECK_STR(rootfile_relative(slashed, under), "x");
    /* lexical only: '..' passes here and is refused by the write */
    snprintf(under, sizeof(under), "%s/../outside", root);
    CHECK_STR(rootfile_relative(root, under), "../outside");
}


static void test_modes(void)
{
    char p[256];
    struct stat st;
    struct rootfile_stat rs;
    char *data;
    size_t len;

    CHECK(mkdir(strcat(strcpy(p, root), "/modes"), 0755) == 0);
    /* a mode given: less the umask, as open() does */
    CHECK(rootfile_write_mode(root, "modes/private", "s3cret", 6, 0, 0600, NULL, 0, err,
                              sizeof(err)) == ROOTFILE_OK);
    snprintf(p, sizeof(p), "%s/modes/private", root);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600);
    CHECK(rootfile_write_mode(root, "modes/wide", "w", 1, 0, 0666, NULL, 0, err,
                              sizeof(err)) == ROOTFILE_OK);
    snprintf(p, sizeof(p), "%s/modes/wide", root);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0644); /* umask 022 */

    /* read_stat tells the mode, size and mtime of what it read */
    CHECK(rootfile_read_stat(root, "modes/private", 100, &data, &len, &rs, err, sizeof(err)) ==
          ROOTFILE_OK);
    CHECK(len == 6 && rs.size == 6 && rs.mode == 0600 && rs.mtime.tv_sec > 0);
    free(data);
    CHECK(rootfile_read_stat(root, "modes/none", 100, &data, &len, &rs, err, sizeof(err)) ==
          ROOTFILE_ERR_NOT_FOUND);
    CHECK(rs.mode == 0 && rs.size == 0 && data == NULL);

    /* KEEP_MODE: the replaced file's bits go to the new one; without it, the default */
    snprintf(p, sizeof(p), "%s/modes/cfg", root);
    put(p, "old\n");
    CHECK(chmod(p, 0604) == 0);
    CHECK(wr("modes/cfg", "new\n", ROOTFILE_OVERWRITE | ROOTFILE_KEEP_MODE, NULL, 0) ==
          ROOTFILE_OK);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0604);
    CHECK_STR(content(root, "modes/cfg"), "new\n");
    CHECK(wr("modes/cfg", "newer\n", ROOTFILE_OVERWRITE, NULL, 0) == ROOTFILE_OK);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == ROOTFILE_MODE);
    /* and its owner and group, where the process may give them (root may; others keep theirs) */
    if (geteuid() == 0) {
        CHECK(chown(p, 12345, 23456) == 0);
        CHECK(wr("modes/cfg", "owned\n", ROOTFILE_OVERWRITE | ROOTFILE_KEEP_MODE, NULL, 0) ==
              ROOTFILE_OK);
        CHECK(stat(p, &st) == 0 && st.st_uid == 12345 && st.st_gid == 23456);
        CHECK(wr("modes/cfg", "mine\n", ROOTFILE_OVERWRITE, NULL, 0) == ROOTFILE_OK);
        CHECK(stat(p, &st) == 0 && st.st_uid == 0);
    }
    /* KEEP_MODE with no file to replace: the mode given */
    CHECK(rootfile_write_mode(root, "modes/fresh", "f", 1, ROOTFILE_OVERWRITE |
                              ROOTFILE_KEEP_MODE, 0600, NULL, 0, err, sizeof(err)) == ROOTFILE_OK);
    snprintf(p, sizeof(p), "%s/modes/fresh", root);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600);
}

static const struct rootfile_entry *find(const struct rootfile_entry *v, size_t n,
                                         const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name))
            return &v[i];
    return NULL;
}

static void test_list(void)
{
    struct rootfile_list l;
    const struct rootfile_entry *e;
    char p[256], t[256];

    snprintf(p, sizeof(p), "%s/ls", root);
    CHECK(mkdir(p, 0755) == 0);
    CHECK(wr("ls/app.cfg", "main\n", 0, NULL, 0) == ROOTFILE_OK);
    CHECK(wr("ls/app.cfg.bak-1", "one\n", 0, NULL, 0) == ROOTFILE_OK);
    CHECK(wr("ls/app.cfg.bak-22", "twenty-two\n", 0, NULL, 0) == ROOTFILE_OK);
    CHECK(wr("ls/other.cfg.bak-1", "x", 0, NULL, 0) == ROOTFILE_OK);
    snprintf(p, sizeof(p), "%s/ls/app.cfg.bak-link", root);
    snprintf(t, sizeof(t), "%s/target", outside);
    CHECK(symlink(t, p) == 0);
    snprintf(p, sizeof(p), "%s/ls/app.cfg.bak-dir", root);
    CHECK(mkdir(p, 0755) == 0);
    snprintf(p, sizeof(p), "%s/ls/app.cfg.bak-fifo", root);
    CHECK(mkfifo(p, 0600) == 0);
    snprintf(p, sizeof(p), "%s/ls/.rootfile-0123456789abcdef.tmp", root);
    put(p, "a write in progress");

    CHECK(rootfile_list(root, "ls", "app.cfg.bak-", 0, &l, err, sizeof(err)) == ROOTFILE_OK);
    CHECK(l.n_files == 2 && l.n_skipped == 3 && !l.truncated);
    CHECK((e = find(l.files, l.n_files, "app.cfg.bak-22")) && e->st.size == 11 && !e->skipped &&
          e->st.mtime.tv_sec > 0 && e->st.mode == ROOTFILE_MODE);
    CHECK(find(l.files, l.n_files, "app.cfg.bak-1") != NULL);
    CHECK((e = find(l.skipped, l.n_skipped, "app.cfg.bak-link")) &&
          check_str(e->skipped, "a symbolic link"));
    CHECK((e = find(l.skipped, l.n_skipped, "app.cfg.bak-dir")) &&
          check_str(e->skipped, "a directory"));
    CHECK((e = find(l.skipped, l.n_skipped, "app.cfg.bak-fifo")) &&
          check_str(e->skipped, "not a regular file"));
    char real[PATH_MAX], want[PATH_MAX + 8];
    CHECK(realpath(root, real) != NULL);
    snprintf(want, sizeof(want), "%s/ls", real);
    CHECK_STR(l.dir_path, want);
    rootfile_list_release(&l);
    CHECK(l.files == NULL && l.n_files == 0 && l.dir_path == NULL);

    /* no prefix: everything but . and .. and the temporary files of a write */
    CHECK(rootfile_list(root, "./ls/", NULL, 0, &l, err, sizeof(err)) == ROOTFILE_OK);
    CHECK(l.n_files == 4 && l.n_skipped == 3);
    CHECK(!find(l.files, l.n_files, ".rootfile-0123456789abcdef.tmp"));
    rootfile_list_release(&l);

    /* bounded: past max, truncated says so */
    CHECK(rootfile_list(root, "ls", "app.cfg", 2, &l, err, sizeof(err)) == ROOTFILE_OK);
    CHECK(l.n_files == 2 && l.n_skipped == 2 && l.truncated);
    rootfile_list_release(&l);

    /* the root itself */
    CHECK(rootfile_list(root, "", "file-", 0, &l, err, sizeof(err)) == ROOTFILE_OK);
    CHECK(l.n_files == 0 && l.n_skipped == 1 && check_str(l.skipped[0].skipped, "a symbolic link"));
    CHECK_STR(l.dir_path, real);
    rootfile_list_release(&l);
    CHECK(rootfile_list(root, ".", "file-", 0, &l, err, sizeof(err)) == ROOTFILE_OK);
    rootfile_list_release(&l);

    /* refused: a link as the directory or on the way, '..', absolute, missing, a file */
    CHECK(rootfile_list(root, "link", NULL, 0, &l, err, sizeof(err)) == ROOTFILE_ERR_LINK);
    CHECK_STR(err, "'link': 'link' is a symbolic link or not a directory");
    CHECK(l.files == NULL && l.dir_path == NULL);
    CHECK(rootfile_list(root, "link/sub", NULL, 0, &l, err, sizeof(err)) == ROOTFILE_ERR_LINK);
    CHECK(rootfile_list(root, "ls/../ls", NULL, 0, &l, err, sizeof(err)) == ROOTFILE_ERR_PATH);
    CHECK(rootfile_list(root, "/etc", NULL, 0, &l, err, sizeof(err)) == ROOTFILE_ERR_PATH);
    CHECK(rootfile_list(root, "nosuch", NULL, 0, &l, err, sizeof(err)) ==
          ROOTFILE_ERR_NOT_FOUND);
    CHECK_STR(err, "'nosuch': directory 'nosuch' does not exist");
    CHECK(rootfile_list(root, "ls/app.cfg", NULL, 0, &l, err, sizeof(err)) == ROOTFILE_ERR_LINK);
    CHECK(rootfile_list("relative", "ls", NULL, 0, &l, err, sizeof(err)) == ROOTFILE_ERR_ROOT);
    CHECK(rootfile_list(root, "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", NULL, 0, &l, err,
                        sizeof(err)) == ROOTFILE_ERR_PATH);
    rootfile_list_release(&l);
}

int main(void)
{
    setup();
    test_write();
    test_refused_paths();
    test_links();
    test_overwrite();
    test_race();
    test_read();
    test_relative();
    test_modes();
    test_list();
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", base);
    return check_done("rootfile");
}
