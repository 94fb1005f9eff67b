/* Unit tests for proc_src: the rules of report and diff (protected directories, --sources, the
 * mode bits of a user without privilege), the readers' limits (size, NUL bytes, FIFOs, devices,
 * directories and symlinks, the owner's rights) on real files, reading inside a root, and
 * attaching the sources of a profile, hottest first within the total budget.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agg_stacks.h"
#include "proc_src.h"
#include "suites.h"

static char dir[64];

static void put(const char *name, const char *text, size_t len, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    TEST_CHECK(f != NULL);
    if (!f)
        return;
    TEST_EQ_INT(fwrite(text, 1, len, f), len);
    fclose(f);
    chmod(path, mode);
}

static void test_path_rule(void)
{
    const char *src[] = {"/srv/app", "/etc/app"}, *root[] = {"/"}, *home[] = {"/root/proj"};
    const char *devs[] = {"/dev"};

    TEST_EQ_INT(proc_src_path_allowed("/home/u/app.py", NULL, 0), 0);
    TEST_EQ_INT(proc_src_path_allowed("/etc/shadow", NULL, 0), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("/etc", NULL, 0), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("/etcetera/x.py", NULL, 0), 0); /* whole components */
    TEST_EQ_INT(proc_src_path_allowed("/root/.pyenv/x.py", NULL, 0), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("/proc/1/environ", NULL, 0), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("/sys/kernel/x", NULL, 0), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("/dev/zero", NULL, 0), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("rel/x.py", NULL, 0), -EINVAL);
    /* --sources: only under the directories given */
    TEST_EQ_INT(proc_src_path_allowed("/srv/app/x.py", src, 2), 0);
    TEST_EQ_INT(proc_src_path_allowed("/srv/application/x.py", src, 2), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("/home/u/app.py", src, 2), -EPERM);
    /* a protected directory only when a directory inside it is named */
    TEST_EQ_INT(proc_src_path_allowed("/etc/app/conf.py", src, 2), 0);
    TEST_EQ_INT(proc_src_path_allowed("/etc/shadow", src, 2), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("/etc/shadow", root, 1), -EPERM);
    TEST_EQ_INT(proc_src_path_allowed("/home/u/x.py", root, 1), 0);
    TEST_EQ_INT(proc_src_path_allowed("/root/proj/x.py", home, 1), 0);
    TEST_EQ_INT(proc_src_path_allowed("/root/other.py", home, 1), -EPERM);
    /* /dev, /proc, /sys never */
    TEST_EQ_INT(proc_src_path_allowed("/dev/zero", devs, 1), -EPERM);
}

static void test_mode_rule(void)
{
    /* a file: the owner's bits for its owner, the others' for anyone else */
    TEST_EQ_INT(proc_src_mode_allows(0600, 1000, 1000, 0), 1);
    TEST_EQ_INT(proc_src_mode_allows(0600, 1000, 1001, 0), 0);
    TEST_EQ_INT(proc_src_mode_allows(0640, 1000, 1001, 0), 0); /* group bits not counted */
    TEST_EQ_INT(proc_src_mode_allows(0604, 1000, 1001, 0), 1);
    TEST_EQ_INT(proc_src_mode_allows(0044, 1000, 1000, 0), 0); /* the owner's bits decide */
    /* root (-1): the others' bits only, even for its own files */
    TEST_EQ_INT(proc_src_mode_allows(0600, 0, -1, 0), 0);
    TEST_EQ_INT(proc_src_mode_allows(0644, 0, -1, 0), 1);
    /* a directory: search bits */
    TEST_EQ_INT(proc_src_mode_allows(0700, 0, -1, 1), 0);
    TEST_EQ_INT(proc_src_mode_allows(0755, 0, -1, 1), 1);
    TEST_EQ_INT(proc_src_mode_allows(0754, 0, -1, 1), 0);
    TEST_EQ_INT(proc_src_mode_allows(0700, 1000, 1000, 1), 1);
}

