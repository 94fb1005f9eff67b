/* Unit tests for proc_res: the io, schedstat and statm parsers on fixtures captured from
 * CPython 3.12 and on malformed text, and the readers on the test process itself (its own
 * writes and allocations must show up).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_res.h"
#include "suites.h"
#include "test.h"

#define NO_PID 0x3fffffff /* above the kernel's PID_MAX_LIMIT (4M): never a live pid */

static void test_fixtures(void)
{
    struct proc_io io;
    struct proc_schedstat ss;
    struct proc_statm sm;
    size_t len;
    char *t;

    if ((t = test_read_fixture("fixtures/io_python312.txt", &len))) {
        TEST_EQ_INT(proc_io_parse(t, len, &io), 0);
        TEST_EQ_INT(io.rchar, 1312424);
        TEST_EQ_INT(io.wchar, 1048576);
        TEST_EQ_INT(io.syscr, 40);
        TEST_EQ_INT(io.syscw, 1);
        TEST_EQ_INT(io.read_bytes, 9809920);
        TEST_EQ_INT(io.write_bytes, 1048576);
        TEST_EQ_INT(io.cancelled_write_bytes, 0);
        free(t);
    }
    if ((t = test_read_fixture("fixtures/schedstat_python312.txt", &len))) {
        TEST_EQ_INT(proc_schedstat_parse(t, len, &ss), 0);
        TEST_EQ_INT(ss.run_ns, 69938756);
        TEST_EQ_INT(ss.wait_ns, 3477411);
        TEST_EQ_INT(ss.slices, 30);
        free(t);
    }
    if ((t = test_read_fixture("fixtures/statm_python312.txt", &len))) {
        long page = sysconf(_SC_PAGESIZE);

        TEST_EQ_INT(proc_statm_parse(t, len, &sm), 0);
        TEST_EQ_INT(sm.size, 16526 * (uint64_t)page);
        TEST_EQ_INT(sm.resident, 15627 * (uint64_t)page);
        TEST_EQ_INT(sm.shared, 1640 * (uint64_t)page);
        free(t);
    }
}

#define BAD(fn, s, out) TEST_EQ_INT(fn(s, sizeof(s) - 1, out), -EINVAL)

static void test_malformed(void)
{
    struct proc_io io;
    struct proc_schedstat ss;
    struct proc_statm sm;

    BAD(proc_io_parse, "", &io);
    BAD(proc_io_parse, "rchar: 1\nwchar: 2\n", &io); /* fields missing */
    BAD(proc_io_parse,
        "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: x\nwrite_bytes: 6\n"
        "cancelled_write_bytes: 7\n",
        &io);
    BAD(proc_io_parse,
        "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 99999999999999999999999\n"
        "write_bytes: 6\ncancelled_write_bytes: 7\n",
        &io); /* overflows 64 bits */
    /* extra lines are ignored, a missing final newline is fine */
    TEST_EQ_INT(proc_io_parse("new_key: 9\nrchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\n"
                              "read_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7",
                              100, &io),
                0);
    TEST_EQ_INT(io.cancelled_write_bytes, 7);
    TEST_EQ_INT(io.read_bytes, 5);
    BAD(proc_schedstat_parse, "1 2\n", &ss);
    BAD(proc_schedstat_parse, "1 2 3 4\n", &ss);
    BAD(proc_schedstat_parse, "1 -2 3\n", &ss);
    BAD(proc_statm_parse, "1 2 3 4 5 6\n", &sm);
    BAD(proc_statm_parse, "1 2 3 4 5 6 7 junk\n", &sm);
}

