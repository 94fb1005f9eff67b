/* The short text summary printed after a recording: top functions by self and total share,
 * each with its 95% margin.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_SUMMARY_H
#define OUT_SUMMARY_H

#include <stdio.h>

#include "agg_stacks.h"

/* Write the top n functions (grouped by name and file) by self share and by total share.
 * Returns 0 or a negative errno of a failed write. */
int out_summary_write(FILE *f, const struct agg *a, int n);

#endif
