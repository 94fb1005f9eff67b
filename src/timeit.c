/* The timeit engine: a calibration process per benchmark, then interleaved shuffled rounds of
 * one worker per benchmark, the machine's load read around every worker; and the profile run.
 * SPDX-License-Identifier: MIT */
#include "timeit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_sys.h"
#include "py_proc.h"
#include "stats_dist.h"
#include "timeit_run.h"
#include "util_clock.h"
#include "util_vec.h"
#include "util_xalloc.h"

#define MAX_LOOPS 10000000000ull /* calibration gives up growing here */

struct timeit {
    const struct timeit_python *pys;
    int npys;
    struct timeit_plan plan;
    struct timeit_bench *benches;
    size_t nbenches;
    size_t *cap_values, *cap_workers; /* per benchmark: allocated entries */
    int *order;                       /* scratch: a round's order */
    char **exe; /* per interpreter: its sys.executable, started directly after the first
                   worker (a wrapper such as pyenv's shim is paid for once); NULL unknown */
    struct stats_rng rng;
    int64_t t0; /* CLOCK_MONOTONIC ns at the start of timeit_go(); 0 before */
    int fail_bench;
    char fail_msg[512];
};

int timeit_new(const struct timeit_python *pys, int npys, const struct timeit_plan *plan,
               struct timeit **out)
{
    struct timeit *t;

    if (npys < 1 || plan->nstmts < 1 || plan->processes < 1 || plan->values < 1 ||
        plan->warmups < 0 || !(plan->min_value_time > 0) || !(plan->timeout >= 0))
        return -EINVAL;
    t = xcalloc(1, sizeof(*t));
    t->pys = pys;
    t->npys = npys;
    t->plan = *plan;
    t->nbenches = (size_t)npys * (size_t)plan->nstmts;
    t->benches = xcalloc(t->nbenches, sizeof(*t->benches));
    t->cap_values = xcalloc(t->nbenches, sizeof(size_t));
    t->cap_workers = xcalloc(t->nbenches, sizeof(size_t));
    t->order = xcalloc(t->nbenches, sizeof(int));
    t->exe = xcalloc((size_t)npys, sizeof(char *));
    for (size_t i = 0; i < t->nbenches; i++) {
        t->benches[i].python = (int)(i / (size_t)plan->nstmts);
        t->benches[i].stmt = (int)(i % (size_t)plan->nstmts);
        t->benches[i].loops = plan->loops;
        t->benches[i].executable = "";
    }
    t->fail_bench = -1;
    stats_rng_init(&t->rng, plan->seed);
    *out = t;
    return 0;
}

void timeit_free(struct timeit *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nbenches; i++) {
        free(t->benches[i].values);
        free(t->benches[i].start);
        free(t->benches[i].len);
        free(t->benches[i].other_cpu);
    }
    free(t->benches);
    free(t->cap_values);
    free(t->cap_workers);
    free(t->order);
    for (int i = 0; i < t->npys; i++)
        free(t->exe[i]);
    free(t->exe);
    free(t);
}

/* Note benchmark i's failure (err from the worker) and return err. */
static int fail(struct timeit *t, size_t i, struct timeit_worker *w, int err)
{
    const char *m = w ? timeit_worker_message(w) : "";

    if (err == -EINTR)
        return err;
    t->fail_bench = (int)i;
    snprintf(t->fail_msg, sizeof(t->fail_msg), "%s", m[0] ? m : strerror(-err));
    return err;
}

/* Start a worker for benchmark i and read its hello into the benchmark. */
static int start(struct timeit *t, size_t i, struct timeit_worker **w)
{
    struct timeit_bench *b = &t->benches[i];
    struct timeit_run_opts o = {.timeout = t->plan.timeout, .stop = t->plan.stop};
    struct timeit_hello h;
    int err = timeit_worker_start(t->pys[b->python].path, t->plan.setup ? t->plan.setup : "",
                                  t->plan.stmts[b->stmt], t->plan.teardown ? t->plan.teardown : "",
                                  &o, w);

    if (err < 0) {
        *w = NULL;
        return fail(t, i, NULL, err);
    }
    if ((err = timeit_worker_hello(*w, &h)) < 0)
        return fail(t, i, *w, err);
    snprintf(b->version, sizeof(b->version), "%s", h.version);
    b->clock_res = h.clock_res;
    b->clock_cost = h.clock_cost;
    if (!t->exe[b->python] && h.executable[0] == '/' && access(h.executable, X_OK) == 0)
        t->exe[b->python] = xstrdup(h.executable);
    for (size_t k = 0; k < t->nbenches; k++)
        if (t->benches[k].python == b->python && t->exe[b->python])
            t->benches[k].executable = t->exe[b->python];
    return 0;
}

