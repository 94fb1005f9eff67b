/* Resource counters of a process or one of its threads from /proc: I/O bytes (/proc/PID/io),
 * scheduler times (/proc/PID/schedstat), memory pages (/proc/PID/statm), proportional and
 * unique memory (/proc/PID/smaps_rollup), open files (/proc/PID/fd). Pure parsers for
 * fixtures and fuzzing, and readers of files kept open (pread at offset 0: no allocation, fit
 * for the sampling loop). Formats: docs/linux.md §4 (io), §5 (schedstat), §6 (statm,
 * smaps_rollup), §7 (fd).
 * SPDX-License-Identifier: MIT */
#ifndef PROC_RES_H
#define PROC_RES_H

#include <stddef.h>
#include <stdint.h>

/* /proc/PID/io, or /proc/PID/task/TID/io for one thread. The process file sums its live
 * threads plus those that exited (and reaped children). */
struct proc_io {
    uint64_t rchar, wchar;          /* bytes passed to read-like / write-like calls (any fd) */
    uint64_t syscr, syscw;          /* read / write system calls */
    uint64_t read_bytes;            /* bytes fetched from storage */
    uint64_t write_bytes;           /* bytes sent to storage (counted when pages are dirtied) */
    uint64_t cancelled_write_bytes; /* dirtied, then truncated away before writeback */
};

/* /proc/PID/schedstat (the main thread only) or /proc/PID/task/TID/schedstat. */
struct proc_schedstat {
    uint64_t run_ns;  /* time on a CPU */
    uint64_t wait_ns; /* time runnable, waiting on a run queue */
    uint64_t slices;  /* times run on a CPU */
};

/* /proc/PID/statm, in bytes (the kernel counts pages). */
struct proc_statm {
    uint64_t size;     /* virtual size */
    uint64_t resident; /* RSS */
    uint64_t shared;   /* resident file-backed and shmem */
};

/* /proc/PID/smaps_rollup, in bytes (the kernel writes kB). Reading it walks the page tables
 * (about 50 us for a small Python, 20 ms for 760 MiB): poll it rarely. */
struct proc_smaps {
    uint64_t rss;  /* resident */
    uint64_t pss;  /* proportional: each shared page divided by its number of sharers */
    uint64_t uss;  /* unique: Private_Clean + Private_Dirty + Private_Hugetlb */
    uint64_t swap; /* swapped out */
};

/* Parse a file's text (len bytes, need not be NUL-terminated). Return 0, or -EINVAL when a
 * field is missing or malformed. Unknown io lines are ignored. */
int proc_io_parse(const char *text, size_t len, struct proc_io *out);
int proc_schedstat_parse(const char *text, size_t len, struct proc_schedstat *out);
int proc_statm_parse(const char *text, size_t len, struct proc_statm *out);
/* Needs Rss, Pss, Private_Clean and Private_Dirty lines; Private_Hugetlb and Swap count as 0
 * when absent (older kernels). The first line (the address range) and unknown keys are
 * ignored. */
int proc_smaps_parse(const char *text, size_t len, struct proc_smaps *out);

/* Open /proc/PID/NAME (tid <= 0) or /proc/PID/task/TID/NAME read-only, for repeated reads
 * (a directory, such as "fd" or "task", is opened as one).
 * Returns an fd (caller closes), -ESRCH when the task is gone, or another negative errno
 * (-EACCES for io of another user's process without ptrace rights). */
int proc_res_open(int pid, int tid, const char *name);

/* Re-read an opened file and parse it. Return 0, -ESRCH when the task has exited, -EINVAL, or
 * another negative errno. */
int proc_io_read_fd(int fd, struct proc_io *out);
int proc_schedstat_read_fd(int fd, struct proc_schedstat *out);
int proc_statm_read_fd(int fd, struct proc_statm *out);
/* smaps_rollup of a process without memory (a zombie, a kernel thread) is empty: -ESRCH. */
int proc_smaps_read_fd(int fd, struct proc_smaps *out);

/* The number of open file descriptors of a process, given its /proc/PID/fd directory opened
 * with O_RDONLY | O_DIRECTORY (proc_res_open(pid, 0, "fd") does so). Linux 6.2+ reports the
 * count as the directory's size, one fstat(); older kernels make us list the directory.
 * Returns the count, -ESRCH when the process has exited, or another negative errno. */
int proc_fd_count(int dirfd);

#endif
