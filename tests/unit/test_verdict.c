/* Unit tests for verdict, the rule bench and timeit share: the edges of each test (p exactly
 * alpha, an interval touching 1, a slowdown exactly at --max-regression, NaN figures), p and the
 * interval disagreeing; and bench's writers saying the verdict they are given (text words and
 * JSON flags shared with timeit's).
 * SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_bench.h"
#include "suites.h"
#include "test.h"
#include "verdict.h"

static struct verdict_cmp cmp(double ratio, double lo, double hi, double p)
{
    return (struct verdict_cmp){.ratio = ratio, .lo = lo, .hi = hi, .p = p};
}

/* p must be strictly below alpha. */
static void test_p(void)
{
    struct verdict_cmp c = cmp(1.5, 1.2, 1.8, 0.01);

    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SAME);
    c.p = nextafter(0.01, 0);
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SLOWER);
    c.p = 0;
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SLOWER);
    c.p = 0.3;
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SAME);
    TEST_EQ_INT(verdict_compare(&c, 0.49), VERDICT_SLOWER);
}

/* The interval must exclude 1 strictly, and it gives the direction. */
static void test_interval(void)
{
    struct verdict_cmp c = cmp(1.2, 1, 1.4, 1e-6);

    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SAME); /* touching 1 from above */
    c.lo = nextafter(1, 2);
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SLOWER);
    c = cmp(0.8, 0.6, 1, 1e-6);
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SAME); /* touching 1 from below */
    c.hi = nextafter(1, 0);
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_FASTER);
    /* p and the interval disagree: a tiny p with an interval that holds 1 (what bench alone
     * used to call significant), and an interval far from 1 with a large p. */
    c = cmp(1.05, 0.45, 7, 0.003);
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SAME);
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 0), VERDICT_SAME);
    c = cmp(2, 1.5, 2.5, 0.2);
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SAME);
    /* The direction is the interval's, not the point's (a point outside its own interval). */
    c = cmp(0.99, 1.01, 1.2, 1e-6);
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SLOWER);
}

/* A slowdown beyond the tolerance, strictly, is a regression; exactly at it is not. */
static void test_regression(void)
{
    double limit = verdict_limit(5);
    struct verdict_cmp c = cmp(limit, 1.01, 1.2, 1e-4);

    TEST_CHECK(limit == 1 + 5.0 / 100);
    TEST_CHECK(verdict_limit(0) == 1);
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 5), VERDICT_SLOWER);
    c.ratio = nextafter(limit, 2);
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 5), VERDICT_REGRESSION);
    TEST_EQ_INT(verdict_compare(&c, 0.01), VERDICT_SLOWER); /* no tolerance: never a regression */
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 25), VERDICT_SLOWER);
    c.p = 0.01; /* beyond the limit but not significant */
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 5), VERDICT_SAME);
    /* --max-regression 0: any significant slowdown. */
    c = cmp(nextafter(1, 2), nextafter(1, 2), 1.1, 1e-4);
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 0), VERDICT_REGRESSION);
    /* Faster is never a regression, whatever the ratio says. */
    c = cmp(3, 0.4, 0.6, 1e-4);
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 5), VERDICT_FASTER);
    TEST_CHECK(verdict_significant(VERDICT_FASTER) && verdict_significant(VERDICT_SLOWER) &&
               verdict_significant(VERDICT_REGRESSION) && !verdict_significant(VERDICT_SAME));
    TEST_CHECK(verdict_slower(VERDICT_SLOWER) && verdict_slower(VERDICT_REGRESSION) &&
               !verdict_slower(VERDICT_FASTER) && !verdict_slower(VERDICT_SAME));
}

/* A figure that could not be computed makes no difference significant. */
static void test_nan(void)
{
    struct verdict_cmp c = cmp(2, 1.5, 2.5, NAN);

    TEST_EQ_INT(verdict_baseline(&c, 0.01, 5), VERDICT_SAME);
    c = cmp(2, NAN, NAN, 1e-4);
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 5), VERDICT_SAME);
    c = cmp(NAN, 1.5, 2.5, 1e-4);
    TEST_EQ_INT(verdict_baseline(&c, 0.01, 5), VERDICT_SLOWER);
}

/* The words both reports say about a baseline. */
static void test_words(void)
{
    char buf[32];

    TEST_EQ_STR(out_bench_fmt_change(buf, VERDICT_SAME, 1.5), "no significant change");
    TEST_EQ_STR(out_bench_fmt_change(buf, VERDICT_FASTER, 0.8), "20.0% faster");
    TEST_EQ_STR(out_bench_fmt_change(buf, VERDICT_SLOWER, 1.03), "3.0% slower");
    TEST_EQ_STR(out_bench_fmt_change(buf, VERDICT_REGRESSION, 1.25), "25.0% slower  REGRESSION");
}

