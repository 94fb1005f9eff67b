/* Unit tests for the raw profile format: the incremental writer read back into the same
 * profile, facts, time line and sources; every prefix of a file (a killed recording) read up to
 * its last whole record; a real recording; whole-profile writes; hostile inputs refused with a
 * reason; a full disk.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "agg_collapsed.h"
#include "agg_raw.h"
#include "agg_timeline.h"
#include "out_flame.h"
#include "out_raw.h"
#include "suites.h"
#include "util_pb.h"
#include "util_sbuf.h"

/* The collapsed text of a (caller frees). */
static char *collapsed(const struct agg *a)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    TEST_EQ_INT(out_collapsed_write(f, a), 0);
    fclose(f);
    return buf;
}

/* The frame ids of the labels in s ("a;b;c"), into ids; returns how many. */
static uint32_t stack_of(struct agg *a, const char *s, uint32_t *ids)
{
    uint32_t n = 0;
    for (const char *p = s;;) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        ids[n++] = agg_collapsed_frame(a, p, len);
        if (!semi)
            return n;
        p = semi + 1;
    }
}

/* Feed the writer as the sampler does: add the stack to a, tell w. */
static void sample(struct agg *a, struct out_raw *w, const char *stack, uint32_t tid)
{
    uint32_t ids[16];
    uint32_t n = stack_of(a, stack, ids);
    out_raw_stack(w, agg_add(a, ids, n, 1), 1, tid);
}

static const char *const SRC = "def main():\n    f()\n";

/* A recording of four instants (one without samples) over two threads, with frames, stacks and
 * hostile names appearing along the way, a source text and final facts, into *len bytes. */
static char *record_fake(struct agg *a, size_t *len)
{
    struct agg_meta m0 = {.title = "spyglass record: python3 app.py",
                          .command = "python3 app.py",
                          .python_version = "3.12.1",
                          .mode = "wall",
                          .rate_requested = 100,
                          .overhead = -1};
    struct agg_meta m1 = m0;
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    struct out_raw *w = out_raw_start(f, a, &m0);

    sample(a, w, "thread MainThread (11);main (app.py:3);f (app.py:7)", 11);
    sample(a, w, "thread worker;1 (12);main (app.py:3);g\"<x>\" (/tmp/dir (1)/b.py:2)", 12);
    out_raw_tick(w, 1000000);
    sample(a, w, "thread MainThread (11);main (app.py:3);f (app.py:7)", 11);
    out_raw_tick(w, 11000000);
    out_raw_tick(w, 21000000);
    sample(a, w, "thread MainThread (11);main (app.py:3);f (app.py:8);naïve_函数 (app.py:9)", 11);
    sample(a, w, "thread worker;1 (12);main (app.py:3);<sleep>", 0);
    out_raw_tick(w, 31000000);
    agg_set_source(a, agg_intern(a, "app.py", 6), SRC, strlen(SRC));
    m1.duration = 0.04;
    m1.rate_effective = 99.5;
    m1.samples = 4;
    m1.invalid = 1;
    m1.missed = 3;
    m1.overhead = 0.012;
    TEST_EQ_INT(out_raw_finish(w, &m1), 0);
    out_raw_free(w);
    fclose(f);
    return buf;
}

static void check_timeline(const struct agg *b, const struct agg_timeline *tl)
{
    static const uint64_t times[] = {1000000, 11000000, 21000000, 31000000};
    static const uint32_t counts[] = {2, 1, 0, 2}, tids[] = {11, 12, 11, 11, 0};
    uint64_t t, total = 0;
    uint32_t n, k = 0;

    TEST_EQ_INT(agg_timeline_nticks(tl), 4);
    TEST_EQ_INT(agg_timeline_nsamples(tl), 5);
    for (uint64_t i = 0; i < agg_timeline_nticks(tl) && i < 4; i++) {
        const struct agg_timeline_sample *s = agg_timeline_get(tl, i, &t, &n);
        TEST_EQ_INT(t, times[i]);
        TEST_EQ_INT(n, counts[i]);
        for (uint32_t j = 0; j < n && k < 5; j++, k++) {
            TEST_EQ_INT(s[j].tid, tids[k]);
            TEST_CHECK(s[j].stack < agg_nstacks(b));
            total += s[j].weight;
        }
    }
    TEST_EQ_INT(total, agg_total(b));
}

