/* Profile writers: collapsed stacks, interactive SVG flame graph, speedscope JSON.
 * Writers see only agg_stacks types. Each returns 0 or a negative errno (-EIO or the errno of
 * a failed write, e.g. -ENOSPC); the caller opens and closes f.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_FLAME_H
#define OUT_FLAME_H

#include <stdio.h>

#include "agg_stacks.h"

/* One line per distinct stack, root first, frames joined by ';', then ' ' and the weight
 * (Brendan Gregg's collapsed format). Stacks with no frames are skipped. */
int out_collapsed_write(FILE *f, const struct agg *a);
/* A self-contained interactive SVG flame graph (hover details, click to zoom, search). */
int out_svg_write(FILE *f, const struct agg *a, const struct agg_meta *m);
/* speedscope file format JSON (https://www.speedscope.app/file-format-schema.json),
 * one "sampled" profile. */
int out_speedscope_write(FILE *f, const struct agg *a, const struct agg_meta *m);

#endif
