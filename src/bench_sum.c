/* Summaries of a benchmark's runs: metrics, outliers with reasons, modes, drift, comparisons.
 * SPDX-License-Identifier: MIT */
#include "bench_sum.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util_xalloc.h"

#define OUTLIER_Z      3.5   /* modified z-score, Iglewicz and Hoaglin */
#define DRIFT_P        0.001 /* first third vs last third */
#define DRIFT_MIN      0.05  /* and at least 5% apart */
#define BOOTSTRAP_REPS 2000

static const char *const metric_names[BENCH_M_COUNT] = {
    "wall",        "user",         "sys",          "max_rss",      "read_bytes",
    "write_bytes", "minor_faults", "major_faults", "voluntary_cs", "involuntary_cs",
};

const char *bench_metric_name(enum bench_metric m)
{
    return (unsigned)m < BENCH_M_COUNT ? metric_names[m] : "?";
}

double bench_metric_value(const struct bench_result *r, enum bench_metric m)
{
    switch (m) {
    case BENCH_M_WALL:
        return r->wall;
    case BENCH_M_USER:
        return r->user;
    case BENCH_M_SYS:
        return r->sys;
    case BENCH_M_MAXRSS:
        return (double)r->maxrss;
    case BENCH_M_READ:
        return (double)r->read_bytes;
    case BENCH_M_WRITE:
        return (double)r->write_bytes;
    case BENCH_M_MINFLT:
        return (double)r->minflt;
    case BENCH_M_MAJFLT:
        return (double)r->majflt;
    case BENCH_M_NVCSW:
        return (double)r->nvcsw;
    case BENCH_M_NIVCSW:
        return (double)r->nivcsw;
    default:
        return 0;
    }
}

const char *bench_outlier_name(enum bench_outlier o)
{
    switch (o) {
    case BENCH_OUT_FIRST:
        return "first run";
    case BENCH_OUT_COLD:
        return "cold cache";
    case BENCH_OUT_INTERFERENCE:
        return "interference";
    case BENCH_OUT_FAST:
        return "unusually fast";
    case BENCH_OUT_SLOW:
        return "unusually slow";
    default:
        return "none";
    }
}

static int usable(const struct bench_sample *s, int cmd)
{
    return s->cmd == cmd && !s->r.timed_out;
}

double *bench_sum_times(const struct bench_sample *samples, size_t n, int cmd, size_t *len)
{
    double *v = NULL;
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (usable(&samples[i], cmd))
            k++;
    *len = k;
    if (k == 0)
        return NULL;
    v = xmalloc(k * sizeof(double));
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (usable(&samples[i], cmd))
            v[k++] = samples[i].r.wall;
    return v;
}

/* The reason a flagged run is an outlier, judged against the command's typical run. */
static enum bench_outlier why(const struct bench_sample *s, int flag, const struct bench_cmd_sum *c)
{
    const struct bench_result *r = &s->r;
    double excess = r->wall - c->m[BENCH_M_WALL].median;

    if (flag > 0 && s->index == 0)
        return BENCH_OUT_FIRST;
    if (flag > 0 && ((double)r->majflt > c->m[BENCH_M_MAJFLT].median ||
                     (double)r->read_bytes > c->m[BENCH_M_READ].median))
        return BENCH_OUT_COLD;
    if (flag > 0 && ((double)r->cpu_delay_ns / 1e9 > 0.5 * excess ||
                     (double)r->nivcsw > c->m[BENCH_M_NIVCSW].q3 + 1 || s->other_cpu > 0.25))
        return BENCH_OUT_INTERFERENCE;
    return flag > 0 ? BENCH_OUT_SLOW : BENCH_OUT_FAST;
}

static void find_drift(const double *t, size_t k, struct bench_cmd_sum *c)
{
    struct stats_mwu mwu;
    struct stats_summary a, b;
    size_t third = k / 3;

    if (third < 3)
        return;
    if (stats_dist_summary(t, third, &a) < 0 || stats_dist_summary(t + k - third, third, &b) < 0)
        return;
    if (stats_dist_mann_whitney(t, third, t + k - third, third, &mwu) < 0)
        return;
    if (mwu.p < DRIFT_P && a.median > 0 && fabs(b.median / a.median - 1) > DRIFT_MIN) {
        c->drift = 1;
        c->drift_from = a.median;
        c->drift_to = b.median;
    }
}