/* 1, 2, 5, 10, 20, 50, ... */
static uint64_t next_loops(uint64_t n)
{
    uint64_t p = 1;

    while (p * 10 <= n)
        p *= 10;
    return n == p ? 2 * p : n == 2 * p ? 5 * p : 10 * p;
}

/* n rounded up to two significant digits: 5713 -> 5800. */
static uint64_t round_up2(uint64_t n)
{
    uint64_t p = 1;

    while (n / p >= 100)
        p *= 10;
    return (n + p - 1) / p * p;
}

/* Grow the loop count of benchmark i in one process (1, 2, 5, 10, ...) until a value lasts
 * min_value_time, then scale it back so that a value lasts about that long. */
static int calibrate(struct timeit *t, size_t i)
{
    struct timeit_worker *w = NULL;
    double s = 0, min = t->plan.min_value_time;
    uint64_t n = 1;
    int err = start(t, i, &w);

    while (err == 0) {
        if ((err = timeit_worker_time(w, n, &s, NULL)) < 0)
            break;
        if (s >= min || n >= MAX_LOOPS)
            break;
        n = next_loops(n);
    }
    if (err == 0)
        err = timeit_worker_finish(w, NULL);
    if (err < 0)
        err = fail(t, i, w, err);
    else if (s > min && n > 1)
        t->benches[i].loops = round_up2((uint64_t)ceil((double)n * min / s));
    else
        t->benches[i].loops = n;
    timeit_worker_free(w);
    return err;
}

/* Room for one more worker of `values` values in benchmark i. */
static void reserve(struct timeit *t, size_t i, size_t values)
{
    struct timeit_bench *b = &t->benches[i];

    if (b->nvalues + values > t->cap_values[i]) {
        t->cap_values[i] =
            vec_cap(t->cap_values[i], b->nvalues + values, 64, SIZE_MAX / sizeof(double));
        b->values = xreallocarray(b->values, t->cap_values[i], sizeof(double));
        b->start = xreallocarray(b->start, t->cap_values[i], sizeof(double));
    }
    if (b->nworkers + 1 > t->cap_workers[i]) {
        t->cap_workers[i] =
            vec_cap(t->cap_workers[i], b->nworkers + 1, 8, SIZE_MAX / sizeof(double));
        b->len = xreallocarray(b->len, t->cap_workers[i], sizeof(size_t));
        b->other_cpu = xreallocarray(b->other_cpu, t->cap_workers[i], sizeof(double));
    }
}

/* Share of the machine's CPU used by others between c0 and c1, the worker having used cpu
 * seconds; -1 when unknown. */
static double other_share(const struct proc_sys_cpu *c0, const struct proc_sys_cpu *c1, double cpu)
{
    uint64_t total = proc_sys_cpu_total(c0, c1), busy = proc_sys_cpu_busy(c0, c1);
    uint64_t own = cpu > 0 ? (uint64_t)(cpu * (double)util_clock_hz() + 0.5) : 0;

    if (total == 0 || cpu < 0)
        return -1;
    return (double)(busy > own ? busy - own : 0) / (double)total;
}

/* Whether a value of s seconds, during which the driver's thread ran cpu seconds, was
 * disturbed: the thread was off the CPU for more than TIMEIT_OFF_CPU of it while the statement
 * does not block (the best CPU share seen in this worker, *best, is at least
 * TIMEIT_CPU_BOUND: a statement that sleeps or waits for I/O is never retaken). */
static int disturbed(double s, double cpu, double *best)
{
    double share = s > 0 && cpu >= 0 ? cpu / s : -1;

    if (share > *best)
        *best = share;
    return share >= 0 && *best >= TIMEIT_CPU_BOUND && share < 1 - TIMEIT_OFF_CPU;
}

/* The timed values of one worker of benchmark i, appended as they come (n counts them). A
 * disturbed value is taken again, up to as many times as there are values. */
static int timed_values(struct timeit *t, size_t i, struct timeit_worker *w, size_t *n)
{
    struct timeit_bench *b = &t->benches[i];
    double s, cpu, best = -1;
    int err = 0, retakes = 0;

    for (int k = 0; k < t->plan.warmups && err == 0; k++)
        if ((err = timeit_worker_time(w, b->loops, &s, &cpu)) == 0)
            disturbed(s, cpu, &best);
    for (int k = 0; k < t->plan.values && err == 0;) {
        double at = util_clock_s(util_clock_mono_ns() - t->t0);

        if ((err = timeit_worker_time(w, b->loops, &s, &cpu)) < 0)
            break;
        if (disturbed(s, cpu, &best) && retakes < t->plan.values) {
            retakes++;
            b->retaken++;
            continue;
        }
        b->values[b->nvalues + *n] = s / (double)b->loops;
        b->start[b->nvalues + *n] = at;
        ++*n;
        k++;
    }
    return err;
}

/* One worker of benchmark i: warm-up values discarded, timed values kept. After a stop the
 * values so far are kept. */
