/* Unit tests for agg_stacks: interning of strings and frames, merging of stacks, growth.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <stdint.h>

#include "agg_stacks.h"
#include "suites.h"
#include "util_sbuf.h"

static uint32_t py_frame(struct agg *a, const char *name, const char *file, int32_t line)
{
    struct agg_frame f = {
        .name = agg_intern(a, name, strlen(name)),
        .file = file ? agg_intern(a, file, strlen(file)) : AGG_NONE,
        .line = line,
        .kind = AGG_FRAME_PY,
    };
    return agg_frame_id(a, &f);
}

static void test_intern(void)
{
    struct agg *a = agg_new();
    uint32_t foo = agg_intern(a, "foo", 3);

    TEST_EQ_INT(agg_intern(a, "foo", 3), foo);
    TEST_EQ_INT(agg_intern(a, "foobar", 3), foo); /* only len bytes count */
    TEST_CHECK(agg_intern(a, "foobar", 6) != foo);
    TEST_CHECK(agg_intern(a, "fo", 2) != foo);
    TEST_EQ_STR(agg_str(a, foo), "foo");
    TEST_EQ_STR(agg_str(a, agg_intern(a, "foobar", 6)), "foobar");
    TEST_EQ_STR(agg_str(a, agg_intern(a, "", 0)), "");
    TEST_CHECK(agg_intern(a, "", 0) != foo);
    TEST_EQ_STR(agg_str(a, 123456), ""); /* unknown ids read as "" */
    agg_free(a);
}

static void test_frames(void)
{
    struct agg *a = agg_new();
    uint32_t f1 = py_frame(a, "run", "app.py", 10);
    struct agg_frame t = {agg_intern(a, "thread main (1)", 15), AGG_NONE, 0, AGG_FRAME_THREAD};
    uint32_t th = agg_frame_id(a, &t);
    struct sbuf b;

    TEST_EQ_INT(py_frame(a, "run", "app.py", 10), f1);
    TEST_CHECK(py_frame(a, "run", "app.py", 11) != f1);
    TEST_CHECK(py_frame(a, "run", "lib.py", 10) != f1);
    TEST_CHECK(py_frame(a, "run", NULL, 10) != f1);
    TEST_EQ_INT(agg_frame_id(a, &t), th);
    TEST_EQ_INT(agg_nframes(a), 5);
    TEST_EQ_INT(agg_frame_get(a, f1)->line, 10);
    TEST_EQ_STR(agg_str(a, agg_frame_get(a, f1)->file), "app.py");
    TEST_EQ_INT(agg_frame_get(a, th)->kind, AGG_FRAME_THREAD);
    TEST_CHECK(agg_frame_get(a, 99) == NULL);

    sbuf_init(&b);
    agg_frame_label(a, f1, &b);
    TEST_EQ_STR(sbuf_str(&b), "run (app.py:10)");
    sbuf_reset(&b);
    agg_frame_label(a, th, &b);
    TEST_EQ_STR(sbuf_str(&b), "thread main (1)");
    sbuf_reset(&b);
    agg_frame_label(a, py_frame(a, "f", "x.py", 0), &b);
    TEST_EQ_STR(sbuf_str(&b), "f (x.py)");
    sbuf_destroy(&b);
    agg_free(a);
}

static void test_merge(void)
{
    struct agg *a = agg_new();
    uint32_t s1[] = {py_frame(a, "main", "m.py", 1), py_frame(a, "f", "m.py", 2)};
    uint32_t s2[] = {s1[0], py_frame(a, "g", "m.py", 3)};
    const uint32_t *p;
    uint32_t n;
    uint64_t w;

    agg_add(a, s1, 2, 3);
    agg_add(a, s2, 2, 1);
    agg_add(a, s1, 2, 4);
    agg_add(a, s1, 1, 2); /* a prefix is a different stack */
    TEST_EQ_INT(agg_nstacks(a), 3);
    TEST_EQ_INT(agg_total(a), 10);
    p = agg_stack(a, 0, &n, &w);
    TEST_EQ_INT(n, 2);
    TEST_EQ_INT(w, 7);
    TEST_CHECK(p && p[0] == s1[0] && p[1] == s1[1]);
    p = agg_stack(a, 1, &n, &w);
    TEST_EQ_INT(n, 2);
    TEST_EQ_INT(w, 1);
    TEST_CHECK(p && p[1] == s2[1]);
    agg_stack(a, 2, &n, &w);
    TEST_EQ_INT(n, 1);
    TEST_EQ_INT(w, 2);
    TEST_CHECK(agg_stack(a, 3, &n, &w) == NULL);
    TEST_EQ_INT(n, 0);
    agg_free(a);
}

