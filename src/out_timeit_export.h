/* Exports of `spyglass timeit`: JSON (every raw value with its worker, the summaries, the
 * comparisons and the machine; schema spyglass-timeit/1 in docs/timeit-schema.json), CSV (one
 * row per benchmark) and Markdown (a table). The terminal report is out_timeit.c's. Each
 * writer returns 0 or the negative errno of the first failed write (f flushed and checked,
 * through util_file's file_w); the caller opens and closes f.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_TIMEIT_EXPORT_H
#define OUT_TIMEIT_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "meta.h"
#include "stats_nested.h"
#include "timeit.h"
#include "verdict.h"

/* Everything the exports show. Arrays "per benchmark" have nbenches entries, in the order of
 * timeit_benches() (python-major: index = python * plan->nstmts + stmt). Everything is
 * borrowed. */
struct out_timeit_export {
    const struct timeit_plan *plan; /* statements, setup, teardown, counts and seed */
    const struct timeit_python *pythons;
    int npythons;
    const struct timeit_bench *benches;
    size_t nbenches;
    const struct stats_nested *sums; /* per benchmark; sums[i].n == 0 when it has no value */
    const int *ref; /* per benchmark: the benchmark cmps[i] compares it with (cmps[i] is
                       "i against ref[i]"), -1 for none; NULL: no comparisons at all */
    const struct stats_nested_cmp *cmps;
    const enum verdict *verdicts;        /* per benchmark: the verdict on cmps[i] (verdict.h) */
    const struct stats_nested_cmp *base; /* per benchmark against --baseline; NULL without */
    const enum verdict *base_verdicts;   /* per benchmark: the verdict on base[i] */
    const int *has_base;                 /* per benchmark: 1 when base[i] is valid */
    double max_regression;               /* percent slowdown tolerated (exported) */
    double alpha;                        /* the verdicts' significance level (exported) */
    const char *const *warnings;         /* one line each, without a trailing newline */
    int nwarnings;
    int interrupted;  /* 1 when stopped early: results are partial */
    struct meta meta; /* the machine and the run; alpha, seed and interrupted are above */
};

/* The JSON export: one object, every string escaped (invalid UTF-8 becomes U+FFFD), raw
 * values with 17 significant digits so that a baseline reads back the very same doubles. */
int out_timeit_json(FILE *f, const struct out_timeit_export *o);

/* CSV (docs/formats.md §10), a header and one row per benchmark that has values: python, version,
 * statement, loops, workers, values, median and its interval, mean, stddev, min, max (per-loop
 * seconds), between_sd, within_sd, icc, n_eff, the comparison with its reference (empty
 * fields without one) and with the baseline (empty without). */
int out_timeit_csv(FILE *f, const struct out_timeit_export *o);

/* A Markdown table, one row per benchmark that has values. */
int out_timeit_markdown(FILE *f, const struct out_timeit_export *o);

#endif
