/* Unit tests for agg_functions: the grouping of frames (name, file and kind; lines merged), self
 * and leaf with state leaves, totals once per stack under recursion, and every function of the
 * profile fixtures against a plain recount that compares frames by their strings.
 * SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg_collapsed.h"
#include "agg_func.h"
#include "agg_raw.h"
#include "agg_stacks.h"
#include "fake_agg.h"
#include "suites.h"
#include "test.h"

/* The function of frame id. */
static const struct agg_func *func_of(const struct agg_funcs *fs, uint32_t id)
{
    return &fs->v[fs->of_frame[id]];
}

static void test_grouping(void)
{
    struct agg *a = agg_new();
    uint32_t t = fake_frame(a, "thread Main (1)", NULL, 0, AGG_FRAME_THREAD);
    uint32_t f3 = fake_frame(a, "f", "a.py", 3, AGG_FRAME_PY);
    uint32_t f9 = fake_frame(a, "f", "a.py", 9, AGG_FRAME_PY);
    uint32_t f2 = fake_frame(a, "f", "a.py", 2, AGG_FRAME_PY);
    uint32_t fb = fake_frame(a, "f", "b.py", 3, AGG_FRAME_PY);
    uint32_t fn = fake_frame(a, "f", NULL, 0, AGG_FRAME_PY);
    /* a Python frame named as the thread, without a file: another function (another kind) */
    uint32_t tp = fake_frame(a, "thread Main (1)", NULL, 0, AGG_FRAME_PY);
    uint32_t f0 = fake_frame(a, "f", "a.py", 0, AGG_FRAME_PY);
    struct agg_funcs *fs = agg_functions(a);

    TEST_EQ_INT(fs->nframes, 8);
    TEST_EQ_INT(fs->n, 5);
    TEST_CHECK(func_of(fs, f3) == func_of(fs, f9) && func_of(fs, f3) == func_of(fs, f2));
    TEST_CHECK(func_of(fs, f0) == func_of(fs, f3));
    TEST_CHECK(func_of(fs, fb) != func_of(fs, f3) && func_of(fs, fn) != func_of(fs, f3));
    TEST_CHECK(func_of(fs, tp) != func_of(fs, t));
    /* in the order of their first frames, each with that frame, its strings and kind */
    TEST_EQ_INT(fs->of_frame[t], 0);
    TEST_EQ_INT(fs->of_frame[f3], 1);
    TEST_EQ_INT(fs->of_frame[fb], 2);
    TEST_EQ_INT(fs->of_frame[fn], 3);
    TEST_EQ_INT(fs->of_frame[tp], 4);
    TEST_EQ_INT(func_of(fs, f9)->frame, f3);
    TEST_EQ_INT(func_of(fs, tp)->frame, tp);
    TEST_EQ_INT(func_of(fs, tp)->kind, AGG_FRAME_PY);
    TEST_EQ_INT(func_of(fs, t)->kind, AGG_FRAME_THREAD);
    TEST_EQ_STR(agg_str(a, func_of(fs, fb)->file), "b.py");
    TEST_EQ_INT(func_of(fs, fn)->file, AGG_NONE);
    TEST_EQ_STR(agg_str(a, func_of(fs, fn)->name), "f");
    /* the smallest line above 0 */
    TEST_EQ_INT(func_of(fs, f3)->line, 2);
    TEST_EQ_INT(func_of(fs, fn)->line, 0);
    /* no stacks: no weight */
    TEST_EQ_INT(func_of(fs, f3)->total + func_of(fs, f3)->self + func_of(fs, f3)->leaf, 0);
    agg_funcs_free(fs);
    agg_free(a);

    a = agg_new();
    fs = agg_functions(a);
    TEST_EQ_INT(fs->n, 0);
    TEST_EQ_INT(fs->nframes, 0);
    agg_funcs_free(fs);
    agg_funcs_free(NULL);
    agg_free(a);
}

