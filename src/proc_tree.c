/* Process-tree discovery by listing /proc (getdents64 on a kept directory fd) when the last
 * allocated pid of /proc/loadavg has moved, and thread lists of /proc/PID/task.
 * SPDX-License-Identifier: MIT */
#include "proc_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_stat.h"
#include "util_xalloc.h"

#define MIN_PIDS  1024
#define MIN_MEMB  64
#define DENTS_BUF 32768

struct proc_tree {
    int proc_fd;    /* /proc */
    int loadavg_fd; /* /proc/loadavg */
    int last_pid;   /* at the last listing; -1 before the first */
    int *seen;      /* pids of the last listing, sorted */
    size_t nseen, seen_cap;
    int *cur; /* this listing (same capacity as seen) */
    size_t ncur;
    int full; /* the last listing or joining ran out of room */
    uint64_t scans;
    int *memb; /* members, sorted */
    size_t nmemb, memb_cap;
    struct proc_tree_proc *cand; /* new processes of one listing (capacity seen_cap) */
    _Alignas(8) unsigned char dents[DENTS_BUF];
};

int proc_tree_last_pid_parse(const char *text, size_t len, int *pid)
{
    const char *p = text, *end = text + len;
    long v = 0;
    int field = 1;

    /* Skip four space-separated fields. */
    while (p < end && field < 5) {
        if (*p == ' ')
            field++;
        p++;
    }
    if (field != 5 || p == end || *p < '0' || *p > '9')
        return -EINVAL;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
        if (v > INT_MAX)
            return -EINVAL;
    }
    if (p < end && *p != '\n')
        return -EINVAL;
    *pid = (int)v;
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

static int cmp_cand(const void *a, const void *b)
{
    const struct proc_tree_proc *x = a, *y = b;

    if (x->starttime != y->starttime)
        return x->starttime < y->starttime ? -1 : 1;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Index of pid in the sorted v[0..n), or where it would go (*found = 0). */
static size_t search(const int *v, size_t n, int pid, int *found)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid] < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < n && v[lo] == pid;
    return lo;
}

int proc_tree_has(const struct proc_tree *t, int pid)
{
    int found;

    search(t->memb, t->nmemb, pid, &found);
    return found;
}

/* Add pid to the members; 0, or -ENOSPC when there is no room. */
static int join(struct proc_tree *t, int pid)
{
    int found;
    size_t at = search(t->memb, t->nmemb, pid, &found);

    if (found)
        return 0;
    if (t->nmemb == t->memb_cap)
        return -ENOSPC;
    memmove(t->memb + at + 1, t->memb + at, (t->nmemb - at) * sizeof(int));
    t->memb[at] = pid;
    t->nmemb++;
    return 0;
}

void proc_tree_leave(struct proc_tree *t, int pid)
{
    int found;
    size_t at = search(t->memb, t->nmemb, pid, &found);

    if (found) {
        memmove(t->memb + at, t->memb + at + 1, (t->nmemb - at - 1) * sizeof(int));
        t->nmemb--;
    }
    at = search(t->seen, t->nseen, pid, &found);
    if (found) {
        memmove(t->seen + at, t->seen + at + 1, (t->nseen - at - 1) * sizeof(int));
        t->nseen--;
    }
}

/* A directory entry name that is a positive decimal number, else 0. */
static int number(const char *name)
{
    long v = 0;

    if (*name == '\0')
        return 0;
    for (; *name; name++) {
        if (*name < '0' || *name > '9')
            return 0;
        v = v * 10 + (*name - '0');
        if (v > INT_MAX)
            return 0;
    }
    return (int)v;
}

/* The numeric entries of an opened directory, from its start, into v[0..cap); *n is the count
 * (may exceed cap). */
