/* Exports of `spyglass timeit`: JSON, CSV and Markdown.
 * SPDX-License-Identifier: MIT */
#include "out_timeit_export.h"

#include <inttypes.h>
#include <math.h>

#include "out_bench.h"
#include "out_json.h"
#include "util_file.h"
#include "util_sbuf.h"

/* Whether benchmark i has a comparison to show, and with which benchmark (*ref). */
static int has_cmp(const struct out_timeit_export *o, size_t i, size_t *ref)
{
    if (!o->ref || !o->cmps || o->ref[i] < 0 || (size_t)o->ref[i] >= o->nbenches ||
        (size_t)o->ref[i] == i || o->sums[i].n == 0 || o->sums[o->ref[i]].n == 0)
        return 0;
    *ref = (size_t)o->ref[i];
    return 1;
}

static int has_base(const struct out_timeit_export *o, size_t i)
{
    return o->base && o->has_base && o->has_base[i] && o->sums[i].n;
}

/* ---- JSON ---- */

/* The start of the document, its metadata complete. */
static void jhead(struct sbuf *b, const struct out_timeit_export *o)
{
    out_json_head(b, TIMEIT_SCHEMA, &o->meta);
    out_json_key_num(b, "elapsed", o->meta.elapsed);
    out_json_key_num(b, "alpha", o->alpha);
    sbuf_printf(b, ",\"seed\":%" PRIu64 ",\"interrupted\":%s}", o->plan->seed,
                o->interrupted ? "true" : "false");
}

static void jplan(struct sbuf *b, const struct out_timeit_export *o)
{
    const struct timeit_plan *p = o->plan;

    sbuf_adds(b, "\"plan\":{\"setup\":");
    out_json_str(b, p->setup);
    out_json_key_str(b, "teardown", p->teardown);
    sbuf_printf(b, ",\"processes\":%d,\"values\":%d,\"warmups\":%d,\"loops\":%" PRIu64,
                p->processes, p->values, p->warmups, p->loops);
    out_json_key_num(b, "min_value_time", p->min_value_time);
    out_json_key_num(b, "timeout", p->timeout);
    sbuf_adds(b, "},\"pythons\":[");
    for (int i = 0; i < o->npythons; i++) {
        sbuf_adds(b, i ? ",{\"name\":" : "{\"name\":");
        out_json_str(b, o->pythons[i].name);
        out_json_key_str(b, "path", o->pythons[i].path);
        sbuf_addc(b, '}');
    }
    sbuf_adds(b, "],\"statements\":");
    out_json_strings(b, p->stmts, p->nstmts);
}

static void jsummary(struct sbuf *b, const struct stats_nested *s)
{
    sbuf_printf(b, "{\"n\":%zu,\"workers\":%zu,\"mean\":", s->n, s->nclusters);
    out_json_num(b, s->mean);
    out_json_key_num(b, "sd", s->sd);
    out_json_key_num(b, "min", s->min);
    out_json_key_num(b, "max", s->max);
    out_json_key_num(b, "median", s->median);
    sbuf_adds(b, ",\"median_ci\":");
    out_json_pair(b, s->median_lo, s->median_hi);
    out_json_key_num(b, "between_sd", s->between_sd);
    out_json_key_num(b, "within_sd", s->within_sd);
    out_json_key_num(b, "icc", s->icc);
    out_json_key_num(b, "n_eff", s->n_eff);
    sbuf_addc(b, '}');
}

/* c's figures for out_json, in *r; returns r. */
static const struct out_json_ratio *jratio(const struct stats_nested_cmp *c,
                                           struct out_json_ratio *r)
{
    *r = (struct out_json_ratio){c->ratio, c->lo, c->hi, c->p, c->auc};
    return r;
}

/* Benchmark i's workers: index, share of other processes' CPU, values and their starts. */
static void jworkers(struct sbuf *b, const struct timeit_bench *t)
{
    size_t at = 0;

    sbuf_adds(b, "\"workers\":[");
    for (size_t w = 0; w < t->nworkers; w++) {
        sbuf_printf(b, "%s{\"worker\":%zu,\"other_cpu\":", w ? "," : "", w);
        out_json_known(b, t->other_cpu ? t->other_cpu[w] : NAN);
        sbuf_adds(b, ",\"values\":[");
        for (size_t j = 0; j < t->len[w]; j++) {
            if (j)
                sbuf_addc(b, ',');
            out_json_exact(b, t->values[at + j]); /* raw: read back exact */
        }
        sbuf_adds(b, "],\"starts\":[");
        for (size_t j = 0; j < t->len[w]; j++) {
            if (j)
                sbuf_addc(b, ',');
            out_json_num(b, t->start ? t->start[at + j] : NAN);
        }
        sbuf_adds(b, "]}");
        at += t->len[w];
    }
    sbuf_addc(b, ']');
}

