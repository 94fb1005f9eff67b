/* spyglass record: attach to a PID or launch a command, sample its Python stacks, write the
 * profile and a summary with the run's trustworthiness (rate, invalid samples, overhead).
 * SPDX-License-Identifier: MIT */
#include "cli_record.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agg_timeline.h"
#include "cli.h"
#include "cli_attach.h"
#include "cli_msg.h"
#include "cli_record_exec.h"
#include "cli_record_res.h"
#include "cli_signals.h"
#include "out_format.h"
#include "out_html.h"
#include "out_raw.h"
#include "out_summary.h"
#include "proc_src.h"
#include "py_async.h"
#include "sampler.h"
#include "util_clock.h"
#include "util_file.h"
#include "util_proc.h"
#include "util_sbuf.h"

#define START_WAIT_S 10.0 /* how long a launched command may take to become Python */

struct record_args {
    struct sampler_opts opts;
    enum out_format format;
    int format_set;
    const char *out_path; /* NULL: stdout */
    int pid;              /* attach mode when > 0 */
    char **cmd;           /* launch mode when non-NULL */
    int top;
    int quiet;
    int no_resources;            /* --no-resources: no readings for the html report */
    struct rec_res res;          /* --resources */
    struct agg_src_stats src;    /* html: the source files read */
    int async_warned;            /* --async: said at the start that this Python has no tasks */
    volatile sig_atomic_t *stop; /* cli_signals' stop flag: Ctrl-C, SIGTERM */
};

static const char usage[] =
    "usage: spyglass record [options] (--pid PID | -- CMD [ARGS...])\n"
    "Sample the Python stacks of a running process, or of a command until it exits.\n"
    "Targets: CPython 3.8 to 3.15, and debug (Py_DEBUG) builds of 3.13 to 3.15.\n"
    "\n"
    "  -p, --pid PID        attach to a running process\n"
    "  -r, --rate HZ        samples per second (default 100; 'max': as fast as possible)\n"
    "  -d, --duration SEC   stop after SEC seconds (default: until the target exits or Ctrl-C)\n"
    "  -m, --mode MODE      wall (every thread, default), cpu (threads on a CPU), gil (GIL "
    "holder)\n"
    "  -t, --threads        put each thread, as 'thread NAME (TID)', at the root of its stacks\n"
    "      --states         wall mode: end each stack with the thread's state, <cpu>, <gil>,\n"
    "                       <lock>, <disk>, <network>, <pipe>, <sleep>, <poll> or <other>; the\n"
    "                       summary splits each top function's time by state\n"
    "      --async          asyncio (Python 3.14+): put each task's frames under a 'Task NAME'\n"
    "                       frame, below the tasks awaiting it; in wall mode every suspended\n"
    "                       task also adds a stack of its own per sample, down to the await it\n"
    "                       waits in (ending in <await> with --states). Older Pythons: stacks\n"
    "                       without tasks, and one line saying so\n"
    "      --metric M       what a thread sample weighs (wall mode): samples (default),\n"
    "                       io-bytes (bytes it read from or wrote to storage since its previous\n"
    "                       sample), rss (RSS growth since the previous sample, shared by the\n"
    "                       threads that ran meanwhile, by CPU time)\n"
    "  -f, --format FMT     " OUT_FORMAT_NAMES "\n"
    "                       (default: from -o's extension: .svg, .html/.htm, .json,\n"
    "                       .pb.gz/.pprof, .pstats/.prof, .spyraw, .trace.json; else\n"
    "                       collapsed); raw is written as it samples (a killed run keeps\n"
    "                       all but its last second; 'spyglass report' converts it),\n"
    "                       chrome is a trace of each thread over time for Perfetto or\n"
    "                       chrome://tracing\n"
    "  -o, --output FILE    write the profile to FILE (default: standard output)\n"
    "      --resources FILE the process tree's CPU, run-queue wait, memory, disk and network\n"
    "                       over time, as spyglass monitor reads them, to FILE (.csv, .json\n"
    "                       or .svg)\n"
    "      --resources-interval SEC   between those readings (default 0.1)\n"
    "      --no-resources   html: no resource charts (the readings are taken by default)\n"
    "      --top N          functions listed in the summary (default 10; 0: no summary)\n"
    "  -q, --quiet          print no summary\n"
    "\n"
    "html is one self-contained page: flame graph and icicle, search, per-thread and state\n"
    "filters, a table of functions, the source of each with per-line heat (files read when\n"
    "sampling ends), resource charts. It always keeps threads (as -t).\n"
    "\n"
    "A launched command's exit code is passed through. Ctrl-C stops sampling and writes what was\n"
    "collected.\n";

