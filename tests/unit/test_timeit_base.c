/* Unit tests for timeit_base: a hand-written export (tests/fixtures/timeit_base/good.json,
 * valid against docs/timeit-schema.json), a foreign file (a real spyglass bench export), a
 * truncated one and malformed documents, each refused with a one-line reason.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "suites.h"
#include "test.h"
#include "timeit_base.h"

static void check_clusters(const struct stats_clusters *c, const size_t *len, size_t k,
                           const double *x)
{
    size_t n = 0;

    TEST_EQ_INT(c->nclusters, k);
    if (c->nclusters != k)
        return;
    for (size_t i = 0; i < k; i++) {
        TEST_EQ_INT(c->len[i], len[i]);
        n += len[i];
    }
    for (size_t i = 0; i < n; i++)
        TEST_CHECK(c->x[i] == x[i]);
}

static void test_good(void)
{
    static const size_t len0[] = {3, 2, 3}, len1[] = {1}, len3[] = {2, 1};
    static const double x0[] = {3.1e-07, 3.2e-07, 3.15e-07, 2.9e-07, 2.95e-07, 3, 4e-07, 1};
    static const double x1[] = {5.5e-06}, x3[] = {1.25e-08, 1.5e-08, 1.75e-08};
    struct timeit_base *b = NULL;
    struct stats_clusters c = {0}, untouched = {.nclusters = 99};
    char why[200] = "";

    TEST_EQ_INT(timeit_base_load("fixtures/timeit_base/good.json", &b, why, sizeof(why)), 0);
    if (!b)
        return;
    TEST_EQ_INT(timeit_base_find(b, "sum(xs)", "3.11.7", &c), 0);
    check_clusters(&c, len0, 3, x0); /* the worker without values is left out */
    TEST_EQ_INT(timeit_base_find(b, "for x in xs:\n    math.sqrt(x)", "3.11.7", &c), 0);
    check_clusters(&c, len1, 1, x1);
    TEST_EQ_INT(timeit_base_find(b, "s = \"café \\\\ €\"", "3.12.1", &c), 0);
    check_clusters(&c, len3, 2, x3);
    c = untouched;
    TEST_EQ_INT(timeit_base_find(b, "sum(xs)", "3.12.1", &c), -ENOENT); /* no values */
    TEST_EQ_INT(timeit_base_find(b, "sum(xs)", "3.13.0", &c), -ENOENT);
    TEST_EQ_INT(timeit_base_find(b, "sum(xs) ", "3.11.7", &c), -ENOENT);
    TEST_EQ_INT(timeit_base_find(b, "for x in xs:\n    math.sqrt(x)", "3.12.1", &c), -ENOENT);
    TEST_EQ_INT(c.nclusters, 99);
    timeit_base_free(b);
    timeit_base_free(NULL);
}

/* err and a one-line reason containing want. */
static void refused(int err, const char *why, const char *want, const char *what)
{
    int ok = err == -EINVAL && why[0] && !strchr(why, '\n') && strstr(why, want);

    TEST_CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s: err %d, why \"%s\", want \"%s\"\n", what, err, why, want);
}

static void test_files(void)
{
    struct timeit_base *b = NULL;
    char why[200] = "";
    int err;

    err = timeit_base_load("fixtures/timeit_base/bench.json", &b, why, sizeof(why));
    refused(err, why, "not a spyglass timeit export", "bench export");
    why[0] = '\0';
    err = timeit_base_load("fixtures/timeit_base/truncated.json", &b, why, sizeof(why));
    refused(err, why, "not JSON", "truncated");
    TEST_CHECK(b == NULL);
    TEST_EQ_INT(timeit_base_load("fixtures/timeit_base/missing.json", &b, why, sizeof(why)),
                -ENOENT);
    err = timeit_base_load("fixtures/timeit_base", &b, why, sizeof(why));
    TEST_CHECK(err < 0 && b == NULL); /* a directory */
}

