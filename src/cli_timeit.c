/* spyglass timeit: options, interpreters (paths, names on PATH, pyenv version prefixes),
 * progress, clustered summaries and comparisons, noise warnings, report, exports, the
 * --baseline regression gate, --profile.
 * SPDX-License-Identifier: MIT */
#include "cli_timeit.h"

#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg_stacks.h"
#include "cli.h"
#include "cli_common.h"
#include "cli_export.h"
#include "cli_msg.h"
#include "cli_signals.h"
#include "meta.h"
#include "out_summary.h"
#include "out_timeit.h"
#include "out_timeit_export.h"
#include "sampler.h"
#include "stats_nested.h"
#include "timeit.h"
#include "timeit_base.h"
#include "timeit_run.h"
#include "util_sbuf.h"
#include "util_xalloc.h"
#include "verdict.h"

#define COUNT_MAX      1000000 /* the largest count an option takes */
#define BOOT_REPS      2000    /* bootstrap resamples of the summaries and comparisons */
#define PROFILE_SECS   2.0     /* seconds of statement loops sampled by --profile */
#define PROFILE_RATE   1000    /* Hz */
#define PROFILE_TOP    5       /* functions listed */
#define CV_WARN        0.10
#define ICC_WARN       0.5
#define OTHER_CPU_WARN 0.10

struct timeit_args {
    struct timeit_plan plan;
    const char **pyargs; /* --python, as given */
    int npys;
    const char **stmts;
    int nstmts;
    struct sbuf setup; /* the -s options joined with newlines */
    const char *teardown;
    struct cli_common c; /* --reference: a 1-based benchmark */
    int profile, show_driver;
};

static const char usage[] =
    "usage: spyglass timeit [--python PY]... [-s SETUP]... [--teardown CODE] [options]\n"
    "                       STMT [STMT...]\n"
    "Time Python statements in many fresh processes, interleaved, and report the time per loop\n"
    "with its uncertainty; compare statements, or interpreters, with a significance test that\n"
    "treats the values of one process as related.\n"
    "\n"
    "      --python PY           interpreter: a path, a name on PATH, or a pyenv version prefix\n"
    "                            such as 3.11 (repeat to compare; default python3)\n"
    "  -s, --setup CODE          run once per process before timing, untimed (repeat: lines)\n"
    "      --teardown CODE       run once per process after timing, untimed\n"
    "  -p, --processes N         worker processes per benchmark (default 10)\n"
    "  -n, --values N            timed values per process (default 5)\n"
    "  -w, --warmups N           values discarded first in each process (default 1)\n"
    "  -l, --loops N             loops per value (default 0: calibrate)\n"
    "      --min-value-time SEC  calibrate so that a value lasts SEC (default 0.1)\n"
    "  -t, --timeout SEC         kill a process after SEC seconds, a failure (default 60; 0:\n"
    "                            none)\n"
    "      --reference N         compare with the N-th benchmark (default: the fastest)\n"
    "      --alpha A             significance level of comparisons (default 0.01)\n"
    "      --seed N              seed of the shuffles and bootstraps (default: from the clock)\n"
    "      --profile             then sample each statement for 2 s and list the top functions\n"
    "      --export-json FILE    every value, the summaries and the machine ('-': stdout)\n"
    "      --export-csv FILE     one summary row per benchmark\n"
    "      --export-markdown FILE   a summary table\n"
    "      --baseline FILE.json  compare with an earlier --export-json; exit 4 on a\n"
    "                            significant slowdown larger than --max-regression\n"
    "      --max-regression PCT  tolerated slowdown against the baseline (default 5)\n"
    "      --show-driver         print the Python driver run in each process, and exit\n"
    "  -q, --quiet               no progress display\n"
    "\n"
    "Every (interpreter, statement) pair is a benchmark. A value during which the process lost\n"
    "its CPU for over 2% of the time is timed again. The garbage collector stays enabled, as\n"
    "in the program measured (add '-s \"import gc; gc.disable()\"' to time without it).\n"
    "Ctrl-C stops and reports what was measured (exit 130).\n";

