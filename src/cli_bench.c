/* spyglass bench: options, parameter sweeps, shell handling, progress, noise warnings,
 * report and exports, baseline regression gate.
 * SPDX-License-Identifier: MIT */
#include "cli_bench.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bench_base.h"
#include "bench_sum.h"
#include "cli.h"
#include "cli_common.h"
#include "cli_export.h"
#include "cli_msg.h"
#include "cli_signals.h"
#include "meta.h"
#include "out_bench.h"
#include "proc_sys.h"
#include "stats_dist.h"
#include "util_argv.h"
#include "util_proc.h"
#include "util_sbuf.h"
#include "util_xalloc.h"
#include "verdict.h"

#define MAX_PARAMS 8
#define COUNT_MAX  100000000 /* the largest count an option takes */

struct param {
    const char *name;
    char **values;
    int nvalues;
};

struct bench_args {
    struct bench_plan plan;
    struct bench_run_opts run;
    const char **cmds; /* command templates */
    int ncmds;
    const char **names; /* --command-name, in order */
    int nnames;
    const char **prepares;
    int nprepares;
    const char *setup, *cleanup;
    struct param params[MAX_PARAMS];
    int nparams;
    const char *scan_var;
    double scan_min, scan_max, scan_step;
    int scan_set, step_set;
    const char *shell; /* NULL: no shell */
    struct cli_common c;
};

/* Everything built from the arguments: one entry per expanded command. */
struct plan_cmds {
    struct bench_cmd *cmds;
    int n;
    char **names;              /* owned */
    char ***argvs;             /* owned */
    char ***prepares;          /* owned, entries may be NULL */
    char **setups, **cleanups; /* expanded, owned, may be NULL */
    const char **pvalues;      /* n * nparams, borrowed from the params */
    int shell_cmd;
};

static const char usage[] =
    "usage: spyglass bench [options] CMD [CMD...]\n"
    "Time commands many times, interleaved, and report time, CPU, peak memory, disk I/O and\n"
    "their uncertainty; compare commands with a significance test.\n"
    "\n"
    "  -w, --warmup N            untimed runs of each command first (default 0)\n"
    "  -r, --runs N              exactly N timed runs of each command\n"
    "  -m, --min-runs N          automatic count: at least N runs (default 10) ...\n"
    "      --min-time SEC        ... and SEC seconds of runs (default 3), then more while the\n"
    "      --target-ci PCT       95% CI of the median is wider than ±PCT% (default 1) ...\n"
    "  -M, --max-runs N          ... up to N runs (default 100000) ...\n"
    "      --max-time SEC        ... or SEC seconds per command (default 30)\n"
    "  -p, --prepare CMD         run CMD (through sh) before every run; once, or once per\n"
    "                            command\n"
    "  -s, --setup CMD           run CMD (through sh) once before all runs\n"
    "  -c, --cleanup CMD         run CMD (through sh) once after all runs\n"
    "  -P, --parameter-scan VAR MIN MAX\n"
    "                            one command per value of VAR from MIN to MAX ({VAR} in CMD)\n"
    "  -D, --parameter-step-size DELTA   step of --parameter-scan (default 1)\n"
    "  -L, --parameter-list VAR V1,V2,...   one command per value (repeat for a product)\n"
    "  -S, --shell[=SHELL]       run commands through SHELL -c (default sh); the shell's own\n"
    "                            start-up is measured in the same rounds and reported\n"
    "  -n, --command-name NAME   name the commands in order\n"
    "  -i, --ignore-failure      keep going when a command exits non-zero\n"
    "  -t, --timeout SEC         kill a run after SEC seconds (a failure)\n"
    "      --show-output         let the commands print (default: to /dev/null)\n"
    "      --reference N         compare with the N-th command (default: the fastest)\n"
    "      --alpha A             significance level of comparisons (default 0.01)\n"
    "      --seed N              seed of the shuffles and bootstraps (default: from the clock)\n"
    "      --export-json FILE    every run, the summaries and the machine ('-': stdout)\n"
    "      --export-csv FILE     one summary row per command\n"
    "      --export-markdown FILE   a summary table\n"
    "      --baseline FILE.json  compare with an earlier --export-json; exit 4 on a\n"
    "                            significant slowdown larger than --max-regression\n"
    "      --max-regression PCT  tolerated slowdown against the baseline (default 5)\n"
    "  -q, --quiet               no progress display\n"
    "\n"
    "Commands run without a shell unless --shell: CMD is split into words like a shell does.\n"
    "Ctrl-C stops and reports what was measured (exit 130).\n";