static void test_empty_stack(void)
{
    struct agg *a = agg_new();
    uint32_t dummy = 0, n = 99;
    uint64_t w = 0;

    TEST_EQ_INT(agg_nstacks(a), 0);
    TEST_EQ_INT(agg_total(a), 0);
    agg_add(a, &dummy, 0, 5);
    agg_add(a, &dummy, 0, 2);
    TEST_EQ_INT(agg_nstacks(a), 1);
    agg_stack(a, 0, &n, &w);
    TEST_EQ_INT(n, 0);
    TEST_EQ_INT(w, 7);
    TEST_EQ_INT(agg_total(a), 7);
    agg_free(a);
}

/* Enough strings, frames and stacks to grow every table several times. */
static void test_growth(void)
{
    enum { N = 20000 };
    struct agg *a = agg_new();
    uint32_t root = py_frame(a, "root", "r.py", 1);
    char name[32];
    int ok = 1;

    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "fn_%d", i);
        uint32_t s[] = {root, py_frame(a, name, "f.py", i)};
        agg_add(a, s, 2, (uint64_t)i + 1);
    }
    for (int i = 0; i < N; i++) { /* again: every stack merges, ids are stable */
        snprintf(name, sizeof(name), "fn_%d", i);
        uint32_t s[] = {root, py_frame(a, name, "f.py", i)};
        agg_add(a, s, 2, 1);
    }
    TEST_EQ_INT(agg_nstacks(a), N);
    TEST_EQ_INT(agg_nframes(a), N + 1);
    TEST_EQ_INT(agg_total(a), (uint64_t)N * (N + 1) / 2 + N);
    for (int i = 0; i < N && ok; i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *p = agg_stack(a, (uint32_t)i, &n, &w);
        snprintf(name, sizeof(name), "fn_%d", i);
        ok = n == 2 && w == (uint64_t)i + 2 && p[0] == root &&
             strcmp(agg_str(a, agg_frame_get(a, p[1])->name), name) == 0 &&
             agg_intern(a, name, strlen(name)) == agg_frame_get(a, p[1])->name;
    }
    TEST_CHECK(ok);
    agg_free(a);
}

/* Source texts: set, replaced, absent, with NUL bytes kept by length. */
static void test_sources(void)
{
    struct agg *a = agg_new();
    uint32_t f1 = agg_intern(a, "a.py", 4), f2 = agg_intern(a, "b.py", 4);
    size_t len = 99;

    TEST_CHECK(agg_source(a, f1, &len) == NULL);
    TEST_EQ_INT(agg_nsources(a), 0);
    agg_set_source(a, f1, "x = 1\n", 6);
    agg_set_source(a, f2, "a\0b", 3);
    agg_set_source(a, f1, "y = 2\nz = 3\n", 12);
    TEST_EQ_INT(agg_nsources(a), 2);
    TEST_EQ_INT(agg_source_file(a, 0), f1);
    TEST_EQ_INT(agg_source_file(a, 1), f2);
    TEST_EQ_STR(agg_source(a, f1, &len), "y = 2\nz = 3\n");
    TEST_EQ_INT(len, 12);
    TEST_CHECK(memcmp(agg_source(a, f2, &len), "a\0b", 4) == 0);
    TEST_EQ_INT(len, 3);
    agg_free(a);
}

void test_agg_stacks(void)
{
    test_sources();
    test_intern();
    test_frames();
    test_merge();
    test_empty_stack();
    test_growth();
}
