/* Thread states from /proc: the classifier (syscall kind, fd kind, GIL address range, stat
 * letter) and the reader with its two caches (identical syscall reading, fd kind).
 * SPDX-License-Identifier: MIT */
#include "thread_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_res.h"
#include "proc_stat.h"
#include "util_xalloc.h"

#define FD_CACHE     64
#define FD_TTL_NS    100000000LL  /* an fd's kind is trusted this long (fds get reused) */
#define REUSE_NS     1000000000LL /* a kept reading is refreshed at least this often */
#define FAIL_SYSCALL 1
#define FAIL_STAT    2
#define FAIL_SCHED   4

struct fd_entry {
    int64_t fd; /* -1: empty */
    enum proc_fd_kind kind;
    int64_t at; /* when resolved (CLOCK_MONOTONIC ns) */
};

struct thread_state_reader {
    int pid;
    int fd_dir; /* /proc/PID/fd, -1 when it cannot be opened */
    uint64_t anon_dev;
    struct fd_entry fds[FD_CACHE];
    struct thread_state_stats stats;
};

static const char *const names[THREAD_STATE_N] = {"cpu",  "gil",   "lock", "disk",  "network",
                                                  "pipe", "sleep", "poll", "other", "unknown"};

const char *thread_state_name(enum thread_state s)
{
    return (unsigned)s < THREAD_STATE_N ? names[s] : "unknown";
}

int thread_state_needs_fd(const struct proc_syscall *sc)
{
    return sc && !sc->running && sc->nr >= 0 && proc_syscall_call(sc->nr) == PROC_CALL_FD_IO;
}

/* Blocked outside a system call, in one the table does not know, or on an fd of no known
 * kind: the stat letter decides. */
static enum thread_state by_letter(char stat)
{
    switch (stat) {
    case 0:
        return THREAD_STATE_UNKNOWN;
    case 'R':
        return THREAD_STATE_CPU; /* woken between the two reads */
    case 'D':
        return THREAD_STATE_DISK;
    }
    return THREAD_STATE_OTHER;
}

static enum thread_state by_fd(enum proc_fd_kind fd, char stat)
{
    switch (fd) {
    case PROC_FD_FILE:
        return THREAD_STATE_DISK;
    case PROC_FD_SOCKET:
        return THREAD_STATE_NETWORK;
    case PROC_FD_PIPE:
        return THREAD_STATE_PIPE;
    default:
        return by_letter(stat);
    }
}

enum thread_state thread_state_classify(const struct proc_syscall *sc, char stat,
                                        enum proc_fd_kind fd, uint64_t gil, uint64_t gil_len)
{
    if (!sc)
        return stat == 'R'   ? THREAD_STATE_CPU
               : stat == 'D' ? THREAD_STATE_DISK
                             : THREAD_STATE_UNKNOWN;
    if (sc->running)
        return THREAD_STATE_CPU;
    if (sc->nr < 0)
        return by_letter(stat);
    switch (proc_syscall_call(sc->nr)) {
    case PROC_CALL_FUTEX:
        return gil && sc->args[0] >= gil && sc->args[0] - gil < gil_len ? THREAD_STATE_GIL
                                                                        : THREAD_STATE_LOCK;
    case PROC_CALL_SLEEP:
        return THREAD_STATE_SLEEP;
    case PROC_CALL_SELECT:
        return sc->args[0] ? THREAD_STATE_POLL : THREAD_STATE_SLEEP;
    case PROC_CALL_POLL:
        return sc->args[1] ? THREAD_STATE_POLL : THREAD_STATE_SLEEP;
    case PROC_CALL_EPOLL:
        return THREAD_STATE_POLL;
    case PROC_CALL_SOCKET:
        return THREAD_STATE_NETWORK;
    case PROC_CALL_SYNC:
        return THREAD_STATE_DISK;
    case PROC_CALL_FD_IO:
        return by_fd(fd, stat);
    case PROC_CALL_OTHER:
        break;
    }
    return by_letter(stat);
}

void thread_state_slot_init(struct thread_state_slot *t)
{
    memset(t, 0, sizeof(*t));
    t->syscall_fd = -1;
    t->stat_fd = -1;
    t->sched_fd = -1;
}

void thread_state_slot_close(struct thread_state_slot *t)
{
    if (t->syscall_fd >= 0)
        close(t->syscall_fd);
    if (t->stat_fd >= 0)
        close(t->stat_fd);
    if (t->sched_fd >= 0)
        close(t->sched_fd);
    thread_state_slot_init(t);
}

struct thread_state_reader *thread_state_reader_new(int pid)
{
    struct thread_state_reader *r = xcalloc(1, sizeof(*r));
    r->pid = pid;
    r->fd_dir = proc_fd_dir_open(pid);
    r->anon_dev = proc_fd_anon_dev();
    for (int i = 0; i < FD_CACHE; i++)
        r->fds[i].fd = -1;
    return r;
}

