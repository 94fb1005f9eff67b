/* Unit tests for the summary: self time of stacks that end in a state frame, the table of
 * states (columns in frame-id order, only the states present), and profiles in bytes.
 * SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_stacks.h"
#include "out_summary.h"
#include "suites.h"
#include "test.h"

static uint32_t frame(struct agg *a, const char *name, const char *file, enum agg_frame_kind kind)
{
    struct agg_frame f = {agg_intern(a, name, strlen(name)),
                          file ? agg_intern(a, file, strlen(file)) : AGG_NONE, file ? 1 : 0, kind};
    return agg_frame_id(a, &f);
}

/* Render the summary (top n, unit) into a malloc'd string. */
static char *render(const struct agg *a, int n, const char *unit)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    TEST_EQ_INT(out_summary_write_in(f, a, n, unit), 0);
    fclose(f);
    return buf;
}

/* The line of the output that contains needle, copied into line (empty when none). */
static void line_with(const char *text, const char *needle, char *line, size_t len)
{
    const char *p = text ? strstr(text, needle) : NULL;
    line[0] = '\0';
    if (!p)
        return;
    while (p > text && p[-1] != '\n')
        p--;
    size_t n = strcspn(p, "\n");
    snprintf(line, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

static void test_states(void)
{
    struct agg *a = agg_new();
    /* State frames first, in the sampler's order; <pipe> is interned but never used. */
    uint32_t cpu = frame(a, "<cpu>", NULL, AGG_FRAME_STATE);
    uint32_t gil = frame(a, "<gil>", NULL, AGG_FRAME_STATE);
    frame(a, "<pipe>", NULL, AGG_FRAME_STATE);
    uint32_t net = frame(a, "<network>", NULL, AGG_FRAME_STATE);
    uint32_t mn = frame(a, "main", "app.py", AGG_FRAME_PY);
    uint32_t work = frame(a, "work", "app.py", AGG_FRAME_PY);
    uint32_t fetch = frame(a, "fetch", "app.py", AGG_FRAME_PY);
    uint32_t s1[] = {mn, work, cpu}, s2[] = {mn, work, gil}, s3[] = {mn, fetch, net};
    uint32_t s4[] = {mn, cpu};
    char line[256];

    agg_add(a, s1, 3, 6);
    agg_add(a, s2, 3, 2);
    agg_add(a, s3, 3, 10);
    agg_add(a, s4, 2, 2); /* main's own time */
    char *out = render(a, 5, NULL);
    TEST_CHECK(out != NULL);
    /* Self time is that of the frame before the state: work 8/20, fetch 10/20, main 2/20. */
    line_with(out, "  work (app.py)", line, sizeof(line));
    TEST_CHECK(strncmp(line, "   40.0%", 8) == 0);
    line_with(out, "  main (app.py)", line, sizeof(line));
    TEST_CHECK(strncmp(line, "   10.0%", 8) == 0);
    TEST_CHECK(strstr(out, "<cpu>") == NULL); /* states are not functions */
    /* The states table: cpu, gil, network (no pipe column), shares of each total. */
    line_with(out, "function (file)", line, sizeof(line));
    line_with(out, " network  function", line, sizeof(line));
    TEST_EQ_STR(line, "     cpu    gil network  function (file)");
    const char *tab = out ? strstr(out, "by thread state") : NULL;
    TEST_CHECK(tab != NULL);
    line_with(tab, "  work (app.py)", line, sizeof(line));
    TEST_EQ_STR(line, "   75.0%  25.0%    0.0%  work (app.py)");
    line_with(tab, "  main (app.py)", line, sizeof(line));
    TEST_EQ_STR(line, "   40.0%  10.0%   50.0%  main (app.py)");
    line_with(tab, "  fetch (app.py)", line, sizeof(line));
    TEST_EQ_STR(line, "    0.0%   0.0%  100.0%  fetch (app.py)");
    free(out);
    agg_free(a);
}

static void test_bytes(void)
{
    struct agg *a = agg_new();
    uint32_t mn = frame(a, "main", "app.py", AGG_FRAME_PY);
    uint32_t wr = frame(a, "write_file", "app.py", AGG_FRAME_PY);
    uint32_t s1[] = {mn, wr}, s2[] = {mn};
    char line[256];

    agg_add(a, s1, 2, 3u << 20);
    agg_add(a, s2, 1, 1u << 20);
    char *out = render(a, 5, "bytes");
    TEST_CHECK(out && strstr(out, "Top functions by own bytes (self) of 4.0 MiB:\n"));
    TEST_CHECK(out && !strstr(out, "±")); /* margins are for samples */
    line_with(out, "  write_file (app.py)", line, sizeof(line));
    TEST_EQ_STR(line, "   75.0%   75.0%   write_file (app.py)");
    TEST_CHECK(out && !strstr(out, "by thread state"));
    free(out);
    agg_free(a);
    a = agg_new();
    out = render(a, 5, "bytes");
    TEST_EQ_STR(out, "spyglass: no bytes were attributed to a Python stack\n");
    free(out);
    agg_free(a);
}

/* Names, states and units from a target or a file reach the terminal escaped. */
static void test_hostile(void)
{
    struct agg *a = agg_new();
    uint32_t mn = frame(a, "f\x1b[2J\x1b]0;t\x07", "/tmp/\n\xc2\x9b.py", AGG_FRAME_PY);
    uint32_t st = frame(a, "<s\x1b[1m>", NULL, AGG_FRAME_STATE);
    uint32_t s1[] = {mn, st};
    char line[256];

    agg_add(a, s1, 2, 7);
    char *out = render(a, 5, "b\x07ytes");
    TEST_CHECK(out && !strpbrk(out, "\x1b\x07\r") && !strstr(out, "\xc2\x9b"));
    TEST_CHECK(out && strstr(out, "Top functions by own b\\x07ytes (self) of 7 b\\x07ytes:\n"));
    line_with(out, "  f\\x1b[2J", line, sizeof(line));
    TEST_EQ_STR(line, "  100.0%  100.0%   f\\x1b[2J\\x1b]0;t\\x07 (/tmp/\\x0a\\u009b.py)");
    TEST_CHECK(out && strstr(out, "  s\\x1b[1m  function (file)\n"));
    free(out);
    out = render(a, 5, NULL);
    TEST_CHECK(out && strstr(out, "   f\\x1b[2J\\x1b]0;t\\x07 (/tmp/\\x0a\\u009b.py)\n"));
    free(out);
    agg_free(a);
    a = agg_new();
    out = render(a, 5, "\x1b[2J");
    TEST_EQ_STR(out, "spyglass: no \\x1b[2J were attributed to a Python stack\n");
    free(out);
    agg_free(a);
}

void test_out_summary(void)
{
    test_hostile();
    test_states();
    test_bytes();
}
