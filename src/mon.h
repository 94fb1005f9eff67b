/* Resource use of a process tree over time: the engine of `spyglass monitor`, built so that
 * another loop (`spyglass record`) can run it alongside its own sampling. The caller paces
 * the ticks; each tick reads the tree's processes from /proc files kept open (stat, statm, io,
 * the CPU clock, threads' schedstat, the fd count; smaps_rollup and UDP/Unix sockets at a
 * lower rate; with CAP_NET_ADMIN one taskstats query per process, at most every 50 ms,
 * replaces the threads' schedstat: rows between two queries are filled in by the second), TCP
 * bytes through proc_net, finds children that appeared (proc_tree), keeps
 * the totals of those that exited, and appends one row to the series. No printing. Memory is
 * bounded whatever the number of processes: ended ones beyond MON_KEEP_ENDED are merged.
 *
 *   mon_open(root, &opts, now, &m);
 *   while (...) { sleep until the next deadline; rc = mon_tick(m, now); mon_reserve(m); }
 *   ... mon_rows(m), mon_value(m, i, MON_CPU), mon_total(m, MON_NET_RX), mon_proc(m, k) ...
 *   mon_free(m);
 *
 * Times are CLOCK_MONOTONIC nanoseconds. Sources and their limits: docs/linux.md §1-§12.
 * SPDX-License-Identifier: MIT */
#ifndef MON_H
#define MON_H

#include <stddef.h>
#include <stdint.h>

/* The series. Rates come from cumulative counters between consecutive rows. */
enum mon_metric {
    MON_CPU = 0,    /* CPU time, percent of one CPU (user + system), from the CPU clocks */
    MON_CPU_USER,   /* the part the kernel's tick sampling books as user time */
    MON_CPU_SYS,    /* ... as system time */
    MON_CPU_WAIT,   /* time threads were runnable but waiting for a CPU, percent of one CPU */
    MON_RSS,        /* resident memory, bytes (sum over processes) */
    MON_PSS,        /* proportional set size, bytes (read at the slow rate) */
    MON_USS,        /* unique set size, bytes (read at the slow rate) */
    MON_DISK_READ,  /* bytes/s fetched from storage (/proc/PID/io read_bytes) */
    MON_DISK_WRITE, /* bytes/s sent to storage, counted when dirtied (write_bytes) */
    MON_NET_RX,     /* TCP payload bytes/s received */
    MON_NET_TX,     /* TCP payload bytes/s sent and acknowledged */
    MON_CTXSW,      /* context switches/s: times a thread was put on a CPU */
    MON_PROCS,      /* live processes */
    MON_THREADS,    /* threads */
    MON_FDS,        /* open file descriptors */
    MON_TCP,        /* TCP sockets held */
    MON_UDP,        /* UDP sockets held (slow rate) */
    MON_UNIX,       /* Unix sockets held (slow rate) */
    MON_SOCKQ,      /* bytes waiting in socket queues (kernel's accounting; UDP/Unix: slow) */
    MON_NMETRICS
};

struct mon_metric_info {
    const char *name;       /* column name in exports, e.g. "cpu_pct" */
    const char *label;      /* for people, e.g. "CPU" */
    const char *unit;       /* "%", "B", "B/s", "/s" or "" (a count) */
    int rate;               /* 1: a rate of a counter, which has a total */
    const char *total_name; /* name of the total, e.g. "cpu_seconds"; NULL for gauges */
    const char *total_unit; /* "s", "B" or "" */
};

/* Static description of a metric. */
const struct mon_metric_info *mon_metric_info(enum mon_metric k);

struct mon_opts {
    double slow_interval; /* seconds between PSS/USS and UDP/Unix reads (<= 0: 1 s); stretched
                             so that smaps_rollup costs at most 1% of a CPU */
    int launched;         /* the root was started by the caller just now: count it from zero (else
                             the counters at mon_open are the baseline) */
    size_t max_rows;      /* rows kept (0: 262144); beyond, neighbouring rows are merged in pairs
                             (counters: the later; gauges: the larger) */
    int no_taskstats;     /* read each thread's schedstat even when taskstats queries are allowed */
};

/* One process of the tree, live or exited. Totals are over the monitoring. */
struct mon_proc {
    int pid;
    int ppid;                 /* at the last reading */
    char comm[64];            /* /proc/PID/comm when found */
    char cmdline[256];        /* its arguments joined by spaces (truncated); "" for none */
    double start;             /* seconds after mon_open when found (0: existed at mon_open) */
    double end;               /* seconds after mon_open when seen exited; < 0 while running */
    int preexisting;          /* existed at mon_open: counted from then on */
    double cpu_user, cpu_sys; /* CPU seconds: its own, and what the children it reaped used
                                 that no reading of theirs saw (their last moments, or
                                 children too short-lived to be seen) */
    double cpu_wait;          /* seconds runnable but waiting (its threads' sum) */
    uint64_t read_bytes, write_bytes;      /* disk; a process's own, its reaped children excluded */
    uint64_t rx_bytes, tx_bytes;           /* TCP payload of the sockets it was first to hold */
    uint64_t ctxsw;                        /* times its threads were put on a CPU */
    uint64_t peak_rss, peak_pss, peak_uss; /* bytes, largest reading */
    int peak_threads, peak_fds;
};

