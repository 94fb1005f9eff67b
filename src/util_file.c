/* Error-checked writes of report files; output files replaced whole (a temporary file renamed
 * over the target), reached by a symlink walk that applies fs.protected_symlinks' rule.
 * SPDX-License-Identifier: MIT */
#include "util_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "util_clock.h"
#include "util_vec.h"
#include "util_xalloc.h"

/* Write the contents of b to f and empty b. Returns 0 or the negative errno of the failed
 * write (-EIO when the C library did not set errno). */
static int put(FILE *f, struct sbuf *b)
{
    errno = 0;
    if (b->len && fwrite(b->buf, 1, b->len, f) != b->len)
        return errno ? -errno : -EIO;
    sbuf_reset(b);
    return 0;
}

/* Flush f and report any error seen on it; a non-zero err (an earlier failure) is returned as
 * it is. */
static int finish(FILE *f, int err)
{
    if (err)
        return err;
    errno = 0;
    if (fflush(f) != 0)
        return errno ? -errno : -EIO;
    return ferror(f) ? -EIO : 0;
}

void file_w_init(struct file_w *w, FILE *f)
{
    w->f = f;
    w->err = 0;
    sbuf_init(&w->b);
}

int file_w_flush(struct file_w *w)
{
    if (!w->err)
        w->err = put(w->f, &w->b);
    if (w->err)
        sbuf_reset(&w->b);
    return w->err;
}

int file_w_spill(struct file_w *w)
{
    if (w->b.len >= FILE_W_SPILL || w->err)
        file_w_flush(w);
    return w->err;
}

int file_w_finish(struct file_w *w)
{
    int err = finish(w->f, file_w_flush(w));

    sbuf_destroy(&w->b);
    return err;
}

void file_w_destroy(struct file_w *w)
{
    sbuf_destroy(&w->b);
}

