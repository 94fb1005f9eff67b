/* Why a process cannot be read: the facts (I/O) and the rule (pure).
 * SPDX-License-Identifier: MIT */
#include "proc_access.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_DEPTH 4096 /* parents walked to tell a descendant */

/* A small file into buf (NUL-terminated). Returns the length, or -1. */
static ssize_t read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}

static int yama_scope(void)
{
    char buf[16];

    if (read_text("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof(buf)) <= 0)
        return -1;
    return buf[0] >= '0' && buf[0] <= '9' ? buf[0] - '0' : -1;
}

/* Whether pid descends from us (its parents, up to the init process). */
static int descends(int pid, int self)
{
    for (int i = 0; i < MAX_DEPTH && pid > 1; i++) {
        struct proc_status st;

        if (pid == self)
            return 1;
        if (proc_status_read(pid, &st) < 0)
            return 0;
        pid = st.ppid;
    }
    return 0;
}

/* 1 when pid's user namespace maps ids as ours does (as seen from ours), 0 when not, -1. */
static int same_userns(int pid)
{
    char path[64], a[512], b[512];

    snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
    if (read_text(path, a, sizeof(a)) < 0 || read_text("/proc/self/uid_map", b, sizeof(b)) < 0)
        return -1;
    return strcmp(a, b) == 0;
}

/* The modules that can refuse: securityfs's list when mounted, else what each one shows. */
static unsigned active_lsms(void)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"landlock", PROC_ACCESS_LANDLOCK},
                 {"selinux", PROC_ACCESS_SELINUX},
                 {"apparmor", PROC_ACCESS_APPARMOR},
                 {"smack", PROC_ACCESS_OTHERLSM},
                 {"tomoyo", PROC_ACCESS_OTHERLSM}};
    char buf[256];
    unsigned lsm = 0;

    if (read_text("/sys/kernel/security/lsm", buf, sizeof(buf)) > 0) {
        for (char *tok = strtok(buf, ",\n"); tok; tok = strtok(NULL, ",\n")) {
            for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                lsm |= strcmp(tok, names[i].name) == 0 ? names[i].bit : 0;
        }
        return lsm;
    }
#ifdef SYS_landlock_create_ruleset
    /* LANDLOCK_CREATE_RULESET_VERSION (1): the ABI version when Landlock is enabled. */
    if (syscall(SYS_landlock_create_ruleset, NULL, 0, 1u) > 0)
        lsm |= PROC_ACCESS_LANDLOCK;
#endif
    if (read_text("/sys/fs/selinux/enforce", buf, sizeof(buf)) > 0 && buf[0] == '1')
        lsm |= PROC_ACCESS_SELINUX;
    if (read_text("/sys/module/apparmor/parameters/enabled", buf, sizeof(buf)) > 0 && buf[0] == 'Y')
        lsm |= PROC_ACCESS_APPARMOR;
    return lsm;
}

int proc_access_read(int pid, struct proc_access_facts *out)
{
    struct proc_access_facts f;
    char path[64];
    struct stat sb;

    memset(&f, 0, sizeof(f));
    if (proc_status_read(0, &f.self) < 0)
        return -EINVAL;
    f.exists = proc_status_read(pid, &f.target) == 0;
    snprintf(path, sizeof(path), "/proc/%d", pid);
    f.owner_uid = f.exists && stat(path, &sb) == 0 ? (int)sb.st_uid : -1;
    f.yama = yama_scope();
    f.descendant = f.exists && f.yama == 1 && descends(pid, (int)getpid()); /* Yama 1 only */
    f.same_userns = f.exists ? same_userns(pid) : -1;
    f.lsm = active_lsms();
    *out = f;
    return 0;
}

static int has_ptrace(const struct proc_status *self)
{
    return (int)(self->cap_eff >> PROC_ACCESS_CAP_SYS_PTRACE & 1);
}

/* Without CAP_SYS_PTRACE, in the kernel's order: the user ids, dumpability, Yama, the
 * capability rule. */
static enum proc_access_why without_cap(const struct proc_access_facts *f)
{
    const struct proc_status *t = &f->target, *s = &f->self;

    /* Our filesystem uid (the /proc files) and real uid (process_vm_readv) against all of the
     * target's: a setuid program's differ. */
    for (int i = 0; i < 3; i++) {
        if (t->uid[i] != s->uid[3] || t->uid[i] != s->uid[0])
            return PROC_ACCESS_OTHER_USER;
    }
    if (f->owner_uid >= 0 && (unsigned)f->owner_uid != t->uid[1])
        return PROC_ACCESS_NOT_DUMPABLE;
    if (f->yama == 2)
        return PROC_ACCESS_YAMA2;
    if (f->yama == 1 && !f->descendant)
        return PROC_ACCESS_YAMA1;
    if ((t->cap_prm & ~s->cap_prm) != 0)
        return PROC_ACCESS_PRIVILEGED;
    return f->lsm ? PROC_ACCESS_LSM : PROC_ACCESS_UNKNOWN;
}

enum proc_access_why proc_access_explain(const struct proc_access_facts *f)
{
    if (!f->exists)
        return PROC_ACCESS_GONE;
    if (f->target.kthread)
        return PROC_ACCESS_KTHREAD;
    if (f->target.state == 'Z' || f->target.state == 'X')
        return PROC_ACCESS_ZOMBIE;
    if (f->yama == 3)
        return PROC_ACCESS_YAMA3;
    if (!has_ptrace(&f->self))
        return without_cap(f);
    if (f->same_userns == 0)
        return PROC_ACCESS_USERNS;
    return f->lsm ? PROC_ACCESS_LSM : PROC_ACCESS_UNKNOWN;
}
