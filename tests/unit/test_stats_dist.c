/* Unit tests for stats_dist: reference values from numpy/scipy (tests/fixtures/stats_dist.txt,
 * written by gen_stats_dist.py) and statistical properties on samples drawn with the RNG.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats_dist.h"
#include "suites.h"
#include "test.h"

#define MAX_SAMPLES 64

struct sample {
    char name[32];
    size_t n;
    double *v;
};

static struct sample samples[MAX_SAMPLES];
static int nsamples;

static const struct sample *find(const char *name)
{
    for (int i = 0; i < nsamples; i++) {
        if (strcmp(samples[i].name, name) == 0)
            return &samples[i];
    }
    fprintf(stderr, "  no sample %s in the fixture\n", name ? name : "(null)");
    return NULL;
}

static char *tok(char **save)
{
    return strtok_r(NULL, " ", save);
}

static double tok_d(char **save)
{
    char *t = tok(save);

    return t ? strtod(t, NULL) : NAN;
}

static unsigned long long tok_u(char **save)
{
    char *t = tok(save);

    return t ? strtoull(t, NULL, 10) : 0;
}

/* |got - want| <= rel |want|, NaN only against NaN; prints the record on failure. */
static void close_to(const char *what, const char *name, double got, double want, double rel)
{
    int ok = isnan(want) ? isnan(got) : fabs(got - want) <= rel * fabs(want);

    TEST_CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s %s: got %.17g, want %.17g\n", what, name, got, want);
}

static void parse_sample(char **save)
{
    char *name = tok(save);
    size_t n = (size_t)tok_u(save);

    TEST_CHECK(name && n > 0 && nsamples < MAX_SAMPLES);
    if (!name || n == 0 || nsamples >= MAX_SAMPLES)
        return;
    struct sample *s = &samples[nsamples++];
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->n = n;
    s->v = malloc(n * sizeof(*s->v));
    for (size_t i = 0; i < n; i++)
        s->v[i] = tok_d(save);
}

static void check_summary(char **save)
{
    static const char *field[] = {"mean", "sd",  "cv",        "min",       "max",   "q1",  "median",
                                  "q3",   "mad", "median_lo", "median_hi", "level", "skew"};
    const struct sample *s = find(tok(save));
    struct stats_summary r;

    if (!s)
        return;
    double *copy = malloc(s->n * sizeof(*copy));
    memcpy(copy, s->v, s->n * sizeof(*copy));
    TEST_EQ_INT(stats_dist_summary(copy, s->n, &r), 0);
    TEST_CHECK(memcmp(copy, s->v, s->n * sizeof(*copy)) == 0); /* input left alone */
    free(copy);
    TEST_EQ_INT(r.n, s->n);
    double got[] = {r.mean,   r.sd, r.cv,  r.min,       r.max,       r.q1,
                    r.median, r.q3, r.mad, r.median_lo, r.median_hi, r.median_ci_level,
                    r.skew};
    for (size_t i = 0; i < sizeof(got) / sizeof(got[0]); i++)
        close_to(field[i], s->name, got[i], tok_d(save), 1e-9);
    TEST_CHECK(r.median_lo <= r.median && r.median <= r.median_hi);
}

static void check_quantile(char **save)
{
    const struct sample *s = find(tok(save));
    double p = tok_d(save), want = tok_d(save);

    if (s)
        close_to("quantile", s->name, stats_dist_quantile(s->v, s->n, p), want, 1e-9);
}

static void check_mwu(char **save)
{
    const struct sample *a = find(tok(save)), *b = find(tok(save));
    int exact = (int)tok_u(save);
    double u = tok_d(save), p = tok_d(save), auc = tok_d(save), absz = tok_d(save);
    struct stats_mwu r;

    if (!a || !b)
        return;
    TEST_EQ_INT(stats_dist_mann_whitney(a->v, a->n, b->v, b->n, &r), 0);
    TEST_EQ_INT(r.exact, exact);
    close_to("mwu u", a->name, r.u, u, 1e-12);
    close_to("mwu p", a->name, r.p, p, 1e-9);
    close_to("mwu auc", a->name, r.auc, auc, 1e-12);
    close_to("mwu |z|", a->name, fabs(r.z), absz, 1e-8);
    /* z leans the way a does */
    TEST_CHECK(r.z == 0 || (r.z > 0) == (r.u > 0.5 * (double)a->n * (double)b->n));
}

