/* Unit tests for proc_sys: the parsers on files captured from this machine and on hand-written
 * edge cases (old kernels, other architectures, huge and truncated values), the machine reader on
 * a fake /proc + /sys tree, and the live readers against what the C library reports.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "proc_sys.h"
#include "suites.h"
#include "test.h"

#define FIX "fixtures/sys/"

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

/* Parse the fixture with proc_sys_cpu_parse(); returns its result. */
static int cpu_fixture(const char *name, struct proc_sys_cpu *c)
{
    char path[128], *text;
    int err;

    snprintf(path, sizeof(path), FIX "%s", name);
    if (!(text = test_read_fixture(path, NULL)))
        return -ENOENT;
    err = proc_sys_cpu_parse(text, c);
    free(text);
    return err;
}

static void test_cpu_fixtures(void)
{
    struct proc_sys_cpu c, keep = {.user = 7, .ncpu = -7};

    /* Captured here: 2 vCPUs, all ten fields. */
    TEST_EQ_INT(cpu_fixture("stat", &c), 0);
    TEST_EQ_INT(c.user, 3478);
    TEST_EQ_INT(c.nice, 0);
    TEST_EQ_INT(c.system, 2546);
    TEST_EQ_INT(c.idle, 122003);
    TEST_EQ_INT(c.iowait, 743);
    TEST_EQ_INT(c.irq, 0);
    TEST_EQ_INT(c.softirq, 33);
    TEST_EQ_INT(c.steal, 21);
    TEST_EQ_INT(c.ncpu, 2);
    TEST_EQ_INT(c.procs_running, 2);
    /* Before 2.6: four fields; the rest are 0. */
    TEST_EQ_INT(cpu_fixture("stat_old_kernel", &c), 0);
    TEST_EQ_INT(c.user, 100);
    TEST_EQ_INT(c.idle, 4000);
    TEST_EQ_INT(c.iowait + c.irq + c.softirq + c.steal, 0);
    TEST_EQ_INT(c.ncpu, 2);
    TEST_EQ_INT(c.procs_running, 3);
    /* UINT64_MAX everywhere; fields past steal (even an overflowing one) are ignored. */
    TEST_EQ_INT(cpu_fixture("stat_huge", &c), 0);
    TEST_CHECK(c.user == UINT64_MAX && c.steal == UINT64_MAX);
    TEST_CHECK(c.procs_running == UINT64_MAX);
    TEST_EQ_INT(c.ncpu, 4);
    TEST_CHECK(proc_sys_cpu_busy(&keep, &c) == UINT64_MAX); /* sums saturate */
    TEST_CHECK(proc_sys_cpu_total(&keep, &c) == UINT64_MAX);
    /* Cut inside the cpu line (3 numbers), or before procs_running. */
    c = keep;
    TEST_EQ_INT(cpu_fixture("stat_truncated", &c), -EINVAL);
    TEST_EQ_INT(cpu_fixture("stat_no_procs_running", &c), -EINVAL);
    TEST_CHECK(c.user == 7 && c.ncpu == -7); /* untouched on error */
}

static void check_cpu_invalid(const char *text)
{
    struct proc_sys_cpu c = {.idle = 9};

    TEST_EQ_INT(proc_sys_cpu_parse(text, &c), -EINVAL);
    TEST_EQ_INT(c.idle, 9);
}

