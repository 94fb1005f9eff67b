/* Unit tests for stats_nested: reference values from numpy/scipy and a Python re-implementation
 * of the bootstrap (tests/fixtures/stats_nested.txt, written by gen_stats_nested.py), the
 * errors of the contract, and its calibration by simulation: false positives of A/A
 * comparisons with correlated values, power and the coverage of the intervals.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats_dist.h"
#include "stats_nested.h"
#include "suites.h"
#include "test.h"

#define MAX_SETS 32

struct set {
    char name[32];
    double *x;
    size_t *len;
    struct stats_clusters c;
};

static struct set sets[MAX_SETS];
static int nsets;

static const struct stats_clusters *find(const char *name)
{
    for (int i = 0; i < nsets; i++) {
        if (name && strcmp(sets[i].name, name) == 0)
            return &sets[i].c;
    }
    fprintf(stderr, "  no cluster set %s in the fixture\n", name ? name : "(null)");
    TEST_CHECK(!"cluster set in the fixture");
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

/* |got - want| <= rel |want| (exact equality for want == 0); prints the record on failure. */
static void close_to(const char *what, const char *name, double got, double want, double rel)
{
    int ok = fabs(got - want) <= rel * fabs(want);

    TEST_CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s %s: got %.17g, want %.17g\n", what, name, got, want);
}

static void parse_clusters(char **save)
{
    char *name = tok(save);
    size_t k = (size_t)tok_u(save), n = 0;

    TEST_CHECK(name && k > 0 && nsets < MAX_SETS);
    if (!name || k == 0 || nsets >= MAX_SETS)
        return;
    struct set *s = &sets[nsets++];
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->len = malloc(k * sizeof(*s->len));
    for (size_t i = 0; i < k; i++)
        n += s->len[i] = (size_t)tok_u(save);
    s->x = malloc(n * sizeof(*s->x));
    for (size_t i = 0; i < n; i++)
        s->x[i] = tok_d(save);
    s->c = (struct stats_clusters){.x = s->x, .len = s->len, .nclusters = k};
}

static void check_nested(char **save)
{
    static const char *field[] = {"mean",      "sd",        "min",       "max",
                                  "median",    "median_lo", "median_hi", "between_sd",
                                  "within_sd", "icc",       "n_eff"};
    /* The bootstrap draws the same values as the reference: only rounding may differ. */
    static const double rel[] = {1e-14, 1e-13, 0,     0,     1e-15, 1e-15,
                                 1e-15, 1e-12, 1e-12, 1e-11, 1e-12};
    char *name = tok(save);
    const struct stats_clusters *c = find(name);
    unsigned reps = (unsigned)tok_u(save);
    uint64_t seed = tok_u(save);
    struct stats_nested r;

    if (!c)
        return;
    TEST_EQ_INT(stats_nested_summary(c, reps, seed, &r), 0);
    double got[] = {r.mean,      r.sd,         r.min,       r.max, r.median, r.median_lo,
                    r.median_hi, r.between_sd, r.within_sd, r.icc, r.n_eff};
    for (size_t i = 0; i < sizeof(got) / sizeof(got[0]); i++)
        close_to(field[i], name, got[i], tok_d(save), rel[i]);
    TEST_EQ_INT(r.nclusters, c->nclusters);
}

static void check_cmp(char **save)
{
    static const char *field[] = {"ratio", "lo", "hi", "p", "auc"};
    static const double rel[] = {1e-15, 1e-14, 1e-14, 1e-9, 1e-15};
    char *na = tok(save), *nb = tok(save);
    const struct stats_clusters *a = find(na), *b = find(nb);
    unsigned reps = (unsigned)tok_u(save);
    uint64_t seed = tok_u(save);
    struct stats_nested_cmp r;

    if (!a || !b)
        return;
    TEST_EQ_INT(stats_nested_compare(a, b, reps, seed, &r), 0);
    double got[] = {r.ratio, r.lo, r.hi, r.p, r.auc};
    for (size_t i = 0; i < sizeof(got) / sizeof(got[0]); i++)
        close_to(field[i], na, got[i], tok_d(save), rel[i]);
}

static void test_fixture(void)
{
    char *buf = test_read_fixture("fixtures/stats_nested.txt", NULL), *save = NULL;
    int records = 0;

    if (!buf)
        return;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *lsave = NULL, *kind = strtok_r(line, " ", &lsave);

        if (!kind || kind[0] == '#')
            continue;
        records++;
        if (strcmp(kind, "clusters") == 0)
            parse_clusters(&lsave);
        else if (strcmp(kind, "nested") == 0)
            check_nested(&lsave);
        else if (strcmp(kind, "cmp") == 0)
            check_cmp(&lsave);
        else
            TEST_CHECK(!"unknown fixture record");
    }
    TEST_CHECK(records >= 30);
    free(buf);
}

