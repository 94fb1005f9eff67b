/* Unit tests for meta: the run record collected on a fixed /proc and /sys tree (the machine) and
 * on this machine (load, CPU shares), its end, and the date format.
 * SPDX-License-Identifier: MIT */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meta.h"
#include "suites.h"
#include "test.h"

#define TREE "fixtures/sys/tree"

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int share_or_unknown(double v)
{
    return v == -1 || (v >= 0 && v <= 1);
}

/* The machine from the fixture tree; load and the share of others from the running system. */
static void test_begin_tree(void)
{
    static const char version[] = "9.8.7";
    struct meta m;
    struct timespec t0;

    memset(&m, 0x55, sizeof(m));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    meta_begin_at(&m, version, TREE);
    TEST_CHECK(seconds_since(&t0) >= 0.19); /* the look at other processes lasts 200 ms */
    TEST_CHECK(m.version == version);
    TEST_EQ_STR(m.cpu_model, "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz");
    TEST_EQ_INT(m.mem_total, 16303412ull * 1024);
    TEST_EQ_INT(m.cpu_freq_visible, 1);
    TEST_EQ_STR(m.governor, "powersave");
    TEST_CHECK(m.cpu_freq_mhz > 1899.99 && m.cpu_freq_mhz < 1900);
    TEST_EQ_INT(m.cpu_count, sysconf(_SC_NPROCESSORS_ONLN));
    TEST_CHECK(strncmp(m.kernel, "Linux ", 6) == 0);
    TEST_CHECK(m.hostname[0] != '\0');
    for (int i = 0; i < 3; i++)
        TEST_CHECK(m.load_before[i] >= 0 && m.load_before[i] < 10000);
    TEST_CHECK(m.cpu_pressure_before == -1 ||
               (m.cpu_pressure_before >= 0 && m.cpu_pressure_before <= 100));
    TEST_CHECK(share_or_unknown(m.other_cpu_before));
    TEST_CHECK(m.other_cpu_during == -1);
    TEST_EQ_STR(m.date, ""); /* set at the end */
    TEST_CHECK(m.elapsed == 0);

    /* Nothing under the root: the file-based machine fields are empty, the rest is live. */
    memset(&m, 0x55, sizeof(m));
    meta_begin_at(&m, version, "fixtures/sys/no-such-dir");
    TEST_EQ_STR(m.cpu_model, "");
    TEST_EQ_STR(m.governor, "");
    TEST_EQ_INT(m.mem_total, 0);
    TEST_EQ_INT(m.cpu_freq_visible, 0);
    TEST_CHECK(m.cpu_freq_mhz == 0);
    TEST_CHECK(m.kernel[0] != '\0' && m.cpu_count >= 1);
}

/* The real machine, begun and ended around a short wait. */
static void test_live(void)
{
    struct meta m;
    char now[32], before[32];
    time_t t = time(NULL);

    meta_begin(&m, "1");
    TEST_CHECK(m.cpu_count >= 1 && m.mem_total > 0);
    TEST_CHECK(m.cpu_model[0] != '\0');
    meta_date(before, sizeof(before), t);
    meta_end(&m, 0.25, 1.5);
    meta_date(now, sizeof(now), time(NULL));
    TEST_CHECK(strcmp(m.date, before) >= 0 && strcmp(m.date, now) <= 0);
    TEST_CHECK(m.other_cpu_during == 0.25);
    TEST_CHECK(m.elapsed == 1.5);
    for (int i = 0; i < 3; i++)
        TEST_CHECK(m.load_after[i] >= 0 && m.load_after[i] < 10000);
    meta_end(&m, -1, 0);
    TEST_CHECK(m.other_cpu_during == -1);
}

static void test_date(void)
{
    char buf[32], tiny[8];

    meta_date(buf, sizeof(buf), 0);
    TEST_EQ_STR(buf, "1970-01-01T00:00:00Z");
    meta_date(buf, sizeof(buf), 1717500000);
    TEST_EQ_STR(buf, "2024-06-04T11:20:00Z");
    meta_date(buf, sizeof(buf), 951782400); /* a leap day */
    TEST_EQ_STR(buf, "2000-02-29T00:00:00Z");
    memset(tiny, 'x', sizeof(tiny));
    meta_date(tiny, sizeof(tiny), 0); /* too small: empty, never cut */
    TEST_EQ_STR(tiny, "");
}

void test_meta(void)
{
    test_begin_tree();
    test_live();
    test_date();
}
