/* The monitor's core: process slots with their /proc files kept open, the per-tick reading of
 * each process, exits (zombies read once more, then absorbed into the parent that reaped
 * them), thread schedstat, the slow reads, and the series with its merging.
 *
 * Disk counters need care: /proc/PID/io of a process includes the children it has reaped
 * (the kernel adds a reaped child's counters to its parent's when it is waited for,
 * docs/linux.md §4).
 * Each process counts its own reading minus its baseline minus what it absorbed: when a
 * child is seen gone, its last reading moves into its parent's "absorbed", so the part of the
 * child's I/O that happened after our last reading still reaches the tree through the parent.
 * Processes are read parents first, so a child reaped during a tick is never counted twice;
 * the tree's counters are kept monotonic for the rare tick that sees the child gone before
 * the parent's counters include it. CPU works the same way through stat's cutime and cstime
 * (the reaped children's CPU): what a parent's children used beyond what their own readings
 * saw (their last moments, or children too short-lived to be seen) is counted in the parent.
 *
 * Memory stays bounded whatever the number of processes: a process that is gone (and whose
 * TCP sockets are closed) leaves its slot; its counters join the retired totals, and its
 * record is kept if it is among the MON_KEEP_ENDED ended ones with the most CPU, else merged
 * into one record (mon_get_merged).
 * SPDX-License-Identifier: MIT */
#include "mon.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mon_cap.h"
#include "proc_net.h"
#include "proc_res.h"
#include "proc_stat.h"
#include "proc_taskstats.h"
#include "proc_tree.h"
#include "util_clock.h"
#include "util_xalloc.h"

#define NCNT 6 /* the counters besides CPU, which the row's mon_cap_row holds */
enum { C_WAIT, C_READ, C_WRITE, C_RX, C_TX, C_CTXSW };
#define NGAU 10
enum { G_RSS, G_PSS, G_USS, G_PROCS, G_THREADS, G_FDS, G_TCP, G_UDP, G_UNIX, G_SOCKQ };

#define MAX_ROWS_DEFAULT 262144
#define MIN_ROWS         1024
#define MIN_SLOTS        16
#define NEW_MAX          64 /* processes taken into the tree per tick */
#define RETIRE_PENDING   64 /* gone processes waiting for their TCP sockets' last bytes */
#define ENDED_OWNER      0  /* proc_net owner of the sockets of processes retired before them */
#define SLOW_DEFAULT_NS  1000000000LL
#define SLOW_BUDGET      100 /* the slow reads take at most 1/100 of the time between them */
/* Taskstats thread-group queries (run-queue wait, switches, the user/system split) at most this
 * often: each walks every thread of the group in the kernel, the costliest read of a tick. Rows
 * between two queries are filled in by interpolation when the second arrives (fill_rows). */
#define TS_GAP_NS 50000000LL
/* How many earlier rows an interval's CPU excess may move back into (mon_cap.h). */
#define CAP_DEPTH 1024

struct row {
    struct mon_cap_row cpu; /* time of the CPU readings; user and system CPU, cumulative */
    int64_t c[NCNT];        /* cumulative since mon_open */
    uint64_t g[NGAU];
};

enum pstate { P_ALIVE, P_ZOMBIE, P_GONE };

struct thr {
    int tid;
    int fd; /* its schedstat */
    uint64_t wait_ns, slices;
};

struct slot {
    struct mon_proc pub;
    uint64_t seq;   /* order found */
    uint32_t owner; /* its id in proc_net (ids are reused once it is retired) */
    enum pstate state;
    int fd_stat, fd_statm, fd_io, fd_fd, fd_task;
    clockid_t clk;
    int have_clk, io_ok;
    int io_err; /* the last read of its io file: 0 or a negative errno */
    int clk_ok; /* clk_now is this tick's reading of the CPU clock */
    uint64_t clk_now;
    uint64_t cpu_ns, cpu_base;         /* CPU clock at the last reading, and at the baseline */
    uint64_t utime[2], stime[2];       /* at the last reading: [0] stat ticks, [1] taskstats us */
    uint64_t user_ns, sys_ns;          /* CPU since the baseline, split */
    uint64_t cpu_split, sys_split;     /* CPU clock and sys_ns when the split was last taken */
    double sys_share;                  /* system share of the newest window of user/system times */
    uint64_t ts_reads;                 /* taskstats queries answered for it */
    struct proc_io io, io_base;        /* last reading and baseline */
    uint64_t abs_read, abs_write;      /* absorbed from reaped children */
    uint64_t cu, cs, cu_base, cs_base; /* stat's reaped children's times (clock ticks): at the
                                          last stat reading, and at the baseline */
    uint64_t abs_cpu;                  /* ns of reaped children's CPU their own readings counted */
    uint64_t kid_user, kid_sys;        /* ns: the rest of the reaped children's CPU, counted here */
    struct thr *thr;
    size_t nthr, thr_cap, thr_want;
    uint64_t dead_wait, dead_slices, wait_base, slices_base;
    int nthreads, nfds, nfds_scanned;
    uint64_t stat_reads;
    uint64_t rss, pss, uss;
};

struct mon {
    struct mon_opts opts;
    int64_t t0;
    struct proc_tree *tree;
    struct proc_net *net;
    struct proc_taskstats *ts; /* thread-group queries; NULL: each thread's schedstat */
    int self;                  /* our pid, never monitored */
    struct slot *slots;
    size_t nslots, slot_cap;
    int *scratch; /* thread ids of one listing */
    size_t scratch_cap;
    struct row base;
    struct row *rows;
    size_t nrows, rows_cap;
    int64_t next_slow, slow_ns;
    int64_t next_ts;    /* the next tick due for taskstats queries */
    int ts_tick;        /* this tick queries taskstats */
    size_t ts_row;      /* the row of the last tick that did, or SIZE_MAX */
    uint64_t clock_end; /* this thread's CPU clock at the end of the previous tick, or 0 */
    int64_t read_at;    /* CLOCK_MONOTONIC ns right after this tick's CPU clocks were read */
    int ncpu;           /* online CPUs: the CPU of an interval is at most ncpu times its length */
    int64_t carry[2];   /* user and system CPU ns the newest row read but does not show */
    struct proc_tree_proc fresh[NEW_MAX];
    struct mon_stats st;
    uint64_t next_seq;
    uint32_t next_owner;   /* proc_net owner ids: ENDED_OWNER, then one per slot */
    uint32_t *free_owners; /* ids of retired slots, to reuse */
    size_t nfree, owner_cap;
    struct kept *kept; /* ended processes kept one by one, in the order found */
    size_t nkept;
    struct mon_merged merged;      /* the other ended ones (without ENDED_OWNER's bytes) */
    int64_t gone_cpu[2];           /* user and system CPU ns of the retired processes */
    int64_t gone_c[NCNT];          /* their other counters */
    const struct mon_proc **order; /* slots and kept records in the order found */
    size_t norder, order_cap;
};

