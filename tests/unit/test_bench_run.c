/* Unit tests for bench_run on real processes: exit codes, start failures, timeout and stop
 * (the process group is killed), peak RSS from taskstats (also under a big parent, where wait4
 * is wrong) and the wait4 fallback without CAP_NET_ADMIN, disk writes, wall time, output.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_run.h"
#include "suites.h"
#include "test.h"

#define MIB (1024.0 * 1024.0)

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Run argv once with a fresh runner. Returns bench_run's result. */
static int run_once(const struct bench_run_opts *o, char **argv, struct bench_result *res)
{
    struct bench_runner *r = NULL;
    int rc = bench_runner_new(o, &r);

    if (rc == 0)
        rc = bench_run(r, argv, res);
    bench_runner_free(r);
    return rc;
}

/* pyenv's CPython 3.11 (the doc's measurements), else Debian's. */
static const char *python(void)
{
    static char path[512];
    const char *home = getenv("HOME");

    snprintf(path, sizeof(path), "%s/.pyenv/versions/3.11.7/bin/python3.11", home ? home : "/");
    return access(path, X_OK) == 0 ? path : "/usr/bin/python3";
}

static void test_exit_codes(void)
{
    struct bench_run_opts o = {0};
    struct bench_result res;
    char *exit3[] = {"sh", "-c", "exit 3", NULL};
    char *kill9[] = {"sh", "-c", "kill -9 $$", NULL};

    TEST_EQ_INT(run_once(&o, exit3, &res), 0);
    TEST_EQ_INT(res.exit_code, 3);
    TEST_CHECK(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 3);
    TEST_EQ_INT(res.timed_out, 0);
    TEST_EQ_INT(run_once(&o, kill9, &res), 0);
    TEST_EQ_INT(res.exit_code, 137);
    TEST_CHECK(WIFSIGNALED(res.status) && WTERMSIG(res.status) == SIGKILL);
}

static void test_start_failures(void)
{
    struct bench_run_opts o = {0}, bad = {.timeout = -1};
    struct bench_runner *r = NULL;
    struct bench_result res = {.exit_code = -7};
    char *missing[] = {"spyglass-no-such-program-3f9a", NULL};
    char *missing_path[] = {"/nonexistent-dir/prog", NULL};
    char *not_exec[] = {"fixtures/taskstats/NOTES.txt", NULL};
    char *garbage[] = {"out/bench_garbage", NULL};
    int fd;

    TEST_EQ_INT(bench_runner_new(&bad, &r), -EINVAL);
    TEST_EQ_INT(run_once(&o, missing, &res), -ENOENT);
    TEST_EQ_INT(res.exit_code, -7); /* not filled */
    TEST_EQ_INT(run_once(&o, missing_path, &res), -ENOENT);
    TEST_EQ_INT(run_once(&o, not_exec, &res), -EACCES);
    mkdir("out", 0755);
    fd = open(garbage[0], O_WRONLY | O_CREAT | O_TRUNC, 0755);
    TEST_CHECK(fd >= 0 && write(fd, "\x01\x02garbage, not a program\n", 25) == 25);
    if (fd >= 0)
        close(fd);
    TEST_EQ_INT(run_once(&o, garbage, &res), -ENOEXEC);
    unlink(garbage[0]);
}

