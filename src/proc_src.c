/* Source texts of the profiled files, read with limits and with care (regular files only, the
 * rights of the profile's user) for the HTML report's source view.
 * SPDX-License-Identifier: MIT */
#include "proc_src.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util_idmap.h"
#include "util_vec.h"
#include "util_xalloc.h"

#define NOBODY 4294967295L /* (uid_t)-1: no file's owner, so only "others" bits count */

/* Never read for report and diff; the first NEVER ones even when --sources names them. */
static const char *const protected_dirs[] = {"/proc", "/sys", "/dev", "/etc", "/root"};
#define NPROTECTED (sizeof(protected_dirs) / sizeof(protected_dirs[0]))
#define NEVER      3

/* path is dir or inside it (whole components). */
static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    if (n == 1 && dir[0] == '/')
        return path[0] == '/';
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int proc_src_path_allowed(const char *path, const char *const *dirs, size_t ndirs)
{
    const char *in = NULL; /* the deepest of dirs that holds path */

    if (path[0] != '/')
        return -EINVAL;
    for (size_t i = 0; i < ndirs; i++)
        if (under(path, dirs[i]) && (!in || strlen(dirs[i]) > strlen(in)))
            in = dirs[i];
    if (ndirs && !in)
        return -EPERM;
    for (size_t i = 0; i < NPROTECTED; i++) {
        const char *p = protected_dirs[i];
        int never = i < NEVER;
        if (under(path, p) && (never || !in || !under(in, p)))
            return -EPERM;
    }
    return 0;
}

int proc_src_mode_allows(unsigned mode, long owner, long uid, int dir)
{
    if (uid >= 0 && owner == uid)
        return (mode & (dir ? S_IXUSR : S_IRUSR)) != 0;
    return (mode & (dir ? S_IXOTH : S_IROTH)) != 0;
}

int proc_src_privileged(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    const uint32_t dac = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);

    if (geteuid() == 0 || geteuid() != getuid() || getegid() != getgid())
        return 1;
    if (syscall(SYS_capget, &hdr, data) != 0)
        return 1;
    return (data[0].effective & dac) != 0;
}

/* Read fd into a new buffer, up to the first read past max bytes (a file that grew since its
 * size was checked: the caller sees n > max). Returns 0 or a negative errno. */
static int read_all(int fd, size_t max, char **text, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *b = xmalloc(cap + 1);

    for (;;) {
        if (n == cap) {
            if (n > max)
                break; /* read more than max bytes: too large */
            cap = vec_cap(cap, n + 1, 4096, max + 1);
            b = xrealloc(b, cap + 1);
        }
        ssize_t got = read(fd, b + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int err = -errno;
            free(b);
            return err;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    b[n] = '\0';
    *text = b;
    *len = n;
    return 0;
}

/* The O_PATH descriptor pfd (no file opened: no device's open, no FIFO's) as *st when it is a
 * regular file of at most max bytes. Returns 0, -EINVAL (not a regular file: a symlink too),
 * -EFBIG, or fstat's negative errno. */
static int check_regular(int pfd, size_t max, struct stat *st)
{
    if (fstat(pfd, st) != 0)
        return -errno;
    if (!S_ISREG(st->st_mode))
        return -EINVAL;
    return (uint64_t)st->st_size > max ? -EFBIG : 0;
}

/* Open the regular file st that O_PATH descriptor pfd names for reading (through
 * /proc/self/fd, so the same inode, never a path looked up again), check it again with fstat and
 * read it. Returns as proc_src_read_at. */
static int read_checked(int pfd, const struct stat *st, size_t max, char **text, size_t *len)
{
    char path[32], *b = NULL;
    struct stat again;
    size_t n = 0;
    int err, fd;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &again) != 0)
        err = -errno;
    else if (!S_ISREG(again.st_mode) || again.st_dev != st->st_dev || again.st_ino != st->st_ino)
        err = -EINVAL;
    else
        err = read_all(fd, max, &b, &n);
    close(fd);
    if (!err && n > max)
        err = -EFBIG;
    else if (!err && memchr(b, '\0', n))
        err = -EILSEQ;
    if (err) {
        free(b);
        return err;
    }
    *text = b;
    *len = n;
    return 0;
}