enum {
    OPT_MIN_TIME = 256,
    OPT_MAX_TIME,
    OPT_TARGET_CI,
    OPT_SHOW_OUTPUT,
};

static const struct option longopts[] = {
    {"warmup", required_argument, NULL, 'w'},
    {"runs", required_argument, NULL, 'r'},
    {"min-runs", required_argument, NULL, 'm'},
    {"max-runs", required_argument, NULL, 'M'},
    {"min-time", required_argument, NULL, OPT_MIN_TIME},
    {"max-time", required_argument, NULL, OPT_MAX_TIME},
    {"target-ci", required_argument, NULL, OPT_TARGET_CI},
    {"prepare", required_argument, NULL, 'p'},
    {"setup", required_argument, NULL, 's'},
    {"cleanup", required_argument, NULL, 'c'},
    {"parameter-scan", required_argument, NULL, 'P'},
    {"parameter-step-size", required_argument, NULL, 'D'},
    {"parameter-list", required_argument, NULL, 'L'},
    {"shell", optional_argument, NULL, 'S'},
    {"command-name", required_argument, NULL, 'n'},
    {"ignore-failure", no_argument, NULL, 'i'},
    {"timeout", required_argument, NULL, 't'},
    {"show-output", no_argument, NULL, OPT_SHOW_OUTPUT},
    CLI_COMMON_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static int add_list(struct bench_args *a, const char *var, const char *list)
{
    struct param *p;
    const char *s = list;

    if (a->nparams == MAX_PARAMS) {
        fprintf(stderr, "spyglass: bench: at most %d parameters\n", MAX_PARAMS);
        return -1;
    }
    p = &a->params[a->nparams++];
    p->name = var;
    p->values = NULL;
    p->nvalues = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);

        p->values = xrealloc(p->values, (size_t)(p->nvalues + 1) * sizeof(char *));
        p->values[p->nvalues] = xmalloc(len + 1);
        memcpy(p->values[p->nvalues], s, len);
        p->values[p->nvalues++][len] = '\0';
        if (!comma)
            break;
        s = comma + 1;
    }
    return 0;
}

/* The values of --parameter-scan as one more list parameter. */
static int add_scan(struct bench_args *a)
{
    struct sbuf b;
    double step = a->step_set ? a->scan_step : 1;
    int err, n = 0;

    if (step <= 0 || a->scan_max < a->scan_min || (a->scan_max - a->scan_min) / step > 100000) {
        fprintf(stderr, "spyglass: bench: --parameter-scan needs MIN <= MAX and a positive step "
                        "giving at most 100000 values\n");
        return -1;
    }
    sbuf_init(&b);
    for (double v = a->scan_min; v <= a->scan_max + step * 1e-9; v = a->scan_min + ++n * step)
        sbuf_printf(&b, "%s%.10g", n ? "," : "", v);
    err = add_list(a, a->scan_var, sbuf_str(&b));
    sbuf_destroy(&b);
    return err;
}

static void args_free(struct bench_args *a)
{
    for (int i = 0; i < a->nparams; i++) {
        for (int k = 0; k < a->params[i].nvalues; k++)
            free(a->params[i].values[k]);
        free(a->params[i].values);
    }
    free(a->cmds);
    free(a->names);
    free(a->prepares);
}

static void push(const char ***v, int *n, const char *s)
{
    *v = xrealloc(*v, (size_t)(*n + 1) * sizeof(char *));
    (*v)[(*n)++] = s;
}