static void test_errors(void)
{
    double x[] = {1, 2, 3, 4}, bad[] = {1, NAN, 3, 4}, inf[] = {1, 2, INFINITY, 4};
    double zero[] = {0, 0, 1, 0};
    size_t len[] = {2, 2}, holey[] = {2, 0, 2};
    struct stats_clusters ok = {x, len, 2}, none = {x, len, 0}, empty = {x, holey, 3};
    struct stats_clusters nan = {bad, len, 2}, big = {inf, len, 2}, z = {zero, len, 2};
    struct stats_nested r = {.n = 77};
    struct stats_nested_cmp m = {.ratio = 77};

    TEST_EQ_INT(stats_nested_summary(&none, 1000, 1, &r), -EINVAL);
    TEST_EQ_INT(stats_nested_summary(&empty, 1000, 1, &r), -EINVAL);
    TEST_EQ_INT(stats_nested_summary(&nan, 1000, 1, &r), -EINVAL);
    TEST_EQ_INT(stats_nested_summary(&big, 1000, 1, &r), -EINVAL);
    TEST_EQ_INT(stats_nested_summary(&ok, 99, 1, &r), -EINVAL);
    TEST_EQ_INT(r.n, 77); /* untouched on failure */
    TEST_EQ_INT(stats_nested_summary(&ok, 100, 1, &r), 0);
    TEST_EQ_INT(r.n, 4);

    TEST_EQ_INT(stats_nested_compare(&ok, &z, 1000, 1, &m), -EINVAL); /* median(b) == 0 */
    TEST_EQ_INT(stats_nested_compare(&nan, &ok, 1000, 1, &m), -EINVAL);
    TEST_EQ_INT(stats_nested_compare(&ok, &big, 1000, 1, &m), -EINVAL);
    TEST_EQ_INT(stats_nested_compare(&empty, &ok, 1000, 1, &m), -EINVAL);
    TEST_EQ_INT(stats_nested_compare(&ok, &none, 1000, 1, &m), -EINVAL);
    TEST_EQ_INT(stats_nested_compare(&ok, &ok, 99, 1, &m), -EINVAL);
    TEST_CHECK(m.ratio == 77);
    TEST_EQ_INT(stats_nested_compare(&z, &ok, 100, 1, &m), 0); /* median(a) == 0 is fine */
    TEST_CHECK(m.ratio == 0);
}

