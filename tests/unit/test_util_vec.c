/* Unit tests for util_vec: capacities (first size, doubling, the bound), arrays kept across
 * growth, and the end on overflow (one line and abort, as out of memory), in a child process,
 * also through a converted site (util_sbuf).
 * SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "test.h"
#include "util_sbuf.h"
#include "util_vec.h"

static void test_cap(void)
{
    TEST_EQ_INT(vec_cap(0, 0, 16, SIZE_MAX), 0);     /* nothing needed: nothing grows */
    TEST_EQ_INT(vec_cap(0, 1, 16, SIZE_MAX), 16);    /* the first size */
    TEST_EQ_INT(vec_cap(0, 16, 16, SIZE_MAX), 16);   /* exactly */
    TEST_EQ_INT(vec_cap(0, 17, 16, SIZE_MAX), 32);   /* doubled from the first size */
    TEST_EQ_INT(vec_cap(16, 16, 1, SIZE_MAX), 16);   /* holds them: unchanged */
    TEST_EQ_INT(vec_cap(16, 17, 1, SIZE_MAX), 32);   /* doubled once */
    TEST_EQ_INT(vec_cap(16, 100, 1, SIZE_MAX), 128); /* doubled until they fit */
    TEST_EQ_INT(vec_cap(3, 4, 256, SIZE_MAX), 6);    /* doubled from what there is */
    /* the bound: doubling past max stops at max; max itself fits */
    TEST_EQ_INT(vec_cap(48, 49, 1, 80), 80);
    TEST_EQ_INT(vec_cap(48, 80, 1, 80), 80);
    TEST_EQ_INT(vec_cap(0, 5, 100, 100), 100);
    TEST_EQ_INT(vec_cap((size_t)1 << 31, ((size_t)1 << 31) + 1, 1, UINT32_MAX), UINT32_MAX);
    TEST_EQ_INT(vec_cap(SIZE_MAX / 2 + 1, SIZE_MAX, 1, SIZE_MAX), SIZE_MAX);
}

static void test_grow(void)
{
    uint32_t *v = NULL, cap = 0;
    size_t bcap = 0;
    char *b = NULL;

    v = vec_grow32(v, &cap, 0, sizeof(*v), 4);
    TEST_CHECK(v == NULL && cap == 0); /* nothing needed: not allocated */
    for (uint32_t i = 0; i < 1000; i++) {
        if (i == cap)
            v = vec_grow32(v, &cap, (size_t)i + 1, sizeof(*v), 4);
        v[i] = i * 7;
    }
    TEST_EQ_INT(cap, 1024);
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < 1000; i++)
        wrong += v[i] != i * 7;
    TEST_EQ_INT(wrong, 0);
    uint32_t *same = vec_grow32(v, &cap, 1024, sizeof(*v), 4);
    TEST_CHECK(same == v && cap == 1024); /* room already: the array as it was */
    free(v);

    b = vec_grow(b, &bcap, 10, 1, 64);
    TEST_EQ_INT(bcap, 64);
    memcpy(b, "0123456789", 10);
    b = vec_grow(b, &bcap, 65 + 200, 1, 64);
    TEST_EQ_INT(bcap, 512);
    TEST_CHECK(memcmp(b, "0123456789", 10) == 0);
    free(b);
}

/* Whether fn ends its process with SIGABRT (stderr, its one line, to /dev/null). */
static int aborts(void (*fn)(void))
{
    pid_t pid = fork();
    int st = 0;

    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        signal(SIGABRT, SIG_DFL);
        fn();
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 0;
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void more_than_max(void)
{
    vec_cap(8, 81, 1, 80);
}

static void more_than_uint32(void)
{
    uint32_t *v = NULL, cap = 16;
    v = vec_grow32(v, &cap, (size_t)UINT32_MAX + 1, 1, 1);
    free(v);
}

static void more_than_size_t(void)
{
    size_t cap = 16;
    uint64_t *v = vec_grow(NULL, &cap, SIZE_MAX / 4, sizeof(*v), 1);
    free(v);
}

/* a site grown through util_vec: a buffer whose length would pass SIZE_MAX */
static void sbuf_past_size_t(void)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_adds(&b, "x");
    sbuf_reserve(&b, SIZE_MAX - 1);
    sbuf_destroy(&b);
}

static void fits(void)
{
    vec_cap(8, 80, 1, 80);
}

static void test_overflow(void)
{
    TEST_CHECK(aborts(more_than_max));
    TEST_CHECK(aborts(more_than_uint32));
    TEST_CHECK(aborts(more_than_size_t));
    TEST_CHECK(aborts(sbuf_past_size_t));
    TEST_CHECK(!aborts(fits)); /* the check itself can tell */
}

void test_util_vec(void)
{
    test_cap();
    test_grow();
    test_overflow();
}