/* An option of bench's own (cli_opt_fn). */
static int parse_opt(void *ctx, int opt, const char *arg, int argc, char **argv)
{
    struct bench_args *a = ctx;

    switch (opt) {
    case 'w':
        return cli_parse_int("bench", "--warmup", arg, 0, COUNT_MAX, &a->plan.warmup);
    case 'r':
        return cli_parse_int("bench", "--runs", arg, 1, COUNT_MAX, &a->plan.runs);
    case 'm':
        return cli_parse_int("bench", "--min-runs", arg, 1, COUNT_MAX, &a->plan.min_runs);
    case 'M':
        return cli_parse_int("bench", "--max-runs", arg, 1, COUNT_MAX, &a->plan.max_runs);
    case OPT_MIN_TIME:
        return cli_parse_num("bench", "--min-time", arg, 0, HUGE_VAL, &a->plan.min_time);
    case OPT_MAX_TIME:
        return cli_parse_num("bench", "--max-time", arg, 0.001, HUGE_VAL, &a->plan.max_time);
    case OPT_TARGET_CI:
        if (cli_parse_num("bench", "--target-ci", arg, 0.001, HUGE_VAL, &a->plan.target_ci) < 0)
            return -1;
        a->plan.target_ci /= 100;
        return 0;
    case 'p':
        push(&a->prepares, &a->nprepares, arg);
        return 0;
    case 's':
        a->setup = arg;
        return 0;
    case 'c':
        a->cleanup = arg;
        return 0;
    case 'P':
        if (optind + 1 >= argc) {
            fprintf(stderr, "spyglass: bench: --parameter-scan needs VAR MIN MAX\n");
            return -1;
        }
        a->scan_var = arg;
        if (cli_parse_num("bench", "--parameter-scan MIN", argv[optind], -1e300, HUGE_VAL,
                          &a->scan_min) < 0 ||
            cli_parse_num("bench", "--parameter-scan MAX", argv[optind + 1], -1e300, HUGE_VAL,
                          &a->scan_max) < 0)
            return -1;
        optind += 2;
        a->scan_set = 1;
        return 0;
    case 'D':
        a->step_set = 1;
        return cli_parse_num("bench", "--parameter-step-size", arg, 1e-12, HUGE_VAL, &a->scan_step);
    case 'L':
        if (optind >= argc) {
            fprintf(stderr, "spyglass: bench: --parameter-list needs VAR VALUES\n");
            return -1;
        }
        return add_list(a, arg, argv[optind++]);
    case 'S':
        a->shell = arg ? arg : "sh";
        return 0;
    case 'n':
        push(&a->names, &a->nnames, arg);
        return 0;
    case 'i':
        a->plan.ignore_failure = 1;
        return 0;
    case 't':
        return cli_parse_num("bench", "--timeout", arg, 0.001, HUGE_VAL, &a->run.timeout);
    case OPT_SHOW_OUTPUT:
        a->run.output = BENCH_OUT_INHERIT;
        return 0;
    default:
        return 1;
    }
}

/* Parse argv. Returns 0, 1 after --help, or -1 after an error message. */
static int parse_args(int argc, char **argv, struct bench_args *a)
{
    int err;

    memset(a, 0, sizeof(*a));
    a->plan.min_time = 3;
    err = cli_common_parse(&a->c, "bench", argc, argv, "+:w:r:m:M:p:s:c:P:D:L:S::n:it:qh", longopts,
                           usage, parse_opt, a);
    if (err != 0)
        return err;
    a->plan.seed = a->c.seed;
    for (int i = optind; i < argc; i++)
        push(&a->cmds, &a->ncmds, argv[i]);
    if (a->ncmds == 0) {
        fprintf(stderr, "spyglass: bench: no command given (try 'spyglass bench --help')\n");
        return -1;
    }
    if (a->nprepares > 1 && a->nprepares != a->ncmds) {
        fprintf(stderr, "spyglass: bench: give --prepare once, or once per command (%d)\n",
                a->ncmds);
        return -1;
    }
    if (a->scan_set && add_scan(a) < 0)
        return -1;
    return 0;
}

/* ---- expanding commands ---- */

/* template with every {NAME} of the parameters replaced by the combination's value. */
static char *substitute(const char *t, const struct bench_args *a, const int *pick)
{
    struct sbuf b;
    char *r;

    sbuf_init(&b);
    while (*t) {
        int hit = 0;

        if (*t == '{') {
            for (int i = 0; i < a->nparams && !hit; i++) {
                size_t len = strlen(a->params[i].name);

                if (strncmp(t + 1, a->params[i].name, len) == 0 && t[1 + len] == '}') {
                    sbuf_adds(&b, a->params[i].values[pick[i]]);
                    t += len + 2;
                    hit = 1;
                }
            }
        }
        if (!hit)
            sbuf_addc(&b, *t++);
    }
    r = xstrdup(sbuf_str(&b) ? sbuf_str(&b) : "");
    sbuf_destroy(&b);
    return r;
}

static char **argv3(const char *a0, const char *a1, const char *a2)
{
    char **v = xcalloc(4, sizeof(char *));

    v[0] = xstrdup(a0);
    v[1] = xstrdup(a1);
    v[2] = xstrdup(a2);
    return v;
}

