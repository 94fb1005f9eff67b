/* The benchmark engine: warm-up, interleaved shuffled rounds, stopping rules, load sampling.
 * SPDX-License-Identifier: MIT */
#include "bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proc_sys.h"
#include "stats_dist.h"
#include "util_clock.h"
#include "util_vec.h"
#include "util_xalloc.h"

struct bench {
    const struct bench_cmd *cmds;
    int ncmds;
    struct bench_plan plan;
    struct bench_runner *runner;
    struct bench_sample *samples;
    size_t nsamples, cap;
    int *nruns;                       /* per command */
    double *time_sum;                 /* per command: seconds of its timed runs */
    int *done;                        /* per command */
    int *order;                       /* scratch: this round's order */
    double *scratch;                  /* scratch: one command's times */
    int64_t t0;                       /* CLOCK_MONOTONIC ns at the start of bench_go(); 0 before */
    uint64_t busy_other, total_ticks; /* over all timed runs, in ticks */
    int fail_cmd, fail_prepare;
    struct bench_result fail_res;
    struct stats_rng rng;
};

int bench_new(const struct bench_cmd *cmds, int ncmds, const struct bench_plan *plan,
              const struct bench_run_opts *run, struct bench **out)
{
    struct bench *b = xcalloc(1, sizeof(*b));
    int err = bench_runner_new(run, &b->runner);

    if (err < 0) {
        free(b);
        return err;
    }
    b->cmds = cmds;
    b->ncmds = ncmds;
    b->plan = *plan;
    if (b->plan.min_runs <= 0)
        b->plan.min_runs = 10;
    if (b->plan.max_runs <= 0)
        b->plan.max_runs = 100000;
    if (b->plan.min_time < 0)
        b->plan.min_time = 0;
    if (b->plan.max_time <= 0)
        b->plan.max_time = 30;
    if (b->plan.target_ci <= 0)
        b->plan.target_ci = 0.01;
    b->nruns = xcalloc((size_t)ncmds, sizeof(int));
    b->time_sum = xcalloc((size_t)ncmds, sizeof(double));
    b->done = xcalloc((size_t)ncmds, sizeof(int));
    b->order = xcalloc((size_t)ncmds, sizeof(int));
    b->fail_cmd = -1;
    stats_rng_init(&b->rng, plan->seed);
    *out = b;
    return 0;
}

void bench_free(struct bench *b)
{
    if (!b)
        return;
    bench_runner_free(b->runner);
    free(b->samples);
    free(b->nruns);
    free(b->time_sum);
    free(b->done);
    free(b->order);
    free(b->scratch);
    free(b);
}

static void shuffle(struct bench *b, int *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)stats_rng_below(&b->rng, (uint64_t)i + 1);
        int t = v[i];

        v[i] = v[j];
        v[j] = t;
    }
}

static int failed(const struct bench_result *r)
{
    return r->timed_out || r->exit_code != 0;
}

/* Run cmd's prepare command, if any. Returns 0 or the error for bench_go(). */
static int prepare(struct bench *b, int cmd)
{
    struct bench_result res;
    int err;

    if (!b->cmds[cmd].prepare)
        return 0;
    err = bench_run(b->runner, b->cmds[cmd].prepare, &res);
    if (err == -EINTR)
        return err;
    if (err < 0 || failed(&res)) {
        b->fail_cmd = cmd;
        b->fail_prepare = 1;
        memset(&b->fail_res, 0, sizeof(b->fail_res));
        if (err == 0)
            b->fail_res = res;
        return err < 0 ? err : -ECHILD;
    }
    return 0;
}

/* One run of cmd; timed runs are appended to the samples. */
static int run_one(struct bench *b, int cmd, int round, int timed)
{
    struct proc_sys_cpu c0, c1;
    struct bench_result res;
    int have0, have1, err = prepare(b, cmd);
    double start;

    if (err < 0)
        return err;
    have0 = proc_sys_cpu_read(&c0) == 0;
    start = util_clock_s(util_clock_mono_ns() - b->t0);
    err = bench_run(b->runner, b->cmds[cmd].argv, &res);
    have1 = proc_sys_cpu_read(&c1) == 0;
    if (err == -EINTR)
        return err;
    if (err < 0 || (failed(&res) && !b->plan.ignore_failure)) {
        b->fail_cmd = cmd;
        b->fail_prepare = 0;
        memset(&b->fail_res, 0, sizeof(b->fail_res));
        if (err == 0)
            b->fail_res = res;
        return err < 0 ? err : -ECHILD;
    }
    if (!timed)
        return 0;
    if (b->nsamples == b->cap)
        b->samples = vec_grow(b->samples, &b->cap, b->nsamples + 1, sizeof(*b->samples), 256);
    struct bench_sample *s = &b->samples[b->nsamples++];

    memset(s, 0, sizeof(*s));
    s->r = res;
    s->cmd = cmd;
    s->round = round;
    s->index = b->nruns[cmd]++;
    s->start = start;
    s->other_cpu = -1;
    if (have0 && have1) {
        uint64_t total = proc_sys_cpu_total(&c0, &c1), busy = proc_sys_cpu_busy(&c0, &c1);
        uint64_t own = (uint64_t)((res.user + res.sys) * (double)util_clock_hz() + 0.5);
        uint64_t other = busy > own ? busy - own : 0;

        if (total > 0) {
            s->other_cpu = (double)other / (double)total;
            b->busy_other += other;
            b->total_ticks += total;
        }
    }
    if (!res.timed_out)
        b->time_sum[cmd] += res.wall;
    return 0;
}

