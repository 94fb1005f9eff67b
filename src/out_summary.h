/* The short text summary printed after a recording: top functions by self and total share,
 * each with its 95% margin, and their time by thread state when the profile has states.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_SUMMARY_H
#define OUT_SUMMARY_H

#include <stdio.h>

#include "agg_stacks.h"

/* Write the top n Python functions (agg_functions()) by self share and by total share.
 * Returns 0 or a negative errno of a failed write. */
int out_summary_write(FILE *f, const struct agg *a, int n);

/* The same for a profile whose weights are in unit (e.g. "bytes"; NULL: samples, shown with
 * their binomial margins). When stacks end in a state frame (AGG_FRAME_STATE leaf, e.g.
 * "<network>"), self time is that of the frame before it, and a third table splits the total
 * of each top function by state, states in the order of their frame ids. */
int out_summary_write_in(FILE *f, const struct agg *a, int n, const char *unit);

#endif
