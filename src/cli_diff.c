/* spyglass diff: read two saved profiles, normalise A to B's units (rate, duration or total),
 * write collapsed-diff lines, a differential flame graph (SVG) or a differential HTML page.
 * SPDX-License-Identifier: MIT */
#include "cli_diff.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg_diff.h"
#include "cli.h"
#include "cli_attach.h"
#include "cli_msg.h"
#include "cli_profile.h"
#include "out_diff.h"
#include "out_html.h"
#include "util_file.h"

enum diff_format {
    DIFF_COLLAPSED = 0, /* "stack A B" lines */
    DIFF_SVG = 1,       /* differential flame graph */
    DIFF_HTML = 2,      /* the HTML report in its differential mode */
};

struct diff_args {
    const char *in[2];    /* A, B ("-": standard input, for one of them) */
    const char *out_path; /* NULL: standard output */
    enum diff_format format;
    int format_set;
    enum agg_diff_norm norm;
    int norm_set;
    double rate; /* Hz of an input that does not say; 0: none given */
    const char *title;
    int quiet;
    struct cli_sources src; /* html: --sources, --no-sources */
};

static const char usage[] =
    "usage: spyglass diff A B [-o OUT] [-f FMT] [--normalize MODE] [--rate HZ]\n"
    "                         [--sources DIR[,DIR...]] [--no-sources]\n"
    "Compare two saved profiles of the same program (raw or collapsed): A before, B after.\n"
    "\n"
    "  -o, --output FILE    write to FILE (default: standard output)\n"
    "  -f, --format FMT     collapsed: 'frame;frame;... A B' lines (difffolded.pl's format,\n"
    "                       which flamegraph.pl draws), A's weights in B's units, rounded;\n"
    "                       svg: B's flame graph coloured by change, red where it grew, blue\n"
    "                       where it shrank; html: the same graph in the HTML report (zoom,\n"
    "                       search, thread filter), a table of functions with A, B and the\n"
    "                       change, both runs' facts (default: from OUT's extension: .svg,\n"
    "                       .html or .htm; else collapsed)\n"
    "  -n, --normalize M    how A's weights are put in B's units:\n"
    "                       time      by sampling rate: equal time, equal weight (default when\n"
    "                                 both say their rate: raw files do, or --rate)\n"
    "                       duration  by rate and length of recording: per second recorded\n"
    "                                 (attached for different lengths of time)\n"
    "                       total     each profile's share of its total (default otherwise)\n"
    "                       none      the weights as they are\n"
    "  -r, --rate HZ        the sampling rate of an input that does not say it (collapsed)\n"
    "      --title TEXT     the SVG's or page's title (default: 'spyglass diff: A -> B')\n"
    "  -q, --quiet          no summary line\n"
    "      --sources DIRS   html: embed source files only from these directories (comma-\n"
    "                       separated; may be given again): as root, also files there that\n"
    "                       are not world-readable\n"
    "      --no-sources     html: no source texts (none read, none kept from raw files)\n"
    "\n"
    "html shows the source texts raw files hold (B's where both have one) and reads the\n"
    "others from disk as 'spyglass report' does: regular files only, none under /etc,\n"
    "/proc, /sys, /dev or /root, only files you could read without privilege (as root:\n"
    "world-readable ones) unless --sources names the directories; hottest in B first.\n";

static int parse_norm(const char *s, enum agg_diff_norm *out)
{
    static const char *const names[] = {"none", "total", "time", "duration"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum agg_diff_norm)i;
            return 0;
        }
    }
    cli_msg(stderr, "spyglass: --normalize is none, total, time or duration, not '%s'\n", s);
    return -1;
}

static const char *const format_names[] = {"collapsed", "svg", "html"};

/* The format an output file's name implies (collapsed when none). */
static enum diff_format format_of_path(const char *path)
{
    static const struct {
        const char *ext;
        enum diff_format fmt;
    } exts[] = {{".svg", DIFF_SVG}, {".html", DIFF_HTML}, {".htm", DIFF_HTML}};
    size_t n = path ? strlen(path) : 0;

    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t len = strlen(exts[i].ext);
        if (n > len && strcmp(path + n - len, exts[i].ext) == 0)
            return exts[i].fmt;
    }
    return DIFF_COLLAPSED;
}

