/* spyglass monitor: options, launching or attaching, the paced loop with absolute deadlines,
 * the live view, signals and exit codes, the outputs.
 * SPDX-License-Identifier: MIT */
#include "cli_monitor.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_attach.h"
#include "cli_msg.h"
#include "cli_signals.h"
#include "mon.h"
#include "out_monitor.h"
#include "proc_status.h"
#include "util_clock.h"
#include "util_file.h"
#include "util_proc.h"
#include "util_sbuf.h"

#define MAX_OUT   4
#define LIVE_NS   250000000LL  /* at most 4 live lines a second */
#define KILL_WAIT 5000000000LL /* ns a launched command gets to exit after a stop */

enum format { FMT_AUTO, FMT_CSV, FMT_JSON, FMT_SVG };

struct out {
    const char *path; /* "-": standard output */
    enum format format;
    struct file_out file; /* replaces path only when whole (util_file.h) */
};

struct monitor_args {
    double interval, duration;
    int pid;
    char **cmd;
    enum format format;
    struct out outs[MAX_OUT];
    int nouts;
    int quiet;
};

static const char usage[] =
    "usage: spyglass monitor [options] (--pid PID | -- CMD [ARGS...])\n"
    "Sample the resource use of a process and all its descendants (children that start later\n"
    "included, those that exit kept in the totals): CPU (user, system, run-queue wait), RSS,\n"
    "PSS and USS, disk and TCP bytes per second, threads, open files, sockets, context\n"
    "switches. Prints a live line on a terminal, a summary at the end, and writes the series.\n"
    "\n"
    "  -p, --pid PID          monitor a running process\n"
    "  -i, --interval SEC     seconds between samples (default 0.1, from 0.001 to 3600)\n"
    "  -d, --duration SEC     stop after SEC seconds (default: when the target exits); a\n"
    "                         launched command is then sent SIGTERM\n"
    "  -o, --output FILE      write the series to FILE ('-': standard output); may be given up\n"
    "                         to 4 times\n"
    "  -f, --format FMT       csv, json or svg (default: from each FILE's extension, else csv)\n"
    "  -q, --quiet            no live view and no summary\n"
    "\n"
    "A launched command's exit code is passed through; the target's exit ends the run. Ctrl-C\n"
    "stops and writes what was collected. CSV columns and the JSON format:\n"
    "docs/monitor-schema.json.\n";

static int bad(const char *msg, const char *v)
{
    cli_msg(stderr, "spyglass: monitor: %s, not '%s'\n", msg, v);
    return -1;
}