static void argv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

/* Split cmd into an argv of our own, or say why it needs a shell. */
static char **split(const char *cmd)
{
    char **words = NULL, **v;
    int bad = 0, n = util_argv_split(cmd, &words, &bad);

    if (n == -ENOTSUP) {
        cli_msg(stderr,
                "spyglass: bench: '%s' uses shell syntax ('%c' at offset %d): add --shell\n", cmd,
                cmd[bad], bad);
        return NULL;
    }
    if (n < 0) {
        cli_msg(stderr, "spyglass: bench: '%s': unterminated quote or trailing backslash\n", cmd);
        return NULL;
    }
    if (n == 0) {
        util_argv_free(words);
        fprintf(stderr, "spyglass: bench: empty command\n");
        return NULL;
    }
    v = xcalloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++)
        v[i] = xstrdup(words[i]);
    util_argv_free(words);
    return v;
}

static void plan_free(struct plan_cmds *pc)
{
    for (int i = 0; i < pc->n; i++) {
        free(pc->names[i]);
        argv_free(pc->argvs[i]);
        argv_free(pc->prepares[i]);
        free(pc->setups[i]);
        free(pc->cleanups[i]);
    }
    free(pc->cmds);
    free(pc->names);
    free(pc->argvs);
    free(pc->prepares);
    free(pc->setups);
    free(pc->cleanups);
    free(pc->pvalues);
}

static int combos(const struct bench_args *a)
{
    long n = 1;

    for (int i = 0; i < a->nparams; i++) {
        n *= a->params[i].nvalues;
        if (n > 10000)
            return -1;
    }
    return (int)n;
}

/* Fill entry k of pc from template ti and parameter combination pick. Returns 0 or -1. */
static int expand_one(const struct bench_args *a, struct plan_cmds *pc, int k, int ti,
                      const int *pick)
{
    char *cmd = substitute(a->cmds[ti], a, pick);
    const char *prep = a->nprepares == 1 ? a->prepares[0] : a->nprepares ? a->prepares[ti] : NULL;

    pc->names[k] = ti < a->nnames ? substitute(a->names[ti], a, pick) : xstrdup(cmd);
    pc->argvs[k] = a->shell ? argv3(a->shell, "-c", cmd) : split(cmd);
    free(cmd);
    if (!pc->argvs[k])
        return -1;
    if (prep) {
        char *s = substitute(prep, a, pick);

        pc->prepares[k] = argv3("sh", "-c", s);
        free(s);
    }
    pc->setups[k] = a->setup ? substitute(a->setup, a, pick) : NULL;
    pc->cleanups[k] = a->cleanup ? substitute(a->cleanup, a, pick) : NULL;
    for (int i = 0; i < a->nparams; i++)
        pc->pvalues[(size_t)k * (size_t)a->nparams + (size_t)i] = a->params[i].values[pick[i]];
    pc->cmds[k].name = pc->names[k];
    pc->cmds[k].argv = pc->argvs[k];
    pc->cmds[k].prepare = pc->prepares[k];
    return 0;
}

static int expand(const struct bench_args *a, struct plan_cmds *pc)
{
    int nc = combos(a), total, k = 0;
    int pick[MAX_PARAMS] = {0};

    memset(pc, 0, sizeof(*pc));
    pc->shell_cmd = -1;
    if (nc < 0 || (long)nc * a->ncmds > 10000) {
        fprintf(stderr, "spyglass: bench: more than 10000 commands after parameter expansion\n");
        return -1;
    }
    total = nc * a->ncmds + (a->shell ? 1 : 0);
    pc->cmds = xcalloc((size_t)total, sizeof(*pc->cmds));
    pc->names = xcalloc((size_t)total, sizeof(char *));
    pc->argvs = xcalloc((size_t)total, sizeof(char **));
    pc->prepares = xcalloc((size_t)total, sizeof(char **));
    pc->setups = xcalloc((size_t)total, sizeof(char *));
    pc->cleanups = xcalloc((size_t)total, sizeof(char *));
    pc->pvalues = xcalloc((size_t)total * (size_t)(a->nparams ? a->nparams : 1), sizeof(char *));
    for (int ti = 0; ti < a->ncmds; ti++) {
        for (int c = 0; c < nc; c++) {
            int rest = c;

            for (int i = a->nparams - 1; i >= 0; i--) {
                pick[i] = rest % a->params[i].nvalues;
                rest /= a->params[i].nvalues;
            }
            pc->n = k + 1;
            if (expand_one(a, pc, k++, ti, pick) < 0)
                return -1;
        }
    }
    if (a->shell) {
        pc->n = k + 1;
        pc->names[k] = xstrdup("(shell start-up)");
        pc->argvs[k] = argv3(a->shell, "-c", "");
        for (int i = 0; i < a->nparams; i++)
            pc->pvalues[(size_t)k * (size_t)a->nparams + (size_t)i] = "";
        pc->cmds[k].name = pc->names[k];
        pc->cmds[k].argv = pc->argvs[k];
        pc->cmds[k].hidden = 1;
        pc->shell_cmd = k;
    }
    return 0;
}