/* Is pid gone or a zombie (killed, not yet reaped by its new parent)? */
static int gone(pid_t pid)
{
    char path[64], buf[256];
    int fd;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return 1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 1;
    buf[n] = '\0';
    char *rp = strrchr(buf, ')');
    return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

static void test_timeout(void)
{
    struct bench_run_opts o = {.timeout = 0.2}, o_group = {.timeout = 2};
    struct bench_result res;
    char *sleep60[] = {"sleep", "60", NULL};
    char *group[] = {"sh", "-c", "sleep 60 & echo $! > out/bench_bg.pid; wait", NULL};
    char buf[32] = "";
    double t = now();
    int fd;

    TEST_EQ_INT(run_once(&o, sleep60, &res), 0);
    TEST_EQ_INT(res.timed_out, 1);
    TEST_EQ_INT(res.exit_code, 137);
    /* Killed at its timeout, not run to its end: its time is at least the timeout and within
     * what this test saw around the call (no fixed bound: a loaded machine takes a while to
     * fork and reap). */
    t = now() - t;
    TEST_CHECK(res.wall >= 0.2 && res.wall <= t + 0.01);
    TEST_CHECK(t < 30);

    /* The background sleep is in the command's process group: killed too. The timeout leaves a
     * loaded machine time to start the shell and write the file. */
    mkdir("out", 0755);
    unlink("out/bench_bg.pid");
    TEST_EQ_INT(run_once(&o_group, group, &res), 0);
    TEST_EQ_INT(res.timed_out, 1);
    fd = open("out/bench_bg.pid", O_RDONLY);
    TEST_CHECK(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0);
    if (fd >= 0)
        close(fd);
    pid_t bg = (pid_t)atoi(buf);
    int dead = 0;
    for (int i = 0; i < 2500 && bg > 0 && !(dead = gone(bg)); i++)
        usleep(2000);
    TEST_CHECK(bg > 0 && dead);
    unlink("out/bench_bg.pid");
}

static volatile sig_atomic_t stop_flag;

static void *set_stop_later(void *arg)
{
    (void)arg;
    usleep(100000);
    stop_flag = 1;
    return NULL;
}

static void on_alarm(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void test_stop(void)
{
    struct bench_run_opts o = {.stop = &stop_flag}, polled = {.stop = &stop_flag, .timeout = 60};
    struct bench_result res = {.exit_code = -7};
    struct sigaction sa = {.sa_handler = on_alarm}, old;
    struct itimerval it = {.it_value = {0, 100000}};
    char *sleep60[] = {"sleep", "60", NULL};
    pthread_t th;
    double t;

    /* set by another thread, with a timeout (the flag is polled): seen at the next tick */
    stop_flag = 0;
    t = now();
    TEST_EQ_INT(pthread_create(&th, NULL, set_stop_later, NULL), 0);
    TEST_EQ_INT(run_once(&polled, sleep60, &res), -EINTR);
    pthread_join(th, NULL);
    /* stopped, not run to its end (60 s): a loaded machine may take a while to fork and reap */
    TEST_CHECK(now() - t < 30);
    TEST_EQ_INT(res.exit_code, -7); /* not filled */

    /* set by a signal handler installed without SA_RESTART */
    stop_flag = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    t = now();
    setitimer(ITIMER_REAL, &it, NULL);
    TEST_EQ_INT(run_once(&o, sleep60, &res), -EINTR);
    TEST_CHECK(now() - t < 30);
    sigaction(SIGALRM, &old, NULL);

    /* a flag that never gets set changes nothing */
    stop_flag = 0;
    char *exit3[] = {"sh", "-c", "exit 3", NULL};
    TEST_EQ_INT(run_once(&o, exit3, &res), 0);
    TEST_EQ_INT(res.exit_code, 3);
}

static void test_wall(void)
{
    struct bench_run_opts o = {0}, with_timeout = {.timeout = 10};
    struct bench_result res;
    char *sleep01[] = {"sleep", "0.1", NULL};
    double t = now();

    /* The run's time: the sleep at least, and within the time this test saw around the call. */
    TEST_EQ_INT(run_once(&o, sleep01, &res), 0);
    t = now() - t;
    TEST_CHECK(res.wall >= 0.1 && res.wall <= t + 0.01);
    TEST_EQ_INT(res.exit_code, 0);
    t = now();
    TEST_EQ_INT(run_once(&with_timeout, sleep01, &res), 0);
    t = now() - t;
    TEST_CHECK(res.wall >= 0.1 && res.wall <= t + 0.01);
    TEST_EQ_INT(res.timed_out, 0);
}

/* dd writes and fsyncs 20 MiB: our /proc/self/io delta holds the reaped child's writes. */
static void test_write_bytes(void)
{
    struct bench_run_opts o = {0};
    struct bench_result res;
    char *dd[] = {"dd", "if=/dev/zero", "of=out/bench_dd.tmp", "bs=1M", "count=20", "conv=fsync",
                  NULL};

    mkdir("out", 0755);
    unlink("out/bench_dd.tmp");
    TEST_EQ_INT(run_once(&o, dd, &res), 0);
    TEST_EQ_INT(res.exit_code, 0);
    TEST_CHECK(res.write_bytes >= 0.95 * 20 * MIB && res.write_bytes <= 1.05 * 20 * MIB);
    if (!(res.write_bytes >= 0.95 * 20 * MIB && res.write_bytes <= 1.05 * 20 * MIB))
        fprintf(stderr, "  write_bytes %llu\n", (unsigned long long)res.write_bytes);
    unlink("out/bench_dd.tmp");
}

/* Peak RSS of `python -c CODE` and the run's rusage. */
static int py_run(const struct bench_run_opts *o, const char *code, struct bench_result *res)
{
    char *argv[] = {(char *)python(), "-c", (char *)code, NULL};

    return run_once(o, argv, res);
}

/* Within 5% of 100 MiB over the interpreter's own baseline? */
static int near_100mib(uint64_t big, uint64_t base)
{
    double d = (double)big - (double)base;

    if (d >= 0.95 * 100 * MIB && d <= 1.05 * 100 * MIB)
        return 1;
    fprintf(stderr, "  peak %llu - baseline %llu = %.1f MiB, want 100 +- 5%%\n",
            (unsigned long long)big, (unsigned long long)base, d / MIB);
    return 0;
}

static void test_rss_taskstats(void)
{
    struct bench_run_opts o = {0};
    struct bench_result base, big, nested, under;
    char nested_cmd[700];
    char *sh[] = {"sh", "-c", nested_cmd, NULL};
    const char *alloc = "b = bytearray(100 * 2**20)";
    unsigned char *parent = NULL;

    if (geteuid() != 0) {
        printf("note: bench_run taskstats peak-RSS checks skipped: not root\n");
        return;
    }
    TEST_EQ_INT(py_run(&o, "pass", &base), 0);
    TEST_EQ_INT(py_run(&o, alloc, &big), 0);
    TEST_EQ_INT(base.rss_src, BENCH_RSS_TASKSTATS);
    TEST_EQ_INT(big.rss_src, BENCH_RSS_TASKSTATS);
    TEST_CHECK(near_100mib(big.maxrss, base.maxrss));
    TEST_CHECK(big.minflt > 0 && big.user + big.sys > 0);
    TEST_CHECK(big.cpu_delay_ns > 0); /* run-queue wait: taskstats only */

    /* a grandchild: sh forks python, so the peak comes from a descendant's record */
    snprintf(nested_cmd, sizeof(nested_cmd), "'%s' -c '%s'; true", python(), alloc);
    TEST_EQ_INT(run_once(&o, sh, &nested), 0);
    TEST_EQ_INT(nested.rss_src, BENCH_RSS_TASKSTATS);
    TEST_CHECK(near_100mib(nested.maxrss, base.maxrss));

    /* under a parent with 200 MiB touched, where wait4 would report >= 200 MiB */
    parent = malloc(200 << 20);
    TEST_CHECK(parent != NULL);
    if (!parent)
        return;
    memset(parent, 1, 200 << 20);
    TEST_EQ_INT(py_run(&o, alloc, &under), 0);
    TEST_EQ_INT(under.rss_src, BENCH_RSS_TASKSTATS);
    TEST_CHECK(near_100mib(under.maxrss, base.maxrss));
    TEST_CHECK(under.maxrss < 200 * MIB);
    TEST_CHECK(parent[12345] == 1);
    free(parent);
}

/* Drop CAP_NET_ADMIN from this (forked) process's effective set. */
static int drop_net_admin(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2];

    if (syscall(SYS_capget, &hdr, data) != 0)
        return -1;
    data[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
    return (int)syscall(SYS_capset, &hdr, data);
}

/* Our peak RSS in bytes. */
static uint64_t own_hwm(void)
{
    char buf[4096];
    FILE *f = fopen("/proc/self/status", "r");
    unsigned long kib = 0;

    while (f && fgets(buf, sizeof(buf), f))
        if (sscanf(buf, "VmHWM: %lu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return (uint64_t)kib * 1024;
}

struct fallback {
    int rc_new, exact, rc_big, rc_true;
    uint64_t alloc, own;
    struct bench_result big, tru;
};

/* In a child without CAP_NET_ADMIN: a command that outgrows us is WAIT4 (exact), one that does
 * not is BOUND. */
static void fallback_child(int fd)
{
    struct fallback fb = {0};
    struct bench_run_opts o = {0};
    struct bench_runner *r = NULL;
    char code[128];
    char *argv[] = {(char *)python(), "-c", code, NULL};
    char *tru[] = {"true", NULL};

    if (drop_net_admin() != 0)
        _exit(3);
    fb.own = own_hwm();
    fb.alloc = ((fb.own >> 20) + 64) << 20;
    snprintf(code, sizeof(code), "b = bytearray(%llu)", (unsigned long long)fb.alloc);
    fb.rc_new = bench_runner_new(&o, &r);
    if (fb.rc_new == 0) {
        fb.exact = bench_runner_exact_rss(r);
        fb.rc_big = bench_run(r, argv, &fb.big);
        fb.rc_true = bench_run(r, tru, &fb.tru);
    }
    bench_runner_free(r);
    _exit(write(fd, &fb, sizeof(fb)) == (ssize_t)sizeof(fb) ? 0 : 4);
}

static void test_rss_fallback(void)
{
    struct fallback fb;
    int p[2], status = -1;
    pid_t pid;

    TEST_CHECK(pipe(p) == 0);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        fallback_child(p[1]);
    }
    close(p[1]);
    TEST_CHECK(read(p[0], &fb, sizeof(fb)) == (ssize_t)sizeof(fb));
    close(p[0]);
    TEST_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return;
    TEST_EQ_INT(fb.rc_new, 0);
    TEST_EQ_INT(fb.exact, 0);
    TEST_EQ_INT(fb.rc_big, 0);
    TEST_EQ_INT(fb.big.rss_src, BENCH_RSS_WAIT4);
    TEST_CHECK(fb.big.maxrss >= fb.alloc && fb.big.maxrss < fb.alloc + 48 * MIB);
    TEST_EQ_INT(fb.big.cpu_delay_ns, 0);
    TEST_EQ_INT(fb.rc_true, 0);
    TEST_EQ_INT(fb.tru.rss_src, BENCH_RSS_BOUND);
    TEST_CHECK(fb.tru.maxrss > 0);
}

/* Many runs on one runner: each gets its own command's record, none a stale one. */
static void test_repeat(void)
{
    struct bench_run_opts o = {0};
    struct bench_runner *r = NULL;
    struct bench_result res;
    char *tru[] = {"true", NULL};
    int bad = 0;

    TEST_EQ_INT(bench_runner_new(&o, &r), 0);
    if (!r)
        return;
    for (int i = 0; i < 50; i++) {
        if (bench_run(r, tru, &res) != 0 || res.exit_code != 0)
            bad++;
        else if (bench_runner_exact_rss(r) &&
                 (res.rss_src != BENCH_RSS_TASKSTATS || res.maxrss > 16 * MIB))
            bad++;
    }
    TEST_EQ_INT(bad, 0);
    bench_runner_free(r);
}

/* Output goes to /dev/null or to our own stdout; stdin is always /dev/null. */
static void test_output(void)
{
    struct bench_run_opts null_out = {0}, inherit = {.output = BENCH_OUT_INHERIT};
    struct bench_result res;
    char *echo[] = {"sh", "-c", "read x; echo \"[$x]\"", NULL};
    char buf[64] = "";
    int saved, fd;
    ssize_t n;

    mkdir("out", 0755);
    fflush(stdout);
    saved = dup(1);
    fd = open("out/bench_stdout.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    TEST_CHECK(saved >= 0 && fd >= 0);
    if (saved < 0 || fd < 0)
        return;
    dup2(fd, 1);
    TEST_EQ_INT(run_once(&null_out, echo, &res), 0);
    TEST_EQ_INT(lseek(fd, 0, SEEK_END), 0);
    TEST_EQ_INT(run_once(&inherit, echo, &res), 0);
    dup2(saved, 1);
    close(saved);
    n = pread(fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    TEST_EQ_STR(buf, "[]\n");
    close(fd);
    unlink("out/bench_stdout.tmp");
}

void test_bench_run(void)
{
    test_exit_codes();
    test_start_failures();
    test_timeout();
    test_stop();
    test_wall();
    test_write_bytes();
    test_output();
    test_repeat();
    test_rss_fallback();
    test_rss_taskstats();
}