static int parse_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* --mode's word. Returns 0, or -1 (said). */
static int parse_mode(const char *arg, enum sampler_mode *out)
{
    if (strcmp(arg, "wall") == 0)
        *out = SAMPLER_WALL;
    else if (strcmp(arg, "cpu") == 0)
        *out = SAMPLER_CPU;
    else if (strcmp(arg, "gil") == 0)
        *out = SAMPLER_GIL;
    else {
        cli_msg(stderr, "spyglass: --mode is wall, cpu or gil, not '%s'\n", arg);
        return -1;
    }
    return 0;
}

/* --metric's word. Returns 0, or -1 (said). */
static int parse_metric(const char *arg, enum sampler_metric *out)
{
    if (strcmp(arg, "samples") == 0)
        *out = SAMPLER_SAMPLES;
    else if (strcmp(arg, "io-bytes") == 0)
        *out = SAMPLER_IO_BYTES;
    else if (strcmp(arg, "rss") == 0)
        *out = SAMPLER_RSS;
    else {
        cli_msg(stderr, "spyglass: --metric is samples, io-bytes or rss, not '%s'\n", arg);
        return -1;
    }
    return 0;
}

static int parse_option(struct record_args *ra, int c, const char *arg)
{
    double v;
    switch (c) {
    case 'p':
        return (ra->pid = cli_parse_pid(arg)) < 0 ? -1 : 0;
    case 'r':
        if (strcmp(arg, "max") == 0) {
            ra->opts.rate = 0;
            return 0;
        }
        if (parse_number(arg, 0.01, 1e6, &ra->opts.rate) == 0)
            return 0;
        fprintf(stderr, "spyglass: --rate takes a number of Hz from 0.01 to 1000000, or max\n");
        return -1;
    case 'd':
        if (parse_number(arg, 0.001, 1e7, &ra->opts.duration) == 0)
            return 0;
        fprintf(stderr, "spyglass: --duration takes a positive number of seconds\n");
        return -1;
    case 'm':
        return parse_mode(arg, &ra->opts.mode);
    case 'f':
        ra->format_set = 1;
        if (out_format_parse(arg, &ra->format) == 0)
            return 0;
        cli_msg(stderr, "spyglass: --format is " OUT_FORMAT_NAMES ", not '%s'\n", arg);
        return -1;
    case 'M':
        return parse_metric(arg, &ra->opts.metric);
    case 'o':
        ra->out_path = strcmp(arg, "-") == 0 ? NULL : arg;
        return 0;
    case 'R':
        ra->res.path = arg;
        return 0;
    case 'I':
        if (parse_number(arg, 0.001, 3600, &ra->res.interval) == 0)
            return 0;
        fprintf(stderr, "spyglass: --resources-interval takes seconds from 0.001 to 3600\n");
        return -1;
    case 'T':
        if (parse_number(arg, 0, 1000, &v) == 0) {
            ra->top = (int)v;
            return 0;
        }
        fprintf(stderr, "spyglass: --top takes a number from 0 to 1000\n");
        return -1;
    }
    return -1;
}

/* What the options ask together: one target, wall-mode measures, a format that can be written
 * where it goes. Returns 0, or -1 on a usage error (printed). */
static int check_args(struct record_args *ra)
{
    if ((ra->pid > 0) == (ra->cmd != NULL)) {
        fprintf(stderr, "spyglass: record needs either --pid PID or -- CMD [ARGS...]\n");
        return -1;
    }
    if ((ra->opts.states || ra->opts.metric != SAMPLER_SAMPLES) && ra->opts.mode != SAMPLER_WALL) {
        fprintf(stderr, "spyglass: --%s needs --mode wall\n",
                ra->opts.states ? "states" : "metric");
        return -1;
    }
    if (!ra->format_set)
        ra->format = out_format_from_path(ra->out_path);
    if (!ra->out_path && out_format_binary(ra->format) && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "spyglass: not writing a binary profile to a terminal (use -o FILE)\n");
        return -1;
    }
    if (ra->format == OUT_FORMAT_HTML) { /* the page filters by thread and charts resources */
        ra->opts.threads = 1;
        ra->res.report = !ra->no_resources;
    }
    if (ra->format == OUT_FORMAT_PSTATS && ra->opts.metric != SAMPLER_SAMPLES) {
        fprintf(stderr, "spyglass: pstats holds times; a --metric profile (bytes) cannot be "
                        "written as pstats: use collapsed, svg, speedscope or pprof\n");
        return -1;
    }
    return 0;
}

