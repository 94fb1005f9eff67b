/* The clocks in one place: ns as int64_t, USER_HZ read once.
 * SPDX-License-Identifier: MIT */
#include "util_clock.h"

#include <errno.h>
#include <unistd.h>

int64_t util_clock_ns(clockid_t clk)
{
    struct timespec ts;

    if (clock_gettime(clk, &ts) != 0)
        return -errno;
    return (int64_t)ts.tv_sec * UTIL_CLOCK_NS_PER_S + ts.tv_nsec;
}

int64_t util_clock_mono_ns(void)
{
    return util_clock_ns(CLOCK_MONOTONIC);
}

int64_t util_clock_real_ns(void)
{
    return util_clock_ns(CLOCK_REALTIME);
}

int64_t util_clock_thread_cpu_ns(void)
{
    return util_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

int64_t util_clock_process_cpu_ns(void)
{
    return util_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

double util_clock_s(int64_t ns)
{
    return (double)ns / 1e9;
}

struct timespec util_clock_ts(int64_t ns)
{
    if (ns < 0)
        ns = 0;
    return (struct timespec){.tv_sec = (time_t)(ns / UTIL_CLOCK_NS_PER_S),
                             .tv_nsec = (long)(ns % UTIL_CLOCK_NS_PER_S)};
}

int util_clock_sleep_until(int64_t deadline)
{
    struct timespec ts = util_clock_ts(deadline);

    return -clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

long util_clock_hz(void)
{
    /* The kernel's USER_HZ, passed to every program in its auxiliary vector (AT_CLKTCK): a
     * constant for the process's life, so a racing first read stores the same value. */
    static _Atomic long hz;
    long v = hz;

    if (v == 0) {
        v = sysconf(_SC_CLK_TCK);
        if (v <= 0)
            v = 100;
        hz = v;
    }
    return v;
}

int64_t util_clock_ticks_ns(uint64_t ticks)
{
    uint64_t hz = (uint64_t)util_clock_hz();

    return (int64_t)(ticks / hz * (uint64_t)UTIL_CLOCK_NS_PER_S +
                     ticks % hz * (uint64_t)UTIL_CLOCK_NS_PER_S / hz);
}
