/* One measured run of a command: spawned into a process group of its own and reaped by
 * util_proc (one wait4; a pidfd and ppoll when there is a timeout), peak RSS and run-queue delay
 * from taskstats exit records, storage I/O from the delta of our own /proc/self/io (reaped children
 * are folded into the parent, docs/linux.md §4). Why not wait4's ru_maxrss: at exec the kernel
 * folds the spawner's high-water mark into the child's (docs/linux.md §9).
 * SPDX-License-Identifier: MIT */
#include "bench_run.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_res.h"
#include "proc_stat.h"
#include "proc_taskstats.h"
#include "util_clock.h"
#include "util_proc.h"
#include "util_xalloc.h"

#define RUN_RECS   2048        /* exit records kept during one run */
#define PID_SET    4096        /* slots of the pid table (a power of two, over 2 * RUN_RECS) */
#define DRAIN_TICK 100000000LL /* ns: records are drained this often during a long run */
#define LATE_TRIES 20          /* 1 ms waits for the leader's exit record after reaping */
#define CHAIN_MAX  64          /* parent links followed in /proc */

struct bench_runner {
    struct bench_run_opts opts;
    int devnull;   /* /dev/null, kept open (fd >= 3) */
    int io_fd;     /* /proc/self/io, or -1 */
    uint32_t self; /* our pid: the parent of every command's leader */
    struct util_proc_spawn spawn;
    struct proc_taskstats *ts;       /* NULL: peak RSS from wait4 */
    struct proc_taskstats_rec *recs; /* [RUN_RECS]: the current run's records */
    size_t nrecs;
    uint32_t *pids;      /* [PID_SET]: pid << 1 | related, 0 = empty */
    uint64_t fold_rss;   /* bytes: largest hiwater of the command's records folded so far */
    uint64_t fold_delay; /* ns: their summed run-queue delay */
    int leader_seen;     /* the leader's own record was folded */
    int lost;            /* records may have been dropped in this run */
};

