/* Writers for `spyglass bench`: terminal report, JSON, CSV and Markdown.
 * SPDX-License-Identifier: MIT */
#include "out_bench.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "out_json.h"
#include "util_file.h"
#include "util_sbuf.h"

/* v in a unit scaled by div, with four significant digits at most. */
static void sig4(char *buf, size_t size, double v, double div, const char *unit)
{
    double x = v / div, a = fabs(x);

    snprintf(buf, size, a >= 100 ? "%.1f %s" : a >= 10 ? "%.2f %s" : "%.3f %s", x, unit);
}

void out_bench_fmt(char *buf, size_t size, double v, enum bench_unit u)
{
    double a = fabs(v);

    if (u == BENCH_U_SECONDS) {
        if (a == 0)
            snprintf(buf, size, "0 s");
        else if (a < 1e-6)
            sig4(buf, size, v, 1e-9, "ns");
        else if (a < 1e-3)
            sig4(buf, size, v, 1e-6, "µs");
        else if (a < 1)
            sig4(buf, size, v, 1e-3, "ms");
        else
            sig4(buf, size, v, 1, "s");
    } else if (u == BENCH_U_BYTES) {
        if (a < 1024)
            snprintf(buf, size, "%.0f B", v);
        else if (a < 1024.0 * 1024)
            sig4(buf, size, v, 1024, "KiB");
        else if (a < 1024.0 * 1024 * 1024)
            sig4(buf, size, v, 1024.0 * 1024, "MiB");
        else
            sig4(buf, size, v, 1024.0 * 1024 * 1024, "GiB");
    } else {
        if (a >= 100 || v == floor(v))
            snprintf(buf, size, "%.0f", v);
        else
            snprintf(buf, size, "%.1f", v);
    }
}

static const char *fmt(char *buf, double v, enum bench_unit u)
{
    out_bench_fmt(buf, 32, v, u);
    return buf;
}

const char *out_bench_fmt_p(char *buf, double p)
{
    if (p < 0.001)
        snprintf(buf, 32, "p<0.001");
    else
        snprintf(buf, 32, "p=%.3f", p);
    return buf;
}

const char *out_bench_fmt_change(char *buf, enum verdict v, double ratio)
{
    switch (v) {
    case VERDICT_FASTER:
        snprintf(buf, 32, "%.1f%% faster", 100 * (1 - ratio));
        break;
    case VERDICT_SLOWER:
    case VERDICT_REGRESSION:
        snprintf(buf, 32, "%.1f%% slower%s", 100 * (ratio - 1),
                 v == VERDICT_REGRESSION ? "  REGRESSION" : "");
        break;
    default:
        snprintf(buf, 32, "no significant change");
    }
    return buf;
}

static double half_width(const struct stats_ratio *r)
{
    double lo = r->ratio - r->lo, hi = r->hi - r->ratio;

    return lo > hi ? lo : hi;
}

/* One plain-words line about cmd against the reference, saying verdict v. */
static void say_cmp(struct sbuf *b, const struct out_bench *o, const struct bench_cmp *c,
                    enum verdict v)
{
    const char *x = o->cmds[c->cmd].name, *ref = o->cmds[c->ref].name;
    char p[32];
    double r = c->ratio.ratio;

    if (!verdict_significant(v)) {
        sbuf_printf_term(b,
                         "  '%s' and '%s': no significant difference (ratio %.3f, 95%% CI "
                         "%.3f–%.3f, %s)\n",
                         x, ref, r, c->ratio.lo, c->ratio.hi, out_bench_fmt_p(p, c->mwu.p));
    } else if (verdict_slower(v)) {
        sbuf_printf_term(b, "  '%s' is %.2f× ± %.2f faster than '%s' (%s)\n", ref, r,
                         half_width(&c->ratio), x, out_bench_fmt_p(p, c->mwu.p));
    } else {
        sbuf_printf_term(b, "  '%s' is %.2f× ± %.2f faster than '%s' (%s)\n", x, 1 / r,
                         half_width(&c->ratio) / (r * r), ref, out_bench_fmt_p(p, c->mwu.p));
    }
}

static void text_metric(struct sbuf *b, const char *label, const struct stats_summary *s,
                        enum bench_unit u)
{
    char a[32], c[32], d[32];

