/* Unit tests for util_spawn: a real child in its own process group, with no blocked or ignored
 * signal although the parent blocks and ignores some, its standard output moved onto a pipe,
 * an inherited descriptor left alone, and each kind of start failure (missing, not permitted,
 * a directory, not a program).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "test.h"
#include "util_spawn.h"

/* Everything readable from fd until EOF (at most size - 1 bytes) into buf. */
static void read_all(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t got;

    while (n + 1 < size && (got = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)got;
    buf[n] = '\0';
}

/* The hexadecimal mask of a "Name:\t..." line of /proc/PID/status text; -1 when absent. */
static long long status_mask(const char *text, const char *name)
{
    const char *p = strstr(text, name);

    return p ? strtoll(p + strlen(name), NULL, 16) : -1;
}

static void test_child(void)
{
    char *argv[] = {"sh", "-c", "exec cat /proc/self/stat /proc/self/status", NULL};
    struct util_spawn s = {0};
    sigset_t block, old;
    struct sigaction ign = {.sa_handler = SIG_IGN}, oldint;
    int p[2], fds[3], status = -1, pgrp = 0, self = 0;
    static char out[16384];
    pid_t pid = 0;

    TEST_CHECK(pipe2(p, O_CLOEXEC) == 0);
    fds[0] = -1; /* stdin inherited */
    fds[1] = fcntl(p[1], F_DUPFD_CLOEXEC, 3);
    fds[2] = -1;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    sigaction(SIGINT, &ign, &oldint);
    TEST_EQ_INT(util_spawn_init(&s, fds, 3), 0);
    TEST_EQ_INT(util_spawn_run(&s, "sh", argv, &pid), 0); /* found in PATH */
    sigprocmask(SIG_SETMASK, &old, NULL);
    sigaction(SIGINT, &oldint, NULL);
    close(p[1]);
    close(fds[1]);
    read_all(p[0], out, sizeof(out));
    close(p[0]);
    TEST_EQ_INT(waitpid(pid, &status, 0), pid);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* /proc/self/stat: "pid (comm) state ppid pgrp ..." (docs/linux.md §2); comm is "cat". */
    TEST_EQ_INT(sscanf(out, "%d (cat) %*c %*d %d", &self, &pgrp), 2);
    TEST_EQ_INT(self, pid);
    TEST_EQ_INT(pgrp, pid); /* a process group of its own */
    /* Signals 1..31 (glibc keeps 32 and 33 for itself, the child may show them ignored). */
    TEST_EQ_INT(status_mask(out, "SigBlk:\t") & 0x7fffffff, 0);
    TEST_EQ_INT(status_mask(out, "SigIgn:\t") & 0x7fffffff, 0);
    util_spawn_destroy(&s);
    util_spawn_destroy(&s); /* twice is harmless */
}

static void test_failures(void)
{
    char *missing[] = {"spyglass-no-such-program-5d1c", NULL};
    char *missing_dir[] = {"/nonexistent-dir/prog", NULL};
    char *not_permitted[] = {"fixtures/sys/loadavg", NULL};
    char *directory[] = {"/usr/bin/", NULL};
    char *garbage[] = {"out/util_spawn_garbage", NULL};
    const int fds[1] = {-1};
    struct util_spawn s = {0};
    pid_t pid = 0;
    int fd;

    TEST_EQ_INT(util_spawn_init(&s, fds, 1), 0);
    TEST_EQ_INT(util_spawn_run(&s, missing[0], missing, &pid), -ENOENT);
    TEST_EQ_INT(util_spawn_run(&s, missing_dir[0], missing_dir, &pid), -ENOENT);
    TEST_EQ_INT(util_spawn_run(&s, not_permitted[0], not_permitted, &pid), -EACCES);
    TEST_EQ_INT(util_spawn_run(&s, directory[0], directory, &pid), -EACCES);
    mkdir("out", 0755);
    fd = open(garbage[0], O_WRONLY | O_CREAT | O_TRUNC, 0755);
    TEST_CHECK(fd >= 0 && write(fd, "\x7f\x01not a program\n", 16) == 16);
    if (fd >= 0)
        close(fd);
    TEST_EQ_INT(util_spawn_run(&s, garbage[0], garbage, &pid), -ENOEXEC);
    unlink(garbage[0]);
    TEST_EQ_INT(pid, 0); /* never started */
    util_spawn_destroy(&s);

    memset(&s, 0, sizeof(s));
    util_spawn_destroy(&s); /* a zeroed one */
}

void test_util_spawn(void)
{
    test_child();
    test_failures();
}
