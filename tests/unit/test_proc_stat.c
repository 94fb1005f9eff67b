/* Unit tests for proc_stat: the stat parser on fixtures and hostile text, and the live readers
 * (stat, comm, task list) on the test process itself.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_stat.h"
#include "suites.h"
#include "test.h"

#define NO_PID 0x3fffffff /* above the kernel's PID_MAX_LIMIT (4M): never a live pid */

/* Expect a string literal that may contain NULs (all but its final NUL) to be rejected. */
#define CHECK_INVALID_LIT(s) check_invalid(s, sizeof(s) - 1)

static void check_invalid(const char *s, size_t len)
{
    struct proc_stat st = {.state = '?'};

    TEST_EQ_INT(proc_stat_parse(s, len, &st), -EINVAL);
    TEST_EQ_INT(st.state, '?'); /* untouched on error */
}

static int own_tid(void)
{
    return (int)syscall(SYS_gettid);
}

static void check_fixture(const char *path, char state, int ppid, uint64_t utime, uint64_t stime,
                          int64_t threads, uint64_t start, int cpu)
{
    struct proc_stat st;
    size_t len;
    char *text = test_read_fixture(path, &len);

    if (!text)
        return;
    TEST_EQ_INT(proc_stat_parse(text, len, &st), 0);
    TEST_EQ_INT(st.state, state);
    TEST_EQ_INT(st.ppid, ppid);
    TEST_EQ_INT(st.utime, utime);
    TEST_EQ_INT(st.stime, stime);
    TEST_EQ_INT(st.num_threads, threads);
    TEST_EQ_INT(st.starttime, start);
    TEST_EQ_INT(st.processor, cpu);
    free(text);
}

/* A shell that ran two Python children, waited for them, then became cat (exec keeps the
 * children's times): fields 16 and 17. */
static void test_children_fixture(void)
{
    struct proc_stat st;
    size_t len;
    char *text = test_read_fixture("fixtures/stat_reaped_children.txt", &len);

    if (!text)
        return;
    TEST_EQ_INT(proc_stat_parse(text, len, &st), 0);
    TEST_EQ_INT(st.cutime, 22);
    TEST_EQ_INT(st.cstime, 9);
    TEST_EQ_INT(st.utime, 0);
    free(text);
}

static void test_fixtures(void)
{
    /* Captured from CPython 3.12.1 with a second thread running. */
    check_fixture("fixtures/stat_python312.txt", 'R', 3820, 1, 1, 2, 24364, 1);
    /* comm "(a) b (c))": only the last ')' ends it. */
    check_fixture("fixtures/stat_hostile_comm.txt", 'S', 1, 7, 3, 4, 123456, 5);
    test_children_fixture();
    /* comm "x) 1 2 3 4 5 " with digits, exactly 39 fields and no final newline. */
    check_fixture("fixtures/stat_spaces_no_newline.txt", 'Z', 2, 11, 12, 1, 99, 3);
}

/* Write "1 (comm) f3 ... flast" into buf: field k is f[k], or "0" when NULL. Returns the length. */
static size_t build(char *buf, size_t size, const char *comm, const char *const *f, int last)
{
    size_t n = (size_t)snprintf(buf, size, "1 (%s)", comm);

    for (int k = 3; k <= last && n < size; k++)
        n += (size_t)snprintf(buf + n, size - n, " %s", f[k] ? f[k] : "0");
    return n;
}