/* A standard normal value (Box-Muller; one of the pair is dropped). */
static double normal(struct stats_rng *rng)
{
    double u = ((double)(stats_rng_next(rng) >> 11) + 1) * 0x1p-53; /* (0, 1] */
    double v = (double)(stats_rng_next(rng) >> 11) * 0x1p-53;

    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* k clusters of m values: centre + a cluster effect N(0, between) + N(0, within) each. */
static void draw(struct stats_rng *rng, double *x, size_t k, size_t m, double centre,
                 double between, double within)
{
    for (size_t i = 0; i < k; i++) {
        double effect = between * normal(rng);
        for (size_t j = 0; j < m; j++)
            x[i * m + j] = centre * (1 + effect + within * normal(rng));
    }
}

static void test_determinism(void)
{
    struct stats_rng rng;
    double x[50], y[50];
    size_t len[10];
    struct stats_clusters a = {x, len, 10}, b = {y, len, 10};
    struct stats_nested s1, s2, s3;
    struct stats_nested_cmp c1, c2, c3;

    for (int i = 0; i < 10; i++)
        len[i] = 5;
    stats_rng_init(&rng, 5);
    draw(&rng, x, 10, 5, 1, 0.06, 0.02);
    draw(&rng, y, 10, 5, 1, 0.06, 0.02);
    TEST_EQ_INT(stats_nested_summary(&a, 500, 42, &s1), 0);
    TEST_EQ_INT(stats_nested_summary(&a, 500, 42, &s2), 0);
    TEST_EQ_INT(stats_nested_summary(&a, 500, 43, &s3), 0);
    TEST_CHECK(memcmp(&s1, &s2, sizeof(s1)) == 0);
    TEST_CHECK(s1.median_lo != s3.median_lo || s1.median_hi != s3.median_hi);
    TEST_CHECK(s1.median_lo < s1.median && s1.median < s1.median_hi);
    TEST_EQ_INT(stats_nested_compare(&a, &b, 500, 42, &c1), 0);
    TEST_EQ_INT(stats_nested_compare(&a, &b, 500, 42, &c2), 0);
    TEST_EQ_INT(stats_nested_compare(&a, &b, 500, 43, &c3), 0);
    TEST_CHECK(memcmp(&c1, &c2, sizeof(c1)) == 0);
    TEST_CHECK(c1.lo != c3.lo || c1.hi != c3.hi);
    TEST_CHECK(c1.p == c3.p && c1.ratio == c3.ratio); /* no randomness in these */
    TEST_CHECK(c1.lo < c1.ratio && c1.ratio < c1.hi);
}

/* Simulated benchmarks: 10 workers x 5 values a side, worker effects with 3 times the sd of
 * the values within a worker (an intraclass correlation of 0.9, as timeit workers can show).
 * Binomial tolerances are 3 standard deviations. */
#define SIM_SETS    400
#define SIM_K       10
#define SIM_M       5
#define SIM_BETWEEN 0.09 /* relative sd of a worker's effect */
#define SIM_WITHIN  0.03 /* relative sd of a value around its worker's mean */

static int binomial_ok(const char *what, int hits, int n, double p)
{
    double rate = (double)hits / n, tol = 3 * sqrt(p * (1 - p) / n);
    int ok = fabs(rate - p) <= tol;

    fprintf(stderr, "  %s: %.3f (expected %.3f ± %.3f)\n", what, rate, p, tol);
    return ok;
}

static void test_calibration(void)
{
    static double x[SIM_K * SIM_M], y[SIM_K * SIM_M];
    size_t len[SIM_K];
    struct stats_clusters a = {x, len, SIM_K}, b = {y, len, SIM_K};
    struct stats_rng rng;
    int fp = 0, naive_fp = 0, covered = 0, median_covered = 0, power = 0, naive_power = 0;

    for (int i = 0; i < SIM_K; i++)
        len[i] = SIM_M;
    stats_rng_init(&rng, 2024);
    for (int s = 0; s < SIM_SETS; s++) {
        struct stats_nested_cmp c;
        struct stats_nested sum;
        struct stats_mwu u;

        draw(&rng, x, SIM_K, SIM_M, 1, SIM_BETWEEN, SIM_WITHIN);
        draw(&rng, y, SIM_K, SIM_M, 1, SIM_BETWEEN, SIM_WITHIN);
        TEST_EQ_INT(stats_nested_compare(&a, &b, 500, (uint64_t)s, &c), 0);
        TEST_EQ_INT(stats_nested_summary(&a, 500, (uint64_t)s, &sum), 0);
        TEST_EQ_INT(stats_dist_mann_whitney(x, SIM_K * SIM_M, y, SIM_K * SIM_M, &u), 0);
        fp += c.p < 0.05;
        naive_fp += u.p < 0.05;
        covered += c.lo <= 1 && 1 <= c.hi;
        median_covered += sum.median_lo <= 1 && 1 <= sum.median_hi;

        draw(&rng, y, SIM_K, SIM_M, 1.2, SIM_BETWEEN, SIM_WITHIN); /* a 20% slower b */
        TEST_EQ_INT(stats_nested_compare(&a, &b, 100, (uint64_t)s, &c), 0);
        TEST_EQ_INT(stats_dist_mann_whitney(x, SIM_K * SIM_M, y, SIM_K * SIM_M, &u), 0);
        power += c.p < 0.05 && c.ratio < 1;
        naive_power += u.p < 0.05;
    }
    TEST_CHECK(binomial_ok("A/A false positives, clustered test", fp, SIM_SETS, 0.05));
    fprintf(stderr, "  A/A false positives, naive test on all values: %.3f\n",
            (double)naive_fp / SIM_SETS);
    TEST_CHECK(naive_fp >= 5 * fp && naive_fp > SIM_SETS / 4);
    TEST_CHECK(binomial_ok("coverage of the ratio's 95% interval", covered, SIM_SETS, 0.95));
    TEST_CHECK(
        binomial_ok("coverage of the median's 95% interval", median_covered, SIM_SETS, 0.95));
    fprintf(stderr, "  power for a 20%% shift: %.3f clustered, %.3f naive\n",
            (double)power / SIM_SETS, (double)naive_power / SIM_SETS);
    TEST_CHECK(power >= SIM_SETS * 8 / 10);
}

void test_stats_nested(void)
{
    test_fixture();
    test_errors();
    test_determinism();
    test_calibration();
    for (int i = 0; i < nsets; i++) {
        free(sets[i].x);
        free(sets[i].len);
    }
    nsets = 0;
}
