/* /proc/PID/status: who a process is and what it may do (its state, parent, user ids,
 * capabilities, whether it is a kernel thread, its peak memory). Readable for any process,
 * even one whose memory we may not read. Format: docs/linux.md §3.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_STATUS_H
#define PROC_STATUS_H

#include <stddef.h>
#include <stdint.h>

struct proc_status {
    char name[64];    /* Name: (the kernel escapes control characters and '\') */
    char state;       /* first letter of State: R, S, D, Z, T, t, X, I, ... */
    int ppid;         /* PPid: (0 for the init process and kthreadd) */
    unsigned uid[4];  /* Uid: real, effective, saved, filesystem */
    int kthread;      /* 1: a kernel thread (Kthread: 1, or a live task without memory on
                         kernels that lack that line); 0: a program */
    uint64_t cap_prm; /* CapPrm: permitted capabilities, bit n = capability n */
    uint64_t cap_eff; /* CapEff: effective capabilities */
    uint64_t vm_hwm;  /* VmHWM: peak resident memory, bytes; 0 without memory */
};

/* Parse the text of a status file (len bytes, need not be NUL-terminated). Needs the Name,
 * State, PPid and Uid lines; missing capability lines count as none. Pure. Returns 0 or
 * -EINVAL. */
int proc_status_parse(const char *text, size_t len, struct proc_status *out);

/* Read /proc/PID/status (pid 0: our own). Returns 0, -ESRCH (no such process), -EINVAL, or
 * another negative errno. */
int proc_status_read(int pid, struct proc_status *out);

#endif
