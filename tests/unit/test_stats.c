/* Unit tests for stats: the 95% Wilson score half-width against values computed in Python.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "stats.h"
#include "suites.h"
#include "test.h"

/* Reference: z = NormalDist().inv_cdf(0.975); p = k/n; d = 1 + z*z/n;
 * half = z*sqrt(p*(1-p)/n + z*z/(4*n*n))/d (Python 3.11 float arithmetic). */
static void check_margin(uint64_t k, uint64_t n, double want)
{
    double got = stats_binomial_margin(k, n);

    TEST_CHECK(fabs(got - want) < 1e-9);
    if (fabs(got - want) >= 1e-9)
        fprintf(stderr, "  margin(%llu, %llu) = %.12f, want %.12f\n", (unsigned long long)k,
                (unsigned long long)n, got, want);
}

static void test_known_values(void)
{
    /* 75/100: the interval is [0.6569554, 0.8245479], half-width 0.0837963. */
    TEST_CHECK(fabs(stats_binomial_margin(75, 100) - 0.0838) < 1e-4);
    check_margin(75, 100, 0.0837962609);
    check_margin(500, 1000, 0.0309303996);
    check_margin(1, 10, 0.1931369069);
    check_margin(3, 7, 0.2956608901);
    check_margin(1, 1, 0.3967253428);
    check_margin(0, 10000, 0.0001919992);
}

static void test_edges(void)
{
    TEST_CHECK(stats_binomial_margin(0, 0) == 0);
    TEST_CHECK(stats_binomial_margin(5, 0) == 0);
    /* k = 0 and k = n: unlike the Wald interval, Wilson's is not empty. */
    check_margin(0, 100, 0.0184967491);
    check_margin(100, 100, 0.0184967491);
    TEST_CHECK(stats_binomial_margin(0, 100) > 0);
    /* Symmetric in k <-> n-k, largest at one half, shrinking like 1/sqrt(n). */
    TEST_CHECK(fabs(stats_binomial_margin(30, 100) - stats_binomial_margin(70, 100)) < 1e-15);
    TEST_CHECK(stats_binomial_margin(50, 100) > stats_binomial_margin(49, 100));
    TEST_CHECK(stats_binomial_margin(50, 100) > stats_binomial_margin(51, 100));
    double m1 = stats_binomial_margin(5000, 10000), m4 = stats_binomial_margin(20000, 40000);
    TEST_CHECK(fabs(m1 / m4 - 2) < 1e-3);
    /* Huge n stays finite and tiny. */
    double big = stats_binomial_margin(UINT64_MAX / 2, UINT64_MAX);
    TEST_CHECK(isfinite(big) && big > 0 && big < 1e-9);
    for (uint64_t k = 0; k <= 20; k++) {
        double m = stats_binomial_margin(k, 20);
        TEST_CHECK(m > 0 && m < 0.5);
    }
}

void test_stats(void)
{
    test_known_values();
    test_edges();
}