static int parse_seconds(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_format(const char *s, enum format *out)
{
    if (strcmp(s, "csv") == 0)
        *out = FMT_CSV;
    else if (strcmp(s, "json") == 0)
        *out = FMT_JSON;
    else if (strcmp(s, "svg") == 0)
        *out = FMT_SVG;
    else
        return -1;
    return 0;
}

static int parse_opt(struct monitor_args *a, int c, char **argv)
{
    switch (c) {
    case 'p':
        return (a->pid = cli_parse_pid(optarg)) < 0 ? -1 : 0;
    case 'i':
        if (parse_seconds(optarg, 0.001, 3600, &a->interval) < 0)
            return bad("--interval takes seconds from 0.001 to 3600", optarg);
        return 0;
    case 'd':
        if (parse_seconds(optarg, 0.001, 1e7, &a->duration) < 0)
            return bad("--duration takes a positive number of seconds", optarg);
        return 0;
    case 'f':
        return parse_format(optarg, &a->format) < 0 ? bad("--format is csv, json or svg", optarg)
                                                    : 0;
    case 'o':
        if (a->nouts == MAX_OUT) {
            fprintf(stderr, "spyglass: monitor: at most %d outputs\n", MAX_OUT);
            return -1;
        }
        a->outs[a->nouts++].path = optarg;
        return 0;
    case 'q':
        a->quiet = 1;
        return 0;
    default:
        cli_bad_option("monitor", c, argv);
        return -1;
    }
}

static enum format format_of(const struct monitor_args *a, const char *path)
{
    const char *dot = strrchr(path, '.');

    if (a->format != FMT_AUTO)
        return a->format;
    if (dot && strcmp(dot, ".json") == 0)
        return FMT_JSON;
    if (dot && strcmp(dot, ".svg") == 0)
        return FMT_SVG;
    return FMT_CSV;
}

/* Returns 0, 1 after --help, or -1 after a message. */
static int parse_args(int argc, char **argv, struct monitor_args *a)
{
    static const struct option opts[] = {
        {"pid", required_argument, NULL, 'p'},      {"interval", required_argument, NULL, 'i'},
        {"duration", required_argument, NULL, 'd'}, {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},   {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int c;

    memset(a, 0, sizeof(*a));
    a->interval = 0.1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:p:i:d:o:f:qh", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 1;
        }
        if (parse_opt(a, c, argv) < 0)
            return -1;
    }
    if (optind < argc)
        a->cmd = argv + optind;
    if ((a->pid > 0) == (a->cmd != NULL)) {
        fprintf(stderr, "spyglass: monitor needs either --pid PID or -- CMD [ARGS...] (try "
                        "'spyglass monitor --help')\n");
        return -1;
    }
    for (int i = 0; i < a->nouts; i++)
        a->outs[i].format = format_of(a, a->outs[i].path);
    return 0;
}

static void close_outputs(struct monitor_args *a)
{
    for (int i = 0; i < a->nouts; i++)
        file_out_abort(&a->outs[i].file);
}

/* Open every output before anything starts, so that a bad path fails at once. */
static int open_outputs(struct monitor_args *a)
{
    for (int i = 0; i < a->nouts; i++) {
        struct out *o = &a->outs[i];
        int err = file_out_open(&o->file, o->path, 0);

        if (err) {
            cli_write_error(o->path, err);
            a->nouts = i;
            close_outputs(a);
            return -1;
        }
    }
    return 0;
}

static int write_one(struct out *o, const struct mon *m, const struct out_monitor_meta *meta)
{
    FILE *f = o->file.f;
    int err = o->format == FMT_JSON  ? out_monitor_json(f, m, meta)
              : o->format == FMT_SVG ? out_monitor_svg(f, m, meta)
                                     : out_monitor_csv(f, m);

    err = file_out_close(&o->file, err);
    if (err)
        cli_write_error(strcmp(o->path, "-") == 0 ? "standard output" : o->path, err);
    return err;
}

/* Write every output; returns 0 or EXIT_ERROR after a message. */
static int write_outputs(struct monitor_args *a, const struct mon *m,
                         const struct out_monitor_meta *meta)
{
    int rc = 0;

    for (int i = 0; i < a->nouts; i++) {
        if (write_one(&a->outs[i], m, meta) != 0)
            rc = EXIT_ERROR;
    }
    return rc;
}

/* Wait for a launched child after monitoring ended: pass on a stop signal sent with kill(2) (a
 * terminal's Ctrl-C reached it already), SIGTERM it when the run ended by --duration; a second
 * stop signal, or KILL_WAIT, ends it with SIGKILL. Returns its exit code. */
static int finish_child(struct util_proc *c, volatile sig_atomic_t *stop, int ended_by_duration)
{
    const volatile sig_atomic_t *again = NULL;
    struct util_proc_exit ex;
    int err;

    if (*stop) {
        cli_signals_forward(c);
        *stop = 0; /* the next one kills */
        again = stop;
    } else if (ended_by_duration) {
        util_proc_signal(c, SIGTERM);
    }
    err = util_proc_wait(c, util_clock_mono_ns() + KILL_WAIT, again, &ex);
    if (err == -EINTR || err == -ETIMEDOUT)
        err = util_proc_end(c, SIGKILL, &ex);
    util_proc_destroy(c);
    return err ? EXIT_ERROR : ex.code;
}

enum end { END_EXITED, END_STOPPED, END_DURATION, END_ERROR };

/* Sample until the root exits, a signal, or the duration. */
static enum end run(const struct monitor_args *a, struct mon *m, int64_t t0,
                    const volatile sig_atomic_t *stop)
{
    int64_t step = (int64_t)(a->interval * 1e9), deadline = t0 + step, last_live = t0;
    int live = !a->quiet && isatty(STDERR_FILENO);
    size_t shown = SIZE_MAX;

    if (live)
        out_monitor_live_header(stderr);
    for (;;) {
        int64_t now;
        int rc;

        util_clock_sleep_until(deadline); /* EINTR: the loop checks */
        if (*stop)
            return END_STOPPED;
        now = util_clock_mono_ns();
        if (now < deadline)
            continue; /* woken early by a signal that did not stop us */
        rc = mon_tick(m, now);
        mon_reserve(m);
        if (live && (now - last_live >= LIVE_NS || rc != 0) && mon_rows(m)) {
            out_monitor_live(stderr, m, shown, mon_rows(m) - 1);
            shown = mon_rows(m) - 1;
            last_live = now;
        }
        if (rc != 0)
            return rc > 0 ? END_EXITED : END_ERROR;
        if (a->duration > 0 && (double)(now - t0) >= a->duration * 1e9)
            return END_DURATION;
        deadline += step;
        if (deadline <= now) /* a late tick: skip the deadlines already missed */
            deadline = now + step;
    }
}

static void iso_date(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Start (into *child) or find the target and open the monitor. Returns 0, or an exit code
 * after a message (a launched child is then ended and reaped). */
static int start(const struct monitor_args *a, struct util_proc *child, struct mon **m, int64_t *t0)
{
    struct mon_opts opts = {.launched = a->cmd != NULL};
    int pid = a->pid, rc;

    if (a->cmd && cli_launch(a->cmd, child) != 0)
        return 127;
    if (a->cmd)
        pid = child->pid;
    if (!a->cmd && cli_attach_refuse(pid) != 0) /* a kernel thread, a zombie: nothing to read */
        return EXIT_ERROR;
    *t0 = util_clock_mono_ns();
    rc = mon_open(pid, &opts, *t0, m);
    if (rc == 0)
        return 0;
    /* Its /proc files cannot be read: the kernel refused (the reason is found). */
    cli_attach_error(pid, rc == -EACCES ? -EPERM : rc, "");
    if (a->cmd) {
        util_proc_end(child, SIGKILL, NULL);
        util_proc_destroy(child);
    }
    return EXIT_ERROR;
}

int cli_monitor(int argc, char **argv)
{
    struct monitor_args a;
    struct out_monitor_meta meta;
    struct proc_status self;
    struct mon *m = NULL;
    struct util_proc child;
    volatile sig_atomic_t *stop;
    struct sbuf cmd;
    char date[32];
    int64_t t0;
    int rc, wrc, pid;
    enum end end;

    if ((rc = parse_args(argc, argv, &a)) != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    if (open_outputs(&a) < 0)
        return EXIT_ERROR;
    stop = cli_signals_install(1);
    iso_date(date, sizeof(date));
    if ((rc = start(&a, &child, &m, &t0)) != 0) {
        close_outputs(&a);
        return rc;
    }
    pid = a.cmd ? child.pid : a.pid;
    end = run(&a, m, t0, stop);
    rc = end == END_STOPPED ? EXIT_INTERRUPTED : end == END_ERROR ? EXIT_ERROR : EXIT_OK;
    if (a.cmd)
        rc = finish_child(&child, stop, end == END_DURATION);
    sbuf_init(&cmd);
    for (char **c = a.cmd; c && *c; c++)
        sbuf_printf(&cmd, "%s%s", c == a.cmd ? "" : " ", *c);
    memset(&meta, 0, sizeof(meta));
    meta.version = SPYGLASS_VERSION;
    meta.date = date;
    meta.command = sbuf_str(&cmd);
    meta.pid = pid;
    meta.interval = a.interval;
    meta.elapsed = mon_rows(m) ? mon_time(m, mon_rows(m) - 1) : 0;
    meta.exit_code = a.cmd ? rc : -1;
    meta.interrupted = end == END_STOPPED;
    meta.self_cpu = util_clock_s(util_clock_process_cpu_ns());
    if (proc_status_read(0, &self) == 0)
        meta.self_hwm = self.vm_hwm;
    mon_get_stats(m, &meta.st);
    if (!a.quiet)
        out_monitor_summary(stderr, m, &meta);
    wrc = write_outputs(&a, m, &meta);
    sbuf_destroy(&cmd);
    mon_free(m);
    return wrc ? wrc : rc;
}