static void test_read(void)
{
    char path[256], *text = NULL;
    size_t len = 0;

    put("ok.py", "x = 1\n", 6, 0644);
    snprintf(path, sizeof(path), "%s/ok.py", dir);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 100, -1, &text, &len), 0);
    TEST_EQ_STR(text, "x = 1\n");
    TEST_EQ_INT(len, 6);
    free(text);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 6, -1, &text, &len), 0); /* the limit */
    free(text);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 5, -1, &text, &len), -EFBIG);
    /* another user may read it (others have r) */
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 100, (long)getuid() + 1, &text, &len), 0);
    free(text);

    put("private.py", "secret\n", 7, 0600);
    snprintf(path, sizeof(path), "%s/private.py", dir);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 100, (long)getuid() + 1, &text, &len), -EACCES);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 100, (long)getuid(), &text, &len), 0);
    free(text);

    put("nul.py", "a\0b\n", 4, 0644);
    snprintf(path, sizeof(path), "%s/nul.py", dir);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 100, -1, &text, &len), -EILSEQ);

    snprintf(path, sizeof(path), "%s/fifo.py", dir);
    TEST_EQ_INT(mkfifo(path, 0644), 0);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 100, -1, &text, &len), -EINVAL);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, dir, 0, 100, -1, &text, &len), -EINVAL);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, "/dev/null", 0, 100, -1, &text, &len), -EINVAL);
    snprintf(path, sizeof(path), "%s/missing.py", dir);
    TEST_EQ_INT(proc_src_read_at(AT_FDCWD, path, 0, 100, -1, &text, &len), -ENOENT);

    /* inside a root: an absolute name and an absolute symlink resolve under it */
    char link[256];
    snprintf(link, sizeof(link), "%s/abs.py", dir);
    TEST_EQ_INT(symlink("/ok.py", link), 0);
    int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    TEST_CHECK(root >= 0);
    TEST_EQ_INT(proc_src_read_at(root, "/ok.py", 1, 100, -1, &text, &len), 0);
    free(text);
    TEST_EQ_INT(proc_src_read_at(root, "/abs.py", 1, 100, -1, &text, &len), 0);
    TEST_EQ_STR(text, "x = 1\n");
    free(text);
    TEST_EQ_INT(proc_src_read_at(root, "/../../../ok.py", 1, 100, -1, &text, &len), 0);
    free(text);
    TEST_EQ_INT(proc_src_read_at(root, "fifo.py", 0, 100, -1, &text, &len), -EINVAL);
    close(root);
}

/* report's reader, as if spyglass had privilege (it runs as root in the tests anyway). */
static void test_read_user(void)
{
    char path[256], link[256], *text = NULL;
    const char *dirs[] = {dir};
    size_t len = 0;
    struct proc_src_user u = {.privileged = 1, .uid = -1};

    snprintf(path, sizeof(path), "%s/ok.py", dir);
    TEST_EQ_INT(chmod(dir, 0700), 0);
    TEST_EQ_INT(proc_src_read_user(path, &u, 100, &text, &len), -EACCES); /* dir: 0700 */
    TEST_EQ_INT(chmod(dir, 0755), 0);
    TEST_EQ_INT(proc_src_read_user(path, &u, 100, &text, &len), 0);
    TEST_EQ_STR(text, "x = 1\n");
    free(text);
    snprintf(path, sizeof(path), "%s/private.py", dir);
    TEST_EQ_INT(proc_src_read_user(path, &u, 100, &text, &len), -EACCES); /* 0600 */
    u.dirs = dirs; /* --sources DIR: any regular file there */
    u.ndirs = 1;
    TEST_EQ_INT(proc_src_read_user(path, &u, 100, &text, &len), 0);
    TEST_EQ_STR(text, "secret\n");
    free(text);
    TEST_EQ_INT(proc_src_read_user("/etc/passwd", &u, 100, &text, &len), -EPERM); /* outside */
    u.dirs = NULL;
    u.ndirs = 0;
    u.uid = (long)getuid() + 1000; /* a user (not root): its own 0600 file, not another's */
    if (getuid() == 0) {           /* chown needs root */
        TEST_EQ_INT(chown(path, (uid_t)u.uid, (gid_t)-1), 0);
        TEST_EQ_INT(proc_src_read_user(path, &u, 100, &text, &len), 0);
        free(text);
        u.uid++;
        TEST_EQ_INT(proc_src_read_user(path, &u, 100, &text, &len), -EACCES);
    }
    u.uid = -1;
    /* symlinks are resolved first: to a protected file, refused without opening it */
    snprintf(link, sizeof(link), "%s/shadow.py", dir);
    TEST_EQ_INT(symlink("/etc/shadow", link), 0);
    TEST_EQ_INT(proc_src_read_user(link, &u, 100, &text, &len), -EPERM);
    snprintf(link, sizeof(link), "%s/zero.py", dir);
    TEST_EQ_INT(symlink("/dev/zero", link), 0);
    TEST_EQ_INT(proc_src_read_user(link, &u, 100, &text, &len), -EPERM);
    TEST_EQ_INT(proc_src_read_user("/dev/zero", &u, 100, &text, &len), -EPERM);
    snprintf(link, sizeof(link), "%s/abs.py", dir); /* -> /ok.py, which does not exist */
    TEST_EQ_INT(proc_src_read_user(link, &u, 100, &text, &len), -ENOENT);
    snprintf(link, sizeof(link), "%s/good.py", dir);
    TEST_EQ_INT(symlink("ok.py", link), 0);
    TEST_EQ_INT(proc_src_read_user(link, &u, 100, &text, &len), 0);
    free(text);
    snprintf(path, sizeof(path), "%s/fifo.py", dir);
    TEST_EQ_INT(proc_src_read_user(path, &u, 100, &text, &len), -EINVAL);
    snprintf(path, sizeof(path), "%s/nul.py", dir);
    TEST_EQ_INT(proc_src_read_user(path, &u, 100, &text, &len), -EILSEQ);
    TEST_EQ_INT(proc_src_read_user(path, &u, 2, &text, &len), -EFBIG);
}