    sbuf_printf(b, "  %-18s %s (median)  %s … %s\n", label, fmt(a, s->median, u), fmt(c, s->min, u),
                fmt(d, s->max, u));
}

static void text_outliers(struct sbuf *b, const struct bench_cmd_sum *s)
{
    int first = 1;

    if (!s->outliers)
        return;
    sbuf_printf(b, "  Outliers:          %zu of %zu (", s->outliers, s->n);
    for (int o = BENCH_OUT_FIRST; o <= BENCH_OUT_SLOW; o++) {
        if (!s->outlier_why[o])
            continue;
        sbuf_printf(b, "%s%zu %s", first ? "" : ", ", s->outlier_why[o],
                    bench_outlier_name((enum bench_outlier)o));
        first = 0;
    }
    sbuf_adds(b, ")\n");
}

static void text_cmd(struct sbuf *b, const struct out_bench *o, int i, int num)
{
    const struct bench_cmd_sum *s = &o->sums[i];
    const struct stats_summary *w = &s->m[BENCH_M_WALL];
    char a[32], c[32], d[32], e[32];

    sbuf_printf_term(b, "Benchmark %d: %s\n", num, o->cmds[i].name);
    for (int p = 0; p < o->nparams; p++)
        sbuf_printf_term(b, "  %s = %s\n", o->param_names[p],
                         o->param_values[(size_t)i * (size_t)o->nparams + (size_t)p]);
    if (s->n == 0) {
        sbuf_adds(b, "  no completed runs\n\n");
        return;
    }
    sbuf_printf(b, "  Time (median):     %s  [%s … %s] %.0f%% CI   %zu runs\n",
                fmt(a, w->median, BENCH_U_SECONDS), fmt(c, w->median_lo, BENCH_U_SECONDS),
                fmt(d, w->median_hi, BENCH_U_SECONDS), 100 * w->median_ci_level, s->n);
    sbuf_printf(b, "  Time (mean ± σ):   %s ± %s   MAD %s   range %s … ",
                fmt(a, w->mean, BENCH_U_SECONDS), fmt(c, w->sd, BENCH_U_SECONDS),
                fmt(d, w->mad, BENCH_U_SECONDS), fmt(e, w->min, BENCH_U_SECONDS));
    sbuf_printf(b, "%s\n", fmt(a, w->max, BENCH_U_SECONDS));
    sbuf_printf(b, "  CPU (median):      user %s, system %s\n",
                fmt(a, s->m[BENCH_M_USER].median, BENCH_U_SECONDS),
                fmt(c, s->m[BENCH_M_SYS].median, BENCH_U_SECONDS));
    text_metric(b, o->meta.rss_method[0] == 't' ? "Peak memory:" : "Peak memory (≤):",
                &s->m[BENCH_M_MAXRSS], BENCH_U_BYTES);
    sbuf_printf(b, "  Disk (median):     read %s, written %s\n",
                fmt(a, s->m[BENCH_M_READ].median, BENCH_U_BYTES),
                fmt(c, s->m[BENCH_M_WRITE].median, BENCH_U_BYTES));
    sbuf_printf(b, "  Faults, switches:  %s minor, %s major, %s voluntary, %s involuntary\n",
                fmt(a, s->m[BENCH_M_MINFLT].median, BENCH_U_COUNT),
                fmt(c, s->m[BENCH_M_MAJFLT].median, BENCH_U_COUNT),
                fmt(d, s->m[BENCH_M_NVCSW].median, BENCH_U_COUNT),
                fmt(e, s->m[BENCH_M_NIVCSW].median, BENCH_U_COUNT));
    if (o->shell_cmd >= 0 && o->sums[o->shell_cmd].n)
        sbuf_printf(
            b, "  Without the shell: %s (median minus the shell's start-up)\n",
            fmt(a, w->median - o->sums[o->shell_cmd].m[BENCH_M_WALL].median, BENCH_U_SECONDS));
    if (s->timed_out || s->failed)
        sbuf_printf(b, "  Failed runs:       %zu timed out, %zu non-zero exit\n", s->timed_out,
                    s->failed);
    text_outliers(b, s);
    if (o->base && o->has_base[i]) {
        const struct bench_cmp *c2 = &o->base[i];
        char p[32], v[32];

        sbuf_printf(
            b, "  Baseline:          %.3f× the baseline's median (95%% CI %.3f–%.3f, %s): %s\n",
            c2->ratio.ratio, c2->ratio.lo, c2->ratio.hi, out_bench_fmt_p(p, c2->mwu.p),
            out_bench_fmt_change(v, o->base_verdicts[i], c2->ratio.ratio));
    }
    sbuf_addc(b, '\n');
}