void thread_state_reader_free(struct thread_state_reader *r)
{
    if (!r)
        return;
    if (r->fd_dir >= 0)
        close(r->fd_dir);
    free(r);
}

const struct thread_state_stats *thread_state_reader_stats(const struct thread_state_reader *r)
{
    return &r->stats;
}

/* The kind of the target's fd, through the cache. */
static enum proc_fd_kind fd_kind(struct thread_state_reader *r, uint64_t arg, int64_t now)
{
    int64_t fd = (int32_t)(uint32_t)arg; /* an int argument: the low 32 bits */
    struct fd_entry *e = &r->fds[(uint64_t)fd % FD_CACHE];

    if (fd < 0)
        return PROC_FD_UNKNOWN;
    if (e->fd == fd && now - e->at < FD_TTL_NS)
        return e->kind;
    r->stats.fd_stats++;
    e->kind = proc_fd_kind(r->fd_dir, (uint64_t)fd, r->anon_dev);
    e->fd = e->kind == PROC_FD_UNKNOWN ? -1 : fd;
    e->at = now;
    return e->kind;
}

/* Open file kind (FAIL_*) of thread tid once; *fd stays -1 when it cannot be. */
static int ensure_open(struct thread_state_reader *r, struct thread_state_slot *t, int tid,
                       int kind, int *fd)
{
    if (*fd >= 0)
        return 0;
    if (t->failed & kind)
        return -1;
    if (kind == FAIL_SYSCALL)
        *fd = proc_syscall_open(r->pid, tid);
    else if (kind == FAIL_STAT)
        *fd = proc_stat_open(r->pid, tid);
    else
        *fd = proc_res_open(r->pid, tid, "schedstat");
    if (*fd < 0) {
        *fd = -1;
        t->failed |= kind;
        return -1;
    }
    return 0;
}

static char read_letter(struct thread_state_reader *r, struct thread_state_slot *t, int tid)
{
    struct proc_stat st;
    r->stats.stat_reads++;
    if (ensure_open(r, t, tid, FAIL_STAT, &t->stat_fd) < 0 || proc_stat_read_fd(t->stat_fd, &st))
        return 0;
    return st.state;
}

int thread_state_run_ns(struct thread_state_reader *r, struct thread_state_slot *t, int tid,
                        uint64_t *ns)
{
    struct proc_schedstat ss;
    int err;
    if (ensure_open(r, t, tid, FAIL_SCHED, &t->sched_fd) < 0)
        return -ENOENT;
    err = proc_schedstat_read_fd(t->sched_fd, &ss);
    if (err)
        return err;
    t->run_ns = ss.run_ns;
    *ns = ss.run_ns;
    return 0;
}

static int same_call(const struct proc_syscall *a, const struct proc_syscall *b)
{
    return a->running == b->running && a->nr == b->nr && a->sp == b->sp && a->pc == b->pc &&
           memcmp(a->args, b->args, sizeof(a->args)) == 0;
}

enum thread_state thread_state_read(struct thread_state_reader *r, struct thread_state_slot *t,
                                    int tid, uint64_t gil, uint64_t gil_len, int64_t now)
{
    struct proc_syscall sc;
    enum proc_fd_kind fd = PROC_FD_UNKNOWN;
    enum thread_state s;

    r->stats.reads++;
    if (tid <= 0)
        return THREAD_STATE_UNKNOWN;
    if (ensure_open(r, t, tid, FAIL_SYSCALL, &t->syscall_fd) < 0 ||
        proc_syscall_read_fd(t->syscall_fd, &sc) != 0) {
        r->stats.errors++;
        t->at = 0;
        return thread_state_classify(NULL, read_letter(r, t, tid), fd, gil, gil_len);
    }
    if (!sc.running && t->at && t->reusable && same_call(&sc, &t->last) && now - t->at < REUSE_NS) {
        r->stats.same_call++;
        return t->state;
    }
    if (thread_state_needs_fd(&sc))
        fd = fd_kind(r, sc.args[0], now);
    s = thread_state_classify(&sc, 0, fd, gil, gil_len);
    t->reusable = s != THREAD_STATE_UNKNOWN;
    if (s == THREAD_STATE_UNKNOWN) {
        /* The letter decides. An interruptible sleep (pause, wait4 ...) lasts: keep it for
         * identical readings too; D and R are transient: read them again. */
        char letter = read_letter(r, t, tid);
        s = thread_state_classify(&sc, letter, fd, gil, gil_len);
        t->reusable = letter == 'S';
    }
    t->last = sc;
    t->state = s;
    t->at = now;
    return s;
}
