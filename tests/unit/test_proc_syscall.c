/* Unit tests for proc_syscall: the syscall-file parser on captures of real threads
 * (tests/fixtures/syscall, from gen_syscall.sh) and on malformed text, the call table, the fd
 * kinds of this process's own descriptors, and the reader on threads of this process blocked in
 * known calls.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proc_syscall.h"
#include "suites.h"
#include "test.h"

#define NO_PID 0x3fffffff /* above the kernel's PID_MAX_LIMIT (4M): never a live pid */

static int parse_fixture(const char *name, struct proc_syscall *sc)
{
    char path[128];
    size_t len;
    snprintf(path, sizeof(path), "fixtures/syscall/%s.txt", name);
    char *t = test_read_fixture(path, &len);
    if (!t)
        return -ENOENT;
    int err = proc_syscall_parse(t, len, sc);
    free(t);
    return err;
}

static void test_fixtures(void)
{
    struct proc_syscall sc;

    TEST_EQ_INT(parse_fixture("spin_py312", &sc), 0);
    TEST_EQ_INT(sc.running, 1);
    TEST_EQ_INT(sc.nr, 0);
    TEST_CHECK(sc.sp == 0 && sc.pc == 0 && sc.args[0] == 0);

    TEST_EQ_INT(parse_fixture("recv_py312", &sc), 0); /* recvfrom(4, buf, 10, 0, NULL, NULL) */
    TEST_EQ_INT(sc.running, 0);
    TEST_EQ_INT(sc.nr, 45);
    TEST_CHECK(sc.args[0] == 4 && sc.args[1] == 0x7fd4643fe150ULL && sc.args[2] == 10);
    TEST_CHECK(sc.args[5] == 0 && sc.sp == 0x7fd4640f7b60ULL && sc.pc == 0x7fd464728974ULL);

    TEST_EQ_INT(parse_fixture("lock_py312", &sc), 0); /* futex(sem, WAIT_BITSET|PRIVATE, ...) */
    TEST_EQ_INT(sc.nr, 202);
    TEST_CHECK(sc.args[0] == 0x558088a24530ULL && sc.args[1] == 0x189 && sc.args[5] == 0xffffffff);

    TEST_EQ_INT(parse_fixture("pipe_py312", &sc), 0);
    TEST_EQ_INT(sc.nr, 0);
    TEST_CHECK(sc.args[0] == 6 && sc.args[2] == 10);

    TEST_EQ_INT(parse_fixture("sleep_py312", &sc), 0); /* clock_nanosleep(MONOTONIC, ABSTIME) */
    TEST_EQ_INT(sc.nr, 230);
    TEST_CHECK(sc.args[0] == 1 && sc.args[1] == 1);

    TEST_EQ_INT(parse_fixture("sleep_py38", &sc), 0); /* pselect6(0, NULL, NULL, NULL, &ts) */
    TEST_EQ_INT(sc.nr, 270);
    TEST_CHECK(sc.args[0] == 0 && sc.args[4] == 0x7f2d6632d530ULL);

    TEST_EQ_INT(parse_fixture("stopped", &sc), 0); /* SIGSTOP while running user code */
    TEST_EQ_INT(sc.nr, -1);
    TEST_CHECK(sc.sp == 0x7fffd69bae60ULL && sc.pc == 0x7f0c12d13cacULL && sc.args[0] == 0);

    TEST_EQ_INT(parse_fixture("kthread", &sc), 0); /* kthreadd: all zero on 6.x */
    TEST_EQ_INT(sc.nr, 0);
    TEST_CHECK(sc.sp == 0 && sc.pc == 0);
}

#define BAD(s) check_bad(s, sizeof(s) - 1)

static void check_bad(const char *s, size_t len)
{
    struct proc_syscall sc = {.nr = 77};
    TEST_EQ_INT(proc_syscall_parse(s, len, &sc), -EINVAL);
    TEST_EQ_INT(sc.nr, 77); /* untouched */
}

