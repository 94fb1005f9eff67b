/* Unit tests for the HTML report writer: the page's structure, escaping of hostile names,
 * paths, titles and source texts, the data read back with jansson (the call tree rebuilt into
 * the very stacks and weights of the profile), resource series, a full disk; the differential
 * page (both sides' weights equal agg_diff's, its facts, colour scale and escaping).
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "agg_diff.h"
#include "agg_stacks.h"
#include "fake_agg.h"
#include "out_diff.h"
#include "out_html.h"
#include "suites.h"
#include "util_sbuf.h"

#define HOSTILE_NAME "<script>alert(1)</script>"
#define HOSTILE_PATH "/tmp/q\"u'</script><script>alert(2)</script>.py"
#define LS           "\xe2\x80\xa8" /* U+2028 LINE SEPARATOR */
#define PS           "\xe2\x80\xa9" /* U+2029 PARAGRAPH SEPARATOR */
#define DATA_OPEN    "<script type=\"application/json\" id=\"spyglass-data\">"

static const struct agg_meta meta = {
    .title = "spyglass </title><script>alert(3)</script> & test",
    .command = "python3 app.py " LS,
    .python_version = "3.12.1",
    .mode = "wall",
    .duration = 2.5,
    .rate_requested = 100,
    .rate_effective = 99.5,
    .samples = 250,
    .invalid = 3,
    .overhead = 0.015,
};

/* Two threads, a hostile function in a hostile path, a state leaf, recursion, an empty stack
 * (weight 5), a stack that is a prefix of another, and a weight 0 stack: total 31. */
static struct agg *profile(void)
{
    struct agg *a = agg_new();
    uint32_t t1 = fake_frame(a, "thread MainThread (1)", NULL, 0, AGG_FRAME_THREAD);
    uint32_t t2 = fake_frame(a, "thread w" LS "orker (2)", NULL, 0, AGG_FRAME_THREAD);
    uint32_t mn = fake_frame(a, "main", "app.py", 10, AGG_FRAME_PY);
    uint32_t ev = fake_frame(a, HOSTILE_NAME, HOSTILE_PATH, 5, AGG_FRAME_PY);
    uint32_t rc = fake_frame(a, "rec", "app.py", 20, AGG_FRAME_PY);
    uint32_t sl = fake_frame(a, "<sleep>", NULL, 0, AGG_FRAME_STATE);
    uint32_t s1[] = {t1, mn, ev}, s2[] = {t1, mn, rc, rc, rc}, s3[] = {t2, mn, sl};
    uint32_t s4[] = {t1, mn};

    agg_add(a, s1, 3, 7);
    agg_add(a, s2, 5, 3);
    agg_add(a, s3, 3, 11);
    agg_add(a, s4, 2, 4);
    agg_add(a, s1, 0, 5);
    agg_add(a, s2, 4, 0);
    agg_add(a, s2, 3, 1);
    return a;
}

static char *render(const struct agg *a, const struct agg_meta *m, const struct out_html_res *r,
                    int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f) {
        *rc = -errno;
        return NULL;
    }
    *rc = out_html_write(f, a, m, r);
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

/* The JSON text of the data element (caller frees), or NULL. */
static char *data_text(const char *page)
{
    const char *p = strstr(page, DATA_OPEN), *e;
    if (!p)
        return NULL;
    p += strlen(DATA_OPEN);
    e = strstr(p, "</script>");
    return e ? strndup(p, (size_t)(e - p)) : NULL;
}

static json_t *data_json(const char *page)
{
    char *text = data_text(page);
    json_error_t err;
    json_t *j = text ? json_loads(text, 0, &err) : NULL;
    if (text && !j)
        fprintf(stderr, "json: %s at %d\n", err.text, err.position);
    free(text);
    return j;
}

