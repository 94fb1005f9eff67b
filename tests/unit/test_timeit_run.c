/* Unit tests for timeit_run: the driver-output parser on lines captured from every installed
 * CPython (fixtures/timeit_driver.txt) and on malformed lines, the last-line extractor, and
 * workers on a real interpreter: values, untimed setup, errors with the interpreter's message,
 * teardown, timeout (the process group is killed), stop, missing interpreter, chatty statements.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "test.h"
#include "timeit_run.h"

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* pyenv's CPython 3.11, else Debian's. */
static const char *python(void)
{
    static char path[512];
    const char *home = getenv("HOME");

    snprintf(path, sizeof(path), "%s/.pyenv/versions/3.11.7/bin/python3.11", home ? home : "/");
    return access(path, X_OK) == 0 ? path : "/usr/bin/python3";
}

static int parse(const char *line, struct timeit_msg *m)
{
    return timeit_run_parse(line, strlen(line), m);
}

/* One interpreter's block of the fixture: hello, 3 values (1, 10, 1000 loops), end. */
static void check_block(const char *version, char **lines, int n)
{
    struct timeit_msg m;
    double v[3] = {0};

    TEST_EQ_INT(n, 5);
    if (n != 5)
        return;
    TEST_EQ_INT(parse(lines[0], &m), 0);
    TEST_EQ_INT(m.kind, TIMEIT_MSG_HELLO);
    TEST_EQ_STR(m.hello.version, version);
    TEST_CHECK(m.hello.clock_res > 0 && m.hello.clock_res <= 1e-3);
    TEST_CHECK(m.hello.clock_cost > 0 && m.hello.clock_cost < 1e-4);
    TEST_CHECK(m.hello.executable[0] == '/' && strstr(m.hello.executable, "python"));
    for (int i = 0; i < 3; i++) {
        TEST_EQ_INT(parse(lines[1 + i], &m), 0);
        TEST_EQ_INT(m.kind, TIMEIT_MSG_VALUE);
        TEST_CHECK(m.cpu >= 0 && m.cpu < m.value + 1e-3); /* the thread's CPU around it */
        v[i] = m.value;
    }
    TEST_CHECK(v[0] > 0 && v[2] > 10 * v[0]); /* 1000 loops against one */
    TEST_EQ_INT(parse(lines[4], &m), 0);
    TEST_EQ_INT(m.kind, TIMEIT_MSG_END);
}

static void test_fixture(void)
{
    char *text = test_read_fixture("fixtures/timeit_driver.txt", NULL), *save = NULL;
    char *lines[8], version[32] = "";
    int n = 0, blocks = 0;

    if (!text)
        return;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] == '#') {
            if (version[0]) {
                check_block(version, lines, n);
                blocks++;
            }
            snprintf(version, sizeof(version), "%s", l + 2);
            n = 0;
        } else if (n < 8) {
            lines[n++] = l;
        }
    }
    check_block(version, lines, n);
    TEST_CHECK(++blocks >= 2);
    free(text);
}

