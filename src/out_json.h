/* The one JSON emitter of the writers (bench, timeit and monitor exports, the HTML report's data,
 * speedscope, Chrome traces), appended to an sbuf: numbers (whole ones exactly, others with 9
 * significant digits, or with 17 where a value must read back exact; null when not finite),
 * strings quoted and escaped by sbuf_add_json, the members of a run's "metadata" (struct meta),
 * long arrays written out as they grow through a file_w.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_JSON_H
#define OUT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "meta.h"
#include "util_file.h"
#include "util_sbuf.h"
#include "verdict.h"

/* Appends element i of the caller's ctx to b, as JSON. */
typedef void (*out_json_item_fn)(struct sbuf *b, const void *ctx, size_t i);
/* v as a JSON number: a whole v below 2^53 in magnitude exactly ("%.0f": byte counts, totals),
 * any other with 9 significant digits ("%.9g"); null when v is not finite. */
void out_json_num(struct sbuf *b, double v);

/* v in decimal, every digit (a count or an index), without printf. */
void out_json_u64(struct sbuf *b, uint64_t v);
void out_json_i64(struct sbuf *b, int64_t v);

/* v with 17 significant digits ("%.17g"), enough to read back the same double (raw
 * measurements); null when v is not finite. */
void out_json_exact(struct sbuf *b, double v);

/* v as out_json_num(), or null when v is negative (a share or pressure that is unknown). */
void out_json_known(struct sbuf *b, double v);

/* [lo,hi], an interval, each as out_json_num(). */
void out_json_pair(struct sbuf *b, double lo, double hi);

/* s quoted and escaped by sbuf_add_json() (invalid UTF-8 becomes U+FFFD); NULL is "". */
void out_json_str(struct sbuf *b, const char *s);

/* A member after the first of an object: ,"key":v as out_json_num() (key is written as it is:
 * a name from the code, not from input). */
void out_json_key_num(struct sbuf *b, const char *key, double v);

/* A member after the first: ,"key":"s" as out_json_str(). */
void out_json_key_str(struct sbuf *b, const char *key, const char *s);

/* s as out_json_str(), but NULL is null. */
void out_json_str_or_null(struct sbuf *b, const char *s);

/* The start of an export document: {"schema":"SCHEMA","metadata":{ and the members of m
 * (out_json_meta()), left open for the subcommand's own metadata members. */
void out_json_head(struct sbuf *b, const char *schema, const struct meta *m);

/* The members of a "metadata" object for m, in the schemas' order, from "spyglass_version" to
 * "other_cpu_during", without braces or a trailing comma: the caller writes the opening brace,
 * then these, then its own members, and closes the object. Unknown values are null. */
void out_json_meta(struct sbuf *b, const struct meta *m);

/* The strings v[0..n-1] as an array: ["a","b"]. */
void out_json_strings(struct sbuf *b, const char *const *v, int n);

/* The array [item 0, ..., item n-1] appended to w's buffer by fn, spilled (file_w_spill) after
 * each item, so that an export of millions of items needs little memory. Stops at the first
 * failed write. Returns 0 or its negative errno (w->err). */
int out_json_array(struct file_w *w, size_t n, out_json_item_fn fn, const void *ctx);

/* The figures of a comparison (bench's and timeit's schemas). */
struct out_json_ratio {
    double ratio, lo, hi; /* a ratio of medians and its 95% interval */
    double p, auc;        /* the test's two-sided p and its AUC */
};

/* ,"comparison":{"reference":REF,"vs":CMP} for r with verdict v against benchmark ref, or
 * ,"comparison":null when r is NULL. CMP is {"ratio":R,"ci":[LO,HI],"p":P,"auc":A,
 * "significant":true|false} (verdict_significant). */
void out_json_comparison(struct sbuf *b, size_t ref, const struct out_json_ratio *r,
                         enum verdict v);

/* ,"baseline":CMP with "regression":true|false (v is VERDICT_REGRESSION) added as its last
 * member, for r against the baseline with verdict v; ,"baseline":null when r is NULL. */
void out_json_baseline(struct sbuf *b, const struct out_json_ratio *r, enum verdict v);

#endif