static void check_ratio(char **save)
{
    const struct sample *a = find(tok(save)), *b = find(tok(save));
    unsigned reps = (unsigned)tok_u(save);
    uint64_t seed = tok_u(save);
    double ratio = tok_d(save), lo = tok_d(save), hi = tok_d(save);
    struct stats_ratio r, again;

    if (!a || !b)
        return;
    TEST_EQ_INT(stats_dist_ratio(a->v, a->n, b->v, b->n, reps, seed, &r), 0);
    close_to("ratio", a->name, r.ratio, ratio, 1e-12);
    TEST_CHECK(r.lo <= r.ratio && r.ratio <= r.hi);
    if (!isnan(lo)) { /* the Python re-implementation of the bootstrap */
        close_to("ratio lo", a->name, r.lo, lo, 1e-9);
        close_to("ratio hi", a->name, r.hi, hi, 1e-9);
    } else { /* b = 1.5 a with 2% noise: the interval covers 1.5 and is narrow */
        TEST_CHECK(r.lo < 1.5 && 1.5 < r.hi && r.hi - r.lo < 0.3);
    }
    /* the same seed gives the same interval, another seed another one */
    TEST_EQ_INT(stats_dist_ratio(a->v, a->n, b->v, b->n, reps, seed, &again), 0);
    TEST_CHECK(again.lo == r.lo && again.hi == r.hi && again.ratio == r.ratio);
    TEST_EQ_INT(stats_dist_ratio(a->v, a->n, b->v, b->n, reps, seed + 1, &again), 0);
    TEST_CHECK(again.lo != r.lo || again.hi != r.hi);
}

static void check_outliers(char **save)
{
    const struct sample *s = find(tok(save));
    double thr = tok_d(save);
    size_t count = (size_t)tok_u(save);
    const char *want = tok(save);

    if (!s || !want)
        return;
    signed char *flags = malloc(s->n);
    TEST_EQ_INT(stats_dist_outliers(s->v, s->n, thr, flags), count);
    TEST_EQ_INT(strlen(want), s->n);
    for (size_t i = 0; i < s->n && want[i]; i++) {
        int w = want[i] == '+' ? 1 : (want[i] == '-' ? -1 : 0);
        TEST_EQ_INT(flags[i], w);
    }
    free(flags);
}

static void check_modes(char **save)
{
    const struct sample *s = find(tok(save));
    double min_mass = tok_d(save), where[8];
    int count = (int)tok_u(save);
    double tol = tok_d(save);

    if (!s)
        return;
    int got = stats_dist_modes(s->v, s->n, min_mass, where, 8);
    TEST_EQ_INT(got, count);
    for (int i = 0; i < count && i < got; i++) {
        double loc = tok_d(save);
        TEST_CHECK(fabs(where[i] - loc) < tol);
        if (fabs(where[i] - loc) >= tol)
            fprintf(stderr, "  mode %d of %s at %g, want %g\n", i, s->name, where[i], loc);
    }
}

static void check_rng(char **save, int raw)
{
    struct stats_rng r;

    if (raw) {
        for (int i = 0; i < 4; i++)
            r.s[i] = tok_u(save);
    } else {
        stats_rng_init(&r, tok_u(save));
    }
    for (char *t = tok(save); t; t = tok(save))
        TEST_CHECK(stats_rng_next(&r) == strtoull(t, NULL, 10));
}

static void check_below(char **save)
{
    struct stats_rng r;

    stats_rng_init(&r, tok_u(save));
    uint64_t n = tok_u(save);
    for (char *t = tok(save); t; t = tok(save))
        TEST_CHECK(stats_rng_below(&r, n) == strtoull(t, NULL, 10));
}

