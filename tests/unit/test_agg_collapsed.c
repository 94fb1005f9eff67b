/* Unit tests for the collapsed-stack reader: labels split back into frames, real captures
 * read and written back byte for byte, hostile names, lenient spacing, and every rejection.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "agg_collapsed.h"
#include "out_flame.h"
#include "suites.h"
#include "util_sbuf.h"

/* The collapsed output of a (caller frees). */
static char *collapsed(const struct agg *a)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int rc = out_collapsed_write(f, a);
    fclose(f);
    TEST_EQ_INT(rc, 0);
    return buf;
}

static void check_label(const char *label, const char *name, const char *file, int32_t line,
                        enum agg_frame_kind kind)
{
    struct agg *a = agg_new();
    struct sbuf b;
    uint32_t id = agg_collapsed_frame(a, label, strlen(label));
    const struct agg_frame *f = agg_frame_get(a, id);

    sbuf_init(&b);
    agg_frame_label(a, id, &b);
    TEST_EQ_STR(sbuf_str(&b), label);
    TEST_EQ_STR(agg_str(a, f->name), name);
    if (file)
        TEST_EQ_STR(f->file == AGG_NONE ? "(none)" : agg_str(a, f->file), file);
    else
        TEST_CHECK(f->file == AGG_NONE);
    TEST_EQ_INT(f->line, line);
    TEST_EQ_INT(f->kind, kind);
    sbuf_destroy(&b);
    agg_free(a);
}

static void test_labels(void)
{
    check_label("main (app.py:10)", "main", "app.py", 10, AGG_FRAME_PY);
    check_label("<module> (<frozen importlib._bootstrap>:1360)", "<module>",
                "<frozen importlib._bootstrap>", 1360, AGG_FRAME_PY);
    check_label("<script>alert(1)</script> (/tmp/we\"ird'&]]>.py:5)", "<script>alert(1)</script>",
                "/tmp/we\"ird'&]]>.py", 5, AGG_FRAME_PY);
    check_label("naïve_函数 (/tmp/tärget dir/naïve spaß ✓.py:19)", "naïve_函数",
                "/tmp/tärget dir/naïve spaß ✓.py", 19, AGG_FRAME_PY);
    /* a file name with " (" in it: the split is at the first " (" */
    check_label("main (/srv/My Project (copy)/app.py:3)", "main", "/srv/My Project (copy)/app.py",
                3, AGG_FRAME_PY);
    /* C:\ paths, no line, line 0, leading zeros, too large: the digits stay in the file */
    check_label("f (C:\\x\\a.py:7)", "f", "C:\\x\\a.py", 7, AGG_FRAME_PY);
    check_label("f (a.py)", "f", "a.py", 0, AGG_FRAME_PY);
    check_label("f (a.py:0)", "f", "a.py:0", 0, AGG_FRAME_PY);
    check_label("f (a.py:007)", "f", "a.py:007", 0, AGG_FRAME_PY);
    check_label("f (a.py:2147483647)", "f", "a.py", 2147483647, AGG_FRAME_PY);
    check_label("f (a.py:2147483648)", "f", "a.py:2147483648", 0, AGG_FRAME_PY);
    check_label("f (:5)", "f", "", 5, AGG_FRAME_PY);
    check_label("f ()", "f", "", 0, AGG_FRAME_PY);
    check_label(" (x.py:1)", "", "x.py", 1, AGG_FRAME_PY);
    /* threads, states, bare names */
    check_label("thread MainThread (16938)", "thread MainThread (16938)", NULL, 0,
                AGG_FRAME_THREAD);
    check_label("thread Worker (a) (0)", "thread Worker (a) (0)", NULL, 0, AGG_FRAME_THREAD);
    check_label("thread  (7)", "thread  (7)", NULL, 0, AGG_FRAME_THREAD);
    check_label("thread x (12a)", "thread x", "12a", 0, AGG_FRAME_PY);
    /* asyncio tasks (record --async), and a Python function named Task */
    check_label("Task worker-3", "Task worker-3", NULL, 0, AGG_FRAME_TASK);
    check_label("Task fetch (retry 2)", "Task fetch (retry 2)", NULL, 0, AGG_FRAME_TASK);
    check_label("Task Task-17", "Task Task-17", NULL, 0, AGG_FRAME_TASK);
    check_label("Task (app.py:4)", "Task", "app.py", 4, AGG_FRAME_PY);
    check_label("Task.run (app.py:9)", "Task.run", "app.py", 9, AGG_FRAME_PY);
    check_label("Task ", "Task ", NULL, 0, AGG_FRAME_PY);
    check_label("<sleep>", "<sleep>", NULL, 0, AGG_FRAME_STATE);
    check_label("<truncated>", "<truncated>", NULL, 0, AGG_FRAME_STATE);
    check_label("<", "<", NULL, 0, AGG_FRAME_PY);
    check_label("plain name", "plain name", NULL, 0, AGG_FRAME_PY);
    check_label("x)", "x)", NULL, 0, AGG_FRAME_PY);
    check_label("bad\xff\xc0 (f.py:1)", "bad\xff\xc0", "f.py", 1, AGG_FRAME_PY);
}