enum {
    OPT_PYTHON = 256,
    OPT_TEARDOWN,
    OPT_MIN_VALUE_TIME,
    OPT_PROFILE,
    OPT_SHOW_DRIVER,
};

static const struct option longopts[] = {
    {"python", required_argument, NULL, OPT_PYTHON},
    {"setup", required_argument, NULL, 's'},
    {"teardown", required_argument, NULL, OPT_TEARDOWN},
    {"processes", required_argument, NULL, 'p'},
    {"values", required_argument, NULL, 'n'},
    {"warmups", required_argument, NULL, 'w'},
    {"loops", required_argument, NULL, 'l'},
    {"min-value-time", required_argument, NULL, OPT_MIN_VALUE_TIME},
    {"timeout", required_argument, NULL, 't'},
    {"profile", no_argument, NULL, OPT_PROFILE},
    {"show-driver", no_argument, NULL, OPT_SHOW_DRIVER},
    CLI_COMMON_LONGOPTS,
    {NULL, 0, NULL, 0},
};

/* ---- arguments ---- */

static void push(const char ***v, int *n, const char *s)
{
    *v = xrealloc(*v, (size_t)(*n + 1) * sizeof(char *));
    (*v)[(*n)++] = s;
}

/* An option of timeit's own (cli_opt_fn). */
static int parse_opt(void *ctx, int opt, const char *arg, int argc, char **argv)
{
    struct timeit_args *a = ctx;

    (void)argc;
    (void)argv;
    switch (opt) {
    case OPT_PYTHON:
        push(&a->pyargs, &a->npys, arg);
        return 0;
    case 's':
        sbuf_printf(&a->setup, "%s%s", a->setup.len ? "\n" : "", arg);
        return 0;
    case OPT_TEARDOWN:
        a->teardown = arg;
        return 0;
    case 'p':
        return cli_parse_int("timeit", "--processes", arg, 1, COUNT_MAX, &a->plan.processes);
    case 'n':
        return cli_parse_int("timeit", "--values", arg, 1, COUNT_MAX, &a->plan.values);
    case 'w':
        return cli_parse_int("timeit", "--warmups", arg, 0, COUNT_MAX, &a->plan.warmups);
    case 'l':
        return cli_parse_u64("timeit", "--loops", arg, &a->plan.loops);
    case OPT_MIN_VALUE_TIME:
        return cli_parse_num("timeit", "--min-value-time", arg, 1e-6, 3600,
                             &a->plan.min_value_time);
    case 't':
        return cli_parse_num("timeit", "--timeout", arg, 0, 1e7, &a->plan.timeout);
    case OPT_PROFILE:
        a->profile = 1;
        return 0;
    case OPT_SHOW_DRIVER:
        a->show_driver = 1;
        return 0;
    default:
        return 1;
    }
}

static void args_defaults(struct timeit_args *a)
{
    memset(a, 0, sizeof(*a));
    sbuf_init(&a->setup);
    a->plan.processes = TIMEIT_PROCESSES;
    a->plan.values = TIMEIT_VALUES;
    a->plan.warmups = TIMEIT_WARMUPS;
    a->plan.min_value_time = TIMEIT_MIN_VALUE_TIME;
    a->plan.timeout = TIMEIT_TIMEOUT;
}

/* Parse argv. Returns 0, 1 after --help or --show-driver, or -1 after an error message. */
static int parse_args(int argc, char **argv, struct timeit_args *a)
{
    int err;

    args_defaults(a);
    err = cli_common_parse(&a->c, "timeit", argc, argv, "+:s:p:n:w:l:t:qh", longopts, usage,
                           parse_opt, a);
    if (err != 0)
        return err;
    a->plan.seed = a->c.seed;
    if (a->show_driver) {
        fputs(timeit_run_driver, stdout);
        return 1;
    }
    for (int i = optind; i < argc; i++)
        push(&a->stmts, &a->nstmts, argv[i]);
    if (a->nstmts == 0) {
        fprintf(stderr, "spyglass: timeit: no statement given (try 'spyglass timeit --help')\n");
        return -1;
    }
    if (a->npys == 0)
        push(&a->pyargs, &a->npys, "python3");
    a->plan.stmts = a->stmts;
    a->plan.nstmts = a->nstmts;
    a->plan.setup = sbuf_str(&a->setup);
    a->plan.teardown = a->teardown ? a->teardown : "";
    if (a->c.reference > a->npys * a->nstmts) {
        fprintf(stderr, "spyglass: timeit: --reference %d: there are only %d benchmarks\n",
                a->c.reference, a->npys * a->nstmts);
        return -1;
    }
    return 0;
}

