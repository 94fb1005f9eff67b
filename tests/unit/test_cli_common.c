/* Unit tests for cli_common: numbers in options and their error line, the shared options parsed
 * next to a subcommand's own (defaults, --help, unknown options, bad values), the baseline and
 * regression lines, warnings (cut, capped), the progress bar and its pace.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
#include "suites.h"
#include "test.h"

#define ERRFILE "out/cli_common.err"
#define OUTFILE "out/cli_common.out"

/* The standard stream's output between capture() and captured() goes to path; captured()
 * returns it (static buffer). */
static int saved_fd = -1;

static void capture(FILE *stream, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    fflush(stream);
    saved_fd = dup(fileno(stream));
    dup2(fd, fileno(stream));
    close(fd);
}

static const char *captured(FILE *stream, const char *path)
{
    static char buf[4096];
    FILE *f;
    size_t n = 0;

    fflush(stream);
    dup2(saved_fd, fileno(stream));
    close(saved_fd);
    f = fopen(path, "r");
    if (f) {
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

static void test_numbers(void)
{
    int i = 7;
    double d = 7;
    uint64_t u = 7;

    TEST_EQ_INT(cli_parse_int("x", "--n", "12", 1, 100, &i), 0);
    TEST_EQ_INT(i, 12);
    TEST_EQ_INT(cli_parse_int("x", "--n", "-3", -5, 0, &i), 0);
    TEST_EQ_INT(i, -3);
    capture(stderr, ERRFILE);
    TEST_EQ_INT(cli_parse_int("x", "--n", "0", 1, 100, &i), -1);
    TEST_EQ_INT(cli_parse_int("x", "--n", "101", 1, 100, &i), -1);
    TEST_EQ_INT(cli_parse_int("x", "--n", "5x", 1, 100, &i), -1);
    TEST_EQ_INT(cli_parse_int("x", "--n", "", 1, 100, &i), -1);
    TEST_EQ_INT(cli_parse_int("x", "--n", "99999999999999999999", 1, 100, &i), -1);
    TEST_EQ_STR(captured(stderr, ERRFILE),
                "spyglass: x: invalid value '0' for --n\nspyglass: x: invalid value '101' for "
                "--n\nspyglass: x: invalid value '5x' for --n\nspyglass: x: invalid value '' for "
                "--n\nspyglass: x: invalid value '99999999999999999999' for --n\n");
    TEST_EQ_INT(i, -3); /* untouched on errors */

    TEST_EQ_INT(cli_parse_num("x", "--t", "1e-3", 0, HUGE_VAL, &d), 0);
    TEST_CHECK(d == 1e-3);
    TEST_EQ_INT(cli_parse_num("x", "--t", "1e300", 0, HUGE_VAL, &d), 0);
    capture(stderr, ERRFILE);
    TEST_EQ_INT(cli_parse_num("x", "--t", "nan", 0, HUGE_VAL, &d), -1);
    TEST_EQ_INT(cli_parse_num("x", "--t", "inf", 0, HUGE_VAL, &d), -1);
    TEST_EQ_INT(cli_parse_num("x", "--t", "1e999", 0, HUGE_VAL, &d), -1);
    TEST_EQ_INT(cli_parse_num("x", "--t", "-0.5", 0, 1, &d), -1);
    TEST_EQ_INT(cli_parse_num("x", "--t", "1.5", 0, 1, &d), -1);
    TEST_EQ_INT(cli_parse_num("x", "--t", "1s", 0, 10, &d), -1);
    captured(stderr, ERRFILE);
    TEST_CHECK(d == 1e300);

    TEST_EQ_INT(cli_parse_u64("x", "--seed", "18446744073709551615", &u), 0);
    TEST_CHECK(u == UINT64_MAX);
    capture(stderr, ERRFILE);
    TEST_EQ_INT(cli_parse_u64("x", "--seed", "18446744073709551616", &u), -1);
    TEST_EQ_INT(cli_parse_u64("x", "--seed", "-1", &u), -1);
    TEST_EQ_INT(cli_parse_u64("x", "--seed", "1.5", &u), -1);
    TEST_EQ_STR(captured(stderr, ERRFILE),
                "spyglass: x: invalid value '18446744073709551616' for --seed\nspyglass: x: "
                "invalid value '-1' for --seed\nspyglass: x: invalid value '1.5' for --seed\n");
    TEST_CHECK(u == UINT64_MAX);
}

/* A subcommand with one own option, --level N (-l N). */
struct own {
    int level, calls;
};

static int own_opt(void *ctx, int opt, const char *arg, int argc, char **argv)
{
    struct own *o = ctx;

    (void)argc;
    (void)argv;
    o->calls++;
    if (opt != 'l')
        return 1;
    return cli_parse_int("demo", "--level", arg, 0, 9, &o->level);
}

static const struct option longopts[] = {
    {"level", required_argument, NULL, 'l'},
    CLI_COMMON_LONGOPTS,
    {NULL, 0, NULL, 0},
};

/* Parse the NULL-terminated words (argv[0] is the subcommand). */
static int parse(struct cli_common *c, struct own *o, char **words)
{
    int n = 0;

    while (words[n])
        n++;
    memset(o, 0, sizeof(*o));
    return cli_common_parse(c, "demo", n, words, "+:l:qh", longopts, "usage: demo\n", own_opt, o);
}

static void test_parse(void)
{
    char *all[] = {"demo",    "-l",
                   "3",       "--reference",
                   "2",       "--alpha",
                   "0.05",    "--seed",
                   "42",      "--export-json",
                   "-",       "--export-markdown",
                   "t.md",    "--baseline",
                   "b.json",  "--max-regression",
                   "12.5",    "-q",
                   "operand", "-l",
                   "4",       NULL};
    char *none[] = {"demo", "x", NULL};
    char *help[] = {"demo", "--level", "1", "--help", "--bogus", NULL};
    struct cli_common c;
    struct own o;

    TEST_EQ_INT(parse(&c, &o, all), 0);
    TEST_EQ_INT(o.level, 3);
    TEST_EQ_INT(o.calls, 1); /* shared options never reach the subcommand */
    TEST_EQ_INT(c.reference, 2);
    TEST_CHECK(c.alpha == 0.05 && c.max_regression == 12.5 && c.seed == 42 && c.quiet == 1);
    TEST_EQ_STR(c.exports[CLI_EXPORT_JSON], "-");
    TEST_CHECK(c.exports[CLI_EXPORT_CSV] == NULL);
    TEST_EQ_STR(c.exports[CLI_EXPORT_MARKDOWN], "t.md");
    TEST_EQ_STR(c.baseline, "b.json");
    TEST_EQ_STR(c.cmd, "demo");
    TEST_EQ_STR(all[optind], "operand"); /* options stop at the first operand ("+") */

    TEST_EQ_INT(parse(&c, &o, none), 0);
    TEST_CHECK(c.alpha == 0.01 && c.max_regression == 5 && c.reference == 0 && !c.quiet);
    TEST_CHECK(!c.baseline && !c.exports[0] && !c.exports[1] && !c.exports[2]);
    TEST_EQ_INT(optind, 1);

    capture(stdout, OUTFILE);
    TEST_EQ_INT(parse(&c, &o, help), 1);
    TEST_EQ_STR(captured(stdout, OUTFILE), "usage: demo\n");
}

/* Each bad command line is -1 with its one line. */
static void bad(char **words, const char *line)
{
    struct cli_common c;
    struct own o;

    capture(stderr, ERRFILE);
    TEST_EQ_INT(parse(&c, &o, words), -1);
    TEST_EQ_STR(captured(stderr, ERRFILE), line);
}

static void test_parse_errors(void)
{
    char *unknown[] = {"demo", "--bogus", "x", NULL};
    char *unknown_short[] = {"demo", "-z", NULL};
    char *missing[] = {"demo", "--export-csv", NULL};
    char *alpha[] = {"demo", "--alpha", "0.5", NULL};
    char *own[] = {"demo", "-l", "10", NULL};
    char *reference[] = {"demo", "--reference", "0", NULL};
    char *regression[] = {"demo", "--max-regression", "-1", NULL};

    bad(unknown, "spyglass: demo: unknown option '--bogus' (try 'spyglass demo --help')\n");
    bad(unknown_short, "spyglass: demo: unknown option '-z' (try 'spyglass demo --help')\n");
    bad(missing,
        "spyglass: demo: missing value for option '--export-csv' (try 'spyglass demo --help')\n");
    bad(alpha, "spyglass: demo: invalid value '0.5' for --alpha\n");
    bad(own, "spyglass: demo: invalid value '10' for --level\n");
    bad(reference, "spyglass: demo: invalid value '0' for --reference\n");
    bad(regression, "spyglass: demo: invalid value '-1' for --max-regression\n");
}

static void test_lines(void)
{
    struct cli_common c = {.cmd = "demo", .baseline = "old.json", .max_regression = 7.5};

    capture(stderr, ERRFILE);
    cli_common_base_error(&c, -ENOENT, "unused");
    cli_common_base_error(&c, -EINVAL, "not JSON: end of file (line 1)");
    TEST_EQ_INT(cli_common_exit(&c, EXIT_OK, 0), EXIT_OK);
    TEST_EQ_INT(cli_common_exit(&c, EXIT_ERROR, 1), EXIT_ERROR); /* an error wins, unsaid */
    TEST_EQ_INT(cli_common_exit(&c, EXIT_OK, 1), EXIT_REGRESSION);
    TEST_EQ_STR(captured(stderr, ERRFILE),
                "spyglass: demo: cannot use baseline 'old.json': No such file or directory\n"
                "spyglass: demo: cannot use baseline 'old.json': not JSON: end of file (line 1)\n"
                "spyglass: demo: significant slowdown of more than 7.5% against the baseline\n");
}

static void test_warnings(void)
{
    static struct cli_warnings w;
    char long_line[400];

    memset(&w, 0, sizeof(w));
    cli_warn(&w, "'%s': %d runs", "a", 3);
    TEST_EQ_INT(w.n, 1);
    TEST_EQ_STR(w.lines[0], "'a': 3 runs");
    memset(long_line, 'x', sizeof(long_line) - 1);
    long_line[sizeof(long_line) - 1] = '\0';
    cli_warn(&w, "%s", long_line);
    TEST_EQ_INT(strlen(w.lines[1]), 319);
    for (int i = 0; i < 100; i++)
        cli_warn(&w, "more %d", i);
    TEST_EQ_INT(w.n, CLI_MAX_WARNINGS);
    TEST_EQ_STR(w.lines[CLI_MAX_WARNINGS - 1], "more 61");
}

static void test_progress(void)
{
    struct cli_progress p;
    struct timespec pause = {0, 120 * 1000 * 1000};
    char bar[21];
    double t = -1;

    cli_progress_bar(bar, 0, 10);
    TEST_EQ_STR(bar, "....................");
    cli_progress_bar(bar, 5, 10);
    TEST_EQ_STR(bar, "##########..........");
    cli_progress_bar(bar, 10, 10);
    TEST_EQ_STR(bar, "####################");
    cli_progress_bar(bar, 3, 0);
    TEST_EQ_STR(bar, "....................");
    cli_progress_bar(bar, 2000000000, 2000000000); /* no overflow */
    TEST_EQ_STR(bar, "####################");

    cli_progress_start(&p, 1);
    nanosleep(&pause, NULL);
    TEST_EQ_INT(cli_progress_due(&p, &t), 0); /* -q: never */
    cli_progress_start(&p, 0);
    p.tty = 1; /* every 0.1 s */
    TEST_EQ_INT(cli_progress_due(&p, &t), 0);
    nanosleep(&pause, NULL);
    TEST_EQ_INT(cli_progress_due(&p, &t), 1);
    TEST_CHECK(t >= 0.12 && t < 60);
    TEST_EQ_INT(cli_progress_due(&p, &t), 0); /* just drawn */
    p.tty = 0;                                /* every 10 s */
    nanosleep(&pause, NULL);
    TEST_EQ_INT(cli_progress_due(&p, &t), 0);
}

void test_cli_common(void)
{
    mkdir("out", 0755);
    test_numbers();
    test_parse();
    test_parse_errors();
    test_lines();
    test_warnings();
    test_progress();
}
