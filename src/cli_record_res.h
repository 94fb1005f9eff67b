/* `spyglass record --resources FILE`: the resource series of `spyglass monitor` (CPU, run-queue
 * wait, memory, disk, network, tasks of the whole process tree) taken on a thread of its own
 * while the stacks are sampled, written as CSV, JSON (docs/monitor-schema.json) or SVG by the
 * file's extension, and summed up in one line of the summary. The HTML report takes them too
 * (rec_res_html), with or without a file. Prints its own messages.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_RECORD_RES_H
#define CLI_RECORD_RES_H

#include <stdio.h>

#include "out_html.h"
#include "util_file.h"

struct mon;
struct mon_thread;

struct rec_res {
    const char *path;     /* NULL: no file */
    int report;           /* read them even without a file, for the HTML report */
    double interval;      /* seconds between readings */
    struct file_out file; /* path, replaced only when whole (util_file.h) */
    int exit_code;        /* launched command's, -1 otherwise */
    int interrupted;
    struct mon_thread *mt;
    struct mon *m; /* after rec_res_stop() */
    double elapsed;
};

/* Open r->path before anything starts (a bad path fails at once). Returns 0, or -1 after a
 * message. */
int rec_res_open(struct rec_res *r);
/* Start the readings of pid's tree (launched: just started by us) when there is a file or
 * r->report is set. A failure is a warning: the profile is still taken. */
void rec_res_start(struct rec_res *r, int pid, int launched);
/* Stop the readings (one last reading now) and keep the series. */
void rec_res_stop(struct rec_res *r);
/* Write the series (command: the profiled command line or "") and free it; on a failed start
 * (no series) leave path as it was. Returns 0, or -1 after a message. */
int rec_res_finish(struct rec_res *r, const char *command, int pid);
/* One summary line on f: CPU, peak RSS, disk and network totals, the monitor's own CPU. */
void rec_res_summary(FILE *f, const struct rec_res *r);

#define REC_RES_HTML_SERIES 7

/* The series of the HTML report's charts (CPU and run-queue wait, RSS, disk read and write,
 * network receive and send), borrowed from r's readings; out.res.n is 0 when there are none.
 * Valid until rec_res_finish(); free with rec_res_html_free(). */
struct rec_res_html {
    double *t, *v[REC_RES_HTML_SERIES];
    struct out_html_series series[REC_RES_HTML_SERIES];
    struct out_html_res res;
};
void rec_res_html(const struct rec_res *r, struct rec_res_html *out);
void rec_res_html_free(struct rec_res_html *h);

#endif