static void test_cpu_edges(void)
{
    struct proc_sys_cpu a = {0}, b;

    check_cpu_invalid("");
    check_cpu_invalid("cpu\ncpu0 1 2 3 4\nprocs_running 1\n");
    check_cpu_invalid("cpu  1 2 3 x 5\ncpu0 1\nprocs_running 1\n");
    check_cpu_invalid("cpu  1 2 3 4x\ncpu0 1\nprocs_running 1\n");
    check_cpu_invalid("cpu  1 2 3 18446744073709551616\ncpu0 1\nprocs_running 1\n");
    check_cpu_invalid("cpu  1 2 3 -4\ncpu0 1\nprocs_running 1\n");
    check_cpu_invalid("cpu  1 2 3 4\nprocs_running 1\n");             /* no cpuN */
    check_cpu_invalid("cpu  1 2 3 4\ncpu0 1 2 3 4\nprocs_running\n"); /* no value */
    check_cpu_invalid("cpu  1 2 3 4\ncpu0 1 2 3 4\nprocs_running 1 2\n");
    check_cpu_invalid("cpux 1 2 3 4\ncpu0 1 2 3 4\nprocs_running 1\n"); /* no aggregate line */
    /* Tabs separate too, no final newline; a second "cpu " line and lookalike keys are
     * ignored. */
    TEST_EQ_INT(proc_sys_cpu_parse("xcpu 9 9 9 9\ncpu\t1 2 3 4 5 6 7 8\ncpu 9 9 9 9\ncpu0 x\n"
                                   "cpu17 y\nprocs_running_x 5\nprocs_running 6",
                                   &a),
                0);
    TEST_CHECK(a.user == 1 && a.idle == 4 && a.steal == 8);
    TEST_EQ_INT(a.ncpu, 2);
    TEST_EQ_INT(a.procs_running, 6);
    /* Deltas: busy leaves out idle and iowait; a counter that went backwards counts 0. */
    b = a;
    b.user += 10;
    b.system += 5;
    b.steal += 1;
    b.idle += 100;
    b.iowait -= 3;
    TEST_EQ_INT(proc_sys_cpu_busy(&a, &b), 16);
    TEST_EQ_INT(proc_sys_cpu_total(&a, &b), 116);
    TEST_EQ_INT(proc_sys_cpu_busy(&b, &a), 0);
    TEST_EQ_INT(proc_sys_cpu_total(&b, &a), 3);
    TEST_EQ_INT(proc_sys_cpu_total(&a, &a), 0);
}

/* Parse the fixture with proc_sys_loadavg_parse(); returns its result. */
static int load_fixture(const char *name, struct proc_sys_load *l)
{
    char path[128], *text;
    int err;

    snprintf(path, sizeof(path), FIX "%s", name);
    if (!(text = test_read_fixture(path, NULL)))
        return -ENOENT;
    err = proc_sys_loadavg_parse(text, l);
    free(text);
    return err;
}

static int psi_fixture(const char *name, double *v)
{
    char path[128], *text;
    int err;

    snprintf(path, sizeof(path), FIX "%s", name);
    if (!(text = test_read_fixture(path, NULL)))
        return -ENOENT;
    err = proc_sys_psi_parse(text, v);
    free(text);
    return err;
}

static void check_load_invalid(const char *text)
{
    struct proc_sys_load l = {.avg1 = 9, .total = 9, .psi_some10 = 9};

    TEST_EQ_INT(proc_sys_loadavg_parse(text, &l), -EINVAL);
    TEST_CHECK(l.avg1 == 9 && l.total == 9);
}