struct kept {
    struct mon_proc pub;
    uint64_t seq;
};

static const struct mon_metric_info infos[MON_NMETRICS] = {
    [MON_CPU] = {"cpu_pct", "CPU", "%", 1, "cpu_seconds", "s"},
    [MON_CPU_USER] = {"cpu_user_pct", "CPU user", "%", 1, "cpu_user_seconds", "s"},
    [MON_CPU_SYS] = {"cpu_sys_pct", "CPU system", "%", 1, "cpu_sys_seconds", "s"},
    [MON_CPU_WAIT] = {"cpu_wait_pct", "run-queue wait", "%", 1, "cpu_wait_seconds", "s"},
    [MON_RSS] = {"rss_bytes", "RSS", "B", 0, NULL, NULL},
    [MON_PSS] = {"pss_bytes", "PSS", "B", 0, NULL, NULL},
    [MON_USS] = {"uss_bytes", "USS", "B", 0, NULL, NULL},
    [MON_DISK_READ] = {"disk_read_bps", "disk read", "B/s", 1, "disk_read_bytes", "B"},
    [MON_DISK_WRITE] = {"disk_write_bps", "disk write", "B/s", 1, "disk_write_bytes", "B"},
    [MON_NET_RX] = {"net_rx_bps", "net receive", "B/s", 1, "net_rx_bytes", "B"},
    [MON_NET_TX] = {"net_tx_bps", "net send", "B/s", 1, "net_tx_bytes", "B"},
    [MON_CTXSW] = {"ctx_switches_per_s", "context switches", "/s", 1, "ctx_switches", ""},
    [MON_PROCS] = {"processes", "processes", "", 0, NULL, NULL},
    [MON_THREADS] = {"threads", "threads", "", 0, NULL, NULL},
    [MON_FDS] = {"open_files", "open files", "", 0, NULL, NULL},
    [MON_TCP] = {"tcp_sockets", "TCP sockets", "", 0, NULL, NULL},
    [MON_UDP] = {"udp_sockets", "UDP sockets", "", 0, NULL, NULL},
    [MON_UNIX] = {"unix_sockets", "Unix sockets", "", 0, NULL, NULL},
    [MON_SOCKQ] = {"socket_queue_bytes", "socket queues", "B", 0, NULL, NULL},
};