static void test_structure(void)
{
    struct agg *a = profile();
    int rc;
    char *page = render(a, &meta, NULL, &rc);

    TEST_EQ_INT(rc, 0);
    if (!page)
        return;
    TEST_CHECK(strncmp(page, "<!DOCTYPE html>", 15) == 0);
    TEST_CHECK(strlen(page) > 8 && strcmp(page + strlen(page) - 8, "</html>\n") == 0);
    /* the data element and the viewer: two scripts, nothing else opens or closes one */
    TEST_EQ_INT(count(page, "<script"), 2);
    TEST_EQ_INT(count(page, "</script"), 2);
    TEST_EQ_INT(count(page, "<style>"), 1);
    TEST_EQ_INT(count(page, "</style>"), 1);
    TEST_EQ_INT(count(page, "@@"), 0); /* every marker filled */
    TEST_CHECK(strstr(page, "<title>spyglass &lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt; "
                            "&amp; test</title>"));
    TEST_CHECK(strstr(page, "Content-Security-Policy") && strstr(page, "default-src 'none'"));
    TEST_CHECK(strstr(page, "http://") == NULL && strstr(page, "https://") == NULL);
    TEST_CHECK(strstr(page, "window.spyglass")); /* the viewer is in */
    free(page);
    agg_free(a);
}

static void test_escaping(void)
{
    struct agg *a = profile();
    int rc;
    char *page = render(a, &meta, NULL, &rc), *data = page ? data_text(page) : NULL;

    TEST_EQ_INT(rc, 0);
    TEST_CHECK(data != NULL);
    if (!data) {
        free(page);
        agg_free(a);
        return;
    }
    TEST_CHECK(strpbrk(data, "<>&") == NULL);
    TEST_CHECK(strstr(data, LS) == NULL && strstr(data, PS) == NULL);
    TEST_CHECK(strstr(data, "\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\""));
    TEST_CHECK(strstr(data, "\"/tmp/q\\\"u'\\u003c/script\\u003e\\u003cscript\\u003ealert(2)"
                            "\\u003c/script\\u003e.py\""));
    TEST_CHECK(strstr(data, "\"thread w\\u2028orker (2)\""));
    TEST_CHECK(strstr(data, "\"command\":\"python3 app.py \\u2028\""));
    free(data);
    free(page);
    agg_free(a);
}

/* The values of a packed column {"bytes":W,"b64":"..."}: n of them into v (caller's room). */
static int unpack(json_t *col, uint32_t *v, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *s = json_string_value(json_object_get(col, "b64"));
    json_int_t w = json_integer_value(json_object_get(col, "bytes"));
    unsigned char bytes[4096];
    size_t nb = 0;

    if (!s || (w != 1 && w != 2 && w != 4))
        return -1;
    for (uint32_t acc = 0, bits = 0; *s && *s != '='; s++) {
        const char *c = strchr(abc, *s);
        if (!c || nb == sizeof(bytes))
            return -1;
        acc = acc << 6 | (uint32_t)(c - abc);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes[nb++] = (unsigned char)(acc >> bits);
        }
    }
    if (nb != n * (size_t)w)
        return -1;
    for (size_t i = 0; i < n; i++) {
        v[i] = 0;
        for (json_int_t j = 0; j < w; j++)
            v[i] |= (uint32_t)bytes[i * (size_t)w + (size_t)j] << (8 * j);
    }
    return 0;
}

/* The weight of every call path (frame ids joined by ',') as the tree encodes it, summed over
 * the stacks that end there: rebuilt from the tree's columns, one "path weight" per line. */
static void tree_paths(json_t *tree, struct sbuf *b)
{
    json_t *self = json_object_get(tree, "self");
    size_t n = (size_t)json_integer_value(json_object_get(tree, "n"));
    uint32_t depth[64], fr[64];
    json_int_t path[64], w[64] = {0}, at = 0;

    TEST_CHECK(n > 0 && n < 64);
    if (!n || n >= 64)
        return;
    TEST_EQ_INT(unpack(json_object_get(tree, "depth"), depth, n), 0);
    TEST_EQ_INT(unpack(json_object_get(tree, "frame"), fr, n), 0);
    TEST_EQ_INT(json_array_size(self) % 2, 0);
    for (size_t k = 0; k + 1 < json_array_size(self); k += 2) {
        at += json_integer_value(json_array_get(self, k));
        TEST_CHECK(at >= 0 && at < (json_int_t)n);
        if (at >= 0 && at < (json_int_t)n)
            w[at] = json_integer_value(json_array_get(self, k + 1));
    }
    for (size_t i = 0; i < n; i++) {
        path[depth[i]] = fr[i];
        if (!w[i])
            continue;
        for (uint32_t k = 0; k <= depth[i]; k++)
            sbuf_printf(b, k ? ",%lld" : "%lld", (long long)path[k]);
        sbuf_printf(b, " %lld\n", (long long)w[i]);
    }
}