static int parse_option(struct diff_args *da, int c, const char *arg)
{
    char *end;
    switch (c) {
    case 'o':
        da->out_path = strcmp(arg, "-") == 0 ? NULL : arg;
        return 0;
    case 'f':
        da->format_set = 1;
        for (int i = 0; i < 3; i++) {
            if (strcmp(arg, format_names[i]) == 0) {
                da->format = (enum diff_format)i;
                return 0;
            }
        }
        cli_msg(stderr, "spyglass: diff's --format is collapsed, svg or html, not '%s'\n", arg);
        return -1;
    case 'n':
        da->norm_set = 1;
        return parse_norm(arg, &da->norm);
    case 'r':
        da->rate = strtod(arg, &end);
        if (*arg && !*end && isfinite(da->rate) && da->rate >= 0.01 && da->rate <= 1e6)
            return 0;
        fprintf(stderr, "spyglass: --rate takes a number of Hz from 0.01 to 1000000\n");
        return -1;
    case 'T':
        da->title = arg;
        return 0;
    case 'S':
        return cli_sources_add(&da->src, arg);
    case 'N':
        da->src.off = 1;
        return 0;
    }
    return -1;
}

/* Returns 0, 1 after --help, or -1 on a usage error (printed). */
static int parse_args(int argc, char **argv, struct diff_args *da)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"normalize", required_argument, NULL, 'n'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {"title", required_argument, NULL, 'T'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"sources", required_argument, NULL, 'S'},
                                         {"no-sources", no_argument, NULL, 'N'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;

    memset(da, 0, sizeof(*da));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:n:r:qh", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 1;
        } else if (c == 'q') {
            da->quiet = 1;
        } else if (c == '?' || c == ':') {
            cli_bad_option("diff", c, argv);
            return -1;
        } else if (parse_option(da, c, optarg) != 0) {
            return -1;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr,
                "spyglass: diff takes two profiles, A and B (try 'spyglass diff --help')\n");
        return -1;
    }
    da->in[0] = argv[optind];
    da->in[1] = argv[optind + 1];
    if (strcmp(da->in[0], "-") == 0 && strcmp(da->in[1], "-") == 0) {
        fprintf(stderr, "spyglass: only one of A and B can be standard input\n");
        return -1;
    }
    if (!da->format_set)
        da->format = format_of_path(da->out_path);
    return 0;
}

static double rate_of(const struct agg_meta *m)
{
    return m->rate_effective > 0 ? m->rate_effective : m->rate_requested;
}

/* The facts of profile p for normalising: a raw file's; --rate for one that does not say. */
static struct agg_meta facts(const struct diff_args *da, const struct cli_profile *p)
{
    struct agg_meta m = {.overhead = -1};
    if (p->raw)
        m = p->info.meta;
    if (!(rate_of(&m) > 0))
        m.rate_requested = da->rate;
    return m;
}

/* The factor that puts A in B's units (the mode picked when not given), from the facts m of
 * profiles p. Returns 0 or an exit code (message printed). */
static int factor(struct diff_args *da, const struct cli_profile *p, const struct agg_meta *m,
                  double *k)
{
    char why[200];

    if (!da->norm_set) {
        int timed = rate_of(&m[0]) > 0 && rate_of(&m[1]) > 0;
        da->norm = m[1].unit ? AGG_DIFF_NONE : timed ? AGG_DIFF_TIME : AGG_DIFF_TOTAL;
        if (!timed && !m[1].unit && !da->quiet)
            cli_msg(stderr,
                    "spyglass: note: %s does not say its sampling rate: each profile is "
                    "normalised by its total (shares; give --rate HZ, or --normalize)\n",
                    rate_of(&m[0]) > 0 ? da->in[1] : da->in[0]);
    }
    if (agg_diff_factor(da->norm, &m[0], agg_total(p[0].a), &m[1], agg_total(p[1].a), k, why,
                        sizeof(why)) != 0) {
        cli_msg(stderr, "spyglass: cannot normalise by %s: %s\n", agg_diff_norm_name(da->norm),
                why);
        return EXIT_ERROR;
    }
    return 0;
}