static void test_round_trip(void)
{
    struct agg *a = agg_new(), *b = agg_new();
    struct agg_timeline *tl = agg_timeline_new();
    struct agg_raw_info info;
    char why[200] = "";
    size_t len = 0, slen = 0;
    char *raw = record_fake(a, &len);

    TEST_EQ_INT(agg_raw_parse(b, tl, raw, len, &info, why, sizeof(why)), 0);
    TEST_EQ_STR(why, "");
    TEST_EQ_INT(info.complete, 1);
    TEST_EQ_INT(info.final_meta, 1);
    TEST_EQ_INT(info.kept, len);
    TEST_EQ_INT(info.ticks, 4);
    TEST_EQ_INT(info.samples, 5);
    char *ca = collapsed(a), *cb = collapsed(b);
    TEST_EQ_STR(cb, ca);
    free(ca);
    free(cb);
    TEST_EQ_INT(agg_nstacks(b), agg_nstacks(a));
    TEST_EQ_INT(agg_nframes(b), agg_nframes(a));
    TEST_EQ_STR(info.meta.title, "spyglass record: python3 app.py");
    TEST_EQ_STR(info.meta.command, "python3 app.py");
    TEST_EQ_STR(info.meta.python_version, "3.12.1");
    TEST_EQ_STR(info.meta.mode, "wall");
    TEST_CHECK(info.meta.unit == NULL);
    TEST_CHECK(info.meta.duration == 0.04 && info.meta.rate_effective == 99.5);
    TEST_CHECK(info.meta.rate_requested == 100 && info.meta.overhead == 0.012);
    TEST_EQ_INT(info.meta.samples, 4);
    TEST_EQ_INT(info.meta.invalid, 1);
    TEST_EQ_INT(info.meta.missed, 3);
    const char *src = agg_source(b, agg_intern(b, "app.py", 6), &slen);
    TEST_EQ_STR(src, SRC);
    TEST_EQ_INT(slen, strlen(SRC));
    check_timeline(b, tl);
    agg_raw_info_destroy(&info);
    agg_timeline_free(tl);
    free(raw);
    agg_free(a);
    agg_free(b);
}

/* Every prefix of a recording: refused before its first record, else read up to its last whole
 * record, never more samples than a longer prefix, marked cut unless whole. */
static void test_every_prefix(void)
{
    struct agg *a = agg_new();
    size_t len = 0;
    char *raw = record_fake(a, &len), *full = collapsed(a);
    uint64_t last = 0;
    int bad = 0, first_ok = 0;

    for (size_t n = 0; n <= len; n++) {
        struct agg *b = agg_new();
        struct agg_timeline *tl = agg_timeline_new();
        struct agg_raw_info info;
        char why[200];
        int rc = agg_raw_parse(b, tl, raw, n, &info, why, sizeof(why));
        if (n == 0)
            bad += rc != -EINVAL;
        else if (rc == -ENODATA)
            bad += first_ok != 0 || strchr(why, '\n') != NULL;
        else if (rc != 0)
            bad++;
        if (rc == 0) {
            first_ok = first_ok ? first_ok : (int)n;
            bad += info.complete != (n == len) || info.samples < last || info.kept > n;
            bad += agg_total(b) != agg_timeline_nsamples(tl) || agg_total(b) != info.samples;
            /* the facts of a cut file come from its samples */
            bad += !info.final_meta && info.meta.samples != info.ticks;
            last = info.samples;
        }
        if (n == len) {
            char *c = collapsed(b);
            TEST_EQ_STR(c, full);
            free(c);
        }
        agg_raw_info_destroy(&info);
        agg_timeline_free(tl);
        agg_free(b);
    }
    TEST_EQ_INT(bad, 0);
    TEST_CHECK(first_ok > AGG_RAW_MAGIC_LEN);
    TEST_EQ_INT(last, 5);
    free(raw);
    free(full);
    agg_free(a);
}

/* A real recording (record -t -f raw of tests/targets/threadnames.py): read whole, written back
 * whole, read again into the same profile. */
