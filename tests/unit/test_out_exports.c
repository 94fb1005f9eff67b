/* Unit tests for the pprof and pstats writers and the format table: pprof decoded back (gunzip,
 * a small protobuf reader) into stacks, pstats bytes against CPython's marshal.dumps(, 2) of
 * the dict worked out by hand, hostile names, a full disk.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "agg_stacks.h"
#include "fake_agg.h"
#include "out_format.h"
#include "out_pprof.h"
#include "out_pstats.h"
#include "suites.h"
#include "util_sbuf.h"
#include "util_xalloc.h"

/* main (app.py:10) calls work at lines 20 and 21 and rec (r.py:5), which recurses (r.py:6);
 * work also sleeps. Stacks: [A B] 3, [A C] 2, [A R1 R1 R2] 4, [A B D] 1, [] 5, [A] 0. */
static struct agg *small_profile(void)
{
    struct agg *a = agg_new();
    uint32_t A = fake_frame(a, "main", "app.py", 10, AGG_FRAME_PY);
    uint32_t B = fake_frame(a, "work", "app.py", 20, AGG_FRAME_PY);
    uint32_t C = fake_frame(a, "work", "app.py", 21, AGG_FRAME_PY);
    uint32_t R1 = fake_frame(a, "rec", "r.py", 5, AGG_FRAME_PY);
    uint32_t R2 = fake_frame(a, "rec", "r.py", 6, AGG_FRAME_PY);
    uint32_t D = fake_frame(a, "<sleep>", NULL, 0, AGG_FRAME_STATE);
    uint32_t s1[] = {A, B}, s2[] = {A, C}, s3[] = {A, R1, R1, R2}, s4[] = {A, B, D};

    agg_add(a, s1, 2, 3);
    agg_add(a, s2, 2, 2);
    agg_add(a, s3, 4, 4);
    agg_add(a, s4, 3, 1);
    agg_add(a, s1, 0, 5);
    agg_add(a, s1, 1, 0);
    return a;
}

/* Names no writer may break: markup, quotes, unicode, invalid UTF-8, control bytes. */
static struct agg *hostile_profile(void)
{
    struct agg *a = agg_new();
    uint32_t th = fake_frame(a, "thread we\"ird <b> (77)", NULL, 0, AGG_FRAME_THREAD);
    uint32_t x =
        fake_frame(a, "<script>alert(1)</script>", "/tmp/we\"ird'&]]>.py", 5, AGG_FRAME_PY);
    uint32_t u = fake_frame(a, "naïve_函数", "/tmp/tärget dir/naïve spaß ✓.py", 19, AGG_FRAME_PY);
    uint32_t bad = fake_frame(a, "bad\xff\xc0name\x1b[2J", "f\xe2\x82.py", 1, AGG_FRAME_PY);
    uint32_t s1[] = {th, x, u}, s2[] = {th, bad};

    agg_add(a, s1, 3, 6);
    agg_add(a, s2, 2, 1);
    return a;
}

static char *render(enum out_format fmt, const struct agg *a, const struct agg_meta *m, size_t *len,
                    int *rc)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f) {
        *rc = -errno;
        return NULL;
    }
    *rc = out_format_write(f, fmt, a, m);
    if (fclose(f) != 0 && *rc == 0)
        *rc = -EIO;
    return buf;
}

