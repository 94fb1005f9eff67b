/* Unit tests for util_clock: each clock against a direct clock_gettime read around it, CPU
 * clocks of this thread and process, a clock that cannot be read, conversions, an absolute
 * sleep, and USER_HZ against sysconf.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "test.h"
#include "util_clock.h"

static int64_t direct(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A reading lies between two direct readings of the same clock taken around it. */
static void test_bracketed(void)
{
    static const clockid_t clks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_THREAD_CPUTIME_ID,
                                     CLOCK_PROCESS_CPUTIME_ID};
    int64_t (*const fns[])(void) = {util_clock_mono_ns, util_clock_real_ns,
                                    util_clock_thread_cpu_ns, util_clock_process_cpu_ns};

    for (size_t i = 0; i < sizeof(clks) / sizeof(clks[0]); i++) {
        int64_t a = direct(clks[i]), v = fns[i](), b = direct(clks[i]), w = util_clock_ns(clks[i]);
        int64_t c = direct(clks[i]);

        TEST_CHECK(a <= v && v <= b);
        TEST_CHECK(b <= w && w <= c);
    }
    /* The realtime clock is seconds since the epoch: the same second as time() */
    time_t t0 = time(NULL);
    int64_t r = util_clock_real_ns() / UTIL_CLOCK_NS_PER_S;
    time_t t1 = time(NULL);
    TEST_CHECK(r >= (int64_t)t0 - 1 && r <= (int64_t)t1 + 1);
    /* This thread's CPU is part of the process's (read after it). */
    int64_t th = util_clock_thread_cpu_ns();
    TEST_CHECK(util_clock_process_cpu_ns() >= th);
    TEST_CHECK(th > 0);
    /* A clock id that does not exist */
    TEST_EQ_INT(util_clock_ns((clockid_t)-1000), -EINVAL);
}

static void test_conversions(void)
{
    struct timespec ts = util_clock_ts(1500000000LL);

    TEST_EQ_INT(ts.tv_sec, 1);
    TEST_EQ_INT(ts.tv_nsec, 500000000);
    ts = util_clock_ts(-5);
    TEST_CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    ts = util_clock_ts(INT64_MAX);
    TEST_EQ_INT(ts.tv_sec, INT64_MAX / 1000000000LL);
    TEST_EQ_INT(ts.tv_nsec, INT64_MAX % 1000000000LL);
    TEST_CHECK(util_clock_s(1500000000LL) == 1.5);
    TEST_CHECK(util_clock_s(-250000000LL) == -0.25);
}

static void test_hz(void)
{
    long hz = util_clock_hz();
    uint64_t h = (uint64_t)hz;

    TEST_EQ_INT(hz, sysconf(_SC_CLK_TCK));
    TEST_EQ_INT(util_clock_hz(), hz); /* the same every time */
    TEST_EQ_INT(util_clock_ticks_ns(0), 0);
    TEST_EQ_INT(util_clock_ticks_ns(h), UTIL_CLOCK_NS_PER_S);
    TEST_EQ_INT(util_clock_ticks_ns(3 * h + 1), 3 * UTIL_CLOCK_NS_PER_S + UTIL_CLOCK_NS_PER_S / hz);
    /* exact far beyond where ticks * 1e9 would overflow 64 bits */
    TEST_EQ_INT(util_clock_ticks_ns(9000000000ULL * h), 9000000000LL * UTIL_CLOCK_NS_PER_S);
}

/* An absolute sleep ends at or after its deadline; one in the past returns at once. */
static void test_sleep(void)
{
    int64_t deadline = util_clock_mono_ns() + 2000000;

    TEST_EQ_INT(util_clock_sleep_until(deadline), 0);
    TEST_CHECK(util_clock_mono_ns() >= deadline);
    TEST_EQ_INT(util_clock_sleep_until(deadline - 1000000000LL), 0);
}

void test_util_clock(void)
{
    test_bracketed();
    test_conversions();
    test_hz();
    test_sleep();
}
