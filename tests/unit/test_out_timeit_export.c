/* Unit tests for out_timeit_export: a report with hostile strings (quotes, line breaks, control
 * bytes, markup, non-ASCII, invalid UTF-8) written as JSON, read back with jansson and with
 * timeit_base (the exact values again), validated against docs/timeit-schema.json with
 * Python's jsonschema; the CSV read with Python's csv module; the Markdown table's shape; a
 * full disk.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "out_timeit_export.h"
#include "stats_dist.h"
#include "suites.h"
#include "test.h"
#include "timeit_base.h"
#include "util_file.h"
#include "verdict.h"

#define NPY    2
#define NSTMT  2
#define NBENCH (NPY * NSTMT)
#define MAXV   16

static const char hostile_stmt[] = "s = \"a,b\"\r\n\tt = '|`*_<>&\\\\' + '\x01\x1f\x7f' + 'é€😀'";
static const char hostile_py[] = "py\t\"odd\"\n<name>&|";
static const char *const stmts[NSTMT] = {"sum(range(100))", hostile_stmt};
static const struct timeit_python pys[NPY] = {{"/usr/bin/python3.11", "3.11.7"},
                                              {"/opt/py \"x\"/python", hostile_py}};
/* Workers per benchmark and values per worker: benchmark 2 has none, 3 an empty worker. */
static const size_t nworkers[NBENCH] = {3, 2, 2, 3};
static const size_t lens[NBENCH][3] = {{5, 5, 4}, {2, 3}, {0, 0}, {5, 0, 5}};

struct report {
    struct timeit_plan plan;
    struct timeit_bench b[NBENCH];
    double values[NBENCH][MAXV], start[NBENCH][MAXV], other[NBENCH][3];
    size_t len[NBENCH][3];
    struct stats_nested sums[NBENCH];
    struct stats_nested_cmp cmps[NBENCH], base[NBENCH];
    enum verdict verdicts[NBENCH], base_verdicts[NBENCH];
    int ref[NBENCH], has_base[NBENCH];
    const char *warnings[2];
    struct out_timeit_export o;
};

static void fill_bench(struct report *r, int i, struct stats_rng *rng)
{
    struct timeit_bench *b = &r->b[i];
    size_t n = 0;

    for (size_t w = 0; w < nworkers[i]; w++) {
        double effect = (double)stats_rng_below(rng, 1000) * 1e-11;
        r->len[i][w] = lens[i][w];
        r->other[i][w] = w == 1 ? -1 : 0.01 * (double)w;
        for (size_t j = 0; j < lens[i][w]; j++, n++) {
            r->values[i][n] =
                1e-7 * (1 + i % NSTMT) + effect + (double)stats_rng_below(rng, 1u << 20) * 1e-15;
            r->start[i][n] = 0.1 * (double)n;
        }
    }
    *b = (struct timeit_bench){.python = i / NSTMT,
                               .stmt = i % NSTMT,
                               .loops = 1000u << i,
                               .clock_res = 1e-9,
                               .clock_cost = 4.5e-8,
                               .values = r->values[i],
                               .start = r->start[i],
                               .len = r->len[i],
                               .other_cpu = r->other[i],
                               .nvalues = n,
                               .nworkers = nworkers[i]};
    snprintf(b->version, sizeof(b->version), "3.1%d.0", 1 + i / NSTMT);
}

/* The same clusters without the empty workers (what a baseline reads back). */
static struct stats_clusters nonempty(const struct report *r, int i, size_t *len)
{
    size_t k = 0;

    for (size_t w = 0; w < nworkers[i]; w++) {
        if (r->len[i][w])
            len[k++] = r->len[i][w];
    }
    return (struct stats_clusters){r->values[i], len, k};
}

