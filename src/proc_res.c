/* I/O, scheduler and memory counters from /proc. The io file is written by proc_tid_io_accounting
 * / proc_tgid_io_accounting (fs/proc/base.c) as "key: value" lines; schedstat is three numbers
 * (proc_pid_schedstat); statm seven page counts (proc_pid_statm, fs/proc/array.c).
 * SPDX-License-Identifier: MIT */
#include "proc_res.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define RES_BUF 512 /* io is about 150 bytes, schedstat and statm under 100 */

/* Parse one unsigned decimal at *p (within end), moving *p past it. Returns 0 or -EINVAL. */
static int num(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;

    while (s < end && *s == ' ')
        s++;
    if (s == end || *s < '0' || *s > '9')
        return -EINVAL;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -EINVAL;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    *out = v;
    return 0;
}

int proc_io_parse(const char *text, size_t len, struct proc_io *out)
{
    static const char *const keys[] = {
        "rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes", "cancelled_write_bytes"};
    uint64_t *slots[] = {&out->rchar,
                         &out->wchar,
                         &out->syscr,
                         &out->syscw,
                         &out->read_bytes,
                         &out->write_bytes,
                         &out->cancelled_write_bytes};
    const char *p = text, *end = text + len;
    unsigned seen = 0;

    memset(out, 0, sizeof(*out));
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *colon;

        if (!eol)
            eol = end;
        colon = memchr(p, ':', (size_t)(eol - p));
        for (size_t k = 0; colon && k < sizeof(keys) / sizeof(keys[0]); k++) {
            const char *v = colon + 1;

            if ((size_t)(colon - p) != strlen(keys[k]) || memcmp(p, keys[k], strlen(keys[k])))
                continue;
            if (num(&v, eol, slots[k]) < 0 || v != eol)
                return -EINVAL;
            seen |= 1u << k;
        }
        p = eol + 1;
    }
    return seen == (1u << 7) - 1 ? 0 : -EINVAL;
}

/* Parse `count` space-separated numbers filling text up to an optional newline. */
static int numbers(const char *text, size_t len, uint64_t *v, size_t count)
{
    const char *p = text, *end = text + len;

    if (len && end[-1] == '\n')
        end--;
    for (size_t i = 0; i < count; i++)
        if (num(&p, end, &v[i]) < 0)
            return -EINVAL;
    return p == end ? 0 : -EINVAL;
}

int proc_schedstat_parse(const char *text, size_t len, struct proc_schedstat *out)
{
    uint64_t v[3];
    int err = numbers(text, len, v, 3);

    if (err < 0)
        return err;
    out->run_ns = v[0];
    out->wait_ns = v[1];
    out->slices = v[2];
    return 0;
}

int proc_statm_parse(const char *text, size_t len, struct proc_statm *out)
{
    uint64_t v[7];
    long page = sysconf(_SC_PAGESIZE);
    int err = numbers(text, len, v, 7);

    if (err < 0)
        return err;
    if (page <= 0)
        page = 4096;
    out->size = v[0] * (uint64_t)page;
    out->resident = v[1] * (uint64_t)page;
    out->shared = v[2] * (uint64_t)page;
    return 0;
}

/* A vanished task: the directory is gone (ENOENT) or the task is dead (ESRCH). */
static int err_of(int e)
{
    return e == ENOENT || e == ESRCH ? -ESRCH : -e;
}

int proc_res_open(int pid, int tid, const char *name)
{
    char path[96];
    int fd;

    if (tid <= 0)
        snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
    else
        snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? err_of(errno) : fd;
}

/* pread the whole (small) file into buf; returns its length or a negative errno. An empty read
 * means the task has exited (the kernel returns nothing, or ESRCH, then). */
static ssize_t slurp(int fd, char *buf, size_t cap)
{
    ssize_t n;

    do
        n = pread(fd, buf, cap, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return err_of(errno);
    return n == 0 ? -ESRCH : n;
}

int proc_io_read_fd(int fd, struct proc_io *out)
{
    char buf[RES_BUF];
    ssize_t n = slurp(fd, buf, sizeof(buf));

    return n < 0 ? (int)n : proc_io_parse(buf, (size_t)n, out);
}

int proc_schedstat_read_fd(int fd, struct proc_schedstat *out)
{
    char buf[RES_BUF];
    ssize_t n = slurp(fd, buf, sizeof(buf));

    return n < 0 ? (int)n : proc_schedstat_parse(buf, (size_t)n, out);
}

int proc_statm_read_fd(int fd, struct proc_statm *out)
{
    char buf[RES_BUF];
    ssize_t n = slurp(fd, buf, sizeof(buf));

    return n < 0 ? (int)n : proc_statm_parse(buf, (size_t)n, out);
}