static void run_line(char *line)
{
    char *save = NULL, *kind = strtok_r(line, " ", &save);

    if (!kind || kind[0] == '#')
        return;
    if (strcmp(kind, "sample") == 0)
        parse_sample(&save);
    else if (strcmp(kind, "summary") == 0)
        check_summary(&save);
    else if (strcmp(kind, "quantile") == 0)
        check_quantile(&save);
    else if (strcmp(kind, "mwu") == 0)
        check_mwu(&save);
    else if (strcmp(kind, "ratio") == 0)
        check_ratio(&save);
    else if (strcmp(kind, "outliers") == 0)
        check_outliers(&save);
    else if (strcmp(kind, "modes") == 0)
        check_modes(&save);
    else if (strcmp(kind, "rng") == 0 || strcmp(kind, "rngstate") == 0)
        check_rng(&save, kind[3] == 's');
    else if (strcmp(kind, "below") == 0)
        check_below(&save);
    else
        TEST_CHECK(!"unknown fixture record");
}

static void test_fixture(void)
{
    char *buf = test_read_fixture("fixtures/stats_dist.txt", NULL), *save = NULL;
    int records = 0;

    if (!buf)
        return;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        run_line(line);
        records++;
    }
    TEST_CHECK(records > 150 && nsamples > 30);
    for (int i = 0; i < nsamples; i++)
        free(samples[i].v);
    nsamples = 0;
    free(buf);
}

static double uniform(struct stats_rng *r)
{
    return (double)(stats_rng_next(r) >> 11) * 0x1p-53;
}

