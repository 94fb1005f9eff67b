/* A target made of captured memory ranges, for tests of the unwinder without a live process.
 * SPDX-License-Identifier: MIT */
#include "target.h"

#include <stdlib.h>
#include <string.h>

#include "util_vec.h"
#include "util_xalloc.h"

struct range {
    uint64_t addr;
    size_t len;
    unsigned char *bytes;
};

struct target_snapshot {
    struct target base;
    struct range *r;
    size_t n, cap;
};

/* Copy what the ranges hold of [addr, addr+len) into buf; returns bytes copied contiguously
 * from addr. */
static size_t snap_copy(const struct target_snapshot *s, uint64_t addr, unsigned char *buf,
                        size_t len)
{
    size_t done = 0;
    while (done < len) {
        const struct range *hit = NULL;
        for (size_t i = 0; i < s->n; i++) {
            if (addr + done >= s->r[i].addr && addr + done < s->r[i].addr + s->r[i].len) {
                hit = &s->r[i];
                break;
            }
        }
        if (!hit)
            break;
        size_t off = (size_t)(addr + done - hit->addr);
        size_t k = hit->len - off < len - done ? hit->len - off : len - done;
        memcpy(buf + done, hit->bytes + off, k);
        done += k;
    }
    return done;
}

static long snap_readv(struct target *t, const struct target_iov *iov, int n)
{
    struct target_snapshot *s = (struct target_snapshot *)t;
    long total = 0;
    for (int i = 0; i < n; i++) {
        t->nreads++;
        size_t got = snap_copy(s, iov[i].addr, iov[i].buf, iov[i].len);
        total += (long)got;
        if (got < iov[i].len)
            break;
    }
    return total;
}

static void snap_free(struct target *t)
{
    struct target_snapshot *s = (struct target_snapshot *)t;
    for (size_t i = 0; i < s->n; i++)
        free(s->r[i].bytes);
    free(s->r);
    free(s);
}

static const struct target_ops snap_ops = {snap_readv, snap_free};

struct target *target_snapshot_new(void)
{
    struct target_snapshot *s = xcalloc(1, sizeof(*s));
    s->base.ops = &snap_ops;
    return &s->base;
}

void target_snapshot_add(struct target *t, uint64_t addr, const void *buf, size_t len)
{
    struct target_snapshot *s = (struct target_snapshot *)t;
    if (s->n == s->cap)
        s->r = vec_grow(s->r, &s->cap, s->n + 1, sizeof(*s->r), 16);
    s->r[s->n].addr = addr;
    s->r[s->n].len = len;
    s->r[s->n].bytes = xmalloc(len);
    memcpy(s->r[s->n].bytes, buf, len);
    s->n++;
}