const struct mon_metric_info *mon_metric_info(enum mon_metric k)
{
    return (unsigned)k < MON_NMETRICS ? &infos[k] : NULL;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* ---- threads (run-queue wait and context switches from schedstat) ---- */

static void thr_dead(struct slot *s, size_t i)
{
    s->dead_wait += s->thr[i].wait_ns;
    s->dead_slices += s->thr[i].slices;
    close_fd(&s->thr[i].fd);
}

/* Sort a nearly sorted list (the kernel lists ids in order) without allocating. */
static void sort_ints(int *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int x = v[i];
        size_t j = i;

        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Bring the thread table in line with the task directory. */
static void thr_rescan(struct mon *m, struct slot *s)
{
    size_t n, k = 0, out = 0, cap = s->thr_cap < m->scratch_cap ? s->thr_cap : m->scratch_cap;
    struct thr *old = s->thr;

    if (s->fd_task < 0 || proc_tree_tasks(s->fd_task, m->scratch, cap, &n) < 0)
        return;
    if (n > cap)
        s->thr_want = n;
    n = n < cap ? n : cap;
    sort_ints(m->scratch, n);
    /* Merge the sorted old entries with the sorted listing, in place (out <= position). */
    for (size_t i = 0; i < s->nthr; i++) {
        while (k < n && m->scratch[k] < old[i].tid)
            k++;
        if (k < n && m->scratch[k] == old[i].tid)
            old[out++] = old[i];
        else
            thr_dead(s, i);
    }
    s->nthr = out;
    for (size_t i = 0; i < n && s->nthr < s->thr_cap; i++) {
        size_t j = 0;
        int fd;

        while (j < out && old[j].tid != m->scratch[i])
            j++;
        if (j < out || (fd = proc_res_open(s->pub.pid, m->scratch[i], "schedstat")) < 0)
            continue;
        s->thr[s->nthr].tid = m->scratch[i];
        s->thr[s->nthr].fd = fd;
        s->thr[s->nthr].wait_ns = s->thr[s->nthr].slices = 0;
        s->nthr++;
    }
}

/* Read every thread's schedstat; sum into *wait and *slices (exited ones included). */
static void thr_read(struct slot *s, uint64_t *wait, uint64_t *slices)
{
    size_t out = 0;

    for (size_t i = 0; i < s->nthr; i++) {
        struct proc_schedstat ss;

        if (proc_schedstat_read_fd(s->thr[i].fd, &ss) == 0) {
            s->thr[i].wait_ns = ss.wait_ns;
            s->thr[i].slices = ss.slices;
            s->thr[out++] = s->thr[i];
        } else {
            thr_dead(s, i);
        }
    }
    s->nthr = out;
    *wait = s->dead_wait;
    *slices = s->dead_slices;
    for (size_t i = 0; i < s->nthr; i++) {
        *wait += s->thr[i].wait_ns;
        *slices += s->thr[i].slices;
    }
}

/* ---- one process ---- */

static int64_t since(const struct mon *m, int64_t now)
{
    return now - m->t0;
}

/* The process's arguments joined by spaces into buf. A read that gives nothing (a process in
 * the middle of an exec, or a zombie) leaves buf as it was: read_proc() asks again. */
static void read_cmdline(int pid, char *buf, size_t size)
{
    char path[64], tmp[sizeof(((struct mon_proc *)0)->cmdline)];
    ssize_t n;
    int fd;

    if (size > sizeof(tmp))
        size = sizeof(tmp);
    snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    n = read(fd, tmp, size - 1);
    close(fd);
    while (n > 0 && tmp[n - 1] == '\0')
        n--;
    if (n <= 0)
        return;
    for (ssize_t i = 0; i < n; i++)
        buf[i] = tmp[i] == '\0' ? ' ' : tmp[i];
    buf[n] = '\0';
}

/* CPU at a reading, split like the kernel's tick-sampled user/system times: CPU since the last
 * split point is divided by the system share of the newest window of those times (taskstats in
 * us when src is 1, stat in clock ticks when 0; each source keeps its own last values). With
 * new times (src >= 0) the point moves here; without (src -1, between two taskstats queries)
 * the split is provisional, taken again from the same point by the next reading with times. */
static void take_cpu(struct slot *s, uint64_t cpu_ns, uint64_t utime, uint64_t stime, int src)
{
    if (src >= 0) {
        uint64_t du = utime > s->utime[src] ? utime - s->utime[src] : 0;
        uint64_t ds = stime > s->stime[src] ? stime - s->stime[src] : 0;

        if (du + ds == 0) { /* no tick sampled in the window: the whole life's split */
            du = utime;
            ds = stime;
        }
        if (du + ds)
            s->sys_share = (double)ds / (double)(du + ds);
        s->utime[src] = utime;
        s->stime[src] = stime;
    }
    if (cpu_ns > s->cpu_ns)
        s->cpu_ns = cpu_ns;
    s->sys_ns = s->sys_split + (uint64_t)((double)(s->cpu_ns - s->cpu_split) * s->sys_share);
    if (src >= 0) {
        s->cpu_split = s->cpu_ns;
        s->sys_split = s->sys_ns;
    }
    s->user_ns = s->cpu_ns - s->cpu_base - s->sys_ns;
}

/* CPU ns of a reading: this tick's reading of the process's CPU clock (read_clocks), else
 * stat's ticks. */
static uint64_t clock_ns(const struct slot *s, uint64_t ticks)
{
    if (s->have_clk) /* a zombie's clock may be gone: keep the last reading */
        return s->clk_ok ? s->clk_now : s->cpu_ns;
    return (uint64_t)util_clock_ticks_ns(ticks); /* USER_HZ ticks */
}

/* A stat reading of the reaped children's times: what they used beyond what their own readings
 * counted (abs_cpu) is counted here, split as those times are. Never goes back: a child seen
 * gone adds to abs_cpu at once, but to cutime only when this stat is read again (and never
 * for children reaped automatically, SIGCHLD ignored). The times are truncated to ticks, so a
 * tail shorter than that can be missed, never counted twice. */
static void take_kids(struct slot *s, uint64_t cutime, uint64_t cstime)
{
    uint64_t du, ds, rest, was = s->kid_user + s->kid_sys, add, add_sys;

    s->cu = cutime;
    s->cs = cstime;
    du = cutime > s->cu_base ? (uint64_t)util_clock_ticks_ns(cutime - s->cu_base) : 0;
    ds = cstime > s->cs_base ? (uint64_t)util_clock_ticks_ns(cstime - s->cs_base) : 0;
    rest = du + ds > s->abs_cpu ? du + ds - s->abs_cpu : 0;
    if (rest <= was)
        return;
    add = rest - was;
    add_sys = (uint64_t)((double)add * (double)ds / (double)(du + ds));
    s->kid_sys += add_sys;
    s->kid_user += add - add_sys;
}

/* Read every process's CPU clock in one pass, before anything else of the tick, and note when:
 * the row's time is when its CPU was read, not when the tick began (a tick can wait for a CPU
 * for a long time behind a busy tree, docs/monitor-cpu.md). */
static void read_clocks(struct mon *m, int64_t now)
{
    int64_t last = m->nrows ? m->rows[m->nrows - 1].cpu.t : m->t0;

    for (size_t i = 0; i < m->nslots; i++) {
        struct slot *s = &m->slots[i];
        int64_t ns = s->have_clk && s->state != P_GONE ? util_clock_ns(s->clk) : -1;

        s->clk_ok = ns >= 0;
        if (s->clk_ok)
            s->clk_now = (uint64_t)ns;
    }
    m->read_at = util_clock_mono_ns();
    if (m->read_at < now) /* a caller's clock ahead of ours: keep its time */
        m->read_at = now;
    if (m->read_at < last)
        m->read_at = last;
}

/* The I/O counters a process adds to the tree: its own reading less its baseline and what it
 * absorbed from reaped children (may be negative for a moment, see the top of this file). */
static int64_t own_io(const struct slot *s, int write)
{
    if (write)
        return (int64_t)s->io.write_bytes - (int64_t)s->io_base.write_bytes - (int64_t)s->abs_write;
    return (int64_t)s->io.read_bytes - (int64_t)s->io_base.read_bytes - (int64_t)s->abs_read;
}

static void update_pub(struct mon *m, struct slot *s)
{
    const struct proc_net_owner *o = proc_net_owner(m->net, s->owner);
    uint64_t wait = s->dead_wait, slices = s->dead_slices;
    int64_t r = own_io(s, 0), w = own_io(s, 1);

    for (size_t i = 0; i < s->nthr; i++) {
        wait += s->thr[i].wait_ns;
        slices += s->thr[i].slices;
    }
    s->pub.cpu_user = (double)(s->user_ns + s->kid_user) / 1e9;
    s->pub.cpu_sys = (double)(s->sys_ns + s->kid_sys) / 1e9;
    s->pub.cpu_wait = wait > s->wait_base ? (double)(wait - s->wait_base) / 1e9 : 0;
    s->pub.ctxsw = slices > s->slices_base ? slices - s->slices_base : 0;
    s->pub.read_bytes = r > 0 ? (uint64_t)r : 0;
    s->pub.write_bytes = w > 0 ? (uint64_t)w : 0;
    s->pub.rx_bytes = o->rx_bytes;
    s->pub.tx_bytes = o->tx_bytes;
}

/* What the slow rate reads: smaps_rollup (opened anew: the file is bound to the memory of
 * the program running when it was opened, and exec replaces it), and the names (exec changes
 * them too). */
static void read_slow(struct slot *s, struct proc_smaps *sp)
{
    int fd = proc_res_open(s->pub.pid, 0, "smaps_rollup");

    if (fd >= 0 && proc_smaps_read_fd(fd, sp) == 0) {
        s->pss = sp->pss;
        s->uss = sp->uss;
    }
    if (fd >= 0)
        close(fd);
    proc_comm_read(s->pub.pid, 0, s->pub.comm, sizeof(s->pub.comm));
    read_cmdline(s->pub.pid, s->pub.cmdline, sizeof(s->pub.cmdline));
}

/* Threads and run-queue wait: one taskstats query for the group (its user/system split too),
 * else each thread's schedstat. Returns 1 when the split was taken (*u, *s in us). */
static int read_sched(struct mon *m, struct slot *s, int slow, uint64_t *u, uint64_t *sy,
                      uint64_t *run_ns)
{
    struct proc_taskstats_rec rec;
    uint64_t wait, slices;

    if (!m->ts) {
        if ((size_t)s->nthreads != s->nthr || slow)
            thr_rescan(m, s);
        thr_read(s, &wait, &slices);
        return 0;
    }
    if (proc_taskstats_tgid(m->ts, s->pub.pid, &rec) < 0)
        return 0;
    /* The group's totals, exited threads included: kept as if from one thread. A zombie's
     * group has no thread left to sum (zeros): the last totals stay. */
    if (rec.cpu_delay_ns > s->dead_wait)
        s->dead_wait = rec.cpu_delay_ns;
    if (rec.cpu_count > s->dead_slices)
        s->dead_slices = rec.cpu_count;
    *u = rec.utime_us;
    *sy = rec.stime_us;
    *run_ns = rec.cpu_run_ns;
    return 1;
}

/* Threads from the task directory's link count (2 + threads: no walk over the threads). */
static int thread_count(const struct slot *s)
{
    struct stat sb;

    if (s->fd_task < 0 || fstat(s->fd_task, &sb) < 0 || sb.st_nlink < 3)
        return -1;
    return (int)sb.st_nlink - 2;
}

/* Read a live process. Each read walks the threads in the kernel (stat, io, the CPU clock,
 * taskstats), which after a sleep costs cache misses for every thread: stat is read only at the
 * slow rate (parent, user/system split without taskstats) and when statm shows no memory (an
 * exiting process). Returns 0, or -ESRCH when it is gone; sets P_ZOMBIE for a zombie. */
static int read_proc(struct mon *m, struct slot *s, int slow)
{
    struct proc_stat st = {0};
    struct proc_statm sm;
    struct proc_smaps sp;
    uint64_t u = 0, sy = 0, run_ns = 0;
    int n, split = 0, ts_now, need_stat = slow || !m->ts || s->stat_reads == 0;

    if (proc_statm_read_fd(s->fd_statm, &sm) < 0)
        return -ESRCH;
    need_stat |= sm.size == 0;
    if (need_stat) {
        if (proc_stat_read_fd(s->fd_stat, &st) < 0)
            return -ESRCH;
        s->stat_reads++;
        s->pub.ppid = st.ppid;
        s->nthreads = (int)st.num_threads;
        take_kids(s, st.cutime, st.cstime);
    }
    /* CPU from the process's clock at every tick (the group query's own sum when there is no
     * clock); the group query itself at the taskstats ticks, and at the first and last ones. */
    ts_now = m->ts && (m->ts_tick || need_stat || s->ts_reads == 0);
    if (!m->ts || ts_now)
        split = read_sched(m, s, slow, &u, &sy, &run_ns);
    s->ts_reads += (uint64_t)split;
    if (split || need_stat)
        take_cpu(s, s->have_clk || !split || !run_ns ? clock_ns(s, st.utime + st.stime) : run_ns,
                 split ? u : st.utime, split ? sy : st.stime, split);
    else if (s->have_clk)
        take_cpu(s, clock_ns(s, 0), 0, 0, -1);
    if (s->io_ok && (s->io_err = proc_io_read_fd(s->fd_io, &s->io)) < 0 && st.state != 'Z')
        m->st.io_denied = 1;
    if (st.state == 'Z' || st.state == 'X') {
        s->state = P_ZOMBIE;
        return 0;
    }
    s->rss = sm.resident;
    if ((n = thread_count(s)) > 0)
        s->nthreads = n;
    if (slow) {
        read_slow(s, &sp);
    } else if (!s->pub.cmdline[0]) { /* read during an exec: asked again until it says */
        proc_comm_read(s->pub.pid, 0, s->pub.comm, sizeof(s->pub.comm));
        read_cmdline(s->pub.pid, s->pub.cmdline, sizeof(s->pub.cmdline));
    }
    n = s->fd_fd >= 0 ? proc_fd_count(s->fd_fd) : -1;
    if (n >= 0) {
        s->nfds = n;
        if (n != s->nfds_scanned || slow) {
            proc_net_scan_fds(m->net, s->fd_fd, s->owner);
            s->nfds_scanned = n;
        }
    }
    return 0;
}

static void peaks(struct slot *s)
{
    if (s->rss > s->pub.peak_rss)
        s->pub.peak_rss = s->rss;
    if (s->pss > s->pub.peak_pss)
        s->pub.peak_pss = s->pss;
    if (s->uss > s->pub.peak_uss)
        s->pub.peak_uss = s->uss;
    if (s->nthreads > s->pub.peak_threads)
        s->pub.peak_threads = s->nthreads;
    if (s->nfds > s->pub.peak_fds)
        s->pub.peak_fds = s->nfds;
}

static void close_files(struct slot *s, int keep_stat)
{
    if (!keep_stat)
        close_fd(&s->fd_stat);
    close_fd(&s->fd_statm);
    close_fd(&s->fd_io);
    close_fd(&s->fd_fd);
    close_fd(&s->fd_task);
    for (size_t i = 0; i < s->nthr; i++)
        thr_dead(s, i);
    s->nthr = 0;
}

/* The slot of a live member with pid, or NULL. */
static struct slot *find_live(struct mon *m, int pid)
{
    for (size_t i = 0; i < m->nslots; i++) {
        if (m->slots[i].pub.pid == pid && m->slots[i].state == P_ALIVE)
            return &m->slots[i];
    }
    return NULL;
}

/* A process is gone (reaped): its parent, if it is ours, now includes its I/O. */
static void gone(struct mon *m, struct slot *s, int64_t now)
{
    struct slot *parent = find_live(m, s->pub.ppid);

    if (s->pub.end < 0)
        s->pub.end = (double)since(m, now) / 1e9;
    if (parent) {
        parent->abs_read += s->io.read_bytes;
        parent->abs_write += s->io.write_bytes;
        parent->abs_cpu += s->cpu_ns + (uint64_t)util_clock_ticks_ns(s->cu + s->cs);
    }
    close_files(s, 0);
    s->state = P_GONE;
    s->rss = s->pss = s->uss = 0;
    s->nfds = s->nthreads = 0;
    proc_tree_leave(m->tree, s->pub.pid);
}

static void exited(struct mon *m, struct slot *s, int64_t now)
{
    s->pub.end = (double)since(m, now) / 1e9;
    if (s->state == P_ZOMBIE) /* a zombie still has its last program's name */
        proc_comm_read(s->pub.pid, 0, s->pub.comm, sizeof(s->pub.comm));
    close_files(s, 1);
    s->rss = s->pss = s->uss = 0;
    s->nfds = s->nthreads = 0;
    proc_net_drop_owner(m->net, s->owner);
}

/* Read one slot in its state; exits and reaps change the state. */
static void tick_slot(struct mon *m, size_t idx, int64_t now, int slow)
{
    struct slot *s = &m->slots[idx];

    if (s->state == P_GONE)
        return;
    if (s->state == P_ZOMBIE) {
        struct proc_stat st;

        if (proc_stat_read_fd(s->fd_stat, &st) < 0)
            gone(m, s, now);
        return;
    }
    if (read_proc(m, s, slow) < 0) {
        exited(m, s, now);
        gone(m, s, now);
    } else if (s->state == P_ZOMBIE) {
        exited(m, s, now);
    } else {
        peaks(s);
    }
}

/* ---- joining ---- */

static void init_slot(struct slot *s, int pid)
{
    memset(s, 0, sizeof(*s));
    s->pub.pid = pid;
    s->pub.end = -1;
    s->fd_stat = s->fd_statm = s->fd_io = s->fd_fd = s->fd_task = -1;
    s->nfds_scanned = -1;
    s->io_ok = 1;
}

/* Open a process's files. Returns 0 or a negative errno (of its stat or io file). */
static int open_files(struct slot *s)
{
    int pid = s->pub.pid;

    if ((s->fd_stat = proc_stat_open(pid, 0)) < 0)
        return s->fd_stat;
    if ((s->fd_io = proc_res_open(pid, 0, "io")) < 0) {
        s->io_ok = 0;
        return s->fd_io;
    }
    s->fd_statm = proc_res_open(pid, 0, "statm");
    s->fd_fd = proc_res_open(pid, 0, "fd");
    s->fd_task = proc_res_open(pid, 0, "task");
    s->have_clk = clock_getcpuclockid(pid, &s->clk) == 0;
    proc_comm_read(pid, 0, s->pub.comm, sizeof(s->pub.comm));
    read_cmdline(pid, s->pub.cmdline, sizeof(s->pub.cmdline));
    return 0;
}

/* Make the current readings the baseline: counting starts now. */
static void set_baseline(struct slot *s)
{
    s->cpu_base = s->cpu_split = s->cpu_ns;
    s->user_ns = s->sys_ns = s->sys_split = 0;
    s->io_base = s->io;
    s->cu_base = s->cu;
    s->cs_base = s->cs;
    s->kid_user = s->kid_sys = s->abs_cpu = 0;
    s->wait_base = s->dead_wait;
    s->slices_base = s->dead_slices;
    for (size_t i = 0; i < s->nthr; i++) {
        s->wait_base += s->thr[i].wait_ns;
        s->slices_base += s->thr[i].slices;
    }
}

/* Take pid into a free slot; its first reading follows in the same tick. Returns 0, or a
 * negative errno when its files cannot be opened (it is then left out, or gone). */
static int add_slot(struct mon *m, int pid, int ppid, int64_t now, int preexisting)
{
    struct slot *s = &m->slots[m->nslots];
    int rc;

    init_slot(s, pid);
    s->seq = m->next_seq++;
    s->owner = m->nfree ? m->free_owners[--m->nfree] : m->next_owner++;
    s->pub.ppid = ppid;
    s->pub.preexisting = preexisting;
    s->pub.start = preexisting ? 0 : (double)since(m, now) / 1e9;
    if ((rc = open_files(s)) < 0 && rc != -EACCES && rc != -EPERM) {
        close_files(s, 0);
        m->free_owners[m->nfree++] = s->owner;
        return rc;
    }
    if (rc < 0)
        m->st.io_denied = 1;
    m->nslots++;
    return 0;
}

/* New members of the tree get slots, as many as there is room for. */
static void discover(struct mon *m, int64_t now, int force, int preexisting)
{
    size_t room = m->slot_cap - m->nslots, n = 0;

    if (room > NEW_MAX)
        room = NEW_MAX;
    if (proc_tree_poll(m->tree, force, m->fresh, room, &n) < 0)
        return;
    if (n || force)
        m->st.tree_scans++;
    for (size_t i = 0; i < n; i++) {
        if (m->fresh[i].pid != m->self) /* monitoring our own parent: not ourselves */
            add_slot(m, m->fresh[i].pid, m->fresh[i].ppid, now, preexisting);
    }
}

/* ---- the series ---- */

/* The tree's row at now: counters summed over every process ever seen, gauges over the live
 * ones; counters never go back (see the top of this file). */
static void make_row(struct mon *m, int64_t t, struct row *r)
{
    const struct row *prev = m->nrows ? &m->rows[m->nrows - 1] : &m->base;

    memset(r, 0, sizeof(*r));
    r->cpu.t = t;
    r->cpu.user = m->gone_cpu[0];
    r->cpu.sys = m->gone_cpu[1];
    memcpy(r->c, m->gone_c, sizeof(r->c));
    r->c[C_RX] += (int64_t)proc_net_owner(m->net, ENDED_OWNER)->rx_bytes;
    r->c[C_TX] += (int64_t)proc_net_owner(m->net, ENDED_OWNER)->tx_bytes;
    for (size_t i = 0; i < m->nslots; i++) {
        struct slot *s = &m->slots[i];
        const struct proc_net_owner *o = proc_net_owner(m->net, s->owner);

        update_pub(m, s);
        r->cpu.user += (int64_t)(s->user_ns + s->kid_user);
        r->cpu.sys += (int64_t)(s->sys_ns + s->kid_sys);
        r->c[C_WAIT] += (int64_t)(s->pub.cpu_wait * 1e9 + 0.5);
        r->c[C_READ] += own_io(s, 0);
        r->c[C_WRITE] += own_io(s, 1);
        r->c[C_RX] += (int64_t)o->rx_bytes;
        r->c[C_TX] += (int64_t)o->tx_bytes;
        r->c[C_CTXSW] += (int64_t)s->pub.ctxsw;
        if (s->state != P_ALIVE)
            continue;
        r->g[G_RSS] += s->rss;
        r->g[G_PSS] += s->pss;
        r->g[G_USS] += s->uss;
        r->g[G_PROCS]++;
        r->g[G_THREADS] += (uint64_t)s->nthreads;
        r->g[G_FDS] += (uint64_t)s->nfds;
        r->g[G_TCP] += o->tcp;
        r->g[G_UDP] += o->udp;
        r->g[G_UNIX] += o->unix_socks;
        r->g[G_SOCKQ] += o->queued;
    }
    for (int k = 0; k < NCNT; k++) {
        if (r->c[k] < prev->c[k])
            r->c[k] = prev->c[k];
    }
    if (r->cpu.user < prev->cpu.user)
        r->cpu.user = prev->cpu.user;
    if (r->cpu.sys < prev->cpu.sys)
        r->cpu.sys = prev->cpu.sys;
}

/* Halve the series: each pair of rows becomes one (the later counters, the larger gauges). */
static void merge_rows(struct mon *m)
{
    size_t n = 0;

    for (size_t i = 0; i < m->nrows; i += 2, n++) {
        struct row r = m->rows[i];

        if (i + 1 < m->nrows) {
            const struct row *b = &m->rows[i + 1];

            r.cpu = b->cpu;
            memcpy(r.c, b->c, sizeof(r.c));
            for (int k = 0; k < NGAU; k++)
                r.g[k] = r.g[k] > b->g[k] ? r.g[k] : b->g[k];
        }
        m->rows[n] = r;
    }
    m->nrows = n;
    m->ts_row = SIZE_MAX;
    m->st.merges++;
}

/* Fill in the rows between two taskstats ticks j and l (exclusive), which held run-queue wait
 * and switches at j's values and split CPU by j's shares: wait and switches linear in time, the
 * user/system split of each row's CPU (exact at every row) by the shares of the window. */
static void fill_rows(struct mon *m, size_t j, size_t l)
{
    const struct row *a = &m->rows[j], *b = &m->rows[l];
    double span = (double)(b->cpu.t - a->cpu.t);
    int64_t cpu_a = a->cpu.user + a->cpu.sys, cpu_b = b->cpu.user + b->cpu.sys;
    double share = cpu_b > cpu_a ? (double)(b->cpu.sys - a->cpu.sys) / (double)(cpu_b - cpu_a) : 0;

    for (size_t i = j + 1; i < l && span > 0; i++) {
        struct row *r = &m->rows[i];
        double f = (double)(r->cpu.t - a->cpu.t) / span;
        int64_t cpu = r->cpu.user + r->cpu.sys;
        static const int lin[] = {C_WAIT, C_CTXSW};

        for (size_t k = 0; k < sizeof(lin) / sizeof(lin[0]); k++)
            r->c[lin[k]] = a->c[lin[k]] + (int64_t)(f * (double)(b->c[lin[k]] - a->c[lin[k]]));
        if (cpu >= cpu_a && cpu_b > cpu_a) {
            r->cpu.sys = a->cpu.sys + (int64_t)((double)(cpu - cpu_a) * share);
            r->cpu.user = cpu - r->cpu.sys;
        }
    }
}

static void append_row(struct mon *m)
{
    if (m->nrows == m->rows_cap)
        merge_rows(m);
    make_row(m, m->read_at, &m->rows[m->nrows]); /* against the previous row: counted before */
    m->nrows++;
    m->st.cpu_moved_ns += (uint64_t)mon_cap_apply(&m->rows[0].cpu, sizeof(struct row), m->nrows,
                                                  &m->base.cpu, m->ncpu, CAP_DEPTH, m->carry);
    if (!m->ts || !m->ts_tick)
        return;
    if (m->ts_row != SIZE_MAX && m->ts_row + 1 < m->nrows - 1)
        fill_rows(m, m->ts_row, m->nrows - 1);
    m->ts_row = m->nrows - 1;
}

size_t mon_rows(const struct mon *m)
{
    return m->nrows;
}

double mon_time(const struct mon *m, size_t i)
{
    return i < m->nrows ? (double)(m->rows[i].cpu.t - m->t0) / 1e9 : NAN;
}

static double rate(const struct row *r, const struct row *p, int k, double dt, double scale)
{
    return dt > 0 ? (double)(r->c[k] - p->c[k]) * scale / dt : 0;
}

/* Percent of one CPU: user (1), system (2) or both (3). */
static double cpu_pct(const struct row *r, const struct row *p, int which, double dt)
{
    int64_t d =
        (which & 1 ? r->cpu.user - p->cpu.user : 0) + (which & 2 ? r->cpu.sys - p->cpu.sys : 0);

    return dt > 0 ? (double)d * 1e-7 / dt : 0;
}

double mon_value(const struct mon *m, size_t i, enum mon_metric k)
{
    static const int gauge[MON_NMETRICS] = {
        [MON_RSS] = G_RSS,         [MON_PSS] = G_PSS,    [MON_USS] = G_USS, [MON_PROCS] = G_PROCS,
        [MON_THREADS] = G_THREADS, [MON_FDS] = G_FDS,    [MON_TCP] = G_TCP, [MON_UDP] = G_UDP,
        [MON_UNIX] = G_UNIX,       [MON_SOCKQ] = G_SOCKQ};
    const struct row *r, *p;
    double dt;

    if (i >= m->nrows || (unsigned)k >= MON_NMETRICS)
        return NAN;
    r = &m->rows[i];
    p = i ? &m->rows[i - 1] : &m->base;
    dt = (double)(r->cpu.t - p->cpu.t) / 1e9;
    switch (k) {
    case MON_CPU:
        return cpu_pct(r, p, 3, dt);
    case MON_CPU_USER:
        return cpu_pct(r, p, 1, dt);
    case MON_CPU_SYS:
        return cpu_pct(r, p, 2, dt);
    case MON_CPU_WAIT:
        return rate(r, p, C_WAIT, dt, 1e-7);
    case MON_DISK_READ:
        return rate(r, p, C_READ, dt, 1);
    case MON_DISK_WRITE:
        return rate(r, p, C_WRITE, dt, 1);
    case MON_NET_RX:
        return rate(r, p, C_RX, dt, 1);
    case MON_NET_TX:
        return rate(r, p, C_TX, dt, 1);
    case MON_CTXSW:
        return rate(r, p, C_CTXSW, dt, 1);
    default:
        return (double)r->g[gauge[k]];
    }
}

double mon_total(const struct mon *m, enum mon_metric k)
{
    double carried = k == MON_CPU        ? (double)(m->carry[0] + m->carry[1]) / 1e9
                     : k == MON_CPU_USER ? (double)m->carry[0] / 1e9
                     : k == MON_CPU_SYS  ? (double)m->carry[1] / 1e9
                                         : 0;

    return mon_cumulative(m, m->nrows ? m->nrows - 1 : SIZE_MAX, k) + carried;
}

double mon_cumulative(const struct mon *m, size_t i, enum mon_metric k)
{
    const struct row *r = i < m->nrows ? &m->rows[i] : &m->base;

    switch (k) {
    case MON_CPU:
        return (double)(r->cpu.user + r->cpu.sys) / 1e9;
    case MON_CPU_USER:
        return (double)r->cpu.user / 1e9;
    case MON_CPU_SYS:
        return (double)r->cpu.sys / 1e9;
    case MON_CPU_WAIT:
        return (double)r->c[C_WAIT] / 1e9;
    case MON_DISK_READ:
        return (double)r->c[C_READ];
    case MON_DISK_WRITE:
        return (double)r->c[C_WRITE];
    case MON_NET_RX:
        return (double)r->c[C_RX];
    case MON_NET_TX:
        return (double)r->c[C_TX];
    case MON_CTXSW:
        return (double)r->c[C_CTXSW];
    default:
        return NAN;
    }
}

size_t mon_nprocs(const struct mon *m)
{
    return m->norder;
}

const struct mon_proc *mon_proc(const struct mon *m, size_t i)
{
    return i < m->norder ? m->order[i] : NULL;
}

void mon_get_merged(const struct mon *m, struct mon_merged *out)
{
    const struct proc_net_owner *o = proc_net_owner(m->net, ENDED_OWNER);

    *out = m->merged;
    out->rx_bytes += o->rx_bytes;
    out->tx_bytes += o->tx_bytes;
}

/* ---- ended processes ---- */

static double cpu_of(const struct mon_proc *p)
{
    return p->cpu_user + p->cpu_sys;
}

static void merge_proc(struct mon_merged *g, const struct mon_proc *p)
{
    if (!g->count || p->start < g->first_start)
        g->first_start = p->start;
    if (!g->count || p->end > g->last_end)
        g->last_end = p->end;
    g->count++;
    g->cpu_user += p->cpu_user;
    g->cpu_sys += p->cpu_sys;
    g->cpu_wait += p->cpu_wait;
    g->read_bytes += p->read_bytes;
    g->write_bytes += p->write_bytes;
    g->rx_bytes += p->rx_bytes;
    g->tx_bytes += p->tx_bytes;
    g->ctxsw += p->ctxsw;
    g->peak_rss = p->peak_rss > g->peak_rss ? p->peak_rss : g->peak_rss;
    g->peak_pss = p->peak_pss > g->peak_pss ? p->peak_pss : g->peak_pss;
    g->peak_uss = p->peak_uss > g->peak_uss ? p->peak_uss : g->peak_uss;
    g->peak_threads = p->peak_threads > g->peak_threads ? p->peak_threads : g->peak_threads;
    g->peak_fds = p->peak_fds > g->peak_fds ? p->peak_fds : g->peak_fds;
}

/* Keep the record of an ended process if it is among the MON_KEEP_ENDED with the most CPU (the
 * earlier one on a tie), else merge it; the kept ones stay in the order found. */
static void keep_ended(struct mon *m, const struct mon_proc *p, uint64_t seq)
{
    size_t at, low = 0;

    if (m->nkept == MON_KEEP_ENDED) {
        for (size_t i = 1; i < m->nkept; i++) {
            if (cpu_of(&m->kept[i].pub) < cpu_of(&m->kept[low].pub))
                low = i;
        }
        if (cpu_of(p) <= cpu_of(&m->kept[low].pub)) {
            merge_proc(&m->merged, p);
            return;
        }
        merge_proc(&m->merged, &m->kept[low].pub);
        memmove(&m->kept[low], &m->kept[low + 1], (m->nkept - low - 1) * sizeof(*m->kept));
        m->nkept--;
    }
    for (at = m->nkept; at > 0 && m->kept[at - 1].seq > seq; at--)
        ;
    memmove(&m->kept[at + 1], &m->kept[at], (m->nkept - at) * sizeof(*m->kept));
    m->kept[at].pub = *p;
    m->kept[at].seq = seq;
    m->nkept++;
}

/* A gone process leaves its slot: its counters join the retired totals (the rows do not
 * change), its sockets still counted go to ENDED_OWNER, its record is kept or merged. */
static void retire(struct mon *m, struct slot *s)
{
    const struct proc_net_owner *o = proc_net_owner(m->net, s->owner);

    update_pub(m, s);
    m->gone_cpu[0] += (int64_t)(s->user_ns + s->kid_user);
    m->gone_cpu[1] += (int64_t)(s->sys_ns + s->kid_sys);
    m->gone_c[C_WAIT] += (int64_t)(s->pub.cpu_wait * 1e9 + 0.5);
    m->gone_c[C_READ] += own_io(s, 0);
    m->gone_c[C_WRITE] += own_io(s, 1);
    m->gone_c[C_RX] += (int64_t)o->rx_bytes;
    m->gone_c[C_TX] += (int64_t)o->tx_bytes;
    m->gone_c[C_CTXSW] += (int64_t)s->pub.ctxsw;
    proc_net_retire_owner(m->net, s->owner, ENDED_OWNER);
    m->free_owners[m->nfree++] = s->owner;
    close_files(s, 0);
    free(s->thr);
    s->thr = NULL;
    keep_ended(m, &s->pub, s->seq);
}

/* Retire the gone processes (never the root): at once when no TCP socket of theirs is still
 * counted, else when more than RETIRE_PENDING are waiting (oldest first). */
static void retire_gone(struct mon *m)
{
    size_t out = 1, pending = 0;

    for (size_t i = 1; i < m->nslots; i++)
        pending += m->slots[i].state == P_GONE;
    for (size_t i = 1; i < m->nslots; i++) {
        struct slot *s = &m->slots[i];

        if (s->state == P_GONE &&
            (pending > RETIRE_PENDING || proc_net_owner_tcp(m->net, s->owner) == 0)) {
            retire(m, s);
            pending--;
            continue;
        }
        if (out != i)
            m->slots[out] = *s;
        out++;
    }
    m->nslots = out;
}

/* The records in the order found: the slots and the kept ones, both sorted by seq. */
static void build_order(struct mon *m)
{
    size_t i = 0, k = 0, n = 0;

    while (i < m->nslots || k < m->nkept) {
        if (k == m->nkept || (i < m->nslots && m->slots[i].seq < m->kept[k].seq))
            m->order[n++] = &m->slots[i++].pub;
        else
            m->order[n++] = &m->kept[k++].pub;
    }
    m->norder = n;
}

void mon_get_stats(const struct mon *m, struct mon_stats *out)
{
    struct proc_net_stats ns;

    *out = m->st;
    proc_net_get_stats(m->net, &ns);
    out->destroy_listening = ns.destroy_listening;
    out->sockets_lost = ns.lost;
    out->tree_scans = proc_tree_scans(m->tree);
    out->taskstats = m->ts != NULL;
    out->ncpu = m->ncpu;
}

/* ---- ticks ---- */

/* Read every process (parents first) and the sockets. */
static void read_all(struct mon *m, int64_t now, int slow)
{
    for (size_t i = 0; i < m->nslots; i++)
        tick_slot(m, i, now, slow);
    if (proc_net_update(m->net, now, slow) < 0)
        m->st.net_error = 1;
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 && n < 1 << 20 ? (int)n : 1;
}

/* Whether the slow reads are due (slow_done() scheduled them). */
static int slow_due(struct mon *m, int64_t now)
{
    return now >= m->next_slow;
}

/* After slow reads that cost cost_ns: schedule the next so that they take at most
 * 1/SLOW_BUDGET of the time between them, and count them. */
static void slow_done(struct mon *m, int64_t now, uint64_t cost_ns)
{
    int64_t gap = (int64_t)cost_ns * SLOW_BUDGET;

    m->ncpu = online_cpus(); /* CPUs can be brought online while we run */
    m->next_slow = now + (gap > m->slow_ns ? gap : m->slow_ns);
    m->st.slow_ticks++;
}

/* The cost of a tick is read from this thread's CPU clock once per tick: from the end of the
 * previous tick (the wake-up between is ours too), except on the first and on slow ticks, whose
 * own cost sets the slow rate. */
int mon_tick(struct mon *m, int64_t now)
{
    int slow = slow_due(m, now);
    uint64_t c0 = slow || !m->clock_end ? (uint64_t)util_clock_thread_cpu_ns() : m->clock_end, c1;

    m->ts_tick = slow || now >= m->next_ts;
    if (m->ts_tick) /* 9/10: a tick a little early still makes the next gap */
        m->next_ts = now + TS_GAP_NS / 10 * 9;
    discover(m, now, 0, 0);
    read_clocks(m, now);
    read_all(m, now, slow);
    /* The root's end: every process had its last reading, so the rows since the last query
     * can be filled now. */
    m->ts_tick |= m->slots[0].state != P_ALIVE;
    append_row(m);
    retire_gone(m);
    build_order(m);
    if (m->nslots > m->st.peak_slots)
        m->st.peak_slots = m->nslots;
    c1 = (uint64_t)util_clock_thread_cpu_ns();
    m->clock_end = c1;
    if (slow)
        slow_done(m, now, c1 - c0);
    m->st.ticks++;
    m->st.self_cpu_ns += c1 - c0;
    if (c1 - c0 > m->st.max_tick_ns)
        m->st.max_tick_ns = c1 - c0;
    return m->slots[0].state == P_ALIVE ? 0 : 1;
}

void mon_reserve(struct mon *m)
{
    size_t most = 8;

    if (m->nslots + NEW_MAX > m->slot_cap) {
        m->slot_cap = (m->slot_cap + NEW_MAX) * 2;
        m->slots = xreallocarray(m->slots, m->slot_cap, sizeof(*m->slots));
    }
    for (size_t i = 0; i < m->nslots; i++) {
        struct slot *s = &m->slots[i];
        size_t want = s->thr_want > (size_t)s->nthreads ? s->thr_want : (size_t)s->nthreads;

        if (s->state != P_ALIVE)
            continue;
        want += want / 2 + 4;
        if (s->thr_cap < want) {
            s->thr = xreallocarray(s->thr, want, sizeof(*s->thr));
            s->thr_cap = want;
        }
        most = s->thr_cap > most ? s->thr_cap : most;
    }
    if (m->scratch_cap < most) {
        m->scratch = xreallocarray(m->scratch, most, sizeof(int));
        m->scratch_cap = most;
    }
    if (m->nrows + 2 > m->rows_cap / 4 * 3 && m->rows_cap < m->opts.max_rows) {
        m->rows_cap = m->rows_cap * 2 < m->opts.max_rows ? m->rows_cap * 2 : m->opts.max_rows;
        m->rows = xreallocarray(m->rows, m->rows_cap, sizeof(*m->rows));
    }
    if (m->next_owner + NEW_MAX > m->owner_cap) {
        m->owner_cap = (m->next_owner + NEW_MAX) * 2;
        m->free_owners = xreallocarray(m->free_owners, m->owner_cap, sizeof(uint32_t));
    }
    if (m->order_cap < m->slot_cap + MON_KEEP_ENDED) {
        m->order_cap = m->slot_cap + MON_KEEP_ENDED;
        m->order = xreallocarray(m->order, m->order_cap, sizeof(*m->order));
    }
    build_order(m); /* the slots may have moved */
    proc_tree_reserve(m->tree);
    proc_net_reserve(m->net, m->owner_cap);
}

/* The first reading: the root, its existing descendants, their baselines. */
static int start(struct mon *m, int root, int64_t now)
{
    int pre = !m->opts.launched, rc = add_slot(m, root, 0, now, pre);
    size_t before;

    if (rc < 0)
        return rc;
    if (m->st.io_denied)
        return -EACCES;
    do { /* descendants, as many rounds as room needs */
        before = m->nslots;
        mon_reserve(m);
        discover(m, now, before == 1, pre);
    } while (m->nslots > before);
    mon_reserve(m);
    proc_net_baseline(m->net, pre);
    read_clocks(m, now);
    read_all(m, now, 1);
    proc_net_baseline(m->net, 0);
    /* Its io file opens but cannot be read: not permitted to look into it (ptrace rules). */
    if (m->slots[0].io_err == -EACCES || m->slots[0].io_err == -EPERM)
        return -EACCES;
    for (size_t i = 0; pre && i < m->nslots; i++)
        set_baseline(&m->slots[i]);
    make_row(m, m->read_at, &m->base);
    memset(m->base.c, 0, sizeof(m->base.c));
    m->base.cpu.user = m->base.cpu.sys = 0;
    slow_done(m, now, 0);
    return m->slots[0].state == P_GONE ? -ESRCH : 0;
}

int mon_open(int root, const struct mon_opts *opts, int64_t now, struct mon **out)
{
    struct mon *m = xcalloc(1, sizeof(*m));
    int rc;

    m->opts = *opts;
    m->self = getpid();
    if (m->opts.max_rows < 16)
        m->opts.max_rows = MAX_ROWS_DEFAULT;
    m->slow_ns = opts->slow_interval > 0 ? (int64_t)(opts->slow_interval * 1e9) : SLOW_DEFAULT_NS;
    m->t0 = now;
    m->ts_row = SIZE_MAX;
    m->ncpu = online_cpus();
    m->rows_cap = m->opts.max_rows < MIN_ROWS ? m->opts.max_rows : MIN_ROWS;
    m->rows = xmalloc(m->rows_cap * sizeof(*m->rows));
    m->slot_cap = MIN_SLOTS;
    m->slots = xmalloc(m->slot_cap * sizeof(*m->slots));
    m->next_owner = ENDED_OWNER + 1;
    m->owner_cap = m->next_owner + NEW_MAX;
    m->free_owners = xmalloc(m->owner_cap * sizeof(uint32_t));
    m->kept = xmalloc(MON_KEEP_ENDED * sizeof(*m->kept));
    if (!opts->no_taskstats && proc_taskstats_open_query(&m->ts) == 0) {
        struct proc_taskstats_rec rec;

        if (proc_taskstats_tgid(m->ts, root, &rec) < 0) { /* not permitted: per thread */
            proc_taskstats_free(m->ts);
            m->ts = NULL;
        }
    }
    if ((rc = proc_tree_open(root, &m->tree)) < 0 ||
        (rc = proc_net_open(m->owner_cap, &m->net)) < 0 || (rc = start(m, root, now)) < 0) {
        mon_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void mon_free(struct mon *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nslots; i++) {
        close_files(&m->slots[i], 0);
        free(m->slots[i].thr);
    }
    free(m->slots);
    free(m->free_owners);
    free(m->kept);
    free(m->order);
    free(m->scratch);
    free(m->rows);
    proc_tree_free(m->tree);
    proc_net_free(m->net);
    proc_taskstats_free(m->ts);
    free(m);
}
