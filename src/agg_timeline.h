/* The samples of a profile in time order: sampling instants ("ticks", at a time since the start
 * of sampling) each holding the stacks taken then (a stack id of the profile's agg, a weight,
 * the kernel thread). What the chrome trace export draws; `record` keeps one in memory, the raw
 * format stores one.
 * SPDX-License-Identifier: MIT */
#ifndef AGG_TIMELINE_H
#define AGG_TIMELINE_H

#include <stdint.h>

struct agg_timeline_sample {
    uint32_t stack;  /* stack id in the profile's agg */
    uint32_t tid;    /* kernel thread id; 0 when unknown */
    uint64_t weight; /* what the stack weighs in the profile (1 per sample, or bytes) */
};

struct agg_timeline;

/* A new, empty time line. Caller frees with agg_timeline_free(). */
struct agg_timeline *agg_timeline_new(void);
void agg_timeline_free(struct agg_timeline *t);

/* Make room for n more samples and one more tick, so that the next agg_timeline_add() calls (up
 * to n) and agg_timeline_tick() do not allocate. Call it between sampling instants. */
void agg_timeline_reserve(struct agg_timeline *t, uint32_t n);
/* Add a sample to the open tick (grows the storage when agg_timeline_reserve did not). */
void agg_timeline_add(struct agg_timeline *t, uint32_t stack, uint64_t weight, uint32_t tid);
/* Close the open tick: its samples were taken at t_ns nanoseconds since the start of sampling.
 * Times must not decrease: a t_ns below the previous tick's is raised to it. A tick may hold no
 * sample (the target was read, no thread had Python frames). */
void agg_timeline_tick(struct agg_timeline *t, uint64_t t_ns);

/* The closed ticks: tick i (0 to agg_timeline_nticks() - 1) was at *t_ns and holds the samples
 * returned (*n of them; the pointer is valid until the next change). */
uint64_t agg_timeline_nticks(const struct agg_timeline *t);
const struct agg_timeline_sample *agg_timeline_get(const struct agg_timeline *t, uint64_t i,
                                                   uint64_t *t_ns, uint32_t *n);
/* The number of samples in closed ticks. */
uint64_t agg_timeline_nsamples(const struct agg_timeline *t);

#endif