static void test_real(void)
{
    size_t len = 0, len2 = 0;
    char *raw = test_read_fixture("fixtures/raw/threadnames.spyraw", &len), *again = NULL;
    struct agg *a = agg_new(), *b = agg_new();
    struct agg_timeline *tl = agg_timeline_new(), *tl2 = agg_timeline_new();
    struct agg_raw_info info, info2;
    char why[200] = "";

    if (!raw)
        goto out;
    TEST_EQ_INT(agg_raw_parse(a, tl, raw, len, &info, why, sizeof(why)), 0);
    TEST_EQ_STR(why, "");
    TEST_EQ_INT(info.complete, 1);
    TEST_CHECK(info.meta.python_version && info.meta.python_version[0] == '3');
    TEST_EQ_STR(info.meta.mode, "wall");
    TEST_CHECK(info.ticks > 10 && info.meta.samples == info.ticks);
    TEST_EQ_INT(info.meta.missed, 0); /* written before missed ticks were counted */
    TEST_EQ_INT(agg_total(a), agg_timeline_nsamples(tl));
    info.meta.timeline = tl;
    FILE *f = open_memstream(&again, &len2);
    TEST_EQ_INT(out_raw_write(f, a, &info.meta), 0);
    fclose(f);
    TEST_EQ_INT(agg_raw_parse(b, tl2, again, len2, &info2, why, sizeof(why)), 0);
    char *ca = collapsed(a), *cb = collapsed(b);
    TEST_EQ_STR(cb, ca);
    TEST_EQ_INT(agg_timeline_nticks(tl2), agg_timeline_nticks(tl));
    TEST_EQ_STR(info2.meta.command, info.meta.command);
    free(ca);
    free(cb);
    agg_raw_info_destroy(&info2);
    agg_raw_info_destroy(&info);
out:
    free(raw);
    free(again);
    agg_timeline_free(tl);
    agg_timeline_free(tl2);
    agg_free(a);
    agg_free(b);
}

/* A profile without times (read from collapsed text) written whole: TOTALS, no time line. */
static void test_totals(void)
{
    static const char text[] = "main (a.py:1);f (a.py:2) 5\nmain (a.py:1);g (a.py:3) 7\n";
    struct agg *a = agg_new(), *b = agg_new();
    struct agg_timeline *tl = agg_timeline_new();
    struct agg_raw_info info;
    char why[160], *buf = NULL;
    size_t len = 0;

    TEST_EQ_INT(agg_collapsed_parse(a, text, strlen(text), why, sizeof(why)), 0);
    FILE *f = open_memstream(&buf, &len);
    TEST_EQ_INT(out_raw_write(f, a, NULL), 0);
    fclose(f);
    TEST_EQ_INT(agg_raw_parse(b, tl, buf, len, &info, why, sizeof(why)), 0);
    char *c = collapsed(b);
    TEST_EQ_STR(c, text);
    TEST_EQ_INT(agg_timeline_nticks(tl), 0);
    TEST_EQ_INT(info.complete, 1);
    free(c);
    free(buf);
    agg_raw_info_destroy(&info);
    agg_timeline_free(tl);
    agg_free(a);
    agg_free(b);
}

static void test_full_disk(void)
{
    struct agg *a = agg_new();
    FILE *f = fopen("/dev/full", "w");
    uint32_t id = agg_collapsed_frame(a, "main (a.py:1)", 13);
    if (!f) {
        TEST_CHECK(f != NULL);
        agg_free(a);
        return;
    }
    struct out_raw *w = out_raw_start(f, a, NULL);
    out_raw_stack(w, agg_add(a, &id, 1, 1), 1, 7);
    out_raw_tick(w, OUT_RAW_FLUSH_NS);
    TEST_EQ_INT(out_raw_finish(w, NULL), -ENOSPC);
    out_raw_free(w);
    fclose(f);
    agg_free(a);
}

/* Hand-made files: the header, then records of (type, payload) built by the tests. */
struct file {
    struct sbuf b;
};

static void file_start(struct file *f)
{
    sbuf_init(&f->b);
    sbuf_add(&f->b, AGG_RAW_MAGIC, AGG_RAW_MAGIC_LEN);
    pb_varint(&f->b, AGG_RAW_VERSION);
}

static void rec(struct file *f, int type, const struct sbuf *payload)
{
    sbuf_addc(&f->b, (char)type);
    pb_varint(&f->b, payload ? payload->len : 0);
    if (payload && payload->len)
        sbuf_add(&f->b, payload->buf, payload->len);
}

/* A record whose payload is the varints given (ending with UINT64_MAX - 1 as a stop mark). */
static void rec_v(struct file *f, int type, ...)
{
    struct sbuf p;
    va_list ap;
    sbuf_init(&p);
    va_start(ap, type);
    for (uint64_t v; (v = va_arg(ap, uint64_t)) != UINT64_MAX - 1;)
        pb_varint(&p, v);
    va_end(ap);
    rec(f, type, &p);
    sbuf_destroy(&p);
}

