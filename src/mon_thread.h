/* `mon` on a thread of its own, for `spyglass record --resources`: the resource series of the
 * profiled process tree taken alongside the stacks, without touching the sampling loop's
 * timing. The thread ticks at absolute deadlines every `interval` seconds until stopped (or
 * the root exits); the series is handed back when it is joined.
 *
 *   mon_thread_start(pid, 0.1, launched, &mt);  ... sampling ...  mon_thread_stop(mt, &m);
 *   ... out_monitor_*(f, m, ...); mon_free(m);
 *
 * SPDX-License-Identifier: MIT */
#ifndef MON_THREAD_H
#define MON_THREAD_H

#include "mon.h"

struct mon_thread;

/* Open mon on the tree rooted at pid (launched: the caller just started it, count from zero)
 * and start ticking every interval seconds (> 0). Returns 0, or mon_open()'s errors, or the
 * negative errno of a failed pthread_create. */
int mon_thread_start(int pid, double interval, int launched, struct mon_thread **out);

/* Stop the thread, join it, and return the monitor with its series in *m (caller frees with
 * mon_free()); *elapsed receives the seconds from the start to the last tick (may be NULL).
 * Frees mt. */
void mon_thread_stop(struct mon_thread *mt, struct mon **m, double *elapsed);

#endif
