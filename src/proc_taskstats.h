/* Linux taskstats exit records (genetlink family "TASKSTATS"): the final CPU time, peak RSS,
 * I/O bytes and CPU delay of every task that exits, including short-lived children. This is
 * the only correct per-child peak RSS for spawned commands (wait4's ru_maxrss includes the
 * spawner's RSS, docs/linux.md §9). See docs/linux.md §10; the struct is linux/taskstats.h's.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_TASKSTATS_H
#define PROC_TASKSTATS_H

#include <stddef.h>
#include <stdint.h>

/* One exit record: a whole thread group (tgid = 1) or one thread (tgid = 0). */
struct proc_taskstats_rec {
    uint32_t pid;         /* tgid for a group record, tid otherwise */
    uint32_t ppid;        /* parent's tgid (ac_ppid) */
    int tgid;             /* 1: TASKSTATS_TYPE_AGGR_TGID, 0: TASKSTATS_TYPE_AGGR_PID */
    uint64_t hiwater_rss; /* bytes (kernel reports KiB) */
    uint64_t utime_us;    /* user CPU, microseconds */
    uint64_t stime_us;    /* system CPU, microseconds */
    uint64_t read_bytes;  /* bytes fetched from storage */
    uint64_t write_bytes; /* bytes sent to storage (counted when dirtied) */
    uint64_t cancelled_write_bytes;
    uint64_t nvcsw, nivcsw; /* voluntary / involuntary context switches */
    uint64_t cpu_delay_ns;  /* time runnable but waiting for a CPU */
    uint64_t cpu_count;     /* times put on a CPU (the delay's sample count) */
    uint64_t cpu_run_ns;    /* time on a CPU, ns, exact (cpu_run_virtual_total: the scheduler's
                               sum_exec_runtime; a group's includes its exited threads) */
    char comm[32];
};

/* Parse one netlink datagram (as received) of taskstats family `family` into up to `max`
 * records; *n receives the count. Pure: no I/O. Malformed or truncated messages give -EINVAL
 * (records parsed before the fault are kept in out[0..*n-1]); messages of other types are
 * skipped. */
int proc_taskstats_parse(const void *buf, size_t len, uint16_t family,
                         struct proc_taskstats_rec *out, size_t max, size_t *n);

struct proc_taskstats;

/* Open a listener for exit records on every CPU. Returns 0, -EPERM without CAP_NET_ADMIN,
 * -ENOENT when the kernel has no taskstats, or another negative errno. Caller frees with
 * proc_taskstats_free(). */
int proc_taskstats_open(struct proc_taskstats **out);

/* Read the records that have arrived, without blocking, up to `max`; *n receives the count.
 * Returns 0 or a negative errno (-ENOBUFS when the kernel dropped records). */
int proc_taskstats_poll(struct proc_taskstats *ts, struct proc_taskstats_rec *out, size_t max,
                        size_t *n);

/* Open a socket for queries only (no exit records). Returns 0 or a negative errno. Caller frees
 * with proc_taskstats_free(). */
int proc_taskstats_open_query(struct proc_taskstats **out);

/* The current totals of thread group tgid, its exited threads included: cpu_delay_ns,
 * cpu_count, nvcsw, nivcsw (the CPU times cover live threads only). One request and its
 * reply, about 10 us for 50 threads: cheaper than reading each thread's schedstat. Returns 0,
 * -EPERM without CAP_NET_ADMIN, -ESRCH when the group is gone, or a negative errno. */
int proc_taskstats_tgid(struct proc_taskstats *ts, int tgid, struct proc_taskstats_rec *out);

/* Unregister and close. Accepts NULL. */
void proc_taskstats_free(struct proc_taskstats *ts);

#endif
