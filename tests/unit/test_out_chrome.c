/* Unit tests for the Chrome trace-event writer: a time line of two threads read back with
 * jansson, every event checked against the layout worked out by hand (merges across lines of
 * one function, gaps, the last sample's period, track names), nesting per thread, hostile names,
 * and no time line.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "agg_collapsed.h"
#include "agg_timeline.h"
#include "out_chrome.h"
#include "suites.h"

static uint32_t add(struct agg *a, const char *stack)
{
    uint32_t ids[16], n = 0;
    for (const char *p = stack;;) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        ids[n++] = agg_collapsed_frame(a, p, len);
        if (!semi)
            break;
        p = semi + 1;
    }
    return agg_add(a, ids, n, 1);
}

/* Render a with tl into a jansson document (NULL when it does not parse). */
static json_t *render(const struct agg *a, struct agg_timeline *tl, double rate)
{
    struct agg_meta m = {.command = "python3 \"x\".py", .rate_effective = rate, .timeline = tl};
    char *buf = NULL;
    size_t len = 0;
    json_error_t jerr;
    FILE *f = open_memstream(&buf, &len);
    TEST_EQ_INT(out_chrome_write(f, a, &m), 0);
    fclose(f);
    json_t *doc = json_loadb(buf, len, 0, &jerr);
    if (!doc)
        fprintf(stderr, "FAIL chrome JSON: %s (line %d)\n", jerr.text, jerr.line);
    TEST_CHECK(doc != NULL);
    free(buf);
    return doc;
}

/* qsort on an array of char *: compare the strings. */
static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "tid name ts dur [line N]" of every X event, sorted, one per line (caller frees); the thread
 * names into names as "tid=name|". */
static char *events(json_t *doc, char *names, size_t nlen)
{
    json_t *evs = json_object_get(doc, "traceEvents"), *e;
    size_t i, cap = 4096, len = 0;
    char *out = calloc(1, cap), line[256];
    char *lines[64];
    size_t n = 0;

    names[0] = '\0';
    json_array_foreach(evs, i, e)
    {
        const char *ph = json_string_value(json_object_get(e, "ph"));
        const char *name = json_string_value(json_object_get(e, "name"));
        if (ph && strcmp(ph, "M") == 0 && strcmp(name, "thread_name") == 0) {
            snprintf(names + strlen(names), nlen - strlen(names), "%lld=%s|",
                     json_integer_value(json_object_get(e, "tid")),
                     json_string_value(json_object_get(json_object_get(e, "args"), "name")));
            continue;
        }
        if (!ph || strcmp(ph, "X") != 0 || n == 64)
            continue;
        json_t *args = json_object_get(e, "args");
        int k = snprintf(line, sizeof(line), "%lld %s %lld %lld",
                         json_integer_value(json_object_get(e, "tid")), name,
                         json_integer_value(json_object_get(e, "ts")),
                         json_integer_value(json_object_get(e, "dur")));
        if (args && k > 0 && (size_t)k < sizeof(line))
            snprintf(line + k, sizeof(line) - (size_t)k, " line %lld",
                     json_integer_value(json_object_get(args, "line")));
        strncat(line, "\n", sizeof(line) - strlen(line) - 1);
        lines[n++] = strdup(line);
    }
    qsort(lines, n, sizeof(char *), cmp_lines);
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(lines[k]);
        if (len + l < cap) {
            memcpy(out + len, lines[k], l + 1);
            len += l;
        }
        free(lines[k]);
    }
    return out;
}

static void test_layout(void)
{
    struct agg *a = agg_new();
    struct agg_timeline *tl = agg_timeline_new();
    char names[256];

    /* t = 0, 10, 20, 30 ms; 100 Hz: the last sample lasts 10 ms */
    agg_timeline_add(tl, add(a, "thread MainThread (11);main (a.py:1);work (a.py:5)"), 1, 11);
    agg_timeline_add(tl, add(a, "main (a.py:1);other (a.py:9)"), 1, 12);
    agg_timeline_tick(tl, 0);
    agg_timeline_add(tl, add(a, "thread MainThread (11);main (a.py:1);work (a.py:6)"), 1, 11);
    agg_timeline_add(tl, add(a, "main (a.py:1)"), 1, 12);
    agg_timeline_add(tl, add(a, "main (a.py:1);work (a.py:5)"), 1, 12); /* twice: left out */
    agg_timeline_tick(tl, 10000000);
    agg_timeline_add(tl, add(a, "thread MainThread (11);main (a.py:1);other (a.py:9)"), 1, 11);
    agg_timeline_tick(tl, 20000000);
    agg_timeline_add(tl, add(a, "main (a.py:1);other (a.py:9);<sleep>"), 1, 12);
    agg_timeline_add(tl, add(a, "thread MainThread (11);main (a.py:1);other (a.py:9)"), 1, 11);
    agg_timeline_tick(tl, 30000000);
    json_t *doc = render(a, tl, 100);
    if (doc) {
        char *got = events(doc, names, sizeof(names));
        TEST_EQ_STR(got, "11 main 0 40000 line 1\n"
                         "11 other 20000 20000 line 9\n"
                         "11 work 0 20000 line 5\n"
                         "12 <sleep> 30000 10000\n"
                         "12 main 0 20000 line 1\n"
                         "12 main 30000 10000 line 1\n"
                         "12 other 0 10000 line 9\n"
                         "12 other 30000 10000 line 9\n");
        TEST_EQ_STR(names, "11=MainThread (11)|12=thread 12|");
        json_t *pn = json_array_get(json_object_get(doc, "traceEvents"), 8);
        TEST_EQ_STR(json_string_value(json_object_get(pn, "name")), "process_name");
        TEST_EQ_STR(json_string_value(json_object_get(json_object_get(pn, "args"), "name")),
                    "python3 \"x\".py");
        free(got);
        json_decref(doc);
    }
    agg_timeline_free(tl);
    agg_free(a);
}

