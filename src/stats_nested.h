/* Statistics of values that come in clusters: `spyglass timeit` takes several values in each of
 * several worker processes, and values of one process share its luck (memory layout, hash
 * seeds, caches), so they are not independent. Intervals and tests here treat the process
 * (cluster) as the unit, so that an A/A comparison is significant no more often than alpha.
 * Built on stats_dist. Data in, data out.
 * SPDX-License-Identifier: MIT */
#ifndef STATS_NESTED_H
#define STATS_NESTED_H

#include <stddef.h>
#include <stdint.h>

/* Values x[0..n-1] in clusters: cluster c holds the len[c] values starting at
 * x[len[0] + ... + len[c-1]]. Every len[c] >= 1; the lens sum to n. */
struct stats_clusters {
    const double *x;
    const size_t *len;
    size_t nclusters;
};

struct stats_nested {
    size_t nclusters;
    size_t n;          /* values in all */
    double mean, sd;   /* of all values (sd with n - 1; 0 when n < 2) */
    double min, max;   /* of all values */
    double median;     /* of all values (type 7) */
    double median_lo;  /* 95% interval of the median from a two-stage bootstrap: */
    double median_hi;  /* resample clusters, then values within each chosen cluster */
    double between_sd; /* sd of the cluster means (0 with one cluster) */
    double within_sd;  /* pooled sd of values around their cluster's mean */
    double icc;        /* share (0..1) of the variance that lies between clusters
                          (one-way ANOVA estimator, clipped to [0, 1]) */
    double n_eff;      /* effective number of independent values: n / design effect */
};

/* Summarise c with a `reps`-fold bootstrap (deterministic for a seed). Returns 0, or -EINVAL
 * when there is no value, a len is 0, a value is not finite or reps < 100. */
int stats_nested_summary(const struct stats_clusters *c, unsigned reps, uint64_t seed,
                         struct stats_nested *out);

/* a against b. */
struct stats_nested_cmp {
    double ratio;  /* median(all of a) / median(all of b) */
    double lo, hi; /* 95% two-stage bootstrap interval of the ratio (each side resampled on its
                      own, clusters then values) */
    double p;      /* two-sided p of an exact (or normal, past 50 clusters a side) Mann-Whitney
                      test on the cluster medians: clusters are the independent units */
    double auc;    /* P(a random cluster median of a > one of b) */
};

/* Returns 0, or -EINVAL as stats_nested_summary() or when median(b) == 0. */
int stats_nested_compare(const struct stats_clusters *a, const struct stats_clusters *b,
                         unsigned reps, uint64_t seed, struct stats_nested_cmp *out);

#endif
