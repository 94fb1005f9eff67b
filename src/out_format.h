/* The table of profile output formats shared by `record` and `report`: names, file extensions
 * and the writer of each.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_FORMAT_H
#define OUT_FORMAT_H

#include <stdio.h>

#include "agg_stacks.h"

enum out_format {
    OUT_FORMAT_COLLAPSED = 0, /* "frame;frame count" lines (out_collapsed_write) */
    OUT_FORMAT_SVG,           /* interactive flame graph (out_svg_write) */
    OUT_FORMAT_SPEEDSCOPE,    /* speedscope JSON (out_speedscope_write) */
    OUT_FORMAT_PPROF,         /* gzipped pprof protobuf (out_pprof_write) */
    OUT_FORMAT_PSTATS,        /* Python pstats marshal file (out_pstats_write) */
    OUT_FORMAT_RAW,           /* spyglass's raw profile, docs/raw-format.md (out_raw_write) */
    OUT_FORMAT_CHROME,        /* Chrome trace-event JSON; needs m->timeline (out_chrome_write) */
    OUT_FORMAT_HTML,          /* self-contained interactive report (out_html_write) */
};

/* The names --format takes, for messages. */
#define OUT_FORMAT_NAMES "collapsed, svg, html, speedscope, pprof, pstats, raw or chrome"

/* The format called name ("collapsed"/"txt", "svg", "html", "speedscope"/"json", "pprof",
 * "pstats", "raw", "chrome").
 * Returns 0, or -EINVAL for an unknown name. */
int out_format_parse(const char *name, enum out_format *out);
/* The format a file name asks for by its extension: .svg, .html and .htm, .json (speedscope),
 * .pb.gz and .pprof (pprof), .pstats and .prof (pstats), .spyraw (raw), .trace.json (chrome);
 * collapsed for anything else and for NULL. */
enum out_format out_format_from_path(const char *path);
/* 1 when the format is binary (pprof, pstats, raw): not for a terminal. */
int out_format_binary(enum out_format fmt);
/* Write a in format fmt to f with the writer above (html without resource charts: callers
 * that have them call out_html_write). Returns 0 or a negative errno. */
int out_format_write(FILE *f, enum out_format fmt, const struct agg *a, const struct agg_meta *m);

#endif
