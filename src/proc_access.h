/* Why a process cannot be read: the facts /proc gives about it and about us (its state and
 * owner, our capabilities, Yama's ptrace_scope, user namespaces, the security modules), and
 * the rule that turns them into one reason. Reading another process's memory needs the
 * kernel's ptrace access check in its attach mode: the same user (real, effective and saved
 * uid) and a dumpable process, or CAP_SYS_PTRACE over the process's user namespace; then Yama,
 * the capability rule (the target's permitted capabilities within ours) and any other security
 * module (Landlock: a sandboxed process may read only processes inside its sandbox). The rules
 * in detail: docs/linux.md §16.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_ACCESS_H
#define PROC_ACCESS_H

#include "proc_status.h"

enum proc_access_why {
    PROC_ACCESS_UNKNOWN = 0,  /* none of the rules below explains it */
    PROC_ACCESS_GONE,         /* no such process */
    PROC_ACCESS_KTHREAD,      /* a kernel thread: no program, no user memory */
    PROC_ACCESS_ZOMBIE,       /* it exited; its parent has not collected its status yet */
    PROC_ACCESS_YAMA3,        /* kernel.yama.ptrace_scope=3: nobody reads another process */
    PROC_ACCESS_OTHER_USER,   /* another user's process (or a setuid one), no CAP_SYS_PTRACE */
    PROC_ACCESS_NOT_DUMPABLE, /* ours, but it made itself non-dumpable; no CAP_SYS_PTRACE */
    PROC_ACCESS_YAMA2,        /* ptrace_scope=2: CAP_SYS_PTRACE needed, which we lack */
    PROC_ACCESS_YAMA1,        /* ptrace_scope=1: not our descendant, no CAP_SYS_PTRACE */
    PROC_ACCESS_PRIVILEGED,   /* it holds capabilities we lack, no CAP_SYS_PTRACE */
    PROC_ACCESS_USERNS,       /* in another user namespace, beyond our CAP_SYS_PTRACE */
    PROC_ACCESS_LSM,          /* every rule above allows it: a security module refuses */
};

/* Security modules that can refuse access (bits of proc_access_facts.lsm). */
#define PROC_ACCESS_LANDLOCK 1u
#define PROC_ACCESS_SELINUX  2u
#define PROC_ACCESS_APPARMOR 4u
#define PROC_ACCESS_OTHERLSM 8u /* smack, tomoyo, or BPF programs: named in the list */

#define PROC_ACCESS_CAP_SYS_PTRACE 19 /* linux/capability.h */

struct proc_access_facts {
    int exists;                /* /proc/PID/status could be read */
    struct proc_status target; /* when it exists */
    struct proc_status self;
    int owner_uid;   /* owner of /proc/PID: root instead of the user when not dumpable; -1 */
    int yama;        /* kernel.yama.ptrace_scope, -1 without Yama */
    int descendant;  /* the target is a descendant of ours (looked up when yama is 1) */
    int same_userns; /* its uid_map reads as ours: 1, 0, or -1 unknown */
    unsigned lsm;    /* PROC_ACCESS_* modules active (known from securityfs or probes) */
};

/* Gather the facts about pid (read only; nothing of the target's memory). Returns 0, or
 * -EINVAL when our own status cannot be read. A target that is gone gives exists = 0. */
int proc_access_read(int pid, struct proc_access_facts *out);

/* The reason, from the facts alone (pure): GONE, KTHREAD and ZOMBIE first, then, for a process
 * the kernel refused to let us read, the access rules in the kernel's order; LSM when every
 * rule allows it and a security module is active, UNKNOWN when nothing explains it. */
enum proc_access_why proc_access_explain(const struct proc_access_facts *f);

#endif