/* The options without an argument but -h. Returns 1 when c is one of them, else 0. */
static int set_flag(struct record_args *ra, int c)
{
    switch (c) {
    case 't':
        ra->opts.threads = 1;
        return 1;
    case 'S':
        ra->opts.states = 1;
        return 1;
    case 'A':
        ra->opts.async_tasks = 1;
        return 1;
    case 'q':
        ra->quiet = 1;
        return 1;
    case 'N':
        ra->no_resources = 1;
        return 1;
    }
    return 0;
}

/* Returns 0, 1 after --help, or -1 on a usage error (printed). */
static int parse_args(int argc, char **argv, struct record_args *ra)
{
    static const struct option opts[] = {{"pid", required_argument, NULL, 'p'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"mode", required_argument, NULL, 'm'},
                                         {"threads", no_argument, NULL, 't'},
                                         {"states", no_argument, NULL, 'S'},
                                         {"async", no_argument, NULL, 'A'},
                                         {"metric", required_argument, NULL, 'M'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"top", required_argument, NULL, 'T'},
                                         {"resources", required_argument, NULL, 'R'},
                                         {"resources-interval", required_argument, NULL, 'I'},
                                         {"no-resources", no_argument, NULL, 'N'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;

    memset(ra, 0, sizeof(*ra));
    ra->opts.rate = 100;
    ra->top = 10;
    ra->res.interval = 0.1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:p:r:d:m:tf:o:qh", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 1;
        } else if (c == '?' || c == ':') {
            cli_bad_option("record", c, argv);
            return -1;
        } else if (!set_flag(ra, c) && parse_option(ra, c, optarg) != 0) {
            return -1;
        }
    }
    if (optind < argc)
        ra->cmd = argv + optind;
    return check_args(ra);
}

/* Wait for a launched child, passing on each stop signal a process sends us meanwhile
 * (cli_signals). Returns its exit code (128+signal when killed), EXIT_ERROR when it cannot be
 * waited for; its CPU time goes into st->target_cpu (st may be NULL). */
static int reap_child(struct util_proc *c, struct sampler_stats *st)
{
    struct util_proc_exit ex;
    int err;

    do {
        cli_signals_forward(c);
        err = util_proc_wait(c, UTIL_PROC_FOREVER, cli_signals_pending(), &ex);
    } while (err == -EINTR);
    util_proc_destroy(c);
    if (err)
        return EXIT_ERROR;
    if (st)
        st->target_cpu = ex.user + ex.sys;
    return ex.code;
}

/* Attach to the launched child once it is a running Python interpreter. */
static int attach_child(struct util_proc *c, const volatile sig_atomic_t *stop,
                        struct py_proc **out)
{
    char detail[256] = "";
    int64_t t0 = util_clock_mono_ns();
    int err;

    for (;;) {
        err = py_proc_open(c->pid, out, detail, sizeof(detail));
        if (!err || *stop)
            break;
        if (util_proc_exited(c))
            return -ESRCH; /* exited before it could be sampled (the caller says so) */
        if (err != -EAGAIN && err != -ENOEXEC)
            break;
        if (util_clock_s(util_clock_mono_ns() - t0) > START_WAIT_S)
            break;
        usleep(1000);
    }
    /* A child that ended while being opened is said by the caller, as above: not as a PID that
     * does not exist. Our own unreaped child cannot be another process: -ESRCH means it is
     * exiting (its memory already gone, not yet a zombie). */
    if (err && !*stop && (err == -ESRCH || util_proc_exited(c)))
        return -ESRCH;
    if (err && !*stop)
        cli_attach_error(c->pid, err, detail);
    return err;
}

