/* The engine behind `spyglass timeit`: every (interpreter, statement) pair is a benchmark; a
 * calibration process picks its loop count, then worker processes run in interleaved, shuffled
 * rounds (one worker at a time), each discarding its warm-up values and timing the rest. The
 * timing loop runs in the interpreter inside a tiny embedded driver; setup and teardown are
 * never timed. No printing here: progress goes through a callback.
 * SPDX-License-Identifier: MIT */
#ifndef TIMEIT_H
#define TIMEIT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "agg_stacks.h"
#include "sampler.h"
#include "stats_nested.h"

/* The "schema" tag of the JSON export (docs/timeit-schema.json): written by
 * out_timeit_export, checked by timeit_base when an export is read back as a baseline. */
#define TIMEIT_SCHEMA "spyglass-timeit/1"

/* Defaults of the plan (the CLI's): 10 processes x (1 warm-up + 5 values) of at least 50 ms. */
#define TIMEIT_PROCESSES      10
#define TIMEIT_VALUES         5
#define TIMEIT_WARMUPS        1
#define TIMEIT_MIN_VALUE_TIME 0.1  /* seconds */
#define TIMEIT_TIMEOUT        60.0 /* seconds */

/* An interpreter to measure. Borrowed by the engine. */
struct timeit_python {
    const char *path; /* executable (as given to execve) */
    const char *name; /* as shown: "3.11.7", or the --python argument when versions repeat */
};

/* What to run and how much. */
struct timeit_plan {
    const char *const *stmts; /* nstmts statements (Python source; may hold newlines) */
    int nstmts;
    const char *setup;           /* run once per worker before timing, untimed; "" for none */
    const char *teardown;        /* run once per worker after timing, untimed; "" for none */
    int processes;               /* workers per benchmark (default 10) */
    int values;                  /* timed values per worker (default 5) */
    int warmups;                 /* discarded values per worker first (default 1) */
    uint64_t loops;              /* loops per value; 0: calibrate each benchmark */
    double min_value_time;       /* calibration: seconds one value should last (the loop count
                                    grows 1, 2, 5, 10... until a value lasts that long, then is
                                    scaled back to it, rounded up to two digits) */
    double timeout;              /* seconds a worker may take before it is killed; 0: none */
    uint64_t seed;               /* shuffles of the rounds */
    volatile sig_atomic_t *stop; /* set from a signal handler to stop early; may be NULL */
};

/* A value is disturbed, and timed again, when the driver's thread ran less than 1 - TIMEIT_OFF_CPU
 * of it, provided the statement is CPU-bound: some value of the same worker ran at least
 * TIMEIT_CPU_BOUND of its time (a statement that sleeps or waits is never retaken). */
#define TIMEIT_OFF_CPU   0.02
#define TIMEIT_CPU_BOUND 0.9

/* One benchmark: statement stmt on interpreter python. */
struct timeit_bench {
    int python, stmt;
    char version[32];       /* the interpreter's sys.version_info, "3.11.7" */
    const char *executable; /* its sys.executable, which the workers after the first one start
                               directly; "" when unknown */
    uint64_t loops;         /* loops per value */
    double clock_res;       /* resolution of the driver's clock (time.perf_counter), seconds */
    double clock_cost;      /* seconds one read of that clock takes */
    double *values;         /* per-loop seconds of every timed value, grouped by worker */
    double *start;          /* per value: seconds since the run began, at the value's start */
    size_t *len;            /* values per worker (nworkers entries) */
    double *other_cpu;      /* per worker: share (0..1) of the machine's CPU used by other
                               processes while it ran, -1 unknown */
    size_t retaken;         /* values timed again because the worker's thread was off the CPU
                               for more than TIMEIT_OFF_CPU of them (preempted) */
    size_t nvalues, nworkers;
};

/* Progress: called after every worker (calibration runs have worker == -1). */
typedef void (*timeit_progress_fn)(void *ctx, const struct timeit_bench *b, int worker,
                                   int workers_done, int workers_total);

struct timeit;

/* Returns 0, or -EINVAL when npys or plan->nstmts is below 1, processes, values or
 * min_value_time is not positive, warmups is negative or timeout is negative (the CLI fills the
 * defaults above). Caller frees with timeit_free(). */
int timeit_new(const struct timeit_python *pys, int npys, const struct timeit_plan *plan,
               struct timeit **out);
void timeit_free(struct timeit *t);

/* Run everything. Returns 0; -EINTR when stopped through plan->stop (values so far are
 * kept); -ENOENT or -EACCES when an interpreter cannot be started; -ECHILD when a statement,
 * setup or teardown raised (a SyntaxError included) or a worker died; -ETIMEDOUT when a
 * worker passed the timeout; another negative errno on a system failure. After a failure,
 * timeit_failure() tells which benchmark and the interpreter's own message. */
int timeit_go(struct timeit *t, timeit_progress_fn progress, void *ctx);

/* The failed benchmark (-1 when none) and the last line of its error output, e.g.
 * "ZeroDivisionError: division by zero" (valid until timeit_free()). */
int timeit_failure(const struct timeit *t, const char **message);

/* Every benchmark, python-major (index = python * nstmts + stmt); valid until timeit_free(). */
const struct timeit_bench *timeit_benches(const struct timeit *t, size_t *n);

/* b's values as clusters (one per worker), for stats_nested. */
struct stats_clusters timeit_clusters(const struct timeit_bench *b);

/* Seconds spent so far. */
double timeit_elapsed(const struct timeit *t);

/* The "why" after the timing: start a fresh worker for benchmark `bench` (after timeit_go(),
 * which set its loop count), run its setup and one loop, then have it run the statement for
 * about `seconds` in one go while the sampler (opts, stopping when the worker exits) records
 * its Python stacks into a. per_loop (seconds, > 0) sizes the run, e.g. the median. Returns 0
 * with *st filled; an error as timeit_go() (timeit_failure() tells why); or an error of
 * py_proc_open() when the interpreter cannot be sampled (detail, may be NULL, says why). */
int timeit_profile(struct timeit *t, size_t bench, double per_loop, double seconds,
                   const struct sampler_opts *opts, struct agg *a, struct sampler_stats *st,
                   char *detail, size_t detail_len);

#endif