/* An O_PATH descriptor of path relative to dirfd (see proc_src_read_at), or a negative errno.
 * Without openat2 (before Linux 5.6, or refused by a seccomp filter) the last component is not
 * followed. */
static int open_path(int dirfd, const char *path, int in_root)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS};
    long fd;

    if (in_root)
        how.resolve |= RESOLVE_IN_ROOT;
    fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    if (fd >= 0)
        return (int)fd;
    if (errno != ENOSYS && errno != EPERM)
        return -errno;
    while (in_root && path[0] == '/')
        path++;
    fd = openat(dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

int proc_src_read_at(int dirfd, const char *path, int in_root, size_t max, long owner, char **text,
                     size_t *len)
{
    struct stat st;
    int err, pfd = open_path(dirfd, path, in_root);

    if (pfd < 0)
        return pfd;
    err = check_regular(pfd, max, &st);
    if (!err && owner >= 0 && !proc_src_mode_allows(st.st_mode, (long)st.st_uid, owner, 0))
        err = -EACCES;
    if (!err)
        err = read_checked(pfd, &st, max, text, len);
    close(pfd);
    return err;
}

/* -EPERM unless O_PATH descriptor pfd is still at real (nothing was renamed or swapped in
 * between realpath and open). */
static int still_at(int pfd, const char *real)
{
    char link[32], at[PATH_MAX];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
    n = readlink(link, at, sizeof(at) - 1);
    if (n < 0)
        return -errno;
    at[n] = '\0';
    return strcmp(at, real) == 0 ? 0 : -EPERM;
}

/* -EACCES unless user uid (-1: nobody) could read file st at real, and search each directory
 * above it, by the mode bits alone. */
static int readable_unprivileged(const char *real, const struct stat *st, long uid)
{
    char dir[PATH_MAX];
    struct stat ds;

    if (!proc_src_mode_allows(st->st_mode, (long)st->st_uid, uid, 0))
        return -EACCES;
    snprintf(dir, sizeof(dir), "%s", real);
    for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
        slash[slash == dir] = '\0'; /* "/a/b" -> "/a" -> "/" */
        if (lstat(dir, &ds) != 0)
            return -errno;
        if (!S_ISDIR(ds.st_mode) || !proc_src_mode_allows(ds.st_mode, (long)ds.st_uid, uid, 1))
            return -EACCES;
        if (slash == dir)
            break;
    }
    return 0;
}

int proc_src_read_user(const char *path, const struct proc_src_user *u, size_t max, char **text,
                       size_t *len)
{
    char real[PATH_MAX];
    struct stat st;
    int err, pfd;

    if (!realpath(path, real)) /* lstat and readlink of each component: nothing opened */
        return -errno;
    err = proc_src_path_allowed(real, u->dirs, u->ndirs);
    if (err)
        return err;
    pfd = open(real, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0)
        return -errno;
    err = check_regular(pfd, max, &st);
    if (!err)
        err = still_at(pfd, real);
    if (!err && u->privileged && !u->ndirs)
        err = readable_unprivileged(real, &st, u->uid);
    if (!err)
        err = read_checked(pfd, &st, max, text, len);
    close(pfd);
    return err;
}

/* The files of Python frames (dense index -> string id) and the weight of the stacks through
 * each (a stack counts once per file); -1 for names that are no file ("<string>", "<frozen
 * ...>"). */
struct files {
    struct idmap ids;
    uint32_t *file;
    double *weight;
    uint32_t *seen; /* the last stack counted + 1 */
};

