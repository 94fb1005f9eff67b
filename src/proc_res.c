/* I/O, scheduler and memory counters from /proc. The io file is "key: value" lines; schedstat
 * three numbers; statm seven page counts; smaps_rollup "Key:   N kB" lines after an address
 * line; the fd directory's size is its count of open files since Linux 6.2. Formats:
 * docs/linux.md §4-§7.
 * SPDX-License-Identifier: MIT */
#include "proc_res.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RES_BUF   512  /* io is about 150 bytes, schedstat and statm under 100 */
#define SMAPS_BUF 2048 /* smaps_rollup is about 700 bytes */
#define DENTS_BUF 4096

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

/* Fill slots[k] from the "keys[k]: N<suffix>" lines of text; other lines are ignored. Returns
 * the bit mask of the keys found, or -EINVAL when a known key has a malformed value. */
static int keyed(const char *text, size_t len, const char *const *keys, uint64_t *const *slots,
                 size_t nkeys, const char *suffix)
{
    const char *p = text, *end = text + len;
    size_t slen = strlen(suffix);
    int seen = 0;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *colon;

        if (!eol)
            eol = end;
        colon = memchr(p, ':', (size_t)(eol - p));
        for (size_t k = 0; colon && k < nkeys; k++) {
            const char *v = colon + 1;

            if ((size_t)(colon - p) != strlen(keys[k]) || memcmp(p, keys[k], strlen(keys[k])))
                continue;
            if (num(&v, eol, slots[k]) < 0 || (size_t)(eol - v) != slen || memcmp(v, suffix, slen))
                return -EINVAL;
            seen |= 1 << k;
        }
        p = eol + 1;
    }
    return seen;
}

int proc_io_parse(const char *text, size_t len, struct proc_io *out)
{
    static const char *const keys[] = {
        "rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes", "cancelled_write_bytes"};
    struct proc_io io = {0};
    uint64_t *const slots[] = {&io.rchar,
                               &io.wchar,
                               &io.syscr,
                               &io.syscw,
                               &io.read_bytes,
                               &io.write_bytes,
                               &io.cancelled_write_bytes};
    int seen = keyed(text, len, keys, slots, 7, "");

    if (seen != (1 << 7) - 1)
        return -EINVAL;
    *out = io;
    return 0;
}

int proc_smaps_parse(const char *text, size_t len, struct proc_smaps *out)
{
    static const char *const keys[] = {
        "Rss", "Pss", "Private_Clean", "Private_Dirty", "Private_Hugetlb", "Swap"};
    uint64_t v[6] = {0};
    uint64_t *const slots[] = {&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]};
    int seen = keyed(text, len, keys, slots, 6, " kB");

    if (seen < 0 || (seen & 15) != 15)
        return -EINVAL;
    for (int k = 0; k < 6; k++) {
        if (v[k] > UINT64_MAX / 1024)
            return -EINVAL;
        v[k] *= 1024;
    }
    if (v[2] > UINT64_MAX - v[3] || v[2] + v[3] > UINT64_MAX - v[4])
        return -EINVAL;
    out->rss = v[0];
    out->pss = v[1];
    out->uss = v[2] + v[3] + v[4];
    out->swap = v[5];
    return 0;
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

int proc_smaps_read_fd(int fd, struct proc_smaps *out)
{
    char buf[SMAPS_BUF];
    ssize_t n = slurp(fd, buf, sizeof(buf));

    return n < 0 ? (int)n : proc_smaps_parse(buf, (size_t)n, out);
}

/* Count the entries of an opened directory other than "." and "..", from its start. */
static int count_entries(int dirfd)
{
    char buf[DENTS_BUF] __attribute__((aligned(8)));
    int count = 0;
    long n;

    if (lseek(dirfd, 0, SEEK_SET) < 0)
        return err_of(errno);
    while ((n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < n;) {
            unsigned short reclen;
            const char *name = buf + off + 19; /* d_ino 8, d_off 8, d_reclen 2, d_type 1 */

            memcpy(&reclen, buf + off + 16, sizeof(reclen));
            if (reclen == 0)
                return -EIO;
            if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
                count++;
            off += reclen;
        }
    }
    return n < 0 ? err_of(errno) : count;
}

int proc_fd_count(int dirfd)
{
    struct stat st;

    if (fstat(dirfd, &st) < 0)
        return err_of(errno);
    if (st.st_size > 0)
        return st.st_size > 0x7fffffff ? 0x7fffffff : (int)st.st_size;
    return count_entries(dirfd);
}
