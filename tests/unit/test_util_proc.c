/* Unit tests for util_proc on real children: a process group of its own with clean signals, or
 * our group with the inherited mask and ignored signals (but SIGPIPE); descriptors moved (stdin
 * from a file, stdout and stderr onto pipes); each kind of start failure; exit codes and signals
 * and their wording; a deadline that expires (the group killed, a grandchild too); a stop flag
 * set by a signal handler, by another thread, or before the wait; a child seen exited before it
 * is reaped; rusage against the kernel's own sum of reaped children.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "test.h"
#include "util_clock.h"
#include "util_proc.h"

#define MS 1000000LL /* ns */

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

/* Start argv with flags, its stdout on a pipe whose read end goes to *out_fd (when out_fd is
 * not NULL). Returns util_proc_spawn's result. */
static int start(unsigned flags, char **argv, struct util_proc *c, int *out_fd)
{
    int p[2] = {-1, -1}, fds[2] = {-1, -1}, rc;

    if (out_fd && pipe2(p, O_CLOEXEC) == 0)
        fds[1] = fcntl(p[1], F_DUPFD_CLOEXEC, 3);
    rc = util_proc_start(flags, fds, 2, argv[0], argv, c);
    if (p[1] >= 0)
        close(p[1]);
    if (fds[1] >= 0)
        close(fds[1]);
    if (out_fd)
        *out_fd = p[0];
    return rc;
}

/* The child's pid, process group and signal masks, as it reads them itself. */
struct seen {
    int pid, pgrp;
    long long blk, ign;
};

static int run_and_look(unsigned flags, struct seen *s)
{
    char *argv[] = {"sh", "-c", "exec cat /proc/self/stat /proc/self/status", NULL};
    static char out[16384];
    struct util_proc c;
    struct util_proc_exit ex;
    int fd = -1, rc;

    memset(s, 0, sizeof(*s));
    if ((rc = start(flags, argv, &c, &fd)) < 0)
        return rc;
    read_all(fd, out, sizeof(out));
    close(fd);
    TEST_EQ_INT(util_proc_wait(&c, UTIL_PROC_FOREVER, NULL, &ex), 0);
    TEST_EQ_INT(ex.code, 0);
    /* /proc/self/stat: "pid (comm) state ppid pgrp ..." (docs/linux.md §2); comm is "cat". */
    TEST_EQ_INT(sscanf(out, "%d (cat) %*c %*d %d", &s->pid, &s->pgrp), 2);
    s->blk = status_mask(out, "SigBlk:\t");
    s->ign = status_mask(out, "SigIgn:\t");
    return 0;
}

static void test_signals_at_start(void)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_pipe, old_usr2;
    sigset_t block, old;
    struct seen s;
    long long usr1 = 1LL << (SIGUSR1 - 1), usr2 = 1LL << (SIGUSR2 - 1);
    long long pipe_bit = 1LL << (SIGPIPE - 1), int_bit = 1LL << (SIGINT - 1);

    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGPIPE, &ign, &old_pipe);
    sigaction(SIGUSR2, &ign, &old_usr2);

    /* Own group, clean: nothing blocked or ignored (signals 1..31; glibc keeps 32 and 33). */
    TEST_EQ_INT(run_and_look(UTIL_PROC_GROUP | UTIL_PROC_CLEAN, &s), 0);
    TEST_EQ_INT(s.pgrp, s.pid);
    TEST_EQ_INT(s.blk & 0x7fffffff, 0);
    TEST_EQ_INT(s.ign & 0x7fffffff, 0);

    /* Our group, inherited: the mask and SIGUSR2's ignore stay; SIGINT and SIGPIPE, which
     * spyglass catches or ignores for itself, are back at their defaults. */
    TEST_EQ_INT(run_and_look(0, &s), 0);
    TEST_EQ_INT(s.pgrp, getpgrp());
    TEST_CHECK(s.pid != s.pgrp);
    TEST_EQ_INT(s.blk & usr1, usr1);
    TEST_EQ_INT(s.ign & usr2, usr2);
    TEST_EQ_INT(s.ign & (pipe_bit | int_bit), 0);

    sigprocmask(SIG_SETMASK, &old, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    sigaction(SIGUSR2, &old_usr2, NULL);
}