int out_bench_text(FILE *f, const struct out_bench *o)
{
    struct file_w w;
    struct sbuf *b = &w.b;
    char a[32];
    int num = 1;

    file_w_init(&w, f);
    if (o->shell_cmd >= 0 && o->sums[o->shell_cmd].n)
        sbuf_printf_term(b, "Shell start-up (%s -c ''): %s median, measured in the same rounds\n\n",
                         o->meta.shell,
                         fmt(a, o->sums[o->shell_cmd].m[BENCH_M_WALL].median, BENCH_U_SECONDS));
    for (int i = 0; i < o->ncmds; i++)
        if (!o->cmds[i].hidden)
            text_cmd(b, o, i, num++);
    if (o->ref >= 0) {
        sbuf_adds(b, "Summary\n");
        for (int i = 0; i < o->ncmds; i++)
            if (i != o->ref && !o->cmds[i].hidden && o->sums[i].n && o->sums[o->ref].n)
                say_cmp(b, o, &o->cmps[i], o->verdicts[i]);
        sbuf_addc(b, '\n');
    }
    for (int i = 0; i < o->nwarnings; i++)
        sbuf_printf_term(b, "Warning: %s\n", o->warnings[i]);
    if (o->meta.interrupted)
        sbuf_adds(b, "Interrupted: these results are partial.\n");
    return file_w_finish(&w);
}

/* ---- JSON ---- */

static void jsummary(struct sbuf *b, const struct stats_summary *s)
{
    sbuf_printf(b, "{\"n\":%zu,\"mean\":", s->n);
    out_json_num(b, s->mean);
    out_json_key_num(b, "sd", s->sd);
    out_json_key_num(b, "cv", s->cv);
    out_json_key_num(b, "median", s->median);
    sbuf_adds(b, ",\"median_ci\":");
    out_json_pair(b, s->median_lo, s->median_hi);
    out_json_key_num(b, "median_ci_level", s->median_ci_level);
    out_json_key_num(b, "min", s->min);
    out_json_key_num(b, "max", s->max);
    out_json_key_num(b, "q1", s->q1);
    out_json_key_num(b, "q3", s->q3);
    out_json_key_num(b, "mad", s->mad);
    sbuf_addc(b, '}');
}

/* c's figures for out_json, in *r; returns r. */
static const struct out_json_ratio *jratio(const struct bench_cmp *c, struct out_json_ratio *r)
{
    *r = (struct out_json_ratio){c->ratio.ratio, c->ratio.lo, c->ratio.hi, c->mwu.p, c->mwu.auc};
    return r;
}

/* The start of the document, its metadata complete. */
static void jhead(struct sbuf *b, const struct out_bench_meta *m)
{
    out_json_head(b, BENCH_SCHEMA, &m->run);
    out_json_key_str(b, "peak_rss_method", m->rss_method);
    out_json_key_str(b, "shell", m->shell);
    out_json_key_num(b, "elapsed", m->run.elapsed);
    out_json_key_num(b, "alpha", m->alpha);
    sbuf_printf(b, ",\"seed\":%" PRIu64 ",\"warmup\":%d,\"interrupted\":%s}", m->seed, m->warmup,
                m->interrupted ? "true" : "false");
}

