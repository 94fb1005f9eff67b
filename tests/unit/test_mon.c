/* Unit tests for mon: the metric table, and live runs on forked children of this process that
 * use known amounts of CPU, memory and disk (a file in tests/out written with fsync), with a
 * child that starts later and exits before its parent, and the series merged in pairs.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mon.h"
#include "suites.h"
#include "test.h"

#define MIB (1024 * 1024)
/* Slots beyond the live ones: gone processes wait at most one tick to be retired. */
#define RETIRE_SLACK 8

static int64_t mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void test_infos(void)
{
    int rates = 0;

    for (int k = 0; k < MON_NMETRICS; k++) {
        const struct mon_metric_info *in = mon_metric_info(k);

        TEST_CHECK(in && in->name && in->label && in->unit);
        if (!in || !in->name)
            continue;
        TEST_CHECK((in->rate != 0) == (in->total_name != NULL));
        rates += in->rate;
        for (int j = 0; j < k; j++)
            TEST_CHECK(strcmp(mon_metric_info(j)->name, in->name) != 0);
    }
    TEST_EQ_INT(rates, 9);
    TEST_CHECK(mon_metric_info(MON_NMETRICS) == NULL);
}

static void spin(double seconds)
{
    struct timespec a, b;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    do
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9 < seconds);
}

/* The worker's child: 8 MiB written to path with fsync; exits once the monitor has found it
 * (a byte on go: a fixed stay, e.g. 30 ms, is shorter than a tick's delay on a loaded
 * machine). If none comes, SIGALRM ends it (a monitor that never finds it fails the test, it
 * does not hang it). */
static void writer(const char *path, int go)
{
    static char block[MIB];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char c;

    memset(block, 'w', sizeof(block));
    for (int i = 0; i < 8 && fd >= 0; i++) {
        if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
            _exit(1);
    }
    fsync(fd);
    alarm(120);
    _exit(read(go, &c, 1) == 1 ? 0 : 1);
}

static char *volatile held; /* keeps the compiler from dropping the allocation */

/* The monitored process: 64 MiB touched and held, 0.2 s of CPU, a child that writes, exit. */
static void worker(const char *path, int go)
{
    char *mem;
    int pid, status;

    usleep(50000);
    mem = malloc(64 * MIB);
    if (!mem)
        _exit(1);
    memset(mem, 1, 64 * MIB);
    held = mem;
    spin(0.2);
    if ((pid = fork()) == 0)
        writer(path, go);
    waitpid(pid, &status, 0);
    usleep(60000);
    _exit(WIFEXITED(status) ? 0 : 1);
}

/* Tick every 10 ms until the monitor reports the root's exit, however long a loaded machine
 * makes the root take (a run cut short would leave a tree half followed: a live child, part of
 * the CPU). The end is checked against the root's own exit, seen here without reaping it
 * (waitid WNOWAIT): a tick that begins after it must report it. go >= 0: a byte is written to
 * it once the monitor lists a second process (test_live's writer waits for it). Returns the
 * ticks, a negative errno from mon_tick, or -EPROTO when a tick missed the exit. */