static const char *mode_name(enum sampler_mode m)
{
    return m == SAMPLER_CPU ? "cpu" : m == SAMPLER_GIL ? "gil" : "wall";
}

static const char *metric_unit(enum sampler_metric m)
{
    return m == SAMPLER_SAMPLES ? NULL : "bytes";
}

/* What --states and --metric did: the state reader's shortcuts, the bytes left out. */
static void print_measures(const struct record_args *ra, const struct sampler_stats *st,
                           const struct agg *a)
{
    const struct thread_state_stats *s = &st->states;
    double n = s->reads ? (double)s->reads : 1;
    if (ra->opts.states)
        fprintf(stderr,
                "spyglass: states: %llu thread readings, %.0f%% the same system call as before, "
                "%llu fd lookups, %llu stat reads, %llu unreadable\n",
                (unsigned long long)s->reads, 100.0 * (double)s->same_call / n,
                (unsigned long long)s->fd_stats, (unsigned long long)s->stat_reads,
                (unsigned long long)s->errors);
    if (ra->opts.metric == SAMPLER_IO_BYTES)
        fprintf(stderr, "spyglass: weighted by storage bytes read and written: %llu bytes\n",
                (unsigned long long)agg_total(a));
    if (ra->opts.metric == SAMPLER_RSS)
        fprintf(stderr,
                "spyglass: weighted by RSS growth: %llu bytes attributed, %llu bytes not (no "
                "sampled Python thread had run)\n",
                (unsigned long long)agg_total(a), (unsigned long long)st->unattributed);
}

/* What --async saw: the tasks, or why there are none. */
static void print_async(const struct record_args *ra, const struct py_proc *p,
                        const struct sampler_stats *st, const struct agg *a)
{
    const struct sampler_async_stats *s = &st->async;
    uint32_t names = 0;
    if (!ra->opts.async_tasks || (ra->async_warned && s->found == 0))
        return; /* said at the start */
    if (s->found == 0) {
        fprintf(stderr,
                "spyglass: --async: process %d never loaded asyncio's debug offsets (asyncio "
                "not imported): no Task frames\n",
                p->pid);
        return;
    }
    if (s->found < 0) {
        fprintf(stderr,
                "spyglass: --async: the asyncio debug offsets of process %d look corrupt: no "
                "Task frames\n",
                p->pid);
        return;
    }
    for (uint32_t i = 0; i < agg_nframes(a); i++)
        names += agg_frame_get(a, i)->kind == AGG_FRAME_TASK;
    fprintf(stderr,
            "spyglass: async: %u task names seen, up to %u tasks pending at once; %llu thread "
            "samples ran a task, %llu samples of suspended tasks; %llu task samples left out "
            "(changed while read)",
            names, s->most, (unsigned long long)s->running, (unsigned long long)s->waiting,
            (unsigned long long)s->torn);
    if (s->over)
        fprintf(stderr, "; %llu samples had more than %d tasks (the rest left out)",
                (unsigned long long)s->over, PY_ASYNC_MAX_TASKS);
    fputc('\n', stderr);
}