/* ---- running ---- */

/* How a run ended, in util_proc's words ("exited with code N", "killed by signal N (NAME)"). */
static const char *how_ended(const struct bench_result *res, char *buf, size_t size)
{
    struct util_proc_exit ex;

    util_proc_exit_of(res->status, NULL, &ex);
    return util_proc_describe(&ex, buf, size);
}

/* Run each distinct hook (setup or cleanup) once through sh. Returns 0 or -1 (printed). */
static int run_hooks(char **hooks, int n, const struct bench_run_opts *ro, const char *what)
{
    struct bench_runner *r = NULL;
    int err = 0;

    for (int i = 0; i < n && err == 0; i++) {
        struct bench_result res;
        char how[64];
        int dup = 0;
        char **v;

        if (!hooks[i])
            continue;
        for (int k = 0; k < i && !dup; k++)
            dup = hooks[k] && strcmp(hooks[k], hooks[i]) == 0;
        if (dup)
            continue;
        if (!r && bench_runner_new(ro, &r) < 0)
            return -1;
        v = argv3("sh", "-c", hooks[i]);
        err = bench_run(r, v, &res);
        argv_free(v);
        if (err == 0 && res.exit_code != 0) {
            cli_msg(stderr, "spyglass: bench: %s command '%s' failed: %s\n", what, hooks[i],
                    how_ended(&res, how, sizeof(how)));
            err = -1;
        } else if (err < 0 && err != -EINTR) {
            cli_msg(stderr, "spyglass: bench: cannot run %s command '%s': %s\n", what, hooks[i],
                    strerror(-err));
        }
    }
    bench_runner_free(r);
    return err < 0 ? -1 : 0;
}

struct progress {
    struct cli_progress p;
    const struct plan_cmds *pc;
    const struct bench *b;
    size_t runs;
};
static void on_progress(void *ctx, int cmd, int warmup_left, const struct bench_sample *s,
                        int runs_done, int runs_expected)
{
    struct progress *pg = ctx;
    double t;
    char a[32];

    if (s)
        pg->runs++;
    if (!cli_progress_due(&pg->p, &t))
        return;
    if (!pg->p.tty) {
        fprintf(stderr, "spyglass: bench: %zu runs in %.0f s\n", pg->runs, t);
        return;
    }
    char *name = cli_msg_escape(pg->pc->names[cmd]); /* the line's own escapes are not */
    if (!s) {
        fprintf(stderr, "\r\033[K  warming up '%.40s' (%d left)", name, warmup_left);
    } else {
        char bar[21];
        size_t len;
        double *v = bench_sum_times(bench_samples(pg->b, &len), len, cmd, &len);

        cli_progress_bar(bar, runs_done, runs_expected);
        out_bench_fmt(a, sizeof(a), v ? stats_dist_quantile(v, len, 0.5) : s->r.wall,
                      BENCH_U_SECONDS);
        free(v);
        fprintf(stderr, "\r\033[K  [%s] %.40s  run %d/%d  median so far %s  (%.0f s)", bar, name,
                runs_done, runs_expected, a, t);
    }
    free(name);
    fflush(stderr);
}

/* ---- report ---- */

struct report {
    struct out_bench o;
    struct bench_cmd_sum *sums;
    struct bench_cmp *cmps, *base;
    enum verdict *verdicts, *base_verdicts; /* per command: on cmps[i], on base[i] */
    int *has_base;
    signed char *outlier;
    struct cli_warnings w;
    uint64_t throttle0;
    int regression;
};

