/* One measured run of a command: posix_spawnp into a process group of its own, wait4 (with
 * pidfd + ppoll when there is a timeout or a stop flag), peak RSS and run-queue delay from
 * taskstats exit records, storage I/O from the delta of our own /proc/self/io (reaped children
 * are folded into the parent, docs/linux.md §4). Why not wait4's ru_maxrss: at exec the kernel
 * folds the spawner's high-water mark into the child's (docs/linux.md §9).
 * SPDX-License-Identifier: MIT */
#include "bench_run.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_res.h"
#include "proc_stat.h"
#include "proc_taskstats.h"
#include "util_spawn.h"
#include "util_xalloc.h"

#define RUN_RECS   2048       /* exit records kept during one run */
#define PID_SET    4096       /* slots of the pid table (a power of two, over 2 * RUN_RECS) */
#define STOP_TICK  20000000L  /* ns: how soon a stop flag set by another thread is seen */
#define DRAIN_TICK 100000000L /* ns: records are drained this often during a long run */
#define LATE_TRIES 20         /* 1 ms waits for the leader's exit record after reaping */
#define CHAIN_MAX  64         /* parent links followed in /proc */

struct bench_runner {
    struct bench_run_opts opts;
    int devnull;   /* /dev/null, kept open (fd >= 3) */
    int io_fd;     /* /proc/self/io, or -1 */
    uint32_t self; /* our pid: the parent of every command's leader */
    struct util_spawn spawn;
    struct proc_taskstats *ts;       /* NULL: peak RSS from wait4 */
    struct proc_taskstats_rec *recs; /* [RUN_RECS]: the current run's records */
    size_t nrecs;
    uint32_t *pids;      /* [PID_SET]: pid << 1 | related, 0 = empty */
    uint64_t fold_rss;   /* bytes: largest hiwater of the command's records folded so far */
    uint64_t fold_delay; /* ns: their summed run-queue delay */
    int leader_seen;     /* the leader's own record was folded */
    int lost;            /* records may have been dropped in this run */
};

static uint64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

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

/* wait4's ru_maxrss is at least our own peak at the exec: exact only above it. */
static void rss_from_wait4(struct bench_result *res, const struct rusage *ru)
{
    uint64_t own = own_hwm();

    res->maxrss = (uint64_t)ru->ru_maxrss * 1024;
    res->rss_src = own > 0 && res->maxrss > own ? BENCH_RSS_WAIT4 : BENCH_RSS_BOUND;
}