static void rec_s(struct file *f, int type, const char *s, size_t n)
{
    struct sbuf p;
    sbuf_init(&p);
    sbuf_add(&p, s, n);
    rec(f, type, &p);
    sbuf_destroy(&p);
}

#define END_V (UINT64_MAX - 1)
#define V(x)  ((uint64_t)(x))

/* A valid start: strings "main", "a.py"; frame 0 = main (a.py:1); stack 0 = [0]. */
static void file_base(struct file *f)
{
    file_start(f);
    rec_s(f, AGG_RAW_STRING, "main", 4);
    rec_s(f, AGG_RAW_STRING, "a.py", 4);
    rec_v(f, AGG_RAW_FRAME, V(0), V(2), V(1), V(0), END_V);
    rec_v(f, AGG_RAW_STACK, V(0), END_V);
}

/* Parse f (then free it): expect rc and, for -EINVAL, a reason containing want. */
static void expect(struct file *f, int rc, const char *want)
{
    struct agg *a = agg_new();
    struct agg_timeline *tl = agg_timeline_new();
    struct agg_raw_info info;
    char why[200] = "";
    int got = agg_raw_parse(a, tl, f->b.buf, f->b.len, &info, why, sizeof(why));
    TEST_EQ_INT(got, rc);
    if (want && !strstr(why, want)) {
        test_failed++;
        fprintf(stderr, "FAIL reason '%s' does not contain '%s'\n", why, want);
    }
    TEST_CHECK(!strchr(why, '\n'));
    agg_raw_info_destroy(&info);
    agg_timeline_free(tl);
    agg_free(a);
    sbuf_destroy(&f->b);
}

static void test_hostile_header(void)
{
    struct file f;
    sbuf_init(&f.b);
    sbuf_adds(&f.b, "main;f 1\n");
    expect(&f, -EINVAL, "not a spyglass raw profile");
    sbuf_init(&f.b);
    sbuf_add(&f.b, AGG_RAW_MAGIC, 5);
    expect(&f, -ENODATA, "inside its header");
    sbuf_init(&f.b);
    sbuf_add(&f.b, AGG_RAW_MAGIC, AGG_RAW_MAGIC_LEN);
    sbuf_addc(&f.b, 2);
    expect(&f, -EINVAL, "version 2");
    file_start(&f);
    expect(&f, -ENODATA, "before its first record");
    file_start(&f);
    rec_s(&f, AGG_RAW_STRING, "ma", 2);
    f.b.len--; /* cut inside the first record */
    expect(&f, -ENODATA, NULL);
}

