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
    sbuf_adds(b, ",\"elapsed\":");
    out_json_num(b, o->meta.elapsed);
    sbuf_adds(b, ",\"alpha\":");
    out_json_num(b, o->alpha);
    sbuf_printf(b, ",\"seed\":%" PRIu64 ",\"interrupted\":%s}", o->plan->seed,
                o->interrupted ? "true" : "false");
}

static void jplan(struct sbuf *b, const struct out_timeit_export *o)
{
    const struct timeit_plan *p = o->plan;

    sbuf_adds(b, "\"plan\":{\"setup\":");
    out_json_str(b, p->setup);
    sbuf_adds(b, ",\"teardown\":");
    out_json_str(b, p->teardown);
    sbuf_printf(b, ",\"processes\":%d,\"values\":%d,\"warmups\":%d,\"loops\":%" PRIu64,
                p->processes, p->values, p->warmups, p->loops);
    sbuf_adds(b, ",\"min_value_time\":");
    out_json_num(b, p->min_value_time);
    sbuf_adds(b, ",\"timeout\":");
    out_json_num(b, p->timeout);
    sbuf_adds(b, "},\"pythons\":[");
    for (int i = 0; i < o->npythons; i++) {
        sbuf_adds(b, i ? ",{\"name\":" : "{\"name\":");
        out_json_str(b, o->pythons[i].name);
        sbuf_adds(b, ",\"path\":");
        out_json_str(b, o->pythons[i].path);
        sbuf_addc(b, '}');
    }
    sbuf_adds(b, "],\"statements\":");
    out_json_strings(b, p->stmts, p->nstmts);
}

static void jsummary(struct sbuf *b, const struct stats_nested *s)
{
    sbuf_printf(b, "{\"n\":%zu,\"workers\":%zu,\"mean\":", s->n, s->nclusters);
    out_json_num(b, s->mean);
    sbuf_adds(b, ",\"sd\":");
    out_json_num(b, s->sd);
    sbuf_adds(b, ",\"min\":");
    out_json_num(b, s->min);
    sbuf_adds(b, ",\"max\":");
    out_json_num(b, s->max);
    sbuf_adds(b, ",\"median\":");
    out_json_num(b, s->median);
    sbuf_adds(b, ",\"median_ci\":");
    out_json_pair(b, s->median_lo, s->median_hi);
    sbuf_adds(b, ",\"between_sd\":");
    out_json_num(b, s->between_sd);
    sbuf_adds(b, ",\"within_sd\":");
    out_json_num(b, s->within_sd);
    sbuf_adds(b, ",\"icc\":");
    out_json_num(b, s->icc);
    sbuf_adds(b, ",\"n_eff\":");
    out_json_num(b, s->n_eff);
    sbuf_addc(b, '}');
}

/* A comparison object with verdict v, without its closing brace. */
static void jcmp(struct sbuf *b, const struct stats_nested_cmp *c, enum verdict v)
{
    out_json_cmp(b, c->ratio, c->lo, c->hi, c->p, c->auc, verdict_significant(v));
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
    size_t ref;

    sbuf_printf(b, "{\"python\":%d,\"statement\":%d,\"version\":", t->python, t->stmt);
    out_json_str(b, t->version);
    sbuf_printf(b, ",\"loops\":%" PRIu64 ",\"retaken\":%zu,\"clock_resolution\":", t->loops,
                t->retaken);
    out_json_num(b, t->clock_res);
    sbuf_adds(b, ",\"clock_cost\":");
    out_json_num(b, t->clock_cost);
    sbuf_adds(b, ",\"summary\":");
    if (o->sums[i].n)
        jsummary(b, &o->sums[i]);
    else
        sbuf_adds(b, "null");
    sbuf_adds(b, ",\"comparison\":");
    if (has_cmp(o, i, &ref)) {
        sbuf_printf(b, "{\"reference\":%zu,\"vs\":", ref);
        jcmp(b, &o->cmps[i], o->verdicts[i]);
        sbuf_adds(b, "}}");
    } else {
        sbuf_adds(b, "null");
    }
    sbuf_adds(b, ",\"baseline\":");
    if (has_base(o, i)) {
        jcmp(b, &o->base[i], o->base_verdicts[i]);
        sbuf_printf(b, ",\"regression\":%s}",
                    o->base_verdicts[i] == VERDICT_REGRESSION ? "true" : "false");
    } else {
        sbuf_adds(b, "null");
    }
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
