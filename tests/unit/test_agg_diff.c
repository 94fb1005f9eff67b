/* Unit tests for differential profiles: the normalisation factors and their refusals, stacks
 * matched across profiles (also stacks one side lacks; threads by name), sources of both, the
 * collapsed-diff text, the colours and tooltips of the differential flame graph.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "agg_collapsed.h"
#include "agg_diff.h"
#include "out_diff.h"
#include "suites.h"

static struct agg *parse(const char *text)
{
    struct agg *a = agg_new();
    char why[160];
    TEST_EQ_INT(agg_collapsed_parse(a, text, strlen(text), why, sizeof(why)), 0);
    return a;
}

static void test_factor(void)
{
    struct agg_meta ma = {.rate_requested = 100, .duration = 10, .overhead = -1};
    struct agg_meta mb = {.rate_effective = 200,
                          .rate_requested = 100,
                          .samples = 4000,
                          .duration = 20,
                          .overhead = -1};
    struct agg_meta bytes = {.unit = "bytes", .duration = 5, .overhead = -1};
    char why[200] = "";
    double k = 0;

    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_NONE, &ma, 10, &mb, 30, &k, why, sizeof(why)), 0);
    TEST_CHECK(k == 1);
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TOTAL, &ma, 10, &mb, 30, &k, why, sizeof(why)), 0);
    TEST_CHECK(k == 3);
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TIME, &ma, 10, &mb, 30, &k, why, sizeof(why)), 0);
    TEST_CHECK(k == 2); /* B's effective rate over A's requested one */
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_DURATION, &ma, 10, &mb, 30, &k, why, sizeof(why)), 0);
    TEST_CHECK(k == 4); /* 4000 instants against 100 Hz x 10 s */
    ma.rate_requested = 0;
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TIME, &ma, 10, &mb, 30, &k, why, sizeof(why)), -EINVAL);
    TEST_EQ_STR(why, "A does not say its sampling rate (give --rate)");
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_DURATION, &ma, 10, &mb, 30, &k, why, sizeof(why)),
                -EINVAL);
    TEST_CHECK(strstr(why, "A does not say how long") == why);
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TOTAL, &ma, 0, &mb, 30, &k, why, sizeof(why)), -EINVAL);
    TEST_EQ_STR(why, "A holds no samples: no share can be computed");
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_NONE, &ma, 10, &bytes, 30, &k, why, sizeof(why)), -EINVAL);
    TEST_EQ_STR(why, "A weighs samples and B bytes: they cannot be compared");
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TIME, &bytes, 10, &bytes, 30, &k, why, sizeof(why)),
                -EINVAL);
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_DURATION, &bytes, 10, &bytes, 30, &k, why, sizeof(why)),
                0);
    TEST_CHECK(k == 1);
}

/* Facts far apart (the bounds of raw files, or worse from a caller): a factor that is not
 * finite and positive, or that would make A weigh more than AGG_DIFF_MAX_WEIGHT, is refused;
 * *k is left alone. */
static void test_factor_bounds(void)
{
    struct agg_meta ma = {.rate_requested = 1e-3, .overhead = -1};
    struct agg_meta mb = {.rate_requested = 1e9, .overhead = -1};
    struct agg_meta ba = {.unit = "bytes", .duration = 1e-9, .overhead = -1};
    struct agg_meta bb = {.unit = "bytes", .duration = 1e10, .overhead = -1};
    char why[200] = "";
    double k = 0;

    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TIME, &ma, 9000000, &mb, 1, &k, why, sizeof(why)), 0);
    TEST_CHECK(k == 1e12);
    k = 7;
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TIME, &ma, 10000000, &mb, 1, &k, why, sizeof(why)),
                -EINVAL);
    TEST_EQ_STR(why, "A normalised would weigh 1e+19, above 9e+18 (the facts of the profiles are "
                     "out of proportion)");
    TEST_CHECK(k == 7);
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TIME, &mb, 10, &ma, 1, &k, why, sizeof(why)), 0);
    TEST_CHECK(k == 1e-12); /* tiny is fine: A's weights nearly 0 */
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_DURATION, &ba, 10, &bb, 1, &k, why, sizeof(why)), -EINVAL);
    TEST_CHECK(strstr(why, "out of proportion") != NULL);
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TOTAL, &ma, UINT64_MAX, &mb, 1, &k, why, sizeof(why)), 0);
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TOTAL, &ma, 1, &mb, UINT64_MAX, &k, why, sizeof(why)),
                -EINVAL);
    /* Facts no file can hold (the caller's own): never a non-finite factor. */
    k = 3;
    ba.duration = INFINITY;
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_DURATION, &ba, 10, &bb, 1, &k, why, sizeof(why)), -EINVAL);
    TEST_EQ_STR(why, "the factor of A is not a finite positive number (the facts of the profiles "
                     "are out of proportion)");
    ba.duration = 1e-300;
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_DURATION, &ba, 1, &bb, 1, &k, why, sizeof(why)), -EINVAL);
    ma.rate_requested = 1e300;
    mb.rate_requested = 1e-300;
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TIME, &ma, 1, &mb, 1, &k, why, sizeof(why)), -EINVAL);
    TEST_EQ_INT(agg_diff_factor(AGG_DIFF_TIME, &mb, 1, &ma, 1, &k, why, sizeof(why)), -EINVAL);
    TEST_CHECK(k == 3);
}

