/* The benchmark engine behind `spyglass bench`: warm-up, then interleaved rounds of every
 * command in a shuffled order until each has enough runs, with the machine's load sampled
 * around every run so that interference can be told apart from the command's own spread.
 * SPDX-License-Identifier: MIT */
#ifndef BENCH_H
#define BENCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_run.h"

/* The "schema" tag of the JSON export (docs/bench-schema.json): written by out_bench, checked
 * by bench_base when an export is read back as a baseline. */
#define BENCH_SCHEMA "spyglass-bench/1"

/* One command to measure. Borrowed by the engine. */
struct bench_cmd {
    const char *name;     /* as shown and exported (the command line, or --command-name) */
    char *const *argv;    /* NULL-terminated */
    char *const *prepare; /* run before every run of this command, untimed; NULL: none */
    int hidden;           /* 1 for the shell start-up reference of --shell */
};

/* When to stop running a command. With runs > 0 exactly that many runs are made; otherwise
 * at least min_runs and min_time seconds of runs, then more while the 95% CI of the median is
 * wider than target_ci (relative half-width), up to max_runs runs or max_time seconds. */
struct bench_plan {
    int warmup;       /* untimed runs per command first */
    int runs;         /* exact count; 0: automatic */
    int min_runs;     /* default 10 */
    int max_runs;     /* default 100000 */
    double min_time;  /* seconds, default 3 */
    double max_time;  /* seconds, default 30 */
    double target_ci; /* default 0.01 (1% of the median) */
    int ignore_failure;
    uint64_t seed; /* shuffles of the rounds */
};

/* One timed run. */
struct bench_sample {
    struct bench_result r;
    int cmd;          /* index into the command list */
    int round;        /* interleaving round, from 0 */
    int index;        /* this command's run number, from 0 */
    double start;     /* seconds since the benchmark began */
    double other_cpu; /* share (0..1) of the machine's CPU time used by other processes during
                         the run (coarse: /proc/stat ticks); -1 when not measurable */
};

/* Progress report: called after every run (warm-up runs have sample == NULL). */
typedef void (*bench_progress_fn)(void *ctx, int cmd, int warmup_left, const struct bench_sample *s,
                                  int runs_done, int runs_expected);

struct bench;

/* Create an engine for cmds[0..ncmds-1]. Returns 0 or a negative errno (from the runner).
 * Caller frees with bench_free(). */
int bench_new(const struct bench_cmd *cmds, int ncmds, const struct bench_plan *plan,
              const struct bench_run_opts *run, struct bench **out);
void bench_free(struct bench *b);

/* Run everything. Returns 0 when every command got its runs; -EINTR when stopped through
 * run->stop (the samples so far are kept); -ECHILD when a command failed (non-zero exit or
 * timeout) and the plan does not ignore failures: bench_failure() tells which; -ENOENT,
 * -EACCES or -ENOEXEC when a command (or a prepare command) could not be started:
 * bench_failure() tells which; another negative errno on a system failure. */
int bench_go(struct bench *b, bench_progress_fn progress, void *ctx);

/* The failed command's index and its result (valid after bench_go() returned -ECHILD or a
 * start error). is_prepare is 1 when the prepare command failed. */
void bench_failure(const struct bench *b, int *cmd, int *is_prepare, struct bench_result *res);

/* All timed runs so far, in the order they ran; valid until bench_free(). */
const struct bench_sample *bench_samples(const struct bench *b, size_t *n);

/* 1 when peak RSS figures are exact (taskstats), 0 when from wait4. */
int bench_exact_rss(const struct bench *b);

/* Seconds spent so far, and the share (0..1) of the machine's CPU used by other processes over
 * all timed runs (-1 when unknown). */
double bench_elapsed(const struct bench *b);
double bench_other_cpu(const struct bench *b);

#endif
