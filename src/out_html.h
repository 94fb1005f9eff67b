/* The HTML report: one self-contained page (no network, no external assets) with an interactive
 * flame graph and icicle view on a canvas, a table of functions, a source view with per-line
 * heat, resource charts and the run's facts. The page's HTML, CSS and JavaScript are the files
 * of web/, embedded at build time (web_assets.h); this writer fills in the title and the data.
 *
 * The data is one JSON document inside <script type="application/json" id="spyglass-data">,
 * with '<', '>', '&', U+2028 and U+2029 escaped as \uXXXX so that no name, path or source text
 * can end the element; the page inserts text only with textContent and canvas fillText.
 *
 *   {"format": "spyglass-html/1",
 *    "meta": {"title", "command", "python", "mode", "duration" (s), "samples" (ticks),
 *             "rate_requested", "rate_effective" (Hz), "invalid" (thread samples),
 *             "missed" (ticks skipped: the sampler was late by a period or more),
 *             "overhead" (fraction, null unknown), "unit" ("samples" or e.g. "bytes"),
 *             "total" (sum of weights)},
 *    "strings": [...],                     names and paths used by frames
 *    "frames": [name, file, line, kind, ...]   4 integers per agg frame id (file -1: none;
 *                                          kind: enum agg_frame_kind)
 *    "tree": {"n": N, "depth": PACKED, "frame": PACKED, "self": [d, w, d, w, ...],
 *             "root_self": W}
 *            the call tree of the stacks (one node per distinct prefix), N nodes in preorder:
 *            node i is at depth[i] (0: a root frame; its parent is the closest earlier node one
 *            level up) and is frame[i]. PACKED is {"bytes": B, "b64": "..."}: the N values,
 *            each little-endian in B bytes (1, 2 or 4), in base64. "self" lists the nodes where
 *            stacks end: d is the node's index minus the previous listed node's (the first:
 *            its index), w the weight of those stacks; root_self is the weight of empty
 *            stacks. A differential page (out_html_write_diff) adds "self2" and "root_self2":
 *            A's weights, normalised (in B's units, not whole numbers), in the same layout;
 *            "self" holds B's.
 *    "sources": [[file string index, "text"], ...],
 *    "source_note": {"files", "embedded", "rare", "large", "binary", "missing", "special",
 *             "denied", "unreadable" (counts of agg_src_stats), "off" (--no-sources), "rule"
 *             (which files could be read, in words)}   (absent when not known)
 *    "series": {"t": [s since the readings started], "list": [{"name", "label", "unit",
 *               "chart", "v": [...]}]},     (absent without resource readings)
 *    "diff": {"a": SIDE, "b": SIDE,        differential pages only: A (before) and B (after)
 *             "norm": "time" (agg_diff_norm_name), "factor": A's weights were multiplied by it,
 *             "counts": true when weights are sample counts (changes within noise fade),
 *             "scale": {"neutral", "rise", "fade", "noise_sd"} (out_diff.h's colour scale)}
 *      SIDE: {"name", "command", "python", "mode", "duration", "rate_requested",
 *             "rate_effective", "samples", "invalid", "missed", "overhead" as in meta, "total":
 *             the sum of its weights (A's normalised)}}
 *
 * SPDX-License-Identifier: MIT */
#ifndef OUT_HTML_H
#define OUT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "agg_diff.h"
#include "agg_stacks.h"

/* One resource series, sampled at the times of out_html_res.t. */
struct out_html_series {
    const char *name;  /* key, e.g. "cpu_pct" */
    const char *label; /* for people, e.g. "CPU" */
    const char *unit;  /* "%", "B", "B/s", "/s" or "" */
    const char *chart; /* series with the same chart share one chart, e.g. "disk" */
    const double *v;   /* n values (NaN: unknown) */
};

/* Resource readings taken during the run (record --resources, monitor engine). */
struct out_html_res {
    size_t n;        /* readings */
    const double *t; /* n times, seconds since the readings started */
    const struct out_html_series *series;
    size_t nseries;
};

/* Write a (with m's facts; m may be NULL) as the HTML report to f; res (may be NULL) adds the
 * resource charts. Source texts attached to a (agg_set_source) feed the source view. Returns 0
 * or a negative errno (the first failed write, e.g. -ENOSPC). */
int out_html_write(FILE *f, const struct agg *a, const struct agg_meta *m,
                   const struct out_html_res *res);

/* One side of a differential page. */
struct out_html_side {
    const char *name;         /* how the page names it, e.g. its file */
    const struct agg_meta *m; /* its facts (may be NULL) */
};

/* A differential profile and how it was made. */
struct out_html_diff {
    const struct agg_diff *d;
    struct out_html_side a, b; /* before, after */
    enum agg_diff_norm norm;   /* how A's weights were put in B's units */
    double factor;             /* A's weights were multiplied by it */
};

/* Write the differential page of x->d to f: B's flame graph (widths are B's weights) with
 * each box coloured by its change from A as out_diff_svg_write colours it, the function
 * table with A, B and the change, both sides' facts. m gives the title and the unit (NULL:
 * samples); source texts attached to agg_diff_agg(x->d) feed the source view. Returns as
 * out_html_write. */
int out_html_write_diff(FILE *f, const struct out_html_diff *x, const struct agg_meta *m);

#endif