static void test_weights(void)
{
    struct agg *a = agg_new();
    uint32_t t = fake_frame(a, "thread Main (1)", NULL, 0, AGG_FRAME_THREAD);
    uint32_t m = fake_frame(a, "main", "a.py", 1, AGG_FRAME_PY);
    uint32_t f3 = fake_frame(a, "f", "a.py", 3, AGG_FRAME_PY);
    uint32_t f4 = fake_frame(a, "f", "a.py", 4, AGG_FRAME_PY);
    uint32_t g = fake_frame(a, "g", "a.py", 7, AGG_FRAME_PY);
    uint32_t cpu = fake_frame(a, "<cpu>", NULL, 0, AGG_FRAME_STATE);
    uint32_t sl = fake_frame(a, "<sleep>", NULL, 0, AGG_FRAME_STATE);
    /* recursion through two lines and through g; a state leaf; a state inside a stack; a state
     * alone; an empty stack; a stack of weight 0 */
    uint32_t s1[] = {t, m, f3, f4, f3, cpu}, s2[] = {t, m, f3, g, f4}, s3[] = {t, m, sl, g};
    uint32_t s4[] = {sl}, s5[] = {t, sl}, s6[] = {t, m};
    agg_add(a, s1, 6, 10);
    agg_add(a, s2, 5, 7);
    agg_add(a, s3, 4, 3);
    agg_add(a, s4, 1, 2);
    agg_add(a, s5, 2, 5);
    agg_add(a, NULL, 0, 11);
    agg_add(a, s6, 2, 0);
    agg_add(a, s1, 6, 1); /* the same stack again: 11 in all */
    struct agg_funcs *fs = agg_functions(a);
    const struct agg_func *F = func_of(fs, f3), *M = func_of(fs, m), *G = func_of(fs, g);
    const struct agg_func *T = func_of(fs, t), *C = func_of(fs, cpu), *S = func_of(fs, sl);

    /* totals: once per stack, however often f recurs in it */
    TEST_EQ_INT(F->total, 11 + 7);
    TEST_EQ_INT(M->total, 11 + 7 + 3);
    TEST_EQ_INT(G->total, 7 + 3);
    TEST_EQ_INT(T->total, 11 + 7 + 3 + 5);
    TEST_EQ_INT(C->total, 11);
    TEST_EQ_INT(S->total, 3 + 2 + 5);
    /* leaf: the last frame's function */
    TEST_EQ_INT(F->leaf, 7);
    TEST_EQ_INT(C->leaf, 11);
    TEST_EQ_INT(G->leaf, 3);
    TEST_EQ_INT(S->leaf, 2 + 5);
    TEST_EQ_INT(T->leaf, 0);
    TEST_EQ_INT(M->leaf, 0);
    /* self: a state leaf under a frame counts for that frame; a state alone for itself; a
     * state inside a stack is not a leaf */
    TEST_EQ_INT(F->self, 7 + 11);
    TEST_EQ_INT(C->self, 0);
    TEST_EQ_INT(G->self, 3);
    TEST_EQ_INT(S->self, 2);
    TEST_EQ_INT(T->self, 5);
    TEST_EQ_INT(M->self, 0);
    agg_funcs_free(fs);
    agg_free(a);
}

/* Whether frames x and y of a belong to one function, by their strings. */
static int same_function(const struct agg *a, uint32_t x, uint32_t y)
{
    const struct agg_frame *p = agg_frame_get(a, x), *q = agg_frame_get(a, y);
    int pf = p->file != AGG_NONE, qf = q->file != AGG_NONE;
    return p->kind == q->kind && strcmp(agg_str(a, p->name), agg_str(a, q->name)) == 0 &&
           pf == qf && (!pf || strcmp(agg_str(a, p->file), agg_str(a, q->file)) == 0);
}

/* Each function of a recounted stack by stack, frame by frame: total, leaf and self. */
static void recount(const struct agg *a, const struct agg_funcs *fs)
{
    uint64_t sum_leaf = 0, sum_self = 0;
    uint32_t wrong = 0;

    for (uint32_t k = 0; k < fs->n; k++) {
        uint32_t rep = fs->v[k].frame;
        uint64_t total = 0, leaf = 0, self = 0;
        for (uint32_t i = 0; i < agg_nstacks(a); i++) {
            uint32_t n, j;
            uint64_t w;
            const uint32_t *st = agg_stack(a, i, &n, &w);
            for (j = 0; j < n && !same_function(a, st[j], rep); j++)
                ;
            total += j < n ? w : 0;
            if (n && same_function(a, st[n - 1], rep))
                leaf += w;
            int state = n >= 2 && agg_frame_get(a, st[n - 1])->kind == AGG_FRAME_STATE;
            if (n && same_function(a, st[state ? n - 2 : n - 1], rep))
                self += w;
        }
        wrong += total != fs->v[k].total || leaf != fs->v[k].leaf || self != fs->v[k].self;
        sum_leaf += leaf;
        sum_self += self;
    }
    TEST_EQ_INT(wrong, 0);
    /* every stack with frames ends in one function, and counts for one */
    uint64_t framed = 0;
    for (uint32_t i = 0; i < agg_nstacks(a); i++) {
        uint32_t n;
        uint64_t w;
        agg_stack(a, i, &n, &w);
        framed += n ? w : 0;
    }
    TEST_EQ_INT(sum_leaf, framed);
    TEST_EQ_INT(sum_self, framed);
    for (uint32_t id = 0; id < fs->nframes; id++)
        wrong += !same_function(a, id, fs->v[fs->of_frame[id]].frame);
    TEST_EQ_INT(wrong, 0);
}

static void test_fixtures(void)
{
    static const char *const files[] = {
        "fixtures/collapsed/hostile_threads_py312.txt", "fixtures/collapsed/recursion_py38.txt",
        "fixtures/collapsed/hostile_handmade.txt", "fixtures/raw/threadnames.spyraw"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t len;
        char *text = test_read_fixture(files[i], &len), why[256] = "";
        struct agg *a = agg_new();
        struct agg_raw_info info;
        int rc;
        if (!text) {
            agg_free(a);
            continue;
        }
        memset(&info, 0, sizeof(info));
        if (agg_raw_is(text, len))
            rc = agg_raw_parse(a, NULL, text, len, &info, why, sizeof(why));
        else
            rc = agg_collapsed_parse(a, text, len, why, sizeof(why));
        TEST_EQ_INT(rc, 0);
        TEST_CHECK(agg_nstacks(a) > 0);
        struct agg_funcs *fs = agg_functions(a);
        TEST_EQ_INT(fs->nframes, agg_nframes(a));
        TEST_CHECK(fs->n > 0 && fs->n <= fs->nframes);
        recount(a, fs);
        agg_funcs_free(fs);
        agg_raw_info_destroy(&info);
        agg_free(a);
        free(text);
    }
}

void test_agg_func(void)
{
    test_grouping();
    test_weights();
    test_fixtures();
}