static void warn_cmd(struct report *r, const struct bench_args *a, int i)
{
    const struct bench_cmd_sum *s = &r->sums[i];
    const char *name = r->o.cmds[i].name;
    char x[32], y[32];

    if (s->n == 0 || r->o.cmds[i].hidden)
        return;
    if (s->m[BENCH_M_WALL].cv > 0.1)
        cli_warn(&r->w,
                 "'%s': high variance (CV %.0f%%): the machine may be busy or the command noisy",
                 name, 100 * s->m[BENCH_M_WALL].cv);
    if (s->modes >= 2)
        cli_warn(&r->w, "'%s': the times are multimodal (modes at %s and %s): look at the raw runs",
                 name, (out_bench_fmt(x, 32, s->mode_at[0], BENCH_U_SECONDS), x),
                 (out_bench_fmt(y, 32, s->mode_at[s->modes - 1], BENCH_U_SECONDS), y));
    if (s->drift)
        cli_warn(&r->w,
                 "'%s': the times drifted from %s to %s during the benchmark (load or frequency "
                 "changed)",
                 name, (out_bench_fmt(x, 32, s->drift_from, BENCH_U_SECONDS), x),
                 (out_bench_fmt(y, 32, s->drift_to, BENCH_U_SECONDS), y));
    if (s->outlier_why[BENCH_OUT_FIRST] && a->plan.warmup == 0)
        cli_warn(&r->w, "'%s': the first run was much slower (cold caches?): consider --warmup",
                 name);
    if (s->n >= 10 && s->outliers * 20 > s->n)
        cli_warn(&r->w, "'%s': %zu of %zu runs are outliers (%zu from interference)", name,
                 s->outliers, s->n, s->outlier_why[BENCH_OUT_INTERFERENCE]);
    if (s->failed || s->timed_out)
        cli_warn(&r->w, "'%s': %zu runs exited non-zero and %zu timed out", name, s->failed,
                 s->timed_out);
    if (r->o.shell_cmd >= 0 && r->sums[r->o.shell_cmd].n &&
        r->sums[r->o.shell_cmd].m[BENCH_M_WALL].median > 0.2 * s->m[BENCH_M_WALL].median)
        cli_warn(&r->w,
                 "'%s': the shell's start-up is %.0f%% of its time: consider running it without "
                 "--shell",
                 name,
                 100 * r->sums[r->o.shell_cmd].m[BENCH_M_WALL].median / s->m[BENCH_M_WALL].median);
}

static void warn_machine(struct report *r)
{
    const struct meta *m = &r->o.meta.run;
    uint64_t thr = proc_sys_throttle_count();

    if (m->other_cpu_before > 0.1)
        cli_warn(&r->w,
                 "other processes used %.0f%% of the CPUs just before the benchmark: results may "
                 "be noisy",
                 100 * m->other_cpu_before);
    if (m->other_cpu_during > 0.1)
        cli_warn(&r->w,
                 "other processes used %.0f%% of the CPUs during the runs: results may be noisy",
                 100 * m->other_cpu_during);
    if (m->cpu_freq_visible && strcmp(m->governor, "performance") != 0 && m->governor[0])
        cli_warn(&r->w,
                 "CPU frequency scaling is on (governor '%s'): times depend on the clock speed",
                 m->governor);
    if (thr > r->throttle0)
        cli_warn(&r->w, "the CPU was thermally throttled %llu times during the benchmark",
                 (unsigned long long)(thr - r->throttle0));
    if (strcmp(r->o.meta.rss_method, "taskstats") != 0)
        cli_warn(&r->w,
                 "peak memory is from wait4 (no CAP_NET_ADMIN for taskstats): small values are "
                 "an upper bound that includes spyglass's own size");
}

/* Index of the visible command with the lowest median, or the --reference one. */
static int pick_ref(const struct report *r, const struct bench_args *a)
{
    int best = -1, visible = 0;

    for (int i = 0; i < r->o.ncmds; i++) {
        if (r->o.cmds[i].hidden)
            continue;
        if (++visible == a->c.reference)
            return r->sums[i].n ? i : -1;
        if (r->sums[i].n &&
            (best < 0 || r->sums[i].m[BENCH_M_WALL].median < r->sums[best].m[BENCH_M_WALL].median))
            best = i;
    }
    return visible >= 2 ? best : -1;
}

/* The figures of c that verdict.h judges. */
static struct verdict_cmp figures(const struct bench_cmp *c)
{
    return (struct verdict_cmp){
        .ratio = c->ratio.ratio, .lo = c->ratio.lo, .hi = c->ratio.hi, .p = c->mwu.p};
}

