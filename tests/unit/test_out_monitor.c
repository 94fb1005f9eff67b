/* Unit tests for out_monitor: the writers on a real run (a forked child of this process with a
 * hostile command line), read back: CSV header and rows, JSON parsed with jansson (shape, the
 * escaping of the command), SVG text escaped, the summary, and a full disk (/dev/full).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mon.h"
#include "out_monitor.h"
#include "suites.h"
#include "test.h"

static int64_t mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Write with fn into memory; returns the text (caller frees) or NULL. */
static char *capture(int (*fn)(FILE *, const struct mon *, const struct out_monitor_meta *),
                     const struct mon *m, const struct out_monitor_meta *meta)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int err;

    if (!f)
        return NULL;
    err = fn(f, m, meta);
    fclose(f);
    TEST_EQ_INT(err, 0);
    return buf;
}

static int csv(FILE *f, const struct mon *m, const struct out_monitor_meta *meta)
{
    (void)meta;
    return out_monitor_csv(f, m);
}

static void check_json(const char *text, const struct mon *m)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);

    TEST_CHECK(j != NULL);
    if (!j)
        return;
    TEST_EQ_STR(json_string_value(json_object_get(j, "schema")), OUT_MONITOR_SCHEMA);
    TEST_EQ_STR(json_string_value(json_object_get(j, "command")), "sh -c <b>&\"x</b>\n");
    TEST_EQ_INT(json_array_size(json_object_get(j, "series")), mon_rows(m));
    TEST_EQ_INT(json_array_size(json_object_get(j, "columns")), MON_NMETRICS + 1);
    TEST_EQ_INT(json_array_size(json_object_get(j, "metrics")), MON_NMETRICS);
    TEST_EQ_INT(json_array_size(json_object_get(j, "processes")), mon_nprocs(m));
    TEST_CHECK(json_is_number(json_object_get(json_object_get(j, "totals"), "cpu_seconds")));
    TEST_CHECK(strstr(text, "<b>") == NULL); /* '<' is escaped for HTML embedding */
    json_decref(j);
}

void test_out_monitor(void)
{
    struct out_monitor_meta meta = {0};
    struct mon_opts opts = {.launched = 1};
    struct mon *m = NULL;
    char *t, header[64];
    int pid = fork(), status;
    FILE *full;

    if (pid == 0) {
        usleep(120000);
        _exit(0);
    }
    TEST_EQ_INT(mon_open(pid, &opts, mono(), &m), 0);
    if (!m)
        goto out;
    for (int i = 0; i < 100 && mon_tick(m, mono()) == 0; i++) {
        mon_reserve(m);
        usleep(10000);
    }
    meta.version = "test";
    meta.date = "2026-01-01T00:00:00Z";
    meta.command = "sh -c <b>&\"x</b>\n";
    meta.pid = pid;
    meta.interval = 0.01;
    meta.exit_code = 0;
    mon_get_stats(m, &meta.st);
    if ((t = capture(csv, m, &meta))) {
        size_t lines = 0;

        snprintf(header, sizeof(header), "time_s,%s,%s,", mon_metric_info(MON_CPU)->name,
                 mon_metric_info(MON_CPU_USER)->name);
        TEST_CHECK(strncmp(t, header, strlen(header)) == 0);
        for (const char *p = t; *p; p++)
            lines += *p == '\n';
        TEST_EQ_INT(lines, mon_rows(m) + 1);
        free(t);
    }
    if ((t = capture(out_monitor_json, m, &meta))) {
        check_json(t, m);
        free(t);
    }
    if ((t = capture(out_monitor_svg, m, &meta))) {
        TEST_CHECK(strstr(t, "&lt;b&gt;&amp;&quot;x&lt;/b&gt;") != NULL);
        TEST_CHECK(strstr(t, "<b>") == NULL);
        TEST_CHECK(strstr(t, "</svg>") != NULL);
        free(t);
    }
    if ((t = capture(out_monitor_summary, m, &meta))) {
        TEST_CHECK(strstr(t, "run-queue wait") && strstr(t, "the monitor used"));
        free(t);
    }
    if ((full = fopen("/dev/full", "w"))) {
        int err = out_monitor_json(full, m, &meta);

        err = err ? err : (fflush(full) ? -errno : 0);
        TEST_EQ_INT(err, -ENOSPC);
        fclose(full);
    }
out:
    mon_free(m);
    waitpid(pid, &status, 0);
}