/* Benchmark i of the out_timeit_export ctx (out_json_item_fn). */
static void jbench(struct sbuf *b, const void *ctx, size_t i)
{
    const struct out_timeit_export *o = ctx;
    const struct timeit_bench *t = &o->benches[i];
    struct out_json_ratio r;
    size_t ref;

    sbuf_printf(b, "{\"python\":%d,\"statement\":%d,\"version\":", t->python, t->stmt);
    out_json_str(b, t->version);
    sbuf_printf(b, ",\"loops\":%" PRIu64 ",\"retaken\":%zu,\"clock_resolution\":", t->loops,
                t->retaken);
    out_json_num(b, t->clock_res);
    out_json_key_num(b, "clock_cost", t->clock_cost);
    sbuf_adds(b, ",\"summary\":");
    if (o->sums[i].n)
        jsummary(b, &o->sums[i]);
    else
        sbuf_adds(b, "null");
    if (has_cmp(o, i, &ref))
        out_json_comparison(b, ref, jratio(&o->cmps[i], &r), o->verdicts[i]);
    else
        out_json_comparison(b, 0, NULL, VERDICT_SAME);
    if (has_base(o, i))
        out_json_baseline(b, jratio(&o->base[i], &r), o->base_verdicts[i]);
    else
        out_json_baseline(b, NULL, VERDICT_SAME);
    sbuf_addc(b, ',');
    jworkers(b, t);
    sbuf_addc(b, '}');
}

int out_timeit_json(FILE *f, const struct out_timeit_export *o)
{
    struct file_w w;

    file_w_init(&w, f);
    jhead(&w.b, o);
    sbuf_addc(&w.b, ',');
    jplan(&w.b, o);
    sbuf_adds(&w.b, ",\"benchmarks\":");
    out_json_array(&w, o->nbenches, jbench, o);
    sbuf_adds(&w.b, ",\"max_regression\":");
    out_json_num(&w.b, o->max_regression);
    sbuf_adds(&w.b, ",\"warnings\":");
    out_json_strings(&w.b, o->warnings, o->nwarnings);
    sbuf_adds(&w.b, "}\n");
    return file_w_finish(&w);
}

/* ---- CSV ---- */

static void csv_num(struct sbuf *b, double v)
{
    if (isfinite(v))
        sbuf_printf(b, ",%.9g", v);
    else
        sbuf_addc(b, ',');
}

/* ",ratio,lo,hi,p" of c, or four empty fields without it. */
static void csv_cmp(struct sbuf *b, const struct stats_nested_cmp *c)
{
    if (!c) {
        sbuf_adds(b, ",,,,");
        return;
    }
    csv_num(b, c->ratio);
    csv_num(b, c->lo);
    csv_num(b, c->hi);
    csv_num(b, c->p);
}

static void csv_row(struct sbuf *b, const struct out_timeit_export *o, size_t i)
{
    const struct timeit_bench *t = &o->benches[i];
    const struct stats_nested *s = &o->sums[i];
    size_t ref;

    sbuf_add_csv(b, o->pythons[t->python].name);
    sbuf_addc(b, ',');
    sbuf_add_csv(b, t->version);
    sbuf_addc(b, ',');
    sbuf_add_csv(b, o->plan->stmts[t->stmt]);
    sbuf_printf(b, ",%" PRIu64 ",%zu,%zu", t->loops, s->nclusters, s->n);
    const double v[] = {s->median, s->median_lo,  s->median_hi, s->mean, s->sd,   s->min,
                        s->max,    s->between_sd, s->within_sd, s->icc,  s->n_eff};
    for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
        csv_num(b, v[k]);
    if (has_cmp(o, i, &ref)) {
        const struct timeit_bench *r = &o->benches[ref];

        sbuf_addc(b, ',');
        sbuf_add_csv(b, o->pythons[r->python].name);
        sbuf_addc(b, ',');
        sbuf_add_csv(b, o->plan->stmts[r->stmt]);
        csv_cmp(b, &o->cmps[i]);
    } else {
        sbuf_adds(b, ",,");
        csv_cmp(b, NULL);
    }
    csv_cmp(b, has_base(o, i) ? &o->base[i] : NULL);
    sbuf_addc(b, '\n');
}