static void make_report(struct report *r)
{
    struct stats_rng rng;
    size_t len[NBENCH][3];

    memset(r, 0, sizeof(*r));
    stats_rng_init(&rng, 11);
    r->plan = (struct timeit_plan){.stmts = stmts,
                                   .nstmts = NSTMT,
                                   .setup = "import os\nx = 1",
                                   .teardown = "",
                                   .processes = 3,
                                   .values = 5,
                                   .warmups = 1,
                                   .min_value_time = 0.05,
                                   .seed = 1234};
    for (int i = 0; i < NBENCH; i++) {
        fill_bench(r, i, &rng);
        if (r->b[i].nvalues) {
            struct stats_clusters c = nonempty(r, i, len[i]);
            TEST_EQ_INT(stats_nested_summary(&c, 200, 1, &r->sums[i]), 0);
        }
        r->ref[i] = i % NSTMT; /* each against its statement on the first python */
    }
    r->ref[1] = 0; /* and the second statement against the first */
    for (int i = 1; i < NBENCH; i++) {
        size_t tmp[3];
        struct stats_clusters a = nonempty(r, i, len[i]), b = nonempty(r, r->ref[i], tmp);
        if (r->b[i].nvalues)
            TEST_EQ_INT(stats_nested_compare(&a, &b, 200, 2, &r->cmps[i]), 0);
        /* as the CLI judges them */
        struct verdict_cmp f = {r->cmps[i].ratio, r->cmps[i].lo, r->cmps[i].hi, r->cmps[i].p};
        r->verdicts[i] = verdict_compare(&f, 0.05);
    }
    r->base[0] = (struct stats_nested_cmp){.ratio = 1.2, .lo = 1.1, .hi = 1.3, .p = 0.001};
    r->base_verdicts[0] = VERDICT_REGRESSION;
    r->has_base[0] = 1;
    r->warnings[0] = "worker 1 of \"sum\" saw 40% of the CPU used by others";
    r->warnings[1] = "bad \xff\xfe UTF-8 \x01 here";
    r->o = (struct out_timeit_export){.plan = &r->plan,
                                      .pythons = pys,
                                      .npythons = NPY,
                                      .benches = r->b,
                                      .nbenches = NBENCH,
                                      .sums = r->sums,
                                      .ref = r->ref,
                                      .cmps = r->cmps,
                                      .verdicts = r->verdicts,
                                      .base = r->base,
                                      .base_verdicts = r->base_verdicts,
                                      .has_base = r->has_base,
                                      .max_regression = 5,
                                      .alpha = 0.05,
                                      .warnings = r->warnings,
                                      .nwarnings = 2,
                                      .interrupted = 1};
    r->o.meta = (struct meta){.version = "0.9",
                              .date = "2024-06-11T10:00:00Z",
                              .cpu_model = "CPU «fast» \"x\"",
                              .cpu_count = 2,
                              .kernel = "6.1",
                              .hostname = "host\"name\n",
                              .mem_total = 1ull << 32,
                              .governor = "",
                              .load_before = {0.1, 0.2, 0.3},
                              .load_after = {0.2, 0.2, NAN},
                              .cpu_pressure_before = -1,
                              .other_cpu_before = 0.02,
                              .other_cpu_during = -1,
                              .elapsed = 3.5};
}

typedef int (*writer_fn)(FILE *f, const struct out_timeit_export *o);

/* Write o with fn to path. Returns the writer's (or the close's) result. */
static int write_to(const char *path, writer_fn fn, const struct out_timeit_export *o)
{
    FILE *f = fopen(path, "w");
    int err;

    if (!f)
        return -errno;
    err = fn(f, o); /* f flushed and checked by the writer */
    if (fclose(f) != 0 && err == 0)
        err = -errno;
    return err;
}

/* Run the Python of the tests (SPYGLASS_TEST_PYTHON or python3) on code with two arguments.
 * Returns its exit status (-1 when it could not run). */