static int run(struct mon *m, int root, int go)
{
    int n = 0, rc;

    for (;;) {
        siginfo_t si = {0};
        int exited;

        usleep(10000);
        exited =
            waitid(P_PID, (id_t)root, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == root;
        rc = mon_tick(m, mono());
        if (go >= 0 && mon_nprocs(m) >= 2) {
            (void)!write(go, "x", 1);
            go = -1;
        }
        mon_reserve(m);
        n++;
        if (rc != 0)
            return rc < 0 ? rc : n;
        if (exited)
            return -EPROTO;
    }
}

/* no_ts: read each thread's schedstat (what happens without CAP_NET_ADMIN). */
static void test_live(int no_ts)
{
    const char *path = "out/mon_unit.bin";
    struct mon_opts opts = {.launched = 1, .max_rows = 16, .no_taskstats = no_ts};
    struct mon *m = NULL;
    struct mon_stats st;
    double peak = 0;
    int pid, status, ticks, go[2];

    mkdir("out", 0755);
    TEST_EQ_INT(pipe(go), 0);
    if ((pid = fork()) == 0) {
        close(go[1]);
        worker(path, go[0]);
    }
    close(go[0]);
    TEST_EQ_INT(mon_open(pid, &opts, mono(), &m), 0);
    if (!m)
        goto out;
    ticks = run(m, pid, go[1]);
    TEST_CHECK(ticks > 16);
    TEST_CHECK(mon_rows(m) <= 16 && mon_rows(m) >= 8); /* merged in pairs */
    mon_get_stats(m, &st);
    TEST_CHECK(st.merges >= 1);
    TEST_EQ_INT(st.ticks, ticks);
    TEST_CHECK(!no_ts || !st.taskstats);
    TEST_CHECK(mon_total(m, MON_CTXSW) > 0 && mon_total(m, MON_CPU_WAIT) >= 0);
    TEST_CHECK(mon_total(m, MON_CPU) >= 0.18 && mon_total(m, MON_CPU) < 2);
    TEST_CHECK(fabs(mon_total(m, MON_CPU) - mon_total(m, MON_CPU_USER) -
                    mon_total(m, MON_CPU_SYS)) < 1e-6);
    TEST_CHECK(fabs(mon_total(m, MON_DISK_WRITE) - 8 * MIB) < 0.05 * 8 * MIB);
    TEST_CHECK(isnan(mon_total(m, MON_RSS)));
    for (size_t i = 0; i < mon_rows(m); i++) {
        peak = fmax(peak, mon_value(m, i, MON_RSS));
        TEST_CHECK(mon_value(m, i, MON_CPU) >= 0 && mon_value(m, i, MON_DISK_WRITE) >= 0);
        TEST_CHECK(i == 0 || mon_time(m, i) > mon_time(m, i - 1));
    }
    TEST_CHECK(peak >= 64 * MIB);
    TEST_EQ_INT(mon_nprocs(m), 2);
    if (mon_nprocs(m) == 2) {
        const struct mon_proc *root = mon_proc(m, 0), *child = mon_proc(m, 1);

        TEST_EQ_INT(root->pid, pid);
        TEST_EQ_INT(child->ppid, pid);
        TEST_CHECK(root->end > 0 && child->end > 0 && child->end <= root->end);
        TEST_CHECK(child->start > 0 && !child->preexisting);
        TEST_CHECK(root->peak_rss >= 64 * MIB);
        TEST_CHECK(root->cpu_user + root->cpu_sys >= 0.18);
        TEST_CHECK(root->write_bytes + child->write_bytes >= 8 * MIB * 95 / 100);
    }
    TEST_CHECK(mon_proc(m, 2) == NULL);
out:
    mon_free(m);
    close(go[1]);
    waitpid(pid, &status, 0);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(path);
}

/* The root of test_ended: NKIDS children one after the other, child i spinning (i % 7 + 1)
 * times 300 us of CPU, then sleeping 2 ms; it writes the tree's CPU (its own clock and its
 * reaped children's) to fd, then exits. */
#define NKIDS 300
static void forker(int fd)
{
    struct timespec own;
    struct rusage ru;
    double truth;
    int status;

    usleep(30000);
    for (int i = 0; i < NKIDS; i++) {
        int pid = fork();

        if (pid == 0) {
            spin((i % 7 + 1) * 300e-6);
            usleep(2000);
            _exit(0);
        }
        waitpid(pid, &status, 0);
    }
    getrusage(RUSAGE_CHILDREN, &ru);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &own);
    truth = (double)own.tv_sec + (double)own.tv_nsec * 1e-9 + (double)ru.ru_utime.tv_sec +
            (double)ru.ru_stime.tv_sec + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
    (void)!write(fd, &truth, sizeof(truth));
    usleep(30000);
    _exit(0);
}

/* Ended processes: memory bounded (slots held only while processes live), at most
 * MON_KEEP_ENDED kept one by one in the order found, the rest merged; the kept records, the
 * merged one and the totals agree; the tree's CPU equals the root's own measure of it, the
 * children's unseen parts included (through the root's cutime). */