static char *render(const struct agg_diff *d, int svg)
{
    struct agg_meta m = {.title = "A -> B", .overhead = -1};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    TEST_EQ_INT(svg ? out_diff_svg_write(f, d, &m) : out_diff_collapsed_write(f, d), 0);
    fclose(f);
    return buf;
}

/* The fill of the box whose tooltip starts with title (NULL when there is none). */
static char *fill_of(const char *svg, const char *title, char *out, size_t len)
{
    const char *p = strstr(svg, title), *q;
    if (!p || !(p = strstr(p, "fill=\"")) || !(q = strchr(p + 6, '"')))
        return NULL;
    snprintf(out, len, "%.*s", (int)(q - p - 6), p + 6);
    return out;
}

static void test_diff(void)
{
    /* A at 100 Hz, B at 200 Hz (time: A counts double); f doubled, g the same, old gone, new
     * new; the file names differ in nothing, the frames match across profiles */
    struct agg *a = parse("main (a.py:1);f (a.py:2) 10\nmain (a.py:1);g (a.py:3) 10\n"
                          "main (a.py:1);old (a.py:4) 3\n");
    struct agg *b = parse("main (a.py:1);new (a.py:5) 5\nmain (a.py:1);g (a.py:3) 20\n"
                          "main (a.py:1);f (a.py:2) 40\n");
    struct agg_diff *d = agg_diff_new(a, b, 2);
    char fill[64];

    TEST_CHECK(agg_diff_total_a(d) == 46);
    TEST_EQ_INT(agg_diff_total_b(d), 65);
    TEST_EQ_INT(agg_nstacks(agg_diff_agg(d)), 4);
    TEST_CHECK(agg_diff_a(d, 0) == 20 && agg_diff_b(d, 0) == 40);
    TEST_CHECK(agg_diff_a(d, 2) == 6 && agg_diff_b(d, 2) == 0);
    TEST_CHECK(agg_diff_a(d, 3) == 0 && agg_diff_b(d, 3) == 5);
    char *text = render(d, 0);
    TEST_EQ_STR(text, "main (a.py:1);f (a.py:2) 20 40\n"
                      "main (a.py:1);g (a.py:3) 20 20\n"
                      "main (a.py:1);old (a.py:4) 6 0\n"
                      "main (a.py:1);new (a.py:5) 0 5\n");
    free(text);
    char *svg = render(d, 1);
    TEST_EQ_STR(fill_of(svg, "<title>g (a.py:3)\nA 20.0 -&gt; B 20 samples (+0.0, +0.0%)", fill,
                        sizeof(fill)),
                "rgb(235,235,235)");
    /* f: +20 of 40 (change 0.5), beyond noise (2 sqrt(60) = 15.5): rgb(245,135,135) */
    TEST_EQ_STR(fill_of(svg, "<title>f (a.py:2)\nA 20.0 -&gt; B 40 samples (+20.0, +100.0%)", fill,
                        sizeof(fill)),
                "rgb(245,135,135)");
    /* new: 5 of nothing, within noise (2 sqrt(5) = 4.5 < 5: not faded) */
    TEST_EQ_STR(fill_of(svg, "<title>new (a.py:5)\nA 0.0 -&gt; B 5 samples (+5.0, new)", fill,
                        sizeof(fill)),
                "rgb(255,35,35)");
    /* main: 46 -> 65; change 19/65, faded by 19 / (2 sqrt(111)) */
    double x = (19.0 / 65) * (19 / (2 * sqrt(111.0)));
    char want[64];
    snprintf(want, sizeof(want), "rgb(%ld,%ld,%ld)", lround(235 + 20 * x), lround(235 - 200 * x),
             lround(235 - 200 * x));
    TEST_EQ_STR(fill_of(svg, "<title>main (a.py:1)\n", fill, sizeof(fill)), want);
    TEST_CHECK(strstr(svg, "old (a.py:4)") == NULL); /* no width: not drawn */
    free(svg);
    agg_diff_free(d);
    agg_free(a);
    agg_free(b);
}