static int list_numbers(int dirfd, unsigned char *buf, size_t size, int *v, size_t cap, size_t *n)
{
    size_t count = 0;
    long got;

    if (lseek(dirfd, 0, SEEK_SET) < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    while ((got = syscall(SYS_getdents64, dirfd, buf, size)) > 0) {
        for (long off = 0; off < got;) {
            unsigned short reclen;
            int id;

            memcpy(&reclen, buf + off + 16, sizeof(reclen));
            if (reclen == 0)
                return -EIO;
            id = number((const char *)buf + off + 19);
            off += reclen;
            if (id <= 0)
                continue;
            if (count < cap)
                v[count] = id;
            count++;
        }
    }
    if (got < 0)
        return errno == ENOENT || errno == ESRCH ? -ESRCH : -errno;
    *n = count;
    return 0;
}

int proc_tree_tasks(int taskdirfd, int *tids, size_t cap, size_t *n)
{
    unsigned char buf[4096] __attribute__((aligned(8)));

    return list_numbers(taskdirfd, buf, sizeof(buf), tids, cap, n);
}

/* Whether a pid was allocated since the last listing. */
static int pid_moved(struct proc_tree *t)
{
    char buf[128];
    ssize_t len = pread(t->loadavg_fd, buf, sizeof(buf), 0);
    int last;

    if (len <= 0 || proc_tree_last_pid_parse(buf, (size_t)len, &last) < 0)
        return 1; /* cannot tell: look */
    if (last == t->last_pid)
        return 0;
    t->last_pid = last;
    return 1;
}

/* The processes of this listing that the last one did not have, with their parents. */
static size_t new_procs(struct proc_tree *t)
{
    size_t i = 0, k = 0, nc = 0;

    while (i < t->ncur) {
        struct proc_stat st;
        int pid = t->cur[i];

        if (k < t->nseen && t->seen[k] < pid) {
            k++;
            continue;
        }
        i++;
        if (k < t->nseen && t->seen[k] == pid) {
            k++;
            continue;
        }
        if (proc_tree_has(t, pid) || proc_stat_read(pid, 0, &st) < 0)
            continue;
        t->cand[nc].pid = pid;
        t->cand[nc].ppid = st.ppid;
        t->cand[nc].starttime = st.starttime;
        nc++;
    }
    return nc;
}

/* Members among the candidates, parents first; those that do not fit stay unseen. */
static size_t adopt(struct proc_tree *t, size_t nc, struct proc_tree_proc *out, size_t cap)
{
    size_t n = 0;
    int changed = 1;

    qsort(t->cand, nc, sizeof(*t->cand), cmp_cand);
    while (changed) { /* a parent listed after its child (pid reuse) needs a second pass */
        changed = 0;
        for (size_t i = 0; i < nc; i++) {
            struct proc_tree_proc *c = &t->cand[i];

            if (c->pid <= 0 || !proc_tree_has(t, c->ppid))
                continue;
            if (n == cap || join(t, c->pid) < 0) {
                c->pid = -c->pid; /* not joined: a later poll finds it again */
                t->full = 1;
                continue;
            }
            out[n++] = *c;
            c->pid = 0;
            changed = 1;
        }
    }
    return n;
}

int proc_tree_poll(struct proc_tree *t, int force, struct proc_tree_proc *out, size_t cap,
                   size_t *n)
{
    size_t total, nc;
    int *tmp, rc;

    *n = 0;
    if (!force && !t->full && !pid_moved(t))
        return 0;
    if (force)
        pid_moved(t);
    t->full = 0;
    t->scans++;
    rc = list_numbers(t->proc_fd, t->dents, sizeof(t->dents), t->cur, t->seen_cap, &total);
    if (rc < 0)
        return rc;
    if (total > t->seen_cap) {
        t->full = 1;
        total = t->seen_cap;
    }
    t->ncur = total;
    qsort(t->cur, t->ncur, sizeof(int), cmp_int);
    nc = new_procs(t);
    *n = adopt(t, nc, out, cap);
    tmp = t->seen;
    t->seen = t->cur;
    t->cur = tmp;
    t->nseen = t->ncur;
    for (size_t i = 0; i < nc; i++) {
        if (t->cand[i].pid < 0)
            proc_tree_leave(t, -t->cand[i].pid); /* unseen again, so found as new later */
    }
    return 0;
}

uint64_t proc_tree_scans(const struct proc_tree *t)
{
    return t->scans;
}

void proc_tree_reserve(struct proc_tree *t)
{
    if (t->nseen * 4 >= t->seen_cap * 3 || t->full) {
        t->seen_cap *= 2;
        t->seen = xreallocarray(t->seen, t->seen_cap, sizeof(int));
        t->cur = xreallocarray(t->cur, t->seen_cap, sizeof(int));
        t->cand = xreallocarray(t->cand, t->seen_cap, sizeof(*t->cand));
    }
    if (t->nmemb * 4 >= t->memb_cap * 3) {
        t->memb_cap *= 2;
        t->memb = xreallocarray(t->memb, t->memb_cap, sizeof(int));
    }
}

int proc_tree_open(int root, struct proc_tree **out)
{
    struct proc_stat st;
    struct proc_tree *t;
    int rc = proc_stat_read(root, 0, &st);

    if (rc < 0)
        return rc;
    t = xcalloc(1, sizeof(*t));
    t->last_pid = -1;
    t->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    t->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (t->proc_fd < 0 || t->loadavg_fd < 0) {
        rc = -errno;
        proc_tree_free(t);
        return rc;
    }
    t->seen_cap = MIN_PIDS;
    t->seen = xmalloc(t->seen_cap * sizeof(int));
    t->cur = xmalloc(t->seen_cap * sizeof(int));
    t->cand = xmalloc(t->seen_cap * sizeof(*t->cand));
    t->memb_cap = MIN_MEMB;
    t->memb = xmalloc(t->memb_cap * sizeof(int));
    t->memb[0] = root;
    t->nmemb = 1;
    *out = t;
    return 0;
}

void proc_tree_free(struct proc_tree *t)
{
    if (!t)
        return;
    if (t->proc_fd >= 0)
        close(t->proc_fd);
    if (t->loadavg_fd >= 0)
        close(t->loadavg_fd);
    free(t->seen);
    free(t->cur);
    free(t->cand);
    free(t->memb);
    free(t);
}