/* Events of each thread nest (an event starting inside another ends inside it) and the
 * outermost ones add up to one period per sample when every instant samples the thread. */
static void test_nesting(void)
{
    static const char *const stacks[] = {"m (a.py:1);f (a.py:2);g (a.py:3)",
                                         "m (a.py:1);f (a.py:2)",
                                         "m (a.py:1);h (a.py:4);g (a.py:3)", "m (a.py:1)"};
    struct agg *a = agg_new();
    struct agg_timeline *tl = agg_timeline_new();
    uint64_t t = 0, seed = 12345;

    for (int i = 0; i < 500; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        agg_timeline_add(tl, add(a, stacks[(seed >> 33) % 4]), 1, 5);
        agg_timeline_tick(tl, t);
        t += 5000000 + (seed >> 40) % 10000000; /* 5 to 15 ms: a jittered 100 Hz */
    }
    json_t *doc = render(a, tl, 100);
    json_t *evs = doc ? json_object_get(doc, "traceEvents") : NULL, *e;
    size_t i, n = 0;
    long long spans[2000][2], top = 0;
    json_array_foreach(evs, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "ph")), "X") != 0 || n == 2000)
            continue;
        spans[n][0] = json_integer_value(json_object_get(e, "ts"));
        spans[n][1] = spans[n][0] + json_integer_value(json_object_get(e, "dur"));
        if (strcmp(json_string_value(json_object_get(e, "name")), "m") == 0)
            top += spans[n][1] - spans[n][0];
        n++;
    }
    int crossing = 0;
    for (size_t x = 0; x < n; x++)
        for (size_t y = 0; y < n; y++)
            crossing +=
                spans[y][0] > spans[x][0] && spans[y][0] < spans[x][1] && spans[y][1] > spans[x][1];
    TEST_EQ_INT(crossing, 0);
    TEST_CHECK(n > 100);
    /* all 500 samples: from the first instant to the last, plus one period */
    TEST_EQ_INT(top, (long long)((t - 5000000 - (seed >> 40) % 10000000) / 1000) + 10000);
    json_decref(doc);
    agg_timeline_free(tl);
    agg_free(a);
}

static void test_hostile_and_empty(void)
{
    struct agg *a = agg_new();
    struct agg_timeline *tl = agg_timeline_new();
    struct agg_meta m = {.overhead = -1};
    char names[256];

    agg_timeline_add(tl, add(a, "</script>\"\n\\ (a\"b.py:3)"), 1, 0);
    agg_timeline_tick(tl, 7000);
    json_t *doc = render(a, tl, 0);
    if (doc) {
        char *got = events(doc, names, sizeof(names));
        TEST_EQ_STR(got, "1000000000 </script>\"\n\\ 7 10000 line 3\n");
        TEST_EQ_STR(names, "1000000000=thread ?|");
        free(got);
        json_decref(doc);
    }
    TEST_EQ_INT(out_chrome_write(stdout, a, &m), -ENODATA);
    TEST_EQ_INT(out_chrome_write(stdout, a, NULL), -ENODATA);
    agg_timeline_free(tl);
    agg_free(a);
}

/* The last sample's period from a rate at the bounds of raw files, and from rates no file
 * can hold: always a whole number of microseconds within range (never llround(inf)). */
static void test_period_bounds(void)
{
    static const double rates[] = {1e-3, 1e9, 1e-300, 5e-324, 1e300, INFINITY, NAN, -5};
    static const long long want[] = {1000000000, 1, 10000, 10000, 1, 1, 10000, 10000};

    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        struct agg *a = agg_new();
        struct agg_timeline *tl = agg_timeline_new();
        char names[256];

        agg_timeline_add(tl, add(a, "main (a.py:1)"), 1, 5);
        agg_timeline_tick(tl, 0);
        json_t *doc = render(a, tl, rates[i]);
        if (doc) {
            char *got = events(doc, names, sizeof(names)), want_line[64];
            snprintf(want_line, sizeof(want_line), "5 main 0 %lld line 1\n", want[i]);
            TEST_EQ_STR(got, want_line);
            free(got);
            json_decref(doc);
        }
        agg_timeline_free(tl);
        agg_free(a);
    }
}

void test_out_chrome(void)
{
    test_period_bounds();
    test_layout();
    test_nesting();
    test_hostile_and_empty();
}
