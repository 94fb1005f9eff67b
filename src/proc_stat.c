/* /proc/PID/stat, /proc/PID/task/TID/stat and comm, and the task list. Field numbers and units:
 * docs/linux.md §2.
 * SPDX-License-Identifier: MIT */
#include "proc_stat.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Field numbers (docs/linux.md §2); field 1 is the pid and field 2 the comm. */
enum {
    F_STATE = 3,
    F_PPID = 4,
    F_UTIME = 14,
    F_STIME = 15,
    F_CUTIME = 16,
    F_CSTIME = 17,
    F_NUM_THREADS = 20,
    F_STARTTIME = 22,
    F_PROCESSOR = 39,
    F_LAST = F_PROCESSOR,
};

/* Enough for any stat line up to field 39: comm is at most 64 bytes and each number at most 20
 * digits. No malloc: proc_stat_read_fd() runs in the sampling loop. */
#define STAT_BUF 1024

struct tok {
    const char *p;
    size_t len;
};

/* A vanished process: the directory is gone (ENOENT) or the task is dead (ESRCH). */
static int err_of(int e)
{
    return e == ENOENT || e == ESRCH ? -ESRCH : -e;
}

/* Split p[0..len) at spaces into at most max tokens; returns how many were found. */
static size_t split(const char *p, size_t len, struct tok *tok, size_t max)
{
    size_t n = 0, i = 0;

    while (n < max) {
        while (i < len && p[i] == ' ')
            i++;
        if (i == len)
            break;
        tok[n].p = p + i;
        while (i < len && p[i] != ' ')
            i++;
        tok[n].len = (size_t)(p + i - tok[n].p);
        n++;
    }
    return n;
}