static void test_tree(void)
{
    struct agg *a = profile();
    struct sbuf got;
    int rc;
    char *page = render(a, &meta, NULL, &rc);
    json_t *j = page ? data_json(page) : NULL, *tree = json_object_get(j, "tree");

    TEST_CHECK(j != NULL);
    sbuf_init(&got);
    tree_paths(tree, &got);
    /* stacks: frame ids t1=0 t2=1 main=2 evil=3 rec=4 sleep=5; preorder, children in the
     * order first seen, weight 0 left out */
    TEST_EQ_STR(sbuf_str(&got), "0,2 4\n"
                                "0,2,3 7\n"
                                "0,2,4 1\n"
                                "0,2,4,4,4 3\n"
                                "1,2,5 11\n");
    TEST_EQ_INT(json_integer_value(json_object_get(tree, "root_self")), 5);
    json_t *m = json_object_get(j, "meta");
    TEST_EQ_INT(json_integer_value(json_object_get(m, "total")), 31);
    TEST_EQ_INT(json_integer_value(json_object_get(m, "samples")), 250);
    TEST_EQ_STR(json_string_value(json_object_get(m, "unit")), "samples");
    TEST_EQ_STR(json_string_value(json_object_get(m, "python")), "3.12.1");
    TEST_CHECK(fabs(json_real_value(json_object_get(m, "overhead")) - 0.015) < 1e-12);
    /* frames: name, file, line, kind per frame; strings in order of first use */
    json_t *fr = json_object_get(j, "frames"), *st = json_object_get(j, "strings");
    TEST_EQ_INT(json_array_size(fr), 6 * 4);
    TEST_EQ_INT(json_integer_value(json_array_get(fr, 3 * 4 + 2)), 5);
    TEST_EQ_INT(json_integer_value(json_array_get(fr, 5 * 4 + 3)), AGG_FRAME_STATE);
    TEST_EQ_INT(json_integer_value(json_array_get(fr, 0 * 4 + 1)), -1);
    json_int_t name = json_integer_value(json_array_get(fr, 3 * 4));
    json_int_t file = json_integer_value(json_array_get(fr, 3 * 4 + 1));
    TEST_EQ_STR(json_string_value(json_array_get(st, (size_t)name)), HOSTILE_NAME);
    TEST_EQ_STR(json_string_value(json_array_get(st, (size_t)file)), HOSTILE_PATH);
    TEST_EQ_STR(json_string_value(json_array_get(st, 1)), "thread w" LS "orker (2)");
    TEST_EQ_INT(json_array_size(json_object_get(j, "sources")), 0);
    TEST_CHECK(json_object_get(j, "series") == NULL);
    json_decref(j);
    sbuf_destroy(&got);
    free(page);
    agg_free(a);
}

/* A stack 300 deep: depths and frame ids take 2 bytes each. */
static void test_packing(void)
{
    struct agg *a = agg_new();
    uint32_t st[300], depth[300], fr[300];
    char name[16];
    int rc;

    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        st[i] = fake_frame(a, name, "deep.py", i + 1, AGG_FRAME_PY);
    }
    agg_add(a, st, 300, 1ULL << 40); /* a weight beyond 32 bits (bytes) */
    char *page = render(a, NULL, NULL, &rc);
    json_t *j = page ? data_json(page) : NULL, *tree = json_object_get(j, "tree");
    TEST_EQ_INT(rc, 0);
    TEST_EQ_INT(json_integer_value(json_object_get(json_object_get(tree, "depth"), "bytes")), 2);
    TEST_EQ_INT(json_integer_value(json_object_get(json_object_get(tree, "frame"), "bytes")), 2);
    TEST_EQ_INT(unpack(json_object_get(tree, "depth"), depth, 300), 0);
    TEST_EQ_INT(unpack(json_object_get(tree, "frame"), fr, 300), 0);
    TEST_CHECK(depth[0] == 0 && depth[299] == 299 && fr[0] == st[0] && fr[299] == st[299]);
    json_t *self = json_object_get(tree, "self");
    TEST_EQ_INT(json_array_size(self), 2);
    TEST_EQ_INT(json_integer_value(json_array_get(self, 0)), 299);
    TEST_EQ_INT(json_integer_value(json_array_get(self, 1)), 1LL << 40);
    json_decref(j);
    free(page);
    agg_free(a);
}

