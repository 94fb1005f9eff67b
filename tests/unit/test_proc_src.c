/* Unit tests for proc_src: paths through /proc/PID/root and /proc/PID/cwd, the reader's limits
 * (size, NUL bytes, FIFOs and directories, the owner's rights) on real files, and attaching
 * the sources of a profile, hottest first within the total budget.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
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

static void test_path(void)
{
    char out[64];

    TEST_EQ_INT(proc_src_path(42, "/usr/lib/x.py", out, sizeof(out)), 0);
    TEST_EQ_STR(out, "/proc/42/root/usr/lib/x.py");
    TEST_EQ_INT(proc_src_path(42, "app/x.py", out, sizeof(out)), 0);
    TEST_EQ_STR(out, "/proc/42/cwd/app/x.py");
    TEST_EQ_INT(proc_src_path(0, "app/x.py", out, sizeof(out)), 0);
    TEST_EQ_STR(out, "app/x.py");
    TEST_EQ_INT(proc_src_path(42, "<string>", out, sizeof(out)), -EINVAL);
    TEST_EQ_INT(proc_src_path(42, "<frozen importlib._bootstrap>", out, sizeof(out)), -EINVAL);
    TEST_EQ_INT(proc_src_path(42, "", out, sizeof(out)), -EINVAL);
    TEST_EQ_INT(proc_src_path(42, "/a/very/long/path/that/does/not/fit/in/sixteen", out, 16),
                -ENAMETOOLONG);
}

static void test_read(void)
{
    char path[256], *text = NULL;
    size_t len = 0;

    put("ok.py", "x = 1\n", 6, 0644);
    snprintf(path, sizeof(path), "%s/ok.py", dir);
    TEST_EQ_INT(proc_src_read(path, 100, -1, &text, &len), 0);
    TEST_EQ_STR(text, "x = 1\n");
    TEST_EQ_INT(len, 6);
    free(text);
    TEST_EQ_INT(proc_src_read(path, 6, -1, &text, &len), 0); /* exactly the limit */
    free(text);
    TEST_EQ_INT(proc_src_read(path, 5, -1, &text, &len), -EFBIG);
    /* another user may read it (others have r) */
    TEST_EQ_INT(proc_src_read(path, 100, (long)getuid() + 1, &text, &len), 0);
    free(text);

    put("private.py", "secret\n", 7, 0600);
    snprintf(path, sizeof(path), "%s/private.py", dir);
    TEST_EQ_INT(proc_src_read(path, 100, (long)getuid() + 1, &text, &len), -EACCES);
    TEST_EQ_INT(proc_src_read(path, 100, (long)getuid(), &text, &len), 0);
    free(text);

    put("nul.py", "a\0b\n", 4, 0644);
    snprintf(path, sizeof(path), "%s/nul.py", dir);
    TEST_EQ_INT(proc_src_read(path, 100, -1, &text, &len), -EILSEQ);

    snprintf(path, sizeof(path), "%s/fifo.py", dir);
    TEST_EQ_INT(mkfifo(path, 0644), 0);
    TEST_EQ_INT(proc_src_read(path, 100, -1, &text, &len), -EINVAL); /* no writer: no hang */
    TEST_EQ_INT(proc_src_read(dir, 100, -1, &text, &len), -EINVAL);
    snprintf(path, sizeof(path), "%s/missing.py", dir);
    TEST_EQ_INT(proc_src_read(path, 100, -1, &text, &len), -ENOENT);
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
    struct proc_src_stats st;
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
    static const char *const names[] = {"ok.py",  "private.py", "nul.py", "fifo.py",
                                        "hot.py", "cold.py",    "big.py", "rel.py"};
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
    test_path();
    test_read();
    test_attach();
    cleanup();
}
