/* The functions of a profile: its frames grouped by name, file and kind, with their self and
 * total weights. The one grouping that the pprof, pstats and summary writers use (the report
 * page restates it in web/model.js, buildModel and functionStats).
 * SPDX-License-Identifier: MIT */
#ifndef AGG_FUNC_H
#define AGG_FUNC_H

#include <stdint.h>

#include "agg_stacks.h"

/* One function: the frames of one name, file (AGG_NONE included) and kind, whatever their
 * lines. Weights are sums of stack weights. */
struct agg_func {
    uint32_t name;  /* string id of the name */
    uint32_t file;  /* string id of the file, or AGG_NONE */
    uint32_t kind;  /* enum agg_frame_kind */
    uint32_t frame; /* its first frame (lowest frame id) */
    int32_t line;   /* smallest line above 0 of its frames; 0 when none */
    uint64_t leaf;  /* weight of the stacks whose last frame is one of its frames */
    uint64_t self;  /* the same, but a stack that ends in a state frame (AGG_FRAME_STATE) under
                     * another frame counts for that frame's function instead: the state is
                     * how the function above it spent the time */
    uint64_t total; /* weight of the stacks with one of its frames anywhere, counted once per
                     * stack however often recursion puts it there */
};

struct agg_funcs {
    struct agg_func *v; /* n functions, in the order of their first frames */
    uint32_t n;
    uint32_t *of_frame; /* frame id -> index in v, for agg_nframes() frames */
    uint32_t nframes;   /* frames of the profile when the query ran */
};

/* Group the frames of a (borrowed) into functions and weigh them over all of a's stacks
 * (stacks without frames count for none). Caller frees with agg_funcs_free(). */
struct agg_funcs *agg_functions(const struct agg *a);
void agg_funcs_free(struct agg_funcs *f);

#endif