static void test_sources(void)
{
    struct agg *a = profile();
    static const char text[] = "def f():\n    s = \"</script><!--\" + '" LS PS "'\n"
                               "    \x01\xff\n";
    uint32_t app = agg_intern(a, "app.py", 6), other = agg_intern(a, "unused.py", 9);
    int rc;

    agg_set_source(a, app, text, sizeof(text) - 1);
    agg_set_source(a, other, "x = 1\n", 6); /* no frame names it: left out */
    char *page = render(a, &meta, NULL, &rc), *data = page ? data_text(page) : NULL;
    json_t *j = page ? data_json(page) : NULL, *src = json_object_get(j, "sources");

    TEST_EQ_INT(rc, 0);
    TEST_CHECK(data && strpbrk(data, "<>&") == NULL && !strstr(data, LS) && !strstr(data, PS));
    TEST_EQ_INT(json_array_size(src), 1);
    json_t *s0 = json_array_get(src, 0), *st = json_object_get(j, "strings");
    TEST_EQ_STR(
        json_string_value(json_array_get(st, (size_t)json_integer_value(json_array_get(s0, 0)))),
        "app.py");
    TEST_EQ_STR(json_string_value(json_array_get(s0, 1)),
                "def f():\n    s = \"</script><!--\" + '" LS PS "'\n    \x01\xef\xbf\xbd\n");
    TEST_CHECK(data && !strstr(data, "unused.py"));
    json_decref(j);
    free(data);
    free(page);
    agg_free(a);
}

static void test_series(void)
{
    struct agg *a = profile();
    const double t[] = {0, 0.1, 0.2}, cpu[] = {NAN, 99.5, 100}, rss[] = {1e6, 2e6, 1.5e6};
    const struct out_html_series s[] = {
        {"cpu_pct", "CPU", "%", "cpu", cpu},
        {"rss_bytes", "R<SS>", "B", NULL, rss},
    };
    const struct out_html_res res = {.n = 3, .t = t, .series = s, .nseries = 2};
    int rc;
    char *page = render(a, NULL, &res, &rc);
    json_t *j = page ? data_json(page) : NULL, *se = json_object_get(j, "series");
    json_t *list = json_object_get(se, "list");

    TEST_EQ_INT(rc, 0);
    TEST_EQ_INT(json_array_size(json_object_get(se, "t")), 3);
    TEST_EQ_INT(json_array_size(list), 2);
    json_t *c = json_array_get(list, 0), *r = json_array_get(list, 1);
    TEST_CHECK(json_is_null(json_array_get(json_object_get(c, "v"), 0)));
    TEST_CHECK(json_number_value(json_array_get(json_object_get(c, "v"), 1)) == 99.5);
    TEST_EQ_STR(json_string_value(json_object_get(r, "label")), "R<SS>");
    TEST_EQ_STR(json_string_value(json_object_get(r, "chart")), "rss_bytes");
    TEST_CHECK(json_number_value(json_array_get(json_object_get(r, "v"), 2)) == 1.5e6);
    /* no metadata: the defaults */
    TEST_CHECK(page && strstr(page, "<title>spyglass profile</title>"));
    TEST_CHECK(json_is_null(json_object_get(json_object_get(j, "meta"), "python")));
    json_decref(j);
    free(page);
    agg_free(a);
}

static void test_empty_and_errors(void)
{
    struct agg *a = agg_new();
    int rc;
    char *page = render(a, &meta, NULL, &rc);
    json_t *j = page ? data_json(page) : NULL;

    TEST_EQ_INT(rc, 0);
    TEST_CHECK(j != NULL);
    TEST_EQ_INT(json_array_size(json_object_get(json_object_get(j, "tree"), "depth")), 0);
    json_decref(j);
    free(page);
    agg_free(a);

    FILE *f = fopen("/dev/full", "w");
    TEST_CHECK(f != NULL);
    if (f) {
        a = profile();
        TEST_EQ_INT(out_html_write(f, a, &meta, NULL), -ENOSPC);
        fclose(f);
        agg_free(a);
    }
}

