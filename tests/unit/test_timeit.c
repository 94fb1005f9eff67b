/* Unit tests for the timeit engine on a real interpreter: values grouped by worker, interleaved
 * shuffled rounds (every benchmark once per round), calibration reaching the target, a fixed
 * loop count skipping it, failures naming the benchmark, the plan checks.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "test.h"
#include "timeit.h"

static const char *python(void)
{
    static char path[512];
    const char *home = getenv("HOME");

    snprintf(path, sizeof(path), "%s/.pyenv/versions/3.11.7/bin/python3.11", home ? home : "/");
    return access(path, X_OK) == 0 ? path : "/usr/bin/python3";
}

#define MAX_EVENTS 64

struct log {
    int n;
    int bench[MAX_EVENTS]; /* python * nstmts + stmt */
    int worker[MAX_EVENTS];
    int done[MAX_EVENTS], total[MAX_EVENTS];
    int nstmts;
};

static void on_progress(void *ctx, const struct timeit_bench *b, int worker, int done, int total)
{
    struct log *l = ctx;

    if (l->n == MAX_EVENTS)
        return;
    l->bench[l->n] = b->python * l->nstmts + b->stmt;
    l->worker[l->n] = worker;
    l->done[l->n] = done;
    l->total[l->n++] = total;
}

static struct timeit_plan plan_of(const char *const *stmts, int n)
{
    struct timeit_plan p = {.stmts = stmts,
                            .nstmts = n,
                            .setup = "x = list(range(50))",
                            .teardown = "",
                            .processes = 3,
                            .values = 2,
                            .warmups = 1,
                            .min_value_time = 0.004,
                            .timeout = 30,
                            .seed = 7};

    return p;
}

/* Two statements, three rounds: calibration first, then each round runs both once. */
static void test_rounds(void)
{
    static const char *const stmts[] = {"sorted(x)", "sum(x)"};
    struct timeit_python py = {python(), "py"};
    struct timeit_plan p = plan_of(stmts, 2);
    struct log l = {.nstmts = 2};
    struct timeit *t = NULL;
    const struct timeit_bench *b;
    size_t n;

    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), 0);
    if (!t)
        return;
    TEST_EQ_INT(timeit_go(t, on_progress, &l), 0);
    TEST_EQ_INT(l.n, 2 + 6);
    TEST_CHECK(l.worker[0] == -1 && l.worker[1] == -1 && l.bench[0] != l.bench[1]);
    for (int r = 0; r < 3; r++) {
        int a = 2 + 2 * r;

        TEST_CHECK(l.worker[a] == r && l.worker[a + 1] == r);
        TEST_CHECK(l.bench[a] != l.bench[a + 1]); /* both benchmarks in every round */
        TEST_EQ_INT(l.done[a + 1], a);
        TEST_EQ_INT(l.total[a], 6);
    }
    b = timeit_benches(t, &n);
    TEST_EQ_INT(n, 2);
    for (size_t i = 0; i < n; i++) {
        struct stats_clusters c = timeit_clusters(&b[i]);
        double lo = b[i].values[0], hi = b[i].values[0];

        TEST_EQ_INT(b[i].stmt, (int)i);
        TEST_EQ_INT(b[i].nworkers, 3);
        TEST_EQ_INT(b[i].nvalues, 6);
        TEST_CHECK(c.x == b[i].values && c.len == b[i].len && c.nclusters == 3);
        TEST_CHECK(b[i].len[0] == 2 && b[i].len[1] == 2 && b[i].len[2] == 2);
        TEST_CHECK(strncmp(b[i].version, "3.", 2) == 0 && b[i].executable[0] == '/');
        TEST_CHECK(b[i].clock_res > 0 && b[i].clock_cost > 0);
        /* Values are real times of a calibrated loop count. How close they come to the 4 ms
         * aimed at depends on the machine's load, which a unit test cannot know: the
         * functional suite (tests/functional/timeit.sh) checks timings against truths of the
         * same run. */
        for (size_t k = 1; k < b[i].nvalues; k++) {
            lo = b[i].values[k] < lo ? b[i].values[k] : lo;
            hi = b[i].values[k] > hi ? b[i].values[k] : hi;
        }
        TEST_CHECK(b[i].loops >= 1 && lo > 0 && isfinite(hi));
        TEST_CHECK(b[i].start[1] > b[i].start[0] && b[i].start[2] > b[i].start[1]);
        for (size_t k = 0; k < 3; k++)
            TEST_CHECK(b[i].other_cpu[k] == -1 ||
                       (b[i].other_cpu[k] >= 0 && b[i].other_cpu[k] <= 1));
    }
    TEST_CHECK(timeit_elapsed(t) > 0);
    timeit_free(t);
}