/* Thread frames match by the thread's name: a TID belongs to one run. Sources of both sides. */
static void test_threads_and_sources(void)
{
    struct agg *a = agg_new(), *b = agg_new();
    const char *labels[] = {"thread MainThread (12)", "thread MainThread (34)", "thread w (x)",
                            "thread ()", "thread w (7"};
    uint32_t ids[5][2];

    for (int i = 0; i < 5; i++) {
        struct agg *on = i == 1 ? b : a;
        struct agg_frame fr = {agg_intern(on, labels[i], strlen(labels[i])), AGG_NONE, 0,
                               AGG_FRAME_THREAD};
        struct agg_frame py = {agg_intern(on, "f", 1), agg_intern(on, "a.py", 4), 2, AGG_FRAME_PY};
        ids[i][0] = agg_frame_id(on, &fr);
        ids[i][1] = agg_frame_id(on, &py);
        agg_add(on, ids[i], 2, (uint64_t)i + 1);
    }
    agg_set_source(a, agg_intern(a, "a.py", 4), "old\n", 4);
    agg_set_source(a, agg_intern(a, "only_a.py", 9), "A\n", 2);
    agg_set_source(b, agg_intern(b, "a.py", 4), "new\n", 4);
    struct agg_diff *d = agg_diff_new(a, b, 1);
    char *text = render(d, 0);
    TEST_EQ_STR(text, "thread MainThread;f (a.py:2) 1 2\n"
                      "thread w (x);f (a.py:2) 3 0\n"
                      "thread ();f (a.py:2) 4 0\n"
                      "thread w (7;f (a.py:2) 5 0\n");
    free(text);
    const struct agg *u = agg_diff_agg(d);
    TEST_EQ_INT(agg_nsources(u), 2);
    for (uint32_t i = 0; i < agg_nsources(u); i++) { /* B's text where both have one */
        uint32_t file = agg_source_file(u, i);
        int is_a = strcmp(agg_str(u, file), "a.py") == 0;
        TEST_EQ_STR(agg_source(u, file, NULL), is_a ? "new\n" : "A\n");
    }
    TEST_EQ_STR(agg_diff_norm_name(AGG_DIFF_DURATION), "duration");
    agg_diff_free(d);
    agg_free(a);
    agg_free(b);
}

static void test_change(void)
{
    TEST_CHECK(out_diff_change(0, 0) == 0);
    TEST_CHECK(out_diff_change(10, 0) == -1);
    TEST_CHECK(out_diff_change(0, 3) == 1);
    TEST_CHECK(out_diff_change(10, 20) == 0.5);
    TEST_CHECK(out_diff_change(20, 10) == -0.5);
    TEST_CHECK(out_diff_intensity(20, 10, 0) == 0.5);
    /* 100 vs 110: 10 apart, 2 sqrt(210) = 29: faded to a third */
    TEST_CHECK(fabs(out_diff_intensity(100, 110, 1) - (10.0 / 110) * (10 / (2 * sqrt(210.0)))) <
               1e-12);
    TEST_CHECK(out_diff_intensity(1000, 2000, 1) == 0.5);
}

void test_agg_diff(void)
{
    test_factor();
    test_factor_bounds();
    test_diff();
    test_threads_and_sources();
    test_change();
}