/* Two profiles: A (a hostile name in a hostile path, a function only A has, an empty stack)
 * and B (f four times A's, g as in A, a new function). */
static void diff_profiles(struct agg **pa, struct agg **pb)
{
    struct agg *a = agg_new(), *b = agg_new();
    uint32_t m = fake_frame(a, "main", "app.py", 1, AGG_FRAME_PY);
    uint32_t sa1[] = {m, fake_frame(a, "f", "app.py", 2, AGG_FRAME_PY)};
    uint32_t sa2[] = {m, fake_frame(a, "g", "app.py", 3, AGG_FRAME_PY)};
    uint32_t sa3[] = {m, fake_frame(a, "gone", "old.py", 4, AGG_FRAME_PY)};
    uint32_t sa4[] = {m, fake_frame(a, HOSTILE_NAME, HOSTILE_PATH, 5, AGG_FRAME_PY)};

    agg_add(a, sa1, 2, 10);
    agg_add(a, sa2, 2, 20);
    agg_add(a, sa3, 2, 5);
    agg_add(a, sa4, 2, 2);
    agg_add(a, sa1, 0, 3);
    agg_set_source(a, agg_intern(a, "app.py", 6), "A's app\n", 8);
    agg_set_source(a, agg_intern(a, "old.py", 6), "</script>old\n", 13);
    m = fake_frame(b, "main", "app.py", 1, AGG_FRAME_PY);
    uint32_t sb1[] = {m, fake_frame(b, "g", "app.py", 3, AGG_FRAME_PY)};
    uint32_t sb2[] = {m, fake_frame(b, "f", "app.py", 2, AGG_FRAME_PY)};
    uint32_t sb3[] = {m, fake_frame(b, "new", "app.py", 6, AGG_FRAME_PY)};
    uint32_t sb4[] = {m, fake_frame(b, HOSTILE_NAME, HOSTILE_PATH, 5, AGG_FRAME_PY)};
    agg_add(b, sb1, 2, 20);
    agg_add(b, sb2, 2, 40);
    agg_add(b, sb3, 2, 7);
    agg_add(b, sb4, 2, 1);
    agg_set_source(b, agg_intern(b, "app.py", 6), "B's app\n", 8);
    *pa = a;
    *pb = b;
}

