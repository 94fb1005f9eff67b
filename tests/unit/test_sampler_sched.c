/* Unit tests for sampler_sched: the schedule driven by simulated clocks (no real time): the mean
 * rate, the gaps, wake-up latency, stalls and the missed-tick count.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sampler_sched.h"
#include "suites.h"
#include "test.h"

#define P 1000000LL /* 1 ms, in ns */

/* The test's own randomness (splitmix64), for latencies: independent of the schedule's. */
static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct sim {
    uint64_t samples;
    int64_t first, last;
    int64_t min_gap, max_gap; /* between consecutive samples */
    double sum_gap, sum_gap2;
};

/* Run the schedule until time end: the sampler wakes lat_max * U(0, 1) ns after each time it
 * asked to wait for (0: exactly then), and taking a sample costs work ns. A stall from
 * stall_at for stall_ns: the sampler wakes at its end. */
static void simulate(struct sampler_sched *s, int64_t end, int64_t lat_max, int64_t work,
                     int64_t stall_at, int64_t stall_ns, uint64_t seed, struct sim *out)
{
    uint64_t rng = seed;
    int64_t now = 0, prev = INT64_MIN;

    memset(out, 0, sizeof(*out));
    out->min_gap = INT64_MAX;
    sampler_sched_init(s, P, 0, seed);
    while (now < end) {
        int64_t at = sampler_sched_when(s, now);
        if (at > now) {
            now = at + (lat_max ? (int64_t)(mix(&rng) % (uint64_t)lat_max) : 0);
            if (stall_ns && now >= stall_at && now < stall_at + stall_ns)
                now = stall_at + stall_ns;
            continue;
        }
        if (prev != INT64_MIN) {
            int64_t g = now - prev;
            out->min_gap = g < out->min_gap ? g : out->min_gap;
            out->max_gap = g > out->max_gap ? g : out->max_gap;
            out->sum_gap += (double)g;
            out->sum_gap2 += (double)g * (double)g;
        } else {
            out->first = now;
        }
        out->last = prev = now;
        out->samples++;
        sampler_sched_taken(s, now);
        now += work;
    }
}

/* On time: gaps between 0.5 and 1.5 periods, uniform (mean P, sd P / sqrt(12)), nothing missed,
 * the rate exact. */
static void test_on_time(void)
{
    struct sampler_sched s;
    struct sim r;
    simulate(&s, 100000 * P, 0, 0, 0, 0, 1, &r);
    double n = (double)(r.samples - 1), mean = r.sum_gap / n;
    double sd = sqrt(r.sum_gap2 / n - mean * mean);
    TEST_CHECK(r.min_gap >= P / 2 && r.max_gap < 3 * P / 2);
    TEST_CHECK(fabs(mean / P - 1) < 0.005);
    TEST_CHECK(fabs(sd / P - 1 / sqrt(12)) < 0.01);
    TEST_CHECK(r.samples > 99000 && r.samples < 101000);
    TEST_EQ_INT(sampler_sched_missed(&s), 0);
    TEST_EQ_INT(s.skips, 0);
    TEST_CHECK(r.first == 0);
}

/* Waking up late by up to 0.4 period, with samples that cost 0.1 period: still every tick (the
 * deadlines do not move with the wake-ups), never two samples within a quarter period. (A
 * sampler that is late catches up at that spacing; each wait adds its latency, so a latency
 * close to a period on every wait would end in skips.) */
static void test_latency(void)
{
    struct sampler_sched s;
    struct sim r;
    simulate(&s, 100000 * P, 2 * P / 5, P / 10, 0, 0, 2, &r);
    TEST_CHECK(r.samples > 99000 && r.samples < 101000);
    TEST_CHECK(r.min_gap >= P / 4);
    TEST_EQ_INT(sampler_sched_missed(&s), 0);
    TEST_CHECK(fabs(r.sum_gap / (double)(r.samples - 1) / P - 1) < 0.01);
}