/* Blocking wait4, restarted after signals. */
static int reap(pid_t pid, int *status, struct rusage *ru)
{
    while (wait4(pid, status, 0, ru) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

/* Blocking wait4 that gives up when *stop is set by a signal handler (the signal interrupts
 * wait4 when the handler was installed without SA_RESTART): as cheap as reap(). Returns 0,
 * -EINTR after killing the process group, or a negative errno. */
static int reap_or_stop(const volatile sig_atomic_t *stop, pid_t pid, int *status,
                        struct rusage *ru)
{
    while (wait4(pid, status, 0, ru) < 0) {
        if (errno != EINTR)
            return -errno;
        if (*stop) {
            kill(-pid, SIGKILL);
            int err = reap(pid, status, ru);

            return err < 0 ? err : -EINTR;
        }
    }
    return 0;
}

/* Wait up to ns for the child to exit. Returns 1 when it has, 0 otherwise. */
static int exited_within(int pfd, pid_t pid, uint64_t ns)
{
    struct timespec t = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    siginfo_t si;

    if (pfd >= 0)
        return ppoll(&p, 1, &t, NULL) > 0;
    /* No pidfd (Linux < 5.3): look every millisecond. */
    if (t.tv_sec > 0 || t.tv_nsec > 1000000)
        t = (struct timespec){0, 1000000};
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
        return 1;
    nanosleep(&t, NULL);
    return 0;
}

/* Wait with a deadline and a stop flag; on either, kill the command's process group. Returns
 * 0 when reaped (*timed_out set on expiry), -EINTR when stopped, or a negative errno. */
static int wait_poll(struct bench_runner *r, pid_t pid, uint64_t t0, int *status, struct rusage *ru,
                     int *timed_out)
{
    uint64_t deadline = r->opts.timeout > 0 ? t0 + (uint64_t)(r->opts.timeout * 1e9) : UINT64_MAX;
    uint64_t last_drain = t0;
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int rc = 0;

    for (;;) {
        uint64_t now = now_ns(), ns;

        if (r->opts.stop && *r->opts.stop) {
            rc = -EINTR;
            break;
        }
        if (now >= deadline) {
            *timed_out = 1;
            break;
        }
        ns = deadline - now;
        if (r->opts.stop && ns > STOP_TICK)
            ns = STOP_TICK;
        if (r->ts && ns > DRAIN_TICK)
            ns = DRAIN_TICK;
        if (exited_within(pfd, pid, ns))
            goto reaped;
        if (r->ts && now_ns() - last_drain >= DRAIN_TICK) {
            drain(r, (uint32_t)pid);
            last_drain = now_ns();
        }
    }
    kill(-pid, SIGKILL);
reaped:
    if (pfd >= 0)
        close(pfd);
    int err = reap(pid, status, ru);
    return err < 0 ? err : rc;
}

static void fill_rusage(struct bench_result *res, int status, const struct rusage *ru)
{
    res->status = status;
    if (WIFEXITED(status))
        res->exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        res->exit_code = 128 + WTERMSIG(status);
    res->user = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6;
    res->sys = (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
    res->minflt = (uint64_t)ru->ru_minflt;
    res->majflt = (uint64_t)ru->ru_majflt;
    res->nvcsw = (uint64_t)ru->ru_nvcsw;
    res->nivcsw = (uint64_t)ru->ru_nivcsw;
}

static uint64_t delta(uint64_t a, uint64_t b)
{
    return b > a ? b - a : 0;
}

int bench_run(struct bench_runner *r, char *const argv[], struct bench_result *res)
{
    struct bench_result out = {0};
    struct proc_io io0 = {0}, io1 = {0};
    struct rusage ru;
    uint64_t t0, t1;
    pid_t pid;
    int rc, status = 0, io_ok;

    assert(argv && argv[0]);
    if (r->ts)
        begin_records(r);
    io_ok = r->io_fd >= 0 && proc_io_read_fd(r->io_fd, &io0) == 0;
    /* The timed window: nothing but the spawn and the wait. */
    t0 = now_ns();
    rc = util_spawn_run(&r->spawn, argv[0], argv, &pid);
    if (rc < 0)
        return rc;
    if (r->opts.timeout > 0)
        rc = wait_poll(r, pid, t0, &status, &ru, &out.timed_out);
    else if (r->opts.stop)
        rc = reap_or_stop(r->opts.stop, pid, &status, &ru);
    else
        rc = reap(pid, &status, &ru);
    t1 = now_ns();
    if (rc < 0)
        return rc;

    out.wall = (double)(t1 - t0) / 1e9;
    fill_rusage(&out, status, &ru);
    if (io_ok && proc_io_read_fd(r->io_fd, &io1) == 0) {
        out.read_bytes = delta(io0.read_bytes, io1.read_bytes);
        out.write_bytes = delta(io0.write_bytes, io1.write_bytes);
        out.cancelled_write_bytes = delta(io0.cancelled_write_bytes, io1.cancelled_write_bytes);
    }
    if (!r->ts || collect(r, (uint32_t)pid, &out) < 0)
        rss_from_wait4(&out, &ru);
    *res = out;
    return 0;
}

/* Spawn attributes fixed for every run: own process group, no blocked signals, every signal
 * at its default, stdin (and stdout/stderr unless inherited) on /dev/null. */
static int setup_spawn(struct bench_runner *r)
{
    int quiet = r->opts.output == BENCH_OUT_NULL ? r->devnull : -1;
    const int fds[3] = {r->devnull, quiet, quiet};

    return util_spawn_init(&r->spawn, fds, 3);
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
    util_spawn_destroy(&r->spawn);
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