static void collect(const struct agg *a, struct files *fs)
{
    idmap_init(&fs->ids);
    fs->file = NULL;
    fs->weight = NULL;
    fs->seen = NULL;
    for (uint32_t id = 0; id < agg_nframes(a); id++) {
        const struct agg_frame *fr = agg_frame_get(a, id);
        int added;
        if (fr->kind != AGG_FRAME_PY || fr->file == AGG_NONE)
            continue;
        uint32_t k = idmap_get(&fs->ids, fr->file, &added);
        if (added) {
            const char *path = agg_str(a, fr->file);
            fs->file = xrealloc(fs->file, (size_t)fs->ids.n * sizeof(uint32_t));
            fs->weight = xrealloc(fs->weight, (size_t)fs->ids.n * sizeof(double));
            fs->file[k] = fr->file;
            fs->weight[k] = !*path || path[0] == '<' ? -1 : 0;
        }
    }
    fs->seen = xcalloc(fs->ids.n ? fs->ids.n : 1, sizeof(uint32_t));
    for (uint32_t s = 0; s < agg_nstacks(a); s++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *st = agg_stack(a, s, &n, &w);
        for (uint32_t k = 0; k < n; k++) {
            const struct agg_frame *fr = agg_frame_get(a, st[k]);
            if (fr->kind == AGG_FRAME_PY && fr->file != AGG_NONE) {
                uint32_t i = idmap_get(&fs->ids, fr->file, NULL); /* all seen above */
                if (fs->weight[i] >= 0 && fs->seen[i] != s + 1)
                    fs->weight[i] += (double)w;
                fs->seen[i] = s + 1;
            }
        }
    }
}

static const struct files *sort_files;
static int by_weight(const void *x, const void *y)
{
    double a = sort_files->weight[*(const uint32_t *)x],
           b = sort_files->weight[*(const uint32_t *)y];
    return (a < b) - (a > b);
}

/* The user whose rights bound what we read for pid: -1 (no bound: ourselves, or pid <= 0), the
 * target's owner, or NOBODY when the target is gone and we are root. */
static long owner_of(int pid)
{
    char path[64];
    struct stat st;

    if (pid <= 0)
        return -1;
    snprintf(path, sizeof(path), "/proc/%d", pid);
    if (stat(path, &st) == 0)
        return st.st_uid == geteuid() ? -1 : (long)st.st_uid;
    return geteuid() == 0 ? NOBODY : -1;
}

/* How the files of one profile are read: record's way (pid > 0: through the target's root and
 * working directory, held open so that they stay usable once it exits; the names as given when
 * they could not be opened) or report's (user). */
struct reader {
    int pid;
    int root, cwd; /* O_PATH descriptors, or -1 */
    long owner;    /* record: see owner_of */
    struct proc_src_user user;
};

