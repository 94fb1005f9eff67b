/* Binomial margins (Wilson score interval).
 * SPDX-License-Identifier: MIT */
#include "stats.h"

#include <math.h>

double stats_binomial_margin(uint64_t k, uint64_t n)
{
    const double z = 1.959963984540054; /* 97.5th percentile of the normal distribution */
    if (n == 0)
        return 0;
    double p = (double)k / (double)n, nn = (double)n;
    double denom = 1 + z * z / nn;
    return z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
}