/* Compare with the baseline. Returns 0, or -1 when it could not be read (printed). */
static int compare_base(struct report *r, const struct bench_args *a)
{
    struct bench_base *bb = NULL;
    char why[200] = "";
    int err = bench_base_load(a->c.baseline, &bb, why, sizeof(why));

    if (err < 0) {
        cli_common_base_error(&a->c, err, why);
        return -1;
    }
    for (int i = 0; i < r->o.ncmds; i++) {
        size_t nb;
        const double *t = bench_base_times(bb, r->o.cmds[i].name, &nb);

        if (r->o.cmds[i].hidden || !t)
            continue;
        if (bench_sum_cmp_values(r->o.samples, r->o.nsamples, i, t, nb, a->plan.seed,
                                 &r->base[i]) == 0) {
            struct verdict_cmp f = figures(&r->base[i]);

            r->has_base[i] = 1;
            r->base_verdicts[i] = verdict_baseline(&f, a->c.alpha, a->c.max_regression);
            r->regression |= r->base_verdicts[i] == VERDICT_REGRESSION;
        }
    }
    bench_base_free(bb);
    return 0;
}

static void fill_meta(struct report *r, const struct bench_args *a, struct bench *b)
{
    struct out_bench_meta *m = &r->o.meta;

    meta_end(&m->run, bench_other_cpu(b), bench_elapsed(b));
    m->rss_method = bench_exact_rss(b) ? "taskstats" : "wait4";
    m->shell = a->shell ? a->shell : "";
    m->alpha = a->c.alpha;
    m->seed = a->plan.seed;
    m->warmup = a->plan.warmup;
}

static void build_report(struct report *r, const struct bench_args *a, const struct plan_cmds *pc,
                         struct bench *b)
{
    int n = pc->n;

    r->o.cmds = pc->cmds;
    r->o.ncmds = n;
    r->o.samples = bench_samples(b, &r->o.nsamples);
    r->sums = xcalloc((size_t)n, sizeof(*r->sums));
    r->cmps = xcalloc((size_t)n, sizeof(*r->cmps));
    r->base = xcalloc((size_t)n, sizeof(*r->base));
    r->verdicts = xcalloc((size_t)n, sizeof(*r->verdicts));
    r->base_verdicts = xcalloc((size_t)n, sizeof(*r->base_verdicts));
    r->has_base = xcalloc((size_t)n, sizeof(int));
    r->outlier = xcalloc(r->o.nsamples + 1, 1);
    for (int i = 0; i < n; i++)
        bench_sum_cmd(r->o.samples, r->o.nsamples, i, &r->sums[i], r->outlier);
    r->o.sums = r->sums;
    r->o.outlier = r->outlier;
    r->o.shell_cmd = pc->shell_cmd;
    r->o.ref = pick_ref(r, a);
    r->o.cmps = r->cmps;
    r->o.verdicts = r->verdicts;
    r->o.base_verdicts = r->base_verdicts;
    for (int i = 0; r->o.ref >= 0 && i < n; i++) {
        struct verdict_cmp f;

        if (i == r->o.ref || pc->cmds[i].hidden ||
            bench_sum_cmp(r->o.samples, r->o.nsamples, i, r->o.ref, a->plan.seed, &r->cmps[i]) < 0)
            continue;
        f = figures(&r->cmps[i]);
        r->verdicts[i] = verdict_compare(&f, a->c.alpha);
    }
    const char **pn = xcalloc((size_t)a->nparams + 1, sizeof(char *));

    for (int i = 0; i < a->nparams; i++)
        pn[i] = a->params[i].name;
    r->o.param_names = pn;
    r->o.nparams = a->nparams;
    r->o.param_values = pc->pvalues;
    r->o.max_regression = a->c.max_regression;
    r->o.warnings = r->w.lines;
}

static void report_free(struct report *r)
{
    free(r->sums);
    free(r->cmps);
    free(r->base);
    free(r->verdicts);
    free(r->base_verdicts);
    free(r->has_base);
    free(r->outlier);
    free((void *)r->o.param_names);
}

/* ---- outputs ---- */

/* The report or an export of the out_bench ctx (cli_export_fn). */
static int write_out(FILE *f, int kind, const void *o)
{
    switch (kind) {
    case CLI_EXPORT_JSON:
        return out_bench_json(f, o);
    case CLI_EXPORT_CSV:
        return out_bench_csv(f, o);
    case CLI_EXPORT_MARKDOWN:
        return out_bench_markdown(f, o);
    default:
        return out_bench_text(f, o);
    }
}