static int python(const char *code, const char *a1, const char *a2, int quiet)
{
    const char *py = getenv("SPYGLASS_TEST_PYTHON");
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        if (quiet && !freopen("/dev/null", "w", stderr))
            _exit(126);
        execlp(py ? py : "python3", "python3", "-c", code, a1, a2, (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static const char validate_py[] = "import json, sys, jsonschema\n"
                                  "s = json.load(open(sys.argv[1]))\n"
                                  "jsonschema.Draft202012Validator.check_schema(s)\n"
                                  "jsonschema.Draft202012Validator(s).validate("
                                  "json.load(open(sys.argv[2], encoding='utf-8')))\n";

static json_t *jget(json_t *o, const char *path)
{
    char buf[128], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
        o = k[0] >= '0' && k[0] <= '9' ? json_array_get(o, strtoul(k, NULL, 10))
                                       : json_object_get(o, k);
    return o;
}

static void check_json_doc(const struct report *r, json_t *j)
{
    TEST_EQ_STR(json_string_value(jget(j, "schema")), TIMEIT_SCHEMA);
    TEST_EQ_STR(json_string_value(jget(j, "statements.1")), hostile_stmt);
    TEST_EQ_STR(json_string_value(jget(j, "pythons.1.name")), hostile_py);
    TEST_EQ_STR(json_string_value(jget(j, "pythons.1.path")), pys[1].path);
    TEST_EQ_STR(json_string_value(jget(j, "metadata.hostname")), "host\"name\n");
    TEST_EQ_STR(json_string_value(jget(j, "plan.setup")), "import os\nx = 1");
    TEST_EQ_STR(json_string_value(jget(j, "warnings.1")),
                "bad \xef\xbf\xbd\xef\xbf\xbd UTF-8 \x01 here");
    TEST_CHECK(json_is_true(jget(j, "metadata.interrupted")));
    TEST_CHECK(json_is_null(jget(j, "metadata.load_after.2")));
    TEST_EQ_INT(json_integer_value(jget(j, "metadata.seed")), 1234);
    TEST_EQ_INT(json_array_size(jget(j, "benchmarks")), NBENCH);
    TEST_EQ_INT(json_integer_value(jget(j, "benchmarks.3.python")), 1);
    TEST_EQ_INT(json_integer_value(jget(j, "benchmarks.3.statement")), 1);
    TEST_EQ_INT(json_integer_value(jget(j, "benchmarks.0.workers.2.worker")), 2);
    TEST_EQ_INT(json_array_size(jget(j, "benchmarks.0.workers.2.values")), 4);
    TEST_CHECK(json_number_value(jget(j, "benchmarks.0.workers.1.values.0")) == r->values[0][5]);
    TEST_CHECK(json_is_null(jget(j, "benchmarks.0.workers.1.other_cpu")));
    TEST_EQ_INT(json_array_size(jget(j, "benchmarks.3.workers.1.values")), 0);
    TEST_CHECK(json_is_null(jget(j, "benchmarks.2.summary")));
    TEST_CHECK(json_is_null(jget(j, "benchmarks.2.comparison")));
    TEST_CHECK(json_is_null(jget(j, "benchmarks.0.comparison")));
    TEST_EQ_INT(json_integer_value(jget(j, "benchmarks.3.comparison.reference")), 1);
    TEST_EQ_INT(json_integer_value(jget(j, "benchmarks.1.comparison.reference")), 0);
    double p = json_number_value(jget(j, "benchmarks.3.comparison.vs.p"));
    TEST_CHECK(fabs(p - r->cmps[3].p) <= 1e-8 * r->cmps[3].p);
    TEST_CHECK(json_is_true(jget(j, "benchmarks.0.baseline.regression")));
    TEST_CHECK(json_is_null(jget(j, "benchmarks.1.baseline")));
    double med = json_number_value(jget(j, "benchmarks.0.summary.median"));
    TEST_CHECK(fabs(med - r->sums[0].median) <= 1e-8 * r->sums[0].median);
    TEST_EQ_INT(json_integer_value(jget(j, "benchmarks.3.summary.workers")), 2);
}

static void test_json(void)
{
    static struct report r;
    size_t len = 0;
    char *text, *bad;

    make_report(&r);
    mkdir("out", 0755);
    TEST_EQ_INT(write_to("out/timeit_export.json", out_timeit_json, &r.o), 0);
    text = test_read_fixture("out/timeit_export.json", &len);
    if (!text)
        return;
    bad = NULL; /* no raw control byte but the final newline */
    for (size_t i = 0; i + 1 < len && !bad; i++) {
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            bad = text + i;
    }
    TEST_CHECK(!bad && len > 0 && text[len - 1] == '\n');
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    TEST_CHECK(j != NULL);
    if (!j)
        fprintf(stderr, "  jansson: %s (line %d)\n", jerr.text, jerr.line);
    else
        check_json_doc(&r, j);
    json_decref(j);
    free(text);
}

/* writer -> timeit_base: the very same doubles, per worker, empty workers left out. */
static void test_round_trip(void)
{
    static struct report r;
    struct timeit_base *b = NULL;
    struct stats_clusters got;
    size_t len[3];
    char why[200] = "";

    make_report(&r);
    TEST_EQ_INT(write_to("out/timeit_export.json", out_timeit_json, &r.o), 0);
    TEST_EQ_INT(timeit_base_load("out/timeit_export.json", &b, why, sizeof(why)), 0);
    if (!b) {
        fprintf(stderr, "  timeit_base: %s\n", why);
        return;
    }
    for (int i = 0; i < NBENCH; i++) {
        struct stats_clusters want = nonempty(&r, i, len);
        int err = timeit_base_find(b, stmts[i % NSTMT], pys[i / NSTMT].name, &got);

        TEST_EQ_INT(err, want.nclusters ? 0 : -ENOENT);
        if (err)
            continue;
        TEST_EQ_INT(got.nclusters, want.nclusters);
        TEST_CHECK(memcmp(got.len, want.len, want.nclusters * sizeof(size_t)) == 0);
        TEST_CHECK(memcmp(got.x, want.x, r.b[i].nvalues * sizeof(double)) == 0);
    }
    timeit_base_free(b);
}

static void test_schema(void)
{
    static struct report r;

    make_report(&r);
    TEST_EQ_INT(write_to("out/timeit_export.json", out_timeit_json, &r.o), 0);
    TEST_EQ_INT(python(validate_py, "../docs/timeit-schema.json", "out/timeit_export.json", 0), 0);
    TEST_EQ_INT(
        python(validate_py, "../docs/timeit-schema.json", "fixtures/timeit_base/good.json", 0), 0);
    /* The check can fail: a bench export is not a timeit export. */
    TEST_EQ_INT(
        python(validate_py, "../docs/timeit-schema.json", "fixtures/timeit_base/bench.json", 1), 1);
    /* Nor is an export without comparisons, baseline or values invalid. */
    r.o.ref = NULL;
    r.o.base = NULL;
    r.o.nbenches = 0;
    TEST_EQ_INT(write_to("out/timeit_export_empty.json", out_timeit_json, &r.o), 0);
    TEST_EQ_INT(
        python(validate_py, "../docs/timeit-schema.json", "out/timeit_export_empty.json", 0), 0);
}

/* Python's csv module reads the rows back: as many fields as the header, the python and the
 * statement of every benchmark with values exactly as in the JSON, the medians alike. */
static const char csv_py[] =
    "import csv, json, sys\n"
    "j = json.load(open(sys.argv[1], encoding='utf-8'))\n"
    "rows = list(csv.reader(open(sys.argv[2], newline='', encoding='utf-8')))\n"
    "h = rows[0]\n"
    "assert all(len(r) == len(h) for r in rows), 'ragged rows'\n"
    "bs = [b for b in j['benchmarks'] if b['summary']]\n"
    "want = [(j['pythons'][b['python']]['name'], j['statements'][b['statement']]) for b in bs]\n"
    "assert [(r[0], r[2]) for r in rows[1:]] == want, rows\n"
    "m = h.index('median')\n"
    "for r, b in zip(rows[1:], bs):\n"
    "    assert abs(float(r[m]) - b['summary']['median']) <= 1e-8 * b['summary']['median']\n"
    "cmp = [r[h.index('ratio')] != '' for r in rows[1:]]\n"
    "assert cmp == [b['comparison'] is not None for b in bs], cmp\n"
    "assert rows[2][h.index('reference_statement')] == j['statements'][0]\n"
    "assert rows[1][h.index('baseline_ratio')] == '1.2'\n";

static void test_csv(void)
{
    static struct report r;

    make_report(&r);
    TEST_EQ_INT(write_to("out/timeit_export.json", out_timeit_json, &r.o), 0);
    TEST_EQ_INT(write_to("out/timeit_export.csv", out_timeit_csv, &r.o), 0);
    TEST_EQ_INT(python(csv_py, "out/timeit_export.json", "out/timeit_export.csv", 0), 0);
}

/* Cell separators of a Markdown row: the pipes not escaped by a backslash. */
static int pipes(const char *line, size_t len)
{
    int n = 0;

    for (size_t i = 0; i < len; i++) {
        if (line[i] == '\\')
            i++;
        else if (line[i] == '|')
            n++;
    }
    return n;
}

static void test_markdown(void)
{
    static struct report r;
    size_t len = 0;
    int lines = 0, cols = -1;
    char *text, want[128];

    make_report(&r);
    TEST_EQ_INT(write_to("out/timeit_export.md", out_timeit_markdown, &r.o), 0);
    text = test_read_fixture("out/timeit_export.md", &len);
    if (!text)
        return;
    for (char *line = text, *nl; (nl = strchr(line, '\n')) && line[0] == '|'; line = nl + 1) {
        int n = pipes(line, (size_t)(nl - line));
        if (cols < 0)
            cols = n;
        TEST_EQ_INT(n, cols);
        lines++;
    }
    TEST_EQ_INT(lines, 2 + 3); /* header, rule, the three benchmarks with values */
    TEST_EQ_INT(cols, 12);
    TEST_CHECK(strstr(text, "| py \"odd\" \\<name>&\\| |") != NULL);
    snprintf(want, sizeof(want), "| %.3f (%.3f … %.3f)%s vs #2 |", r.cmps[3].ratio, r.cmps[3].lo,
             r.cmps[3].hi, verdict_significant(r.verdicts[3]) ? "" : " n.s.");
    TEST_CHECK(strstr(text, want) != NULL); /* benchmark 4 against benchmark 2 */
    TEST_CHECK(strstr(text, "REGRESSION") != NULL);
    TEST_CHECK(strstr(text, "Interrupted") != NULL);
    free(text);
}

/* The exports say the verdict they are given (the CLI's, verdict.h), as the terminal report and
 * the exit code do, never one of their own: a baseline comparison whose figures look like a
 * regression but judged VERDICT_SAME is neither significant nor a regression. */
static void test_given_verdict(void)
{
    static struct report r;
    json_t *j;

    make_report(&r);
    r.base_verdicts[0] = VERDICT_SAME;
    TEST_EQ_INT(write_to("out/timeit_export.json", out_timeit_json, &r.o), 0);
    j = json_load_file("out/timeit_export.json", 0, NULL);
    TEST_CHECK(j != NULL);
    TEST_CHECK(json_is_false(jget(j, "benchmarks.0.baseline.significant")));
    TEST_CHECK(json_is_false(jget(j, "benchmarks.0.baseline.regression")));
    json_decref(j);
    TEST_EQ_INT(write_to("out/timeit_export.md", out_timeit_markdown, &r.o), 0);
    char *text = test_read_fixture("out/timeit_export.md", NULL);
    TEST_CHECK(text && !strstr(text, "REGRESSION"));
    free(text);
}

static void test_full_disk(void)
{
    static struct report r;
    static const writer_fn fns[] = {out_timeit_json, out_timeit_csv, out_timeit_markdown};

    make_report(&r);
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        TEST_EQ_INT(write_to("/dev/full", fns[i], &r.o), -ENOSPC);
}

void test_out_timeit_export(void)
{
    test_json();
    test_round_trip();
    test_schema();
    test_csv();
    test_markdown();
    test_given_verdict();
    test_full_disk();
}