static void mark_outliers(const struct bench_sample *samples, size_t n, const double *t, size_t k,
                          struct bench_cmd_sum *c, signed char *outlier_flags)
{
    signed char *flags = xcalloc(k, 1);
    size_t j = 0;

    if (stats_dist_outliers(t, k, OUTLIER_Z, flags) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (!usable(&samples[i], c->cmd))
                continue;
            if (flags[j]) {
                enum bench_outlier o = why(&samples[i], flags[j], c);

                c->outliers++;
                c->outlier_why[o]++;
                if (outlier_flags)
                    outlier_flags[i] = (signed char)o;
            }
            j++;
        }
    }
    free(flags);
}

int bench_sum_cmd(const struct bench_sample *samples, size_t n, int cmd, struct bench_cmd_sum *out,
                  signed char *outlier_flags)
{
    struct bench_cmd_sum c;
    size_t k = 0, nother = 0;
    double other = 0;
    double *v;

    memset(&c, 0, sizeof(c));
    c.cmd = cmd;
    c.other_cpu = -1;
    for (size_t i = 0; i < n; i++) {
        if (samples[i].cmd != cmd)
            continue;
        if (samples[i].r.timed_out)
            c.timed_out++;
        else if (samples[i].r.exit_code != 0)
            c.failed++;
        if (samples[i].other_cpu >= 0) {
            other += samples[i].other_cpu;
            nother++;
        }
        if (outlier_flags)
            outlier_flags[i] = BENCH_OUT_NONE;
    }
    v = bench_sum_times(samples, n, cmd, &k);
    if (!v)
        return -ENODATA;
    c.n = k;
    if (nother)
        c.other_cpu = other / (double)nother;
    for (int m = 0; m < BENCH_M_COUNT; m++) {
        size_t j = 0;

        for (size_t i = 0; i < n; i++)
            if (usable(&samples[i], cmd))
                v[j++] = bench_metric_value(&samples[i].r, (enum bench_metric)m);
        stats_dist_summary(v, k, &c.m[m]);
    }
    /* back to wall times, in run order */
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (usable(&samples[i], cmd))
            v[k++] = samples[i].r.wall;
    mark_outliers(samples, n, v, k, &c, outlier_flags);
    if (k >= 20)
        c.modes = stats_dist_modes(v, k, 0.1, c.mode_at, BENCH_MAX_MODES);
    find_drift(v, k, &c);
    free(v);
    *out = c;
    return 0;
}

static int compare(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                   struct bench_cmp *out)
{
    int err = stats_dist_ratio(a, na, b, nb, BOOTSTRAP_REPS, seed, &out->ratio);

    if (err < 0)
        return err;
    return stats_dist_mann_whitney(a, na, b, nb, &out->mwu);
}

int bench_sum_cmp(const struct bench_sample *samples, size_t n, int cmd, int ref, uint64_t seed,
                  struct bench_cmp *out)
{
    size_t na, nb;
    double *a = bench_sum_times(samples, n, cmd, &na);
    double *b = bench_sum_times(samples, n, ref, &nb);
    int err = -ENODATA;

    memset(out, 0, sizeof(*out));
    out->cmd = cmd;
    out->ref = ref;
    if (a && b)
        err = compare(a, na, b, nb, seed, out);
    free(a);
    free(b);
    return err;
}

int bench_sum_cmp_values(const struct bench_sample *samples, size_t n, int cmd, const double *base,
                         size_t nbase, uint64_t seed, struct bench_cmp *out)
{
    size_t na;
    double *a = bench_sum_times(samples, n, cmd, &na);
    int err = -ENODATA;

    memset(out, 0, sizeof(*out));
    out->cmd = cmd;
    out->ref = -1;
    if (a && nbase)
        err = compare(a, na, base, nbase, seed, out);
    free(a);
    return err;
}
