/* What the measuring subcommands (bench, timeit) share on the command line: the argv loop with
 * the options both take (comparisons, seed, exports, baseline, quiet, help), numbers in options
 * with one-line errors, the warnings of a report, and the progress line (the stop flag that
 * Ctrl-C sets: cli_signals). Every message is one line on stderr starting "spyglass: CMD: ".
 * SPDX-License-Identifier: MIT */
#ifndef CLI_COMMON_H
#define CLI_COMMON_H

#include <getopt.h>
#include <stdint.h>

#include "cli_export.h"

/* getopt_long values of the shared long options, above those of the subcommands (from 256). */
enum cli_common_opt {
    CLI_OPT_REFERENCE = 4096,
    CLI_OPT_ALPHA,
    CLI_OPT_SEED,
    CLI_OPT_JSON,
    CLI_OPT_CSV,
    CLI_OPT_MARKDOWN,
    CLI_OPT_BASELINE,
    CLI_OPT_MAX_REGRESSION,
};

/* The shared entries of a struct option table, placed before the subcommand's terminating
 * {NULL, 0, NULL, 0}. The short options -q and -h must be in its optstring. */
/* clang-format off */
#define CLI_COMMON_LONGOPTS                                                 \
    {"reference", required_argument, NULL, CLI_OPT_REFERENCE},              \
    {"alpha", required_argument, NULL, CLI_OPT_ALPHA},                      \
    {"seed", required_argument, NULL, CLI_OPT_SEED},                        \
    {"export-json", required_argument, NULL, CLI_OPT_JSON},                 \
    {"export-csv", required_argument, NULL, CLI_OPT_CSV},                   \
    {"export-markdown", required_argument, NULL, CLI_OPT_MARKDOWN},         \
    {"baseline", required_argument, NULL, CLI_OPT_BASELINE},                \
    {"max-regression", required_argument, NULL, CLI_OPT_MAX_REGRESSION},    \
    {"quiet", no_argument, NULL, 'q'},                                      \
    {"help", no_argument, NULL, 'h'}
/* clang-format on */

/* The values of the shared options. */
struct cli_common {
    const char *cmd;                  /* the subcommand, "bench" or "timeit", for messages */
    const char *exports[CLI_EXPORTS]; /* --export-json/-csv/-markdown paths, NULL when not given */
    const char *baseline;             /* --baseline path, NULL without */
    double max_regression;            /* --max-regression, percent slowdown (default 5) */
    double alpha;                     /* --alpha, significance level in (0, 0.5) (default 0.01) */
    int reference;                    /* --reference, 1-based; 0: the fastest (default) */
    uint64_t seed;                    /* --seed; default from the clock */
    int quiet;                        /* -q: no progress line */
};

/* Handles one option of the subcommand (getopt_long's value opt, its argument arg, NULL for
 * none; a handler may take more words from argv at optind). Returns 0, 1 when opt is not one of
 * its options, or -1 after printing one line. */
typedef int (*cli_opt_fn)(void *ctx, int opt, const char *arg, int argc, char **argv);

/* Parse the options of argv (argv[0] is the subcommand) with getopt_long: optstring (which must
 * start with "+:" and hold "q" and "h") and longopts (with CLI_COMMON_LONGOPTS). c is set to the
 * defaults first; shared options fill c, the others go to fn(ctx, ...); -h prints usage on
 * standard output. An unknown option or a missing value is one line naming it. Returns 0 with
 * optind at the first operand, 1 after --help, or -1 after an error line. */
int cli_common_parse(struct cli_common *c, const char *cmd, int argc, char **argv,
                     const char *optstring, const struct option *longopts, const char *usage,
                     cli_opt_fn fn, void *ctx);

/* Print "spyglass: CMD: invalid value 'V' for OPT". Returns -1. */
int cli_bad_value(const char *cmd, const char *opt, const char *v);

/* Parse the whole of v, as a decimal integer in [min, max] (cli_parse_int), a finite number in
 * [min, max] (cli_parse_num; max may be HUGE_VAL) or an unsigned 64-bit integer without sign
 * (cli_parse_u64), into *out. Returns 0, or -1 after cli_bad_value() (*out untouched). */
int cli_parse_int(const char *cmd, const char *opt, const char *v, long min, long max, int *out);
int cli_parse_num(const char *cmd, const char *opt, const char *v, double min, double max,
                  double *out);
int cli_parse_u64(const char *cmd, const char *opt, const char *v, uint64_t *out);

/* Print why the --baseline file of c cannot be used: err from the reader, or for -EINVAL its
 * one-line reason why. */
void cli_common_base_error(const struct cli_common *c, int err, const char *why);

/* The exit code of bench or timeit once the report is out: rc when it is not EXIT_OK or when
 * no comparison with the baseline was a regression (VERDICT_REGRESSION, verdict.h), else
 * EXIT_REGRESSION (4) after printing the line that explains it. */
int cli_common_exit(const struct cli_common *c, int rc, int regression);

/* ---- warnings ---- */

#define CLI_MAX_WARNINGS 64 /* more are dropped */

/* The warnings of a report, one line each without a newline. Zero it to start. */
struct cli_warnings {
    char text[CLI_MAX_WARNINGS][320];
    const char *lines[CLI_MAX_WARNINGS]; /* lines[i] is text[i], for the writers */
    int n;
};

/* Add a warning (cut at 319 bytes). */
void cli_warn(struct cli_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- progress ---- */

/* The progress line on stderr: redrawn every 0.1 s on a terminal, a plain line every 10 s
 * otherwise, nothing with -q. */
struct cli_progress {
    int tty;     /* stderr is a terminal */
    int quiet;   /* -q */
    double last; /* seconds since t0 at the last line */
    int64_t t0;  /* CLOCK_MONOTONIC ns at the start */
};

void cli_progress_start(struct cli_progress *p, int quiet);

/* 1 when a line is due now; then *t receives the seconds since the start. */
int cli_progress_due(struct cli_progress *p, double *t);

/* bar[0..20]: 20 characters, '#' for the share done of total, then '.', and a NUL. */
void cli_progress_bar(char bar[21], int done, int total);

/* Erase the line drawn on a terminal. */
void cli_progress_end(const struct cli_progress *p);

#endif
