/* A differential profile: the stacks of two profiles (A, before; B, after) matched frame by frame,
 * each with A's weight expressed in B's units (normalised) and B's weight. What `spyglass diff`
 * writes as collapsed-diff lines and a differential flame graph.
 * SPDX-License-Identifier: MIT */
#ifndef AGG_DIFF_H
#define AGG_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "agg_stacks.h"

enum agg_diff_norm {
    AGG_DIFF_NONE = 0,     /* weights as they are */
    AGG_DIFF_TOTAL = 1,    /* A scaled to B's total: shares of each profile */
    AGG_DIFF_TIME = 2,     /* by sampling rate: A's samples as the B samples of the same time */
    AGG_DIFF_DURATION = 3, /* by rate and length of the recording: per second recorded */
};

struct agg_diff;

/* The mode's name as --normalize takes it: "none", "total", "time" or "duration". */
const char *agg_diff_norm_name(enum agg_diff_norm mode);

/* A's normalised total at most (A's weights times the factor): every weight written as a whole
 * number fits an int64. */
#define AGG_DIFF_MAX_WEIGHT 9e18

/* The factor that expresses A's weights in B's units under mode, from the facts of each
 * profile (ma, mb: rates, durations, sampling instants, unit) and their totals. Returns 0 with
 * *k (finite, above 0, and total_a * *k at most AGG_DIFF_MAX_WEIGHT), or -EINVAL with a
 * one-line reason in why when a fact it needs is missing (a rate for AGG_DIFF_TIME, a duration
 * or count of instants for AGG_DIFF_DURATION, a total of 0 for AGG_DIFF_TOTAL), a fact is not
 * finite, the units differ, or the facts are so far apart that the factor leaves those bounds. */
int agg_diff_factor(enum agg_diff_norm mode, const struct agg_meta *ma, uint64_t total_a,
                    const struct agg_meta *mb, uint64_t total_b, double *k, char *why,
                    size_t whylen);

/* Match the stacks of a and b (frames equal by name, file, line and kind; thread frames by
 * the thread's name alone: "thread NAME (TID)" becomes "thread NAME", as a TID is one run's);
 * A's weights are multiplied by ka. Caller frees with agg_diff_free(). */
struct agg_diff *agg_diff_new(const struct agg *a, const struct agg *b, double ka);
void agg_diff_free(struct agg_diff *d);

/* Both profiles' stacks as one profile (its own strings and frames): stack i weighs B's weight
 * (0 for a stack only A has). A's stacks come first, in their order, then B's new ones. It
 * holds the source texts of both (B's where both have one). Valid for the life of d. */
const struct agg *agg_diff_agg(const struct agg_diff *d);
/* The same profile, to attach source texts to (agg_set_source, proc_src_attach) and for nothing
 * else: its stacks and weights must stay as they are. */
struct agg *agg_diff_agg_mut(struct agg_diff *d);
/* Stack i of agg_diff_agg(): A's weight times ka, and B's weight. */
double agg_diff_a(const struct agg_diff *d, uint32_t i);
uint64_t agg_diff_b(const struct agg_diff *d, uint32_t i);
/* The sums of agg_diff_a and agg_diff_b over all stacks. */
double agg_diff_total_a(const struct agg_diff *d);
uint64_t agg_diff_total_b(const struct agg_diff *d);

#endif