/* A decimal number of at least one digit, at most lim. */
static int tok_digits(const char *p, size_t len, uint64_t lim, uint64_t *v)
{
    uint64_t x = 0;

    if (len == 0)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        uint64_t d = (uint64_t)(p[i] - '0');

        if (p[i] < '0' || p[i] > '9' || d > lim || x > (lim - d) / 10)
            return -EINVAL;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

static int tok_u64(struct tok t, uint64_t *v)
{
    return tok_digits(t.p, t.len, UINT64_MAX, v);
}

/* A decimal number with an optional '-', within [lo, hi] (lo <= 0 <= hi). */
static int tok_int(struct tok t, int64_t lo, int64_t hi, int64_t *v)
{
    uint64_t x;

    if (t.len > 0 && t.p[0] == '-') {
        if (tok_digits(t.p + 1, t.len - 1, (uint64_t)(-(lo + 1)) + 1, &x) < 0)
            return -EINVAL;
        *v = x == 0 ? 0 : -(int64_t)(x - 1) - 1; /* no overflow for INT64_MIN */
        return 0;
    }
    if (tok_digits(t.p, t.len, (uint64_t)hi, &x) < 0)
        return -EINVAL;
    *v = (int64_t)x;
    return 0;
}

/* The fields after the comm: from the last ')' to the end of that line. */
int proc_stat_parse(const char *text, size_t len, struct proc_stat *out)
{
    struct tok f[F_LAST + 1]; /* f[k] is field k; f[0..2] are unused */
    struct proc_stat st;
    const char *lp, *rp, *nl;
    int64_t ppid, cpu, cu, cs;
    size_t flen;

    if (len == 0 || !(lp = memchr(text, '(', len)) || !(rp = memrchr(text, ')', len)) || rp < lp)
        return -EINVAL;
    rp++;
    flen = len - (size_t)(rp - text);
    nl = memchr(rp, '\n', flen);
    if (nl)
        flen = (size_t)(nl - rp);
    if (split(rp, flen, f + F_STATE, F_LAST + 1 - F_STATE) < F_LAST + 1 - F_STATE)
        return -EINVAL;
    if (f[F_STATE].len != 1 || !((f[F_STATE].p[0] >= 'A' && f[F_STATE].p[0] <= 'Z') ||
                                 (f[F_STATE].p[0] >= 'a' && f[F_STATE].p[0] <= 'z')))
        return -EINVAL;
    st.state = f[F_STATE].p[0];
    if (tok_int(f[F_PPID], INT_MIN, INT_MAX, &ppid) < 0 || tok_u64(f[F_UTIME], &st.utime) < 0 ||
        tok_u64(f[F_STIME], &st.stime) < 0 || tok_int(f[F_CUTIME], INT64_MIN, INT64_MAX, &cu) < 0 ||
        tok_int(f[F_CSTIME], INT64_MIN, INT64_MAX, &cs) < 0 ||
        tok_int(f[F_NUM_THREADS], INT64_MIN, INT64_MAX, &st.num_threads) < 0 ||
        tok_u64(f[F_STARTTIME], &st.starttime) < 0 ||
        tok_int(f[F_PROCESSOR], INT_MIN, INT_MAX, &cpu) < 0)
        return -EINVAL;
    st.ppid = (int)ppid;
    st.processor = (int)cpu;
    st.cutime = cu > 0 ? (uint64_t)cu : 0; /* printed signed (clock_t) */
    st.cstime = cs > 0 ? (uint64_t)cs : 0;
    *out = st;
    return 0;
}

/* "/proc/PID/NAME" or, for tid > 0, "/proc/PID/task/TID/NAME". */
static void task_path(char *buf, size_t size, int pid, int tid, const char *name)
{
    if (tid <= 0)
        snprintf(buf, size, "/proc/%d/%s", pid, name);
    else
        snprintf(buf, size, "/proc/%d/task/%d/%s", pid, tid, name);
}

int proc_stat_open(int pid, int tid)
{
    char path[64];
    int fd;

    task_path(path, sizeof(path), pid, tid, "stat");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? err_of(errno) : fd;
}

int proc_stat_read_fd(int fd, struct proc_stat *out)
{
    char buf[STAT_BUF];
    const char *sp;
    ssize_t n;
    size_t len;

    do
        n = pread(fd, buf, sizeof(buf), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return err_of(errno);
    len = (size_t)n;
    /* A full buffer may end inside a number: drop the last, possibly partial, field. */
    if (len == sizeof(buf)) {
        sp = memrchr(buf, ' ', len);
        len = sp ? (size_t)(sp - buf) : 0;
    }
    return proc_stat_parse(buf, len, out);
}

int proc_stat_read(int pid, int tid, struct proc_stat *out)
{
    int fd = proc_stat_open(pid, tid), err;

    if (fd < 0)
        return fd;
    err = proc_stat_read_fd(fd, out);
    close(fd);
    return err;
}

int proc_comm_read(int pid, int tid, char *buf, size_t len)
{
    char path[64], tmp[128]; /* comm is at most 64 bytes (TASK_COMM_LEN is 16 for user tasks) */
    ssize_t n;
    size_t m;
    int fd;

    assert(buf && len > 0);
    task_path(path, sizeof(path), pid, tid, "comm");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_of(errno);
    do
        n = read(fd, tmp, sizeof(tmp));
    while (n < 0 && errno == EINTR);
    if (n < 0)
        n = err_of(errno); /* negative */
    close(fd);
    if (n < 0)
        return (int)n;
    m = (size_t)n;
    if (m > 0 && tmp[m - 1] == '\n')
        m--;
    if (m > len - 1)
        m = len - 1;
    memcpy(buf, tmp, m);
    buf[m] = '\0';
    return 0;
}

/* A directory entry that is a thread id, else 0. */
static int tid_of(const char *name)
{
    long v = 0;

    if (*name == '\0')
        return 0;
    for (; *name; name++) {
        if (*name < '0' || *name > '9' || v > (INT_MAX - (*name - '0')) / 10)
            return 0;
        v = v * 10 + (*name - '0');
    }
    return (int)v;
}

int proc_tasks_read(int pid, int *tids, size_t cap, size_t *n)
{
    char path[64];
    struct dirent *de;
    size_t count = 0;
    DIR *d;
    int err = 0, tid;

    snprintf(path, sizeof(path), "/proc/%d/task", pid);
    d = opendir(path);
    if (!d)
        return err_of(errno);
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de) {
            err = errno ? err_of(errno) : 0;
            break;
        }
        tid = tid_of(de->d_name);
        if (tid <= 0)
            continue;
        if (count < cap)
            tids[count] = tid;
        count++;
    }
    closedir(d);
    if (err < 0)
        return err;
    *n = count;
    return 0;
}