static void args_free(struct timeit_args *a)
{
    free(a->pyargs);
    free(a->stmts);
    sbuf_destroy(&a->setup);
}

/* ---- interpreters ---- */

static int is_version_prefix(const char *s)
{
    if (!*s || *s == '.')
        return 0;
    for (; *s; s++)
        if (!(*s >= '0' && *s <= '9') && !(*s == '.' && s[1] != '.' && s[1]))
            return 0;
    return 1;
}

/* Add the matches of pattern to the newest found so far (compared by version). */
static void newest_match(const char *pattern, char **best, size_t skip)
{
    glob_t g;

    if (glob(pattern, 0, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (access(g.gl_pathv[i], X_OK) == 0 &&
            (!*best || strverscmp(g.gl_pathv[i] + skip, *best + skip) > 0)) {
            free(*best);
            *best = xstrdup(g.gl_pathv[i]);
        }
    globfree(&g);
}

/* The interpreter for a --python argument: a path (with a '/') or a name is used as it is; a
 * version prefix V (3.11, 3.11.7) is the newest $PYENV_ROOT/versions/V[.*]/bin/python3 (pyenv's
 * root defaults to ~/.pyenv), else python V on PATH. Caller frees. */
static char *resolve_python(const char *arg)
{
    const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");
    struct sbuf dir, pat;
    char *best = NULL;

    if (strchr(arg, '/') || !is_version_prefix(arg))
        return xstrdup(arg);
    sbuf_init(&dir);
    sbuf_init(&pat);
    if (root && *root)
        sbuf_printf(&dir, "%s/versions/", root);
    else
        sbuf_printf(&dir, "%s/.pyenv/versions/", home ? home : "");
    sbuf_printf(&pat, "%s%s/bin/python3", sbuf_str(&dir), arg);
    newest_match(sbuf_str(&pat), &best, dir.len);
    sbuf_reset(&pat);
    sbuf_printf(&pat, "%s%s.*/bin/python3", sbuf_str(&dir), arg);
    newest_match(sbuf_str(&pat), &best, dir.len);
    if (!best) {
        sbuf_reset(&pat);
        sbuf_printf(&pat, "python%s", arg);
        best = xstrdup(sbuf_str(&pat));
    }
    sbuf_destroy(&dir);
    sbuf_destroy(&pat);
    return best;
}

/* ---- progress ---- */

struct progress {
    struct cli_progress p;
    const struct timeit_args *a;
};
static void on_progress(void *ctx, const struct timeit_bench *b, int worker, int done, int total)
{
    struct progress *pg = ctx;
    const char *stmt = pg->a->stmts[b->stmt], *py = pg->a->pyargs[b->python];
    double t;

    if (!cli_progress_due(&pg->p, &t))
        return;
    if (!pg->p.tty) {
        fprintf(stderr, "spyglass: timeit: %d of %d processes in %.0f s\n", done, total, t);
        return;
    }
    char *es = cli_msg_escape(stmt), *ep = cli_msg_escape(py); /* not the line's own escapes */
    if (worker < 0) {
        fprintf(stderr, "\r\033[K  calibrated '%.40s' on %s: %llu loops per value", es, ep,
                (unsigned long long)b->loops);
    } else {
        char bar[21];

        cli_progress_bar(bar, done, total);
        fprintf(stderr, "\r\033[K  [%s] process %d/%d  '%.40s' on %s  (%.0f s)", bar, done, total,
                es, ep, t);
    }
    free(es);
    free(ep);
    fflush(stderr);
}

/* ---- report ---- */

struct report {
    struct out_timeit o;
    const struct timeit_bench *benches;
    size_t n;
    char **names;
    struct stats_nested *sums;
    struct stats_nested_cmp *cmp;
    enum verdict *verdicts; /* per benchmark: on cmp[i] */
    int *has_cmp;
    struct stats_nested_cmp *base; /* per benchmark: against --baseline */
    enum verdict *base_verdicts;   /* per benchmark: on base[i] */
    int *has_base;
    int *ref; /* per benchmark: the one cmp[i] compares it with, -1 none (exports) */
    int regression;
    struct cli_warnings w;
    double other_cpu; /* share of the CPUs used by other processes while workers ran, -1 */
    struct out_timeit_export x; /* x.meta: the machine and the run */
};

/* A statement on one line: a line break and the next line's indentation become "; ", or a
 * space after a ':' ("for i in x: f(i)"); surrounding blanks are dropped. */
static void one_line(struct sbuf *b, const char *s)
{
    size_t len = strlen(s);

    while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    while (len && (*s == '\n' || *s == ' ')) {
        s++;
        len--;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\n') {
            sbuf_addc(b, s[i] == '\t' || s[i] == '\r' ? ' ' : s[i]);
            continue;
        }
        sbuf_adds(b, i > 0 && s[i - 1] == ':' ? " " : "; ");
        while (i + 1 < len && (s[i + 1] == ' ' || s[i + 1] == '\t' || s[i + 1] == '\n'))
            i++;
    }
}

/* How an interpreter is called: its version when every interpreter's differs, else the
 * --python argument. */
static const char *py_label(const struct report *r, const struct timeit_args *a, int py)
{
    const char *v = r->benches[(size_t)py * (size_t)a->nstmts].version;

    for (int k = 0; k < a->npys; k++)
        if (k != py && strcmp(r->benches[(size_t)k * (size_t)a->nstmts].version, v) == 0)
            return a->pyargs[py];
    return v[0] ? v : a->pyargs[py];
}

/* Labels: the statement, the interpreter, or both; a repeated label gets " (#N)". Each
 * interpreter's name becomes its label too. */
static void make_names(struct report *r, const struct timeit_args *a, struct timeit_python *pys)
{
    struct sbuf b;

    for (int i = 0; i < a->npys; i++)
        pys[i].name = py_label(r, a, i);
    sbuf_init(&b);
    r->names = xcalloc(r->n, sizeof(char *));
    for (size_t i = 0; i < r->n; i++) {
        const struct timeit_bench *tb = &r->benches[i];

        sbuf_reset(&b);
        if (a->npys > 1)
            sbuf_printf(&b, "%s%s", pys[tb->python].name, a->nstmts > 1 ? ": " : "");
        if (a->nstmts > 1 || a->npys == 1)
            one_line(&b, a->stmts[tb->stmt]);
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->names[k], sbuf_str(&b)) == 0) {
                sbuf_printf(&b, " (#%zu)", i + 1);
                break;
            }
        r->names[i] = xstrdup(sbuf_str(&b));
    }
    sbuf_destroy(&b);
}