/* Two commands, 'b' compared with the reference 'a' and both with a baseline. */
struct fixture {
    struct bench_cmd cmds[2];
    struct bench_cmd_sum sums[2];
    struct bench_cmp cmps[2], base[2];
    enum verdict verdicts[2], base_verdicts[2];
    int has_base[2];
    struct out_bench o;
};

static char *const argv_a[] = {"a", NULL}, *const argv_b[] = {"b", NULL};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->cmds[0] = (struct bench_cmd){.name = "a", .argv = argv_a};
    f->cmds[1] = (struct bench_cmd){.name = "b", .argv = argv_b};
    for (int i = 0; i < 2; i++) {
        f->sums[i].cmd = i;
        f->sums[i].n = 10;
        f->sums[i].other_cpu = -1;
        f->sums[i].m[BENCH_M_WALL].median = 0.01 * (i + 1);
        f->has_base[i] = 1;
        f->base[i] = (struct bench_cmp){.cmd = i, .ref = -1};
    }
    /* Figures that look like a large significant slowdown everywhere. */
    f->cmps[1] = (struct bench_cmp){.cmd = 1, .ref = 0, .ratio = {2, 1.8, 2.2}, .mwu = {.p = 1e-5}};
    f->base[0].ratio = (struct stats_ratio){1.5, 1.3, 1.7};
    f->base[0].mwu.p = 1e-5;
    f->base[1].ratio = (struct stats_ratio){1.5, 1.3, 1.7};
    f->base[1].mwu.p = 1e-5;
    f->o = (struct out_bench){
        .cmds = f->cmds,
        .ncmds = 2,
        .sums = f->sums,
        .cmps = f->cmps,
        .verdicts = f->verdicts,
        .ref = 0,
        .base = f->base,
        .base_verdicts = f->base_verdicts,
        .has_base = f->has_base,
        .max_regression = 5,
        .shell_cmd = -1,
        .meta = {.run = {.version = "0.1"}, .rss_method = "taskstats", .shell = "", .alpha = 0.01}};
}

typedef int (*bench_writer_fn)(FILE *f, const struct out_bench *o);

/* What fn writes of o, as a malloc'd string. */
static char *written(bench_writer_fn fn, const struct out_bench *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    TEST_EQ_INT(fn(f, o), 0);
    fclose(f);
    return buf;
}

/* bench's writers say the verdicts given, not the figures' own. */
static void test_bench_writers(void)
{
    static struct fixture f;
    json_t *j, *c;
    char *r;

    fixture_init(&f);
    f.verdicts[1] = VERDICT_SAME;
    f.base_verdicts[0] = VERDICT_REGRESSION;
    f.base_verdicts[1] = VERDICT_SAME;
    r = written(out_bench_text, &f.o);
    TEST_CHECK(strstr(r, "  'b' and 'a': no significant difference (ratio 2.000") != NULL);
    TEST_CHECK(strstr(r, "  Baseline:          1.500× the baseline's median (95% CI 1.300–1.700, "
                         "p<0.001): 50.0% slower  REGRESSION\n") != NULL);
    TEST_CHECK(strstr(r, "p<0.001): no significant change\n") != NULL);
    free(r);
    f.verdicts[1] = VERDICT_SLOWER;
    r = written(out_bench_text, &f.o);
    TEST_CHECK(strstr(r, "  'a' is 2.00× ± 0.20 faster than 'b' (p<0.001)\n") != NULL);
    free(r);

    r = written(out_bench_json, &f.o);
    j = json_loads(r, 0, NULL);
    TEST_CHECK(j != NULL);
    c = json_array_get(json_object_get(j, "commands"), 0);
    TEST_CHECK(json_is_true(json_object_get(json_object_get(c, "baseline"), "significant")));
    TEST_CHECK(json_is_true(json_object_get(json_object_get(c, "baseline"), "regression")));
    c = json_array_get(json_object_get(j, "commands"), 1);
    TEST_CHECK(json_is_false(json_object_get(json_object_get(c, "baseline"), "significant")));
    TEST_CHECK(json_is_false(json_object_get(json_object_get(c, "baseline"), "regression")));
    TEST_CHECK(json_is_true(
        json_object_get(json_object_get(json_object_get(c, "comparison"), "vs"), "significant")));
    json_decref(j);
    free(r);
}

void test_verdict(void)
{
    test_p();
    test_interval();
    test_regression();
    test_nan();
    test_words();
    test_bench_writers();
}
