/* Profile writers: collapsed stacks, interactive SVG flame graph, speedscope JSON.
 * Writers see only agg_stacks types. Each returns 0 or a negative errno (-EIO or the errno of
 * a failed write, e.g. -ENOSPC); the caller opens and closes f.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_FLAME_H
#define OUT_FLAME_H

#include <stdio.h>

#include "agg_stacks.h"
#include "util_sbuf.h"

/* Append the collapsed label of frame id to b: agg_frame_label with each ';', '\n' or '\r'
 * (which would split a frame or a record) made a space; other bytes as they are. */
void out_collapsed_label(struct sbuf *b, const struct agg *a, uint32_t id);

/* One line per distinct stack, root first, frames joined by ';', then ' ' and the weight
 * (docs/formats.md §1). Stacks with no frames are skipped. */
int out_collapsed_write(FILE *f, const struct agg *a);
/* A self-contained interactive SVG flame graph (hover details, click to zoom, search). */
int out_svg_write(FILE *f, const struct agg *a, const struct agg_meta *m);
/* A box of a flame graph being drawn, for out_svg_paint's callbacks. */
struct out_svg_box {
    uint32_t frame;         /* frame id; AGG_NONE for the root ("all") */
    uint32_t depth;         /* 0 for the root */
    uint64_t weight;        /* its width, in the profile's weights */
    const uint32_t *stacks; /* the ids of the stacks under it */
    uint32_t nstacks;
};

/* How out_svg_paint_write draws boxes instead of out_svg_write's palette and "N samples (P%)"
 * tooltip line (spyglass diff). */
struct out_svg_paint {
    void *ctx;
    /* Append the box's fill, an SVG colour such as "rgb(1,2,3)". */
    void (*colour)(void *ctx, const struct out_svg_box *box, struct sbuf *out);
    /* Append the tooltip's line under the label (plain text, no line break; escaped by the
     * writer). */
    void (*detail)(void *ctx, const struct out_svg_box *box, struct sbuf *out);
    int zero_stacks; /* 1: stacks of weight 0 are in their boxes' stacks too (drawn nowhere) */
};

/* out_svg_write with the boxes painted by p. */
int out_svg_paint_write(FILE *f, const struct agg *a, const struct agg_meta *m,
                        const struct out_svg_paint *p);
/* speedscope JSON (docs/formats.md §7), one "sampled" profile. */
int out_speedscope_write(FILE *f, const struct agg *a, const struct agg_meta *m);

#endif