/* The benchmark with the lowest median, or the --reference one; -1 with fewer than 2. */
static int pick_ref(const struct report *r, const struct timeit_args *a)
{
    int best = -1;

    if (r->n < 2)
        return -1;
    if (a->c.reference > 0)
        return r->sums[a->c.reference - 1].n ? a->c.reference - 1 : -1;
    for (size_t i = 0; i < r->n; i++)
        if (r->sums[i].n && (best < 0 || r->sums[i].median < r->sums[best].median))
            best = (int)i;
    return best;
}

/* The figures of c that verdict.h judges. */
static struct verdict_cmp figures(const struct stats_nested_cmp *c)
{
    return (struct verdict_cmp){.ratio = c->ratio, .lo = c->lo, .hi = c->hi, .p = c->p};
}

static void summarise(struct report *r, const struct timeit_args *a)
{
    r->sums = xcalloc(r->n, sizeof(*r->sums));
    r->cmp = xcalloc(r->n, sizeof(*r->cmp));
    r->verdicts = xcalloc(r->n, sizeof(*r->verdicts));
    r->has_cmp = xcalloc(r->n, sizeof(int));
    for (size_t i = 0; i < r->n; i++) {
        struct stats_clusters c = timeit_clusters(&r->benches[i]);

        if (c.nclusters == 0 || stats_nested_summary(&c, BOOT_REPS, a->plan.seed, &r->sums[i]) < 0)
            memset(&r->sums[i], 0, sizeof(r->sums[i]));
    }
    r->o.ref = pick_ref(r, a);
    for (size_t i = 0; r->o.ref >= 0 && i < r->n; i++) {
        struct stats_clusters c = timeit_clusters(&r->benches[i]);
        struct stats_clusters ref = timeit_clusters(&r->benches[r->o.ref]);

        struct verdict_cmp f;

        if ((int)i == r->o.ref || !r->sums[i].n ||
            stats_nested_compare(&c, &ref, BOOT_REPS, a->plan.seed + i, &r->cmp[i]) < 0)
            continue;
        r->has_cmp[i] = 1;
        f = figures(&r->cmp[i]);
        r->verdicts[i] = verdict_compare(&f, a->c.alpha);
    }
}