static void test_load(void)
{
    struct proc_sys_load l = {.psi_some10 = 5};
    double v = 7;

    TEST_EQ_INT(load_fixture("loadavg", &l), 0); /* "0.02 0.04 0.01 1/85 5639" */
    TEST_CHECK(near(l.avg1, 0.02) && near(l.avg5, 0.04) && near(l.avg15, 0.01));
    TEST_EQ_INT(l.running, 1);
    TEST_EQ_INT(l.total, 85);
    TEST_CHECK(l.psi_some10 == 5); /* not the loadavg parser's business */
    TEST_EQ_INT(proc_sys_loadavg_parse("0.52 0.58 0.59 2/345", &l), 0);
    TEST_EQ_INT(l.total, 345);
    TEST_EQ_INT(proc_sys_loadavg_parse("123456.99 0 7.5 2147483647/2147483647 1\n", &l), 0);
    TEST_CHECK(near(l.avg1, 123456.99) && near(l.avg5, 0) && near(l.avg15, 7.5));
    TEST_EQ_INT(l.running, INT_MAX);
    check_load_invalid("");
    check_load_invalid("0.02 0.04");
    check_load_invalid("0.02 0.04 0.01");
    check_load_invalid("0.02 0.04 0.01 1");
    check_load_invalid("0.02 0.04 0.01 1/");
    check_load_invalid("0.02 0.04 0.01 /5");
    check_load_invalid("0.02 0.04 0.01 1/2147483648 5");
    check_load_invalid("0.02 0.04 0,01 1/5 5");
    check_load_invalid("0.02 0.04 .01 1/5 5");
    check_load_invalid("0.02 0.04 1. 1/5 5");
    check_load_invalid("0.02 0.04 nan 1/5 5");
    check_load_invalid("0.02 0.04 -1 1/5 5");
    check_load_invalid("0.02 0.04\n0.01 1/5 5"); /* only the first line counts */
    TEST_EQ_INT(load_fixture("loadavg_no_pid", &l), 0);
    TEST_CHECK(near(l.avg15, 0.59) && l.running == 2 && l.total == 345);
    TEST_EQ_INT(load_fixture("loadavg_truncated", &l), -EINVAL);

    TEST_EQ_INT(psi_fixture("pressure_cpu", &v), 0);
    TEST_CHECK(near(v, 0.0));
    TEST_EQ_INT(psi_fixture("pressure_cpu_some_only", &v), 0); /* before 5.13: no "full" */
    TEST_CHECK(near(v, 12.34));
    v = 7;
    TEST_EQ_INT(psi_fixture("pressure_cpu_full_only", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_psi_parse("some avg60=1.00 total=5\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_psi_parse("some avg10=\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_psi_parse("some avg10=1.5x avg60=0\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_psi_parse("some xavg10=1 avg100=2\n", &v), -EINVAL);
    TEST_CHECK(v == 7);
    TEST_EQ_INT(proc_sys_psi_parse("full avg10=9.00\nsome avg60=2 avg10=100.00", &v), 0);
    TEST_CHECK(near(v, 100.0));
}

/* proc_sys_cpuinfo_model() of a fixture into a buffer of size bytes. */
static int model_fixture(const char *name, char *buf, size_t size)
{
    char path[128], *text;
    int err;

    snprintf(path, sizeof(path), FIX "%s", name);
    if (!(text = test_read_fixture(path, NULL)))
        return -ENOENT;
    err = proc_sys_cpuinfo_model(text, buf, size);
    free(text);
    return err;
}

static void test_cpuinfo(void)
{
    char buf[128], small[12];

    TEST_EQ_INT(model_fixture("cpuinfo", buf, sizeof(buf)), 0); /* captured here */
    TEST_EQ_STR(buf, "AMD EPYC");
    TEST_EQ_INT(model_fixture("cpuinfo_arm64", buf, sizeof(buf)), 0); /* no "model name" */
    TEST_EQ_STR(buf, "CPU implementer 0x41 part 0xd08");
    TEST_EQ_INT(model_fixture("cpuinfo_arm32", buf, sizeof(buf)), 0);
    TEST_EQ_STR(buf, "ARMv7 Processor rev 4 (v7l)");
    TEST_EQ_INT(model_fixture("cpuinfo_power", buf, sizeof(buf)), 0);
    TEST_EQ_STR(buf, "POWER9 (raw), altivec supported");
    /* An empty "model name" is skipped; blank runs collapse; trailing blanks go. */
    TEST_EQ_INT(model_fixture("cpuinfo_spaces", buf, sizeof(buf)), 0);
    TEST_EQ_STR(buf, "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz");
    strcpy(buf, "untouched");
    TEST_EQ_INT(model_fixture("cpuinfo_none", buf, sizeof(buf)), -ENOENT);
    TEST_EQ_STR(buf, "untouched");
    TEST_EQ_INT(proc_sys_cpuinfo_model("", buf, sizeof(buf)), -ENOENT);
    TEST_EQ_INT(proc_sys_cpuinfo_model("model name\n", buf, sizeof(buf)), -ENOENT);
    TEST_EQ_INT(proc_sys_cpuinfo_model("CPU implementer : 0x41\n", buf, sizeof(buf)), -ENOENT);
    /* "cpu" must be the whole key: x86's "cpu family" is not a model. */
    TEST_EQ_INT(proc_sys_cpuinfo_model("cpu family\t: 6\ncpu MHz\t: 1.0\n", buf, sizeof(buf)),
                -ENOENT);
    /* Truncation to the buffer, on a character boundary (11 bytes and the NUL). */
    TEST_EQ_INT(proc_sys_cpuinfo_model("model name: abcdefghij\xc3\xa9xyz\n", small, sizeof(small)),
                0);
    TEST_EQ_STR(small, "abcdefghij");
    TEST_EQ_INT(proc_sys_cpuinfo_model("model name: abcdefghi\xc3\xa9xyz\n", small, sizeof(small)),
                0);
    TEST_EQ_STR(small, "abcdefghi\xc3\xa9");
    TEST_EQ_INT(proc_sys_cpuinfo_model("model name: abcdefghi\xe2\x82\xac", small, sizeof(small)),
                0);
    TEST_EQ_STR(small, "abcdefghi");
    TEST_EQ_INT(proc_sys_cpuinfo_model("model name: a\tb\x01\x02 c\n", small, 1), 0);
    TEST_EQ_STR(small, "");
    TEST_EQ_INT(proc_sys_cpuinfo_model("model name: a\tb\x01\x02 c\x7f", small, sizeof(small)), 0);
    TEST_EQ_STR(small, "a b c");
}

static void test_meminfo(void)
{
    uint64_t v = 7;
    char *text = test_read_fixture(FIX "meminfo", NULL);

    if (text) {
        TEST_EQ_INT(proc_sys_meminfo_parse(text, &v), 0); /* captured here */
        TEST_EQ_INT(v, 24684092ull * 1024);
        free(text);
    }
    if ((text = test_read_fixture(FIX "meminfo_huge", NULL))) {
        TEST_EQ_INT(proc_sys_meminfo_parse(text, &v), 0);
        TEST_CHECK(v == 18014398509481983ull * 1024);
        free(text);
    }
    v = 7;
    if ((text = test_read_fixture(FIX "meminfo_no_total", NULL))) {
        TEST_EQ_INT(proc_sys_meminfo_parse(text, &v), -EINVAL);
        free(text);
    }
    TEST_EQ_INT(proc_sys_meminfo_parse("MemTotal: 18014398509481984 kB\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_meminfo_parse("MemTotal: 100\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_meminfo_parse("MemTotal: 100 MB\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_meminfo_parse("MemTotal: 100 kBx\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_meminfo_parse("MemTotal: 100kB\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_meminfo_parse("MemTotal:\n", &v), -EINVAL);
    TEST_EQ_INT(proc_sys_meminfo_parse("MemTotalx: 1 kB\n", &v), -EINVAL);
    TEST_EQ_INT(v, 7);
    TEST_EQ_INT(proc_sys_meminfo_parse("MemFree: 1 kB\nMemTotal:\t2 kB  ", &v), 0);
    TEST_EQ_INT(v, 2048);
}

/* The machine reader on a fake tree (fixtures/sys/tree): cpufreq of cpu0 visible, and
 * core_throttle_count in cpu0, cpu1 and cpu10 summed, not cpu3's garbage, cpu0's package count
 * or the non-CPU directory "cpufreq". */
static void test_machine_tree(void)
{
    struct proc_sys_machine m;

    memset(&m, 0x55, sizeof(m));
    TEST_EQ_INT(proc_sys_machine_read_at(FIX "tree", &m), 0);
    TEST_EQ_STR(m.cpu_model, "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz");
    TEST_EQ_INT(m.mem_total, 16303412ull * 1024);
    TEST_EQ_INT(m.freq_visible, 1);
    TEST_EQ_STR(m.governor, "powersave");
    TEST_CHECK(near(m.freq_min_mhz, 400) && near(m.freq_max_mhz, 4200));
    TEST_CHECK(near(m.freq_cur_mhz, 1899.993));
    TEST_EQ_INT(m.throttle_count, 12 + 30 + 100);
    /* ncpu, kernel and hostname come from the running system whatever the root. */
    TEST_EQ_INT(m.ncpu, sysconf(_SC_NPROCESSORS_ONLN));
    TEST_CHECK(m.kernel[0] != '\0' && m.hostname[0] != '\0');

    /* Nothing under the root: every file-based field degrades to "" or 0. */
    memset(&m, 0x55, sizeof(m));
    TEST_EQ_INT(proc_sys_machine_read_at(FIX "no-such-dir", &m), 0);
    TEST_EQ_STR(m.cpu_model, "");
    TEST_EQ_INT(m.mem_total, 0);
    TEST_EQ_INT(m.freq_visible, 0);
    TEST_EQ_STR(m.governor, "");
    TEST_CHECK(m.freq_min_mhz == 0 && m.freq_max_mhz == 0 && m.freq_cur_mhz == 0);
    TEST_EQ_INT(m.throttle_count, 0);
    TEST_CHECK(m.kernel[0] != '\0');
}

/* Burn about ms milliseconds of this process's CPU time. */
static void burn_cpu(int ms)
{
    struct timespec t0, t;
    volatile unsigned x = 0;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    do {
        for (int i = 0; i < 10000; i++)
            x += (unsigned)i;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* /proc/stat of this machine: CPU count, and ticks over a busy loop of 50 ms of CPU time. */
static void test_live_cpu(void)
{
    struct proc_sys_cpu a, b;
    long hz = sysconf(_SC_CLK_TCK), ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    double t0, wall;
    uint64_t busy, total;

    t0 = now();
    TEST_EQ_INT(proc_sys_cpu_read(&a), 0);
    burn_cpu(50);
    TEST_EQ_INT(proc_sys_cpu_read(&b), 0);
    wall = now() - t0;
    TEST_EQ_INT(a.ncpu, ncpu);
    TEST_CHECK(b.procs_running >= 1); /* this process, reading */
    busy = proc_sys_cpu_busy(&a, &b);
    total = proc_sys_cpu_total(&a, &b);
    /* We ran 50 ms = 5 ticks at USER_HZ 100; tick sampling may lose one or two. */
    TEST_CHECK(busy >= (uint64_t)(0.05 * (double)hz) - 2);
    TEST_CHECK(busy <= total);
    /* Every CPU accounts every tick of the wall time, give or take a tick per CPU. */
    TEST_CHECK((double)total <= (wall * (double)hz + 2) * (double)ncpu);
    TEST_CHECK((double)total + 2.0 * (double)ncpu >= wall * (double)hz * (double)ncpu * 0.5);
    if (busy < 3 || total == 0)
        fprintf(stderr, "  busy %llu total %llu wall %.3f s\n", (unsigned long long)busy,
                (unsigned long long)total, wall);
}

static void test_live_load(void)
{
    struct proc_sys_load l;

    TEST_EQ_INT(proc_sys_load_read(&l), 0);
    TEST_CHECK(l.avg1 >= 0 && l.avg5 >= 0 && l.avg15 >= 0);
    TEST_CHECK(l.running >= 1 && l.total >= l.running);
    if (access("/proc/pressure/cpu", R_OK) == 0)
        TEST_CHECK(l.psi_some10 >= 0 && l.psi_some10 <= 100);
    else
        TEST_CHECK(l.psi_some10 == -1);
}

/* A /proc file whole (its size is 0 to stat and ftell). Caller frees. */
static char *read_proc(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);

    while (f && buf && n + 1 < cap) {
        size_t r = fread(buf + n, 1, cap - 1 - n, f);

        if (r == 0)
            break;
        n += r;
    }
    if (buf)
        buf[n] = '\0';
    if (f)
        fclose(f);
    return buf;
}

static void test_live_machine(void)
{
    struct proc_sys_machine m;
    struct utsname u;
    char host[256], kernel[300], *info = read_proc("/proc/cpuinfo");
    int freq = access("/sys/devices/system/cpu/cpu0/cpufreq", F_OK) == 0;

    TEST_EQ_INT(proc_sys_machine_read(&m), 0);
    TEST_EQ_INT(m.ncpu, sysconf(_SC_NPROCESSORS_ONLN));
    TEST_CHECK(info && m.cpu_model[0] && strstr(info, m.cpu_model));
    TEST_CHECK(uname(&u) == 0);
    snprintf(kernel, sizeof(kernel), "%s %s", u.sysname, u.release);
    TEST_EQ_STR(m.kernel, kernel);
    TEST_CHECK(gethostname(host, sizeof(host)) == 0);
    TEST_EQ_STR(m.hostname, host);
    TEST_EQ_INT(m.mem_total, (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE));
    TEST_EQ_INT(m.freq_visible, freq);
    if (!freq) { /* this VM: no cpufreq at all */
        TEST_EQ_STR(m.governor, "");
        TEST_CHECK(m.freq_min_mhz == 0 && m.freq_max_mhz == 0 && m.freq_cur_mhz == 0);
    } else {
        TEST_CHECK(m.freq_max_mhz >= m.freq_min_mhz && m.freq_max_mhz > 0);
    }
    TEST_CHECK(proc_sys_throttle_count() >= m.throttle_count);
    free(info);
}

void test_proc_sys(void)
{
    test_cpu_fixtures();
    test_cpu_edges();
    test_load();
    test_cpuinfo();
    test_meminfo();
    test_machine_tree();
    test_live_cpu();
    test_live_load();
    test_live_machine();
}
