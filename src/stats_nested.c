/* Statistics of clustered values: variance components by one-way ANOVA, the design effect,
 * two-stage bootstrap intervals and a Mann-Whitney test on cluster medians.
 * SPDX-License-Identifier: MIT */
#include "stats_nested.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats_dist.h"
#include "util_xalloc.h"

/* The number of values in c, or 0 when c is not valid input: no cluster, an empty cluster or a
 * value that is not finite. */
static size_t count_values(const struct stats_clusters *c)
{
    size_t n = 0;

    if (!c || c->nclusters == 0 || !c->x || !c->len)
        return 0;
    for (size_t k = 0; k < c->nclusters; k++) {
        if (c->len[k] == 0)
            return 0;
        n += c->len[k];
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(c->x[i]))
            return 0;
    }
    return n;
}

/* between_sd, within_sd, icc and n_eff of r from c (n values, grand mean `mean`).
 * Variance components of the one-way random-effects ANOVA for unequal cluster sizes
 * (Searle, Casella and McCulloch, "Variance Components", 1992, section 3.6):
 *   MSB = sum n_i (mean_i - mean)^2 / (k - 1)      MSW = sum (x - mean_i)^2 / (n - k)
 *   n0 = (n - sum n_i^2 / n) / (k - 1)             s_b^2 = (MSB - MSW) / n0
 *   icc = s_b^2 / (s_b^2 + MSW), clipped to [0, 1].
 * The design effect (Kish) is 1 + (n / k - 1) icc and n_eff = n / design effect. With one
 * cluster, or one value in every cluster, the components cannot be told apart: icc is 0. */
static void components(const struct stats_clusters *c, size_t n, double mean,
                       struct stats_nested *r)
{
    size_t k = c->nclusters, at = 0;
    long double ssb = 0, ssw = 0, sum_sq_len = 0, sum_means = 0, var_means = 0;
    long double ln = (long double)n, lk = (long double)k;
    long double *means = xreallocarray(NULL, k, sizeof(*means));

    for (size_t i = 0; i < k; i++) {
        const double *v = c->x + at;
        long double len = (long double)c->len[i], sum = 0;

        for (size_t j = 0; j < c->len[i]; j++)
            sum += v[j];
        means[i] = sum / len;
        for (size_t j = 0; j < c->len[i]; j++)
            ssw += (v[j] - means[i]) * (v[j] - means[i]);
        ssb += len * (means[i] - mean) * (means[i] - mean);
        sum_sq_len += len * len;
        sum_means += means[i];
        at += c->len[i];
    }
    for (size_t i = 0; i < k; i++)
        var_means += (means[i] - sum_means / lk) * (means[i] - sum_means / lk);
    free(means);
    r->between_sd = k > 1 ? (double)sqrtl(var_means / (lk - 1)) : 0;
    r->within_sd = n > k ? (double)sqrtl(ssw / (ln - lk)) : 0;
    r->icc = 0;
    if (k > 1 && n > k) {
        long double msb = ssb / (lk - 1), msw = ssw / (ln - lk);
        long double n0 = (ln - sum_sq_len / ln) / (lk - 1), sb2 = (msb - msw) / n0;
        if (sb2 > 0)
            r->icc = (double)(sb2 / (sb2 + msw));
    }
    r->n_eff = (double)n / (1 + ((double)n / (double)k - 1) * r->icc);
}

/* Two-stage resampling of one clustered sample; buf is allocated once for every replicate. */
struct boot {
    const struct stats_clusters *c;
    size_t *start; /* index in c->x of each cluster's first value */
    double *buf;   /* room for nclusters * the largest cluster */
};

static void boot_init(struct boot *b, const struct stats_clusters *c)
{
    size_t at = 0, most = 0;

    b->c = c;
    b->start = xreallocarray(NULL, c->nclusters, sizeof(*b->start));
    for (size_t k = 0; k < c->nclusters; k++) {
        b->start[k] = at;
        at += c->len[k];
        most = c->len[k] > most ? c->len[k] : most;
    }
    b->buf = xreallocarray(NULL, c->nclusters, most * sizeof(*b->buf));
}

static void boot_destroy(struct boot *b)
{
    free(b->start);
    free(b->buf);
}

/* Median of one replicate: nclusters clusters drawn with replacement, then as many values
 * as each drawn cluster holds, drawn with replacement from it. */
