/* spyglass report: read a saved profile (collapsed, what `record` writes by default, or raw) and
 * write it in another format: collapsed, svg, html, speedscope, pprof, pstats, raw, chrome.
 * SPDX-License-Identifier: MIT */
#include "cli_report.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg_timeline.h"
#include "cli.h"
#include "cli_attach.h"
#include "cli_msg.h"
#include "cli_profile.h"
#include "out_format.h"
#include "util_file.h"

struct report_args {
    const char *in;       /* "-": standard input */
    const char *out_path; /* NULL or "-": standard output */
    enum out_format format;
    int format_set;
    double rate; /* Hz the profile was sampled at */
    int rate_set;
    const char *title;
    struct cli_sources src; /* html: --sources, --no-sources */
};

static const char usage[] =
    "usage: spyglass report IN [-o OUT] [-f FMT] [--rate HZ] [--sources DIR[,DIR...]]\n"
    "                       [--no-sources]\n"
    "Convert a saved profile to another format: a raw profile ('spyglass record -f raw',\n"
    "also one cut short by a crash), or collapsed text (what 'spyglass record' writes by\n"
    "default: one 'frame;frame;... COUNT' line per stack).\n"
    "\n"
    "  IN                   the profile ('-': standard input); raw is told by its magic\n"
    "  -o, --output FILE    write to FILE (default: standard output)\n"
    "  -f, --format FMT     " OUT_FORMAT_NAMES "\n"
    "                       (default: from -o's extension: .svg, .html/.htm, .json,\n"
    "                       .pb.gz/.pprof, .pstats/.prof, .spyraw, .trace.json; else\n"
    "                       collapsed); chrome needs the samples in time order, which only\n"
    "                       raw files hold\n"
    "  -r, --rate HZ        the rate the profile was sampled at, for times in pprof and\n"
    "                       pstats (default: the raw file's, else 100, record's default)\n"
    "      --title TEXT     the title shown in svg, html, speedscope and pprof (default: the\n"
    "                       raw file's, else IN)\n"
    "      --sources DIRS   html: embed source files only from these directories (comma-\n"
    "                       separated; may be given again): as root, also files there that\n"
    "                       are not world-readable\n"
    "      --no-sources     no source texts in html (none read, none kept from a raw file)\n"
    "                       or raw output\n"
    "\n"
    "html shows the source texts a raw file holds; the others it reads from disk by their\n"
    "paths as written: regular files only (never a device, FIFO or socket), none under /etc,\n"
    "/proc, /sys, /dev or /root, and only files you could read without privilege (run as\n"
    "root: world-readable ones) unless --sources names the directories. The page lists the\n"
    "files it holds and how many were left out, and why.\n"
    "pprof, pstats and raw are binary: they are not written to a terminal.\n";

static int parse_args(int argc, char **argv, struct report_args *ra)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},  {"format", required_argument, NULL, 'f'},
        {"rate", required_argument, NULL, 'r'},    {"title", required_argument, NULL, 'T'},
        {"sources", required_argument, NULL, 'S'}, {"no-sources", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    char *end;
    int c;

    memset(ra, 0, sizeof(*ra));
    ra->rate = 100;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return 1;
        case 'o':
            ra->out_path = optarg;
            break;
        case 'f':
            ra->format_set = 1;
            if (out_format_parse(optarg, &ra->format) != 0) {
                cli_msg(stderr, "spyglass: --format is " OUT_FORMAT_NAMES ", not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'r':
            ra->rate_set = 1;
            ra->rate = strtod(optarg, &end);
            if (!*optarg || *end || !isfinite(ra->rate) || ra->rate < 0.01 || ra->rate > 1e6) {
                fprintf(stderr, "spyglass: --rate takes a number of Hz from 0.01 to 1000000\n");
                return -1;
            }
            break;
        case 'T':
            ra->title = optarg;
            break;
        case 'S':
            if (cli_sources_add(&ra->src, optarg) != 0)
                return -1;
            break;
        case 'N':
            ra->src.off = 1;
            break;
        default:
            cli_bad_option("report", c, argv);
            return -1;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "spyglass: report takes one input file (try 'spyglass report --help')\n");
        return -1;
    }
    ra->in = argv[optind];
    if (ra->out_path && strcmp(ra->out_path, "-") == 0)
        ra->out_path = NULL;
    if (!ra->format_set)
        ra->format = out_format_from_path(ra->out_path);
    return 0;
}

/* Whether the profile can be written as ra->format; says why not. */
static int writable(const struct report_args *ra, const struct cli_profile *p)
{
    if (ra->format != OUT_FORMAT_CHROME)
        return 1;
    if (!p->raw) {
        fprintf(stderr, "spyglass: a chrome trace needs the samples in time order, which a "
                        "collapsed profile does not hold (record with -f raw or -f chrome)\n");
        return 0;
    }
    if (agg_timeline_nticks(p->tl) == 0 && agg_total(p->a) > 0) {
        cli_msg(stderr,
                "spyglass: %s holds totals without times (it was converted from "
                "collapsed text): no chrome trace can be made of it\n",
                ra->in);
        return 0;
    }
    return 1;
}

struct shown {
    enum out_format format;
    const struct agg *a;
    const struct agg_meta *m;
};

static int write_shown(FILE *f, void *ctx)
{
    const struct shown *sh = ctx;

    return out_format_write(f, sh->format, sh->a, sh->m);
}

/* Write profile p to ra->out_path or standard output. Returns an exit code. */
static int save(const struct report_args *ra, const struct cli_profile *p)
{
    struct agg_meta meta = {
        .title = ra->in,
        .rate_requested = ra->rate,
        .overhead = -1,
    };
    const char *name = ra->out_path ? ra->out_path : "standard output";
    struct file_out out;
    int err;

    if (p->raw) {
        meta = p->info.meta;
        meta.title = meta.title ? meta.title : ra->in;
        if (ra->rate_set) {
            meta.rate_requested = ra->rate;
            meta.rate_effective = 0;
        }
    }
    if (ra->title)
        meta.title = ra->title;
    if (ra->format == OUT_FORMAT_HTML)
        meta.sources = &ra->src.st;
    if (!ra->out_path && out_format_binary(ra->format) && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "spyglass: not writing a binary profile to a terminal (use -o FILE)\n");
        return EXIT_USAGE;
    }
    if (!writable(ra, p))
        return EXIT_ERROR;
    if (!ra->out_path && isatty(STDOUT_FILENO)) {
        /* names can hold control sequences: escaped on a terminal */
        struct shown sh = {ra->format, p->a, &meta};

        err = cli_msg_through(stdout, write_shown, &sh);
    } else {
        err = file_out_open(&out, ra->out_path, 0);
        if (!err)
            err = file_out_close(&out, out_format_write(out.f, ra->format, p->a, &meta));
    }
    if (err) {
        cli_write_error(name, err);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

int cli_report(int argc, char **argv)
{
    struct report_args ra;
    struct cli_profile p;
    int rc = parse_args(argc, argv, &ra);

    if (rc) {
        cli_sources_destroy(&ra.src);
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    rc = cli_profile_load(ra.in, &p);
    if (!rc && agg_total(p.a) == 0)
        cli_msg(stderr, "spyglass: warning: %s holds no samples\n", ra.in);
    if (!rc && ra.format == OUT_FORMAT_HTML)
        cli_sources_attach(&ra.src, p.a);
    else if (!rc && ra.src.off)
        agg_clear_sources(p.a); /* a raw output keeps none either */
    if (!rc)
        rc = save(&ra, &p);
    cli_profile_destroy(&p);
    cli_sources_destroy(&ra.src);
    return rc;
}
