/* Differential profile: both sides interned into one agg, weights of each side per stack.
 * SPDX-License-Identifier: MIT */
#include "agg_diff.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_vec.h"
#include "util_xalloc.h"

struct agg_diff {
    struct agg *u; /* the union */
    double *wa;    /* per stack of u: A's weight times ka */
    uint64_t *wb;  /* and B's */
    uint32_t cap;  /* of wa and wb */
    double total_a;
    uint64_t total_b;
};

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

const char *agg_diff_norm_name(enum agg_diff_norm mode)
{
    static const char *const names[] = {"none", "total", "time", "duration"};
    return (unsigned)mode < 4 ? names[mode] : "?";
}

static double rate_of(const struct agg_meta *m)
{
    return m->rate_effective > 0 ? m->rate_effective : m->rate_requested;
}

/* Sampling instants of a recording: counted, else rate times duration; 0 unknown. */
static double instants_of(const struct agg_meta *m)
{
    return m->samples ? (double)m->samples : rate_of(m) * m->duration;
}

/* The factor of agg_diff_factor() before its bounds are checked. */
static int factor(enum agg_diff_norm mode, const struct agg_meta *ma, uint64_t total_a,
                  const struct agg_meta *mb, uint64_t total_b, double *k, char *why, size_t whylen)
{
    const char *ua = ma->unit ? ma->unit : "samples", *ub = mb->unit ? mb->unit : "samples";
    int bytes = strcmp(ub, "samples") != 0;

    if (strcmp(ua, ub) != 0)
        return fail(why, whylen, "A weighs %s and B %s: they cannot be compared", ua, ub);
    if (mode == AGG_DIFF_NONE) {
        *k = 1;
    } else if (mode == AGG_DIFF_TOTAL) {
        if (!total_a || !total_b)
            return fail(why, whylen, "%s holds no samples: no share can be computed",
                        total_a ? "B" : "A");
        *k = (double)total_b / (double)total_a;
    } else if (mode == AGG_DIFF_TIME) {
        if (bytes)
            return fail(why, whylen,
                        "profiles of %s are not normalised by time: use none, "
                        "total or duration",
                        ub);
        if (!(rate_of(ma) > 0) || !(rate_of(mb) > 0))
            return fail(why, whylen, "%s does not say its sampling rate (give --rate)",
                        rate_of(ma) > 0 ? "B" : "A");
        *k = rate_of(mb) / rate_of(ma);
    } else {
        double na = bytes ? ma->duration : instants_of(ma);
        double nb = bytes ? mb->duration : instants_of(mb);
        if (!(na > 0) || !(nb > 0))
            return fail(why, whylen,
                        "%s does not say how long it was recorded (a raw file "
                        "does)",
                        na > 0 ? "B" : "A");
        *k = nb / na;
    }
    return 0;
}

int agg_diff_factor(enum agg_diff_norm mode, const struct agg_meta *ma, uint64_t total_a,
                    const struct agg_meta *mb, uint64_t total_b, double *k, char *why,
                    size_t whylen)
{
    double x = 0;
    int err = factor(mode, ma, total_a, mb, total_b, &x, why, whylen);

    if (err)
        return err;
    if (!isfinite(x) || !(x > 0))
        return fail(why, whylen,
                    "the factor of A is not a finite positive number (the facts "
                    "of the profiles are out of proportion)");
    if ((double)total_a * x > AGG_DIFF_MAX_WEIGHT)
        return fail(why, whylen,
                    "A normalised would weigh %.3g, above %g (the facts of the "
                    "profiles are out of proportion)",
                    (double)total_a * x, AGG_DIFF_MAX_WEIGHT);
    *k = x;
    return 0;
}

/* Room for stack ids below n in wa and wb (new ones zeroed). */
static void reserve(struct agg_diff *d, uint32_t n)
{
    if (n <= d->cap)
        return;
    uint32_t cap = (uint32_t)vec_cap(d->cap, n, 1024, UINT32_MAX);
    d->wa = xreallocarray(d->wa, cap, sizeof(*d->wa));
    d->wb = xreallocarray(d->wb, cap, sizeof(*d->wb));
    memset(d->wa + d->cap, 0, (cap - d->cap) * sizeof(*d->wa));
    memset(d->wb + d->cap, 0, (cap - d->cap) * sizeof(*d->wb));
    d->cap = cap;
}