static int run_worker(struct timeit *t, size_t i)
{
    struct timeit_bench *b = &t->benches[i];
    struct timeit_worker *w = NULL;
    struct proc_sys_cpu c0, c1;
    int have0 = proc_sys_cpu_read(&c0) == 0, err;
    size_t n = 0;
    double cpu = -1;

    reserve(t, i, (size_t)t->plan.values);
    err = start(t, i, &w);
    if (err == 0)
        err = timed_values(t, i, w, &n);
    if (err == 0)
        err = timeit_worker_finish(w, &cpu);
    if (err == 0 || (err == -EINTR && n > 0)) {
        b->len[b->nworkers] = n;
        b->other_cpu[b->nworkers] =
            err == 0 && have0 && proc_sys_cpu_read(&c1) == 0 ? other_share(&c0, &c1, cpu) : -1;
        b->nworkers++;
        b->nvalues += n;
    }
    if (err < 0)
        err = fail(t, i, w, err);
    timeit_worker_free(w);
    return err;
}

static void shuffle(struct timeit *t, int *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)stats_rng_below(&t->rng, (uint64_t)i + 1);
        int x = v[i];

        v[i] = v[j];
        v[j] = x;
    }
}

static int stopped(const struct timeit *t)
{
    return t->plan.stop && *t->plan.stop;
}

int timeit_go(struct timeit *t, timeit_progress_fn progress, void *ctx)
{
    int n = (int)t->nbenches, total = n * t->plan.processes, done = 0, err;

    t->t0 = util_clock_mono_ns();
    for (int i = 0; i < n && t->plan.loops == 0; i++) {
        if (stopped(t))
            return -EINTR;
        if ((err = calibrate(t, (size_t)i)) < 0)
            return err;
        if (progress)
            progress(ctx, &t->benches[i], -1, 0, total);
    }
    for (int round = 0; round < t->plan.processes; round++) {
        for (int i = 0; i < n; i++)
            t->order[i] = i;
        shuffle(t, t->order, n);
        for (int k = 0; k < n; k++) {
            const struct timeit_bench *b = &t->benches[t->order[k]];

            if (stopped(t))
                return -EINTR;
            if ((err = run_worker(t, (size_t)t->order[k])) < 0)
                return err;
            if (progress)
                progress(ctx, b, round, ++done, total);
        }
    }
    return 0;
}

int timeit_failure(const struct timeit *t, const char **message)
{
    *message = t->fail_msg;
    return t->fail_bench;
}

const struct timeit_bench *timeit_benches(const struct timeit *t, size_t *n)
{
    *n = t->nbenches;
    return t->benches;
}

struct stats_clusters timeit_clusters(const struct timeit_bench *b)
{
    struct stats_clusters c = {.x = b->values, .len = b->len, .nclusters = b->nworkers};

    return c;
}

double timeit_elapsed(const struct timeit *t)
{
    return t->t0 > 0 ? util_clock_s(util_clock_mono_ns() - t->t0) : 0;
}

/* Attach the sampler to the worker, which runs `loops` loops and exits. */
static int sample(struct timeit *t, struct timeit_worker *w, uint64_t loops,
                  const struct sampler_opts *opts, struct agg *a, struct sampler_stats *st,
                  char *detail, size_t detail_len)
{
    struct py_proc *p = NULL;
    int err = py_proc_open((int)timeit_worker_pid(w), &p, detail, detail_len);

    if (err < 0)
        return err;
    err = timeit_worker_run_last(w, loops);
    if (err == 0)
        err = sampler_run(p, opts, a, t->plan.stop, st);
    py_proc_free(p);
    return err;
}

int timeit_profile(struct timeit *t, size_t bench, double per_loop, double seconds,
                   const struct sampler_opts *opts, struct agg *a, struct sampler_stats *st,
                   char *detail, size_t detail_len)
{
    struct timeit_worker *w = NULL;
    double loops = per_loop > 0 ? ceil(seconds / per_loop) : 1, s;
    int err;

    if (bench >= t->nbenches || !(seconds > 0))
        return -EINVAL;
    if (loops > (double)MAX_LOOPS)
        loops = (double)MAX_LOOPS;
    if (loops < 1)
        loops = 1;
    err = start(t, bench, &w);
    if (err == 0 && (err = timeit_worker_time(w, 1, &s, NULL)) < 0) /* the setup, unsampled */
        err = fail(t, bench, w, err);
    if (err == 0 && (err = sample(t, w, (uint64_t)loops, opts, a, st, detail, detail_len)) < 0 &&
        timeit_worker_pid(w) < 0)
        err = fail(t, bench, w, err);
    if (err == 0 && (err = timeit_worker_finish(w, NULL)) < 0)
        err = fail(t, bench, w, err);
    timeit_worker_free(w);
    return err;
}