static void test_ended(void)
{
    struct mon_opts opts = {.launched = 1};
    struct mon *m = NULL;
    struct mon_merged g;
    struct mon_stats st;
    double truth = -1, cpu, wait, ctxsw;
    int pid, status, fds[2];

    TEST_EQ_INT(pipe(fds), 0);
    if ((pid = fork()) == 0) {
        close(fds[0]);
        forker(fds[1]);
    }
    close(fds[1]);
    TEST_EQ_INT(mon_open(pid, &opts, mono(), &m), 0);
    if (!m)
        goto out;
    TEST_CHECK(run(m, pid, -1) > 0); /* followed to the root's end */
    TEST_EQ_INT(read(fds[0], &truth, sizeof(truth)), sizeof(truth));
    mon_get_stats(m, &st);
    mon_get_merged(m, &g);
    TEST_CHECK(st.peak_slots < 2 + RETIRE_SLACK);
    TEST_CHECK(mon_nprocs(m) <= 1 + MON_KEEP_ENDED);
    TEST_CHECK(mon_nprocs(m) - 1 + g.count <= NKIDS);
    TEST_CHECK(g.count > 0 && g.first_start <= g.last_end);
    cpu = g.cpu_user + g.cpu_sys;
    wait = g.cpu_wait;
    ctxsw = (double)g.ctxsw;
    for (size_t i = 0; i < mon_nprocs(m); i++) {
        const struct mon_proc *p = mon_proc(m, i);

        cpu += p->cpu_user + p->cpu_sys;
        wait += p->cpu_wait;
        ctxsw += (double)p->ctxsw;
        TEST_CHECK(i == 0 ? p->pid == pid : p->end >= 0 && p->start >= mon_proc(m, i - 1)->start);
    }
    TEST_CHECK(fabs(cpu - mon_total(m, MON_CPU)) < 1e-6);
    TEST_CHECK(fabs(wait - mon_total(m, MON_CPU_WAIT)) < 1e-6);
    TEST_CHECK(fabs(ctxsw - mon_total(m, MON_CTXSW)) < 0.5);
    /* The truth is read before the root's exit, which adds a little. */
    TEST_CHECK(truth > 0.2 && mon_total(m, MON_CPU) > truth - 0.03 - 0.02 * truth &&
               mon_total(m, MON_CPU) < truth + 0.03 + 0.02 * truth);
    if (!(truth > 0.2 && fabs(mon_total(m, MON_CPU) - truth) < 0.03 + 0.02 * truth))
        fprintf(stderr, "ended: tree CPU %.4f s, the root's measure %.4f s\n",
                mon_total(m, MON_CPU), truth);
out:
    mon_free(m);
    close(fds[0]);
    waitpid(pid, &status, 0);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Attached to an existing process: counted from mon_open on; its exit ends the run. */
static void test_attach(void)
{
    struct mon_opts opts = {0};
    struct mon *m = NULL;
    int pid, status, done[2];
    char c;

    TEST_EQ_INT(pipe(done), 0);
    pid = fork();
    if (pid == 0) {
        spin(0.3);
        (void)!write(done[1], "x", 1);
        usleep(150000);
        _exit(0);
    }
    close(done[1]);
    /* all of its CPU is spent before monitoring starts, however long the machine's load
     * makes the spin last */
    TEST_EQ_INT(read(done[0], &c, 1), 1);
    close(done[0]);
    TEST_EQ_INT(mon_open(0x3fffffff, &opts, mono(), &m), -ESRCH);
    TEST_EQ_INT(mon_open(pid, &opts, mono(), &m), 0);
    if (m) {
        int n = 0, rc = 0;

        while (rc == 0 && n++ < 300) {
            usleep(10000);
            if (n == 30) /* reaped by us, as its parent: gone, not a zombie */
                waitpid(pid, &status, 0);
            rc = mon_tick(m, mono());
            mon_reserve(m);
        }
        TEST_EQ_INT(rc, 1);
        TEST_CHECK(mon_proc(m, 0)->preexisting);
        TEST_CHECK(mon_total(m, MON_CPU) < 0.1); /* not the 0.3 s of CPU spent before */
        mon_free(m);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}

/* Taskstats answers at most every 50 ms; the rows between are filled in. Three spinning
 * children on this machine's CPUs switch and wait for a CPU all along: at a 10 ms interval,
 * most rows must show switches (held values would show them in one row out of five: at least
 * half tells the two apart, and holds under ASan, where a slow tick now and then spans a window
 * with no switch in it), and every row's user + system must equal its CPU. */
static void test_filled(void)
{
    struct mon_opts opts = {.launched = 1};
    struct mon *m = NULL;
    struct mon_stats st;
    int pid = fork(), status;
    size_t busy = 0, switching = 0;

    if (pid == 0) {
        int kids[3];

        usleep(30000);
        for (int i = 0; i < 3; i++) {
            if ((kids[i] = fork()) == 0) {
                spin(0.5);
                _exit(0);
            }
        }
        for (int i = 0; i < 3; i++)
            waitpid(kids[i], &status, 0);
        _exit(0);
    }
    TEST_EQ_INT(mon_open(pid, &opts, mono(), &m), 0);
    if (!m)
        goto out;
    TEST_CHECK(run(m, pid, -1) > 0);
    mon_get_stats(m, &st);
    for (size_t i = 1; st.taskstats && i < mon_rows(m); i++) {
        double cpu = mon_value(m, i, MON_CPU);

        TEST_CHECK(fabs(cpu - mon_value(m, i, MON_CPU_USER) - mon_value(m, i, MON_CPU_SYS)) <
                   1e-3 * (cpu + 1));
        if (cpu > 0.8) { /* the three spin */
            busy++;
            switching += mon_value(m, i, MON_CTXSW) > 0;
        }
    }
    if (st.taskstats) {
        TEST_CHECK(busy >= 20);
        TEST_CHECK(switching * 2 >= busy);
    }
out:
    mon_free(m);
    waitpid(pid, &status, 0);
}

void test_mon(void)
{
    test_filled();
    test_infos();
    test_live(0);
    test_live(1);
    test_attach();
    test_ended();
}
