/* Writers of `spyglass monitor`: the series as CSV (documented columns) and JSON (schema
 * spyglass-monitor/1, docs/monitor-schema.json), a self-contained SVG chart, the summary table
 * (peak, mean, p95 of each metric, totals, the processes) and the live line. Each writer
 * returns 0 or the negative errno of the first failed write (f flushed and checked, through
 * util_file's file_w); the caller opens and closes f.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_MONITOR_H
#define OUT_MONITOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mon.h"

#define OUT_MONITOR_SCHEMA "spyglass-monitor/1"

/* How the run went. Strings may be empty, never NULL. */
struct out_monitor_meta {
    const char *version; /* spyglass's */
    const char *date;    /* ISO 8601, UTC, of the start */
    const char *command; /* the launched command line, or "" when attached */
    int pid;             /* the root process */
    double interval;     /* seconds between samples, as requested */
    double elapsed;      /* seconds from the first to the last sample */
    int exit_code;       /* the launched command's, -1 when attached or unknown */
    int interrupted;     /* stopped by a signal */
    double self_cpu;     /* CPU seconds the whole monitor process used */
    uint64_t self_hwm;   /* bytes: the monitor process's peak resident memory, 0 unknown */
    struct mon_stats st;
};

/* Summary of one metric over the rows. */
struct out_monitor_sum {
    double peak, mean, p95; /* NaN without rows */
    double total;           /* mon_total(); NaN for gauges */
};

/* Summarise metric k over every row. */
void out_monitor_summarise(const struct mon *m, enum mon_metric k, struct out_monitor_sum *out);

/* CSV (docs/formats.md §10): a header "time_s,<metric names in enum mon_metric order>", one row per
 * sample. */
int out_monitor_csv(FILE *f, const struct mon *m);

/* JSON: metadata, the monitor's own cost, a summary and a total per metric, every process,
 * and the series as rows of numbers under "columns". */
int out_monitor_json(FILE *f, const struct mon *m, const struct out_monitor_meta *meta);

/* SVG: one panel per group (CPU, memory, disk, network, tasks), time on the x axis; every
 * text escaped, no external resources. */
int out_monitor_svg(FILE *f, const struct mon *m, const struct out_monitor_meta *meta);

/* The summary table for people, and one line per process. */
int out_monitor_summary(FILE *f, const struct mon *m, const struct out_monitor_meta *meta);

/* The header of the live view, and one live line: rates over rows (from, to] (from = SIZE_MAX:
 * since the start), gauges at row to. */
int out_monitor_live_header(FILE *f);
int out_monitor_live(FILE *f, const struct mon *m, size_t from, size_t to);

#endif
