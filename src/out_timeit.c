/* Writers for `spyglass timeit`: the terminal report.
 * SPDX-License-Identifier: MIT */
#include "out_timeit.h"

#include <math.h>
#include <string.h>

#include "out_bench.h"
#include "util_file.h"
#include "util_sbuf.h"

void out_timeit_fmt(char *buf, size_t size, double v, double scale)
{
    static const struct {
        double div;
        const char *unit;
    } units[] = {{1e-9, "ns"}, {1e-6, "µs"}, {1e-3, "ms"}, {1, "s"}};
    double a = fabs(scale), x;
    size_t u = 0;

    while (u < 3 && a / units[u].div >= 999.95) /* what would print as 1000.0 or more */
        u++;
    x = v / units[u].div;
    a = fabs(x);
    snprintf(buf, size,
             a >= 1000   ? "%.0f %s"
             : a >= 100  ? "%.1f %s"
             : a >= 10   ? "%.2f %s"
             : a >= 0.01 ? "%.3f %s"
                         : "%.2g %s",
             x, units[u].unit);
}

/* out_timeit_fmt into a 32-byte buf, returned. */
static const char *tf(char *buf, double v, double scale)
{
    out_timeit_fmt(buf, 32, v, scale);
    return buf;
}

/* The comparison of benchmark i with the baseline, in plain words. */
static void text_base(struct sbuf *b, const struct out_timeit *o, size_t i)
{
    const struct stats_nested_cmp *c = &o->base[i];
    char p[32], v[32];

    if (!o->has_base[i]) {
        sbuf_adds(b, "  Baseline:           not in the baseline\n");
        return;
    }
    sbuf_printf(b,
                "  Baseline:           %.3f× the baseline's median (95%% CI %.3f–%.3f, %s): %s\n",
                c->ratio, c->lo, c->hi, out_bench_fmt_p(p, c->p),
                out_bench_fmt_change(v, o->base_verdicts[i], c->ratio));
}

/* The figures of benchmark i, all in the unit of its median. */
static void text_bench(struct sbuf *b, const struct out_timeit *o, size_t i)
{
    const struct timeit_bench *tb = &o->benches[i];
    const struct stats_nested *s = &o->sums[i];
    const struct timeit_python *py = &o->pys[tb->python];
    double u = s->median;
    char x[32], y[32], z[32];

    sbuf_printf_term(b, "Benchmark %zu: %s\n", i + 1, o->names[i]);
    sbuf_printf_term(b, "  Python %s (%s)\n", tb->version[0] ? tb->version : "?",
                     tb->executable[0] ? tb->executable : py->path);
    if (s->n == 0) {
        sbuf_adds(b, "  no values\n\n");
        return;
    }
    sbuf_printf(b, "  Per loop (median):  %s  [%s … %s] 95%% CI   %zu value%s in %zu process%s\n",
                tf(x, s->median, u), tf(y, s->median_lo, u), tf(z, s->median_hi, u), s->n,
                s->n == 1 ? "" : "s", s->nclusters, s->nclusters == 1 ? "" : "es");
    sbuf_printf(b, "  Mean ± sd:          %s ± %s (CV %.1f%%)   min %s\n", tf(x, s->mean, u),
                tf(y, s->sd, u), s->mean > 0 ? 100 * s->sd / s->mean : 0, tf(z, s->min, u));
    if (s->nclusters > 1)
        sbuf_printf(b,
                    "  Between processes:  sd %s (within %s), %.0f%% of the variance; "
                    "effective values %.1f\n",
                    tf(x, s->between_sd, u), tf(y, s->within_sd, u), 100 * s->icc, s->n_eff);
    out_timeit_fmt(x, sizeof(x), s->median * (double)tb->loops, s->median * (double)tb->loops);
    out_timeit_fmt(y, sizeof(y), tb->clock_res, tb->clock_res);
    out_timeit_fmt(z, sizeof(z), tb->clock_cost, tb->clock_cost);
    sbuf_printf(b, "  Loops per value:    %llu (%s a value); clock resolution %s, read cost %s\n",
                (unsigned long long)tb->loops, x, y, z);
    if (o->base)
        text_base(b, o, i);
    sbuf_addc(b, '\n');
}

/* One plain-words line about benchmark i against the reference. */
static void say_cmp(struct sbuf *b, const struct out_timeit *o, size_t i)
{
    const struct stats_nested_cmp *c = &o->cmp[i];
    const char *x = o->names[i], *ref = o->names[o->ref];
    char p[32];

    if (!verdict_significant(o->verdicts[i]))
        sbuf_printf_term(b,
                         "  '%s' and '%s': no significant difference (ratio %.3f, 95%% CI "
                         "%.3f–%.3f, %s)\n",
                         x, ref, c->ratio, c->lo, c->hi, out_bench_fmt_p(p, c->p));
    else if (verdict_slower(o->verdicts[i]))
        sbuf_printf_term(b, "  '%s' is %.3f× faster than '%s' (95%% CI %.3f–%.3f, %s)\n", ref,
                         c->ratio, x, c->lo, c->hi, out_bench_fmt_p(p, c->p));
    else
        sbuf_printf_term(b, "  '%s' is %.3f× faster than '%s' (95%% CI %.3f–%.3f, %s)\n", x,
                         1 / c->ratio, ref, 1 / c->hi, 1 / c->lo, out_bench_fmt_p(p, c->p));
}

int out_timeit_text(FILE *f, const struct out_timeit *o)
{
    struct file_w w;
    struct sbuf *b = &w.b;
    int any = 0;

    file_w_init(&w, f);
    for (size_t i = 0; i < o->nbenches; i++)
        text_bench(b, o, i);
    for (size_t i = 0; o->ref >= 0 && i < o->nbenches; i++) {
        if ((int)i == o->ref || !o->has_cmp[i])
            continue;
        if (!any++)
            sbuf_printf_term(b, "Summary (against '%s')\n", o->names[o->ref]);
        say_cmp(b, o, i);
    }
    if (any)
        sbuf_addc(b, '\n');
    for (int i = 0; i < o->nwarnings; i++)
        sbuf_printf_term(b, "Warning: %s\n", o->warnings[i]);
    if (o->interrupted)
        sbuf_adds(b, "Interrupted: these results are partial.\n");
    return file_w_finish(&w);
}