static void test_hostile_records(void)
{
    struct file f;

    file_base(&f);
    rec_v(&f, 9, V(0), END_V);
    expect(&f, -EINVAL, "record 5 (unknown, type 9) at byte");
    file_base(&f);
    rec_v(&f, AGG_RAW_OPTIONAL + 3, V(1), V(2), END_V); /* skipped */
    rec_v(&f, AGG_RAW_SAMPLES, V(5), V(0), V(1), V(0), END_V);
    rec(&f, AGG_RAW_END, NULL);
    expect(&f, 0, NULL);
    file_base(&f);
    sbuf_addc(&f.b, AGG_RAW_STRING);
    pb_varint(&f.b, (uint64_t)AGG_RAW_MAX_RECORD + 1);
    expect(&f, -EINVAL, "a record of 67108865 bytes");
    file_base(&f);
    sbuf_addc(&f.b, AGG_RAW_STRING);
    sbuf_add(&f.b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
    expect(&f, -EINVAL, "malformed record length");
    file_base(&f);
    rec_s(&f, AGG_RAW_STRING, "a\0b", 3);
    expect(&f, -EINVAL, "NUL byte");
    file_base(&f);
    rec(&f, AGG_RAW_END, NULL);
    rec(&f, AGG_RAW_END, NULL);
    expect(&f, -EINVAL, "data after the end record");
    file_base(&f);
    rec_v(&f, AGG_RAW_END, V(0), END_V);
    expect(&f, -EINVAL, "an end record with a payload");
}

static void test_hostile_defs(void)
{
    struct file f;

    file_base(&f);
    rec_v(&f, AGG_RAW_FRAME, V(2), V(0), V(1), V(0), END_V);
    expect(&f, -EINVAL, "name string 2 is not defined");
    file_base(&f);
    rec_v(&f, AGG_RAW_FRAME, V(0), V(3), V(1), V(0), END_V);
    expect(&f, -EINVAL, "file string 2 is not defined");
    file_base(&f);
    rec_v(&f, AGG_RAW_FRAME, V(0), V(0), V(1) << 31, V(0), END_V);
    expect(&f, -EINVAL, "line 2147483648 is above");
    file_base(&f);
    rec_v(&f, AGG_RAW_FRAME, V(0), V(0), V(1), V(4), END_V);
    expect(&f, -EINVAL, "frame kind 4");
    file_base(&f);
    rec_v(&f, AGG_RAW_FRAME, V(0), V(0), V(1), END_V);
    expect(&f, -EINVAL, "ends inside its kind");
    file_base(&f);
    rec_v(&f, AGG_RAW_FRAME, V(0), V(0), V(1), V(0), V(0), END_V);
    expect(&f, -EINVAL, "bytes after the frame");
    file_base(&f);
    rec_v(&f, AGG_RAW_STACK, V(0), V(1), END_V);
    expect(&f, -EINVAL, "frame 1 is not defined");
    file_base(&f);
    {
        struct sbuf p;
        sbuf_init(&p);
        for (int i = 0; i <= AGG_RAW_MAX_DEPTH; i++)
            pb_varint(&p, 0);
        rec(&f, AGG_RAW_STACK, &p);
        sbuf_destroy(&p);
    }
    expect(&f, -EINVAL, "deeper than 65536");
    file_base(&f);
    rec_v(&f, AGG_RAW_SOURCE, V(7), END_V);
    expect(&f, -EINVAL, "file string 7 is not defined");
}

static void test_hostile_samples(void)
{
    struct file f;

    file_base(&f);
    rec_v(&f, AGG_RAW_SAMPLES, V(5), V(1), V(1), V(0), END_V);
    expect(&f, -EINVAL, "stack 1 is not defined");
    file_base(&f);
    rec_v(&f, AGG_RAW_SAMPLES, V(5), V(0), V(0), V(0), END_V);
    expect(&f, -EINVAL, "a weight of 0");
    file_base(&f);
    rec_v(&f, AGG_RAW_SAMPLES, V(5), V(0), V(1), V(1) << 32, END_V);
    expect(&f, -EINVAL, "thread id 4294967296");
    file_base(&f);
    rec_v(&f, AGG_RAW_SAMPLES, V(5), V(0), V(1), END_V);
    expect(&f, -EINVAL, "ends inside its thread id");
    file_base(&f);
    rec_v(&f, AGG_RAW_SAMPLES, V(INT64_MAX), END_V);
    rec_v(&f, AGG_RAW_SAMPLES, V(1), END_V);
    expect(&f, -EINVAL, "times add up");
    file_base(&f);
    rec_v(&f, AGG_RAW_TOTALS, V(0), V(INT64_MAX), END_V);
    rec_v(&f, AGG_RAW_TOTALS, V(0), V(1), END_V);
    expect(&f, -EINVAL, "weights add up");
    file_base(&f);
    rec_v(&f, AGG_RAW_SAMPLES, V(5), V(0), V(1), V(0), END_V);
    rec_v(&f, AGG_RAW_SAMPLES, V(0), V(0), V(1), V(0), END_V); /* the same instant */
    rec_v(&f, AGG_RAW_SAMPLES, V(5), END_V);
    expect(&f, 0, NULL);
}

static void test_hostile_meta(void)
{
    struct file f;
    struct sbuf p;
    double nan = NAN;
    uint64_t bits;

    file_start(&f);
    rec_v(&f, AGG_RAW_META, V(AGG_RAW_M_TITLE << 3 | PB_VARINT), V(1), END_V);
    expect(&f, -EINVAL, "run fact 1 has wire type 0, not 2");
    file_start(&f);
    sbuf_init(&p);
    pb_tag(&p, AGG_RAW_M_DURATION, PB_I64);
    memcpy(&bits, &nan, sizeof(bits));
    for (int i = 0; i < 8; i++)
        sbuf_addc(&p, (char)(bits >> (8 * i)));
    rec(&f, AGG_RAW_META, &p);
    sbuf_destroy(&p);
    expect(&f, -EINVAL, "run fact 6 (duration) is not a finite number");
    file_start(&f);
    rec_v(&f, AGG_RAW_META, V(AGG_RAW_M_FINAL << 3), V(2), END_V);
    expect(&f, -EINVAL, "final flag is 2");
    file_start(&f);
    rec_v(&f, AGG_RAW_META, V(AGG_RAW_M_MISSED << 3 | PB_LEN), V(1), V(1), END_V);
    expect(&f, -EINVAL, "run fact 13 has wire type 2, not 0");
    file_start(&f);
    rec_v(&f, AGG_RAW_META, V(0), V(1), END_V);
    expect(&f, -EINVAL, "field number of 0");
    file_start(&f);
    rec_v(&f, AGG_RAW_META, V(99 << 3 | 3), END_V);
    expect(&f, -EINVAL, "wire type 3");
    file_start(&f);
    rec_v(&f, AGG_RAW_META, V(AGG_RAW_M_COMMAND << 3 | PB_LEN), V(50), V(1), END_V);
    expect(&f, -EINVAL, "a field longer than its record");
    /* unknown fields of every wire type are skipped; a later META replaces an earlier one */
    file_start(&f);
    sbuf_init(&p);
    pb_uint(&p, 99, 5);
    pb_bytes(&p, 98, "xyz", 3);
    pb_tag(&p, 97, PB_I32);
    sbuf_add(&p, "abcd", 4);
    pb_bytes(&p, AGG_RAW_M_MODE, "cpu", 3);
    rec(&f, AGG_RAW_META, &p);
    sbuf_destroy(&p);
    rec_v(&f, AGG_RAW_META, V(AGG_RAW_M_SAMPLES << 3), V(9), END_V);
    expect(&f, 0, NULL);
}

/* A file with one META of the double d in field, then a sample. */
static void meta_file(struct file *f, int field, double d)
{
    struct sbuf p;

    uint64_t bits;

    file_start(f);
    sbuf_init(&p);
    pb_tag(&p, (uint32_t)field, PB_I64);
    memcpy(&bits, &d, sizeof(bits));
    for (int i = 0; i < 8; i++)
        sbuf_addc(&p, (char)(bits >> (8 * i)));
    rec(f, AGG_RAW_META, &p);
    sbuf_destroy(&p);
    rec_s(f, AGG_RAW_STRING, "main", 4);
    rec_v(f, AGG_RAW_FRAME, V(0), V(0), V(1), V(0), END_V);
    rec_v(f, AGG_RAW_STACK, V(0), END_V);
    rec_v(f, AGG_RAW_SAMPLES, V(5), V(0), V(1), V(0), END_V);
}

/* Parse f (then free it) into *m (its strings are not kept). Returns agg_raw_parse's result. */
static int parse_meta(struct file *f, struct agg_meta *m)
{
    struct agg *a = agg_new();
    struct agg_raw_info info;
    int rc = agg_raw_parse(a, NULL, f->b.buf, f->b.len, &info, NULL, 0);

    *m = info.meta;
    agg_raw_info_destroy(&info);
    agg_free(a);
    sbuf_destroy(&f->b);
    return rc;
}

/* Rates, durations, overheads and counts out of their bounds are refused with a reason that
 * names the fact; the bounds themselves and 0 (unknown) are taken; a negative overhead is
 * unknown (-1); a cut file's derived rate stays within the bounds. */
static void test_meta_bounds(void)
{
    static const int fields[] = {AGG_RAW_M_DURATION, AGG_RAW_M_RATE_REQUESTED,
                                 AGG_RAW_M_RATE_EFFECTIVE};
    static const char *const names[] = {"(duration) is", "(requested rate) is",
                                        "(effective rate) is"};
    static const double bad[] = {1e-300, 1e300, -1, 5e-324, INFINITY, -INFINITY, NAN, 2e10};
    static const double lo[] = {AGG_RAW_DURATION_MIN, AGG_RAW_RATE_MIN, AGG_RAW_RATE_MIN};
    static const double hi[] = {AGG_RAW_DURATION_MAX, AGG_RAW_RATE_MAX, AGG_RAW_RATE_MAX};
    struct agg_meta m;
    struct file f;

    for (int i = 0; i < 3; i++) {
        for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
            meta_file(&f, fields[i], bad[j]);
            expect(&f, -EINVAL, names[i]);
        }
        meta_file(&f, fields[i], lo[i] / 2);
        expect(&f, -EINVAL, names[i]);
        double ok[] = {0, lo[i], hi[i]};
        for (int j = 0; j < 3; j++) {
            meta_file(&f, fields[i], ok[j]);
            TEST_EQ_INT(parse_meta(&f, &m), 0);
        }
    }
    meta_file(&f, AGG_RAW_M_OVERHEAD, -7.5);
    TEST_EQ_INT(parse_meta(&f, &m), 0);
    TEST_CHECK(m.overhead == -1);
    meta_file(&f, AGG_RAW_M_OVERHEAD, 0.25);
    TEST_EQ_INT(parse_meta(&f, &m), 0);
    TEST_CHECK(m.overhead == 0.25);
    meta_file(&f, AGG_RAW_M_OVERHEAD, 1e300);
    expect(&f, -EINVAL, "run fact 9 (overhead) is 1e+300: above");
    meta_file(&f, AGG_RAW_M_OVERHEAD, -INFINITY);
    expect(&f, -EINVAL, "run fact 9 (overhead) is not a finite number");
    for (int field = AGG_RAW_M_SAMPLES; field <= AGG_RAW_M_MISSED; field++) {
        if (field == AGG_RAW_M_FINAL)
            continue;
        file_base(&f);
        rec_v(&f, AGG_RAW_META, V(field << 3), V(INT64_MAX), END_V);
        TEST_EQ_INT(parse_meta(&f, &m), 0);
        file_base(&f);
        rec_v(&f, AGG_RAW_META, V(field << 3), V(INT64_MAX) + 1, END_V);
        expect(&f, -EINVAL, "is above 9223372036854775807");
    }
    /* A cut file: two instants 2^62 ns apart make a rate below the bounds: unknown. */
    file_base(&f);
    rec_v(&f, AGG_RAW_SAMPLES, V(1), V(0), V(1), V(0), END_V);
    rec_v(&f, AGG_RAW_SAMPLES, V(1) << 62, V(0), V(1), V(0), END_V);
    TEST_EQ_INT(parse_meta(&f, &m), 0);
    TEST_CHECK(m.rate_effective == 0 && m.samples == 2 && m.duration > 4.6e9 &&
               m.duration <= AGG_RAW_DURATION_MAX);
    file_base(&f);
    rec_v(&f, AGG_RAW_SAMPLES, V(1), V(0), V(1), V(0), END_V);
    rec_v(&f, AGG_RAW_SAMPLES, V(1), V(0), V(1), V(0), END_V); /* 1 ns later: 1e9 Hz */
    TEST_EQ_INT(parse_meta(&f, &m), 0);
    TEST_CHECK(m.rate_effective == 1e9);
}