/* Relative half-width of the 95% CI of cmd's median wall time; 1 when it cannot be had. */
static double rel_ci(struct bench *b, int cmd)
{
    struct stats_summary sum;
    size_t n = 0;

    b->scratch = xrealloc(b->scratch, (b->nsamples + 1) * sizeof(double));
    for (size_t i = 0; i < b->nsamples; i++)
        if (b->samples[i].cmd == cmd && !b->samples[i].r.timed_out)
            b->scratch[n++] = b->samples[i].r.wall;
    if (n < 6 || stats_dist_summary(b->scratch, n, &sum) < 0 || sum.median <= 0)
        return 1;
    return (sum.median_hi - sum.median_lo) / 2 / sum.median;
}

/* Decide after a round whether cmd has enough runs. */
static int enough(struct bench *b, int cmd)
{
    const struct bench_plan *p = &b->plan;
    int n = b->nruns[cmd];
    double t = b->time_sum[cmd];

    if (p->runs > 0)
        return n >= p->runs;
    if (n >= p->max_runs || (t >= p->max_time && n >= p->min_runs))
        return 1;
    if (n < p->min_runs || t < p->min_time)
        return 0;
    /* Checking the CI sorts all runs: do it on a geometric schedule past the minimum. */
    if (n > 100 && n % (n / 50) != 0)
        return 0;
    return rel_ci(b, cmd) <= p->target_ci;
}

/* Expected total runs of cmd, for progress reports. */
static int expected(const struct bench *b, int cmd)
{
    const struct bench_plan *p = &b->plan;
    int n = b->nruns[cmd];
    double t = b->time_sum[cmd];

    if (p->runs > 0)
        return p->runs;
    if (b->done[cmd] || n == 0)
        return n > p->min_runs ? n : p->min_runs;
    double per = t / n;
    int want = per > 0 ? (int)(p->min_time / per) + 1 : p->min_runs;

    if (want < p->min_runs)
        want = p->min_runs;
    if (want < n)
        want = n;
    return want > p->max_runs ? p->max_runs : want;
}

static int warm_up(struct bench *b, bench_progress_fn progress, void *ctx)
{
    for (int w = 0; w < b->plan.warmup; w++) {
        for (int i = 0; i < b->ncmds; i++)
            b->order[i] = i;
        shuffle(b, b->order, b->ncmds);
        for (int i = 0; i < b->ncmds; i++) {
            int err = run_one(b, b->order[i], -1, 0);

            if (err < 0)
                return err;
            if (progress)
                progress(ctx, b->order[i], b->plan.warmup - w - 1, NULL, 0,
                         expected(b, b->order[i]));
        }
    }
    return 0;
}

int bench_go(struct bench *b, bench_progress_fn progress, void *ctx)
{
    int err, round = 0;

    b->t0 = util_clock_mono_ns();
    err = warm_up(b, progress, ctx);
    if (err < 0)
        return err;
    for (;;) {
        int n = 0;

        for (int i = 0; i < b->ncmds; i++)
            if (!b->done[i])
                b->order[n++] = i;
        if (n == 0)
            break;
        shuffle(b, b->order, n);
        for (int i = 0; i < n; i++) {
            int cmd = b->order[i];

            err = run_one(b, cmd, round, 1);
            if (err < 0)
                return err;
            if (progress)
                progress(ctx, cmd, 0, &b->samples[b->nsamples - 1], b->nruns[cmd],
                         expected(b, cmd));
        }
        for (int i = 0; i < n; i++)
            b->done[b->order[i]] = enough(b, b->order[i]);
        round++;
    }
    return 0;
}

void bench_failure(const struct bench *b, int *cmd, int *is_prepare, struct bench_result *res)
{
    *cmd = b->fail_cmd;
    *is_prepare = b->fail_prepare;
    *res = b->fail_res;
}

const struct bench_sample *bench_samples(const struct bench *b, size_t *n)
{
    *n = b->nsamples;
    return b->samples;
}

int bench_exact_rss(const struct bench *b)
{
    return bench_runner_exact_rss(b->runner);
}

double bench_elapsed(const struct bench *b)
{
    return b->t0 > 0 ? util_clock_s(util_clock_mono_ns() - b->t0) : 0;
}

double bench_other_cpu(const struct bench *b)
{
    return b->total_ticks ? (double)b->busy_other / (double)b->total_ticks : -1;
}