/* version: the Python version(s) sampled ("3.11.7 then 3.12.1" across an exec). */
static void print_summary(const struct record_args *ra, const struct py_proc *p,
                          const char *version, const struct sampler_stats *st, const struct agg *a)
{
    double rate = st->rate;
    uint64_t tried = st->stacks + st->invalid;
    char req[32] = "as fast as possible";
    if (ra->opts.rate > 0)
        snprintf(req, sizeof(req), "%g Hz requested", ra->opts.rate);
    cli_msg(stderr,
            "spyglass: %llu samples of process %d (Python %s, %s mode) in %.2f s: %.1f Hz "
            "effective (%s)\n",
            (unsigned long long)st->ticks, p->pid, version, mode_name(ra->opts.mode), st->elapsed,
            rate, req);
    if (st->missed)
        fprintf(stderr,
                "spyglass: %llu ticks missed (%.1f%%, in %llu stall%s): spyglass did not get the "
                "CPU; they were skipped, not taken late\n",
                (unsigned long long)st->missed,
                100.0 * (double)st->missed / (double)(st->missed + st->ticks),
                (unsigned long long)st->stalls, st->stalls == 1 ? "" : "s");
    fprintf(stderr,
            "spyglass: %llu invalid thread samples (%.2f%%: %llu changed while read, %llu not "
            "whole), %llu retried; %llu truncated\n",
            (unsigned long long)st->invalid,
            tried ? 100.0 * (double)st->invalid / (double)tried : 0,
            (unsigned long long)(st->invalid - st->cut), (unsigned long long)st->cut,
            (unsigned long long)st->retries, (unsigned long long)st->truncated);
    double per = st->ticks ? st->self_cpu * 1e6 / (double)st->ticks : 0;
    double reads = st->ticks ? (double)st->reads / (double)st->ticks : 0;
    fprintf(stderr,
            "spyglass: overhead: the profiler used %.3f s of CPU (%.1f us and %.1f reads per "
            "sample)",
            st->self_cpu, per, reads);
    if (st->target_cpu > 0)
        fprintf(stderr, ", %.1f%% of the target's %.3f s", 100 * st->self_cpu / st->target_cpu,
                st->target_cpu);
    fputc('\n', stderr);
    print_measures(ra, st, a);
    if (st->execs > REC_EXEC_LINES)
        fprintf(stderr, "spyglass: %llu execs followed\n", (unsigned long long)st->execs);
    print_async(ra, p, st, a);
    if (ra->format == OUT_FORMAT_HTML && ra->src.files)
        fprintf(stderr,
                "spyglass: report: the source of %u of %u files (%.1f KiB); %u under 0.1%% of "
                "the samples, %u unreadable, %u not regular files, %u too large, %u not text, "
                "%u gone\n",
                ra->src.read, ra->src.files, (double)ra->src.bytes / 1024, ra->src.rare,
                ra->src.unreadable + ra->src.denied, ra->src.special, ra->src.large, ra->src.binary,
                ra->src.missing);
    if (ra->top > 0 && !ra->quiet)
        out_summary_write_in(stderr, a, ra->top, metric_unit(ra->opts.metric));
}

/* What the sampling loop feeds as it samples: the raw writer (--format raw) or the time line
 * (--format chrome). */
struct live {
    struct out_raw *raw;
    struct agg_timeline *tl;
    struct sampler_listener listener;
};

static void live_stack(void *ctx, uint32_t stack, uint64_t weight, uint32_t tid)
{
    struct live *lv = ctx;
    if (lv->raw)
        out_raw_stack(lv->raw, stack, weight, tid);
    else
        agg_timeline_add(lv->tl, stack, weight, tid);
}

static void live_tick(void *ctx, uint64_t t_ns)
{
    struct live *lv = ctx;
    if (lv->raw) {
        out_raw_tick(lv->raw, t_ns);
    } else {
        agg_timeline_tick(lv->tl, t_ns);
        agg_timeline_reserve(lv->tl, SAMPLER_MAX_TICK_STACKS);
    }
}

/* Set up what ra->format needs during sampling: the raw file's start (the header and the facts
 * known now: m) or an empty time line. */
static void live_start(struct record_args *ra, FILE *f, struct agg *a, const struct agg_meta *m,
                       struct live *lv)
{
    memset(lv, 0, sizeof(*lv));
    lv->listener.ctx = lv;
    lv->listener.stack = live_stack;
    lv->listener.tick = live_tick;
    if (ra->format == OUT_FORMAT_CHROME) {
        lv->tl = agg_timeline_new();
        agg_timeline_reserve(lv->tl, SAMPLER_MAX_TICK_STACKS);
    } else if (ra->format == OUT_FORMAT_RAW) {
        lv->raw = out_raw_start(f, a, m);
    } else {
        return;
    }
    ra->opts.listener = &lv->listener;
}

/* Write the profile to ra->out_path (opened as *out, replaced now) or stdout. Returns an exit
 * code. */
