/* What a thread of the target is doing at a sample: on a CPU, waiting for the GIL, or off CPU
 * for a reason (disk, network, pipe, lock, sleep, poll), from its /proc state letter, its
 * current system call and, for read/write calls, the kind of file of its fd. A pure classifier
 * (testable on captured /proc text) and a reader that keeps each thread's files open. See
 * proc_syscall.h for the /proc side.
 * SPDX-License-Identifier: MIT */
#ifndef THREAD_STATE_H
#define THREAD_STATE_H

#include <stdint.h>

#include "proc_syscall.h"

enum thread_state {
    THREAD_STATE_CPU = 0,     /* running or runnable (state R, syscall file "running") */
    THREAD_STATE_GIL = 1,     /* futex wait on the interpreter's GIL */
    THREAD_STATE_LOCK = 2,    /* any other futex wait (threading.Lock, Condition, queue ...) */
    THREAD_STATE_DISK = 3,    /* read/write of a regular file or block device, fsync, or state D */
    THREAD_STATE_NETWORK = 4, /* a socket call, or read/write on a socket */
    THREAD_STATE_PIPE = 5,    /* read/write on a pipe or FIFO */
    THREAD_STATE_SLEEP = 6,   /* nanosleep, clock_nanosleep, select/poll without fds */
    THREAD_STATE_POLL = 7,    /* select, poll, epoll on fds */
    THREAD_STATE_OTHER = 8,   /* another system call (wait4, tty read ...), or stopped */
    THREAD_STATE_UNKNOWN = 9, /* not readable (kernel TID unknown, no permission) */
    THREAD_STATE_N = 10,
};

/* The state's short name: "cpu", "gil", "lock", "disk", "network", "pipe", "sleep", "poll",
 * "other", "unknown". */
const char *thread_state_name(enum thread_state s);

/* Classify one reading. sc: the syscall file (NULL when it could not be read); stat: the state
 * letter of the stat file (0 when not read); fd: the kind of the file of sc's first argument
 * (PROC_FD_UNKNOWN when not resolved); [gil, gil + gil_len): the GIL struct of the thread's
 * interpreter (gil 0: unknown, every futex is then a lock). Returns THREAD_STATE_UNKNOWN when the
 * answer depends on the stat letter and stat is 0: read it and ask again. Pure. */
enum thread_state thread_state_classify(const struct proc_syscall *sc, char stat,
                                        enum proc_fd_kind fd, uint64_t gil, uint64_t gil_len);

/* Whether classifying sc needs the kind of the file of its first argument. Pure. */
int thread_state_needs_fd(const struct proc_syscall *sc);

/* Per-thread files and memory of the last reading; embedded in the caller's thread table. Start
 * with thread_state_slot_init(), end with thread_state_slot_close(). */
struct thread_state_slot {
    int syscall_fd;           /* /proc/PID/task/TID/syscall, -1 until opened */
    int stat_fd;              /* .../stat, opened when first needed */
    int sched_fd;             /* .../schedstat (thread_state_run_ns) */
    int failed;               /* bit set of files that cannot be opened: not tried again */
    uint64_t run_ns;          /* time on a CPU at the last thread_state_run_ns(), ns */
    struct proc_syscall last; /* last syscall reading */
    enum thread_state state;  /* its result */
    int64_t at;               /* when it was made (CLOCK_MONOTONIC ns); 0: none */
    int reusable;             /* 1: an identical reading gets the same result (it did not
                               * depend on stat, or stat said S) */
};

void thread_state_slot_init(struct thread_state_slot *t);
void thread_state_slot_close(struct thread_state_slot *t);

/* Counters of the reader's work, for the cost measurements. */
struct thread_state_stats {
    uint64_t reads;      /* thread states asked for */
    uint64_t same_call;  /* answered from an identical syscall reading */
    uint64_t fd_stats;   /* fstatat() of a target fd (fd cache misses) */
    uint64_t stat_reads; /* stat files read */
    uint64_t errors;     /* syscall file unreadable (state unknown, or from stat alone) */
};

struct thread_state_reader;

/* A reader for the threads of process pid. Caller frees with thread_state_reader_free(). */
struct thread_state_reader *thread_state_reader_new(int pid);
void thread_state_reader_free(struct thread_state_reader *r);

/* The state of kernel thread tid (slot t: its files and last reading) whose interpreter's GIL is
 * [gil, gil + gil_len), at time now (CLOCK_MONOTONIC ns). Costs one read of the kept-open syscall
 * file. A reading identical to the thread's last one (same call, arguments, stack and pc: the
 * same blocked call, whose file cannot change) less than a second old gets the last result;
 * otherwise the stat file is read when the call does not tell (outside a call, an unknown one,
 * an fd of no known kind), and read/write calls cost an fstatat() of the fd unless its kind was
 * resolved less than 100 ms ago (an fd closed and reused for another kind of file within that
 * time is misreported until then). No allocation.
 * (A cheaper test, "has not run since" from schedstat's run count, was measured and left out: it
 * reports a thread woken but still waiting for a CPU in its old wait.) */
enum thread_state thread_state_read(struct thread_state_reader *r, struct thread_state_slot *t,
                                    int tid, uint64_t gil, uint64_t gil_len, int64_t now);

/* Read the thread's time on a CPU (schedstat, ns) into *ns and t->run_ns. Returns 0, or a
 * negative errno (-ENOENT when the file cannot be opened: not tried again). */
int thread_state_run_ns(struct thread_state_reader *r, struct thread_state_slot *t, int tid,
                        uint64_t *ns);

const struct thread_state_stats *thread_state_reader_stats(const struct thread_state_reader *r);

#endif