static double normal(struct stats_rng *r)
{
    double u = 1 - uniform(r), v = uniform(r);

    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A/A pairs from one normal: about 5% reach p < 0.05 (a little less: the exact test is
 * discrete); a shift of one sd is found most of the time. */
static void test_mwu_properties(void)
{
    struct stats_rng rng;
    double a[20], b[20];
    int hits = 0, found = 0;
    struct stats_mwu r;

    stats_rng_init(&rng, 2024);
    for (int t = 0; t < 200; t++) {
        for (int i = 0; i < 20; i++) {
            a[i] = 5 + normal(&rng);
            b[i] = 5 + normal(&rng);
        }
        TEST_EQ_INT(stats_dist_mann_whitney(a, 20, b, 20, &r), 0);
        TEST_EQ_INT(r.exact, 1);
        hits += r.p < 0.05;
        for (int i = 0; i < 20; i++)
            b[i] += 1;
        TEST_EQ_INT(stats_dist_mann_whitney(a, 20, b, 20, &r), 0);
        found += r.p < 0.05;
    }
    TEST_CHECK(hits >= 2 && hits <= 20);
    TEST_CHECK(found >= 140);
    fprintf(stderr, "  A/A false positives %d/200, shift found %d/200\n", hits, found);
}

/* The order-statistic interval covers the median ln 2 of Exp(1) in >= 95% of samples. */
static void test_median_ci_coverage(void)
{
    struct stats_rng rng;
    struct stats_summary s;
    double x[30];
    int covered = 0;

    stats_rng_init(&rng, 77);
    for (int t = 0; t < 200; t++) {
        for (int i = 0; i < 30; i++)
            x[i] = -log(1 - uniform(&rng));
        TEST_EQ_INT(stats_dist_summary(x, 30, &s), 0);
        covered += s.median_lo <= M_LN2 && M_LN2 <= s.median_hi;
        TEST_CHECK(s.median_ci_level >= 0.95 && s.median_ci_level < 0.99);
    }
    TEST_CHECK(covered >= 180);
    fprintf(stderr, "  median CI covered %d/200\n", covered);
}

/* Ratio intervals of lognormal samples whose medians differ by 1.5 cover 1.5 mostly. */
static void test_ratio_coverage(void)
{
    struct stats_rng rng;
    struct stats_ratio r;
    double a[50], b[50];
    int covered = 0;

    stats_rng_init(&rng, 5);
    for (int t = 0; t < 60; t++) {
        for (int i = 0; i < 50; i++) {
            a[i] = 1.5 * exp(0.3 * normal(&rng));
            b[i] = exp(0.3 * normal(&rng));
        }
        TEST_EQ_INT(stats_dist_ratio(a, 50, b, 50, 400, (uint64_t)t, &r), 0);
        covered += r.lo <= 1.5 && 1.5 <= r.hi;
    }
    TEST_CHECK(covered >= 50);
    fprintf(stderr, "  ratio CI covered %d/60\n", covered);
}

static void test_errors(void)
{
    double x[3] = {1, NAN, 2}, y[3] = {1, 2, INFINITY}, ok[3] = {1, 2, 3}, zero[3] = {0, 0, 1};
    struct stats_summary s = {.n = 99};
    struct stats_mwu m = {.u = -1};
    struct stats_ratio r = {.ratio = -1};

    TEST_EQ_INT(stats_dist_summary(ok, 0, &s), -EINVAL);
    TEST_EQ_INT(stats_dist_summary(x, 3, &s), -EINVAL);
    TEST_EQ_INT(stats_dist_summary(y, 3, &s), -EINVAL);
    TEST_EQ_INT(s.n, 99); /* untouched on error */
    TEST_EQ_INT(stats_dist_mann_whitney(ok, 0, ok, 3, &m), -EINVAL);
    TEST_EQ_INT(stats_dist_mann_whitney(ok, 3, ok, 0, &m), -EINVAL);
    TEST_EQ_INT(stats_dist_mann_whitney(ok, 3, x, 3, &m), -EINVAL);
    TEST_CHECK(m.u == -1);
    TEST_EQ_INT(stats_dist_ratio(ok, 0, ok, 3, 100, 1, &r), -EINVAL);
    TEST_EQ_INT(stats_dist_ratio(ok, 3, ok, 0, 100, 1, &r), -EINVAL);
    TEST_EQ_INT(stats_dist_ratio(ok, 3, ok, 3, 99, 1, &r), -EINVAL);
    TEST_EQ_INT(stats_dist_ratio(ok, 3, zero, 3, 100, 1, &r), -EINVAL);
    TEST_EQ_INT(stats_dist_ratio(x, 3, ok, 3, 100, 1, &r), -EINVAL);
    TEST_CHECK(r.ratio == -1);
    TEST_EQ_INT(stats_dist_ratio(ok, 3, ok, 3, 100, 1, &r), 0);
    TEST_CHECK(r.ratio == 1);

    double where[2] = {-1, -1};
    TEST_EQ_INT(stats_dist_modes(x, 3, 0.1, where, 2), -EINVAL);
    TEST_EQ_INT(stats_dist_modes(ok, 1, 0.1, where, 2), 0);
    TEST_EQ_INT(stats_dist_modes(zero, 2, 0.1, where, 2), 0); /* all equal */
    TEST_CHECK(where[0] == -1);

    signed char flags[3] = {9, 9, 9};
    TEST_EQ_INT(stats_dist_outliers(ok, 0, 3.5, flags), 0);
    TEST_EQ_INT(flags[0], 9);
    double odd[5] = {1, 1, NAN, 1, -INFINITY};
    signed char f5[5];
    TEST_EQ_INT(stats_dist_outliers(odd, 5, 3.5, f5), 2);
    TEST_CHECK(f5[0] == 0 && f5[1] == 0 && f5[2] == 1 && f5[3] == 0 && f5[4] == -1);
}

/* One value: the median CI is the value with coverage 0; a one-sided sample of size 5 has
 * coverage 1 - 2/32. Big constant offsets do not cancel the variance away. */
static void test_edges(void)
{
    double one = 4, five[5] = {5, 1, 4, 2, 3};
    struct stats_summary s;

    TEST_EQ_INT(stats_dist_summary(&one, 1, &s), 0);
    TEST_CHECK(s.median_lo == 4 && s.median_hi == 4 && s.median_ci_level == 0);
    TEST_CHECK(s.sd == 0 && s.skew == 0 && s.mad == 0 && s.cv == 0);
    TEST_EQ_INT(stats_dist_summary(five, 5, &s), 0);
    TEST_CHECK(s.median_lo == 1 && s.median_hi == 5 && s.median_ci_level == 1 - 2.0 / 32);
    TEST_CHECK(s.median == 3 && s.q1 == 2 && s.q3 == 4 && s.mad == 1);

    size_t n = 100000;
    double *x = malloc(n * sizeof(*x));
    for (size_t i = 0; i < n; i++)
        x[i] = 1e9 + (double)((i * 7) % 10); /* 1e9 + 0..9, each 10000 times */
    TEST_EQ_INT(stats_dist_summary(x, n, &s), 0);
    TEST_CHECK(s.mean == 1e9 + 4.5);
    TEST_CHECK(fabs(s.sd - sqrt(825000.0 / 99999.0)) < 1e-12);
    TEST_CHECK(fabs(s.skew) < 1e-12 && s.median == 1e9 + 4.5 && s.mad == 2.5);
    TEST_CHECK(s.median_lo == 1e9 + 4 && s.median_hi == 1e9 + 5);
    TEST_CHECK(stats_dist_quantile(x, n, 0.95) == 1e9 + 9);
    TEST_CHECK(stats_dist_quantile(x, n, 0.5) == 1e9 + 4.5);
    TEST_CHECK(stats_dist_quantile(x, n, 0) == 1e9 && stats_dist_quantile(x, n, 1) == 1e9 + 9);
    free(x);
}

/* Bounded draws: in range, and without modulo bias. With n = 2/3 of 2^64, x % n would put
 * 2/3 of the draws below n / 2. */
static void test_below(void)
{
    struct stats_rng r;
    uint64_t n = 0xAAAAAAAAAAAAAAAAu;
    int low = 0, counts[6] = {0}, inrange = 1;

    stats_rng_init(&r, 99);
    for (int i = 0; i < 20000; i++) {
        uint64_t v = stats_rng_below(&r, n);
        inrange &= v < n;
        low += v < n / 2;
    }
    TEST_CHECK(inrange);
    TEST_CHECK(low > 9700 && low < 10300);
    for (int i = 0; i < 60000; i++)
        counts[stats_rng_below(&r, 6)]++;
    for (int i = 0; i < 6; i++)
        TEST_CHECK(counts[i] > 9700 && counts[i] < 10300);
    TEST_CHECK(stats_rng_below(&r, 1) == 0);
}

/* Modes: max limits what is written; the locations are ascending. */
static void test_modes_where(void)
{
    struct stats_rng rng;
    double x[900], where[3] = {0, 0, -7};

    stats_rng_init(&rng, 3);
    for (int i = 0; i < 900; i++)
        x[i] = (i % 3) * 10 + normal(&rng);
    TEST_EQ_INT(stats_dist_modes(x, 900, 0.1, where, 3), 3);
    TEST_CHECK(fabs(where[0]) < 0.5 && fabs(where[1] - 10) < 0.5 && fabs(where[2] - 20) < 0.5);
    where[1] = -7;
    TEST_EQ_INT(stats_dist_modes(x, 900, 0.1, where, 1), 3);
    TEST_CHECK(where[1] == -7);
    /* a third of the mass is not enough when 0.4 is asked */
    TEST_EQ_INT(stats_dist_modes(x, 900, 0.4, where, 3), 1);
    /* one run 1000 times slower must not hide two modes 3 apart (the grid is fenced) */
    for (int i = 0; i < 600; i++)
        x[i] = 100 + (i % 2) * 3 + 0.5 * normal(&rng);
    x[600] = 1e5;
    TEST_EQ_INT(stats_dist_modes(x, 601, 0.1, where, 3), 2);
    TEST_CHECK(fabs(where[0] - 100) < 0.3 && fabs(where[1] - 103) < 0.3);
}

void test_stats_dist(void)
{
    test_fixture();
    test_errors();
    test_edges();
    test_below();
    test_mwu_properties();
    test_median_ci_coverage();
    test_ratio_coverage();
    test_modes_where();
}