static void test_parse_hostile(void)
{
    static const char *bad[] = {
        "",
        "hello",
        "hello ",
        "hello 3.11.7",
        "hello 3.11.7 1e-09",
        "hello 3..1 1e-09 1e-08",
        "hello .3 1e-09 1e-08",
        "hello 3. 1e-09 1e-08",
        "hello 3 1e-09 1e-08",
        "hello 3.11.7a 1e-09 1e-08",
        "hello  3.11.7 1e-09 1e-08",
        "hello 3.11.7  1e-09 1e-08",
        "hello 3.11.7 -1e-09 1e-08",
        "hello 3.11.7 nan 1e-08",
        "hello 3.11.7 1e-09 inf",
        "hello 3.11.7 1e-09 1e999",
        "hello 99999999999999999999999999999999.1 1 1",
        "1.5x",
        " 1.5",
        "1.5 ",
        "1.5  1.4",
        "1.5 1.4 ",
        "1.5 -1.4",
        "1.5 nan",
        "1.5 1.4 1.3",
        " 1.5 1.4",
        "-1.0",
        "0x1p3",
        "1e999",
        "nan",
        "inf",
        "endx",
        "end ",
        "Traceback (most recent call last):",
        "1.0.0",
    };
    struct timeit_msg m = {.kind = TIMEIT_MSG_END, .value = 42};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = parse(bad[i], &m);

        if (rc != -EINVAL)
            fprintf(stderr, "accepted: '%s'\n", bad[i]);
        TEST_EQ_INT(rc, -EINVAL);
    }
    TEST_CHECK(m.kind == TIMEIT_MSG_END && m.value == 42); /* untouched on failure */

    TEST_EQ_INT(parse("0", &m), 0);
    TEST_CHECK(m.kind == TIMEIT_MSG_VALUE && m.value == 0);
    TEST_EQ_INT(parse("1.5e-07", &m), 0);
    TEST_CHECK(m.value == 1.5e-07 && m.cpu == -1); /* a time alone: CPU unknown */
    TEST_EQ_INT(parse("0.105 0.1049", &m), 0);
    TEST_CHECK(m.kind == TIMEIT_MSG_VALUE && m.value == 0.105 && m.cpu == 0.1049);
    /* Older hello without the executable; one with an empty one; one with spaces in it. */
    TEST_EQ_INT(parse("hello 3.8.18 1e-09 6e-08", &m), 0);
    TEST_CHECK(m.kind == TIMEIT_MSG_HELLO && m.hello.executable[0] == '\0');
    TEST_EQ_STR(m.hello.version, "3.8.18");
    TEST_EQ_INT(parse("hello 3.8.18 1e-09 6e-08 ", &m), 0);
    TEST_EQ_STR(m.hello.executable, "");
    TEST_EQ_INT(parse("hello 3.14.0 1e-09 6e-08 /opt/my python/bin/python3", &m), 0);
    TEST_EQ_STR(m.hello.executable, "/opt/my python/bin/python3");
    /* Not NUL-terminated: only len bytes count. */
    TEST_EQ_INT(timeit_run_parse("0.25junk", 4, &m), 0);
    TEST_CHECK(m.value == 0.25);
    TEST_EQ_INT(timeit_run_parse("endless", 3, &m), 0);
    TEST_EQ_INT(m.kind, TIMEIT_MSG_END);
    /* An executable with a NUL, and one too long for the field. */
    TEST_EQ_INT(timeit_run_parse("hello 3.8.1 1 1 /a\0b", 20, &m), -EINVAL);
    size_t big = 6000;
    char *line = malloc(big);

    snprintf(line, big, "hello 3.8.1 1 1 /");
    memset(line + strlen(line), 'x', big - strlen(line));
    TEST_EQ_INT(timeit_run_parse(line, big, &m), -EINVAL);
    free(line);
}

static void test_last_line(void)
{
    static const char tb[] = "Traceback (most recent call last):\n"
                             "  File \"<timeit>\", line 8, in bench\n"
                             "ZeroDivisionError: division by zero\n\n  \n";
    char buf[64];

    TEST_EQ_INT(timeit_run_last_line(tb, strlen(tb), buf, sizeof(buf)), 35);
    TEST_EQ_STR(buf, "ZeroDivisionError: division by zero");
    TEST_EQ_INT(timeit_run_last_line("a\r\nb\r\n", 6, buf, sizeof(buf)), 1);
    TEST_EQ_STR(buf, "b");
    TEST_EQ_INT(timeit_run_last_line("  indented  ", 12, buf, sizeof(buf)), 8);
    TEST_EQ_STR(buf, "indented");
    TEST_EQ_INT(timeit_run_last_line("x\ty\033z", 5, buf, sizeof(buf)), 5);
    TEST_EQ_STR(buf, "x y z");
    TEST_EQ_INT(timeit_run_last_line("first\nsecond line", 17, buf, 5), 4);
    TEST_EQ_STR(buf, "seco");
    TEST_EQ_INT(timeit_run_last_line("", 0, buf, sizeof(buf)), 0);
    TEST_EQ_STR(buf, "");
    TEST_EQ_INT(timeit_run_last_line("\n \n\t\n", 5, buf, sizeof(buf)), 0);
    TEST_EQ_INT(timeit_run_last_line("only", 4, buf, 1), 0);
    TEST_EQ_STR(buf, "");
}

/* ---- live workers ---- */

static const struct timeit_run_opts plain = {.timeout = 30};

static struct timeit_worker *start(const char *setup, const char *stmt, const char *teardown,
                                   const struct timeit_run_opts *o)
{
    struct timeit_worker *w = NULL;

    TEST_EQ_INT(timeit_worker_start(python(), setup, stmt, teardown, o, &w), 0);
    return w;
}

