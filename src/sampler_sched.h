/* The schedule of fixed-rate sampling: when to take each sample, which ticks to skip. A pure
 * function of the times it is given (no clock, no sleep), so that it can be tested alone.
 *
 * Deadlines form a renewal process on absolute times: each one is the previous deadline plus a
 * period times U(0.5, 1.5), drawn anew each time. The mean gap is exactly one period, and a
 * deadline never depends on when the sampler actually woke up, so wake-up latency does not
 * lower the rate; the random gaps keep a program doing periodic work from aliasing with the
 * samples. A sample is never taken less than a quarter period after the previous one (a late
 * sampler catches up at that spacing at most). A deadline already late by a period or more is
 * skipped, not taken: the time lost is counted in periods (missed ticks) and the schedule
 * restarts at once, so a sampler that was stopped or starved takes one sample on waking, not a
 * burst of the ones it missed.
 * SPDX-License-Identifier: MIT */
#ifndef SAMPLER_SCHED_H
#define SAMPLER_SCHED_H

#include <stdint.h>

struct sampler_sched {
    int64_t period;   /* ns, > 0 */
    int64_t deadline; /* of the next sample, ns on the caller's clock */
    int64_t last;     /* when the last sample was taken, ns; INT64_MIN: none yet */
    int64_t lost;     /* ns by which skipped deadlines were late, summed */
    uint64_t skips;   /* times the schedule restarted after a skip */
    uint64_t rnd;     /* xorshift64 state, never 0 */
};

/* A schedule of one sample every period ns on average (> 0), the first due at start; seed
 * picks the random gaps (any value, 0 included). */
void sampler_sched_init(struct sampler_sched *s, int64_t period, int64_t start, uint64_t seed);

/* When to take the next sample, the time being now. A time <= now means now: the caller takes
 * the sample and calls sampler_sched_taken. A later time: the caller waits until then (or is
 * woken earlier) and asks again. When the deadline is late by a period or more at now, it is
 * skipped (counted, see sampler_sched_missed) and the schedule restarts with a sample now. */
int64_t sampler_sched_when(struct sampler_sched *s, int64_t now);

/* Start again at time at, the next sample due then: after a pause that was not sampling time
 * (waiting for the target's new program after an exec), which is not counted as missed ticks.
 * The minimum gap to the last sample still holds. */
void sampler_sched_restart(struct sampler_sched *s, int64_t at);

/* A sample was taken at time at (the now that sampler_sched_when returned for): draws the
 * next deadline. */
void sampler_sched_taken(struct sampler_sched *s, int64_t at);

/* Ticks skipped so far: the time their deadlines were late by, in periods, rounded (a stall of
 * 0.5 s at 1 kHz is about 500 ticks). */
uint64_t sampler_sched_missed(const struct sampler_sched *s);

#endif
