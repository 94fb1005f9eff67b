/* The terminal report of `spyglass timeit` (the exports are out_timeit_export's) and the time
 * units both use. The verdicts it prints are given (verdict.h); the writer returns 0 or a
 * negative errno of a failed write; the caller opens and closes f.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_TIMEIT_H
#define OUT_TIMEIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats_nested.h"
#include "timeit.h"
#include "verdict.h"

/* Everything a report shows. Arrays indexed by benchmark have nbenches entries, in the order of
 * timeit_benches() (python-major: index = python * nstmts + stmt). */
struct out_timeit {
    const struct timeit_bench *benches;
    size_t nbenches;
    const struct timeit_python *pys; /* npys interpreters, as given (path) and named */
    int npys;
    const char *const *stmts; /* nstmts statements */
    int nstmts;
    const char *setup, *teardown;        /* "" when none */
    const char *const *names;            /* per benchmark: its label in the report */
    const struct stats_nested *sums;     /* per benchmark; sums[i].n == 0: no values */
    const struct stats_nested_cmp *cmp;  /* per benchmark: against the reference */
    const enum verdict *verdicts;        /* per benchmark: the verdict on cmp[i] */
    const int *has_cmp;                  /* per benchmark: 1 when cmp[i] is valid */
    int ref;                             /* the reference benchmark, -1 with fewer than 2 */
    const struct stats_nested_cmp *base; /* per benchmark: against --baseline; NULL without */
    const enum verdict *base_verdicts;   /* per benchmark: the verdict on base[i] */
    const int *has_base;                 /* per benchmark: 1 when base[i] is valid, 0: absent */
    const char *const *warnings;         /* one line each, no trailing newline */
    int nwarnings;
    int interrupted; /* 1 when stopped by Ctrl-C: results are partial */
};

/* Format seconds v in the unit best for `scale` (ns, µs, ms or s: the one that shows `scale`
 * between 1 and 1000), with 4 significant digits at most: "12.34 µs". */
void out_timeit_fmt(char *buf, size_t size, double v, double scale);

/* The human-readable report. */
int out_timeit_text(FILE *f, const struct out_timeit *o);

#endif