static uint32_t frame(struct agg *a, const char *file, int line)
{
    struct agg_frame f = {agg_intern(a, "f", 1), agg_intern(a, file, strlen(file)), line,
                          AGG_FRAME_PY};
    return agg_frame_id(a, &f);
}

static void test_attach(void)
{
    char cold[256], hot[256], big[256], cwd[4096];
    char filler[3000];
    struct agg_src_stats st;
    struct agg *a = agg_new();

    memset(filler, '#', sizeof(filler));
    put("hot.py", "hot\n", 4, 0644);
    put("cold.py", filler, 2000, 0644);
    put("big.py", filler, sizeof(filler), 0644);
    snprintf(hot, sizeof(hot), "%s/hot.py", dir);
    snprintf(cold, sizeof(cold), "%s/cold.py", dir);
    snprintf(big, sizeof(big), "%s/big.py", dir);
    TEST_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
    /* a relative path, as a target started in our directory would name it */
    TEST_CHECK(strncmp(dir, "/tmp/", 5) == 0);
    put("rel.py", "rel\n", 4, 0644);
    TEST_EQ_INT(chdir(dir), 0);
    uint32_t s_hot[] = {frame(a, hot, 1), frame(a, "<string>", 1)};
    uint32_t s_cold[] = {frame(a, cold, 1)}, s_big[] = {frame(a, big, 1)};
    uint32_t s_rel[] = {frame(a, "rel.py", 2)}, s_gone[] = {frame(a, "/nonexistent/x.py", 3)};
    agg_add(a, s_hot, 2, 100);
    agg_add(a, s_cold, 1, 10);
    agg_add(a, s_big, 1, 50);
    agg_add(a, s_rel, 1, 1);
    agg_add(a, s_gone, 1, 1);
    /* 3000-byte files fit one by one, but after hot.py (4) and big.py (3000) only 1496 bytes
     * of the 4500 are left: cold.py (2000) is skipped, rel.py (4) still fits. */
    struct proc_src_limits lim = {.file_max = 3000, .total_max = 4500};
    proc_src_attach(a, (int)getpid(), &lim, &st);
    TEST_EQ_INT(chdir(cwd), 0);
    TEST_EQ_INT(st.files, 5);
    TEST_EQ_INT(st.read, 3);
    TEST_EQ_INT(st.large, 1);
    TEST_EQ_INT(st.missing, 1);
    TEST_EQ_INT(st.bytes, 3008);
    size_t len;
    TEST_EQ_STR(agg_source(a, agg_intern(a, hot, strlen(hot)), &len), "hot\n");
    TEST_CHECK(agg_source(a, agg_intern(a, big, strlen(big)), &len) && len == 3000);
    TEST_CHECK(agg_source(a, agg_intern(a, cold, strlen(cold)), NULL) == NULL);
    TEST_EQ_STR(agg_source(a, agg_intern(a, "rel.py", 6), NULL), "rel\n");
    TEST_EQ_INT(agg_nsources(a), 3);
    TEST_EQ_INT(agg_source_file(a, 0), agg_intern(a, hot, strlen(hot))); /* hottest first */
    agg_free(a);

    /* pid 0 (spyglass report): paths as given, the defaults */
    a = agg_new();
    uint32_t s1[] = {frame(a, cold, 1)};
    agg_add(a, s1, 1, 1);
    proc_src_attach(a, 0, NULL, &st);
    TEST_EQ_INT(st.read, 1);
    TEST_CHECK(agg_source(a, agg_intern(a, cold, strlen(cold)), &len) && len == 2000);
    agg_free(a);

    /* pid 0 with privilege: a protected file and a 0600 file are left out and counted, and
     * the page is told the rule; --sources DIR takes the 0600 file */
    a = agg_new();
    char priv[256];
    snprintf(priv, sizeof(priv), "%s/private.py", dir);
    uint32_t s_prot[] = {frame(a, "/etc/shadow", 1), frame(a, priv, 1), frame(a, cold, 1)};
    agg_add(a, s_prot, 3, 1);
    lim = (struct proc_src_limits){.privileged = 1};
    proc_src_attach(a, 0, &lim, &st);
    TEST_EQ_INT(st.files, 3);
    TEST_EQ_INT(st.read, 1);
    TEST_EQ_INT(st.denied, 1);
    TEST_EQ_INT(st.unreadable, 1);
    TEST_CHECK(agg_source(a, agg_intern(a, priv, strlen(priv)), NULL) == NULL);
    TEST_CHECK(strstr(st.rule, "/etc") != NULL);
    const char *dirs[] = {dir};
    lim.dirs = dirs;
    lim.ndirs = 1;
    proc_src_attach(a, 0, &lim, &st);
    TEST_EQ_INT(st.read, 2); /* cold.py kept, private.py read */
    TEST_EQ_INT(st.denied, 1);
    TEST_EQ_INT(st.unreadable, 0);
    TEST_EQ_STR(agg_source(a, agg_intern(a, priv, strlen(priv)), NULL), "secret\n");
    TEST_CHECK(strstr(st.rule, dir) != NULL);
    agg_clear_sources(a);
    TEST_EQ_INT(agg_nsources(a), 0);
    agg_free(a);

    /* a file in 1 stack of 2000 (0.05%) is under the default 0.1%; hot.py twice in a
     * recursion counts once: 1999 of 2000 */
    a = agg_new();
    uint32_t s_twice[] = {frame(a, hot, 1), frame(a, hot, 2)}, s_rare[] = {frame(a, cold, 1)};
    agg_add(a, s_twice, 2, 1999);
    agg_add(a, s_rare, 1, 1);
    proc_src_attach(a, 0, NULL, &st);
    TEST_EQ_INT(st.files, 2);
    TEST_EQ_INT(st.read, 1);
    TEST_EQ_INT(st.rare, 1);
    TEST_CHECK(agg_source(a, agg_intern(a, cold, strlen(cold)), NULL) == NULL);
    lim = (struct proc_src_limits){.min_share = -1}; /* none skipped as rare */
    proc_src_attach(a, 0, &lim, &st);
    TEST_EQ_INT(st.read, 2);
    TEST_EQ_INT(st.rare, 0);
    lim = (struct proc_src_limits){.min_share = 0.9996}; /* 1999/2000 is under it */
    proc_src_attach(a, 0, &lim, &st);
    TEST_EQ_INT(st.rare, 2);

    /* a target that has exited but is not reaped (a launched child when sampling ends): its
     * /proc/PID/root is gone, the paths are read as given */
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    TEST_CHECK(child > 0);
    if (child > 0) {
        siginfo_t info;
        memset(&info, 0, sizeof(info));
        waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT); /* a zombie now */
        lim = (struct proc_src_limits){.min_share = -1};
        proc_src_attach(a, (int)child, &lim, &st);
        TEST_EQ_INT(st.read, 2);
        waitpid(child, NULL, 0);
    }
    agg_free(a);
}

static void cleanup(void)
{
    static const char *const names[] = {"ok.py",  "private.py", "nul.py",  "fifo.py",
                                        "hot.py", "cold.py",    "big.py",  "rel.py",
                                        "abs.py", "shadow.py",  "zero.py", "good.py"};
    char path[256];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

void test_proc_src(void)
{
    snprintf(dir, sizeof(dir), "/tmp/spyglass-src.XXXXXX");
    TEST_CHECK(mkdtemp(dir) != NULL);
    test_path_rule();
    test_mode_rule();
    test_read();
    test_read_user();
    test_attach();
    cleanup();
}
