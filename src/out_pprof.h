/* pprof writer: the profile as a gzipped perftools.profiles.Profile protobuf, the input of
 * `go tool pprof`, Pyroscope, Grafana and most profile viewers.
 * Fields used: docs/formats.md §5.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_PPROF_H
#define OUT_PPROF_H

#include <stdio.h>

#include "agg_stacks.h"

/* Write a (borrowed) to f as gzipped protobuf. Every frame is a Location (id = frame id + 1)
 * with one Line; the frames of one function of agg_functions() (same name, file and kind)
 * share a Function (name and filename; no
 * system_name, which pprof would take for a C++ name to simplify: "<module>" would vanish;
 * start_line is not known: the profile holds the line being run, not the def line).
 * Synthetic frames (threads, states) are functions without a file. Each stack with frames and a
 * positive weight is a Sample, leaf first, with the values [weight] ("samples"/"count") and, when
 * the rate is known (m->rate_effective, else m->rate_requested), weight x period in nanoseconds
 * (type m->mode, "wall" when unknown), which is also the default sample type. m's title,
 * command, Python version, mode and rates become comments; m->duration the duration. Names are
 * written as UTF-8 (each byte of an invalid sequence becomes U+FFFD). Returns 0 or a negative
 * errno (a failed write, e.g. -ENOSPC; -EIO, -ENOMEM from zlib); the caller opens and closes f. */
int out_pprof_write(FILE *f, const struct agg *a, const struct agg_meta *m);

#endif