static void test_worker_values(void)
{
    struct timeit_worker *w = start("x = list(range(1000))\ndef f(y):\n    return sorted(y)",
                                    "f(x)\nif x:\n    pass", "", &plain);
    struct timeit_hello h;
    double a = 0, b = 0, cpu = -2;

    if (!w)
        return;
    TEST_EQ_INT(timeit_worker_hello(w, &h), 0);
    TEST_CHECK(strncmp(h.version, "3.", 2) == 0);
    TEST_CHECK(h.clock_res > 0 && h.clock_cost > 0);
    TEST_CHECK(h.executable[0] == '/');
    TEST_CHECK(timeit_worker_pid(w) > 0);
    /* the least of five of each: a preemption on a busy machine only adds to a value */
    for (int i = 0; i < 5; i++) {
        double x = 0, y = 0;

        TEST_EQ_INT(timeit_worker_time(w, 10, &x, NULL), 0);
        TEST_EQ_INT(timeit_worker_time(w, 1000, &y, NULL), 0);
        a = i == 0 || x < a ? x : a;
        b = i == 0 || y < b ? y : b;
    }
    TEST_CHECK(a > 0 && b > 20 * a);
    TEST_EQ_INT(timeit_worker_finish(w, &cpu), 0);
    TEST_CHECK(cpu >= 0 && cpu < 10);
    TEST_EQ_INT(timeit_worker_pid(w), -1);
    TEST_EQ_INT(timeit_worker_time(w, 1, &a, NULL), -ECHILD);
    timeit_worker_free(w);
}

/* A setup that sleeps 0.3 s is not in the value; the teardown sees the setup's names. */
static void test_worker_setup_untimed(void)
{
    char path[] = "/tmp/spyglass-timeit-XXXXXX", code[200], buf[16] = "";
    int fd = mkstemp(path);
    struct timeit_worker *w;
    struct timeit_hello h;
    double s = 1, t0;
    FILE *f;

    if (fd < 0)
        return;
    close(fd);
    snprintf(code, sizeof(code), "open(%s%s%s, 'w').write(str(x))", "'", path, "'");
    t0 = now();
    w = start("import time\ntime.sleep(0.3)\nx = 42", "x + 1", code, &plain);
    if (!w)
        return;
    TEST_EQ_INT(timeit_worker_hello(w, &h), 0);
    TEST_EQ_INT(timeit_worker_time(w, 1, &s, NULL), 0);
    t0 = now() - t0;
    /* The setup's 0.3 s sleep ran between the start and the value (the driver may begin it
     * before its hello is read), but is not in the statement's time. */
    TEST_CHECK(t0 >= 0.3);
    TEST_CHECK(s >= 0 && s < 0.3 && s <= t0 - 0.3 + 0.001);
    TEST_EQ_INT(timeit_worker_finish(w, NULL), 0);
    f = fopen(path, "r");
    TEST_CHECK(f && fgets(buf, sizeof(buf), f));
    TEST_EQ_STR(buf, "42");
    if (f)
        fclose(f);
    unlink(path);
    timeit_worker_free(w);
}

/* Run stmt once and return the error; *msg gets the message. */
static int fail_once(const char *setup, const char *stmt, const char *teardown, char *msg,
                     size_t size)
{
    struct timeit_worker *w = start(setup, stmt, teardown, &plain);
    struct timeit_hello h;
    double s;
    int rc;

    if (!w)
        return 1;
    rc = timeit_worker_hello(w, &h);
    if (rc == 0)
        rc = timeit_worker_time(w, 3, &s, NULL);
    if (rc == 0)
        rc = timeit_worker_finish(w, NULL);
    snprintf(msg, size, "%s", timeit_worker_message(w));
    timeit_worker_free(w);
    return rc;
}

static void test_worker_errors(void)
{
    char msg[512];

    TEST_EQ_INT(fail_once("", "1/0", "", msg, sizeof(msg)), -ECHILD);
    TEST_EQ_STR(msg, "ZeroDivisionError: division by zero");
    TEST_EQ_INT(fail_once("", "sorted(x", "", msg, sizeof(msg)), -ECHILD);
    TEST_CHECK(strncmp(msg, "SyntaxError: ", 13) == 0);
    TEST_EQ_INT(fail_once("import no_such_module_x", "pass", "", msg, sizeof(msg)), -ECHILD);
    TEST_CHECK(strstr(msg, "ModuleNotFoundError") && strstr(msg, "no_such_module_x"));
    TEST_EQ_INT(fail_once("", "pass", "raise ValueError('td')", msg, sizeof(msg)), -ECHILD);
    TEST_EQ_STR(msg, "ValueError: td");
    /* return/yield belong to the driver's loop: refused when compiled alone. */
    TEST_EQ_INT(fail_once("", "return 5", "", msg, sizeof(msg)), -ECHILD);
    TEST_CHECK(strncmp(msg, "SyntaxError: ", 13) == 0);
    TEST_EQ_INT(fail_once("", "import os; os._exit(3)", "", msg, sizeof(msg)), -ECHILD);
    TEST_EQ_STR(msg, "exited with code 3 before finishing");
    TEST_EQ_INT(fail_once("", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "", msg,
                          sizeof(msg)),
                -ECHILD);
    TEST_CHECK(strncmp(msg, "killed by signal 9", 18) == 0);
    /* Blank parts are `pass`; output and stdin do not disturb the protocol. */
    TEST_EQ_INT(fail_once(" ", "\n", "", msg, sizeof(msg)), 0);
    TEST_EQ_INT(fail_once("import sys", "print('x' * 10000); sys.stderr.write('y' * 100000)", "",
                          msg, sizeof(msg)),
                0);
    TEST_EQ_INT(fail_once("import sys", "assert sys.stdin.read() == ''", "", msg, sizeof(msg)), 0);
}

