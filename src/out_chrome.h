/* Chrome trace-event JSON writer (docs/formats.md §8: the JSON object form, which Perfetto and
 * chrome://tracing open): a track per thread, on which consecutive samples that
 * share their outer frames become one complete ("X") event per frame.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_CHROME_H
#define OUT_CHROME_H

#include <stdio.h>

#include "agg_stacks.h"

/* Write the samples of m->timeline (of profile a) as trace events: a function's event lasts as
 * long as consecutive samples of its track hold it at the same depth, under the same outer
 * functions (lines may change; args show the file and the line of its first sample). A sample
 * stands for the time
 * from its instant to the next instant (the last one: one period, 1 / the effective rate, else
 * the requested one, else 10 ms); times are whole microseconds since the start of sampling.
 * Tracks are kernel threads (the samples' TIDs), else the "thread NAME (TID)" root frames, else
 * the order of the samples within an instant; thread root frames name their track and are not
 * events; a second sample of a track in one instant is left out. Events are named by function,
 * with the file and line in args; metadata events name the process (m->command) and threads.
 * Returns 0, -ENODATA when m has no time line, or a negative errno of a failed write. */
int out_chrome_write(FILE *f, const struct agg *a, const struct agg_meta *m);

#endif
