/* Command-line pieces shared by `spyglass bench` and `spyglass timeit`.
 * SPDX-License-Identifier: MIT */
#include "cli_common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_attach.h"
#include "cli_msg.h"
#include "util_clock.h"

#define INT_OPT_MAX 100000000 /* the largest count or index any shared option takes */

int cli_bad_value(const char *cmd, const char *opt, const char *v)
{
    cli_msg(stderr, "spyglass: %s: invalid value '%s' for %s\n", cmd, v, opt);
    return -1;
}

int cli_parse_int(const char *cmd, const char *opt, const char *v, long min, long max, int *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max)
        return cli_bad_value(cmd, opt, v);
    *out = (int)n;
    return 0;
}

int cli_parse_num(const char *cmd, const char *opt, const char *v, double min, double max,
                  double *out)
{
    char *end;
    double d;

    errno = 0;
    d = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(d) || d < min || d > max)
        return cli_bad_value(cmd, opt, v);
    *out = d;
    return 0;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *v, uint64_t *out)
{
    char *end;
    unsigned long long n;

    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-')
        return cli_bad_value(cmd, opt, v);
    *out = n;
    return 0;
}

static void defaults(struct cli_common *c, const char *cmd)
{
    int64_t now = util_clock_real_ns();

    memset(c, 0, sizeof(*c));
    c->cmd = cmd;
    c->seed =
        (uint64_t)(now / UTIL_CLOCK_NS_PER_S) * 1000000007u ^ (uint64_t)(now % UTIL_CLOCK_NS_PER_S);
    c->alpha = 0.01;
    c->max_regression = 5;
}

/* Fill c from a shared option. Returns 0, 1 when opt is not one, or -1 (printed). */
static int common_opt(struct cli_common *c, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_REFERENCE:
        return cli_parse_int(c->cmd, "--reference", arg, 1, INT_OPT_MAX, &c->reference);
    case CLI_OPT_ALPHA:
        if (cli_parse_num(c->cmd, "--alpha", arg, 1e-12, 0.5, &c->alpha) < 0)
            return -1;
        return c->alpha < 0.5 ? 0 : cli_bad_value(c->cmd, "--alpha", arg);
    case CLI_OPT_SEED:
        return cli_parse_u64(c->cmd, "--seed", arg, &c->seed);
    case CLI_OPT_JSON:
    case CLI_OPT_CSV:
    case CLI_OPT_MARKDOWN:
        c->exports[opt - CLI_OPT_JSON] = arg;
        return 0;
    case CLI_OPT_BASELINE:
        c->baseline = arg;
        return 0;
    case CLI_OPT_MAX_REGRESSION:
        return cli_parse_num(c->cmd, "--max-regression", arg, 0, HUGE_VAL, &c->max_regression);
    case 'q':
        c->quiet = 1;
        return 0;
    default:
        return 1;
    }
}

int cli_common_parse(struct cli_common *c, const char *cmd, int argc, char **argv,
                     const char *optstring, const struct option *longopts, const char *usage,
                     cli_opt_fn fn, void *ctx)
{
    int opt, rc;

    defaults(c, cmd);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage, stdout);
            return 1;
        }
        if (opt == '?' || opt == ':')
            rc = 1;
        else if ((rc = common_opt(c, opt, optarg)) == 1)
            rc = fn(ctx, opt, optarg, argc, argv);
        if (rc == 1)
            cli_bad_option(cmd, opt, argv);
        if (rc != 0)
            return -1;
    }
    return 0;
}

void cli_common_base_error(const struct cli_common *c, int err, const char *why)
{
    cli_msg(stderr, "spyglass: %s: cannot use baseline '%s': %s\n", c->cmd, c->baseline,
            err == -EINVAL ? why : strerror(-err));
}

int cli_common_exit(const struct cli_common *c, int rc, int regression)
{
    if (rc != EXIT_OK || !regression)
        return rc;
    fprintf(stderr, "spyglass: %s: significant slowdown of more than %g%% against the baseline\n",
            c->cmd, c->max_regression);
    return EXIT_REGRESSION;
}

void cli_warn(struct cli_warnings *w, const char *fmt, ...)
{
    va_list ap;

    if (w->n == CLI_MAX_WARNINGS)
        return;
    va_start(ap, fmt);
    vsnprintf(w->text[w->n], sizeof(w->text[w->n]), fmt, ap);
    va_end(ap);
    w->lines[w->n] = w->text[w->n];
    w->n++;
}

void cli_progress_start(struct cli_progress *p, int quiet)
{
    memset(p, 0, sizeof(*p));
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
    p->t0 = util_clock_mono_ns();
}

int cli_progress_due(struct cli_progress *p, double *t)
{
    double now = util_clock_s(util_clock_mono_ns() - p->t0);

    if (p->quiet || now - p->last < (p->tty ? 0.1 : 10))
        return 0;
    p->last = now;
    *t = now;
    return 1;
}

void cli_progress_bar(char bar[21], int done, int total)
{
    int fill = total > 0 ? (int)(20 * (long long)done / total) : 0;

    for (int i = 0; i < 20; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[20] = '\0';
}

void cli_progress_end(const struct cli_progress *p)
{
    if (p->tty && !p->quiet)
        fputs("\r\033[K", stderr);
}
