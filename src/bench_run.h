/* Run one command once and measure it: wall time, CPU, peak memory, disk I/O, context
 * switches and page faults, with an optional timeout. The engine behind `spyglass bench`.
 * SPDX-License-Identifier: MIT */
#ifndef BENCH_RUN_H
#define BENCH_RUN_H

#include <signal.h>
#include <stdint.h>

/* Where the command's standard output and error go. */
enum bench_output {
    BENCH_OUT_NULL = 0, /* /dev/null (default) */
    BENCH_OUT_INHERIT,  /* spyglass's own stdout/stderr */
};

/* How the peak RSS figure was obtained. */
enum bench_rss_src {
    BENCH_RSS_NONE = 0,  /* unknown */
    BENCH_RSS_TASKSTATS, /* exact: the largest taskstats hiwater_rss over the command's processes */
    BENCH_RSS_WAIT4,     /* wait4 ru_maxrss: exact only when above spyglass's own peak RSS */
    BENCH_RSS_BOUND,     /* wait4 ru_maxrss was not above spyglass's own peak: an upper bound */
};

struct bench_runner;

/* Options fixed for every run of a runner. */
struct bench_run_opts {
    enum bench_output output;
    double timeout; /* seconds; 0 = none. On expiry the command's process group is
                       killed (SIGKILL) and the run is reported as timed out */
    const volatile sig_atomic_t *stop; /* when it becomes non-zero, the running command is
                                          killed and the run returns -EINTR; may be NULL.
                                          Without a timeout it is checked when a signal
                                          interrupts the wait (set it from a handler installed
                                          without SA_RESTART): no polling, no extra cost. With a
                                          timeout it is also polled every 20 ms */
};

/* One run's measurements. */
struct bench_result {
    double wall;      /* seconds, CLOCK_MONOTONIC from just before spawn to reaping */
    double user, sys; /* seconds of CPU of the command and its reaped descendants */
    uint64_t maxrss;  /* bytes, see rss_src */
    enum bench_rss_src rss_src;
    uint64_t read_bytes;  /* storage reads of the command and its descendants (/proc/self/io
                             delta: reaped children are folded into the parent) */
    uint64_t write_bytes; /* storage writes, counted when the page is dirtied */
    uint64_t cancelled_write_bytes;
    uint64_t minflt, majflt;
    uint64_t nvcsw, nivcsw;
    uint64_t cpu_delay_ns; /* run-queue wait of the command's processes (taskstats; 0 when
                              unavailable): time it was ready to run but another task ran */
    int status;            /* wait status; see exit_code */
    int exit_code;         /* exit code, or 128 + signal number */
    int timed_out;         /* 1 when killed by the timeout */
};

/* Create a runner. Opens the taskstats listener when permitted (root or CAP_NET_ADMIN) and
 * falls back to wait4 otherwise. Returns 0 or a negative errno. Caller frees with
 * bench_runner_free(). */
int bench_runner_new(const struct bench_run_opts *opts, struct bench_runner **out);
void bench_runner_free(struct bench_runner *r);

/* 1 when peak RSS comes from taskstats (exact), 0 when from wait4. */
int bench_runner_exact_rss(const struct bench_runner *r);

/* Run argv (NULL-terminated; argv[0] searched in PATH) once with stdin from /dev/null, in a
 * process group of its own, and fill *res. Returns 0 when the command ran (whatever its exit
 * code, including a timeout); -ENOENT / -EACCES / -ENOEXEC when it could not be started;
 * -EINTR when *stop became non-zero (the command was killed, *res not filled); another
 * negative errno on a system failure. */
int bench_run(struct bench_runner *r, char *const argv[], struct bench_result *res);

#endif
