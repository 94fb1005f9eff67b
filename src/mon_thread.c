/* A monitor on its own thread: absolute CLOCK_MONOTONIC deadlines, a stop flag read at each
 * wake-up, and a condition-free shutdown (the sleep is at most one interval).
 * SPDX-License-Identifier: MIT */
#include "mon_thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "util_clock.h"
#include "util_xalloc.h"

struct mon_thread {
    struct mon *m;
    pthread_t thread;
    int64_t interval_ns;
    int64_t t0, last; /* ns: mon_open, the last tick */
    atomic_int stop;
    int ended; /* the thread stopped on its own: the root exited */
};

static void *run(void *arg)
{
    struct mon_thread *mt = arg;
    int64_t next = mt->t0;

    while (!atomic_load(&mt->stop)) {
        int64_t now;
        int rc;

        next += mt->interval_ns;
        while (util_clock_sleep_until(next) == -EINTR) /* a signal for the main thread */
            ;
        now = util_clock_mono_ns();
        if (now - next > mt->interval_ns) /* late by more than a period: skip, do not burst */
            next = now;
        rc = mon_tick(mt->m, now);
        if (rc >= 0)
            mt->last = now;
        if (rc != 0) { /* the root exited (1, its final counters read) or nothing could be read */
            mt->ended = 1;
            break;
        }
        mon_reserve(mt->m);
    }
    return NULL;
}

int mon_thread_start(int pid, double interval, int launched, struct mon_thread **out)
{
    struct mon_opts opts = {.launched = launched};
    struct mon_thread *mt = xcalloc(1, sizeof(*mt));
    int err;

    mt->interval_ns = (int64_t)(interval * 1e9);
    if (mt->interval_ns < 1000000)
        mt->interval_ns = 1000000;
    mt->t0 = mt->last = util_clock_mono_ns();
    atomic_init(&mt->stop, 0);
    err = mon_open(pid, &opts, mt->t0, &mt->m);
    if (err < 0)
        goto out;
    mon_reserve(mt->m);
    err = -pthread_create(&mt->thread, NULL, run, mt);
out:
    if (err < 0) {
        if (mt->m)
            mon_free(mt->m);
        free(mt);
        return err;
    }
    *out = mt;
    return 0;
}

void mon_thread_stop(struct mon_thread *mt, struct mon **m, double *elapsed)
{
    atomic_store(&mt->stop, 1);
    pthread_join(mt->thread, NULL);
    if (!mt->ended) { /* a last reading at the stop itself (a launched child's final counters) */
        int64_t now = util_clock_mono_ns();

        if (mon_tick(mt->m, now) >= 0)
            mt->last = now;
    }
    *m = mt->m;
    if (elapsed)
        *elapsed = (double)(mt->last - mt->t0) / 1e9;
    free(mt);
}
