/* Unit tests for the collapsed, SVG and speedscope writers, with hostile names.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "agg_stacks.h"
#include "fake_agg.h"
#include "out_flame.h"
#include "suites.h"

enum { COLLAPSED, SVG, SPEEDSCOPE };

#define HOSTILE_NAME "<script>alert(1)</script>"
#define HOSTILE_PATH "/tmp/we\"ird'&]]>.py"
#define BAD_UTF8  \
    "bad\xff\xc0" \
    "name"
#define REPLACEMENT "\xef\xbf\xbd"

static const struct agg_meta meta = {
    .title = "spyglass <b>& test",
    .mode = "wall",
    .duration = 10.0,
    .rate_effective = 99.5,
    .samples = 1000,
    .invalid = 3,
    .overhead = 0.015,
};

/* Frames 0..6 in this order; stacks of weight 4, 2, 4, 5 (empty), 0 and 1: total 16. */
static struct agg *hostile_profile(void)
{
    struct agg *a = agg_new();
    uint32_t th = fake_frame(a, "thread MainThread (1234)", NULL, 0, AGG_FRAME_THREAD);
    uint32_t mn = fake_frame(a, "main", "app.py", 10, AGG_FRAME_PY);
    uint32_t xss = fake_frame(a, HOSTILE_NAME, HOSTILE_PATH, 5, AGG_FRAME_PY);
    uint32_t semi = fake_frame(a, "semi;colon\nnew\rline", "app.py", 20, AGG_FRAME_PY);
    uint32_t uni = fake_frame(a, "naïve_函数", "/src/ünï.py", 7, AGG_FRAME_PY);
    uint32_t sleep = fake_frame(a, "<sleep>", NULL, 0, AGG_FRAME_STATE);
    uint32_t bad = fake_frame(a, BAD_UTF8, "app.py", 30, AGG_FRAME_PY);
    uint32_t s1[] = {th, mn, xss}, s2[] = {th, mn, semi}, s3[] = {th, mn, uni, sleep};
    uint32_t s4[] = {th, mn, bad};

    agg_add(a, s1, 3, 3);
    agg_add(a, s2, 3, 2);
    agg_add(a, s3, 4, 4);
    agg_add(a, s1, 3, 1);
    agg_add(a, s1, 0, 5);
    agg_add(a, s1, 2, 0);
    agg_add(a, s4, 3, 1);
    return a;
}

/* Run one writer into memory; returns its output (caller frees) and sets *rc. */
static char *render(int kind, const struct agg *a, const struct agg_meta *m, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f) {
        *rc = -errno;
        return NULL;
    }
    if (kind == COLLAPSED)
        *rc = out_collapsed_write(f, a);
    else if (kind == SVG)
        *rc = out_svg_write(f, a, m);
    else
        *rc = out_speedscope_write(f, a, m);
    if (fclose(f) != 0 && *rc == 0)
        *rc = -EIO;
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_collapsed(void)
{
    struct agg *a = hostile_profile();
    int rc;
    char *out = render(COLLAPSED, a, &meta, &rc);

    TEST_EQ_INT(rc, 0);
    TEST_EQ_STR(out, "thread MainThread (1234);main (app.py:10);" HOSTILE_NAME " (" HOSTILE_PATH
                     ":5) 4\n"
                     "thread MainThread (1234);main (app.py:10);semi colon new line (app.py:20) 2\n"
                     "thread MainThread (1234);main (app.py:10);naïve_函数 (/src/ünï.py:7);"
                     "<sleep> 4\n"
                     "thread MainThread (1234);main (app.py:10);" BAD_UTF8 " (app.py:30) 1\n");
    free(out);
    agg_free(a);
}