/* stdin from a file, stdout and stderr onto two pipes; a descriptor not moved stays. */
static void test_redirect(void)
{
    char *argv[] = {"sh", "-c", "read x; echo \"out $x\"; echo \"err $x\" >&2", NULL};
    struct util_proc_spawn s = {0};
    struct util_proc c;
    struct util_proc_exit ex;
    char out[64], err[64];
    int in, po[2], pe[2], fds[3];

    mkdir("out", 0755);
    in = open("out/util_proc_in", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    TEST_CHECK(in >= 0 && write(in, "hello\n", 6) == 6 && lseek(in, 0, SEEK_SET) == 0);
    TEST_CHECK(pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
    fds[0] = fcntl(in, F_DUPFD_CLOEXEC, 3);
    fds[1] = fcntl(po[1], F_DUPFD_CLOEXEC, 3);
    fds[2] = fcntl(pe[1], F_DUPFD_CLOEXEC, 3);
    TEST_EQ_INT(util_proc_spawn_init(&s, UTIL_PROC_GROUP, fds, 3), 0);
    TEST_EQ_INT(util_proc_spawn(&s, "sh", argv, &c), 0);
    util_proc_spawn_destroy(&s);
    util_proc_spawn_destroy(&s); /* twice is harmless */
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    close(po[1]);
    close(pe[1]);
    close(in);
    read_all(po[0], out, sizeof(out));
    read_all(pe[0], err, sizeof(err));
    close(po[0]);
    close(pe[0]);
    TEST_EQ_INT(util_proc_wait(&c, UTIL_PROC_FOREVER, NULL, &ex), 0);
    TEST_EQ_STR(out, "out hello\n");
    TEST_EQ_STR(err, "err hello\n");
    unlink("out/util_proc_in");
}

static void test_failures(void)
{
    char *missing[] = {"spyglass-no-such-program-5d1c", NULL};
    char *missing_dir[] = {"/nonexistent-dir/prog", NULL};
    char *not_permitted[] = {"fixtures/sys/loadavg", NULL};
    char *directory[] = {"/usr/bin/", NULL};
    char *garbage[] = {"out/util_proc_garbage", NULL};
    const int fds[1] = {-1};
    struct util_proc_spawn s = {0};
    struct util_proc c = {.pid = 0};
    int fd;

    TEST_EQ_INT(util_proc_spawn_init(&s, UTIL_PROC_GROUP | UTIL_PROC_CLEAN, fds, 1), 0);
    TEST_EQ_INT(util_proc_spawn(&s, missing[0], missing, &c), -ENOENT);
    TEST_EQ_INT(util_proc_spawn(&s, missing_dir[0], missing_dir, &c), -ENOENT);
    TEST_EQ_INT(util_proc_spawn(&s, not_permitted[0], not_permitted, &c), -EACCES);
    TEST_EQ_INT(util_proc_spawn(&s, directory[0], directory, &c), -EACCES);
    mkdir("out", 0755);
    fd = open(garbage[0], O_WRONLY | O_CREAT | O_TRUNC, 0755);
    TEST_CHECK(fd >= 0 && write(fd, "\x7f\x01not a program\n", 16) == 16);
    if (fd >= 0)
        close(fd);
    TEST_EQ_INT(util_proc_spawn(&s, garbage[0], garbage, &c), -ENOEXEC);
    unlink(garbage[0]);
    TEST_EQ_INT(c.pid, 0); /* never started: c untouched */
    util_proc_spawn_destroy(&s);

    memset(&s, 0, sizeof(s));
    util_proc_spawn_destroy(&s); /* a zeroed one */
}

/* Exit codes and signals, through the blocking wait and the pidfd one (a deadline). */
static void test_exit(void)
{
    char *exit3[] = {"sh", "-c", "exit 3", NULL};
    char *kill9[] = {"sh", "-c", "kill -9 $$", NULL};
    struct util_proc_exit ex;
    struct util_proc c;
    char how[64];

    for (int with_deadline = 0; with_deadline < 2; with_deadline++) {
        int64_t deadline = with_deadline ? util_clock_mono_ns() + 600000 * MS : UTIL_PROC_FOREVER;

        TEST_EQ_INT(start(UTIL_PROC_GROUP | UTIL_PROC_CLEAN, exit3, &c, NULL), 0);
        TEST_EQ_INT(util_proc_wait(&c, deadline, NULL, &ex), 0);
        TEST_EQ_INT(ex.code, 3);
        TEST_EQ_INT(ex.signal, 0);
        TEST_CHECK(WIFEXITED(ex.status) && WEXITSTATUS(ex.status) == 3);
        TEST_EQ_STR(util_proc_describe(&ex, how, sizeof(how)), "exited with code 3");
        TEST_EQ_INT(c.pid, -1);
        TEST_EQ_INT(util_proc_wait(&c, deadline, NULL, &ex), -ECHILD); /* reaped */
        TEST_EQ_INT(util_proc_signal(&c, SIGTERM), -ESRCH);

        TEST_EQ_INT(start(UTIL_PROC_GROUP | UTIL_PROC_CLEAN, kill9, &c, NULL), 0);
        TEST_EQ_INT(util_proc_wait(&c, deadline, NULL, &ex), 0);
        TEST_EQ_INT(ex.code, 137);
        TEST_EQ_INT(ex.signal, SIGKILL);
        util_proc_describe(&ex, how, sizeof(how));
        TEST_CHECK(strncmp(how, "killed by signal 9 (", 20) == 0);
        util_proc_destroy(&c);
    }
    util_proc_exit_of(0, NULL, &ex); /* no rusage: zeros */
    TEST_EQ_INT(ex.code, 0);
    TEST_CHECK(ex.user == 0 && ex.maxrss == 0);
}

/* Is pid gone or a zombie (killed, not yet reaped by its new parent)? */
static int gone(pid_t pid)
{
    char path[64], buf[256], *rp;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    if ((fd = open(path, O_RDONLY)) < 0)
        return 1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 1;
    buf[n] = '\0';
    rp = strrchr(buf, ')');
    return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

/* A deadline that expires leaves the child running; util_proc_end kills its whole group. */
static void test_deadline(void)
{
    char *argv[] = {"sh", "-c", "sleep 600 & echo $!; wait", NULL};
    struct util_proc_exit ex;
    struct util_proc c;
    char buf[32] = "";
    pid_t bg;
    int fd = -1, dead = 0;
    ssize_t n;

    TEST_EQ_INT(start(UTIL_PROC_GROUP | UTIL_PROC_CLEAN, argv, &c, &fd), 0);
    n = read(fd, buf, sizeof(buf) - 1); /* the background sleep's pid, once it runs */
    close(fd);
    bg = n > 0 ? (pid_t)atoi(buf) : 0;
    TEST_CHECK(bg > 0);
    TEST_EQ_INT(util_proc_wait(&c, util_clock_mono_ns() + 50 * MS, NULL, &ex), -ETIMEDOUT);
    TEST_EQ_INT(util_proc_exited(&c), 0); /* still running */
    TEST_CHECK(c.pid > 0);
    TEST_EQ_INT(util_proc_end(&c, SIGKILL, &ex), 0);
    TEST_EQ_INT(ex.signal, SIGKILL);
    TEST_EQ_INT(ex.code, 137);
    /* The grandchild was in the group: killed too (its new parent reaps it when it can). */
    for (int i = 0; i < 5000 && bg > 0 && !(dead = gone(bg)); i++)
        usleep(2000);
    TEST_CHECK(dead);
    util_proc_destroy(&c);

    /* Without a group, a signal reaches the child alone (not our group: the tests go on). */
    char *sleeper[] = {"sleep", "600", NULL};
    TEST_EQ_INT(start(0, sleeper, &c, NULL), 0);
    TEST_EQ_INT(util_proc_wait(&c, util_clock_mono_ns(), NULL, &ex), -ETIMEDOUT); /* now */
    TEST_EQ_INT(util_proc_end(&c, SIGTERM, &ex), 0);
    TEST_EQ_INT(ex.code, 128 + SIGTERM);
    util_proc_destroy(&c);
}

static volatile sig_atomic_t stop_flag;

static void on_alarm(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void *set_stop_later(void *arg)
{
    (void)arg;
    usleep(50000);
    stop_flag = 1;
    return NULL;
}

/* A stop flag ends a wait with -EINTR and leaves the child running. */
static void test_stop(void)
{
    char *sleeper[] = {"sleep", "600", NULL};
    struct sigaction sa = {.sa_handler = on_alarm}, old;
    struct itimerval it = {.it_value = {0, 50000}, .it_interval = {0, 50000}}, off = {0};
    struct util_proc_exit ex;
    struct util_proc c;
    pthread_t th;

    /* set by a handler installed without SA_RESTART: the blocking wait4 is interrupted */
    stop_flag = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    TEST_EQ_INT(start(UTIL_PROC_GROUP | UTIL_PROC_CLEAN, sleeper, &c, NULL), 0);
    setitimer(ITIMER_REAL, &it, NULL);
    TEST_EQ_INT(util_proc_wait(&c, UTIL_PROC_FOREVER, &stop_flag, &ex), -EINTR);
    setitimer(ITIMER_REAL, &off, NULL); /* it repeated, in case one came just before wait4 */
    sigaction(SIGALRM, &old, NULL);
    TEST_EQ_INT(util_proc_exited(&c), 0);

    /* already set: at once, also with a deadline */
    TEST_EQ_INT(util_proc_wait(&c, UTIL_PROC_FOREVER, &stop_flag, &ex), -EINTR);
    TEST_EQ_INT(util_proc_wait(&c, util_clock_mono_ns() + 600000 * MS, &stop_flag, &ex), -EINTR);

    /* set by another thread during a wait with a deadline: seen at the next 20 ms tick */
    stop_flag = 0;
    TEST_EQ_INT(pthread_create(&th, NULL, set_stop_later, NULL), 0);
    TEST_EQ_INT(util_proc_wait(&c, util_clock_mono_ns() + 600000 * MS, &stop_flag, &ex), -EINTR);
    pthread_join(th, NULL);
    TEST_EQ_INT(util_proc_exited(&c), 0);

    /* a flag that is not set changes nothing */
    stop_flag = 0;
    TEST_EQ_INT(util_proc_end(&c, SIGKILL, &ex), 0);
    TEST_EQ_INT(ex.signal, SIGKILL);
    util_proc_destroy(&c);
}

/* Exited is seen before the child is reaped (through the pidfd, then without it). */
static void test_exited(void)
{
    char *argv[] = {"true", NULL};
    struct util_proc_exit ex;
    struct util_proc c;
    int pfd;

    TEST_EQ_INT(start(UTIL_PROC_GROUP | UTIL_PROC_CLEAN, argv, &c, NULL), 0);
    pfd = util_proc_pidfd(&c);
    TEST_EQ_INT(util_proc_pidfd(&c), pfd); /* opened once */
    if (pfd >= 0) {
        struct pollfd p = {.fd = pfd, .events = POLLIN};

        TEST_CHECK(fcntl(pfd, F_GETFD) & FD_CLOEXEC);
        TEST_EQ_INT(poll(&p, 1, -1), 1);
    } else {
        siginfo_t si;

        waitid(P_PID, (id_t)c.pid, &si, WEXITED | WNOWAIT);
    }
    TEST_EQ_INT(util_proc_exited(&c), 1);
    TEST_CHECK(c.pid > 0); /* not reaped */
    TEST_EQ_INT(util_proc_wait(&c, UTIL_PROC_FOREVER, NULL, &ex), 0);
    TEST_EQ_INT(ex.code, 0);
    TEST_EQ_INT(c.pidfd < 0, 1); /* closed with the reaping */
    util_proc_destroy(&c);
}

/* The resource use reported is the kernel's: the same as what getrusage(RUSAGE_CHILDREN) adds
 * for the reaped child (it sums every child this process reaped). */
static void test_rusage(void)
{
    char *argv[] = {"sh", "-c",
                    "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; "
                    "exec head -c 8000000 /dev/zero > /dev/null",
                    NULL};
    struct rusage r0, r1;
    struct util_proc_exit ex;
    struct util_proc c;
    double u0, u1, s0, s1;

    TEST_EQ_INT(getrusage(RUSAGE_CHILDREN, &r0), 0);
    TEST_EQ_INT(start(UTIL_PROC_GROUP | UTIL_PROC_CLEAN, argv, &c, NULL), 0);
    TEST_EQ_INT(util_proc_wait(&c, UTIL_PROC_FOREVER, NULL, &ex), 0);
    TEST_EQ_INT(getrusage(RUSAGE_CHILDREN, &r1), 0);
    u0 = (double)r0.ru_utime.tv_sec + (double)r0.ru_utime.tv_usec / 1e6;
    u1 = (double)r1.ru_utime.tv_sec + (double)r1.ru_utime.tv_usec / 1e6;
    s0 = (double)r0.ru_stime.tv_sec + (double)r0.ru_stime.tv_usec / 1e6;
    s1 = (double)r1.ru_stime.tv_sec + (double)r1.ru_stime.tv_usec / 1e6;
    TEST_CHECK(ex.user + ex.sys > 0);
    TEST_CHECK(ex.user > u1 - u0 - 2e-6 && ex.user < u1 - u0 + 2e-6);
    TEST_CHECK(ex.sys > s1 - s0 - 2e-6 && ex.sys < s1 - s0 + 2e-6);
    TEST_EQ_INT(ex.minflt, r1.ru_minflt - r0.ru_minflt);
    TEST_EQ_INT(ex.majflt, r1.ru_majflt - r0.ru_majflt);
    /* The kernel adds the child's counts to ours and fills wait4's rusage at two moments of
     * the reap; the dying task's last switch (its final schedule) can fall between them on a
     * busy machine: one switch either way. */
    TEST_CHECK(labs((long)ex.nvcsw - (r1.ru_nvcsw - r0.ru_nvcsw)) <= 1);
    TEST_CHECK(labs((long)ex.nivcsw - (r1.ru_nivcsw - r0.ru_nivcsw)) <= 1);
    /* the peak: bytes, at most the largest of every child reaped (KiB) */
    TEST_CHECK(ex.maxrss > 0 && ex.maxrss % 1024 == 0);
    TEST_CHECK(ex.maxrss <= (uint64_t)r1.ru_maxrss * 1024);
    util_proc_destroy(&c);
}

void test_util_proc(void)
{
    test_signals_at_start();
    test_redirect();
    test_failures();
    test_exit();
    test_deadline();
    test_stop();
    test_exited();
    test_rusage();
}