static void jcmd(struct sbuf *b, const struct out_bench *o, int i)
{
    const struct bench_cmd_sum *s = &o->sums[i];
    struct out_json_ratio r;

    sbuf_adds(b, "{\"name\":");
    out_json_str(b, o->cmds[i].name);
    sbuf_adds(b, ",\"argv\":[");
    for (int k = 0; o->cmds[i].argv[k]; k++) {
        if (k)
            sbuf_addc(b, ',');
        out_json_str(b, o->cmds[i].argv[k]);
    }
    sbuf_printf(b, "],\"hidden\":%s,\"parameters\":{", o->cmds[i].hidden ? "true" : "false");
    for (int p = 0; p < o->nparams; p++) {
        if (p)
            sbuf_addc(b, ',');
        out_json_str(b, o->param_names[p]);
        sbuf_addc(b, ':');
        out_json_str(b, o->param_values[(size_t)i * (size_t)o->nparams + (size_t)p]);
    }
    sbuf_printf(b, "},\"runs\":%zu,\"timed_out\":%zu,\"failed\":%zu,\"summary\":", s->n,
                s->timed_out, s->failed);
    if (s->n == 0) {
        sbuf_adds(b, "null");
    } else {
        sbuf_addc(b, '{');
        for (int m = 0; m < BENCH_M_COUNT; m++) {
            if (m)
                sbuf_addc(b, ',');
            out_json_str(b, bench_metric_name((enum bench_metric)m));
            sbuf_addc(b, ':');
            jsummary(b, &s->m[m]);
        }
        sbuf_addc(b, '}');
    }
    sbuf_printf(b, ",\"outliers\":{\"count\":%zu", s->outliers);
    for (int k = BENCH_OUT_FIRST; k <= BENCH_OUT_SLOW; k++) {
        sbuf_addc(b, ',');
        out_json_str(b, bench_outlier_name((enum bench_outlier)k));
        sbuf_printf(b, ":%zu", s->outlier_why[k]);
    }
    sbuf_printf(b, "},\"modes\":[");
    for (int k = 0; k < s->modes && k < BENCH_MAX_MODES; k++) {
        if (k)
            sbuf_addc(b, ',');
        out_json_num(b, s->mode_at[k]);
    }
    sbuf_adds(b, "],\"drift\":");
    if (s->drift) {
        sbuf_adds(b, "{\"from\":");
        out_json_num(b, s->drift_from);
        out_json_key_num(b, "to", s->drift_to);
        sbuf_addc(b, '}');
    } else {
        sbuf_adds(b, "null");
    }
    sbuf_adds(b, ",\"other_cpu\":");
    out_json_known(b, s->other_cpu);
    if (o->ref >= 0 && i != o->ref && !o->cmds[i].hidden && s->n && o->sums[o->ref].n)
        out_json_comparison(b, (size_t)o->ref, jratio(&o->cmps[i], &r), o->verdicts[i]);
    else
        out_json_comparison(b, 0, NULL, VERDICT_SAME);
    if (o->base && o->has_base[i])
        out_json_baseline(b, jratio(&o->base[i], &r), o->base_verdicts[i]);
    else
        out_json_baseline(b, NULL, VERDICT_SAME);
    sbuf_addc(b, '}');
}

/* Run i of the out_bench ctx (out_json_item_fn). */
static void jrun(struct sbuf *b, const void *ctx, size_t i)
{
    const struct out_bench *o = ctx;
    const struct bench_sample *s = &o->samples[i];
    int out = o->outlier ? o->outlier[i] : 0;

    sbuf_printf(b, "{\"command\":%d,\"round\":%d,\"index\":%d,\"start\":", s->cmd, s->round,
                s->index);
    out_json_num(b, s->start);
    for (int m = 0; m < BENCH_M_COUNT; m++) {
        sbuf_addc(b, ',');
        out_json_str(b, bench_metric_name((enum bench_metric)m));
        sbuf_addc(b, ':');
        out_json_num(b, bench_metric_value(&s->r, (enum bench_metric)m));
    }
    sbuf_printf(
        b, ",\"cancelled_write_bytes\":%" PRIu64 ",\"cpu_delay\":", s->r.cancelled_write_bytes);
    out_json_num(b, (double)s->r.cpu_delay_ns / 1e9);
    sbuf_adds(b, ",\"other_cpu\":");
    out_json_known(b, s->other_cpu);
    sbuf_printf(b, ",\"exit_code\":%d,\"timed_out\":%s,\"outlier\":", s->r.exit_code,
                s->r.timed_out ? "true" : "false");
    if (out)
        out_json_str(b, bench_outlier_name((enum bench_outlier)out));
    else
        sbuf_adds(b, "null");
    sbuf_addc(b, '}');
}

