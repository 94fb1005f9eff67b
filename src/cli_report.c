/* spyglass report: read a collapsed profile (what `record` writes by default) and write it in
 * another format: collapsed, svg, html, speedscope, pprof, pstats.
 * SPDX-License-Identifier: MIT */
#include "cli_report.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg_collapsed.h"
#include "cli.h"
#include "cli_attach.h"
#include "out_format.h"
#include "proc_src.h"
#include "util_file.h"

#define INPUT_MAX (1ULL << 30) /* bytes of collapsed text read at most */

struct report_args {
    const char *in;       /* "-": standard input */
    const char *out_path; /* NULL or "-": standard output */
    enum out_format format;
    int format_set;
    double rate; /* Hz the profile was sampled at */
    const char *title;
};

static const char usage[] =
    "usage: spyglass report IN [-o OUT] [-f FMT] [--rate HZ]\n"
    "Convert a collapsed profile (what 'spyglass record' writes by default: one\n"
    "'frame;frame;... COUNT' line per stack) to another format.\n"
    "\n"
    "  IN                   the collapsed profile ('-': standard input)\n"
    "  -o, --output FILE    write to FILE (default: standard output)\n"
    "  -f, --format FMT     " OUT_FORMAT_NAMES "\n"
    "                       (default: from -o's extension: .svg, .html/.htm, .json,\n"
    "                       .pb.gz/.pprof, .pstats/.prof; else collapsed)\n"
    "  -r, --rate HZ        the rate the profile was sampled at, for times in pprof and\n"
    "                       pstats (default 100, record's default)\n"
    "      --title TEXT     the title shown in svg, html, speedscope and pprof (default: IN)\n"
    "\n"
    "html reads the source files the frames name from disk, by their paths as written (when\n"
    "readable), for its source view.\n"
    "pprof and pstats are binary: they are not written to a terminal.\n";

static int parse_args(int argc, char **argv, struct report_args *ra)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
        {"rate", required_argument, NULL, 'r'},   {"title", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
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
                fprintf(stderr, "spyglass: --format is " OUT_FORMAT_NAMES ", not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'r':
            ra->rate = strtod(optarg, &end);
            if (!*optarg || *end || !isfinite(ra->rate) || ra->rate < 0.01 || ra->rate > 1e6) {
                fprintf(stderr, "spyglass: --rate takes a number of Hz from 0.01 to 1000000\n");
                return -1;
            }
            break;
        case 'T':
            ra->title = optarg;
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

/* Read and parse ra->in into a. Returns 0 or an exit code (message printed). */
static int load(const struct report_args *ra, struct agg *a)
{
    const char *path = strcmp(ra->in, "-") == 0 ? "/dev/stdin" : ra->in;
    char *text = NULL, why[160];
    size_t len = 0;
    int err = file_read(path, INPUT_MAX, &text, &len);

    if (err == -EFBIG) {
        fprintf(stderr, "spyglass: %s is larger than %llu MiB\n", ra->in, INPUT_MAX >> 20);
        return EXIT_ERROR;
    }
    if (err) {
        fprintf(stderr, "spyglass: cannot read %s: %s\n", ra->in, strerror(-err));
        return EXIT_ERROR;
    }
    err = agg_collapsed_parse(a, text, len, why, sizeof(why));
    free(text);
    if (err) {
        fprintf(stderr, "spyglass: %s is not a collapsed profile: %s\n", ra->in, why);
        return EXIT_ERROR;
    }
    if (agg_total(a) == 0)
        fprintf(stderr, "spyglass: warning: %s holds no samples\n", ra->in);
    return 0;
}

/* Write a to ra->out_path or standard output. Returns an exit code. */
static int save(const struct report_args *ra, const struct agg *a)
{
    struct agg_meta meta = {
        .title = ra->title ? ra->title : ra->in,
        .rate_requested = ra->rate,
        .overhead = -1,
    };
    const char *name = ra->out_path ? ra->out_path : "standard output";
    FILE *f = stdout;
    int err;

    if (!ra->out_path && out_format_binary(ra->format) && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "spyglass: not writing a binary profile to a terminal (use -o FILE)\n");
        return EXIT_USAGE;
    }
    if (ra->out_path && !(f = fopen(ra->out_path, "wb"))) {
        cli_write_error(ra->out_path, errno);
        return EXIT_ERROR;
    }
    err = out_format_write(f, ra->format, a, &meta);
    if (f != stdout) {
        if (fclose(f) != 0 && !err)
            err = -errno;
    } else if (fflush(f) != 0 && !err) {
        err = -errno;
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
    struct agg *a;
    int rc = parse_args(argc, argv, &ra);

    if (rc)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    a = agg_new();
    rc = load(&ra, a);
    if (!rc && ra.format == OUT_FORMAT_HTML)
        proc_src_attach(a, 0, NULL, NULL);
    if (!rc)
        rc = save(&ra, a);
    agg_free(a);
    return rc;
}