static unsigned char *gunzip(const char *in, size_t n, size_t *out_len)
{
    z_stream z;
    size_t cap = 1 << 16;
    unsigned char *out = xmalloc(cap);
    int rc;

    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    do {
        if (z.total_out == cap)
            out = xrealloc(out, cap *= 2);
        z.next_out = out + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        rc = inflate(&z, Z_NO_FLUSH);
    } while (rc == Z_OK);
    *out_len = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* A small protobuf reader for the fields the writer uses (varints and length-delimited). */
struct span {
    const unsigned char *p;
    size_t n;
};

struct rd {
    const unsigned char *p, *end;
    int bad;
};

static uint64_t varint(struct rd *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

/* The next field: 1 with its number and its varint or bytes, 0 at the end or on bad input. */
static int next_field(struct rd *r, uint32_t *field, uint64_t *v, struct span *s)
{
    if (r->bad || r->p >= r->end)
        return 0;
    uint64_t key = varint(r);
    *v = 0;
    *field = (uint32_t)(key >> 3);
    s->p = NULL;
    s->n = 0;
    if ((key & 7) == 0) {
        *v = varint(r);
    } else if ((key & 7) == 2) {
        uint64_t n = varint(r);
        if (n > (uint64_t)(r->end - r->p)) {
            r->bad = 1;
            return 0;
        }
        s->p = r->p;
        s->n = (size_t)n;
        r->p += n;
    } else {
        r->bad = 1;
    }
    return !r->bad;
}

#define MAXN 64

struct doc_sample {
    uint64_t loc[MAXN];
    size_t nloc;
    int64_t val[4];
    size_t nval;
};

struct doc_loc {
    uint64_t id, func, mapping;
    int64_t line;
};

struct doc_fn {
    uint64_t id;
    int64_t name, sysname, file;
};

struct doc {
    struct span str[MAXN];
    size_t nstr;
    struct doc_sample sample[MAXN];
    size_t nsample;
    struct doc_loc loc[MAXN];
    size_t nloc;
    struct doc_fn fn[MAXN];
    size_t nfn;
    int64_t type[4][2];
    size_t ntype;
    int64_t period_type[2], period, duration, dflt;
    uint64_t comment[8];
    size_t ncomment, nmapping;
    int bad;
    unsigned char *raw; /* the decoded bytes the spans point into (caller frees) */
};

/* Read the packed varints of s into out (at most max); returns how many. */
static size_t packed(struct span s, uint64_t *out, size_t max, int *bad)
{
    struct rd r = {s.p, s.p + s.n, 0};
    size_t n = 0;
    while (r.p < r.end && n < max)
        out[n++] = varint(&r);
    *bad |= r.bad || r.p < r.end;
    return n;
}

static void read_sample(struct doc *d, struct span s)
{
    struct rd r = {s.p, s.p + s.n, 0};
    uint32_t f;
    uint64_t v, vals[4];
    struct span b;
    if (d->nsample == MAXN)
        return;
    struct doc_sample *sm = &d->sample[d->nsample++];
    while (next_field(&r, &f, &v, &b)) {
        if (f == 1)
            sm->nloc = packed(b, sm->loc, MAXN, &d->bad);
        if (f == 2) {
            sm->nval = packed(b, vals, 4, &d->bad);
            for (size_t i = 0; i < sm->nval; i++)
                sm->val[i] = (int64_t)vals[i];
        }
    }
    d->bad |= r.bad;
}

static void read_value_type(struct span s, int64_t out[2], int *bad)
{
    struct rd r = {s.p, s.p + s.n, 0};
    uint32_t f;
    uint64_t v;
    struct span b;
    out[0] = out[1] = 0;
    while (next_field(&r, &f, &v, &b)) {
        if (f == 1 || f == 2)
            out[f - 1] = (int64_t)v;
    }
    *bad |= r.bad;
}

static void read_location(struct doc *d, struct span s)
{
    struct rd r = {s.p, s.p + s.n, 0}, lr;
    uint32_t f, lf;
    uint64_t v, lv;
    struct span b, lb;
    if (d->nloc == MAXN)
        return;
    struct doc_loc *l = &d->loc[d->nloc++];
    while (next_field(&r, &f, &v, &b)) {
        if (f == 1)
            l->id = v;
        else if (f == 2)
            l->mapping = v;
        else if (f == 4) {
            lr = (struct rd){b.p, b.p + b.n, 0};
            while (next_field(&lr, &lf, &lv, &lb)) {
                if (lf == 1)
                    l->func = lv;
                if (lf == 2)
                    l->line = (int64_t)lv;
            }
            d->bad |= lr.bad;
        }
    }
    d->bad |= r.bad;
}

static void read_function(struct doc *d, struct span s)
{
    struct rd r = {s.p, s.p + s.n, 0};
    uint32_t f;
    uint64_t v;
    struct span b;
    if (d->nfn == MAXN)
        return;
    struct doc_fn *fn = &d->fn[d->nfn++];
    while (next_field(&r, &f, &v, &b)) {
        if (f == 1)
            fn->id = v;
        else if (f == 2)
            fn->name = (int64_t)v;
        else if (f == 3)
            fn->sysname = (int64_t)v;
        else if (f == 4)
            fn->file = (int64_t)v;
    }
    d->bad |= r.bad;
}

static void read_profile(struct doc *d, const unsigned char *p, size_t n)
{
    struct rd r = {p, p + n, 0};
    uint32_t f;
    uint64_t v;
    struct span b;

    memset(d, 0, sizeof(*d));
    while (next_field(&r, &f, &v, &b)) {
        if (f == 1 && d->ntype < 4)
            read_value_type(b, d->type[d->ntype++], &d->bad);
        else if (f == 2)
            read_sample(d, b);
        else if (f == 3)
            d->nmapping++;
        else if (f == 4)
            read_location(d, b);
        else if (f == 5)
            read_function(d, b);
        else if (f == 6 && d->nstr < MAXN)
            d->str[d->nstr++] = b;
        else if (f == 10)
            d->duration = (int64_t)v;
        else if (f == 11)
            read_value_type(b, d->period_type, &d->bad);
        else if (f == 12)
            d->period = (int64_t)v;
        else if (f == 13)
            d->ncomment = packed(b, d->comment, 8, &d->bad);
        else if (f == 14)
            d->dflt = (int64_t)v;
    }
    d->bad |= r.bad;
}

/* String index i of d as a C string in a static buffer ("?" when out of range). */
static const char *str(const struct doc *d, int64_t i)
{
    static char buf[4][512];
    static int k;
    char *s = buf[k++ % 4];
    if (i < 0 || (size_t)i >= d->nstr || d->str[i].n >= 512)
        return "?";
    memcpy(s, d->str[i].p, d->str[i].n);
    s[d->str[i].n] = '\0';
    return s;
}

/* The samples of d as collapsed lines (root first, first value as the count). */
static void doc_collapsed(const struct doc *d, struct sbuf *out)
{
    for (size_t i = 0; i < d->nsample; i++) {
        for (size_t j = d->sample[i].nloc; j-- > 0;) {
            uint64_t id = d->sample[i].loc[j];
            size_t li = 0, fi = 0;
            while (li < d->nloc && d->loc[li].id != id)
                li++;
            while (li < d->nloc && fi < d->nfn && d->fn[fi].id != d->loc[li].func)
                fi++;
            if (li == d->nloc || fi == d->nfn) {
                sbuf_adds(out, "<missing>");
                continue;
            }
            sbuf_adds(out, str(d, d->fn[fi].name));
            if (d->fn[fi].file)
                sbuf_printf(out, d->loc[li].line ? " (%s:%lld)" : " (%s)", str(d, d->fn[fi].file),
                            (long long)d->loc[li].line);
            sbuf_addc(out, j ? ';' : ' ');
        }
        sbuf_printf(out, "%lld\n", (long long)d->sample[i].val[0]);
    }
}

static const struct agg_meta meta = {
    .title = "spyglass record: python3 app.py",
    .command = "python3 app.py",
    .python_version = "3.12.1",
    .mode = "cpu",
    .duration = 2.5,
    .rate_requested = 10,
    .rate_effective = 10,
    .samples = 25,
    .invalid = 1,
    .overhead = 0.01,
};

static int has_comment(const struct doc *d, const char *want)
{
    for (size_t i = 0; i < d->ncomment; i++) {
        if (strcmp(str(d, (int64_t)d->comment[i]), want) == 0)
            return 1;
    }
    return 0;
}

/* Render a as pprof and decode it into d; returns the collapsed lines of d (caller frees them
 * and d->raw). */
static char *pprof_roundtrip(const struct agg *a, const struct agg_meta *m, struct doc *d)
{
    size_t len = 0, n = 0;
    int rc;
    char *gz = render(OUT_FORMAT_PPROF, a, m, &len, &rc);
    unsigned char *raw = gz ? gunzip(gz, len, &n) : NULL;
    struct sbuf out;

    TEST_EQ_INT(rc, 0);
    TEST_CHECK(raw != NULL);
    sbuf_init(&out);
    read_profile(d, raw ? raw : (const unsigned char *)"", n);
    d->raw = raw;
    TEST_CHECK(!d->bad);
    doc_collapsed(d, &out);
    free(gz);
    return out.buf ? out.buf : calloc(1, 1);
}

static void test_pprof(void)
{
    struct agg *a = small_profile();
    struct doc *d = malloc(sizeof(*d));
    size_t clen;
    int rc;
    char *want = render(OUT_FORMAT_COLLAPSED, a, NULL, &clen, &rc);
    char *got = pprof_roundtrip(a, &meta, d);

    TEST_EQ_STR(got, want);
    TEST_EQ_INT(d->nstr > 0 && d->str[0].n == 0, 1); /* "" first */
    TEST_EQ_INT(d->nsample, 4);
    TEST_EQ_INT(d->nloc, 6);
    TEST_EQ_INT(d->nfn, 4); /* main, work, rec, <sleep> */
    TEST_EQ_INT(d->nmapping, 1);
    TEST_EQ_INT(d->ntype, 2);
    TEST_EQ_STR(str(d, d->type[0][0]), "samples");
    TEST_EQ_STR(str(d, d->type[0][1]), "count");
    TEST_EQ_STR(str(d, d->type[1][0]), "cpu");
    TEST_EQ_STR(str(d, d->type[1][1]), "nanoseconds");
    TEST_EQ_STR(str(d, d->period_type[0]), "cpu");
    TEST_EQ_INT(d->period, 100000000);
    TEST_EQ_STR(str(d, d->dflt), "cpu");
    TEST_EQ_INT(d->duration, 2500000000LL);
    for (size_t i = 0; i < d->nsample; i++) {
        TEST_EQ_INT(d->sample[i].nval, 2);
        TEST_EQ_INT(d->sample[i].val[1], d->sample[i].val[0] * 100000000LL);
    }
    for (size_t i = 0; i < d->nfn; i++)
        TEST_EQ_INT(d->fn[i].sysname, 0); /* pprof would simplify "<sleep>" away */
    TEST_CHECK(has_comment(d, "spyglass record: python3 app.py"));
    TEST_CHECK(has_comment(d, "Python 3.12.1"));
    free(got);
    free(d->raw);

    /* no facts at all: one value per sample, counted in samples */
    got = pprof_roundtrip(a, NULL, d);
    TEST_EQ_STR(got, want);
    TEST_EQ_INT(d->ntype, 1);
    TEST_EQ_INT(d->sample[0].nval, 1);
    TEST_EQ_STR(str(d, d->period_type[0]), "samples");
    TEST_EQ_INT(d->period, 1);
    TEST_EQ_INT(d->ncomment, 0);
    free(got);
    free(d->raw);
    free(want);
    free(d);
    agg_free(a);
}

static void test_pprof_hostile(void)
{
    struct agg *a = hostile_profile();
    struct doc *d = malloc(sizeof(*d));
    char *got = pprof_roundtrip(a, &meta, d);

    TEST_EQ_STR(got, "thread we\"ird <b> (77);<script>alert(1)</script> (/tmp/we\"ird'&]]>.py:5);"
                     "naïve_函数 (/tmp/tärget dir/naïve spaß ✓.py:19) 6\n"
                     "thread we\"ird <b> (77);bad\xef\xbf\xbd\xef\xbf\xbdname\x1b[2J "
                     "(f\xef\xbf\xbd\xef\xbf\xbd.py:1) 1\n");
    free(got);
    free(d->raw);
    free(d);
    agg_free(a);
}

/* {('app.py', 10, 'main'): (1, 1, 0.0, 1.0, {}),
 *  ('app.py', 20, 'work'): (1, 1, 0.5, 0.6, {main: (1, 1, 0.5, 0.6)}),
 *  ('r.py', 5, 'rec'): (1, 3, 0.4, 0.4, {main: (1, 1, 0.0, 0.4), rec: (2, 0, 0.4, 0.4)}),
 *  ('~', 0, '<sleep>'): (1, 1, 0.1, 0.1, {work: (1, 1, 0.1, 0.1)})}
 * with each time n * (1.0 / 10), as marshal.dumps(d, 2) writes it (CPython 3.12). rec has 3 call
 * paths (main>rec, main>rec>rec, main>rec>rec>rec), 1 of them outermost; work 1 (main>work at
 * two lines of work: still one path). */
static const char pstats_want[] = "\x7b\x28\x03\x00\x00\x00\x75\x06\x00\x00\x00\x61\x70\x70\x2e\x70"
                                  "\x79\x69\x0a\x00\x00\x00\x75\x04"
                                  "\x00\x00\x00\x6d\x61\x69\x6e\x28\x05\x00\x00\x00\x69\x01\x00\x00"
                                  "\x00\x69\x01\x00\x00\x00\x67\x00"
                                  "\x00\x00\x00\x00\x00\x00\x00\x67\x00\x00\x00\x00\x00\x00\xf0\x3f"
                                  "\x7b\x30\x28\x03\x00\x00\x00\x75"
                                  "\x06\x00\x00\x00\x61\x70\x70\x2e\x70\x79\x69\x14\x00\x00\x00\x75"
                                  "\x04\x00\x00\x00\x77\x6f\x72\x6b"
                                  "\x28\x05\x00\x00\x00\x69\x01\x00\x00\x00\x69\x01\x00\x00\x00\x67"
                                  "\x00\x00\x00\x00\x00\x00\xe0\x3f"
                                  "\x67\x34\x33\x33\x33\x33\x33\xe3\x3f\x7b\x28\x03\x00\x00\x00\x75"
                                  "\x06\x00\x00\x00\x61\x70\x70\x2e"
                                  "\x70\x79\x69\x0a\x00\x00\x00\x75\x04\x00\x00\x00\x6d\x61\x69\x6e"
                                  "\x28\x04\x00\x00\x00\x69\x01\x00"
                                  "\x00\x00\x69\x01\x00\x00\x00\x67\x00\x00\x00\x00\x00\x00\xe0\x3f"
                                  "\x67\x34\x33\x33\x33\x33\x33\xe3"
                                  "\x3f\x30\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x72\x2e\x70\x79"
                                  "\x69\x05\x00\x00\x00\x75\x03\x00"
                                  "\x00\x00\x72\x65\x63\x28\x05\x00\x00\x00\x69\x01\x00\x00\x00\x69"
                                  "\x03\x00\x00\x00\x67\x9a\x99\x99"
                                  "\x99\x99\x99\xd9\x3f\x67\x9a\x99\x99\x99\x99\x99\xd9\x3f\x7b\x28"
                                  "\x03\x00\x00\x00\x75\x06\x00\x00"
                                  "\x00\x61\x70\x70\x2e\x70\x79\x69\x0a\x00\x00\x00\x75\x04\x00\x00"
                                  "\x00\x6d\x61\x69\x6e\x28\x04\x00"
                                  "\x00\x00\x69\x01\x00\x00\x00\x69\x01\x00\x00\x00\x67\x00\x00\x00"
                                  "\x00\x00\x00\x00\x00\x67\x9a\x99"
                                  "\x99\x99\x99\x99\xd9\x3f\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00"
                                  "\x72\x2e\x70\x79\x69\x05\x00\x00"
                                  "\x00\x75\x03\x00\x00\x00\x72\x65\x63\x28\x04\x00\x00\x00\x69\x02"
                                  "\x00\x00\x00\x69\x00\x00\x00\x00"
                                  "\x67\x9a\x99\x99\x99\x99\x99\xd9\x3f\x67\x9a\x99\x99\x99\x99\x99"
                                  "\xd9\x3f\x30\x28\x03\x00\x00\x00"
                                  "\x75\x01\x00\x00\x00\x7e\x69\x00\x00\x00\x00\x75\x07\x00\x00\x00"
                                  "\x3c\x73\x6c\x65\x65\x70\x3e\x28"
                                  "\x05\x00\x00\x00\x69\x01\x00\x00\x00\x69\x01\x00\x00\x00\x67\x9a"
                                  "\x99\x99\x99\x99\x99\xb9\x3f\x67"
                                  "\x9a\x99\x99\x99\x99\x99\xb9\x3f\x7b\x28\x03\x00\x00\x00\x75\x06"
                                  "\x00\x00\x00\x61\x70\x70\x2e\x70"
                                  "\x79\x69\x14\x00\x00\x00\x75\x04\x00\x00\x00\x77\x6f\x72\x6b\x28"
                                  "\x04\x00\x00\x00\x69\x01\x00\x00"
                                  "\x00\x69\x01\x00\x00\x00\x67\x9a\x99\x99\x99\x99\x99\xb9\x3f\x67"
                                  "\x9a\x99\x99\x99\x99\x99\xb9\x3f"
                                  "\x30\x30";

static void test_pstats(void)
{
    struct agg *a = small_profile();
    size_t len = 0;
    int rc;
    char *out = render(OUT_FORMAT_PSTATS, a, &meta, &len, &rc);

    TEST_EQ_INT(rc, 0);
    TEST_EQ_INT(len, sizeof(pstats_want) - 1);
    TEST_CHECK(out && len == sizeof(pstats_want) - 1 && memcmp(out, pstats_want, len) == 0);
    free(out);
    agg_free(a);

    /* an empty profile is an empty dict */
    a = agg_new();
    out = render(OUT_FORMAT_PSTATS, a, &meta, &len, &rc);
    TEST_EQ_INT(rc, 0);
    TEST_CHECK(len == 2 && memcmp(out, "{0", 2) == 0);
    free(out);
    agg_free(a);
}

static void test_pstats_hostile(void)
{
    struct agg *a = hostile_profile();
    size_t len = 0;
    int rc;
    char *out = render(OUT_FORMAT_PSTATS, a, &meta, &len, &rc);
    static const char xss[] = "\x75\x19\x00\x00\x00<script>alert(1)</script>";
    static const char bad[] = "\x75\x11\x00\x00\x00"
                              "bad\xef\xbf\xbd\xef\xbf\xbdname\x1b[2J";
    static const char thread[] = "\x75\x01\x00\x00\x00~\x69\x00\x00\x00\x00\x75\x16\x00\x00\x00"
                                 "thread we\"ird <b> (77)";

    TEST_EQ_INT(rc, 0);
    TEST_CHECK(out && memmem(out, len, xss, sizeof(xss) - 1) != NULL);
    TEST_CHECK(out && memmem(out, len, bad, sizeof(bad) - 1) != NULL);
    TEST_CHECK(out && memmem(out, len, thread, sizeof(thread) - 1) != NULL);
    TEST_CHECK(out && memmem(out, len, "\xff", 1) == NULL);
    free(out);
    agg_free(a);
}

static void test_full_disk(void)
{
    struct agg *a = hostile_profile();
    static const enum out_format fmts[] = {OUT_FORMAT_PPROF, OUT_FORMAT_PSTATS};

    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen("/dev/full", "w");
        TEST_CHECK(f != NULL);
        if (!f)
            continue;
        TEST_EQ_INT(out_format_write(f, fmts[i], a, &meta), -ENOSPC);
        fclose(f);
    }
    agg_free(a);
}

static void test_format_table(void)
{
    static const struct {
        const char *name;
        enum out_format fmt;
    } names[] = {{"collapsed", OUT_FORMAT_COLLAPSED},
                 {"txt", OUT_FORMAT_COLLAPSED},
                 {"svg", OUT_FORMAT_SVG},
                 {"speedscope", OUT_FORMAT_SPEEDSCOPE},
                 {"json", OUT_FORMAT_SPEEDSCOPE},
                 {"pprof", OUT_FORMAT_PPROF},
                 {"pstats", OUT_FORMAT_PSTATS},
                 {"html", OUT_FORMAT_HTML}};
    static const struct {
        const char *path;
        enum out_format fmt;
    } paths[] = {{"a.svg", OUT_FORMAT_SVG},         {"a.json", OUT_FORMAT_SPEEDSCOPE},
                 {"a.pb.gz", OUT_FORMAT_PPROF},     {"/x.y/a.pprof", OUT_FORMAT_PPROF},
                 {"a.pstats", OUT_FORMAT_PSTATS},   {"a.prof", OUT_FORMAT_PSTATS},
                 {"a.gz", OUT_FORMAT_COLLAPSED},    {"a.txt", OUT_FORMAT_COLLAPSED},
                 {".svg", OUT_FORMAT_COLLAPSED},    {"a.svg.txt", OUT_FORMAT_COLLAPSED},
                 {"profile", OUT_FORMAT_COLLAPSED}, {"a.html", OUT_FORMAT_HTML},
                 {"a.htm", OUT_FORMAT_HTML},        {"a.html.txt", OUT_FORMAT_COLLAPSED}};
    enum out_format fmt;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        fmt = OUT_FORMAT_COLLAPSED;
        TEST_EQ_INT(out_format_parse(names[i].name, &fmt), 0);
        TEST_EQ_INT(fmt, names[i].fmt);
    }
    TEST_EQ_INT(out_format_parse("htm", &fmt), -EINVAL);
    TEST_EQ_INT(out_format_parse("", &fmt), -EINVAL);
    TEST_EQ_INT(out_format_parse("PPROF", &fmt), -EINVAL);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        TEST_EQ_INT(out_format_from_path(paths[i].path), paths[i].fmt);
    TEST_EQ_INT(out_format_from_path(NULL), OUT_FORMAT_COLLAPSED);
    TEST_CHECK(out_format_binary(OUT_FORMAT_PPROF) && out_format_binary(OUT_FORMAT_PSTATS));
    TEST_CHECK(!out_format_binary(OUT_FORMAT_SVG) && !out_format_binary(OUT_FORMAT_COLLAPSED));
}

void test_out_exports(void)
{
    test_pprof();
    test_pprof_hostile();
    test_pstats();
    test_pstats_hostile();
    test_full_disk();
    test_format_table();
}
