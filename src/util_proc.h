/* Children, for every command that runs one (record, monitor, bench, timeit): posix_spawnp with
 * chosen signals and descriptors, optionally into a process group of its own; waits with a
 * deadline and a stop flag (a pidfd where the kernel has one); signals to the child or its group;
 * the exit status and resource use in the project's units, and one wording for how it ended.
 * See docs/linux.md §9.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_PROC_H
#define UTIL_PROC_H

#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rusage;

#define UTIL_PROC_FOREVER INT64_MAX /* a wait without a deadline */

/* How children start (util_proc_spawn_init's flags). */
enum util_proc_flags {
    UTIL_PROC_GROUP = 1, /* lead a new process group: util_proc_signal() reaches its whole tree,
                            and a terminal's Ctrl-C does not */
    UTIL_PROC_CLEAN = 2, /* no signal blocked, every signal at its default disposition (what a
                            measurement wants); without it the child keeps the signal mask and
                            the ignored signals it inherits, as after fork and exec, but for
                            SIGINT, SIGTERM and SIGPIPE, which spyglass catches or ignores for
                            itself and the child gets at their defaults */
};

/* The attributes and file actions of a spawn, set up once and reusable (embedded object). */
struct util_proc_spawn {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    int attr_ok, fa_ok; /* initialised: util_proc_spawn_destroy() releases them */
    int group;          /* UTIL_PROC_GROUP was given */
};

/* A started child (embedded object, filled by util_proc_spawn(); only a filled one is passed to
 * the functions below). */
struct util_proc {
    pid_t pid;  /* > 0 until reaped, then -1 */
    int pidfd;  /* its pidfd once util_proc_pidfd() opened one, else negative */
    int group;  /* it leads its own process group */
    int exited; /* seen exited (not reaped yet) */
};

/* How a reaped child ended and what it used (itself and the descendants it reaped). */
struct util_proc_exit {
    int status;              /* wait status (wait(2)) */
    int code;                /* exit code, or 128 + the signal number when a signal ended it */
    int signal;              /* the signal that ended it, 0 when it exited */
    double user, sys;        /* seconds of CPU */
    uint64_t maxrss;         /* bytes: rusage's peak, at least the spawner's own resident size
                                at the exec (docs/linux.md §9) */
    uint64_t minflt, majflt; /* page faults, minor and major */
    uint64_t nvcsw, nivcsw;  /* context switches, voluntary and involuntary */
};

/* Set s up with flags (enum util_proc_flags), and for each i < nfds with fds[i] >= 0, fds[i]
 * duplicated onto descriptor i in the child (-1, or nfds 0, leaves descriptor i as inherited).
 * Every fds[i] must be nfds or above, so that no move overwrites a later source; descriptors
 * not moved should be close-on-exec. Returns 0 or a negative errno; s must be zeroed before,
 * and released with util_proc_spawn_destroy() in both cases. */
int util_proc_spawn_init(struct util_proc_spawn *s, unsigned flags, const int *fds, int nfds);

/* Start file (searched in PATH when it has no '/') with argv (NULL-terminated) and the current
 * environment, and fill *c. Nothing but the spawn (a bench run's timed window holds it).
 * Returns 0; -ENOENT when file is not found; -EACCES when it may not be run (no permission, a
 * directory); -ENOEXEC when it is not a program this machine can run (unknown format, bad
 * interpreter library); or another negative errno. */
int util_proc_spawn(const struct util_proc_spawn *s, const char *file, char *const argv[],
                    struct util_proc *c);

/* Release what util_proc_spawn_init() set up (also after it failed, or on a zeroed s). */
void util_proc_spawn_destroy(struct util_proc_spawn *s);

/* One spawn: util_proc_spawn_init(flags, fds, nfds), util_proc_spawn(file, argv, c) and
 * util_proc_spawn_destroy(). Returns what they return. */
int util_proc_start(unsigned flags, const int *fds, int nfds, const char *file, char *const argv[],
                    struct util_proc *c);

/* c's pidfd, readable once it has exited (for a caller's own ppoll), opened close-on-exec on the
 * first call; -1 when the kernel has none (Linux < 5.3) or c was reaped. util_proc_wait() and
 * util_proc_destroy() close it. */
int util_proc_pidfd(struct util_proc *c);

/* 1 when c has exited (it stays to be reaped until util_proc_wait()) or was reaped, else 0.
 * Does not block. */
int util_proc_exited(struct util_proc *c);

/* Send sig to c, or to its whole process group when it leads one. Returns 0 or a negative
 * errno (-ESRCH once reaped). */
int util_proc_signal(const struct util_proc *c, int sig);

/* Wait for c to exit and reap it into *ex. Gives up, leaving c running, at deadline
 * (CLOCK_MONOTONIC ns, util_clock.h; UTIL_PROC_FOREVER for none) or once *stop is non-zero
 * (stop may be NULL). Without a deadline it is one blocking wait4, nothing else: the flag is
 * looked at before it and whenever a signal interrupts it (set it from a handler installed
 * without SA_RESTART). With one, it waits on c's pidfd with ppoll (without a pidfd it looks
 * every millisecond), waking every 20 ms when stop is given so that a flag set by another
 * thread is seen. Returns 0, -ETIMEDOUT, -EINTR (stopped) or another negative errno (-ECHILD
 * when c was reaped). */
int util_proc_wait(struct util_proc *c, int64_t deadline, const volatile sig_atomic_t *stop,
                   struct util_proc_exit *ex);

/* Send sig (as util_proc_signal) and reap c without a deadline into *ex (ex may be NULL).
 * Returns 0 or a negative errno. */
int util_proc_end(struct util_proc *c, int sig, struct util_proc_exit *ex);

/* Close c's pidfd; the child, if any, is left alone. */
void util_proc_destroy(struct util_proc *c);

/* The exit of wait status status with resource use ru (NULL: zeros) in the units above. */
void util_proc_exit_of(int status, const struct rusage *ru, struct util_proc_exit *ex);

/* How ex ended, in words, into buf: "exited with code N" or "killed by signal N (NAME)".
 * Returns buf. */
const char *util_proc_describe(const struct util_proc_exit *ex, char *buf, size_t size);

#endif
