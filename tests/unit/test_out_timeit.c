/* Unit tests for out_timeit: units and the terminal report of a synthetic run (figures in the
 * benchmark's unit, the plain-words summary in both directions, the verdicts said as given,
 * warnings, the partial-results line, a write error). The rules are test_verdict.c's.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_timeit.h"
#include "suites.h"
#include "test.h"

static void test_fmt(void)
{
    char buf[32];

    out_timeit_fmt(buf, sizeof(buf), 4.512e-6, 4.512e-6);
    TEST_EQ_STR(buf, "4.512 µs");
    out_timeit_fmt(buf, sizeof(buf), 0.061e-6, 4.512e-6); /* in the median's unit */
    TEST_EQ_STR(buf, "0.061 µs");
    out_timeit_fmt(buf, sizeof(buf), 12.5e-9, 12.5e-9);
    TEST_EQ_STR(buf, "12.50 ns");
    out_timeit_fmt(buf, sizeof(buf), 0.25, 0.25);
    TEST_EQ_STR(buf, "250.0 ms");
    out_timeit_fmt(buf, sizeof(buf), 3.5, 3.5);
    TEST_EQ_STR(buf, "3.500 s");
    out_timeit_fmt(buf, sizeof(buf), 5000, 5000);
    TEST_EQ_STR(buf, "5000 s");
    out_timeit_fmt(buf, sizeof(buf), 999.9e-9, 999.9e-9);
    TEST_EQ_STR(buf, "999.9 ns");
    out_timeit_fmt(buf, sizeof(buf), 1e-6, 1e-6);
    TEST_EQ_STR(buf, "1.000 µs");
    out_timeit_fmt(buf, sizeof(buf), 0.0012e-9, 5e-9);
    TEST_EQ_STR(buf, "0.0012 ns");
    out_timeit_fmt(buf, sizeof(buf), 0, 0);
    TEST_EQ_STR(buf, "0 ns");
}

/* Two statements on one interpreter: the second is 10x slower than the first. */
struct fixture {
    struct timeit_bench b[2];
    struct timeit_python py;
    double x[2][4];
    size_t len[2][2];
    struct stats_nested sums[2];
    struct stats_nested_cmp cmp[2];
    enum verdict verdicts[2];
    int has_cmp[2];
    const char *names[2];
    const char *warnings[1];
    struct out_timeit o;
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->py = (struct timeit_python){"python3", "3.12.1"};
    for (int i = 0; i < 2; i++) {
        struct timeit_bench *b = &f->b[i];

        b->python = 0;
        b->stmt = i;
        snprintf(b->version, sizeof(b->version), "3.12.1");
        b->executable = "/usr/bin/python3.12";
        b->loops = i ? 1000 : 10000;
        b->clock_res = 1e-9;
        b->clock_cost = 55e-9;
        b->values = f->x[i];
        b->len = f->len[i];
        b->nvalues = 4;
        b->nworkers = 2;
        f->len[i][0] = f->len[i][1] = 2;
        f->sums[i] = (struct stats_nested){.nclusters = 2,
                                           .n = 4,
                                           .mean = (i ? 10 : 1) * 5.02e-6,
                                           .sd = (i ? 10 : 1) * 0.05e-6,
                                           .min = (i ? 10 : 1) * 4.9e-6,
                                           .median = (i ? 10 : 1) * 5e-6,
                                           .median_lo = (i ? 10 : 1) * 4.95e-6,
                                           .median_hi = (i ? 10 : 1) * 5.1e-6,
                                           .between_sd = 0.01e-6,
                                           .within_sd = 0.05e-6,
                                           .icc = 0.25,
                                           .n_eff = 3.2};
    }
    f->cmp[1] = (struct stats_nested_cmp){.ratio = 10, .lo = 9.5, .hi = 10.5, .p = 0.0001};
    f->verdicts[1] = VERDICT_SLOWER;
    f->has_cmp[1] = 1;
    f->names[0] = "sorted(x)";
    f->names[1] = "x.sort()";
    f->warnings[0] = "'x.sort()': unstable";
    f->o = (struct out_timeit){.benches = f->b,
                               .nbenches = 2,
                               .pys = &f->py,
                               .npys = 1,
                               .names = f->names,
                               .sums = f->sums,
                               .cmp = f->cmp,
                               .verdicts = f->verdicts,
                               .has_cmp = f->has_cmp,
                               .ref = 0,
                               .warnings = f->warnings,
                               .nwarnings = 1};
}

/* The report of o as a malloc'd string. */
static char *report(const struct out_timeit *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    TEST_EQ_INT(out_timeit_text(f, o), 0);
    fclose(f);
    return buf;
}