int out_timeit_csv(FILE *f, const struct out_timeit_export *o)
{
    struct file_w w;

    file_w_init(&w, f);
    sbuf_adds(&w.b, "python,version,statement,loops,workers,values,median,median_ci_low,"
                    "median_ci_high,mean,stddev,min,max,between_sd,within_sd,icc,n_eff,"
                    "reference_python,reference_statement,ratio,ratio_ci_low,ratio_ci_high,p,"
                    "baseline_ratio,baseline_ci_low,baseline_ci_high,baseline_p\n");
    for (size_t i = 0; i < o->nbenches && !w.err; i++) {
        if (o->sums[i].n == 0)
            continue;
        csv_row(&w.b, o, i);
        file_w_spill(&w);
    }
    return file_w_finish(&w);
}

/* ---- Markdown ---- */

static const char *fmt(char *buf, double v)
{
    out_bench_fmt(buf, 32, v, BENCH_U_SECONDS);
    return buf;
}

/* The ratio cell of c with its verdict v, with the benchmark it is relative to (#ref, 1-based)
 * or "REGRESSION". */
static void md_ratio(struct sbuf *b, const struct stats_nested_cmp *c, enum verdict v, size_t ref,
                     int baseline)
{
    sbuf_printf(b, " %.3f (%.3f … %.3f)", c->ratio, c->lo, c->hi);
    if (!verdict_significant(v))
        sbuf_adds(b, " n.s.");
    if (baseline && v == VERDICT_REGRESSION)
        sbuf_adds(b, " REGRESSION");
    if (!baseline)
        sbuf_printf(b, " vs #%zu", ref + 1);
    sbuf_adds(b, " |");
}

static void md_row(struct sbuf *b, const struct out_timeit_export *o, size_t i)
{
    const struct timeit_bench *t = &o->benches[i];
    const struct stats_nested *s = &o->sums[i];
    char a[32], c[32], d[32];
    size_t ref;

    sbuf_printf(b, "| %zu | ", i + 1);
    sbuf_add_md(b, o->pythons[t->python].name);
    sbuf_adds(b, " | ");
    sbuf_add_md(b, o->plan->stmts[t->stmt]);
    sbuf_printf(b, " | %s | %s … %s | ", fmt(a, s->median), fmt(c, s->median_lo),
                fmt(d, s->median_hi));
    sbuf_printf(b, "%s ± %s | ", fmt(a, s->mean), fmt(c, s->sd));
    sbuf_printf(b, "%s … %s | %.2f | %zu (%zu) |", fmt(a, s->min), fmt(c, s->max), s->icc, s->n,
                s->nclusters);
    if (has_cmp(o, i, &ref))
        md_ratio(b, &o->cmps[i], o->verdicts[i], ref, 0);
    else
        sbuf_adds(b, " 1.000 |");
    if (o->base && has_base(o, i))
        md_ratio(b, &o->base[i], o->base_verdicts[i], 0, 1);
    else if (o->base)
        sbuf_adds(b, " |");
    sbuf_addc(b, '\n');
}

int out_timeit_markdown(FILE *f, const struct out_timeit_export *o)
{
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    sbuf_adds(b, "| # | Python | Statement | Median | 95% CI | Mean ± σ | Min … Max | ICC | "
                 "Values (workers) | Relative |");
    sbuf_adds(b, o->base ? " Baseline |\n" : "\n");
    sbuf_adds(b, "|---:|:---|:---|---:|---:|---:|---:|---:|---:|---:|");
    sbuf_adds(b, o->base ? "---:|\n" : "\n");
    for (size_t i = 0; i < o->nbenches; i++) {
        if (o->sums[i].n)
            md_row(b, o, i);
    }
    if (o->interrupted)
        sbuf_adds(b, "\nInterrupted: these results are partial.\n");
    return file_w_finish(&w);
}