static void test_live(void)
{
    struct proc_io a, b;
    struct proc_schedstat ss;
    struct proc_statm m0, m1;
    char path[] = "/tmp/spyglass-proc-res-XXXXXX";
    int io = proc_res_open(getpid(), 0, "io");
    int st = proc_res_open(getpid(), (int)syscall(SYS_gettid), "schedstat");
    int sm = proc_res_open(getpid(), 0, "statm");
    int tmp = mkstemp(path);
    static char chunk[1 << 16];
    size_t big = 64u << 20;
    char *mem;

    TEST_CHECK(io >= 0 && st >= 0 && sm >= 0 && tmp >= 0);
    if (io < 0 || st < 0 || sm < 0 || tmp < 0)
        goto out;
    TEST_EQ_INT(proc_io_read_fd(io, &a), 0);
    for (int i = 0; i < 16; i++)
        TEST_EQ_INT(write(tmp, chunk, sizeof(chunk)), sizeof(chunk));
    TEST_EQ_INT(proc_io_read_fd(io, &b), 0);
    TEST_EQ_INT(b.wchar - a.wchar, 16 * sizeof(chunk)); /* exactly what we wrote */
    TEST_EQ_INT(b.syscw - a.syscw, 16);
    TEST_EQ_INT(proc_schedstat_read_fd(st, &ss), 0);
    TEST_CHECK(ss.run_ns > 0 && ss.slices > 0);
    TEST_EQ_INT(proc_statm_read_fd(sm, &m0), 0);
    mem = malloc(big);
    if (mem) {
        memset(mem, 1, big);
        TEST_EQ_INT(proc_statm_read_fd(sm, &m1), 0);
        TEST_CHECK(m1.resident >= m0.resident + big - (4u << 20)); /* touched pages resident */
        free(mem);
    }
    TEST_EQ_INT(proc_res_open(NO_PID, 0, "io"), -ESRCH);
    TEST_EQ_INT(proc_res_open(getpid(), NO_PID, "io"), -ESRCH);
out:
    if (tmp >= 0) {
        close(tmp);
        unlink(path);
    }
    if (io >= 0)
        close(io);
    if (st >= 0)
        close(st);
    if (sm >= 0)
        close(sm);
}

/* smaps_rollup of CPython 3.12 holding an 8 MiB bytearray; its malformed variants. */
static void test_smaps(void)
{
    struct proc_smaps sp = {0};
    size_t len;
    char *t = test_read_fixture("fixtures/smaps_rollup_python312.txt", &len);

    if (t) {
        TEST_EQ_INT(proc_smaps_parse(t, len, &sp), 0);
        TEST_EQ_INT(sp.rss, 17880 * 1024ull);
        TEST_EQ_INT(sp.pss, 13760 * 1024ull);
        TEST_EQ_INT(sp.uss, (0 + 11268) * 1024ull);
        TEST_EQ_INT(sp.swap, 0);
        free(t);
    }
    /* Older kernels have no Private_Hugetlb or Swap line: they count as 0. */
    {
        static const char old[] = "Rss: 8 kB\nPss: 4 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB";

        TEST_EQ_INT(proc_smaps_parse(old, sizeof(old) - 1, &sp), 0);
    }
    TEST_EQ_INT(sp.uss, 3 * 1024);
    TEST_EQ_INT(sp.rss, 8 * 1024);
    BAD(proc_smaps_parse, "", &sp);
    BAD(proc_smaps_parse, "Rss: 8 kB\nPss: 4 kB\nPrivate_Clean: 1 kB\n", &sp); /* no dirty */
    BAD(proc_smaps_parse, "Rss: 8\nPss: 4 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\n", &sp);
    BAD(proc_smaps_parse, "Rss: 8 MB\nPss: 4 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\n", &sp);
    BAD(proc_smaps_parse,
        "Rss: 99999999999999999 kB\nPss: 4 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\n", &sp);
}

/* The fd count of this process follows its opens and closes; smaps_rollup of itself reads. */
static void test_fds_live(void)
{
    int dir = proc_res_open(getpid(), 0, "fd"), n0, n1, extra[3];
    struct proc_smaps sp;
    int sfd = proc_res_open(getpid(), 0, "smaps_rollup");

    TEST_CHECK(dir >= 0);
    if (dir < 0)
        return;
    n0 = proc_fd_count(dir);
    TEST_CHECK(n0 >= 4); /* stdin, stdout, stderr, dir */
    for (int i = 0; i < 3; i++)
        extra[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    n1 = proc_fd_count(dir);
    TEST_EQ_INT(n1, n0 + 3);
    for (int i = 0; i < 3; i++)
        close(extra[i]);
    TEST_EQ_INT(proc_fd_count(dir), n0);
    close(dir);
    TEST_CHECK(sfd >= 0);
    if (sfd >= 0) {
        TEST_EQ_INT(proc_smaps_read_fd(sfd, &sp), 0);
        TEST_CHECK(sp.rss > 0 && sp.pss > 0 && sp.pss <= sp.rss && sp.uss <= sp.pss);
        close(sfd);
    }
}

void test_proc_res(void)
{
    test_fixtures();
    test_malformed();
    test_live();
    test_smaps();
    test_fds_live();
}