/* Parse text (NUL-terminated) and expect it written back as want (NULL: the same text). */
static void check_roundtrip(const char *text, const char *want, uint64_t total)
{
    struct agg *a = agg_new();
    char why[160] = "x";
    int rc = agg_collapsed_parse(a, text, strlen(text), why, sizeof(why));

    TEST_EQ_INT(rc, 0);
    TEST_EQ_STR(why, "");
    TEST_EQ_INT(agg_total(a), total);
    char *out = collapsed(a);
    TEST_EQ_STR(out, want ? want : text);
    free(out);
    agg_free(a);
}

static void test_fixtures(void)
{
    static const char *const files[] = {"fixtures/collapsed/hostile_threads_py312.txt",
                                        "fixtures/collapsed/recursion_py38.txt",
                                        "fixtures/collapsed/hostile_handmade.txt"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t len;
        char *text = test_read_fixture(files[i], &len);
        if (!text)
            continue;
        uint64_t total = 0; /* the sum of the last field of each line */
        for (char *p = text; (p = strchr(p, '\n')) != NULL; p++) {
            char *q = p;
            while (q > text && q[-1] != ' ')
                q--;
            total += strtoull(q, NULL, 10);
        }
        TEST_CHECK(total > 0);
        check_roundtrip(text, NULL, total);
        free(text);
    }
}

static void test_lenient(void)
{
    /* CRLF, blank lines, trailing blanks, a tab before the count, repeated stacks merged,
     * count 0 skipped, no final newline */
    check_roundtrip("a;b 1\r\n\r\n   \na;c\t2  \r\na;b 3\nzero 0\na;d 4", "a;b 4\na;c 2\na;d 4\n",
                    10);
    /* blanks inside and before a stack belong to the frames; the count's blank does not */
    check_roundtrip("\ta b;c  5\n", NULL, 5);
    /* leading zeros in a count */
    check_roundtrip("x 007\n", "x 7\n", 7);
    check_roundtrip("r (a.py:1);Task main;main (a.py:9);Task w (1);f (a.py:3);<await> 4\n", NULL,
                    4);
    check_roundtrip("", "", 0);
    check_roundtrip("\n\n\r\n", "", 0);
    /* a '\r' inside a label is a space, as written: these two stacks are one (fuzz_agg_collapsed
     * found them written as two equal lines) */
    check_roundtrip("f\rg (a\r.py:3) 1\nf g (a .py:3) 2\n", "f g (a .py:3) 3\n", 3);
    /* the largest total */
    check_roundtrip("a 9223372036854775806\nb 1\n", NULL, INT64_MAX);
}

/* Expect text (n bytes) to be refused with a reason that starts with "line L: " and holds
 * part; the reason never quotes the input (it would reach a terminal). */
static void check_bad(const char *text, size_t n, int line, const char *part)
{
    struct agg *a = agg_new();
    char why[160] = "", prefix[32];
    int rc = agg_collapsed_parse(a, text, n, why, sizeof(why));

    snprintf(prefix, sizeof(prefix), "line %d: ", line);
    TEST_EQ_INT(rc, -EINVAL);
    TEST_CHECK(strncmp(why, prefix, strlen(prefix)) == 0);
    TEST_CHECK(strstr(why, part) != NULL);
    TEST_CHECK(strchr(why, '\n') == NULL && strstr(why, "evil") == NULL);
    if (rc != -EINVAL || strstr(why, part) == NULL || strncmp(why, prefix, strlen(prefix)) != 0)
        fprintf(stderr, "  input %.40s... gave \"%s\"\n", text, why);
    agg_free(a);
}