static uint32_t str_in(struct agg_diff *d, const struct agg *src, uint32_t id, uint32_t *map)
{
    if (id == AGG_NONE)
        return AGG_NONE;
    if (map[id] == AGG_NONE) {
        const char *s = agg_str(src, id);
        map[id] = agg_intern(d->u, s, strlen(s));
    }
    return map[id];
}

/* The length of thread label s without its " (TID)" (all of it when there is none). */
static size_t thread_len(const char *s)
{
    size_t n = strlen(s), i = n ? n - 1 : 0;

    if (!n || s[n - 1] != ')')
        return n;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
        i--;
    if (i == n - 1 || i < 2 || s[i - 1] != '(' || s[i - 2] != ' ')
        return n;
    return i - 2;
}

/* The frame ids of src in d->u (caller frees); src's source texts copied into d->u. */
static uint32_t *map_frames(struct agg_diff *d, const struct agg *src)
{
    uint32_t nstr = agg_nstrs(src), n = agg_nframes(src);
    uint32_t *strs = xmalloc(((size_t)nstr + 1) * sizeof(uint32_t));
    uint32_t *frames = xmalloc(((size_t)n + 1) * sizeof(uint32_t));

    memset(strs, 0xff, ((size_t)nstr + 1) * sizeof(uint32_t)); /* AGG_NONE */
    for (uint32_t i = 0; i < n; i++) {
        const struct agg_frame *f = agg_frame_get(src, i);
        struct agg_frame g = {str_in(d, src, f->name, strs), str_in(d, src, f->file, strs), f->line,
                              f->kind};
        if (f->kind == AGG_FRAME_THREAD && f->name != AGG_NONE) {
            const char *name = agg_str(src, f->name);
            g.name = agg_intern(d->u, name, thread_len(name));
        }
        frames[i] = agg_frame_id(d->u, &g);
    }
    for (uint32_t i = 0; i < agg_nsources(src); i++) {
        uint32_t file = agg_source_file(src, i);
        size_t len;
        const char *text = agg_source(src, file, &len);
        if (text)
            agg_set_source(d->u, str_in(d, src, file, strs), text, len);
    }
    free(strs);
    return frames;
}

/* Add the stacks of src as side A (b == 0, weights times k) or B. */
static void add_side(struct agg_diff *d, const struct agg *src, int b, double k)
{
    uint32_t *fmap = map_frames(d, src), *ids = NULL, cap = 0;

    for (uint32_t i = 0; i < agg_nstacks(src); i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *frames = agg_stack(src, i, &n, &w);
        if (!w)
            continue;
        if (n > cap) {
            cap = n;
            ids = xreallocarray(ids, cap, sizeof(*ids));
        }
        for (uint32_t j = 0; j < n; j++)
            ids[j] = fmap[frames[j]];
        uint32_t id = agg_add(d->u, ids, n, b ? w : 0);
        reserve(d, id + 1);
        if (b) {
            d->wb[id] += w;
            d->total_b += w;
        } else {
            d->wa[id] += (double)w * k;
            d->total_a += (double)w * k;
        }
    }
    free(ids);
    free(fmap);
}

struct agg_diff *agg_diff_new(const struct agg *a, const struct agg *b, double ka)
{
    struct agg_diff *d = xcalloc(1, sizeof(*d));
    d->u = agg_new();
    add_side(d, a, 0, ka);
    add_side(d, b, 1, 1);
    reserve(d, agg_nstacks(d->u) + 1);
    return d;
}

void agg_diff_free(struct agg_diff *d)
{
    if (!d)
        return;
    agg_free(d->u);
    free(d->wa);
    free(d->wb);
    free(d);
}

const struct agg *agg_diff_agg(const struct agg_diff *d)
{
    return d->u;
}

struct agg *agg_diff_agg_mut(struct agg_diff *d)
{
    return d->u;
}

double agg_diff_a(const struct agg_diff *d, uint32_t i)
{
    return i < d->cap ? d->wa[i] : 0;
}

uint64_t agg_diff_b(const struct agg_diff *d, uint32_t i)
{
    return i < d->cap ? d->wb[i] : 0;
}

double agg_diff_total_a(const struct agg_diff *d)
{
    return d->total_a;
}

uint64_t agg_diff_total_b(const struct agg_diff *d)
{
    return d->total_b;
}
