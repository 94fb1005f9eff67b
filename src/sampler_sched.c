/* The sampling schedule: renewal-process deadlines, a minimum gap, skipped late ticks.
 * SPDX-License-Identifier: MIT */
#include "sampler_sched.h"

#include <assert.h>

/* xorshift64: cheap randomness for the gaps. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

void sampler_sched_init(struct sampler_sched *s, int64_t period, int64_t start, uint64_t seed)
{
    assert(period > 0);
    s->period = period;
    s->deadline = start;
    s->last = INT64_MIN;
    s->lost = 0;
    s->skips = 0;
    s->rnd = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

int64_t sampler_sched_when(struct sampler_sched *s, int64_t now)
{
    if (now - s->deadline >= s->period) {
        /* Late by a period or more: the sampler was stopped or did not get the CPU. Taking
         * this tick now, and the ones after it back to back, would put samples microseconds
         * apart, all of one moment of the target. Count the time lost instead and start
         * again from now. */
        s->lost += now - s->deadline;
        s->skips++;
        s->deadline = now;
    }
    int64_t at = s->deadline;
    if (s->last != INT64_MIN && at - s->last < s->period / 4)
        at = s->last + s->period / 4;
    return at;
}

void sampler_sched_restart(struct sampler_sched *s, int64_t at)
{
    s->deadline = at;
}

void sampler_sched_taken(struct sampler_sched *s, int64_t at)
{
    uint64_t r = next_random(&s->rnd) % (uint64_t)s->period;
    s->last = at;
    s->deadline += s->period / 2 + (int64_t)r; /* period x U(0.5, 1.5) */
}

uint64_t sampler_sched_missed(const struct sampler_sched *s)
{
    return (uint64_t)((s->lost + s->period / 2) / s->period);
}
