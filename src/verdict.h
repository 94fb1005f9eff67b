/* The one rule that `bench` and `timeit` apply to a comparison of two timings: whether it is a
 * significant difference, in which direction, and whether a slowdown against a baseline is a
 * regression (exit 4). Writers print the verdict they are given; only the CLI makes it.
 *
 * The rule. A comparison of a with b (a command with the reference, or this run with the
 * baseline) gives the ratio of their medians, median(a) / median(b), a 95% interval of that
 * ratio (bootstrap) and the two-sided p-value of a Mann-Whitney test. The p-value and the
 * interval come from different methods and can disagree (a shift in ranks the test sees while
 * the medians' interval still holds 1, or the other way round), so a difference is significant
 * only when both say so: p < alpha (strictly) AND the interval excludes 1 (lo > 1 or hi < 1,
 * strictly: an interval touching 1 holds it). The interval gives the direction: above 1 is
 * slower (a takes longer), below 1 faster. A significant slowdown against a baseline is a
 * regression when the ratio itself (the point estimate) is above 1 + max_regression / 100,
 * strictly: a slowdown of exactly --max-regression percent is tolerated. A NaN p or interval
 * bound makes no difference significant; a NaN ratio is no regression.
 * SPDX-License-Identifier: MIT */
#ifndef VERDICT_H
#define VERDICT_H

enum verdict {
    VERDICT_SAME = 0,   /* no significant difference */
    VERDICT_FASTER,     /* significant, the interval below 1: a is faster than b */
    VERDICT_SLOWER,     /* significant, the interval above 1, within the tolerance (if any) */
    VERDICT_REGRESSION, /* significant, the interval above 1 and the ratio beyond the tolerance */
};

/* The figures of a comparison of a with b. */
struct verdict_cmp {
    double ratio;  /* median(a) / median(b) */
    double lo, hi; /* 95% interval of the ratio */
    double p;      /* two-sided p-value of the test of a against b */
};

/* The verdict on c at significance level alpha: VERDICT_SAME, _FASTER or _SLOWER (never
 * _REGRESSION: for comparisons without a tolerance, such as with the reference). */
enum verdict verdict_compare(const struct verdict_cmp *c, double alpha);

/* The verdict on c, a run against its baseline, at level alpha with max_regression percent of
 * slowdown tolerated: as verdict_compare(), and VERDICT_REGRESSION instead of VERDICT_SLOWER
 * when c->ratio > verdict_limit(max_regression). */
enum verdict verdict_baseline(const struct verdict_cmp *c, double alpha, double max_regression);

/* The largest ratio tolerated against a baseline: 1 + max_regression / 100. */
double verdict_limit(double max_regression);

/* 1 when v is a significant difference (anything but VERDICT_SAME). */
int verdict_significant(enum verdict v);

/* 1 when v is a significant slowdown (VERDICT_SLOWER or VERDICT_REGRESSION). */
int verdict_slower(enum verdict v);

#endif