/* How many ended processes are kept one by one (those with the most CPU); the others are
 * merged into one record. */
#define MON_KEEP_ENDED 100

/* The ended processes merged into one record: their count and totals (the peaks are the
 * largest of theirs). Network bytes include those of sockets that outlived their process by
 * long (still counted for it when its slot had to be freed). */
struct mon_merged {
    size_t count;
    double first_start, last_end; /* seconds after mon_open: the earliest start, latest end */
    double cpu_user, cpu_sys, cpu_wait;
    uint64_t read_bytes, write_bytes, rx_bytes, tx_bytes, ctxsw;
    uint64_t peak_rss, peak_pss, peak_uss;
    int peak_threads, peak_fds;
};

struct mon_stats {
    uint64_t ticks;
    uint64_t slow_ticks;   /* ticks that read PSS/USS and UDP/Unix sockets */
    uint64_t self_cpu_ns;  /* CPU used by the ticks (this thread's clock, from the end of one
                            * tick to the end of the next: the wake-up included) */
    uint64_t max_tick_ns;  /* the slowest tick, CPU time */
    uint64_t tree_scans;   /* ticks that listed /proc for new processes */
    uint64_t merges;       /* times the series was halved to stay within max_rows */
    int io_denied;         /* some process's /proc/PID/io could not be read (disk bytes 0) */
    int net_error;         /* sock_diag failed: network figures are missing */
    int destroy_listening; /* closed TCP sockets' final bytes come from the destroy groups */
    int taskstats;         /* run-queue wait and switches from taskstats thread-group queries
                              (CAP_NET_ADMIN), else from each thread's schedstat */
    uint64_t sockets_lost; /* TCP sockets of ours that closed without final counters */
    int ncpu;              /* online CPUs: no interval shows more CPU than ncpu times its length */
    size_t peak_slots;     /* most processes held at once (live, or gone with sockets open):
                              what the memory grows with, never the processes ever seen */
    uint64_t cpu_moved_ns; /* CPU read in one interval but shown in another to keep that rule
                              (docs/monitor-cpu.md) */
};

struct mon;

/* Start monitoring the tree rooted at root at time now (CLOCK_MONOTONIC ns): open the root's
 * files, find its existing descendants, take the baseline. Returns 0, -ESRCH (no such
 * process), -EACCES / -EPERM (its /proc files cannot be read: another user's process), or
 * another negative errno. Caller frees with mon_free(). */
int mon_open(int root, const struct mon_opts *opts, int64_t now, struct mon **out);
void mon_free(struct mon *m);

/* Read the tree at now and append a row. Returns 0, 1 when the root has exited (it is a
 * zombie, whose final counters this tick read, or gone), or a negative errno when nothing
 * could be read. Does not allocate: new processes beyond the room reserved wait for the next
 * tick after mon_reserve(). */
int mon_tick(struct mon *m, int64_t now);

/* Make room for the next ticks (processes, threads, sockets, rows). Call between ticks. */
void mon_reserve(struct mon *m);

/* The series: rows (one per tick), the time of row i in seconds after mon_open, the value of
 * metric k at row i (rates over the interval that ends at row i), the total of a rate metric
 * over the whole run (seconds for the CPU metrics, bytes, switches; NaN for gauges). */
size_t mon_rows(const struct mon *m);
double mon_time(const struct mon *m, size_t i);
double mon_value(const struct mon *m, size_t i, enum mon_metric k);
double mon_total(const struct mon *m, enum mon_metric k);
/* The running total of a rate metric at row i (as mon_total at that row; NaN for gauges), for
 * rates over several rows: (cumulative(j) - cumulative(i)) / (time(j) - time(i)), in the
 * metric's unit once divided (CPU: seconds per second, times 100 for percent). */
double mon_cumulative(const struct mon *m, size_t i, enum mon_metric k);

/* The processes kept one by one, in the order found (the root first): every live one and up to
 * MON_KEEP_ENDED ended ones, those with the most CPU. Valid until the next mon_tick() or
 * mon_reserve(). Their totals and the merged record's add up to the tree's totals. */
size_t mon_nprocs(const struct mon *m);
const struct mon_proc *mon_proc(const struct mon *m, size_t i);

/* The other ended processes, merged (count 0: none). */
void mon_get_merged(const struct mon *m, struct mon_merged *out);

void mon_get_stats(const struct mon *m, struct mon_stats *out);

#endif
