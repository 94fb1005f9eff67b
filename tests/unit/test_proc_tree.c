/* Unit tests for proc_tree: the last-pid field of /proc/loadavg (fixtures from proc_sys's), and
 * live trees of forked children: existing and later descendants, orphans, exits, threads.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_res.h"
#include "proc_tree.h"
#include "suites.h"
#include "test.h"

static void test_last_pid(void)
{
    size_t len;
    char *t = test_read_fixture("fixtures/sys/loadavg", &len);
    int pid = -1;

    if (t) {
        TEST_EQ_INT(proc_tree_last_pid_parse(t, len, &pid), 0);
        TEST_CHECK(pid > 0);
        free(t);
    }
#define LP(s) proc_tree_last_pid_parse(s, sizeof(s) - 1, &pid)
    TEST_EQ_INT(LP("0.52 0.58 0.59 2/345 12345\n"), 0);
    TEST_EQ_INT(pid, 12345);
    TEST_EQ_INT(LP("0.52 0.58 0.59 2/345 7"), 0);
    TEST_EQ_INT(pid, 7);
    TEST_EQ_INT(LP("0.52 0.58 0.59 2/345"), -EINVAL);
    TEST_EQ_INT(LP("0.52 0.58 0.59 2/345 "), -EINVAL);
    TEST_EQ_INT(LP("0.52 0.58 0.59 2/345 12x\n"), -EINVAL);
    TEST_EQ_INT(LP("0.52 0.58 0.59 2/345 99999999999\n"), -EINVAL);
    TEST_EQ_INT(LP(""), -EINVAL);
#undef LP
}

/* Fork a child that runs fn and then waits to be killed (or exits when fn returns 1); with
 * group, in a process group of its own (ended at once with what it started by end_group()). */
static int spawn(int (*fn)(void), int group)
{
    int pid = fork();

    if (pid == 0) {
        if (group)
            setpgid(0, 0);
        if (fn())
            _exit(0);
        for (;;)
            pause();
    }
    return pid;
}

static int idle(void)
{
    return 0;
}

static int child(void) /* a process that starts a child and waits */
{
    if (spawn(idle, 0) < 0)
        _exit(1);
    return 0;
}

static int grandchild(void) /* a process that starts a child that starts a child */
{
    if (spawn(child, 0) < 0)
        _exit(1);
    return 0;
}

/* Kill a process and everything it started (they are in its process group). */
static void end_group(int pgid)
{
    int status;

    kill(-pgid, SIGKILL);
    while (waitpid(pgid, &status, 0) < 0 && errno == EINTR)
        ;
}

/* Poll until a given number of processes joined (at most 2 s). */
static size_t poll_for(struct proc_tree *t, size_t want, struct proc_tree_proc *out, size_t cap)
{
    size_t got = 0, n;

    for (int i = 0; i < 200 && got < want; i++) {
        if (proc_tree_poll(t, 0, out + got, cap - got, &n) == 0)
            got += n;
        proc_tree_reserve(t);
        if (got < want)
            usleep(10000);
    }
    return got;
}

static void test_live(void)
{
    struct proc_tree_proc out[8];
    struct proc_tree *t = NULL;
    int root = spawn(child, 1), later, status, task;
    size_t n = 0, ntid = 0;
    int tids[4];

    TEST_EQ_INT(proc_tree_open(0x3fffffff, &t), -ESRCH);
    TEST_CHECK(root > 0);
    usleep(50000); /* the grandchild exists before the tree is opened */
    TEST_EQ_INT(proc_tree_open(root, &t), 0);
    if (!t)
        goto out;
    TEST_EQ_INT(proc_tree_poll(t, 1, out, 8, &n), 0);
    TEST_EQ_INT(n, 1); /* the existing grandchild */
    TEST_EQ_INT(out[0].ppid, root);
    TEST_CHECK(proc_tree_has(t, root) && proc_tree_has(t, out[0].pid));
    TEST_CHECK(!proc_tree_has(t, getpid()));
    TEST_EQ_INT(proc_tree_poll(t, 0, out, 8, &n), 0);
    TEST_EQ_INT(n, 0); /* nothing new */
    /* A process that is not a descendant does not join; one started by a member does. */
    later = spawn(idle, 0);
    TEST_EQ_INT(poll_for(t, 1, out, 8), 0);
    kill(later, SIGKILL);
    waitpid(later, &status, 0);
    task = proc_res_open(root, 0, "task");
    TEST_EQ_INT(proc_tree_tasks(task, tids, 4, &ntid), 0);
    TEST_EQ_INT(ntid, 1);
    TEST_EQ_INT(tids[0], root);
    close(task);
    proc_tree_leave(t, root);
    TEST_CHECK(!proc_tree_has(t, root));
    TEST_EQ_INT(proc_tree_scans(t) >= 2, 1);
out:
    proc_tree_free(t);
    end_group(root);
}

/* A member's later child joins, parents first; the tree stays within its room. */
static void test_later(void)
{
    struct proc_tree_proc out[8];
    struct proc_tree *t = NULL;
    int pipefd[2], root;
    size_t got;
    char c = 0;

    if (pipe(pipefd) < 0)
        return;
    root = fork();
    if (root == 0) {
        setpgid(0, 0);
        close(pipefd[1]);
        if (read(pipefd[0], &c, 1) == 1)
            grandchild(); /* after the tree opened: two new processes */
        for (;;)
            pause();
    }
    close(pipefd[0]);
    TEST_EQ_INT(proc_tree_open(root, &t), 0);
    if (t) {
        TEST_EQ_INT(proc_tree_poll(t, 1, out, 8, &got), 0);
        TEST_EQ_INT(got, 0);
        TEST_EQ_INT(write(pipefd[1], &c, 1), 1);
        got = poll_for(t, 2, out, 8);
        TEST_EQ_INT(got, 2);
        TEST_EQ_INT(out[0].ppid, root);
        TEST_EQ_INT(out[1].ppid, out[0].pid); /* parent before child */
    }
    proc_tree_free(t);
    close(pipefd[1]);
    end_group(root);
}

void test_proc_tree(void)
{
    test_last_pid();
    test_live();
    test_later();
}