static void test_svg_escaping(const char *svg)
{
    const char *end = strstr(svg, "]]></script>");

    TEST_CHECK(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"", 36) == 0);
    TEST_EQ_INT(count(svg, "<script"), 1);
    TEST_EQ_INT(count(svg, "</script>"), 1);
    TEST_EQ_INT(count(svg, "]]>"), 1);
    TEST_EQ_INT(count(svg, "<![CDATA["), 1);
    TEST_CHECK(end != NULL);
    TEST_CHECK(strstr(svg, "alert") > end); /* no name inside the script */
    TEST_CHECK(strstr(svg, "<sleep>") == NULL);
    TEST_CHECK(strstr(svg, "\xff") == NULL && strstr(svg, "\xc0") == NULL);
    TEST_CHECK(strstr(svg, "<title>&lt;script&gt;alert(1)&lt;/script&gt; "
                           "(/tmp/we&quot;ird&#39;&amp;]]&gt;.py:5)\n4 samples (25.00%)</title>"));
    TEST_CHECK(strstr(svg, "<title>semi;colon new line (app.py:20)\n2 samples (12.50%)</title>"));
    TEST_CHECK(strstr(svg, "<title>naïve_函数 (/src/ünï.py:7)\n4 samples"));
    TEST_CHECK(strstr(svg, "<title>&lt;sleep&gt;\n4 samples (25.00%)</title>"));
    TEST_CHECK(strstr(svg, "<title>bad" REPLACEMENT REPLACEMENT "name (app.py:30)\n1 samples"));
    /* 1 sample of 16 is 73.75px: room for 9 characters, so 7 of them and "..". */
    TEST_CHECK(strstr(svg, ">bad" REPLACEMENT REPLACEMENT "na..</text>"));
}

static void test_svg(void)
{
    struct agg *a = hostile_profile();
    int rc;
    char *svg = render(SVG, a, &meta, &rc);

    TEST_EQ_INT(rc, 0);
    if (!svg)
        return;
    test_svg_escaping(svg);
    TEST_CHECK(strstr(svg, "<g class=\"f\" data-x=\"0\" data-w=\"16\"><title>all\n16 samples "
                           "(100.00%)</title><rect x=\"10.00\" y=\"124\" width=\"1180.00\""));
    TEST_CHECK(strstr(svg, ">spyglass &lt;b&gt;&amp; test</text>"));
    TEST_CHECK(strstr(svg, ">wall mode | 1000 samples | 10.00 s | 99.5 Hz effective | 3 invalid "
                           "samples | 1.50% overhead</text>"));
    TEST_CHECK(strstr(svg, ">Reset zoom</text>") && strstr(svg, ">Search</text>"));
    TEST_CHECK(strstr(svg, "<svg version=\"1.1\" width=\"1200\" height=\"170\""));
    TEST_CHECK(strlen(svg) > 12 && strcmp(svg + strlen(svg) - 12, "</g>\n</svg>\n") == 0);
    free(svg);
    svg = render(SVG, a, NULL, &rc); /* no metadata */
    TEST_EQ_INT(rc, 0);
    TEST_CHECK(svg && strstr(svg, ">Flame Graph</text>") && !strstr(svg, "subtitle\""));
    free(svg);
    agg_free(a);
}

/* A unit taken from a raw file reaches every tooltip: escaped there as everywhere. */
static void test_svg_unit(void)
{
    struct agg *a = hostile_profile();
    struct agg_meta m = meta;
    int rc;

    m.unit = "\"><script>alert(1)</script><svg onload=\"x()\">\x1b";
    char *svg = render(SVG, a, &m, &rc);
    TEST_EQ_INT(rc, 0);
    TEST_CHECK(svg && count(svg, "<script") == 1 && count(svg, "onload=\"") == 1);
    TEST_CHECK(svg && strstr(svg, "<title>all\n16 &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
                                  "&lt;svg onload=&quot;x()&quot;&gt;  (100.00%)</title>"));
    TEST_CHECK(svg && !strchr(svg, '\x1b'));
    free(svg);
    agg_free(a);
}

/* A box under 0.1% of the width is dropped but still counted in its parent. */
static void test_svg_narrow(void)
{
    struct agg *a = agg_new();
    uint32_t big[] = {fake_frame(a, "big_fn", "a.py", 1, AGG_FRAME_PY)};
    uint32_t tiny[] = {big[0], fake_frame(a, "tiny_fn", "a.py", 2, AGG_FRAME_PY)};
    int rc;

    agg_add(a, big, 1, 10000);
    agg_add(a, tiny, 2, 1);
    char *svg = render(SVG, a, NULL, &rc);
    TEST_EQ_INT(rc, 0);
    TEST_CHECK(svg && !strstr(svg, "tiny_fn") && strstr(svg, "big_fn (a.py:1)\n10001 samples"));
    free(svg);
    agg_free(a);
}

