/* A process tree as it grows: the root and every descendant, including children that appear
 * later. /proc is listed only when the kernel has handed out a pid since the last look (the
 * last field of /proc/loadavg), so a quiet system costs one small read per poll; the new
 * processes' parents decide who joins. Members stay members when they are re-parented (an
 * orphan whose parent exited is still part of the work). Also lists a process's threads from
 * its task directory kept open. Formats: docs/linux.md §12 (/proc/loadavg), §2 (stat).
 * SPDX-License-Identifier: MIT */
#ifndef PROC_TREE_H
#define PROC_TREE_H

#include <stddef.h>
#include <stdint.h>

/* A process that joined the tree. */
struct proc_tree_proc {
    int pid;
    int ppid;
    uint64_t starttime; /* clock ticks after boot */
};

/* The last pid the kernel allocated: the fifth field of /proc/loadavg text ("0.52 0.58 0.59
 * 2/345 12345"). Pure. Returns 0 with *pid, or -EINVAL. */
int proc_tree_last_pid_parse(const char *text, size_t len, int *pid);

struct proc_tree;

/* Start a tree at root (which must exist: -ESRCH otherwise). The first poll lists /proc and
 * returns root's descendants that already exist. Caller frees with proc_tree_free(). */
int proc_tree_open(int root, struct proc_tree **out);
void proc_tree_free(struct proc_tree *t);

/* Find processes that joined since the last poll: with force, or when a pid was allocated
 * since, list /proc and read the stat of each pid not seen before; those whose parent is a
 * member become members. Fills out[0..*n) (parents before children); when more joined than
 * cap or than the tree has room for, the rest are found by a later poll (after
 * proc_tree_reserve()). Returns 0 or a negative errno (/proc unreadable). Never allocates. */
int proc_tree_poll(struct proc_tree *t, int force, struct proc_tree_proc *out, size_t cap,
                   size_t *n);

/* A member exited: forget it, so that a new process given the same pid is seen as new. */
void proc_tree_leave(struct proc_tree *t, int pid);

/* Whether pid is a member. */
int proc_tree_has(const struct proc_tree *t, int pid);

/* How many times /proc was listed. */
uint64_t proc_tree_scans(const struct proc_tree *t);

/* Grow the tables when the last poll found them nearly full. Call between polls. */
void proc_tree_reserve(struct proc_tree *t);

/* List the thread ids in an opened /proc/PID/task directory (from its start) into tids[0..cap);
 * *n receives how many there are (may exceed cap). Returns 0, -ESRCH when the process has
 * exited, or a negative errno. Never allocates. */
int proc_tree_tasks(int taskdirfd, int *tids, size_t cap, size_t *n);

#endif
