/* /proc/PID/stat and /proc/PID/task/TID/stat: parse (pure) and read; also comm and the task
 * list. Format: docs/linux.md §2.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_STAT_H
#define PROC_STAT_H

#include <stddef.h>
#include <stdint.h>

struct proc_stat {
    char state; /* R, S, D, Z, T, t, X, I ... */
    int ppid;
    uint64_t utime;          /* clock ticks */
    uint64_t stime;          /* clock ticks */
    uint64_t cutime, cstime; /* clock ticks: user and system time of the children it reaped
                                (waited for), theirs included */
    int64_t num_threads;
    uint64_t starttime; /* clock ticks after boot */
    int processor;      /* CPU last run on */
};

/* Parse one stat line (the comm field may contain spaces and ')'). Returns 0 or -EINVAL. */
int proc_stat_parse(const char *text, size_t len, struct proc_stat *out);
/* Read /proc/PID/stat (tid <= 0) or /proc/PID/task/TID/stat. Returns 0, -ESRCH or -EINVAL. */
int proc_stat_read(int pid, int tid, struct proc_stat *out);
/* Open the stat file once for repeated cheap reads with proc_stat_read_fd(). Returns an fd
 * (caller closes) or a negative errno. */
int proc_stat_open(int pid, int tid);
/* Re-read an opened stat file (pread at offset 0). Returns 0, -ESRCH or -EINVAL. */
int proc_stat_read_fd(int fd, struct proc_stat *out);
/* Read /proc/PID/task/TID/comm (tid <= 0: the process's) without the newline into buf
 * (NUL-terminated, truncated to len). Returns 0 or a negative errno. */
int proc_comm_read(int pid, int tid, char *buf, size_t len);
/* List the thread ids of PID into tids[0..cap). Sets *n to the number found (may exceed cap,
 * only cap stored). Returns 0 or a negative errno. */
int proc_tasks_read(int pid, int *tids, size_t cap, size_t *n);

#endif