/* Mean share of the CPU used by other processes over every worker of every benchmark. */
static double other_cpu(const struct report *r)
{
    double sum = 0;
    size_t n = 0;

    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < r->benches[i].nworkers; k++)
            if (r->benches[i].other_cpu[k] >= 0) {
                sum += r->benches[i].other_cpu[k];
                n++;
            }
    return n ? sum / (double)n : -1;
}

static void warn_bench(struct report *r, size_t i)
{
    const struct stats_nested *s = &r->sums[i];
    const struct timeit_bench *b = &r->benches[i];
    const char *name = r->names[i];
    double value = s->median * (double)b->loops;

    if (s->n == 0)
        return;
    if (s->mean > 0 && s->sd / s->mean > CV_WARN)
        cli_warn(&r->w,
                 "'%s': unstable: the values vary a lot (CV %.0f%%): the machine may be busy", name,
                 100 * s->sd / s->mean);
    if (s->nclusters >= 2 && s->icc > ICC_WARN)
        cli_warn(&r->w,
                 "'%s': %.0f%% of the variance lies between processes: more processes (-p) narrow "
                 "the interval, more values per process (-n) do not",
                 name, 100 * s->icc);
    if (b->retaken * 10 >= b->nvalues && b->retaken)
        cli_warn(&r->w,
                 "'%s': %zu values were timed again: the process lost the CPU during them (other "
                 "processes compete for the CPUs)",
                 name, b->retaken);
    if (b->clock_res > 0 && value < 1000 * b->clock_res)
        cli_warn(&r->w, "'%s': a value lasts only %.3g s, under 1000 clock ticks: raise --loops",
                 name, value);
}

/* The smallest two-sided p that the exact Mann-Whitney test can give with m against n values
 * (m + n choose m equally likely orders, two of them extreme). */
static double min_p(size_t m, size_t n)
{
    double c = 1;

    for (size_t k = 1; k <= m; k++)
        c = c * (double)(n + k) / (double)k;
    return fmin(1, 2 / c);
}

/* Processes (up to 1000) that a comparison needs on one side to reach p < alpha: against
 * `other` processes, or against as many as itself when other is 0. 0 when out of reach. */
static size_t processes_needed(size_t other, double alpha)
{
    for (size_t k = 1; k <= 1000; k++)
        if (min_p(k, other ? other : k) < alpha)
            return k;
    return 0;
}

/* Comparisons between benchmarks whose processes are too few for a significant result. */
static void warn_power(struct report *r, const struct timeit_args *a)
{
    for (size_t i = 0; r->o.ref >= 0 && i < r->n; i++) {
        size_t m = r->sums[i].nclusters, n = r->sums[r->o.ref].nclusters;

        if (!r->has_cmp[i] || min_p(m, n) < a->c.alpha)
            continue;
        cli_warn(&r->w,
                 "'%s' against '%s': with %zu and %zu processes the test on their medians cannot "
                 "reach p < %g, so no difference can be significant (use -p %zu or more)",
                 r->names[i], r->names[r->o.ref], m, n, a->c.alpha,
                 processes_needed(0, a->c.alpha));
        return;
    }
}

