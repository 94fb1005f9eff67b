/* /proc/PID/maps: parse (pure) and read. Format: docs/linux.md §15.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_MAPS_H
#define PROC_MAPS_H

#include <stddef.h>
#include <stdint.h>

enum {
    PROC_MAP_R = 1,
    PROC_MAP_W = 2,
    PROC_MAP_X = 4,
    PROC_MAP_P = 8, /* private (copy on write); shared otherwise */
};

struct proc_map {
    uint64_t start;  /* first address */
    uint64_t end;    /* one past the last address */
    uint64_t offset; /* file offset of start, bytes */
    uint64_t inode;
    unsigned perms; /* PROC_MAP_* bits */
    int deleted;    /* path ended in " (deleted)" (removed from the path) */
    char *path;     /* file path, "[heap]"-style pseudo name, or "" (anonymous); owned */
};

struct proc_maps {
    struct proc_map *v; /* sorted by start, as the kernel lists them */
    size_t n;
};

/* Parse len bytes of maps text into out (which the caller has zeroed or destroyed).
 * Returns 0, or -EINVAL on a malformed line (out is then left empty). */
int proc_maps_parse(const char *text, size_t len, struct proc_maps *out);
/* Read and parse /proc/PID/maps. Returns 0, -ESRCH (no such process), -EACCES/-EPERM,
 * or -EINVAL. */
int proc_maps_read(int pid, struct proc_maps *out);
/* Free the contents; out may then be reused. */
void proc_maps_destroy(struct proc_maps *m);
/* The mapping containing addr, or NULL. Binary search. */
const struct proc_map *proc_maps_find(const struct proc_maps *m, uint64_t addr);

#endif