/* Explain why bench_go() failed. */
static void say_failure(struct bench *b, const struct plan_cmds *pc, int err)
{
    struct bench_result res;
    char how[64];
    int cmd, prep;

    bench_failure(b, &cmd, &prep, &res);
    if (cmd < 0) {
        fprintf(stderr, "spyglass: bench: %s\n", strerror(-err));
        return;
    }
    if (err != -ECHILD) {
        cli_msg(stderr, "spyglass: bench: cannot start %s'%s': %s\n",
                prep ? "the prepare command of " : "", prep ? pc->names[cmd] : pc->argvs[cmd][0],
                err == -ENOENT ? "command not found" : strerror(-err));
    } else if (res.timed_out) {
        cli_msg(stderr,
                "spyglass: bench: %s'%s' timed out after %.3g s (use --ignore-failure "
                "to keep going)\n",
                prep ? "the prepare command of " : "", pc->names[cmd], res.wall);
    } else {
        cli_msg(stderr, "spyglass: bench: %s'%s' failed: %s (use --ignore-failure to keep going)\n",
                prep ? "the prepare command of " : "", pc->names[cmd],
                how_ended(&res, how, sizeof(how)));
    }
}

/* Summaries, warnings, report and exports. Returns the exit code. */
static int finish(struct report *r, const struct bench_args *a, const struct plan_cmds *pc,
                  struct bench *b, int interrupted)
{
    int rc = EXIT_OK;

    build_report(r, a, pc, b);
    fill_meta(r, a, b);
    r->o.meta.interrupted = interrupted;
    if (a->c.baseline) {
        if (compare_base(r, a) < 0)
            rc = EXIT_ERROR;
        r->o.base = r->base;
        r->o.has_base = r->has_base;
    }
    warn_machine(r);
    for (int i = 0; i < pc->n; i++)
        warn_cmd(r, a, i);
    r->o.nwarnings = r->w.n;
    if (r->o.nsamples == 0) {
        fprintf(stderr, "spyglass: bench: no run completed\n");
        return interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
    }
    if (cli_export_run(a->c.exports, write_out, &r->o) < 0)
        rc = EXIT_ERROR;
    if (interrupted)
        return EXIT_INTERRUPTED;
    return cli_common_exit(&a->c, rc, r->regression);
}

int cli_bench(int argc, char **argv)
{
    struct bench_args a;
    struct plan_cmds pc;
    struct report r;
    struct bench *b = NULL;
    struct progress pg;
    volatile sig_atomic_t *stop;
    int rc = EXIT_USAGE, err;

    memset(&pc, 0, sizeof(pc));
    memset(&r, 0, sizeof(r));
    err = parse_args(argc, argv, &a);
    if (err != 0) {
        rc = err > 0 ? EXIT_OK : EXIT_USAGE;
        goto out;
    }
    if (expand(&a, &pc) < 0)
        goto out;
    rc = EXIT_ERROR;
    if (cli_export_check(a.c.exports, CLI_EXPORTS) < 0)
        goto out;
    a.run.stop = stop = cli_signals_install(0);
    r.throttle0 = proc_sys_throttle_count();
    meta_begin(&r.o.meta.run, SPYGLASS_VERSION);
    if (run_hooks(pc.setups, pc.n, &a.run, "setup") < 0)
        goto out;
    err = bench_new(pc.cmds, pc.n, &a.plan, &a.run, &b);
    if (err < 0) {
        fprintf(stderr, "spyglass: bench: %s\n", strerror(-err));
        goto out;
    }
    memset(&pg, 0, sizeof(pg));
    pg.pc = &pc;
    pg.b = b;
    cli_progress_start(&pg.p, a.c.quiet);
    err = bench_go(b, on_progress, &pg);
    cli_progress_end(&pg.p);
    if (err < 0 && err != -EINTR) {
        say_failure(b, &pc, err);
        run_hooks(pc.cleanups, pc.n, &a.run, "cleanup");
        goto out;
    }
    rc = finish(&r, &a, &pc, b, err == -EINTR);
    *stop = 0;
    if (run_hooks(pc.cleanups, pc.n, &a.run, "cleanup") < 0 && rc == EXIT_OK)
        rc = EXIT_ERROR;
out:
    report_free(&r);
    bench_free(b);
    plan_free(&pc);
    args_free(&a);
    return rc;
}