static void test_malformed(void)
{
    struct proc_syscall sc;

    BAD("");
    BAD("\n");
    BAD("runnin");
    BAD("running\n\n");
    BAD("running 0x1");
    BAD("Running");
    BAD("0");
    BAD("0 0x1 0x2 0x3 0x4 0x5 0x6 0x7");         /* 7 numbers after the nr */
    BAD("0 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8 0x9"); /* 9 */
    BAD("0 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8 ");    /* trailing space */
    BAD("0  0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8");    /* two spaces */
    BAD("0 1 0x2 0x3 0x4 0x5 0x6 0x7 0x8");       /* no 0x */
    BAD("0 0x 0x2 0x3 0x4 0x5 0x6 0x7 0x8");      /* no digits */
    BAD("0 0xg 0x2 0x3 0x4 0x5 0x6 0x7 0x8");
    BAD("0 0x10000000000000000 0x2 0x3 0x4 0x5 0x6 0x7 0x8"); /* 17 digits */
    BAD("-1 0x1");
    BAD("-1 0x1 0x2 0x3");
    BAD("-2 0x1 0x2");
    BAD("-0 0x1 0x2");
    BAD("00 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8");
    BAD("1000000 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8");
    BAD("x 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8");
    BAD("1\0 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8");
    BAD("1 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8\n\n");
    /* The largest values; upper-case hex; no final newline. */
    const char *max = "99999 0xffffffffffffffff 0xABCDEF 0x0 0x0 0x0 0x0 0x1 0x2";
    TEST_EQ_INT(proc_syscall_parse(max, strlen(max), &sc), 0);
    TEST_EQ_INT(sc.nr, 99999);
    TEST_CHECK(sc.args[0] == UINT64_MAX && sc.args[1] == 0xabcdef && sc.pc == 2);
    /* Only len bytes count. */
    TEST_EQ_INT(proc_syscall_parse("running\nextra", 8, &sc), 0);
    TEST_EQ_INT(sc.running, 1);
}

static void test_table(void)
{
    TEST_EQ_INT(proc_syscall_call(SYS_read), PROC_CALL_FD_IO);
    TEST_EQ_INT(proc_syscall_call(SYS_pwrite64), PROC_CALL_FD_IO);
    TEST_EQ_INT(proc_syscall_call(SYS_recvfrom), PROC_CALL_SOCKET);
    TEST_EQ_INT(proc_syscall_call(SYS_accept4), PROC_CALL_SOCKET);
    TEST_EQ_INT(proc_syscall_call(SYS_futex), PROC_CALL_FUTEX);
    TEST_EQ_INT(proc_syscall_call(SYS_clock_nanosleep), PROC_CALL_SLEEP);
    TEST_EQ_INT(proc_syscall_call(SYS_nanosleep), PROC_CALL_SLEEP);
    TEST_EQ_INT(proc_syscall_call(SYS_pselect6), PROC_CALL_SELECT);
    TEST_EQ_INT(proc_syscall_call(SYS_ppoll), PROC_CALL_POLL);
    TEST_EQ_INT(proc_syscall_call(SYS_epoll_pwait), PROC_CALL_EPOLL);
    TEST_EQ_INT(proc_syscall_call(SYS_fsync), PROC_CALL_SYNC);
    TEST_EQ_INT(proc_syscall_call(SYS_wait4), PROC_CALL_OTHER);
    TEST_EQ_INT(proc_syscall_call(SYS_openat), PROC_CALL_OTHER);
    TEST_EQ_INT(proc_syscall_call(-1), PROC_CALL_OTHER);
    TEST_EQ_INT(proc_syscall_call(99999), PROC_CALL_OTHER);
#ifdef __x86_64__
    /* The numbers of the fixtures, captured on x86_64. */
    TEST_EQ_INT(proc_syscall_call(45), PROC_CALL_SOCKET);
    TEST_EQ_INT(proc_syscall_call(202), PROC_CALL_FUTEX);
    TEST_EQ_INT(proc_syscall_call(230), PROC_CALL_SLEEP);
    TEST_EQ_INT(proc_syscall_call(270), PROC_CALL_SELECT);
    TEST_EQ_INT(proc_syscall_call(0), PROC_CALL_FD_IO);
    TEST_EQ_INT(proc_syscall_call(SYS_select), PROC_CALL_SELECT);
    TEST_EQ_INT(proc_syscall_call(SYS_poll), PROC_CALL_POLL);
    TEST_EQ_INT(proc_syscall_call(SYS_epoll_wait), PROC_CALL_EPOLL);
#endif
}