static void warnings(struct report *r, const struct timeit_args *a)
{
    double oc = r->other_cpu;

    for (size_t i = 0; i < r->n; i++)
        warn_bench(r, i);
    warn_power(r, a);
    if (r->x.meta.other_cpu_before > OTHER_CPU_WARN)
        cli_warn(&r->w,
                 "other processes used %.0f%% of the CPUs just before the run: results may be "
                 "noisy",
                 100 * r->x.meta.other_cpu_before);
    if (oc > OTHER_CPU_WARN)
        cli_warn(&r->w,
                 "other processes used %.0f%% of the CPUs during the run: results may be noisy",
                 100 * oc);
    if (a->plan.processes < 2)
        cli_warn(&r->w,
                 "one process per benchmark: the variation between processes is not measured, "
                 "so the intervals are too narrow (use -p 2 or more)");
}

static void build_report(struct report *r, const struct timeit_args *a, struct timeit_python *pys,
                         const struct timeit *t, int interrupted)
{
    r->benches = timeit_benches(t, &r->n);
    make_names(r, a, pys);
    summarise(r, a);
    r->other_cpu = other_cpu(r);
    r->o.interrupted = interrupted;
    r->o.benches = r->benches;
    r->o.nbenches = r->n;
    r->o.pys = pys;
    r->o.npys = a->npys;
    r->o.stmts = a->stmts;
    r->o.nstmts = a->nstmts;
    r->o.setup = a->plan.setup;
    r->o.teardown = a->plan.teardown;
    r->o.names = (const char *const *)r->names;
    r->o.sums = r->sums;
    r->o.cmp = r->cmp;
    r->o.verdicts = r->verdicts;
    r->o.has_cmp = r->has_cmp;
    r->o.warnings = r->w.lines;
}

/* Compare every benchmark with its namesake (statement and interpreter name) in the baseline
 * into r->base; a benchmark not in it is left out. Warns once when a comparison cannot be
 * significant. */
static void compare_base(struct report *r, const struct timeit_args *a,
                         const struct timeit_base *base)
{
    int weak = 0;

    r->base = xcalloc(r->n, sizeof(*r->base));
    r->base_verdicts = xcalloc(r->n, sizeof(*r->base_verdicts));
    r->has_base = xcalloc(r->n, sizeof(int));
    r->o.base = r->base;
    r->o.base_verdicts = r->base_verdicts;
    r->o.has_base = r->has_base;
    for (size_t i = 0; i < r->n; i++) {
        const struct timeit_bench *b = &r->benches[i];
        struct stats_clusters cur = timeit_clusters(b), old;
        struct verdict_cmp f;

        if (!r->sums[i].n ||
            timeit_base_find(base, a->stmts[b->stmt], r->o.pys[b->python].name, &old) < 0)
            continue;
        if (stats_nested_compare(&cur, &old, BOOT_REPS, a->plan.seed + r->n + i, &r->base[i]) < 0) {
            cli_warn(&r->w, "'%s': cannot be compared with the baseline (its median is 0)",
                     r->names[i]);
            continue;
        }
        r->has_base[i] = 1;
        f = figures(&r->base[i]);
        r->base_verdicts[i] = verdict_baseline(&f, a->c.alpha, a->c.max_regression);
        r->regression |= r->base_verdicts[i] == VERDICT_REGRESSION;
        if (!weak && min_p(cur.nclusters, old.nclusters) >= a->c.alpha) {
            size_t k = processes_needed(old.nclusters, a->c.alpha);

            weak = 1;
            if (k)
                cli_warn(
                    &r->w,
                    "'%s': %zu processes against the baseline's %zu cannot reach p < %g, so no "
                    "change can be significant (use -p %zu or more)",
                    r->names[i], cur.nclusters, old.nclusters, a->c.alpha, k);
            else
                cli_warn(&r->w,
                         "'%s': the baseline's %zu processes are too few for any change to be "
                         "significant at p < %g",
                         r->names[i], old.nclusters, a->c.alpha);
        }
    }
}

