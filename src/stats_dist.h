/* Statistics of repeated measurements (run times, memory, ...): summaries, distribution-free
 * confidence intervals, Mann-Whitney U, bootstrap ratios, outliers and modality.
 * SPDX-License-Identifier: MIT */
#ifndef STATS_DIST_H
#define STATS_DIST_H

#include <stddef.h>
#include <stdint.h>

/* Summary of one sample. Quantiles interpolate linearly between order statistics (Hyndman and
 * Fan type 7, as numpy's default). */
struct stats_summary {
    size_t n;
    double mean;
    double sd; /* sample standard deviation (n - 1); 0 when n < 2 */
    double cv; /* sd / mean; 0 when mean == 0 */
    double min, max;
    double q1, median, q3;
    double mad;       /* median absolute deviation from the median, unscaled */
    double median_lo; /* distribution-free CI of the median from order statistics (binomial) */
    double median_hi;
    double median_ci_level; /* actual coverage of [median_lo, median_hi]: >= 0.95 when n >= 6,
                               less for smaller n (then the interval is [min, max]) */
    double skew;            /* sample skewness g1; 0 when n < 3 or sd == 0 */
};

/* Summarise x[0..n-1] (not modified). Returns 0, or -EINVAL when n == 0 or a value is not
 * finite. */
int stats_dist_summary(const double *x, size_t n, struct stats_summary *out);

/* Quantile p (0..1) of x, type 7. x is not modified. n must be > 0. */
double stats_dist_quantile(const double *x, size_t n, double p);

/* Median of x[0..n-1] (type 7), reordering x in place: expected O(n), no allocation, for
 * loops such as bootstraps. n must be > 0. */
double stats_dist_median_inplace(double *x, size_t n);

/* Two-sided Mann-Whitney U test of a against b. */
struct stats_mwu {
    double u;   /* U of a: the number of pairs (ai, bj) with ai > bj, ties counting 1/2 */
    double z;   /* normal score, tie- and continuity-corrected; 0 when exact */
    double p;   /* two-sided p value */
    double auc; /* u / (na * nb): probability that a random a exceeds a random b */
    int exact;  /* 1 when p comes from the exact distribution (small samples, no ties) */
};

/* Compute the test. Uses the exact null distribution when na, nb <= 50 and there are no ties,
 * the normal approximation with tie correction otherwise (p = 1, z = 0 when every value is
 * equal). Returns 0, or -EINVAL when a sample is empty or a value is not finite. */
int stats_dist_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                            struct stats_mwu *out);

/* Ratio median(a) / median(b) with a 95% percentile bootstrap interval (each sample resampled
 * on its own, `reps` times, deterministic for a given seed). */
struct stats_ratio {
    double ratio;
    double lo, hi;
};

/* Returns 0, -EINVAL when a sample is empty, reps < 100, a value is not finite, or
 * median(b) == 0. A resample whose median of b is 0 counts as an infinite ratio (signed like
 * the median of a; +inf when both are 0). */
int stats_dist_ratio(const double *a, size_t na, const double *b, size_t nb, unsigned reps,
                     uint64_t seed, struct stats_ratio *out);

/* Flag outliers by the modified z-score 0.6745 * |x - median| / MAD > threshold (Iglewicz and
 * Hoaglin recommend 3.5). flags[i] is set to 1 (high), -1 (low) or 0. When MAD == 0, values
 * different from the median are flagged only if they differ from it by more than 1% of it.
 * Values that are not finite are left out of the median and MAD and flagged (-1 for -inf,
 * 1 otherwise). Returns the number flagged. */
size_t stats_dist_outliers(const double *x, size_t n, double threshold, signed char *flags);

/* Number of well-separated modes of x, found on a Gaussian kernel density estimate with
 * Silverman's bandwidth on 512 points: a local maximum counts when it holds at least `min_mass`
 * (e.g. 0.1) of the sample between its neighbouring minima and the deepest valley between it
 * and a higher mode is below 0.7 of its own height. Writes up to `max` mode locations,
 * ascending. Returns the count (1 for a unimodal sample, 0 when n < 2 or all values equal), or
 * -EINVAL when a value is not finite. */
int stats_dist_modes(const double *x, size_t n, double min_mass, double *where, int max);

/* Deterministic pseudo-random numbers (xoshiro256**, docs/formats.md §9), for shuffles and
 * bootstraps. */
struct stats_rng {
    uint64_t s[4];
};

void stats_rng_init(struct stats_rng *r, uint64_t seed);
uint64_t stats_rng_next(struct stats_rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t stats_rng_below(struct stats_rng *r, uint64_t n);

#endif