/* The number after "\nKEY" in text, or 0. */
static uint64_t field_after(const char *text, const char *key)
{
    const char *p = strstr(text, key);

    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* Our own peak RSS (VmHWM of /proc/self/status) in bytes, or 0 when unknown. */
static uint64_t own_hwm(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return field_after(buf, "\nVmHWM:") * 1024;
}

/* The pid table: pid -> related (1) or unrelated (0); -1 when absent. */
static uint32_t *slot(uint32_t *pids, uint32_t pid)
{
    uint32_t h = (pid * 2654435761u) & (PID_SET - 1);

    while (pids[h] != 0 && pids[h] >> 1 != pid)
        h = (h + 1) & (PID_SET - 1);
    return &pids[h];
}

static int pid_get(uint32_t *pids, uint32_t pid)
{
    uint32_t v = pid ? *slot(pids, pid) : 0;

    return v ? (int)(v & 1) : -1;
}

static void pid_put(uint32_t *pids, uint32_t pid, int related)
{
    if (pid != 0 && pid < (1u << 31))
        *slot(pids, pid) = pid << 1 | (related ? 1u : 0u);
}

static void fold(struct bench_runner *r, const struct proc_taskstats_rec *rec, uint32_t leader)
{
    if (rec->hiwater_rss > r->fold_rss)
        r->fold_rss = rec->hiwater_rss;
    r->fold_delay += rec->cpu_delay_ns;
    if (rec->pid == leader)
        r->leader_seen = 1;
}

/* Does live process pid descend from leader? 1 yes, 0 no, -1 unknown (a link has exited). */
static int descends(uint32_t pid, uint32_t leader, uint32_t self)
{
    struct proc_stat st;

    for (int i = 0; i < CHAIN_MAX; i++) {
        if (pid == leader)
            return 1;
        if (pid <= 1 || pid == self || pid > INT32_MAX)
            return 0;
        if (proc_stat_read((int)pid, 0, &st) < 0)
            return -1;
        pid = (uint32_t)st.ppid;
    }
    return 0;
}

/* Relatedness of a per-thread record: newest first, a parent's record arrives after its
 * children's, so a parent is classified before them. With use_proc, parents not seen are
 * looked up in /proc (the command is still running). 1 yes, 0 no, -1 unknown. */
static int classify(struct bench_runner *r, const struct proc_taskstats_rec *rec, uint32_t leader,
                    int use_proc)
{
    int rel;

    if (rec->pid == leader || rec->ppid == r->self)
        rel = 1; /* the leader, or one of its threads */
    else if ((rel = pid_get(r->pids, rec->ppid)) < 0 && use_proc)
        rel = descends(rec->ppid, leader, r->self);
    if (rel >= 0)
        pid_put(r->pids, rec->pid, rel);
    return rel;
}

/* The buffer is full while the command runs: fold the records known to be the command's,
 * drop those known not to be, keep the rest (their parent exited; its record follows). */
static void compact(struct bench_runner *r, uint32_t leader)
{
    size_t keep = r->nrecs;

    memset(r->pids, 0, PID_SET * sizeof(*r->pids));
    for (size_t i = r->nrecs; i-- > 0;) {
        const struct proc_taskstats_rec *rec = &r->recs[i];
        int rel = rec->tgid ? 0 : classify(r, rec, leader, 1);

        if (rel > 0)
            fold(r, rec, leader);
        if (rel < 0)
            r->recs[--keep] = *rec;
    }
    memmove(r->recs, r->recs + keep, (r->nrecs - keep) * sizeof(*r->recs));
    r->nrecs -= keep;
    if (r->nrecs == RUN_RECS) { /* nothing could be decided: drop the oldest half */
        memmove(r->recs, r->recs + RUN_RECS / 2, (RUN_RECS / 2) * sizeof(*r->recs));
        r->nrecs = RUN_RECS / 2;
        r->lost = 1;
    }
}

/* Append the records that have arrived to the run's buffer. */
static void drain(struct bench_runner *r, uint32_t leader)
{
    for (int i = 0; i < 64; i++) {
        size_t n = 0;
        int rc;

        if (r->nrecs == RUN_RECS)
            compact(r, leader);
        rc = proc_taskstats_poll(r->ts, r->recs + r->nrecs, RUN_RECS - r->nrecs, &n);
        if (rc == -ENOBUFS) {
            r->lost = 1; /* the kernel dropped records: some may be ours */
            continue;
        }
        if (rc < 0) {
            r->lost = 1;
            return;
        }
        r->nrecs += n;
        if (r->nrecs < RUN_RECS)
            return; /* everything waiting was read */
    }
}

/* Forget the records of exits before this run (including those of our earlier commands). */
static void begin_records(struct bench_runner *r)
{
    size_t n;

    for (int i = 0; i < 64; i++) {
        int rc = proc_taskstats_poll(r->ts, r->recs, RUN_RECS, &n);

        if (rc == 0 && n < RUN_RECS)
            break;
    }
    r->nrecs = 0;
    r->fold_rss = r->fold_delay = 0;
    r->leader_seen = r->lost = 0;
}

static int have_leader(const struct bench_runner *r, uint32_t leader)
{
    for (size_t i = 0; i < r->nrecs; i++)
        if (r->recs[i].pid == leader)
            return 1;
    return r->leader_seen;
}

/* After reaping: wait briefly for the leader's record, then fold every record of the command
 * (the leader, its threads and everything whose parent chain leads to it). Group records
 * (tgid = 1) repeat the sums of their threads and are skipped. Returns 0 or -1. */
static int collect(struct bench_runner *r, uint32_t leader, struct bench_result *res)
{
    for (int i = 0;; i++) {
        drain(r, leader);
        if (have_leader(r, leader) || r->lost || i == LATE_TRIES)
            break;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    memset(r->pids, 0, PID_SET * sizeof(*r->pids));
    for (size_t i = r->nrecs; i-- > 0;)
        if (!r->recs[i].tgid && classify(r, &r->recs[i], leader, 0) > 0)
            fold(r, &r->recs[i], leader);
    if (!r->leader_seen || r->lost)
        return -1;
    res->maxrss = r->fold_rss;
    res->rss_src = BENCH_RSS_TASKSTATS;
    res->cpu_delay_ns = r->fold_delay;
    return 0;
}

/* rusage's peak is at least our own peak at the exec: exact only above it. */
static void rss_from_rusage(struct bench_result *res, const struct util_proc_exit *ex)
{
    uint64_t own = own_hwm();

    res->maxrss = ex->maxrss;
    res->rss_src = own > 0 && res->maxrss > own ? BENCH_RSS_WAIT4 : BENCH_RSS_BOUND;
}

/* Wait with a deadline (t0 + the timeout, if any) and the stop flag, draining the taskstats
 * records every DRAIN_TICK meanwhile; on either, kill the command's process group. Returns 0
 * when reaped (*timed_out set on expiry), -EINTR when stopped, or a negative errno. */
static int wait_run(struct bench_runner *r, struct util_proc *c, int64_t t0,
                    struct util_proc_exit *ex, int *timed_out)
{
    int64_t deadline =
        r->opts.timeout > 0 ? t0 + (int64_t)(r->opts.timeout * 1e9) : UTIL_PROC_FOREVER;
    int64_t until = t0;
    int rc;

    for (;;) { /* no clock read of our own: util_proc_wait reads it */
        if (r->ts && deadline != UTIL_PROC_FOREVER && deadline - until > DRAIN_TICK)
            until += DRAIN_TICK;
        else
            until = deadline;
        rc = util_proc_wait(c, until, r->opts.stop, ex);
        if (rc != -ETIMEDOUT || until == deadline)
            break;
        drain(r, (uint32_t)c->pid);
    }
    if (rc == 0 || (rc != -ETIMEDOUT && rc != -EINTR))
        return rc;
    *timed_out = rc == -ETIMEDOUT;
    int err = util_proc_end(c, SIGKILL, ex);
    return err < 0 ? err : rc == -EINTR ? -EINTR : 0;
}

static void fill_rusage(struct bench_result *res, const struct util_proc_exit *ex)
{
    res->status = ex->status;
    res->exit_code = ex->code;
    res->user = ex->user;
    res->sys = ex->sys;
    res->minflt = ex->minflt;
    res->majflt = ex->majflt;
    res->nvcsw = ex->nvcsw;
    res->nivcsw = ex->nivcsw;
}

static uint64_t delta(uint64_t a, uint64_t b)
{
    return b > a ? b - a : 0;
}

int bench_run(struct bench_runner *r, char *const argv[], struct bench_result *res)
{
    struct bench_result out = {0};
    struct proc_io io0 = {0}, io1 = {0};
    struct util_proc_exit ex;
    struct util_proc c;
    int64_t t0, t1;
    uint32_t leader;
    int rc, io_ok;

    assert(argv && argv[0]);
    if (r->ts)
        begin_records(r);
    io_ok = r->io_fd >= 0 && proc_io_read_fd(r->io_fd, &io0) == 0;
    /* The timed window: nothing but the spawn and the wait (one wait4 without a timeout). */
    t0 = util_clock_mono_ns();
    rc = util_proc_spawn(&r->spawn, argv[0], argv, &c);
    if (rc < 0)
        return rc;
    leader = (uint32_t)c.pid;
    rc = wait_run(r, &c, t0, &ex, &out.timed_out);
    t1 = util_clock_mono_ns();
    util_proc_destroy(&c);
    if (rc < 0)
        return rc;

    out.wall = util_clock_s(t1 - t0);
    fill_rusage(&out, &ex);
    if (io_ok && proc_io_read_fd(r->io_fd, &io1) == 0) {
        out.read_bytes = delta(io0.read_bytes, io1.read_bytes);
        out.write_bytes = delta(io0.write_bytes, io1.write_bytes);
        out.cancelled_write_bytes = delta(io0.cancelled_write_bytes, io1.cancelled_write_bytes);
    }
    if (!r->ts || collect(r, leader, &out) < 0)
        rss_from_rusage(&out, &ex);
    *res = out;
    return 0;
}

/* Spawn attributes fixed for every run: own process group, no blocked signals, every signal
 * at its default, stdin (and stdout/stderr unless inherited) on /dev/null. */
static int setup_spawn(struct bench_runner *r)
{
    int quiet = r->opts.output == BENCH_OUT_NULL ? r->devnull : -1;
    const int fds[3] = {r->devnull, quiet, quiet};

    return util_proc_spawn_init(&r->spawn, UTIL_PROC_GROUP | UTIL_PROC_CLEAN, fds, 3);
}

/* /dev/null on a descriptor above 2, so that dup2 onto 0..2 always clears close-on-exec. */
static int open_devnull(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC), hi;

    if (fd < 0 || fd > 2)
        return fd < 0 ? -errno : fd;
    hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return hi < 0 ? -errno : hi;
}

int bench_runner_new(const struct bench_run_opts *opts, struct bench_runner **out)
{
    struct bench_runner *r;
    int rc;

    if (!(opts->timeout >= 0) ||
        (opts->output != BENCH_OUT_NULL && opts->output != BENCH_OUT_INHERIT))
        return -EINVAL;
    r = xcalloc(1, sizeof(*r));
    r->opts = *opts;
    r->self = (uint32_t)getpid();
    r->io_fd = open("/proc/self/io", O_RDONLY | O_CLOEXEC);
    if ((rc = r->devnull = open_devnull()) < 0 || (rc = setup_spawn(r)) < 0)
        goto out;
    if (proc_taskstats_open(&r->ts) == 0) {
        r->recs = xcalloc(RUN_RECS, sizeof(*r->recs));
        r->pids = xcalloc(PID_SET, sizeof(*r->pids));
    } else {
        r->ts = NULL; /* no CAP_NET_ADMIN or no taskstats: peak RSS from wait4 */
    }
    rc = 0;
out:
    if (rc < 0) {
        bench_runner_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void bench_runner_free(struct bench_runner *r)
{
    if (!r)
        return;
    util_proc_spawn_destroy(&r->spawn);
    if (r->devnull >= 0)
        close(r->devnull);
    if (r->io_fd >= 0)
        close(r->io_fd);
    proc_taskstats_free(r->ts);
    free(r->recs);
    free(r->pids);
    free(r);
}

int bench_runner_exact_rss(const struct bench_runner *r)
{
    return r->ts != NULL;
}