static double boot_median(struct boot *b, struct stats_rng *rng)
{
    size_t k = b->c->nclusters, m = 0;

    for (size_t i = 0; i < k; i++) {
        size_t pick = (size_t)stats_rng_below(rng, k), len = b->c->len[pick];
        const double *v = b->c->x + b->start[pick];

        for (size_t j = 0; j < len; j++)
            b->buf[m++] = v[stats_rng_below(rng, len)];
    }
    return stats_dist_median_inplace(b->buf, m);
}

/* Percentile interval [2.5%, 97.5%] (type 7) of the replicates rep[0..n-1]. */
static void percentile_95(const double *rep, size_t n, double *lo, double *hi)
{
    *lo = stats_dist_quantile(rep, n, 0.025);
    *hi = stats_dist_quantile(rep, n, 0.975);
}

int stats_nested_summary(const struct stats_clusters *c, unsigned reps, uint64_t seed,
                         struct stats_nested *out)
{
    size_t n = count_values(c);
    struct stats_summary s;
    struct stats_rng rng;
    struct boot b;

    if (n == 0 || reps < 100 || stats_dist_summary(c->x, n, &s) < 0)
        return -EINVAL;
    struct stats_nested r = {.nclusters = c->nclusters,
                             .n = n,
                             .mean = s.mean,
                             .sd = s.sd,
                             .min = s.min,
                             .max = s.max,
                             .median = s.median};
    components(c, n, s.mean, &r);
    double *med = xreallocarray(NULL, reps, sizeof(*med));
    boot_init(&b, c);
    stats_rng_init(&rng, seed);
    for (unsigned i = 0; i < reps; i++)
        med[i] = boot_median(&b, &rng);
    percentile_95(med, reps, &r.median_lo, &r.median_hi);
    boot_destroy(&b);
    free(med);
    *out = r;
    return 0;
}

/* ma / mb, a zero denominator giving an infinity signed like ma (+inf for 0 / 0). */
static double safe_ratio(double ma, double mb)
{
    if (mb != 0)
        return ma / mb;
    return ma < 0 ? -INFINITY : INFINITY;
}

/* The median of every cluster of c, into med[0..nclusters-1]; buf has room for the largest
 * cluster. */
static void cluster_medians(const struct stats_clusters *c, double *buf, double *med)
{
    size_t at = 0;

    for (size_t k = 0; k < c->nclusters; k++) {
        for (size_t j = 0; j < c->len[k]; j++)
            buf[j] = c->x[at + j];
        med[k] = stats_dist_median_inplace(buf, c->len[k]);
        at += c->len[k];
    }
}

/* The Mann-Whitney test of the cluster medians of a against those of b into out->p, auc;
 * ba and bb lend their buffers. */
static int compare_medians(struct boot *ba, struct boot *bb, struct stats_nested_cmp *out)
{
    size_t ka = ba->c->nclusters, kb = bb->c->nclusters;
    double *ma = xreallocarray(NULL, ka, sizeof(*ma)), *mb = xreallocarray(NULL, kb, sizeof(*mb));
    struct stats_mwu u;
    int err;

    cluster_medians(ba->c, ba->buf, ma);
    cluster_medians(bb->c, bb->buf, mb);
    err = stats_dist_mann_whitney(ma, ka, mb, kb, &u);
    if (err == 0) {
        out->p = u.p;
        out->auc = u.auc;
    }
    free(ma);
    free(mb);
    return err;
}

int stats_nested_compare(const struct stats_clusters *a, const struct stats_clusters *b,
                         unsigned reps, uint64_t seed, struct stats_nested_cmp *out)
{
    size_t na = count_values(a), nb = count_values(b);
    struct stats_nested_cmp r = {0};
    struct boot ba, bb;
    struct stats_rng rng;
    double *ratios;
    int err;

    if (na == 0 || nb == 0 || reps < 100)
        return -EINVAL;
    boot_init(&ba, a);
    boot_init(&bb, b);
    ratios = xreallocarray(NULL, reps, sizeof(*ratios));
    double med_a = stats_dist_quantile(a->x, na, 0.5), med_b = stats_dist_quantile(b->x, nb, 0.5);
    if (med_b == 0) {
        err = -EINVAL;
        goto out;
    }
    r.ratio = med_a / med_b;
    err = compare_medians(&ba, &bb, &r);
    if (err < 0)
        goto out;
    stats_rng_init(&rng, seed);
    for (unsigned i = 0; i < reps; i++) {
        double ra = boot_median(&ba, &rng);
        ratios[i] = safe_ratio(ra, boot_median(&bb, &rng));
    }
    percentile_95(ratios, reps, &r.lo, &r.hi);
    *out = r;
out:
    free(ratios);
    boot_destroy(&ba);
    boot_destroy(&bb);
    return err;
}