#define BAD(lit, line, part) check_bad(lit, sizeof(lit) - 1, line, part)

static void test_bad(void)
{
    BAD("evil", 1, "no sample count");
    BAD("a 1\nevil;x\n", 2, "no sample count");
    BAD("evil 1.5\n", 1, "not a whole number");
    BAD("evil -3\n", 1, "not a whole number");
    BAD("evil +3\n", 1, "not a whole number");
    BAD("evil 3x\n", 1, "not a whole number");
    BAD("evil 0x10\n", 1, "not a whole number");
    BAD("evil 1e3\n", 1, "not a whole number");
    BAD("evil 9223372036854775808\n", 1, "larger than");
    BAD("evil 99999999999999999999999999\n", 1, "larger than");
    BAD("a 9223372036854775807\nevil 1\n", 2, "add up to more than");
    BAD(" 5\n", 1, "no frames");
    BAD("\t5\n", 1, "no frames");
    BAD("evil;;x 1\n", 1, "empty frame");
    BAD(";evil 1\n", 1, "empty frame");
    BAD("evil; 1\n", 1, "empty frame");
    BAD("ev\0il 1\n", 1, "NUL byte");
    BAD("a 1\n\nb 2\n\x1b[2Jevil\n", 4, "no sample count");
    /* a hostile name in the bad line never reaches the message */
    BAD("<script>evil</script> 1 2 x\n", 1, "not a whole number");
}

static void test_limits(void)
{
    struct agg *a = agg_new();
    struct sbuf b;
    char why[160];
    size_t big = 1 << 20;

    /* a 1 MiB frame name and a 1 MiB line of short frames */
    sbuf_init(&b);
    for (size_t i = 0; i < big; i++)
        sbuf_addc(&b, (char)('a' + i % 26));
    sbuf_adds(&b, " 3\n");
    for (size_t i = 0; i < big / 2; i++)
        sbuf_adds(&b, i ? ";f" : "f");
    sbuf_adds(&b, " 1\n");
    TEST_EQ_INT(agg_collapsed_parse(a, b.buf, b.len, why, sizeof(why)), -EINVAL);
    TEST_CHECK(strstr(why, "line 2: a stack deeper than 65536 frames") == why);
    agg_free(a);

    /* exactly the deepest stack allowed */
    a = agg_new();
    sbuf_reset(&b);
    for (size_t i = 0; i < AGG_COLLAPSED_MAX_DEPTH; i++)
        sbuf_adds(&b, i ? ";g" : "g");
    sbuf_adds(&b, " 2\n");
    TEST_EQ_INT(agg_collapsed_parse(a, b.buf, b.len, why, sizeof(why)), 0);
    uint32_t n = 0;
    uint64_t w = 0;
    agg_stack(a, 0, &n, &w);
    TEST_EQ_INT(n, AGG_COLLAPSED_MAX_DEPTH);
    TEST_EQ_INT(w, 2);
    agg_free(a);

    /* the long name alone is accepted, whole */
    a = agg_new();
    sbuf_reset(&b);
    for (size_t i = 0; i < big; i++)
        sbuf_addc(&b, (char)('a' + i % 26));
    sbuf_adds(&b, " 3\n");
    TEST_EQ_INT(agg_collapsed_parse(a, b.buf, b.len, why, sizeof(why)), 0);
    TEST_EQ_INT(strlen(agg_str(a, agg_frame_get(a, 0)->name)), big);
    agg_free(a);

    /* a NULL or short why buffer is fine */
    a = agg_new();
    TEST_EQ_INT(agg_collapsed_parse(a, "x", 1, NULL, 0), -EINVAL);
    TEST_EQ_INT(agg_collapsed_parse(a, "x", 1, why, 4), -EINVAL);
    TEST_EQ_STR(why, "lin");
    agg_free(a);
    sbuf_destroy(&b);
}

void test_agg_collapsed(void)
{
    test_labels();
    test_fixtures();
    test_lenient();
    test_bad();
    test_limits();
}