static int finish_output(const struct record_args *ra, struct file_out *out, const struct agg *a,
                         const struct agg_meta *m, struct out_raw *raw)
{
    FILE *f = out->f;
    int err;

    if (raw) {
        err = out_raw_finish(raw, m);
    } else if (ra->format == OUT_FORMAT_HTML) {
        struct rec_res_html h;
        rec_res_html(&ra->res, &h);
        err = out_html_write(f, a, m, h.res.n ? &h.res : NULL);
        rec_res_html_free(&h);
    } else {
        err = out_format_write(f, ra->format, a, m);
    }
    err = file_out_close(out, err);
    if (err) {
        cli_write_error(ra->out_path ? ra->out_path : "standard output", err);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

static void fill_meta(const struct record_args *ra, const struct py_proc *p, const char *version,
                      const struct sampler_stats *st, struct sbuf *title, struct agg_meta *m)
{
    memset(m, 0, sizeof(*m));
    if (ra->cmd) {
        sbuf_adds(title, "spyglass record:");
        for (char **c = ra->cmd; *c; c++) {
            sbuf_addc(title, ' ');
            sbuf_adds(title, *c);
        }
    } else {
        sbuf_printf(title, "spyglass record: pid %d", p->pid);
    }
    m->title = sbuf_str(title);
    m->command = m->title + strlen("spyglass record: ");
    m->python_version = version;
    m->mode = mode_name(ra->opts.mode);
    m->duration = st->elapsed;
    m->rate_requested = ra->opts.rate;
    m->rate_effective = st->rate;
    m->samples = st->ticks;
    m->invalid = st->invalid;
    m->missed = st->missed;
    m->overhead = st->target_cpu > 0 ? st->self_cpu / st->target_cpu : -1;
    m->unit = metric_unit(ra->opts.metric);
}

/* --mode cpu, --states and --metric read /proc files per kernel thread: say when TIDs are
 * unknown. */
static void warn_measures(const struct record_args *ra, const struct py_proc *p)
{
    if (ra->opts.mode == SAMPLER_CPU && !p->off.ts_native_thread_id && p->pthread_tid_off < 0)
        fprintf(stderr,
                "spyglass: warning: cannot tell the kernel thread of each Python thread in "
                "process %d; --mode cpu keeps every thread\n",
                p->pid);
    if ((ra->opts.states || ra->opts.metric != SAMPLER_SAMPLES) && !p->off.ts_native_thread_id &&
        p->pthread_tid_off < 0)
        fprintf(stderr,
                "spyglass: warning: cannot tell the kernel thread of each Python thread in "
                "process %d; thread states and counters are unknown\n",
                p->pid);
}

/* --async on a Python without asyncio debug offsets: say so in one line; the sampler samples it
 * without tasks (and with them after an exec into a Python that has them). */
static void warn_async(struct record_args *ra, const struct py_proc *p)
{
    char why[256];
    if (ra->opts.async_tasks && py_async_supported(p, why, sizeof(why)) != 0) {
        cli_msg(stderr, "spyglass: --async: %s\n", why);
        ra->async_warned = 1;
    }
}

/* Start (into *child) or attach. Returns 0 with *p, or an exit code (message printed). */
static int start_target(const struct record_args *ra, struct util_proc *child, struct py_proc **p)
{
    struct util_proc_exit ex;
    char how[64];
    if (!ra->cmd)
        return cli_attach(ra->pid, 0, NULL, p);
    if (cli_launch(ra->cmd, child) != 0)
        return 127;
    int err = attach_child(child, ra->stop, p);
    if (!err)
        return 0;
    if (err == -ESRCH && util_proc_wait(child, UTIL_PROC_FOREVER, NULL, &ex) == 0) {
        cli_msg(stderr, "spyglass: '%s' %s before any Python stack was sampled\n", ra->cmd[0],
                util_proc_describe(&ex, how, sizeof(how)));
        util_proc_destroy(child);
        return ex.code ? ex.code : EXIT_ERROR;
    }
    util_proc_end(child, SIGTERM, NULL);
    util_proc_destroy(child);
    return EXIT_ERROR;
}

/* One recording's data, from the start of sampling to the written profile. */
struct record_run {
    struct agg *a;
    struct sampler_stats st;
    struct agg_meta meta;
    struct sbuf title; /* meta.title's storage */
    struct live live;
    struct rec_exec rx; /* owns the py_proc, replaced at each exec followed */
};

/* After sampling: a launched child is reaped now unless it exec'd a program that was not
 * sampled (reap_later); a process attached to that exited before --duration makes the profile
 * partial. Returns the exit code so far. */
static int sampled_code(const struct record_args *ra, struct util_proc *child,
                        struct sampler_stats *st, int reap_later)
{
    if (ra->cmd && !reap_later)
        return reap_child(child, st);
    if (st->end == SAMPLER_END_EXITED && ra->opts.duration > 0) {
        fprintf(stderr,
                "spyglass: process %d exited after %.2f s of the %g s requested; the "
                "profile holds what was sampled\n",
                ra->pid, st->elapsed, ra->opts.duration);
        return EXIT_PARTIAL;
    }
    return 0;
}

/* Write the profile to out with the run's facts, then the summary unless --quiet. Returns an
 * exit code. */
static int write_profile(const struct record_args *ra, struct file_out *out, struct record_run *r)
{
    const struct py_proc *p = r->rx.p;
    sbuf_reset(&r->title);
    fill_meta(ra, p, sbuf_str(&r->rx.versions), &r->st, &r->title, &r->meta);
    r->meta.timeline = r->live.tl;
    r->meta.sources = ra->format == OUT_FORMAT_HTML ? &ra->src : NULL;
    int wrc = finish_output(ra, out, r->a, &r->meta, r->live.raw);
    if (!ra->quiet) {
        print_summary(ra, p, sbuf_str(&r->rx.versions), &r->st, r->a);
        rec_res_summary(stderr, &ra->res);
    }
    return wrc;
}

/* Sample p (taken over) until the run ends, write the profile, reap a launched child (child)
 * and close the resource readings. Returns the exit code. */
static int record(struct record_args *ra, struct file_out *out, struct util_proc *child,
                  struct py_proc *p)
{
    struct record_run r;
    int rc;

    rec_res_start(&ra->res, p->pid, ra->cmd != NULL);
    warn_measures(ra, p);
    warn_async(ra, p);
    r.a = agg_new();
    memset(&r.st, 0, sizeof(r.st));
    sbuf_init(&r.title);
    rec_exec_init(&r.rx, p, ra->stop);
    ra->opts.exec = &r.rx.hook;
    fill_meta(ra, p, sbuf_str(&r.rx.versions), &r.st, &r.title, &r.meta);
    live_start(ra, out->f, r.a, &r.meta, &r.live);
    sampler_run(p, &ra->opts, r.a, ra->stop, &r.st);
    p = r.rx.p;
    rec_res_stop(&ra->res);
    if (ra->format == OUT_FORMAT_HTML || ra->format == OUT_FORMAT_RAW) /* before it is reaped */
        proc_src_attach(r.a, p->pid, NULL, &ra->src);
    /* A launched command that exec'd a program not sampled runs on: the profile is written
     * first, then its exit code awaited. */
    int reap_later = ra->cmd && r.st.end == SAMPLER_END_EXEC;
    rc = sampled_code(ra, child, &r.st, reap_later);
    int wrc = write_profile(ra, out, &r);
    if (reap_later) {
        fflush(stderr);
        rc = reap_child(child, NULL);
    }
    ra->res.exit_code = ra->cmd ? rc : -1;
    ra->res.interrupted = *ra->stop != 0;
    if (rec_res_finish(&ra->res, r.meta.command, p->pid) < 0 && !wrc)
        wrc = EXIT_ERROR;
    sbuf_destroy(&r.title);
    out_raw_free(r.live.raw);
    agg_timeline_free(r.live.tl);
    agg_free(r.a);
    rec_exec_destroy(&r.rx);
    return wrc ? wrc : rc;
}

int cli_record(int argc, char **argv)
{
    struct record_args ra;
    struct py_proc *p = NULL;
    struct file_out out;
    struct util_proc child;
    int rc;

    rc = parse_args(argc, argv, &ra);
    if (rc)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    /* Nothing replaces an earlier file until the profile is whole (a raw recording of a new
     * file is written in place, to be read also when spyglass is killed). */
    rc = file_out_open(&out, ra.out_path, ra.format == OUT_FORMAT_RAW ? FILE_OUT_STREAM : 0);
    if (rc) {
        cli_write_error(ra.out_path, rc);
        return EXIT_ERROR;
    }
    if (rec_res_open(&ra.res) < 0) {
        rc = EXIT_ERROR;
        goto out_files;
    }
    ra.stop = cli_signals_install(0);
    rc = start_target(&ra, &child, &p);
    if (rc)
        goto out_files;
    return record(&ra, &out, &child, p);

out_files: /* nothing was recorded */
    file_out_abort(&out);
    rec_res_finish(&ra.res, NULL, 0);
    return rc;
}