/* Everything the exports show, after the report and its warnings are complete. */
static void fill_export(struct report *r, const struct timeit_args *a, const struct timeit *t)
{
    struct out_timeit_export *x = &r->x;

    r->ref = xcalloc(r->n, sizeof(int));
    for (size_t i = 0; i < r->n; i++)
        r->ref[i] = r->has_cmp[i] ? r->o.ref : -1;
    x->plan = &a->plan;
    x->pythons = r->o.pys;
    x->npythons = r->o.npys;
    x->benches = r->benches;
    x->nbenches = r->n;
    x->sums = r->sums;
    x->ref = r->ref;
    x->cmps = r->cmp;
    x->verdicts = r->verdicts;
    x->base = r->o.base;
    x->base_verdicts = r->o.base_verdicts;
    x->has_base = r->o.has_base;
    x->max_regression = a->c.max_regression;
    x->alpha = a->c.alpha;
    x->warnings = r->o.warnings;
    x->nwarnings = r->o.nwarnings;
    x->interrupted = r->o.interrupted;
    meta_end(&x->meta, r->other_cpu, timeit_elapsed(t));
}

static void report_free(struct report *r)
{
    for (size_t i = 0; r->names && i < r->n; i++)
        free(r->names[i]);
    free(r->names);
    free(r->sums);
    free(r->cmp);
    free(r->verdicts);
    free(r->has_cmp);
    free(r->base);
    free(r->base_verdicts);
    free(r->has_base);
    free(r->ref);
}

/* ---- outputs ---- */

/* The report (r->o) or an export (r->x) of the report ctx (cli_export_fn). */
static int write_out(FILE *f, int kind, const void *ctx)
{
    const struct report *r = ctx;

    switch (kind) {
    case CLI_EXPORT_JSON:
        return out_timeit_json(f, &r->x);
    case CLI_EXPORT_CSV:
        return out_timeit_csv(f, &r->x);
    case CLI_EXPORT_MARKDOWN:
        return out_timeit_markdown(f, &r->x);
    default:
        return out_timeit_text(f, &r->o);
    }
}

/* Read --baseline into *base before running. Returns 0 or -1 (printed). */
static int load_base(const struct timeit_args *a, struct timeit_base **base)
{
    char why[200] = "";
    int err;

    if (!a->c.baseline)
        return 0;
    err = timeit_base_load(a->c.baseline, base, why, sizeof(why));
    if (err < 0) {
        cli_common_base_error(&a->c, err, why);
        return -1;
    }
    return 0;
}

/* ---- running ---- */

/* Explain why timeit_go() or timeit_profile() failed. */
static void say_failure(struct timeit *t, const struct timeit_args *a, int err)
{
    const char *msg;
    int i = timeit_failure(t, &msg), py, st;
    struct sbuf s;

    if (i < 0) {
        fprintf(stderr, "spyglass: timeit: %s\n", strerror(-err));
        return;
    }
    py = i / a->nstmts;
    st = i % a->nstmts;
    if (err == -ENOENT || err == -EACCES) {
        cli_msg(stderr, "spyglass: timeit: cannot start Python '%s': %s\n", a->pyargs[py],
                err == -ENOENT ? "not found" : strerror(-err));
        return;
    }
    sbuf_init(&s);
    one_line(&s, a->stmts[st]);
    cli_msg(stderr, "spyglass: timeit: '%.60s'%s on Python '%s' %s: %s\n", sbuf_str(&s),
            s.len > 60 ? "…" : "", a->pyargs[py], err == -ETIMEDOUT ? "was stopped" : "failed",
            msg);
    sbuf_destroy(&s);
}

/* --profile: sample every benchmark with values, print its top functions. Returns an exit
 * code. */