int out_bench_json(FILE *f, const struct out_bench *o)
{
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    jhead(b, &o->meta);
    sbuf_adds(b, ",\"commands\":[");
    for (int i = 0; i < o->ncmds; i++) {
        if (i)
            sbuf_addc(b, ',');
        jcmd(b, o, i);
    }
    sbuf_printf(b, "],\"reference\":%d,\"max_regression\":", o->ref);
    out_json_num(b, o->max_regression);
    sbuf_adds(b, ",\"warnings\":");
    out_json_strings(b, o->warnings, o->nwarnings);
    sbuf_adds(b, ",\"runs\":");
    out_json_array(&w, o->nsamples, jrun, o);
    sbuf_adds(b, "}\n");
    return file_w_finish(&w);
}

/* ---- CSV and Markdown ---- */

int out_bench_csv(FILE *f, const struct out_bench *o)
{
    static const enum bench_metric extra[] = {BENCH_M_USER,   BENCH_M_SYS,   BENCH_M_MAXRSS,
                                              BENCH_M_READ,   BENCH_M_WRITE, BENCH_M_MINFLT,
                                              BENCH_M_MAJFLT, BENCH_M_NVCSW, BENCH_M_NIVCSW};
    struct file_w out;
    struct sbuf *b = &out.b;

    file_w_init(&out, f);
    sbuf_adds(b, "command,runs,median,median_ci_low,median_ci_high,mean,stddev,mad,min,max");
    for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++)
        sbuf_printf(b, ",%s_median", bench_metric_name(extra[k]));
    for (int p = 0; p < o->nparams; p++) {
        sbuf_adds(b, ",parameter_");
        sbuf_add_csv(b, o->param_names[p]);
    }
    sbuf_addc(b, '\n');
    for (int i = 0; i < o->ncmds; i++) {
        const struct bench_cmd_sum *s = &o->sums[i];
        const struct stats_summary *w = &s->m[BENCH_M_WALL];

        if (o->cmds[i].hidden || s->n == 0)
            continue;
        sbuf_add_csv(b, o->cmds[i].name);
        sbuf_printf(b, ",%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g", s->n, w->median,
                    w->median_lo, w->median_hi, w->mean, w->sd, w->mad, w->min, w->max);
        for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++)
            sbuf_printf(b, ",%.9g", s->m[extra[k]].median);
        for (int p = 0; p < o->nparams; p++) {
            sbuf_addc(b, ',');
            sbuf_add_csv(b, o->param_values[(size_t)i * (size_t)o->nparams + (size_t)p]);
        }
        sbuf_addc(b, '\n');
    }
    return file_w_finish(&out);
}

int out_bench_markdown(FILE *f, const struct out_bench *o)
{
    struct file_w out;
    struct sbuf *b = &out.b;
    char a[32], c[32], d[32], e[32];

    file_w_init(&out, f);
    sbuf_adds(b, "| Command | Median | 95% CI | Mean ± σ | Min … Max | Peak memory | Relative |\n"
                 "|:---|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < o->ncmds; i++) {
        const struct bench_cmd_sum *s = &o->sums[i];
        const struct stats_summary *w = &s->m[BENCH_M_WALL];

        if (o->cmds[i].hidden || s->n == 0)
            continue;
        sbuf_adds(b, "| ");
        sbuf_add_md(b, o->cmds[i].name);
        sbuf_printf(b, " | %s | %s … %s | ", fmt(a, w->median, BENCH_U_SECONDS),
                    fmt(c, w->median_lo, BENCH_U_SECONDS), fmt(d, w->median_hi, BENCH_U_SECONDS));
        sbuf_printf(b, "%s ± %s | ", fmt(a, w->mean, BENCH_U_SECONDS),
                    fmt(c, w->sd, BENCH_U_SECONDS));
        sbuf_printf(b, "%s … %s | %s | ", fmt(d, w->min, BENCH_U_SECONDS),
                    fmt(e, w->max, BENCH_U_SECONDS),
                    fmt(a, s->m[BENCH_M_MAXRSS].median, BENCH_U_BYTES));
        if (o->ref < 0 || i == o->ref)
            sbuf_adds(b, "1.00 |\n");
        else
            sbuf_printf(b, "%.2f ± %.2f |\n", o->cmps[i].ratio.ratio,
                        half_width(&o->cmps[i].ratio));
    }
    return file_w_finish(&out);
}