static int cmp_line(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The lines of text sorted, joined again (caller frees). */
static char *sorted_lines(const char *text)
{
    char *copy = strdup(text), *save = NULL, *lines[64] = {NULL};
    size_t n = 0;
    struct sbuf b;

    for (char *l = strtok_r(copy, "\n", &save); l && n < 64; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    qsort(lines, n, sizeof(lines[0]), cmp_line);
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        sbuf_printf(&b, "%s\n", lines[i]);
    free(copy);
    char *out = strdup(sbuf_str(&b));
    sbuf_destroy(&b);
    return out;
}

/* "path weight" lines (frame ids of agg_diff_agg(d), weights %.6g) from the tree's "self"
 * (b) or "self2" (a) column, and the same from agg_diff, both sorted. */
static void diff_paths(json_t *tree, const char *key, const struct agg_diff *d, int side_b,
                       char **got, char **want)
{
    json_t *self = json_object_get(tree, key);
    size_t n = (size_t)json_integer_value(json_object_get(tree, "n"));
    uint32_t depth[64], fr[64], path[64];
    double w[64] = {0};
    json_int_t at = 0;
    struct sbuf g, e;

    sbuf_init(&g);
    sbuf_init(&e);
    TEST_CHECK(n > 0 && n < 64);
    if (n && n < 64 && unpack(json_object_get(tree, "depth"), depth, n) == 0 &&
        unpack(json_object_get(tree, "frame"), fr, n) == 0) {
        for (size_t k = 0; k + 1 < json_array_size(self); k += 2) {
            at += json_integer_value(json_array_get(self, k));
            TEST_CHECK(at >= 0 && at < (json_int_t)n);
            if (at >= 0 && at < (json_int_t)n)
                w[at] = json_number_value(json_array_get(self, k + 1));
        }
        for (size_t i = 0; i < n; i++) {
            path[depth[i]] = fr[i];
            for (uint32_t k = 0; w[i] > 0 && k <= depth[i]; k++)
                sbuf_printf(&g, k ? ",%u" : "%u", path[k]);
            if (w[i] > 0)
                sbuf_printf(&g, " %.6g\n", w[i]);
        }
    }
    const struct agg *u = agg_diff_agg(d);
    for (uint32_t i = 0; i < agg_nstacks(u); i++) {
        uint32_t len;
        uint64_t wu;
        const uint32_t *st = agg_stack(u, i, &len, &wu);
        double v = side_b ? (double)agg_diff_b(d, i) : agg_diff_a(d, i);
        if (!len || !(v > 0))
            continue;
        for (uint32_t k = 0; k < len; k++)
            sbuf_printf(&e, k ? ",%u" : "%u", st[k]);
        sbuf_printf(&e, " %.6g\n", v);
    }
    *got = sorted_lines(sbuf_str(&g));
    *want = sorted_lines(sbuf_str(&e));
    sbuf_destroy(&g);
    sbuf_destroy(&e);
}

static char *render_diff(const struct out_html_diff *x, const struct agg_meta *m, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f) {
        *rc = -errno;
        return NULL;
    }
    *rc = out_html_write_diff(f, x, m);
    if (fclose(f) != 0 && *rc == 0)
        *rc = -EIO;
    return buf;
}

static void test_diff_weights(void)
{
    struct agg *a, *b;
    diff_profiles(&a, &b);
    struct agg_diff *d = agg_diff_new(a, b, 1.0 / 3);
    struct agg_meta mt = {.title = "A -> B", .overhead = -1};
    struct out_html_diff x = {
        d, {"before.spyraw", &meta}, {"after.spyraw", NULL}, AGG_DIFF_TIME, 1.0 / 3};
    int rc;
    char *page = render_diff(&x, &mt, &rc), *got = NULL, *want = NULL;
    json_t *j = page ? data_json(page) : NULL, *tree = json_object_get(j, "tree");

    TEST_EQ_INT(rc, 0);
    TEST_CHECK(j != NULL);
    /* self: B's weights; self2: A's, normalised (a third of A's counts) */
    diff_paths(tree, "self", d, 1, &got, &want);
    TEST_EQ_STR(got, want);
    TEST_EQ_INT(count(got, "\n"), 4);
    free(got);
    free(want);
    diff_paths(tree, "self2", d, 0, &got, &want);
    TEST_EQ_STR(got, want);
    TEST_EQ_INT(count(got, "\n"), 4); /* "gone", only in A, among them */
    TEST_CHECK(strstr(got, " 3.33333\n") && strstr(got, " 1.66667\n"));
    free(got);
    free(want);
    TEST_CHECK(fabs(json_number_value(json_object_get(tree, "root_self2")) - 1.0) < 1e-9);
    TEST_EQ_INT(json_integer_value(json_object_get(tree, "root_self")), 0);
    json_t *meta_j = json_object_get(j, "meta");
    TEST_EQ_INT(json_integer_value(json_object_get(meta_j, "total")), 68);
    /* sources of both sides, B's where both have one */
    json_t *src = json_object_get(j, "sources"), *st = json_object_get(j, "strings");
    TEST_EQ_INT(json_array_size(src), 2);
    for (size_t i = 0; i < json_array_size(src); i++) {
        json_t *s = json_array_get(src, i);
        const char *file =
            json_string_value(json_array_get(st, (size_t)json_integer_value(json_array_get(s, 0))));
        const char *text = json_string_value(json_array_get(s, 1));
        TEST_CHECK(file && text);
        if (file && text)
            TEST_EQ_STR(text, strcmp(file, "app.py") == 0 ? "B's app\n" : "</script>old\n");
    }
    json_decref(j);
    free(page);
    agg_diff_free(d);
    agg_free(a);
    agg_free(b);
}

static void test_diff_facts(void)
{
    struct agg *a, *b;
    diff_profiles(&a, &b);
    struct agg_diff *d = agg_diff_new(a, b, 2);
    struct agg_meta mb = {.rate_requested = 100, .samples = 70, .overhead = -1};
    struct out_html_diff x = {d, {HOSTILE_PATH, &meta}, {"b" LS ".txt", &mb}, AGG_DIFF_DURATION, 2};
    int rc;
    char *page = render_diff(&x, NULL, &rc), *data = page ? data_text(page) : NULL;
    json_t *j = page ? data_json(page) : NULL, *df = json_object_get(j, "diff");
    json_t *sa = json_object_get(df, "a"), *sb = json_object_get(df, "b");
    json_t *sc = json_object_get(df, "scale");

    TEST_EQ_INT(rc, 0);
    TEST_CHECK(page && count(page, "<script") == 2 && count(page, "</script") == 2);
    TEST_CHECK(page && count(page, "@@") == 0);
    TEST_CHECK(data && strpbrk(data, "<>&") == NULL && !strstr(data, LS));
    TEST_EQ_STR(json_string_value(json_object_get(df, "norm")), "duration");
    TEST_CHECK(json_number_value(json_object_get(df, "factor")) == 2);
    TEST_CHECK(json_is_true(json_object_get(df, "counts")));
    TEST_EQ_INT(json_integer_value(json_object_get(sc, "neutral")), OUT_DIFF_NEUTRAL);
    TEST_EQ_INT(json_integer_value(json_object_get(sc, "rise")), OUT_DIFF_RISE);
    TEST_EQ_INT(json_integer_value(json_object_get(sc, "fade")), OUT_DIFF_FADE);
    TEST_EQ_INT(json_integer_value(json_object_get(sc, "noise_sd")), OUT_DIFF_NOISE_SD);
    TEST_EQ_STR(json_string_value(json_object_get(sa, "name")), HOSTILE_PATH);
    TEST_EQ_STR(json_string_value(json_object_get(sa, "python")), "3.12.1");
    TEST_EQ_STR(json_string_value(json_object_get(sa, "command")), "python3 app.py " LS);
    TEST_EQ_INT(json_integer_value(json_object_get(sa, "samples")), 250);
    TEST_CHECK(json_number_value(json_object_get(sa, "total")) == 2 * 40); /* A times 2 */
    TEST_CHECK(json_number_value(json_object_get(sa, "total")) == agg_diff_total_a(d));
    TEST_EQ_STR(json_string_value(json_object_get(sb, "name")), "b" LS ".txt");
    TEST_CHECK(json_number_value(json_object_get(sb, "total")) == 68);
    TEST_CHECK(json_number_value(json_object_get(sb, "rate_requested")) == 100);
    TEST_CHECK(json_is_null(json_object_get(sb, "python")));
    /* no meta: the defaults; a plain report has no "diff" nor "self2" */
    TEST_CHECK(page && strstr(page, "<title>spyglass profile</title>"));
    TEST_EQ_STR(json_string_value(json_object_get(json_object_get(j, "meta"), "unit")), "samples");
    json_decref(j);
    free(data);
    free(page);
    page = render(a, &meta, NULL, &rc);
    data = page ? data_text(page) : NULL;
    TEST_CHECK(data && !strstr(data, "\"diff\":") && !strstr(data, "\"self2\""));
    free(data);
    free(page);

    /* bytes: no fading by noise; a full disk */
    struct agg_meta bytes = {.unit = "bytes", .overhead = -1};
    page = render_diff(&x, &bytes, &rc);
    j = page ? data_json(page) : NULL;
    TEST_CHECK(json_is_false(json_object_get(json_object_get(j, "diff"), "counts")));
    json_decref(j);
    free(page);
    FILE *f = fopen("/dev/full", "w");
    TEST_CHECK(f != NULL);
    if (f) {
        TEST_EQ_INT(out_html_write_diff(f, &x, &bytes), -ENOSPC);
        fclose(f);
    }
    agg_diff_free(d);
    agg_free(a);
    agg_free(b);
}

void test_out_html(void)
{
    test_structure();
    test_escaping();
    test_tree();
    test_packing();
    test_sources();
    test_series();
    test_empty_and_errors();
    test_diff_weights();
    test_diff_facts();
}