static void test_fd_kinds(void)
{
    char path[] = "/tmp/spyglass-syscall-XXXXXX";
    int pipefd[2] = {-1, -1}, sv[2] = {-1, -1};
    int file = mkstemp(path), ev = eventfd(0, EFD_CLOEXEC), null = open("/dev/null", O_RDONLY);
    int dir = proc_fd_dir_open(getpid());
    uint64_t anon = proc_fd_anon_dev();

    TEST_CHECK(pipe(pipefd) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    TEST_CHECK(file >= 0 && ev >= 0 && null >= 0 && dir >= 0 && anon != 0);
    TEST_EQ_INT(proc_fd_kind(dir, (uint64_t)file, anon), PROC_FD_FILE);
    TEST_EQ_INT(proc_fd_kind(dir, (uint64_t)pipefd[0], anon), PROC_FD_PIPE);
    TEST_EQ_INT(proc_fd_kind(dir, (uint64_t)sv[0], anon), PROC_FD_SOCKET);
    TEST_EQ_INT(proc_fd_kind(dir, (uint64_t)ev, anon), PROC_FD_OTHER); /* S_IFREG on 6.15+ */
    TEST_EQ_INT(proc_fd_kind(dir, (uint64_t)null, anon), PROC_FD_OTHER);
    TEST_EQ_INT(proc_fd_kind(dir, 1000000, anon), PROC_FD_UNKNOWN); /* not open */
    TEST_EQ_INT(proc_fd_kind(dir, UINT64_MAX, anon), PROC_FD_UNKNOWN);
    TEST_EQ_INT(proc_fd_kind(-1, (uint64_t)file, anon), PROC_FD_UNKNOWN);
    /* Pure: an S_IFREG on the anonymous-inode device is not a file. */
    TEST_EQ_INT(proc_fd_kind_of(S_IFREG | 0600, 9, 9), PROC_FD_OTHER);
    TEST_EQ_INT(proc_fd_kind_of(S_IFREG | 0600, 9, 0), PROC_FD_FILE);
    TEST_EQ_INT(proc_fd_kind_of(S_IFBLK, 3, 9), PROC_FD_FILE);
    TEST_EQ_INT(proc_fd_kind_of(S_IFCHR, 3, 9), PROC_FD_OTHER);
    TEST_EQ_INT(proc_fd_dir_open(NO_PID), -ESRCH);
    int fds[] = {file, ev, null, dir, pipefd[0], pipefd[1], sv[0], sv[1]};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            close(fds[i]);
    unlink(path);
}

/* A helper thread blocked in a known call: it publishes its TID, then blocks. */
struct blocked {
    int fd; /* read() on it (a pipe) */
    volatile int tid;
};

static void *block_in_read(void *arg)
{
    struct blocked *b = arg;
    char c;
    b->tid = (int)syscall(SYS_gettid);
    if (read(b->fd, &c, 1) < 0)
        return NULL;
    return NULL;
}

/* Wait (up to 2 s) until thread tid of this process is blocked in call nr; returns the reading. */
static int wait_blocked(int tid, long nr, struct proc_syscall *sc)
{
    int fd = proc_syscall_open(getpid(), tid), err = -ETIMEDOUT;
    if (fd < 0)
        return fd;
    for (int i = 0; i < 2000; i++) {
        if (proc_syscall_read_fd(fd, sc) == 0 && !sc->running && sc->nr == nr) {
            err = 0;
            break;
        }
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    close(fd);
    return err;
}

static void test_live(void)
{
    int p[2];
    struct blocked b = {-1, 0};
    struct proc_syscall sc;
    pthread_t th;

    TEST_EQ_INT(pipe(p), 0);
    b.fd = p[0];
    TEST_EQ_INT(pthread_create(&th, NULL, block_in_read, &b), 0);
    while (!b.tid)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    TEST_EQ_INT(wait_blocked(b.tid, SYS_read, &sc), 0);
    TEST_EQ_INT(sc.args[0], p[0]);
    TEST_EQ_INT(sc.args[2], 1);
    TEST_CHECK(sc.sp != 0 && sc.pc != 0);
    TEST_EQ_INT(write(p[1], "x", 1), 1);
    pthread_join(th, NULL);
    /* The thread has exited: pthread_join returns when the kernel clears its TID, which is
     * before the task leaves /proc/PID/task; wait for that (at most 5 s). */
    int fd = proc_syscall_open(getpid(), b.tid);
    for (int i = 0; fd >= 0 && i < 5000; i++) {
        close(fd);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
        fd = proc_syscall_open(getpid(), b.tid);
    }
    TEST_EQ_INT(fd, -ESRCH);
    TEST_EQ_INT(proc_syscall_open(NO_PID, 0), -ESRCH);
    close(p[0]);
    close(p[1]);
}

void test_proc_syscall(void)
{
    test_fixtures();
    test_malformed();
    test_table();
    test_fd_kinds();
    test_live();
}