static void test_worker_start_failures(void)
{
    struct timeit_worker *w = NULL;
    struct timeit_run_opts bad = {.timeout = -1};

    TEST_EQ_INT(timeit_worker_start("spyglass-no-such-python-3f9a", "", "pass", "", &plain, &w),
                -ENOENT);
    TEST_EQ_INT(timeit_worker_start("/nonexistent-dir/python3", "", "pass", "", &plain, &w),
                -ENOENT);
    TEST_EQ_INT(timeit_worker_start("/etc/passwd", "", "pass", "", &plain, &w), -EACCES);
    TEST_EQ_INT(timeit_worker_start(python(), "", "pass", "", &bad, &w), -EINVAL);
    TEST_CHECK(w == NULL);
}

/* A hung statement is killed at the timeout, with its whole process group. */
static void test_worker_timeout(void)
{
    struct timeit_run_opts o = {.timeout = 0.8};
    struct timeit_worker *w =
        start("import subprocess, sys\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])",
              "while True: pass", "", &o);
    struct timeit_hello h;
    double s, t0 = now();
    pid_t pid;

    if (!w)
        return;
    pid = timeit_worker_pid(w);
    TEST_EQ_INT(timeit_worker_hello(w, &h), 0);
    TEST_EQ_INT(timeit_worker_time(w, 1, &s, NULL), -ETIMEDOUT);
    TEST_CHECK(now() - t0 < 30); /* the loop never ends: any return is the timeout's */
    TEST_EQ_STR(timeit_worker_message(w), "timed out after 0.8 s");
    TEST_EQ_INT(timeit_worker_pid(w), -1);
    /* The grandchild was in the group: nothing is left in it (once init has reaped it). */
    for (int i = 0; i < 100 && kill(-pid, 0) == 0; i++)
        usleep(20000);
    TEST_CHECK(kill(-pid, 0) < 0 && errno == ESRCH);
    timeit_worker_free(w);
}

static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* SIGINT from another process while a value is timed: -EINTR at once, worker gone. */
static void test_worker_stop(void)
{
    struct sigaction sa, old;
    struct timeit_run_opts o = {.timeout = 20, .stop = &stop_flag};
    struct timeit_worker *w;
    struct timeit_hello h;
    double s, t0;
    pid_t killer;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    stop_flag = 0;
    w = start("", "while True: pass", "", &o);
    if (w && timeit_worker_hello(w, &h) == 0) {
        killer = fork();
        if (killer == 0) {
            usleep(300000);
            kill(getppid(), SIGINT);
            _exit(0);
        }
        t0 = now();
        TEST_EQ_INT(timeit_worker_time(w, 1, &s, NULL), -EINTR);
        TEST_CHECK(now() - t0 < 30); /* the loop never ends: any return is the stop's */
        TEST_EQ_INT(timeit_worker_pid(w), -1);
        waitpid(killer, NULL, 0);
    }
    timeit_worker_free(w);
    sigaction(SIGINT, &old, NULL);
}

/* The last value of a run_last arrives while nobody waits; finish skips it. */
static void test_worker_run_last(void)
{
    struct timeit_worker *w = start("", "pass", "", &plain);
    struct timeit_hello h;

    if (!w)
        return;
    TEST_EQ_INT(timeit_worker_hello(w, &h), 0);
    TEST_EQ_INT(timeit_worker_run_last(w, 1000), 0);
    TEST_EQ_INT(timeit_worker_finish(w, NULL), 0);
    timeit_worker_free(w);
}

void test_timeit_run(void)
{
    test_fixture();
    test_parse_hostile();
    test_last_line();
    test_worker_values();
    test_worker_setup_untimed();
    test_worker_errors();
    test_worker_start_failures();
    test_worker_timeout();
    test_worker_stop();
    test_worker_run_last();
}
