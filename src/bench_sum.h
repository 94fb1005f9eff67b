/* Summaries of a benchmark's runs: every metric of every command summarised like time,
 * outliers with their likely reason, modality, drift over the session, and comparisons of
 * commands (ratio with its CI and a Mann-Whitney test). Data in, data out: no I/O.
 * SPDX-License-Identifier: MIT */
#ifndef BENCH_SUM_H
#define BENCH_SUM_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "stats_dist.h"

enum bench_metric {
    BENCH_M_WALL = 0, /* seconds */
    BENCH_M_USER,     /* seconds */
    BENCH_M_SYS,      /* seconds */
    BENCH_M_MAXRSS,   /* bytes */
    BENCH_M_READ,     /* bytes read from storage */
    BENCH_M_WRITE,    /* bytes written to storage */
    BENCH_M_MINFLT,   /* minor page faults */
    BENCH_M_MAJFLT,   /* major page faults */
    BENCH_M_NVCSW,    /* voluntary context switches */
    BENCH_M_NIVCSW,   /* involuntary context switches */
    BENCH_M_COUNT
};

enum bench_unit { BENCH_U_SECONDS, BENCH_U_BYTES, BENCH_U_COUNT };

/* Name used in exports ("wall", "user", ...). */
const char *bench_metric_name(enum bench_metric m);

/* The value of metric m in one run. */
double bench_metric_value(const struct bench_result *r, enum bench_metric m);

/* Why a run's time is an outlier. */
enum bench_outlier {
    BENCH_OUT_NONE = 0,
    BENCH_OUT_FIRST,        /* the command's first timed run (no or too little warm-up) */
    BENCH_OUT_COLD,         /* it read from storage or took major faults: a cold cache */
    BENCH_OUT_INTERFERENCE, /* it waited for a CPU, was preempted, or others loaded the machine */
    BENCH_OUT_FAST,         /* unusually fast, no reason known */
    BENCH_OUT_SLOW,         /* unusually slow, no reason known */
};

const char *bench_outlier_name(enum bench_outlier o);

#define BENCH_MAX_MODES 4

struct bench_cmd_sum {
    int cmd;
    size_t n;         /* timed runs that count (not timed out) */
    size_t timed_out; /* runs killed by --timeout */
    size_t failed;    /* runs with a non-zero exit (kept with --ignore-failure) */
    struct stats_summary m[BENCH_M_COUNT];
    size_t outliers;                        /* runs whose wall time is an outlier */
    size_t outlier_why[BENCH_OUT_SLOW + 1]; /* of those, how many per reason */
    int modes; /* modes of the wall times (1 unimodal, 2+ multimodal, 0 n/a) */
    double mode_at[BENCH_MAX_MODES];
    int drift;                   /* 1 when the last third of the runs differs from the first third
                                    (Mann-Whitney p < 0.001 and more than 5% apart) */
    double drift_from, drift_to; /* medians of the first and last thirds, seconds */
    double other_cpu; /* mean share of the CPU used by other processes during the runs, or -1 */
};

/* Comparison of command `cmd` with the reference `ref` on wall time. */
struct bench_cmp {
    int cmd, ref;
    struct stats_ratio ratio; /* median(cmd) / median(ref), 95% bootstrap CI */
    struct stats_mwu mwu;
};

/* Summarise cmd's runs out of samples[0..n-1] into *out. outlier_flags, when not NULL, receives
 * per sample (indexed like samples) the reason it is an outlier (BENCH_OUT_NONE otherwise);
 * entries of other commands are left alone. Returns 0 or -ENODATA when cmd has no usable
 * runs. */
int bench_sum_cmd(const struct bench_sample *samples, size_t n, int cmd, struct bench_cmd_sum *out,
                  signed char *outlier_flags);

/* Compare cmd with ref: the figures only; whether the difference is significant is verdict.h's
 * to say. Returns 0, or -ENODATA when either has no usable runs. */
int bench_sum_cmp(const struct bench_sample *samples, size_t n, int cmd, int ref, uint64_t seed,
                  struct bench_cmp *out);

/* Compare raw wall times (e.g. from a baseline file) with cmd's runs: ratio cmd/baseline. */
int bench_sum_cmp_values(const struct bench_sample *samples, size_t n, int cmd, const double *base,
                         size_t nbase, uint64_t seed, struct bench_cmp *out);

/* Wall times of cmd's usable runs into a malloc'd array (caller frees); *len receives the
 * count. Returns NULL when there are none. */
double *bench_sum_times(const struct bench_sample *samples, size_t n, int cmd, size_t *len);

#endif
