/* The clocks: monotonic, realtime and CPU time (of this thread, this process, or any clock id)
 * in nanoseconds as int64_t, conversions to seconds and timespecs, an absolute sleep, and the
 * tick of /proc's CPU times (USER_HZ, docs/linux.md §2, §8).
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_CLOCK_H
#define UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

#define UTIL_CLOCK_NS_PER_S 1000000000LL /* ns in a second */

/* CLOCK_MONOTONIC in ns: the time base of every schedule, deadline and duration. */
int64_t util_clock_mono_ns(void);

/* CLOCK_REALTIME in ns since the epoch. */
int64_t util_clock_real_ns(void);

/* CPU time in ns of the calling thread (CLOCK_THREAD_CPUTIME_ID) and of this process
 * (CLOCK_PROCESS_CPUTIME_ID). */
int64_t util_clock_thread_cpu_ns(void);
int64_t util_clock_process_cpu_ns(void);

/* Clock clk in ns (e.g. a process's CPU clock from clock_getcpuclockid), or a negative errno
 * when it cannot be read (the process is gone: docs/linux.md §8). */
int64_t util_clock_ns(clockid_t clk);

/* ns as seconds. */
double util_clock_s(int64_t ns);

/* ns (>= 0) as a timespec, for nanosleep, ppoll and clock_nanosleep. */
struct timespec util_clock_ts(int64_t ns);

/* Sleep until CLOCK_MONOTONIC reaches deadline (ns). Returns 0, or -EINTR when a signal handled
 * meanwhile ended the sleep early (the caller looks at its flags, or sleeps again). */
int util_clock_sleep_until(int64_t deadline);

/* USER_HZ: clock ticks per second of /proc's CPU times (sysconf(_SC_CLK_TCK), 100 when it
 * cannot be had). */
long util_clock_hz(void);

/* ticks of USER_HZ as ns, exactly (no overflow for any uint64_t count below 2^63 ns). */
int64_t util_clock_ticks_ns(uint64_t ticks);

#endif
