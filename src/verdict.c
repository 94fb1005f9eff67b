/* The significance and regression rule of bench and timeit (see verdict.h).
 * SPDX-License-Identifier: MIT */
#include "verdict.h"

enum verdict verdict_compare(const struct verdict_cmp *c, double alpha)
{
    /* Written so that a NaN p, lo or hi fails every test. */
    if (!(c->p < alpha))
        return VERDICT_SAME;
    if (c->lo > 1)
        return VERDICT_SLOWER;
    if (c->hi < 1)
        return VERDICT_FASTER;
    return VERDICT_SAME;
}

enum verdict verdict_baseline(const struct verdict_cmp *c, double alpha, double max_regression)
{
    enum verdict v = verdict_compare(c, alpha);

    if (v == VERDICT_SLOWER && c->ratio > verdict_limit(max_regression))
        return VERDICT_REGRESSION;
    return v;
}

double verdict_limit(double max_regression)
{
    return 1 + max_regression / 100;
}

int verdict_significant(enum verdict v)
{
    return v != VERDICT_SAME;
}

int verdict_slower(enum verdict v)
{
    return v == VERDICT_SLOWER || v == VERDICT_REGRESSION;
}
