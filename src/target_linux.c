/* Live process memory: process_vm_readv, falling back to pread on /proc/PID/mem (docs/linux.md
 * §14).
 * SPDX-License-Identifier: MIT */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util_xalloc.h"

#define IOV_BATCH 1024 /* IOV_MAX */

struct target_linux {
    struct target base;
    int mem_fd; /* /proc/PID/mem, or -1 when process_vm_readv works */
};

static long vm_readv(struct target *t, const struct target_iov *iov, int n)
{
    struct iovec local[IOV_BATCH], remote[IOV_BATCH];
    long total = 0;

    for (int i = 0; i < n; i += IOV_BATCH) {
        int m = n - i < IOV_BATCH ? n - i : IOV_BATCH;
        size_t want = 0;
        for (int j = 0; j < m; j++) {
            local[j].iov_base = iov[i + j].buf;
            local[j].iov_len = iov[i + j].len;
            remote[j].iov_base = (void *)(uintptr_t)iov[i + j].addr;
            remote[j].iov_len = iov[i + j].len;
            want += iov[i + j].len;
        }
        t->nreads++;
        ssize_t got =
            process_vm_readv(t->pid, local, (unsigned long)m, remote, (unsigned long)m, 0);
        if (got < 0) {
            if (errno == EFAULT || errno == EINVAL)
                return total;
            return -errno;
        }
        total += got;
        if ((size_t)got < want)
            return total;
    }
    return total;
}

static long mem_readv(struct target *t, const struct target_iov *iov, int n)
{
    struct target_linux *tl = (struct target_linux *)t;
    long total = 0;

    for (int i = 0; i < n; i++) {
        t->nreads++;
        ssize_t got = pread(tl->mem_fd, iov[i].buf, iov[i].len, (off_t)iov[i].addr);
        if (got < 0) {
            if (errno == EIO || errno == EFAULT || errno == EINVAL)
                return total;
            return -errno;
        }
        total += got;
        if ((size_t)got < iov[i].len)
            return total;
    }
    return total;
}

static void linux_free(struct target *t)
{
    struct target_linux *tl = (struct target_linux *)t;
    if (tl->mem_fd >= 0)
        close(tl->mem_fd);
    free(tl);
}

static const struct target_ops vm_ops = {vm_readv, linux_free};
static const struct target_ops mem_ops = {mem_readv, linux_free};

/* Probe whether process_vm_readv works on pid: reading the unmapped address 8 fails with EFAULT
 * when the syscall is usable, and with ENOSYS, EPERM or ESRCH when it is not. */
static int probe_vm(int pid)
{
    char c;
    struct iovec l = {&c, 1}, r = {(void *)(uintptr_t)8, 1};
    if (process_vm_readv(pid, &l, 1, &r, 1, 0) >= 0 || errno == EFAULT)
        return 0;
    return -errno;
}

int target_linux_open(int pid, struct target **out)
{
    struct target_linux *tl;
    int err = probe_vm(pid);
    int fd = -1;

    if (err == -ESRCH)
        return -ESRCH;
    if (err == -ENOSYS || err == -EPERM) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/mem", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return errno == ENOENT ? -ESRCH : (err == -ENOSYS ? -errno : -EPERM);
    } else if (err < 0) {
        return err;
    }
    tl = xcalloc(1, sizeof(*tl));
    tl->base.ops = fd >= 0 ? &mem_ops : &vm_ops;
    tl->base.pid = pid;
    tl->mem_fd = fd;
    *out = &tl->base;
    return 0;
}

int target_readv(struct target *t, const struct target_iov *iov, int n)
{
    size_t want = 0;
    for (int i = 0; i < n; i++)
        want += iov[i].len;
    long got = t->ops->readv(t, iov, n);
    if (got < 0)
        return (int)got;
    return (size_t)got == want ? 0 : -EFAULT;
}

int target_read(struct target *t, uint64_t addr, void *buf, size_t len)
{
    struct target_iov iov = {addr, buf, len};
    return target_readv(t, &iov, 1);
}

long target_read_some(struct target *t, uint64_t addr, void *buf, size_t len)
{
    struct target_iov iov = {addr, buf, len};
    return t->ops->readv(t, &iov, 1);
}

int target_read_u64(struct target *t, uint64_t addr, uint64_t *out)
{
    return target_read(t, addr, out, sizeof(*out));
}

void target_free(struct target *t)
{
    if (t)
        t->ops->free(t);
}