/* A sampler stopped for 500 periods: one sample when it wakes, none of the missed ones; about
 * 500 ticks counted missed; samples and missed ticks add up to the time. */
static void test_stall(void)
{
    struct sampler_sched s;
    struct sim r;
    simulate(&s, 4000 * P, 0, 0, 1500 * P, 500 * P, 3, &r);
    uint64_t missed = sampler_sched_missed(&s);
    TEST_CHECK(missed >= 495 && missed <= 505);
    TEST_EQ_INT(s.skips, 1);
    TEST_CHECK(r.min_gap >= P / 2); /* no burst after the stall */
    TEST_CHECK(r.max_gap >= 500 * P && r.max_gap < 502 * P);
    TEST_CHECK(r.samples > 3400 && r.samples < 3600);
    TEST_CHECK(llabs((long long)(r.samples + missed) - 4000) < 100);
}

/* A sampler that always wakes late by more than a period (starved): it still samples at every
 * wake-up, counting what it missed; the samples and missed ticks add up to the time. */
static void test_starved(void)
{
    struct sampler_sched s;
    struct sim r;
    simulate(&s, 100000 * P, 3 * P, 0, 0, 0, 4, &r);
    uint64_t missed = sampler_sched_missed(&s);
    TEST_CHECK(r.samples > 20000);
    TEST_CHECK(r.min_gap >= P / 4);
    TEST_CHECK(missed > 40000);
    TEST_CHECK(fabs((double)(r.samples + missed) / 100000 - 1) < 0.02);
}

/* The rule itself, step by step: late by less than a period is taken, a period or more is
 * skipped; the minimum gap; rounding of the missed count. */
static void test_steps(void)
{
    struct sampler_sched s;
    sampler_sched_init(&s, P, 5 * P, 0);
    TEST_EQ_INT(sampler_sched_when(&s, 0), 5 * P);         /* wait for the first */
    TEST_EQ_INT(sampler_sched_when(&s, 6 * P - 1), 5 * P); /* late by < P: now */
    sampler_sched_taken(&s, 6 * P - 1);
    TEST_CHECK(s.deadline >= 5 * P + P / 2 && s.deadline < 5 * P + 3 * P / 2);
    /* however early the deadline, not before a quarter period after the last sample */
    TEST_CHECK(sampler_sched_when(&s, 6 * P - 1) >= 6 * P - 1 + P / 4);
    int64_t d = s.deadline;
    TEST_EQ_INT(sampler_sched_when(&s, d + P), d + P); /* late by P: skipped, restarted now */
    TEST_EQ_INT(s.deadline, d + P);
    TEST_EQ_INT(sampler_sched_missed(&s), 1);
    sampler_sched_taken(&s, d + P);
    d = s.deadline;
    TEST_EQ_INT(sampler_sched_when(&s, d + 2 * P + P / 2), d + 2 * P + P / 2);
    TEST_EQ_INT(sampler_sched_missed(&s), 4); /* 1 + 2.5, rounded */
    TEST_EQ_INT(s.skips, 2);
    /* a restart: due at once, nothing counted missed, the minimum gap kept */
    sampler_sched_taken(&s, d + 2 * P + P / 2);
    int64_t last = d + 2 * P + P / 2;
    sampler_sched_restart(&s, last + 100 * P);
    TEST_EQ_INT(sampler_sched_when(&s, last + 100 * P), last + 100 * P);
    TEST_EQ_INT(sampler_sched_missed(&s), 4);
    sampler_sched_restart(&s, last + 1);
    TEST_EQ_INT(sampler_sched_when(&s, last + 1), last + P / 4);
    /* seed 0 still gives random gaps */
    sampler_sched_init(&s, P, 0, 0);
    sampler_sched_taken(&s, 0);
    int64_t g1 = s.deadline;
    sampler_sched_taken(&s, g1);
    TEST_CHECK(s.deadline - g1 != g1);
}

void test_sampler_sched(void)
{
    test_on_time();
    test_latency();
    test_stall();
    test_starved();
    test_steps();
}