#define HEAD "{\"schema\":\"spyglass-timeit/1\",\"pythons\":[{\"name\":\"3.11.7\"}],"

static void test_malformed(void)
{
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"", "not JSON"},
        {"{\"a\":\"b\\\n\"}", "not JSON"}, /* jansson quotes the line break */
        {"[1, 2]", "not a spyglass timeit export"},
        {"{\"schema\":\"spyglass-bench/1\"}", "not a spyglass timeit export"},
        {"{\"schema\":\"spyglass-timeit/1\"}", "\"pythons\""},
        {"{\"schema\":\"spyglass-timeit/1\",\"pythons\":[{\"path\":\"x\"}]}", "\"name\""},
        {HEAD "\"statements\":[1]}", "\"statements\""},
        {HEAD "\"statements\":\"pass\",\"benchmarks\":[]}", "\"statements\""},
        {HEAD "\"statements\":[\"pass\"]}", "\"benchmarks\""},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":1,\"statement\":0}]}",
         "index"},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":-1}]}",
         "index"},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0.0,\"statement\":0}]}",
         "index"},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0}]}",
         "\"workers\""},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0,"
              "\"workers\":[{\"values\":{}}]}]}",
         "\"values\""},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0,"
              "\"workers\":[7]}]}",
         "\"values\""},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0,"
              "\"workers\":[{\"values\":[1e-7,\"2e-7\"]}]}]}",
         "not 0 or from 1e-12 to 1e7 seconds"},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0,"
              "\"workers\":[{\"values\":[null]}]}]}",
         "not 0 or from 1e-12 to 1e7 seconds"},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0,"
              "\"workers\":[{\"values\":[1e-7,1e300]}]}]}",
         "not 0 or from 1e-12 to 1e7 seconds"},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0,"
              "\"workers\":[{\"values\":[1e-310]}]}]}",
         "not 0 or from 1e-12 to 1e7 seconds"},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0,"
              "\"workers\":[{\"values\":[-1e-6]}]}]}",
         "not 0 or from 1e-12 to 1e7 seconds"},
        {HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,\"statement\":0,"
              "\"workers\":[{\"values\":[1e999]}]}]}",
         "not JSON"},
        {HEAD "\"statements\":[\"a\"],\"statements\":[\"b\"],\"benchmarks\":[]}", "not JSON"},
        {HEAD "\"statements\":[\"a\\u0000b\"],\"benchmarks\":[]}", "not JSON"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct timeit_base *b = NULL;
        char why[200] = "";
        int err = timeit_base_parse(cases[i].text, strlen(cases[i].text), &b, why, sizeof(why));

        refused(err, why, cases[i].why, cases[i].text);
        TEST_CHECK(b == NULL);
    }
}

static void test_minimal(void)
{
    static const char text[] = HEAD "\"statements\":[\"pass\"],\"benchmarks\":[{\"python\":0,"
                                    "\"statement\":0,\"workers\":[{\"values\":[2,1e-9]},"
                                    "{\"values\":[]},{\"values\":[0]}]}]}";
    static const size_t len[] = {2, 1};
    static const double x[] = {2, 1e-9, 0};
    struct timeit_base *b = NULL;
    struct stats_clusters c = {0};
    char why[8] = "";

    TEST_EQ_INT(timeit_base_parse(text, sizeof(text) - 1, &b, why, sizeof(why)), 0);
    if (!b)
        return;
    TEST_EQ_INT(timeit_base_find(b, "pass", "3.11.7", &c), 0);
    check_clusters(&c, len, 2, x);
    timeit_base_free(b);
    /* A reason longer than the buffer is cut, not overflowed. */
    TEST_EQ_INT(timeit_base_parse("[]", 2, &b, why, sizeof(why)), -EINVAL);
    TEST_EQ_INT(strlen(why), sizeof(why) - 1);
}

void test_timeit_base(void)
{
    test_good();
    test_files();
    test_malformed();
    test_minimal();
}