static void test_parse_edges(void)
{
    const char *f[53] = {0};
    char line[1024];
    struct proc_stat st;
    size_t len, cut;

    /* Extreme values, a newline inside the comm, a final newline. */
    f[3] = "t";
    f[4] = "-2147483648";
    f[14] = "18446744073709551615";
    f[15] = "00";
    f[20] = "-9223372036854775808";
    f[22] = "9223372036854775808";
    f[39] = "-1";
    len = build(line, sizeof(line), "a\nb", f, 39);
    line[len++] = '\n';
    TEST_EQ_INT(proc_stat_parse(line, len, &st), 0);
    TEST_EQ_INT(st.state, 't');
    TEST_EQ_INT(st.ppid, INT32_MIN);
    TEST_CHECK(st.utime == UINT64_MAX);
    TEST_CHECK(st.stime == 0);
    TEST_CHECK(st.num_threads == INT64_MIN);
    TEST_CHECK(st.starttime == (uint64_t)1 << 63);
    TEST_EQ_INT(st.processor, -1);

    /* Only len bytes are read: cutting before field 39 makes the line too short. */
    memset(f, 0, sizeof(f));
    f[3] = "S";
    f[39] = "9";
    cut = build(line, sizeof(line), "p", f, 38);
    len = build(line, sizeof(line), "p", f, 52);
    TEST_EQ_INT(proc_stat_parse(line, len, &st), 0);
    TEST_EQ_INT(st.processor, 9);
    TEST_EQ_INT(proc_stat_parse(line, cut, &st), -EINVAL);
    TEST_EQ_INT(proc_stat_parse(line, cut + 1, &st), -EINVAL);
    TEST_EQ_INT(proc_stat_parse(line, cut + 2, &st), 0);

    /* Fields on a second line do not count. */
    len = build(line, sizeof(line), "p", f, 10);
    line[len++] = '\n';
    for (int i = 0; i < 40; i++) {
        line[len++] = '0';
        line[len++] = ' ';
    }
    TEST_EQ_INT(proc_stat_parse(line, len, &st), -EINVAL);
}

/* Build a line with field k set to v (k 0: no override) up to field last, expect -EINVAL. */
static void check_bad_field(int k, const char *v, int last)
{
    const char *f[53] = {0};
    char line[1024];

    f[3] = "S";
    f[k] = v;
    check_invalid(line, build(line, sizeof(line), "a", f, last));
}

static void test_malformed(void)
{
    const char *f[53] = {0};
    struct proc_stat st;
    char line[1024];
    size_t len;

    CHECK_INVALID_LIT("");
    CHECK_INVALID_LIT(
        "1 a S 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    CHECK_INVALID_LIT(
        "1 )a( S 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0");
    check_bad_field(0, NULL, 38); /* one field short */
    check_bad_field(3, "SS", 39); /* state is one letter */
    check_bad_field(3, "7", 39);
    check_bad_field(4, "2147483648", 39); /* ppid is an int */
    check_bad_field(4, "-2147483649", 39);
    check_bad_field(14, "18446744073709551616", 39); /* 65 bits */
    check_bad_field(15, "-1", 39);
    check_bad_field(15, "-0", 39); /* unsigned */
    check_bad_field(20, "9223372036854775808", 39);
    check_bad_field(22, "1x", 39);
    check_bad_field(39, "-", 39);
    check_bad_field(39, "+1", 39);

    /* NULs: inside a needed number, and as the state. */
    f[3] = "S";
    len = build(line, sizeof(line), "a", f, 39);
    line[len - 1] = '\0';
    check_invalid(line, len);
    len = build(line, sizeof(line), "a", f, 39);
    line[6] = '\0';
    check_invalid(line, len);
    /* A NUL inside the comm is harmless. */
    len = build(line, sizeof(line), "a b", f, 39);
    line[4] = '\0';
    TEST_EQ_INT(proc_stat_parse(line, len, &st), 0);
}

