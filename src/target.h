/* Remote memory of a target process behind a small method table (the SQLite VFS idea):
 * target_linux.c reads a live process (process_vm_readv, else /proc/PID/mem);
 * target_snapshot.c serves a captured memory image, for tests.
 * Remote addresses are uint64_t, never pointers.
 * SPDX-License-Identifier: MIT */
#ifndef TARGET_H
#define TARGET_H

#include <stddef.h>
#include <stdint.h>

struct target;

/* One remote range to read into a local buffer. */
struct target_iov {
    uint64_t addr; /* remote address */
    void *buf;     /* local destination */
    size_t len;    /* bytes */
};

struct target_ops {
    /* Read n ranges in order; returns the number of bytes read in total (partial reads stop at
     * the first faulting range) or a negative errno (-ESRCH process gone, -EPERM). */
    long (*readv)(struct target *t, const struct target_iov *iov, int n);
    void (*free)(struct target *t);
};

struct target {
    const struct target_ops *ops;
    int pid;              /* 0 for a snapshot */
    unsigned long nreads; /* read calls made (each is one syscall for a live target) */
};

/* Open the live process pid for reading. Probes process_vm_readv and falls back to
 * /proc/PID/mem when the kernel lacks it (ENOSYS) or a filter blocks it (EPERM).
 * Returns 0 and *out (caller frees with target_free), or -ESRCH / -EPERM / -EACCES. */
int target_linux_open(int pid, struct target **out);

/* A snapshot target serving only the ranges added to it. Caller frees with target_free(). */
struct target *target_snapshot_new(void);
/* Add len bytes at remote address addr (copied). */
void target_snapshot_add(struct target *t, uint64_t addr, const void *buf, size_t len);

/* Read exactly len bytes at addr. Returns 0, -EFAULT on a short or faulting read, -ESRCH. */
int target_read(struct target *t, uint64_t addr, void *buf, size_t len);
/* Read all n ranges in one call. Returns 0, -EFAULT if any range was short, or -ESRCH. */
int target_readv(struct target *t, const struct target_iov *iov, int n);
/* Read up to len bytes; returns the number of bytes read (0..len) or a negative errno. */
long target_read_some(struct target *t, uint64_t addr, void *buf, size_t len);
/* Read a 64-bit word. */
int target_read_u64(struct target *t, uint64_t addr, uint64_t *out);
/* Free a target of either kind; NULL is fine. */
void target_free(struct target *t);

#endif
