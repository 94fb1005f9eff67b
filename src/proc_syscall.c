/* /proc/PID/task/TID/syscall: "running", "-1 SP PC" (outside a system call) or the number in
 * decimal and eight hex values (six arguments, sp, pc), docs/linux.md §13. The call table uses
 * the SYS_* names of <sys/syscall.h>.
 * SPDX-License-Identifier: MIT */
#include "proc_syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYSCALL_BUF 256 /* the longest line is 9 fields: under 180 bytes */
#define NR_MAX      100000

/* A vanished task: the directory is gone (ENOENT) or the task is dead (ESRCH). */
static int err_of(int e)
{
    return e == ENOENT || e == ESRCH ? -ESRCH : -e;
}

/* The next space-separated token of [*p, end): exactly one space between tokens. */
static int token(const char **p, const char *end, const char **tok, size_t *len)
{
    const char *s = *p, *e;

    if (s >= end)
        return -EINVAL;
    e = memchr(s, ' ', (size_t)(end - s));
    if (!e)
        e = end;
    if (e == s)
        return -EINVAL;
    *tok = s;
    *len = (size_t)(e - s);
    *p = e < end ? e + 1 : e;
    if (e < end && *p == end)
        return -EINVAL; /* a trailing space */
    return 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "0x" and 1 to 16 hex digits. */
static int parse_hex(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len < 3 || len > 18 || s[0] != '0' || s[1] != 'x')
        return -EINVAL;
    for (size_t i = 2; i < len; i++) {
        int d = hex_digit(s[i]);
        if (d < 0)
            return -EINVAL;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* "-1", or a decimal from 0 to NR_MAX without leading zeros. */
static int parse_nr(const char *s, size_t len, long *out)
{
    long v = 0;

    if (len == 2 && s[0] == '-' && s[1] == '1') {
        *out = -1;
        return 0;
    }
    if (len == 0 || len > 6 || (len > 1 && s[0] == '0'))
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    if (v > NR_MAX)
        return -EINVAL;
    *out = v;
    return 0;
}

int proc_syscall_parse(const char *text, size_t len, struct proc_syscall *out)
{
    struct proc_syscall sc;
    const char *p = text, *end = text + len, *tok;
    uint64_t v[8];
    size_t tlen, nv;

    if (len && end[-1] == '\n')
        end--;
    memset(&sc, 0, sizeof(sc));
    if (end - p == 7 && memcmp(p, "running", 7) == 0) {
        sc.running = 1;
        *out = sc;
        return 0;
    }
    if (token(&p, end, &tok, &tlen) < 0 || parse_nr(tok, tlen, &sc.nr) < 0)
        return -EINVAL;
    nv = sc.nr < 0 ? 2 : 8;
    for (size_t i = 0; i < nv; i++)
        if (token(&p, end, &tok, &tlen) < 0 || parse_hex(tok, tlen, &v[i]) < 0)
            return -EINVAL;
    if (p != end)
        return -EINVAL;
    if (nv == 8)
        memcpy(sc.args, v, sizeof(sc.args));
    sc.sp = v[nv - 2];
    sc.pc = v[nv - 1];
    *out = sc;
    return 0;
}

int proc_syscall_open(int pid, int tid)
{
    char path[64];
    int fd;

    if (tid <= 0)
        snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
    else
        snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? err_of(errno) : fd;
}

int proc_syscall_read_fd(int fd, struct proc_syscall *out)
{
    char buf[SYSCALL_BUF];
    ssize_t n;

    do
        n = pread(fd, buf, sizeof(buf), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return err_of(errno);
    if (n == 0)
        return -ESRCH;
    if (n == (ssize_t)sizeof(buf))
        return -EINVAL;
    return proc_syscall_parse(buf, (size_t)n, out);
}

/* Calls whose kind does not depend on an argument, and those that read or write an fd. */
static enum proc_call io_call(long nr)
{
    switch (nr) {
    case SYS_read:
    case SYS_write:
    case SYS_readv:
    case SYS_writev:
    case SYS_pread64:
    case SYS_pwrite64:
    case SYS_preadv:
    case SYS_pwritev:
    case SYS_preadv2:
    case SYS_pwritev2:
        return PROC_CALL_FD_IO;
    case SYS_recvfrom:
    case SYS_recvmsg:
    case SYS_recvmmsg:
    case SYS_sendto:
    case SYS_sendmsg:
    case SYS_sendmmsg:
    case SYS_accept:
    case SYS_accept4:
    case SYS_connect:
        return PROC_CALL_SOCKET;
    case SYS_fsync:
    case SYS_fdatasync:
    case SYS_sync_file_range:
    case SYS_syncfs:
    case SYS_sync:
    case SYS_msync:
        return PROC_CALL_SYNC;
    }
    return PROC_CALL_OTHER;
}

/* Waits: futexes, sleeps, and fd multiplexing (select and poll exist only on some
 * architectures, e.g. not on aarch64). */
static enum proc_call wait_call(long nr)
{
    switch (nr) {
    case SYS_futex:
#ifdef SYS_futex_waitv
    case SYS_futex_waitv:
#endif
        return PROC_CALL_FUTEX;
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
        return PROC_CALL_SLEEP;
#ifdef SYS_select
    case SYS_select:
#endif
    case SYS_pselect6:
        return PROC_CALL_SELECT;
#ifdef SYS_poll
    case SYS_poll:
#endif
    case SYS_ppoll:
        return PROC_CALL_POLL;
#ifdef SYS_epoll_wait
    case SYS_epoll_wait:
#endif
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
#endif
    case SYS_epoll_pwait:
        return PROC_CALL_EPOLL;
    }
    return PROC_CALL_OTHER;
}

enum proc_call proc_syscall_call(long nr)
{
    enum proc_call c = io_call(nr);
    return c != PROC_CALL_OTHER ? c : wait_call(nr);
}

enum proc_fd_kind proc_fd_kind_of(mode_t mode, uint64_t dev, uint64_t anon_dev)
{
    switch (mode & S_IFMT) {
    case S_IFSOCK:
        return PROC_FD_SOCKET;
    case S_IFIFO:
        return PROC_FD_PIPE;
    case S_IFBLK:
        return PROC_FD_FILE;
    case S_IFREG:
        return anon_dev && dev == anon_dev ? PROC_FD_OTHER : PROC_FD_FILE;
    }
    return PROC_FD_OTHER;
}

uint64_t proc_fd_anon_dev(void)
{
    struct stat st;
    int fd = eventfd(0, EFD_CLOEXEC);
    uint64_t dev = 0;

    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0)
        dev = (uint64_t)st.st_dev;
    close(fd);
    return dev;
}

int proc_fd_dir_open(int pid)
{
    char path[64];
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? err_of(errno) : fd;
}

enum proc_fd_kind proc_fd_kind(int dirfd, uint64_t fd, uint64_t anon_dev)
{
    char name[24];
    struct stat st;

    if (dirfd < 0 || fd > INT32_MAX)
        return PROC_FD_UNKNOWN;
    snprintf(name, sizeof(name), "%u", (unsigned)fd);
    if (fstatat(dirfd, name, &st, 0) != 0)
        return PROC_FD_UNKNOWN;
    return proc_fd_kind_of(st.st_mode, (uint64_t)st.st_dev, anon_dev);
}