static void test_timeline(void)
{
    struct agg_timeline *t = agg_timeline_new();
    uint64_t at;
    uint32_t n;

    TEST_EQ_INT(agg_timeline_nticks(t), 0);
    TEST_EQ_INT(agg_timeline_nsamples(t), 0);
    for (uint32_t i = 0; i < 5000; i++) { /* beyond the first reservation */
        agg_timeline_reserve(t, 2);
        agg_timeline_add(t, i, 1, 7);
        agg_timeline_add(t, i + 1, 2, 8);
        agg_timeline_tick(t, 100 * (uint64_t)i);
    }
    agg_timeline_tick(t, 5); /* earlier than the last: raised to it */
    TEST_EQ_INT(agg_timeline_nticks(t), 5001);
    TEST_EQ_INT(agg_timeline_nsamples(t), 10000);
    const struct agg_timeline_sample *s = agg_timeline_get(t, 4321, &at, &n);
    TEST_EQ_INT(at, 432100);
    TEST_EQ_INT(n, 2);
    TEST_EQ_INT(s[0].stack, 4321);
    TEST_EQ_INT(s[1].weight, 2);
    TEST_EQ_INT(s[1].tid, 8);
    agg_timeline_get(t, 5000, &at, &n);
    TEST_EQ_INT(at, 499900);
    TEST_EQ_INT(n, 0);
    agg_timeline_free(t);
}

void test_agg_raw(void)
{
    test_round_trip();
    test_every_prefix();
    test_real();
    test_totals();
    test_full_disk();
    test_hostile_header();
    test_hostile_records();
    test_hostile_defs();
    test_hostile_samples();
    test_hostile_meta();
    test_meta_bounds();
    test_timeline();
}