/* Write x's diff to f in da's format. Returns 0 or the writer's negative errno. */
static int write_one(FILE *f, const struct diff_args *da, const struct out_html_diff *x,
                     const struct agg_meta *m)
{
    if (da->format == DIFF_SVG)
        return out_diff_svg_write(f, x->d, m);
    if (da->format == DIFF_HTML)
        return out_html_write_diff(f, x, m);
    return out_diff_collapsed_write(f, x->d);
}

struct one {
    const struct diff_args *da;
    const struct out_html_diff *x;
    const struct agg_meta *m;
};

static int write_through(FILE *f, void *ctx)
{
    const struct one *o = ctx;

    return write_one(f, o->da, o->x, o->m);
}

/* Write d as da asks; x says what the page needs of A and B (sides' facts, normalisation). */
static int write_diff(const struct diff_args *da, const struct out_html_diff *x, const char *unit)
{
    char title[512];
    struct agg_meta m = {.title = da->title, .unit = unit, .overhead = -1};

    if (da->format == DIFF_HTML)
        m.sources = &da->src.st;
    struct file_out out;
    int err;

    if (!m.title) {
        snprintf(title, sizeof(title), "spyglass diff: %s -> %s", da->in[0], da->in[1]);
        m.title = title;
    }
    if (!da->out_path && isatty(STDOUT_FILENO)) {
        /* names can hold control sequences: escaped on a terminal */
        struct one o = {da, x, &m};

        err = cli_msg_through(stdout, write_through, &o);
    } else {
        err = file_out_open(&out, da->out_path, 0);
        if (!err)
            err = file_out_close(&out, write_one(out.f, da, x, &m));
    }
    if (err) {
        cli_write_error(da->out_path ? da->out_path : "standard output", err);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

static void summary(const struct diff_args *da, const struct agg_diff *d, double k,
                    const char *unit)
{
    double a = agg_diff_total_a(d), b = (double)agg_diff_total_b(d);
    cli_msg(stderr, "spyglass: diff: A %.1f -> B %.0f %s (%+.1f%%), A normalised by %s (x%.4g)\n",
            a, b, unit ? unit : "samples", a > 0 ? 100.0 * (b - a) / a : 0.0,
            agg_diff_norm_name(da->norm), k);
}

int cli_diff(int argc, char **argv)
{
    struct diff_args da;
    struct cli_profile p[2];
    struct agg_meta m[2];
    struct agg_diff *d = NULL;
    double k = 1;
    int rc = parse_args(argc, argv, &da);

    if (rc) {
        cli_sources_destroy(&da.src);
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    memset(p, 0, sizeof(p));
    for (int i = 0; i < 2 && !rc; i++) {
        rc = cli_profile_load(da.in[i], &p[i]);
        if (!rc && agg_total(p[i].a) == 0) {
            cli_msg(stderr, "spyglass: %s holds no samples: nothing to compare\n", da.in[i]);
            rc = EXIT_ERROR;
        }
    }
    if (!rc) {
        m[0] = facts(&da, &p[0]);
        m[1] = facts(&da, &p[1]);
        rc = factor(&da, p, m, &k);
    }
    if (!rc) {
        const char *unit = p[1].raw ? p[1].info.meta.unit : NULL;
        d = agg_diff_new(p[0].a, p[1].a, k);
        if (da.format == DIFF_HTML)
            cli_sources_attach(&da.src, agg_diff_agg_mut(d));
        struct out_html_diff x = {d, {da.in[0], &m[0]}, {da.in[1], &m[1]}, da.norm, k};
        rc = write_diff(&da, &x, unit);
        if (!rc && !da.quiet)
            summary(&da, d, k, unit);
    }
    agg_diff_free(d);
    cli_profile_destroy(&p[0]);
    cli_profile_destroy(&p[1]);
    cli_sources_destroy(&da.src);
    return rc;
}
