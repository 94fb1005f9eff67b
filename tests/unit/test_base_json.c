/* Unit tests for base_json: real exports of both kinds accepted only with their own schema tag,
 * malformed JSON (duplicate keys, control bytes near the error) and foreign files refused with a
 * one-line reason, files that cannot be read; the bounds of a baseline's times (bench's walls).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base_json.h"
#include "bench_base.h"
#include "suites.h"
#include "test.h"

#define BENCH  "spyglass-bench/1"
#define TIMEIT "spyglass-timeit/1"

/* A reason is one printable line. */
static int one_line(const char *why)
{
    if (!why[0])
        return 0;
    for (const char *c = why; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return 0;
    return 1;
}

static void test_load(void)
{
    char why[200] = "";
    json_t *root = NULL;

    TEST_EQ_INT(
        base_json_load("fixtures/timeit_base/bench.json", BENCH, "bench", &root, why, sizeof(why)),
        0);
    TEST_CHECK(json_is_array(json_object_get(root, "commands")));
    json_decref(root);
    TEST_EQ_INT(
        base_json_load("fixtures/timeit_base/good.json", TIMEIT, "timeit", &root, why, sizeof(why)),
        0);
    TEST_CHECK(json_is_array(json_object_get(root, "benchmarks")));
    json_decref(root);

    root = NULL;
    TEST_EQ_INT(base_json_load("fixtures/timeit_base/bench.json", TIMEIT, "timeit", &root, why,
                               sizeof(why)),
                -EINVAL);
    TEST_EQ_STR(why, "not a spyglass timeit export (\"schema\" is not spyglass-timeit/1)");
    TEST_EQ_INT(
        base_json_load("fixtures/timeit_base/good.json", BENCH, "bench", &root, why, sizeof(why)),
        -EINVAL);
    TEST_EQ_STR(why, "not a spyglass bench export (\"schema\" is not spyglass-bench/1)");
    TEST_EQ_INT(base_json_load("fixtures/timeit_base/truncated.json", TIMEIT, "timeit", &root, why,
                               sizeof(why)),
                -EINVAL);
    TEST_CHECK(strncmp(why, "not JSON: ", 10) == 0 && one_line(why));
    TEST_EQ_INT(base_json_load("fixtures/timeit_base/missing.json", BENCH, "bench", &root, why,
                               sizeof(why)),
                -ENOENT);
    TEST_CHECK(base_json_load("fixtures/timeit_base", BENCH, "bench", &root, why, sizeof(why)) <
               0); /* a directory */
    TEST_CHECK(root == NULL);
}

static void test_parse(void)
{
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"", "not JSON: "},
        {"[1, 2", "not JSON: "},
        {"{\"schema\": \"spyglass-bench/1\", \"schema\": \"spyglass-bench/1\"}", "not JSON: "},
        {"{\"a\": \"\x01\x02\n\x7f\" x}", "not JSON: "},
        {"[\"spyglass-bench/1\"]", "not a spyglass bench export"},
        {"{}", "not a spyglass bench export"},
        {"{\"schema\": 1}", "not a spyglass bench export"},
        {"{\"schema\": \"spyglass-bench/2\"}", "not a spyglass bench export"},
        {"{\"schema\": \"spyglass-bench/1 \"}", "not a spyglass bench export"},
    };
    static const char good[] = "{\"schema\": \"spyglass-bench/1\", \"x\": [1]}";
    char why[200], tiny[8];
    json_t *root = NULL;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = '\0';
        TEST_EQ_INT(base_json_parse(bad[i].text, strlen(bad[i].text), BENCH, "bench", &root, why,
                                    sizeof(why)),
                    -EINVAL);
        TEST_CHECK(strncmp(why, bad[i].why, strlen(bad[i].why)) == 0 && one_line(why));
    }
    TEST_CHECK(root == NULL);
    TEST_EQ_INT(base_json_parse(good, sizeof(good) - 1, BENCH, "bench", &root, why, sizeof(why)),
                0);
    TEST_EQ_INT(json_array_size(json_object_get(root, "x")), 1);
    json_decref(root);
    /* Only len bytes are read: the same text cut before its end is not JSON. */
    TEST_EQ_INT(base_json_parse(good, 20, BENCH, "bench", &root, why, sizeof(why)), -EINVAL);
    /* A small buffer gets a cut reason. */
    TEST_EQ_INT(base_json_parse("{}", 2, BENCH, "bench", &root, tiny, sizeof(tiny)), -EINVAL);
    TEST_EQ_STR(tiny, "not a s");
    TEST_EQ_INT(base_json_fail(tiny, sizeof(tiny), "a long reason"), -EINVAL);
    TEST_EQ_STR(tiny, "a long ");
}

/* The times a baseline may hold, and bench_base's use of them (timeit_base's: its own suite). */
static void test_seconds(void)
{
    static const double good[] = {0, -0.0, BASE_JSON_MIN_S, 1e-9, 1.5, BASE_JSON_MAX_S};
    static const double bad[] = {-1e-6, 1e-13, 1e-310, 5e-324, 1.1e7, 1e300, INFINITY, NAN};
    static const char *const walls[] = {"1e300", "1e-310", "-1", "2e7"};
    char text[256], why[200];

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        TEST_CHECK(base_json_seconds(good[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        TEST_CHECK(!base_json_seconds(bad[i]));
    for (size_t i = 0; i < sizeof(walls) / sizeof(walls[0]); i++) {
        struct bench_base *b = NULL;
        snprintf(text, sizeof(text),
                 "{\"schema\":\"%s\",\"commands\":[{\"name\":\"x\"}],\"runs\":["
                 "{\"command\":0,\"wall\":0.5},{\"command\":0,\"wall\":%s}]}",
                 BENCH, walls[i]);
        TEST_EQ_INT(bench_base_parse(text, strlen(text), &b, why, sizeof(why)), -EINVAL);
        TEST_EQ_STR(why, "a run whose \"wall\" is not 0 or from 1e-12 to 1e7 seconds");
        bench_base_free(b);
    }
    snprintf(text, sizeof(text),
             "{\"schema\":\"%s\",\"commands\":[{\"name\":\"x\"}],\"runs\":["
             "{\"command\":0,\"wall\":0.5},{\"command\":0,\"wall\":1e-12}]}",
             BENCH);
    struct bench_base *b = NULL;
    size_t n = 0;
    TEST_EQ_INT(bench_base_parse(text, strlen(text), &b, why, sizeof(why)), 0);
    if (b) {
        const double *t = bench_base_times(b, "x", &n);
        TEST_CHECK(n == 2 && t && t[0] == 0.5 && t[1] == 1e-12);
    }
    bench_base_free(b);
}

void test_base_json(void)
{
    test_load();
    test_parse();
    test_seconds();
}