static int profile(struct timeit *t, const struct report *r, const struct timeit_args *a)
{
    struct sampler_opts so = {.rate = PROFILE_RATE, .duration = 4 * PROFILE_SECS};

    for (size_t i = 0; i < r->n && !*a->plan.stop; i++) {
        struct sampler_stats st;
        struct agg *g;
        char detail[256] = "";
        int err;

        if (!r->sums[i].n)
            continue;
        g = agg_new();
        memset(&st, 0, sizeof(st));
        err = timeit_profile(t, i, r->sums[i].median, PROFILE_SECS, &so, g, &st, detail,
                             sizeof(detail));
        if (err == 0) {
            cli_msg(stdout, "Profile of '%s' (Python %s): %llu samples in %.2f s", r->names[i],
                    r->benches[i].version, (unsigned long long)st.ticks, st.elapsed);
            if (st.missed)
                printf(", %llu ticks missed (skipped: spyglass did not get the CPU)",
                       (unsigned long long)st.missed);
            putchar('\n');
            out_summary_write(stdout, g, PROFILE_TOP);
            putchar('\n');
        } else if (err != -EINTR) {
            const char *msg;

            if (timeit_failure(t, &msg) >= 0)
                say_failure(t, a, err);
            else
                cli_msg(stderr, "spyglass: timeit: cannot profile '%s': %s\n", r->names[i],
                        detail[0] ? detail : strerror(-err));
        }
        agg_free(g);
        if (err < 0 && err != -EINTR)
            return EXIT_ERROR;
    }
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

/* Summaries, baseline, warnings, report, exports, profile. Returns the exit code. */
static int finish(struct report *r, const struct timeit_args *a, struct timeit_python *pys,
                  struct timeit *t, const struct timeit_base *base, int interrupted)
{
    int rc = EXIT_OK, any = 0;

    build_report(r, a, pys, t, interrupted);
    warnings(r, a);
    if (base)
        compare_base(r, a, base);
    r->o.nwarnings = r->w.n;
    fill_export(r, a, t);
    for (size_t i = 0; i < r->n; i++)
        any |= r->sums[i].n > 0;
    if (!any) {
        fprintf(stderr, "spyglass: timeit: no value was measured\n");
        return interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
    }
    if (cli_export_run(a->c.exports, write_out, r) < 0)
        rc = EXIT_ERROR;
    if (interrupted)
        return EXIT_INTERRUPTED;
    if (a->profile && rc == EXIT_OK)
        rc = profile(t, r, a);
    if (*a->plan.stop)
        return EXIT_INTERRUPTED;
    return cli_common_exit(&a->c, rc, r->regression);
}

static struct timeit_python *make_pythons(const struct timeit_args *a)
{
    struct timeit_python *pys = xcalloc((size_t)a->npys, sizeof(*pys));

    for (int i = 0; i < a->npys; i++) {
        pys[i].path = resolve_python(a->pyargs[i]);
        pys[i].name = a->pyargs[i];
    }
    return pys;
}

static void pythons_free(struct timeit_python *pys, int n)
{
    for (int i = 0; pys && i < n; i++)
        free((char *)pys[i].path);
    free(pys);
}

int cli_timeit(int argc, char **argv)
{
    struct timeit_args a;
    struct timeit_python *pys = NULL;
    struct timeit *t = NULL;
    struct timeit_base *base = NULL;
    struct report r;
    struct progress pg;
    int rc = EXIT_USAGE, err;

    memset(&r, 0, sizeof(r));
    err = parse_args(argc, argv, &a);
    if (err != 0) {
        rc = err > 0 ? EXIT_OK : EXIT_USAGE;
        goto out;
    }
    rc = EXIT_ERROR;
    if (cli_export_check(a.c.exports, CLI_EXPORTS) < 0 || load_base(&a, &base) < 0)
        goto out;
    pys = make_pythons(&a);
    a.plan.stop = cli_signals_install(1);
    if ((err = timeit_new(pys, a.npys, &a.plan, &t)) < 0) {
        fprintf(stderr, "spyglass: timeit: %s\n", strerror(-err));
        goto out;
    }
    meta_begin(&r.x.meta, SPYGLASS_VERSION);
    pg.a = &a;
    cli_progress_start(&pg.p, a.c.quiet);
    err = timeit_go(t, on_progress, &pg);
    cli_progress_end(&pg.p);
    if (err < 0 && err != -EINTR) {
        say_failure(t, &a, err);
        goto out;
    }
    rc = finish(&r, &a, pys, t, base, err == -EINTR);
out:
    report_free(&r);
    timeit_base_free(base);
    timeit_free(t);
    pythons_free(pys, a.npys);
    args_free(&a);
    return rc;
}
