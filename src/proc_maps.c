/* /proc/PID/maps: parse the text into records sorted by address, and read it whole.
 * Line format: docs/linux.md §15.
 * SPDX-License-Identifier: MIT */
#include "proc_maps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util_vec.h"
#include "util_xalloc.h"

#define DELETED    " (deleted)"
#define READ_CHUNK 16384

/* A cursor over one line of untrusted text: p advances, never past end. */
struct cur {
    const char *p;
    const char *end;
};

static int digit(char c, unsigned base)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (base == 16 && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* An unsigned number of at least one digit that fits in 64 bits. */
static int get_num(struct cur *c, unsigned base, uint64_t *v)
{
    const char *start = c->p;
    uint64_t x = 0;
    int d;

    while (c->p < c->end && (d = digit(*c->p, base)) >= 0) {
        if (x > (UINT64_MAX - (uint64_t)d) / base)
            return -EINVAL;
        x = x * base + (uint64_t)d;
        c->p++;
    }
    if (c->p == start)
        return -EINVAL;
    *v = x;
    return 0;
}

static int get_char(struct cur *c, char ch)
{
    if (c->p == c->end || *c->p != ch)
        return -EINVAL;
    c->p++;
    return 0;
}

/* One or more spaces. */
static int get_spaces(struct cur *c)
{
    if (get_char(c, ' ') < 0)
        return -EINVAL;
    while (c->p < c->end && *c->p == ' ')
        c->p++;
    return 0;
}

/* "rwxp": each of r, w, x or '-', then p (private) or s (shared). */
static int get_perms(struct cur *c, unsigned *perms)
{
    static const char set[] = "rwx";
    unsigned v = 0;

    if (c->end - c->p < 4)
        return -EINVAL;
    for (int i = 0; i < 3; i++) {
        if (c->p[i] == set[i])
            v |= 1u << i;
        else if (c->p[i] != '-')
            return -EINVAL;
    }
    if (c->p[3] == 'p')
        v |= PROC_MAP_P;
    else if (c->p[3] != 's')
        return -EINVAL;
    c->p += 4;
    *perms = v;
    return 0;
}

/* The fields before the path: "start-end perms offset major:minor inode". */
static int get_header(struct cur *c, struct proc_map *m)
{
    uint64_t dev;

    if (get_num(c, 16, &m->start) < 0 || get_char(c, '-') < 0 || get_num(c, 16, &m->end) < 0 ||
        get_spaces(c) < 0 || get_perms(c, &m->perms) < 0 || get_spaces(c) < 0 ||
        get_num(c, 16, &m->offset) < 0 || get_spaces(c) < 0 || get_num(c, 16, &dev) < 0 ||
        get_char(c, ':') < 0 || get_num(c, 16, &dev) < 0 || get_spaces(c) < 0 ||
        get_num(c, 10, &m->inode) < 0)
        return -EINVAL;
    if (m->end <= m->start)
        return -EINVAL;
    return 0;
}

/* Parse one line (without its newline) into m; m->path is allocated only on success. The path
 * is the rest of the line after the padding, so it may contain spaces; a NUL in it is invalid. */
static int parse_line(const char *line, size_t len, struct proc_map *m)
{
    struct cur c = {line, line + len};
    size_t plen, dlen = strlen(DELETED);

    *m = (struct proc_map){0};
    if (get_header(&c, m) < 0)
        return -EINVAL;
    if (c.p < c.end && get_spaces(&c) < 0)
        return -EINVAL;
    plen = (size_t)(c.end - c.p);
    if (plen > 0 && memchr(c.p, '\0', plen))
        return -EINVAL;
    if (plen > dlen && memcmp(c.p + plen - dlen, DELETED, dlen) == 0) {
        m->deleted = 1;
        plen -= dlen;
    }
    m->path = xstrndup(plen ? c.p : "", plen);
    return 0;
}

/* Append the line to v, keeping start strictly increasing so that proc_maps_find() works. */
static int add_line(struct proc_maps *v, size_t *cap, const char *line, size_t len)
{
    struct proc_map m;

    if (parse_line(line, len, &m) < 0)
        return -EINVAL;
    if (v->n > 0 && m.start <= v->v[v->n - 1].start) {
        free(m.path);
        return -EINVAL;
    }
    if (v->n == *cap)
        v->v = vec_grow(v->v, cap, v->n + 1, sizeof(*v->v), 64);
    v->v[v->n++] = m;
    return 0;
}

/* Empty lines are skipped, so text ending in "\n\n" (print() of the file) is accepted. Mappings
 * may overlap when the file changed between two reads; proc_maps_find() then sees the later one. */
int proc_maps_parse(const char *text, size_t len, struct proc_maps *out)
{
    struct proc_maps v = {NULL, 0};
    size_t cap = 0, off = 0;
    int err = 0;

    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t llen = nl ? (size_t)(nl - (text + off)) : len - off;

        if (llen > 0 && (err = add_line(&v, &cap, text + off, llen)) < 0)
            break;
        off += llen + 1;
    }
    if (err < 0)
        proc_maps_destroy(&v);
    *out = v;
    return err;
}

/* Read the whole file at path into a malloc'd buffer (caller frees). */
static int read_all(const char *path, char **buf, size_t *len)
{
    size_t cap = READ_CHUNK, n = 0;
    char *b = NULL;
    int fd, err = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    b = xmalloc(cap);
    for (;;) {
        ssize_t r;

        if (n == cap)
            b = vec_grow(b, &cap, n + 1, 1, READ_CHUNK);
        r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err = errno == ENOENT ? -ESRCH : -errno;
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *buf = b;
    *len = n;
    b = NULL;
out:
    free(b);
    close(fd);
    return err;
}

int proc_maps_read(int pid, struct proc_maps *out)
{
    char path[64], *buf = NULL;
    size_t len = 0;
    int err;

    snprintf(path, sizeof(path), "/proc/%d/maps", pid);
    err = read_all(path, &buf, &len);
    if (err < 0) {
        *out = (struct proc_maps){NULL, 0};
        return err;
    }
    err = proc_maps_parse(buf, len, out);
    free(buf);
    return err;
}

void proc_maps_destroy(struct proc_maps *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].path);
    free(m->v);
    m->v = NULL;
    m->n = 0;
}

const struct proc_map *proc_maps_find(const struct proc_maps *m, uint64_t addr)
{
    size_t lo = 0, hi = m->n;

    /* Find the first mapping that starts above addr; the one before it may contain addr. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (m->v[mid].start <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || addr >= m->v[lo - 1].end)
        return NULL;
    return &m->v[lo - 1];
}
