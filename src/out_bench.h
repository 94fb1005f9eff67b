/* Writers for `spyglass bench`: the terminal report, and JSON (every raw run, the summaries
 * and the metadata; schema in docs/bench-schema.json), CSV and Markdown exports. Each returns 0
 * or a negative errno of a failed write; the caller opens and closes f.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_BENCH_H
#define OUT_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "bench.h"
#include "bench_sum.h"
#include "meta.h"
#include "verdict.h"

/* Where and how the benchmark ran: the run record, then what only bench exports. Strings may be
 * empty, never NULL. */
struct out_bench_meta {
    struct meta run;        /* machine, load, other processes' CPU, date, duration */
    const char *rss_method; /* "taskstats" (exact) or "wait4" */
    const char *shell;      /* the shell used with --shell, "" without */
    double alpha;           /* significance level the verdicts were made at (exported) */
    uint64_t seed;
    int warmup;
    int interrupted; /* 1 when stopped by Ctrl-C: results are partial */
};

/* Everything a report shows. Arrays indexed by command have ncmds entries. */
struct out_bench {
    const struct bench_cmd *cmds;
    int ncmds;
    const struct bench_sample *samples;
    size_t nsamples;
    const signed char *outlier;        /* per sample: enum bench_outlier */
    const struct bench_cmd_sum *sums;  /* per command; sums[i].n == 0 when it has no runs */
    const struct bench_cmp *cmps;      /* per command vs the reference (cmps[ref] unused) */
    const enum verdict *verdicts;      /* per command: the verdict on cmps[i] (verdict.h) */
    int ref;                           /* reference command, -1 with fewer than 2 shown */
    const struct bench_cmp *base;      /* per command vs --baseline, NULL without */
    const enum verdict *base_verdicts; /* per command: the verdict on base[i], with a baseline */
    const int *has_base;               /* per command: 1 when base[i] is valid */
    double max_regression;             /* percent, with a baseline (exported) */
    int shell_cmd;                     /* index of the hidden shell start-up command, or -1 */
    const char *const *param_names;    /* nparams names */
    const char *const *param_values;   /* ncmds * nparams values, row per command */
    int nparams;
    const char *const *warnings; /* one line each, without a trailing newline */
    int nwarnings;
    struct out_bench_meta meta;
};

/* Human-readable report. */
int out_bench_text(FILE *f, const struct out_bench *o);
int out_bench_json(FILE *f, const struct out_bench *o);
int out_bench_csv(FILE *f, const struct out_bench *o);
int out_bench_markdown(FILE *f, const struct out_bench *o);

/* Format a value of a unit for people into buf ("12.3 ms", "1.5 MiB", "1,234"). */
void out_bench_fmt(char *buf, size_t size, double v, enum bench_unit u);

/* Format a p-value for people into buf (32 bytes): "p<0.001" or "p=0.043". Returns buf. Shared
 * with timeit's report. */
const char *out_bench_fmt_p(char *buf, double p);

/* Say verdict v on a run against its baseline, ratio being run / baseline, into buf (32 bytes):
 * "no significant change", "12.3% faster", "12.3% slower" or "12.3% slower  REGRESSION".
 * Returns buf. Shared with timeit's report, so that both say the same words. */
const char *out_bench_fmt_change(char *buf, enum verdict v, double ratio);

#endif
