/* Statistics shared by the reports: margins of sampled shares.
 * SPDX-License-Identifier: MIT */
#ifndef STATS_H
#define STATS_H

#include <stdint.h>

/* Half-width of the 95% Wilson score interval of the share k/n, as a fraction (0..1).
 * For the share of samples falling in a function, this is how far the true share of time can
 * plausibly be from the measured one. Returns 0 when n == 0. */
double stats_binomial_margin(uint64_t k, uint64_t n);

#endif