/* A fixed loop count: no calibration process, every value of that many loops. */
static void test_fixed_loops(void)
{
    static const char *const stmts[] = {"x.copy()"};
    struct timeit_python py = {python(), "py"};
    struct timeit_plan p = plan_of(stmts, 1);
    struct log l = {.nstmts = 1};
    struct timeit *t = NULL;
    const struct timeit_bench *b;
    size_t n;

    p.loops = 7;
    p.processes = 2;
    p.warmups = 0;
    p.values = 3;
    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), 0);
    if (!t)
        return;
    TEST_EQ_INT(timeit_go(t, on_progress, &l), 0);
    TEST_EQ_INT(l.n, 2);
    TEST_CHECK(l.worker[0] == 0 && l.worker[1] == 1);
    b = timeit_benches(t, &n);
    TEST_EQ_INT(b[0].loops, 7);
    TEST_EQ_INT(b[0].nvalues, 6);
    timeit_free(t);
}

/* The second statement raises: timeit_go stops and names it with the interpreter's message. */
static void test_failure(void)
{
    static const char *const stmts[] = {"pass", "{}['missing']"};
    struct timeit_python pys[] = {{python(), "py"}, {"spyglass-no-such-python-x", "none"}};
    struct timeit_plan p = plan_of(stmts, 2);
    struct timeit *t = NULL;
    const char *msg = NULL;

    TEST_EQ_INT(timeit_new(pys, 1, &p, &t), 0);
    if (t) {
        TEST_EQ_INT(timeit_failure(t, &msg), -1);
        TEST_EQ_INT(timeit_go(t, NULL, NULL), -ECHILD);
        TEST_EQ_INT(timeit_failure(t, &msg), 1);
        TEST_EQ_STR(msg, "KeyError: 'missing'");
        timeit_free(t);
    }
    t = NULL;
    TEST_EQ_INT(timeit_new(pys + 1, 1, &p, &t), 0);
    if (t) {
        TEST_EQ_INT(timeit_go(t, NULL, NULL), -ENOENT);
        TEST_EQ_INT(timeit_failure(t, &msg), 0);
        timeit_free(t);
    }
}

/* A timeout kills the hung worker and says so. */
static void test_timeout(void)
{
    static const char *const stmts[] = {"while True: pass"};
    struct timeit_python py = {python(), "py"};
    struct timeit_plan p = plan_of(stmts, 1);
    struct timeit *t = NULL;
    const char *msg = NULL;

    p.timeout = 0.5;
    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), 0);
    if (!t)
        return;
    TEST_EQ_INT(timeit_go(t, NULL, NULL), -ETIMEDOUT);
    TEST_EQ_INT(timeit_failure(t, &msg), 0);
    TEST_EQ_STR(msg, "timed out after 0.5 s");
    timeit_free(t);
}

static void test_plan_checks(void)
{
    static const char *const stmts[] = {"pass"};
    struct timeit_python py = {python(), "py"};
    struct timeit *t = NULL;
    struct timeit_plan p;

    p = plan_of(stmts, 1);
    TEST_EQ_INT(timeit_new(&py, 0, &p, &t), -EINVAL);
    p.nstmts = 0;
    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), -EINVAL);
    p = plan_of(stmts, 1);
    p.processes = 0;
    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), -EINVAL);
    p = plan_of(stmts, 1);
    p.values = 0;
    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), -EINVAL);
    p = plan_of(stmts, 1);
    p.warmups = -1;
    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), -EINVAL);
    p = plan_of(stmts, 1);
    p.min_value_time = NAN;
    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), -EINVAL);
    p = plan_of(stmts, 1);
    p.timeout = -1;
    TEST_EQ_INT(timeit_new(&py, 1, &p, &t), -EINVAL);
    TEST_CHECK(t == NULL);
    timeit_free(NULL);
}

void test_timeit(void)
{
    test_rounds();
    test_fixed_loops();
    test_failure();
    test_timeout();
    test_plan_checks();
}