static void test_speedscope(void)
{
    struct agg *a = hostile_profile();
    int rc;
    char *out = render(SPEEDSCOPE, a, &meta, &rc);

    TEST_EQ_INT(rc, 0);
    TEST_EQ_STR(
        out,
        "{\"$schema\":\"https://www.speedscope.app/"
        "file-format-schema.json\",\"shared\":{\"frames\":"
        "[{\"name\":\"thread MainThread (1234)\"},"
        "{\"name\":\"main\",\"file\":\"app.py\",\"line\":10},"
        "{\"name\":\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\","
        "\"file\":\"/tmp/we\\\"ird'\\u0026]]\\u003e.py\",\"line\":5},"
        "{\"name\":\"semi;colon\\nnew\\u000dline\",\"file\":\"app.py\",\"line\":20},"
        "{\"name\":\"naïve_函数\",\"file\":\"/src/ünï.py\",\"line\":7},"
        "{\"name\":\"\\u003csleep\\u003e\"},"
        "{\"name\":\"bad\\ufffd\\ufffdname\",\"file\":\"app.py\",\"line\":30}]},"
        "\"profiles\":[{\"type\":\"sampled\",\"name\":\"spyglass \\u003cb\\u003e\\u0026 test\","
        "\"unit\":\"none\",\"startValue\":0,\"endValue\":16,"
        "\"samples\":[[0,1,2],[0,1,3],[0,1,4,5],[],[0,1,6]],\"weights\":[4,2,4,5,1]}],"
        "\"name\":\"spyglass \\u003cb\\u003e\\u0026 test\",\"activeProfileIndex\":0,"
        "\"exporter\":\"spyglass\"}\n");
    free(out);
    agg_free(a);
}

static void test_empty(void)
{
    struct agg *a = agg_new();
    int rc;
    char *out = render(COLLAPSED, a, NULL, &rc);

    TEST_EQ_INT(rc, 0);
    TEST_EQ_STR(out, "");
    free(out);
    out = render(SVG, a, NULL, &rc);
    TEST_EQ_INT(rc, 0);
    TEST_CHECK(out && strstr(out, "<title>all\n0 samples (0.00%)</title>") &&
               strstr(out, "</svg>\n"));
    free(out);
    out = render(SPEEDSCOPE, a, NULL, &rc);
    TEST_EQ_INT(rc, 0);
    TEST_CHECK(out && strstr(out, "\"frames\":[]}") &&
               strstr(out, "\"name\":\"spyglass\",\"unit\":\"none\",\"startValue\":0,"
                           "\"endValue\":0,\"samples\":[],\"weights\":[]}]"));
    free(out);
    agg_free(a);
}

/* Each writer reports ENOSPC, whether the failure shows at fwrite (big output) or only at
 * the final flush (small output). */
static void test_dev_full(void)
{
    struct agg *small = hostile_profile(), *big = agg_new();
    char name[32];

    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "function_%d", i);
        uint32_t s[] = {fake_frame(big, name, "/some/long/path/to/module.py", i, AGG_FRAME_PY)};
        agg_add(big, s, 1, 1);
    }
    for (int i = 0; i < 6; i++) {
        const struct agg *a = i < 3 ? small : big;
        FILE *f = fopen("/dev/full", "w");
        TEST_CHECK(f != NULL);
        if (!f)
            break;
        if (i % 3 == COLLAPSED)
            TEST_EQ_INT(out_collapsed_write(f, a), -ENOSPC);
        else if (i % 3 == SVG)
            TEST_EQ_INT(out_svg_write(f, a, &meta), -ENOSPC);
        else
            TEST_EQ_INT(out_speedscope_write(f, a, &meta), -ENOSPC);
        fclose(f); /* fails too (unwritten data): nothing more to learn */
    }
    agg_free(small);
    agg_free(big);
}

void test_out_flame(void)
{
    test_collapsed();
    test_svg();
    test_svg_unit();
    test_svg_narrow();
    test_speedscope();
    test_empty();
    test_dev_full();
}