static void test_text(void)
{
    struct fixture f;
    char *r;

    fixture_init(&f);
    r = report(&f.o);
    TEST_CHECK(strstr(r, "Benchmark 1: sorted(x)\n  Python 3.12.1 (/usr/bin/python3.12)\n"));
    TEST_CHECK(strstr(r, "  Per loop (median):  5.000 µs  [4.950 µs … 5.100 µs] 95% CI   4 "
                         "values in 2 processes\n"));
    TEST_CHECK(strstr(r, "  Mean ± sd:          5.020 µs ± 0.050 µs (CV 1.0%)   min 4.900 µs\n"));
    TEST_CHECK(strstr(r, "25% of the variance; effective values 3.2\n"));
    TEST_CHECK(strstr(r, "  Loops per value:    10000 (50.00 ms a value); clock resolution "
                         "1.000 ns, read cost 55.00 ns\n"));
    TEST_CHECK(strstr(r, "  Per loop (median):  50.00 µs  [49.50 µs … 51.00 µs]"));
    TEST_CHECK(strstr(r, "Summary (against 'sorted(x)')\n  'sorted(x)' is 10.000× faster than "
                         "'x.sort()' (95% CI 9.500–10.500, p<0.001)\n"));
    TEST_CHECK(strstr(r, "\nWarning: 'x.sort()': unstable\n"));
    TEST_CHECK(!strstr(r, "Interrupted"));
    TEST_CHECK(!strstr(r, "Baseline"));
    free(r);

    /* The reference is the slower one: the faster is named first, the interval inverted. */
    f.cmp[1] = (struct stats_nested_cmp){.ratio = 0.5, .lo = 0.4, .hi = 0.625, .p = 0.002};
    f.verdicts[1] = VERDICT_FASTER;
    f.o.interrupted = 1;
    r = report(&f.o);
    TEST_CHECK(strstr(r, "  'x.sort()' is 2.000× faster than 'sorted(x)' (95% CI 1.600–2.500, "
                         "p=0.002)\n"));
    TEST_CHECK(strstr(r, "Interrupted: these results are partial.\n"));
    free(r);

    /* Not significant: said so with the ratio as measured. */
    f.cmp[1] = (struct stats_nested_cmp){.ratio = 1.01, .lo = 0.98, .hi = 1.04, .p = 0.3};
    f.verdicts[1] = VERDICT_SAME;
    r = report(&f.o);
    TEST_CHECK(strstr(r, "  'x.sort()' and 'sorted(x)': no significant difference (ratio 1.010, "
                         "95% CI 0.980–1.040, p=0.300)\n"));
    free(r);
    /* The writer says the verdict it is given, never its own: figures that look significant
     * with VERDICT_SAME are "no significant difference". */
    f.cmp[1] = (struct stats_nested_cmp){.ratio = 10, .lo = 9.5, .hi = 10.5, .p = 0.0001};
    r = report(&f.o);
    TEST_CHECK(strstr(r, "  'x.sort()' and 'sorted(x)': no significant difference (ratio 10.000, "
                         "95% CI 9.500–10.500, p<0.001)\n"));
    free(r);
}

static void test_text_baseline_and_empty(void)
{
    struct fixture f;
    struct stats_nested_cmp base[2] = {{.ratio = 1.2, .lo = 1.1, .hi = 1.3, .p = 0.001},
                                       {.ratio = 1.0, .lo = 0.9, .hi = 1.1, .p = 0.5}};
    enum verdict bv[2] = {VERDICT_REGRESSION, VERDICT_SAME};
    int has_base[2] = {1, 1};
    char *r;

    fixture_init(&f);
    f.o.base = base;
    f.o.base_verdicts = bv;
    f.o.has_base = has_base;
    f.sums[1].n = 0; /* no value: no figures, no comparison */
    f.has_cmp[1] = 0;
    r = report(&f.o);
    TEST_CHECK(strstr(r, "  Baseline:           1.200× the baseline's median (95% CI "
                         "1.100–1.300, p=0.001): 20.0% slower  REGRESSION\n"));
    TEST_CHECK(strstr(r, "Benchmark 2: x.sort()\n  Python 3.12.1 (/usr/bin/python3.12)\n  no "
                         "values\n"));
    TEST_CHECK(!strstr(r, "Summary"));
    free(r);
    /* In plain words: faster, slower within the tolerance, no change, absent. */
    base[0] = (struct stats_nested_cmp){.ratio = 0.8, .lo = 0.75, .hi = 0.85, .p = 0.001};
    bv[0] = VERDICT_FASTER;
    r = report(&f.o);
    TEST_CHECK(strstr(r, "(95% CI 0.750–0.850, p=0.001): 20.0% faster\n"));
    free(r);
    base[0] = (struct stats_nested_cmp){.ratio = 1.03, .lo = 1.01, .hi = 1.05, .p = 0.001};
    bv[0] = VERDICT_SLOWER;
    r = report(&f.o);
    TEST_CHECK(strstr(r, "(95% CI 1.010–1.050, p=0.001): 3.0% slower\n"));
    free(r);
    bv[0] = VERDICT_SAME; /* as given, whatever the figures */
    r = report(&f.o);
    TEST_CHECK(strstr(r, "p=0.001): no significant change\n"));
    free(r);
    has_base[0] = 0;
    r = report(&f.o);
    TEST_CHECK(strstr(r, "  Baseline:           not in the baseline\n"));
    free(r);
}

static void test_write_error(void)
{
    struct fixture f;
    FILE *full = fopen("/dev/full", "w");

    fixture_init(&f);
    if (!full)
        return;
    setvbuf(full, NULL, _IONBF, 0);
    TEST_EQ_INT(out_timeit_text(full, &f.o), -ENOSPC);
    fclose(full);
}

void test_out_timeit(void)
{
    test_fmt();
    test_text();
    test_text_baseline_and_empty();
    test_write_error();
}
