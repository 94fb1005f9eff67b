/* The CPU rule of the monitor's series: an interval's excess over the machine's CPUs moves back
 * into earlier intervals with room, the rest forward; totals unchanged (mon_cap.h).
 * SPDX-License-Identifier: MIT */
#include "mon_cap.h"

static struct mon_cap_row *at(void *rows, size_t stride, size_t i)
{
    return (struct mon_cap_row *)((char *)rows + i * stride);
}

static int64_t tot(const struct mon_cap_row *r)
{
    return r->user + r->sys;
}

/* floor(a * b / c) for 0 <= a <= c, 0 <= b, 0 < c: the user part of a when b of c is user. */
static int64_t part(int64_t a, int64_t b, int64_t c)
{
    return (int64_t)((unsigned __int128)(uint64_t)a * (uint64_t)b / (uint64_t)c);
}

/* What interval i (from row i-1, or the origin, to row i) may still take; below is what the
 * row before it was raised by, so that its reading is known. */
static int64_t room(void *rows, size_t stride, size_t i, const struct mon_cap_row *origin, int ncpu,
                    int64_t below)
{
    const struct mon_cap_row *r = at(rows, stride, i), *p = i ? at(rows, stride, i - 1) : origin;
    int64_t dt = r->t - p->t;

    return (dt > 0 ? dt * ncpu : 0) - (tot(r) - (tot(p) - below));
}

/* The lowest row the excess reaches back to, and what that row takes (every row above it,
 * below the newest, takes all its room). Returns the total moved back. */
static int64_t reach(void *rows, size_t stride, size_t n, const struct mon_cap_row *origin,
                     int ncpu, size_t depth, int64_t excess, size_t *lo, int64_t *at_lo)
{
    int64_t moved = 0;

    for (size_t j = n - 1; j-- > 0 && n - 1 - j <= depth && moved < excess;) {
        int64_t x = room(rows, stride, j, origin, ncpu, 0);

        if (x <= 0)
            continue;
        if (x > excess - moved)
            x = excess - moved;
        *lo = j;
        *at_lo = x;
        moved += x;
    }
    return moved;
}

int64_t mon_cap_apply(void *rows, size_t stride, size_t n, const struct mon_cap_row *origin,
                      int ncpu, size_t depth, int64_t carry[2])
{
    struct mon_cap_row *r;
    const struct mon_cap_row *p;
    int64_t du, ds, d, excess, moved, at_lo = 0, c = 0, left, lu;
    size_t lo = n;

    carry[0] = carry[1] = 0;
    if (n == 0)
        return 0;
    if (ncpu < 1)
        ncpu = 1;
    r = at(rows, stride, n - 1);
    p = n > 1 ? at(rows, stride, n - 2) : origin;
    du = r->user > p->user ? r->user - p->user : 0;
    ds = r->sys > p->sys ? r->sys - p->sys : 0;
    d = du + ds;
    excess = -room(rows, stride, n - 1, origin, ncpu, 0);
    if (excess <= 0 || d <= 0)
        return 0;
    if (excess > d)
        excess = d;
    moved = reach(rows, stride, n, origin, ncpu, depth, excess, &lo, &at_lo);
    /* Rows lo..n-2 are raised by the running sum of what each interval takes (so each keeps
     * what it had and gains its share), split as row n-1's interval is. */
    for (size_t j = lo; moved > 0 && j + 1 < n; j++) {
        struct mon_cap_row *q = at(rows, stride, j);
        int64_t x = j == lo ? at_lo : room(rows, stride, j, origin, ncpu, c);

        c += x > 0 ? x : 0;
        q->user += part(c, du, d);
        q->sys += c - part(c, du, d);
    }
    /* The rest stays in the newest row's reading but is shown by the next rows. */
    du -= part(moved, du, d);
    d -= moved;
    left = excess - moved;
    if (left > 0 && d > 0) {
        lu = part(left, du, d);
        r->user -= lu;
        r->sys -= left - lu;
        carry[0] = lu;
        carry[1] = left - lu;
    }
    return excess;
}
