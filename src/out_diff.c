/* Differential profile writers: collapsed-diff text, and the SVG flame graph of out_svg painted
 * by change.
 * SPDX-License-Identifier: MIT */
#include "out_diff.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>

#include "out_flame.h"
#include "util_file.h"
#include "util_sbuf.h"

double out_diff_change(double a, double b)
{
    double m = a > b ? a : b;
    return m > 0 ? (b - a) / m : 0;
}

int out_diff_collapsed_write(FILE *f, const struct agg_diff *d)
{
    const struct agg *u = agg_diff_agg(d);
    struct file_w out;
    struct sbuf *b = &out.b;

    file_w_init(&out, f);
    for (uint32_t i = 0; i < agg_nstacks(u) && !out.err; i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *frames = agg_stack(u, i, &n, &w);
        double wa = round(agg_diff_a(d, i));
        uint64_t wb = agg_diff_b(d, i);
        if (n == 0 || (wa == 0 && wb == 0))
            continue;
        for (uint32_t j = 0; j < n; j++) {
            if (j)
                sbuf_addc(b, ';');
            out_collapsed_label(b, u, frames[j]);
        }
        sbuf_printf(b, " %.0f %" PRIu64 "\n", wa, wb);
        file_w_spill(&out);
    }
    return file_w_finish(&out);
}

struct paint {
    const struct agg_diff *d;
    const char *unit;
    int counts; /* weights are sample counts (not bytes): fade changes within noise */
};

static void sums(const struct paint *p, const struct out_svg_box *box, double *a, double *b)
{
    *a = *b = 0;
    for (uint32_t i = 0; i < box->nstacks; i++) {
        *a += agg_diff_a(p->d, box->stacks[i]);
        *b += (double)agg_diff_b(p->d, box->stacks[i]);
    }
}

double out_diff_intensity(double a, double b, int counts)
{
    double x = fabs(out_diff_change(a, b));
    if (counts && a + b > 0) {
        double z = fabs(b - a) / (OUT_DIFF_NOISE_SD * sqrt(a + b));
        x *= z < 1 ? z : 1;
    }
    return x;
}

static void colour(void *ctx, const struct out_svg_box *box, struct sbuf *out)
{
    const struct paint *p = ctx;
    double a, b;
    sums(p, box, &a, &b);
    double c = out_diff_change(a, b), x = out_diff_intensity(a, b, p->counts);
    int hi = (int)lround(OUT_DIFF_NEUTRAL + OUT_DIFF_RISE * x),
        lo = (int)lround(OUT_DIFF_NEUTRAL - OUT_DIFF_FADE * x);
    if (c > 0)
        sbuf_printf(out, "rgb(%d,%d,%d)", hi, lo, lo);
    else
        sbuf_printf(out, "rgb(%d,%d,%d)", lo, lo, hi);
}

static void detail(void *ctx, const struct out_svg_box *box, struct sbuf *out)
{
    const struct paint *p = ctx;
    double a, b;
    sums(p, box, &a, &b);
    sbuf_printf(out, "A %.1f -> B %.0f %s (%+.1f", a, b, p->unit, b - a);
    if (a > 0)
        sbuf_printf(out, ", %+.1f%%", 100.0 * (b - a) / a);
    else
        sbuf_adds(out, ", new");
    sbuf_addc(out, ')');
}

int out_diff_svg_write(FILE *f, const struct agg_diff *d, const struct agg_meta *m)
{
    struct paint p = {d, m && m->unit ? m->unit : "samples", !(m && m->unit)};
    struct out_svg_paint paint = {&p, colour, detail, 1};
    return out_svg_paint_write(f, agg_diff_agg(d), m, &paint);
}