int file_read(const char *path, size_t max, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    size_t n = 0, cap = 0, got;
    int err = 0;

    if (!f)
        return -errno;
    errno = 0;
    do {
        if (cap - n < 65536) {
            cap = vec_cap(cap, n + 65536, 65536, SIZE_MAX - 1);
            b = xrealloc(b, cap + 1);
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
    } while (got > 0 && n < max);
    if (ferror(f))
        err = errno ? -errno : -EIO; /* e.g. -EISDIR for a directory */
    else if (n >= max)
        err = -EFBIG;
    fclose(f);
    if (err < 0) {
        free(b);
        return err;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

const char *file_strerror(int err)
{
    err = err < 0 ? -err : err;
    if (err == FILE_ERR_PROTECTED_LINK)
        return "a symlink owned by another user in a sticky world-writable directory is not "
               "followed";
    return strerror(err);
}

#define MAX_LINKS 40 /* symlinks followed in one walk, as the kernel's limit */

/* The walk of an output path: a directory descriptor and the rest of the path. */
struct walk {
    int dir;    /* O_PATH descriptor of the directory reached */
    char *rest; /* the components still to walk (malloc'd) */
    int links;  /* symlinks followed */
};

static int walk_to(struct walk *w, int dir)
{
    if (dir < 0)
        return -errno;
    if (w->dir >= 0)
        close(w->dir);
    w->dir = dir;
    return 0;
}

/* Whether the directory w->dir is on procfs (its symlinks are the kernel's: /proc/self,
 * /proc/PID/fd/N, to be followed by the kernel, not by their text). */
static int on_proc(const struct walk *w)
{
    struct statfs fs;
    return fstatfs(w->dir, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

/* fs.protected_symlinks' rule, as the kernel applies it when that sysctl is 1: a symlink in a
 * sticky world-writable directory is followed only by its owner, or when the directory's
 * owner owns it (README.md, "Output files"). */
static int protected_link(const struct walk *w, const struct stat *link)
{
    struct stat d;

    if (fstat(w->dir, &d) != 0)
        return -errno;
    if ((d.st_mode & (S_ISVTX | S_IWOTH)) != (S_ISVTX | S_IWOTH))
        return 0;
    if (link->st_uid == geteuid() || link->st_uid == d.st_uid)
        return 0;
    return -FILE_ERR_PROTECTED_LINK;
}

/* Replace the component name (a symlink in w->dir) by its target, before tail (the components
 * after it, possibly ""). */
static int follow(struct walk *w, const char *name, const struct stat *st, const char *tail)
{
    size_t cap = (size_t)st->st_size + 2 > PATH_MAX ? (size_t)st->st_size + 2 : PATH_MAX;
    char *target = xmalloc(cap), *rest;
    ssize_t n = readlinkat(w->dir, name, target, cap);
    int err = protected_link(w, st);

    if (!err && ++w->links > MAX_LINKS)
        err = -ELOOP;
    if (!err && n < 0)
        err = -errno;
    if (!err && (size_t)n >= cap)
        err = -ENAMETOOLONG; /* the link changed under us */
    if (!err && n == 0)
        err = -ENOENT;
    if (!err && target[0] == '/')
        err = walk_to(w, open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (err) {
        free(target);
        return err;
    }
    rest = xmalloc((size_t)n + strlen(tail) + 2);
    memcpy(rest, target, (size_t)n);
    rest[n] = '\0';
    if (*tail) {
        strcat(rest, "/");
        strcat(rest, tail);
    }
    free(target);
    free(w->rest);
    w->rest = rest;
    return 0;
}

/* Enter the directory comp of w->dir (not following a symlink unless the kernel's own, in
 * procfs: nofollow 0). */
static int enter(struct walk *w, const char *comp, int nofollow)
{
    int flags = O_PATH | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
    return walk_to(w, openat(w->dir, comp, flags));
}

/* One step of walk(): the component comp, tail what follows it. Returns 1 when comp is the
 * target (found or missing: st_mode 0), 0 to go on with w->rest, or a negative errno. */
static int step(struct walk *w, const char *comp, const char *tail, struct stat *st, int *magic)
{
    int last = !*tail, err;

    if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
        if (last)
            return -EISDIR;
        err = enter(w, comp, 0);
    } else if (fstatat(w->dir, comp, st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT || !last)
            return -errno;
        st->st_mode = 0;
        return 1;
    } else if (S_ISLNK(st->st_mode) && on_proc(w)) {
        if (last) {
            *magic = 1;
            return 1;
        }
        err = enter(w, comp, 0);
    } else if (S_ISLNK(st->st_mode)) {
        return follow(w, comp, st, tail); /* w->rest is the link's target, then tail */
    } else if (last) {
        return 1;
    } else {
        err = S_ISDIR(st->st_mode) ? enter(w, comp, 1) : -ENOTDIR;
    }
    if (!err)
        memmove(w->rest, tail, strlen(tail) + 1);
    return err;
}

/* Walk w->rest to its last component: on success w->dir is the directory that holds it, *name
 * that component (malloc'd), *st its lstat (st_mode 0 when missing) and *magic 1 when it is a
 * procfs symlink (to be opened through the kernel). */
static int walk(struct walk *w, char **name, struct stat *st, int *magic)
{
    *magic = 0;
    for (;;) {
        char *c = w->rest, *end, *tail, *comp;
        int rc;

        while (*c == '/')
            c++;
        if (!*c)
            return -EISDIR; /* "/", or nothing after a symlink's '/' */
        end = strchr(c, '/');
        tail = end ? end : c + strlen(c);
        comp = xstrndup(c, (size_t)(tail - c));
        while (*tail == '/')
            tail++;
        if (end && !*tail)
            rc = -EISDIR; /* "name/": a directory is meant */
        else
            rc = step(w, comp, tail, st, magic);
        if (rc == 1) {
            *name = comp;
            return 0;
        }
        free(comp);
        if (rc < 0)
            return rc;
    }
}

/* Six characters for a temporary name. */
static void random_tag(char *out)
{
    static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char r[6];

    if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
        uint64_t x = (uint64_t)util_clock_mono_ns() ^ (uint64_t)getpid() << 32;
        for (int i = 0; i < 6; i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL)
            r[i] = (unsigned char)(x >> 56);
    }
    for (int i = 0; i < 6; i++)
        out[i] = abc[r[i] % (sizeof(abc) - 1)];
    out[6] = '\0';
}

/* Create the temporary file NAME.XXXXXX.part in o->dir with mode (before the umask). Returns
 * its descriptor or a negative errno. */
static int make_tmp(struct file_out *o, mode_t mode)
{
    size_t len = strlen(o->name), keep = len > NAME_MAX - 12 ? NAME_MAX - 12 : len;

    o->tmp = xmalloc(keep + 13);
    for (int tries = 0; tries < 100; tries++) {
        char tag[7];
        random_tag(tag);
        memcpy(o->tmp, o->name, keep);
        snprintf(o->tmp + keep, 13, ".%s.part", tag);
        int fd = openat(o->dir, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST)
            return fd >= 0 ? fd : -errno;
    }
    return -EEXIST;
}

/* The temporary file that will replace the existing regular file st: checked first as an
 * open for writing would be (and for a sticky directory's rule on renames), then made with
 * st's permission bits and, where allowed, its owner. */
static int replace_tmp(struct file_out *o, const struct stat *st)
{
    struct stat d;
    int fd;

    if (faccessat(o->dir, o->name, W_OK, AT_EACCESS) != 0)
        return -errno;
    if (fstat(o->dir, &d) == 0 && (d.st_mode & S_ISVTX) && geteuid() != 0 &&
        st->st_uid != geteuid() && d.st_uid != geteuid())
        return -EPERM; /* the rename would be refused at the end */
    if ((fd = make_tmp(o, 0600)) < 0)
        return fd;
    if (st->st_uid != geteuid() || st->st_gid != getegid())
        (void)!fchown(fd, st->st_uid, st->st_gid); /* not allowed: the file becomes ours */
    if (fchmod(fd, st->st_mode & 0777) != 0) {
        int err = -errno;
        close(fd);
        unlinkat(o->dir, o->tmp, 0);
        return err;
    }
    o->replace = 1;
    return fd;
}

/* The descriptor to write the target found by the walk through: the target itself (a device,
 * FIFO or procfs link; a new stream file) or a temporary file. */
static int open_target(struct file_out *o, const struct stat *st, int magic, int flags)
{
    int fd;

    if (magic || (st->st_mode && !S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))) {
        /* in place; a procfs link is followed by the kernel (to a pipe, a terminal, a file
         * the shell opened) and cut as the shell's '>' would */
        fd = openat(o->dir, o->name, O_WRONLY | O_CLOEXEC | (magic ? O_TRUNC : O_NOFOLLOW));
        return fd >= 0 ? fd : -errno;
    }
    if (S_ISDIR(st->st_mode))
        return -EISDIR;
    if (st->st_mode)
        return replace_tmp(o, st);
    if (flags & FILE_OUT_STREAM) {
        fd = openat(o->dir, o->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        o->created = fd >= 0;
        if (fd >= 0 || errno != EEXIST)
            return fd >= 0 ? fd : -errno;
    }
    return make_tmp(o, 0666);
}

static void out_free(struct file_out *o)
{
    if (o->dir >= 0)
        close(o->dir);
    free(o->name);
    free(o->tmp);
    memset(o, 0, sizeof(*o));
    o->dir = -1;
}

/* The walk of file_out_open() into o (o->dir, o->name) and *st, *magic. */
static int locate(struct file_out *o, const char *path, struct stat *st, int *magic)
{
    struct walk w = {.dir = -1};
    int err;

    memset(o, 0, sizeof(*o));
    o->dir = -1;
    if (!*path)
        return -ENOENT;
    w.rest = xstrdup(path);
    err = walk_to(&w, open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!err)
        err = walk(&w, &o->name, st, magic);
    free(w.rest);
    o->dir = w.dir;
    return err;
}

int file_out_open(struct file_out *o, const char *path, int flags)
{
    struct stat st;
    int magic = 0, fd = -1, err;

    if (!path || strcmp(path, "-") == 0) {
        memset(o, 0, sizeof(*o));
        o->dir = -1;
        o->f = stdout;
        return 0;
    }
    err = locate(o, path, &st, &magic);
    if (!err && (fd = open_target(o, &st, magic, flags)) < 0)
        err = fd;
    if (!err && !(o->f = fdopen(fd, "w")))
        err = -errno;
    if (err) {
        if (fd >= 0)
            close(fd);
        if (fd >= 0 && (o->tmp || o->created))
            unlinkat(o->dir, o->tmp ? o->tmp : o->name, 0);
        out_free(o);
    }
    return err;
}

int file_out_check(const char *path)
{
    struct file_out o;
    struct stat st;
    int magic = 0, fd, err;

    if (!path || strcmp(path, "-") == 0)
        return 0;
    err = locate(&o, path, &st, &magic);
    if (!err && S_ISDIR(st.st_mode))
        err = -EISDIR;
    else if (!err && !magic && (!st.st_mode || S_ISREG(st.st_mode))) {
        if ((fd = open_target(&o, &st, 0, 0)) < 0) {
            err = fd;
        } else {
            close(fd);
            unlinkat(o.dir, o.tmp, 0);
        }
    }
    out_free(&o);
    return err;
}

int file_out_close(struct file_out *o, int err)
{
    if (!o->f)
        return err ? err : -EBADF;
    err = finish(o->f, err);
    if (!err && o->replace && fsync(fileno(o->f)) != 0)
        err = -errno;
    if (o->f != stdout && fclose(o->f) != 0 && !err)
        err = errno ? -errno : -EIO;
    o->f = NULL;
    if (o->tmp && !err && renameat(o->dir, o->tmp, o->dir, o->name) != 0)
        err = -errno;
    if (o->tmp && err)
        unlinkat(o->dir, o->tmp, 0);
    out_free(o);
    return err;
}

void file_out_abort(struct file_out *o)
{
    if (!o->f)
        return;
    if (o->f != stdout)
        fclose(o->f);
    if (o->tmp || o->created)
        unlinkat(o->dir, o->tmp ? o->tmp : o->name, 0);
    out_free(o);
}