static double thread_cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_live_stat(void)
{
    struct proc_stat st, st2;
    volatile unsigned long spin = 0;
    double t0;
    int fd;

    TEST_EQ_INT(proc_stat_read(getpid(), 0, &st), 0);
    TEST_EQ_INT(st.state, 'R');
    TEST_EQ_INT(st.ppid, getppid());
    TEST_CHECK(st.num_threads >= 1);
    TEST_CHECK(st.starttime > 0);
    TEST_CHECK(st.processor >= 0);
    TEST_EQ_INT(proc_stat_read(getpid(), own_tid(), &st), 0);
    TEST_EQ_INT(st.state, 'R');
    TEST_EQ_INT(proc_stat_read(NO_PID, 0, &st), -ESRCH);
    TEST_EQ_INT(proc_stat_read(getpid(), NO_PID, &st), -ESRCH);
    TEST_EQ_INT(proc_stat_open(NO_PID, 0), -ESRCH);

    fd = proc_stat_open(getpid(), own_tid());
    TEST_CHECK(fd >= 0);
    if (fd < 0)
        return;
    TEST_EQ_INT(proc_stat_read_fd(fd, &st), 0);
    /* Spin until this thread's own CPU clock (the truth) shows 50 ms more; the kernel's
     * utime + stime (ticks of 1/100 s) must then have moved by at least 2 of the 5 ticks. */
    t0 = thread_cpu_ms();
    while (thread_cpu_ms() - t0 < 50)
        for (int i = 0; i < 100000; i++)
            spin += (unsigned long)i;
    TEST_EQ_INT(proc_stat_read_fd(fd, &st2), 0);
    TEST_CHECK(st2.utime + st2.stime >= st.utime + st.stime + 2);
    TEST_CHECK(st2.starttime == st.starttime);
    close(fd);
}

/* An fd opened on a child survives its exit: zombie 'Z', then -ESRCH once reaped. */
static void test_read_fd_dead(void)
{
    struct proc_stat st;
    siginfo_t si;
    pid_t pid = fork();
    int fd;

    if (pid == 0)
        _exit(0);
    TEST_CHECK(pid > 0);
    if (pid <= 0)
        return;
    fd = proc_stat_open(pid, 0);
    TEST_CHECK(fd >= 0);
    TEST_EQ_INT(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
    TEST_EQ_INT(proc_stat_read_fd(fd, &st), 0);
    TEST_EQ_INT(st.state, 'Z');
    TEST_EQ_INT(st.ppid, getpid());
    TEST_EQ_INT(waitpid(pid, NULL, 0), pid);
    TEST_EQ_INT(proc_stat_read_fd(fd, &st), -ESRCH);
    if (fd >= 0)
        close(fd);
}

static void test_comm(void)
{
    char name[17] = {0}, buf[64];

    TEST_EQ_INT(prctl(PR_GET_NAME, name), 0);
    TEST_EQ_INT(proc_comm_read(getpid(), 0, buf, sizeof(buf)), 0);
    TEST_EQ_STR(buf, name);
    TEST_EQ_INT(proc_comm_read(getpid(), own_tid(), buf, sizeof(buf)), 0);
    TEST_EQ_STR(buf, name);
    TEST_EQ_INT(proc_comm_read(getpid(), 0, buf, 3), 0);
    TEST_EQ_INT(strlen(buf), 2);
    TEST_CHECK(strncmp(buf, name, 2) == 0);
    TEST_EQ_INT(proc_comm_read(getpid(), 0, buf, 1), 0);
    TEST_EQ_STR(buf, "");
    TEST_EQ_INT(proc_comm_read(NO_PID, 0, buf, sizeof(buf)), -ESRCH);
    TEST_EQ_INT(proc_comm_read(getpid(), NO_PID, buf, sizeof(buf)), -ESRCH);
}

static void test_tasks(void)
{
    int tids[64], found = 0;
    size_t n = 0;

    TEST_EQ_INT(proc_tasks_read(getpid(), tids, 64, &n), 0);
    TEST_CHECK(n >= 1);
    for (size_t i = 0; i < n && i < 64; i++)
        found |= tids[i] == own_tid();
    TEST_CHECK(found);
    n = 0;
    TEST_EQ_INT(proc_tasks_read(getpid(), NULL, 0, &n), 0);
    TEST_CHECK(n >= 1);
    n = 99;
    TEST_EQ_INT(proc_tasks_read(NO_PID, tids, 64, &n), -ESRCH);
    TEST_EQ_INT(n, 99); /* untouched on error */
}

void test_proc_stat(void)
{
    test_fixtures();
    test_parse_edges();
    test_malformed();
    test_live_stat();
    test_read_fd_dead();
    test_comm();
    test_tasks();
}
