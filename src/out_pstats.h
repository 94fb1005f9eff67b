/* pstats writer: the profile as the marshal file that Python's pstats.Stats loads (and
 * snakeviz, tuna, gprof2dot read), derived from samples.
 * Format: CPython's Lib/pstats.py and Lib/cProfile.py (Profile.snapshot_stats).
 * SPDX-License-Identifier: MIT */
#ifndef OUT_PSTATS_H
#define OUT_PSTATS_H

#include <stdio.h>

#include "agg_stacks.h"

/* Write a (borrowed) to f as a marshalled dict {(file, line, name): (cc, nc, tt, ct, callers)},
 * callers being {(file, line, name) of a caller: (nc, cc, tt, ct)}, as cProfile makes it.
 * Functions are agg_functions()'s (frames of one name, file and kind); line is the smallest
 * line sampled in the function (the profile does not hold its def line). Synthetic frames
 * (threads, states) and frames without a file are ("~", 0, name), as cProfile names built-ins.
 * The figures are estimates from samples, each sample worth one period (1 / m->rate_effective,
 * else 1 / m->rate_requested seconds; 1 "second" per sample when neither is known):
 *   tt  self time: samples with the function at the leaf x period (agg_func.leaf: a state
 *       frame at the leaf is a function of its own, as a built-in called is in cProfile);
 *   ct  cumulative time: samples with the function anywhere on the stack x period, counted
 *       once per sample however often recursion puts it there (agg_func.total);
 *   nc  "calls seen": distinct call paths (the caller frames with their lines) under which the
 *       function was sampled, a lower bound of the calls that really happened (a call sampled
 *       many times counts once; calls from the same line of the same path count once);
 *   cc  the same, counting only the outermost call of a recursion (cProfile's primitive calls).
 * A caller's tuple holds the same figures for the calls made by that caller only.
 * Stacks with no frames or no weight are left out. Strings are written as valid UTF-8 (each
 * byte of an invalid sequence becomes U+FFFD). Returns 0 or a negative errno of a failed write;
 * the caller opens and closes f. */
int out_pstats_write(FILE *f, const struct agg *a, const struct agg_meta *m);

#endif
