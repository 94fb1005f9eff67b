/* Writers of a differential profile (agg_diff): collapsed-diff lines and a differential flame
 * graph (SVG). Each returns 0 or a negative errno of a failed write; the caller opens and
 * closes f.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_DIFF_H
#define OUT_DIFF_H

#include <stdio.h>

#include "agg_diff.h"
#include "agg_stacks.h"

/* The colour scale of differential flame graphs, which the SVG and the HTML page (its viewer
 * reads these from the page's data) share: a box of intensity x (out_diff_intensity) is
 * OUT_DIFF_NEUTRAL grey moved by x: its red (growth) or blue (shrink) channel up by
 * OUT_DIFF_RISE x, the other two down by OUT_DIFF_FADE x. */
#define OUT_DIFF_NEUTRAL  235
#define OUT_DIFF_RISE     20
#define OUT_DIFF_FADE     200
#define OUT_DIFF_NOISE_SD 2 /* counts differing by less than this many standard deviations fade */

/* One "frame;frame;... A B" line per stack that either side holds (the collapsed diff of
 * docs/formats.md §2, which flamegraph.pl draws): A's normalised weight rounded to a whole
 * number, then B's; labels as out_collapsed_write writes them. */
int out_diff_collapsed_write(FILE *f, const struct agg_diff *d);

/* A flame graph of B's stacks (widths are B's weights) coloured by each box's change from A:
 * red where B holds more than A, blue where less, grey when equal, with out_diff_intensity;
 * tooltips give A, B and the change. m gives the title and the unit (NULL: samples). Stacks
 * only A holds have no width (see them in the collapsed-diff). */
int out_diff_svg_write(FILE *f, const struct agg_diff *d, const struct agg_meta *m);

/* The relative change of a box: (b - a) / max(a, b), from -1 (gone) to 1 (new); 0 when both
 * are 0. */
double out_diff_change(double a, double b);
/* How strongly a box is coloured, 0 to 1: |out_diff_change|, and for sample counts (counts 1)
 * faded in proportion when the difference is within sampling noise, |b - a| below two
 * standard deviations of Poisson counts, 2 sqrt(a + b). */
double out_diff_intensity(double a, double b, int counts);

#endif
