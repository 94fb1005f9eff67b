/* What a thread is blocked in: /proc/PID/task/TID/syscall (parse, pure, and read from a file kept
 * open), a table of system-call numbers by kind (x86_64 and aarch64, from <sys/syscall.h>), and
 * the kind of file behind a descriptor of the target (/proc/PID/fd/N). Formats: docs/linux.md
 * §13 (syscall) and §7 (fd).
 * SPDX-License-Identifier: MIT */
#ifndef PROC_SYSCALL_H
#define PROC_SYSCALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One reading of the syscall file. Three forms:
 *   "running"                  the task is on a CPU or runnable (running = 1, nothing else set);
 *   "-1 SP PC"                 blocked, but not in a system call (nr = -1: a page fault, a stop,
 *                              a kernel thread on some kernels);
 *   "NR A1 A2 A3 A4 A5 A6 SP PC" blocked in system call NR (decimal) with its six arguments
 *                              (hex). Kernel threads read as "0 0x0 ... 0x0" here (6.x). */
struct proc_syscall {
    int running;      /* 1: "running" */
    long nr;          /* system call number, -1 outside one */
    uint64_t args[6]; /* raw argument registers; 0 when nr is -1 */
    uint64_t sp, pc;  /* user stack pointer and program counter */
};

/* Parse the file's text (len bytes, need not be NUL-terminated; one trailing newline allowed).
 * Returns 0, or -EINVAL (out untouched). */
int proc_syscall_parse(const char *text, size_t len, struct proc_syscall *out);

/* Open /proc/PID/task/TID/syscall (tid <= 0: /proc/PID/syscall) for repeated reads. Returns an fd
 * (caller closes), -ESRCH when the task is gone, or another negative errno. */
int proc_syscall_open(int pid, int tid);
/* Re-read an opened syscall file (pread at offset 0, no allocation). Returns 0, -ESRCH (task
 * exited), -EACCES (reading it needs ptrace-attach rights over the task), -EINVAL, or another
 * negative errno. */
int proc_syscall_read_fd(int fd, struct proc_syscall *out);

/* What a system call waits for, by number. */
enum proc_call {
    PROC_CALL_OTHER = 0,  /* not listed below (wait4, open, ioctl, ...) */
    PROC_CALL_FD_IO = 1,  /* read/write family: depends on the file of the fd in argument 1 */
    PROC_CALL_SOCKET = 2, /* calls that only take sockets: recv*, send*, accept*, connect */
    PROC_CALL_FUTEX = 3,  /* futex (wait address in argument 1), futex_waitv */
    PROC_CALL_SLEEP = 4,  /* nanosleep, clock_nanosleep */
    PROC_CALL_SELECT = 5, /* select, pselect6: argument 1 is the number of fds (0: a sleep) */
    PROC_CALL_POLL = 6,   /* poll, ppoll: argument 2 is the number of fds (0: a sleep) */
    PROC_CALL_EPOLL = 7,  /* epoll_wait, epoll_pwait, epoll_pwait2 */
    PROC_CALL_SYNC = 8,   /* fsync, fdatasync, sync_file_range, syncfs, sync, msync */
};

/* The kind of system call nr on the architecture this is built for (the numbers are those of
 * <sys/syscall.h>; a call the architecture lacks, e.g. select on aarch64, is not listed). */
enum proc_call proc_syscall_call(long nr);

/* The kind of file behind a descriptor. */
enum proc_fd_kind {
    PROC_FD_UNKNOWN = 0, /* not resolved (closed meanwhile, no permission) */
    PROC_FD_FILE = 1,    /* regular file or block device: storage */
    PROC_FD_SOCKET = 2,  /* any socket (TCP, UDP, Unix) */
    PROC_FD_PIPE = 3,    /* pipe or FIFO */
    PROC_FD_OTHER = 4,   /* character device (tty), anonymous inode (eventfd, epoll, timerfd) */
};

/* The kind of a file from its stat: mode (st_mode) and device (st_dev). anon_dev is the device
 * of the kernel's anonymous-inode file system (proc_fd_anon_dev()), whose files report S_IFREG on
 * recent kernels (6.15+); 0 when unknown. Pure. */
enum proc_fd_kind proc_fd_kind_of(mode_t mode, uint64_t dev, uint64_t anon_dev);

/* The device of the anonymous-inode file system, learnt from an eventfd of our own; 0 when it
 * cannot be made. */
uint64_t proc_fd_anon_dev(void);

/* Open /proc/PID/fd as a directory for proc_fd_kind(). Returns an fd (caller closes) or a
 * negative errno. */
int proc_fd_dir_open(int pid);
/* The kind of the file behind descriptor fd of the process whose fd directory is dirfd: one
 * fstatat() through the /proc/PID/fd/N link (it needs ptrace-read rights). PROC_FD_UNKNOWN
 * when it cannot be stat'ed (closed, no rights, fd out of range). */
enum proc_fd_kind proc_fd_kind(int dirfd, uint64_t fd, uint64_t anon_dev);

#endif