static int open_dir(int pid, const char *what)
{
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
    return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Set r up for pid and lim; write the rule in words to st->rule. */
static void reader_init(struct reader *r, int pid, const struct proc_src_limits *lim,
                        struct agg_src_stats *st)
{
    const char *const *dirs = lim ? lim->dirs : NULL;
    size_t ndirs = lim && lim->dirs ? lim->ndirs : 0, n = sizeof(st->rule);
    char *w = st->rule;

    memset(r, 0, sizeof(*r));
    r->pid = pid;
    r->root = pid > 0 ? open_dir(pid, "root") : -1;
    r->cwd = pid > 0 ? open_dir(pid, "cwd") : -1;
    r->owner = owner_of(pid);
    if (pid > 0) {
        if (r->owner == NOBODY)
            snprintf(w, n, "world-readable regular files (the target was gone)");
        else if (r->owner >= 0)
            snprintf(w, n, "regular files the target's user (uid %ld) could read", r->owner);
        else
            snprintf(w, n, "regular files the target's user could read");
        return;
    }
    r->user.dirs = dirs;
    r->user.ndirs = ndirs;
    r->user.privileged = (lim && lim->privileged) || proc_src_privileged();
    r->user.uid = getuid() == 0 ? -1 : (long)getuid();
    if (ndirs) {
        int k = snprintf(w, n, "regular files under --sources");
        for (size_t i = 0; i < ndirs && k > 0 && (size_t)k < n; i++)
            k += snprintf(w + k, n - (size_t)k, "%s%s", i ? ", " : " ", dirs[i]);
        return;
    }
    if (!r->user.privileged)
        snprintf(w, n, "regular files you can read, none under /etc, /proc, /sys, /dev, /root");
    else if (r->user.uid < 0)
        snprintf(w, n,
                 "world-readable regular files only (spyglass ran as root; --sources DIR to "
                 "choose), none under /etc, /proc, /sys, /dev, /root");
    else
        snprintf(w, n,
                 "regular files uid %ld could read without privilege, none under /etc, /proc, "
                 "/sys, /dev, /root",
                 r->user.uid);
}

static void reader_destroy(struct reader *r)
{
    if (r->root >= 0)
        close(r->root);
    if (r->cwd >= 0)
        close(r->cwd);
}

static int reader_read(const struct reader *r, const char *name, size_t max, char **text,
                       size_t *len)
{
    if (r->pid <= 0)
        return proc_src_read_user(name, &r->user, max, text, len);
    if (name[0] == '/' && r->root >= 0)
        return proc_src_read_at(r->root, name, 1, max, r->owner, text, len);
    if (name[0] != '/' && r->cwd >= 0)
        return proc_src_read_at(r->cwd, name, 0, max, r->owner, text, len);
    return proc_src_read_at(AT_FDCWD, name, 0, max, r->owner, text, len);
}

static void count_error(struct agg_src_stats *st, int err)
{
    if (err == -EFBIG)
        st->large++;
    else if (err == -EILSEQ)
        st->binary++;
    else if (err == -EINVAL || err == -ELOOP)
        st->special++;
    else if (err == -EPERM)
        st->denied++;
    else if (err == -EACCES)
        st->unreadable++;
    else
        st->missing++;
}

void proc_src_attach(struct agg *a, int pid, const struct proc_src_limits *lim,
                     struct agg_src_stats *st)
{
    size_t file_max = lim && lim->file_max ? lim->file_max : PROC_SRC_FILE_MAX;
    size_t total_max = lim && lim->total_max ? lim->total_max : PROC_SRC_TOTAL_MAX;
    double min_share = lim && lim->min_share ? lim->min_share : PROC_SRC_MIN_SHARE;
    struct agg_src_stats s;
    struct files fs;
    struct reader r;

    memset(&s, 0, sizeof(s));
    reader_init(&r, pid, lim, &s);
    collect(a, &fs);
    uint32_t n = fs.ids.n, *order = xcalloc(n ? n : 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    sort_files = &fs;
    qsort(order, n, sizeof(uint32_t), by_weight);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t file = fs.file[order[i]];
        if (fs.weight[order[i]] < 0)
            continue; /* sorted last */
        s.files++;
        if (fs.weight[order[i]] < min_share * (double)agg_total(a)) {
            s.rare++;
            continue;
        }
        size_t left = total_max - s.bytes, len;
        char *text;
        if (agg_source(a, file, &len)) { /* kept from the profile (a raw file's) */
            s.read++;
            s.bytes += len < left ? len : left;
            continue;
        }
        int err = reader_read(&r, agg_str(a, file), file_max < left ? file_max : left, &text, &len);
        if (err) {
            count_error(&s, err);
            continue;
        }
        agg_set_source(a, file, text, len);
        free(text);
        s.read++;
        s.bytes += len;
    }
    reader_destroy(&r);
    free(order);
    free(fs.file);
    free(fs.weight);
    free(fs.seen);
    idmap_destroy(&fs.ids);
    if (st)
        *st = s;
}
