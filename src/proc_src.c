/* Source texts of the profiled files, read with limits for the HTML report's source view.
 * SPDX-License-Identifier: MIT */
#include "proc_src.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util_idmap.h"
#include "util_xalloc.h"

#define NOBODY 4294967295L /* (uid_t)-1: no file's owner, so only "others" bits count */

int proc_src_path(int pid, const char *path, char *out, size_t size)
{
    int n;

    if (!path || !*path || path[0] == '<')
        return -EINVAL;
    if (pid <= 0)
        n = snprintf(out, size, "%s", path);
    else if (path[0] == '/')
        n = snprintf(out, size, "/proc/%d/root%s", pid, path);
    else
        n = snprintf(out, size, "/proc/%d/cwd/%s", pid, path);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int readable_by(const struct stat *st, long owner)
{
    if (owner < 0)
        return 1;
    if ((long)st->st_uid == owner && (st->st_mode & S_IRUSR))
        return 1;
    return (st->st_mode & S_IROTH) != 0;
}

/* Read up to max + 1 bytes of fd into a new buffer. Returns 0 or a negative errno. */
static int read_all(int fd, size_t max, char **text, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *b = xmalloc(cap + 1);

    for (;;) {
        if (n == cap) {
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            if (n == cap)
                break; /* read max + 1 bytes: too large */
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

int proc_src_read(const char *path, size_t max, long owner, char **text, size_t *len)
{
    struct stat st;
    char *b = NULL;
    size_t n = 0;
    int err, fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0)
        err = -errno;
    else if (!S_ISREG(st.st_mode))
        err = -EINVAL;
    else if ((uint64_t)st.st_size > max)
        err = -EFBIG;
    else if (!readable_by(&st, owner))
        err = -EACCES;
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

/* pid when its view of the file system can be used (/proc/PID/root is reachable), else 0. */
static int view_of(int pid)
{
    char path[64];

    if (pid <= 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%d/root/", pid);
    return access(path, X_OK) == 0 ? pid : 0;
}

/* Read the file a frame names through *view's file system (see view_of); when that process is
 * gone meanwhile (it was exiting), *view becomes 0 and the path is read as given. */
static int read_one(const char *name, int *view, size_t max, long owner, char **text, size_t *len)
{
    char path[PATH_MAX + 64];
    int err = proc_src_path(*view, name, path, sizeof(path));

    if (!err)
        err = proc_src_read(path, max, owner, text, len);
    if (err && *view && !view_of(*view)) {
        *view = 0;
        err = proc_src_path(0, name, path, sizeof(path));
        if (!err)
            err = proc_src_read(path, max, owner, text, len);
    }
    return err;
}

static void count_error(struct proc_src_stats *st, int err)
{
    if (err == -EFBIG)
        st->large++;
    else if (err == -EILSEQ)
        st->binary++;
    else
        st->missing++;
}

void proc_src_attach(struct agg *a, int pid, const struct proc_src_limits *lim,
                     struct proc_src_stats *st)
{
    size_t file_max = lim && lim->file_max ? lim->file_max : PROC_SRC_FILE_MAX;
    size_t total_max = lim && lim->total_max ? lim->total_max : PROC_SRC_TOTAL_MAX;
    double min_share = lim && lim->min_share ? lim->min_share : PROC_SRC_MIN_SHARE;
    struct proc_src_stats s = {0};
    struct files fs;
    long owner = owner_of(pid);
    int view = view_of(pid);

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
        int err = read_one(agg_str(a, file), &view, file_max < left ? file_max : left, owner, &text,
                           &len);
        if (err) {
            count_error(&s, err);
            continue;
        }
        agg_set_source(a, file, text, len);
        free(text);
        s.read++;
        s.bytes += len;
    }
    free(order);
    free(fs.file);
    free(fs.weight);
    free(fs.seen);
    idmap_destroy(&fs.ids);
    if (st)
        *st = s;
}
