/* Raw profile writer (docs/raw-format.md): definitions are written the first time a sample needs
 * them, in id order, so that a reader interning them in file order gets the same ids.
 * SPDX-License-Identifier: MIT */
#include "out_raw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agg_raw.h"
#include "agg_timeline.h"
#include "util_pb.h"
#include "util_sbuf.h"
#include "util_xalloc.h"

#define BATCH_RESERVE 32768     /* bytes of one instant's samples made room for at the start */
#define TOTALS_MAX    65536     /* (stack, weight) pairs per TOTALS record */
#define BATCH_MAX     (1 << 20) /* bytes of samples per SAMPLES record in whole writes */

struct out_raw {
    FILE *f;
    const struct agg *a;
    struct sbuf rec;     /* the payload of the record being made */
    struct sbuf batch;   /* (stack, weight, tid) varints of the current instant */
    uint32_t nbatch;     /* samples in batch */
    uint32_t nstr;       /* strings written */
    uint32_t nframes;    /* frames written */
    uint32_t nstacks;    /* stacks written */
    uint64_t t_last;     /* ns: time of the last SAMPLES record */
    uint64_t flushed_at; /* ns: time of the last flush */
    int err;             /* first write error, a negative errno */
};

static void set_err(struct out_raw *w)
{
    if (!w->err)
        w->err = errno ? -errno : -EIO;
}

/* One record: type, varint payload length, payload. */
static void put_record(struct out_raw *w, enum agg_raw_record type, const void *p, size_t len)
{
    unsigned char head[11];
    size_t n = 0;
    uint64_t v = len;

    head[n++] = (unsigned char)type;
    while (v >= 0x80) {
        head[n++] = (unsigned char)(0x80 | (v & 0x7f));
        v >>= 7;
    }
    head[n++] = (unsigned char)v;
    errno = 0;
    if (fwrite(head, 1, n, w->f) != n || (len && fwrite(p, 1, len, w->f) != len))
        set_err(w);
}

static void put_rec(struct out_raw *w, enum agg_raw_record type)
{
    put_record(w, type, w->rec.buf, w->rec.len);
    sbuf_reset(&w->rec);
}

static void pb_double(struct sbuf *b, uint32_t field, double d)
{
    unsigned char le[8];
    uint64_t v;
    memcpy(&v, &d, sizeof(v));
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    pb_tag(b, field, PB_I64);
    sbuf_add(b, le, sizeof(le));
}

/* d, or 0 (unknown) when it is not within [lo, hi]: a fact the reader would refuse is not
 * written (agg_raw.h's bounds). */
static double bounded(double d, double lo, double hi)
{
    return d >= lo && d <= hi ? d : 0;
}

static uint64_t count(uint64_t v)
{
    return v <= (uint64_t)INT64_MAX ? v : (uint64_t)INT64_MAX;
}

static void pb_str(struct sbuf *b, uint32_t field, const char *s)
{
    if (s)
        pb_bytes(b, field, s, strlen(s));
}

static void put_meta(struct out_raw *w, const struct agg_meta *m, int final)
{
    if (m) {
        pb_str(&w->rec, AGG_RAW_M_TITLE, m->title);
        pb_str(&w->rec, AGG_RAW_M_COMMAND, m->command);
        pb_str(&w->rec, AGG_RAW_M_PYTHON, m->python_version);
        pb_str(&w->rec, AGG_RAW_M_MODE, m->mode);
        pb_str(&w->rec, AGG_RAW_M_UNIT, m->unit);
        pb_double(&w->rec, AGG_RAW_M_DURATION,
                  bounded(m->duration, AGG_RAW_DURATION_MIN, AGG_RAW_DURATION_MAX));
        pb_double(&w->rec, AGG_RAW_M_RATE_REQUESTED,
                  bounded(m->rate_requested, AGG_RAW_RATE_MIN, AGG_RAW_RATE_MAX));
        pb_double(&w->rec, AGG_RAW_M_RATE_EFFECTIVE,
                  bounded(m->rate_effective, AGG_RAW_RATE_MIN, AGG_RAW_RATE_MAX));
        pb_double(&w->rec, AGG_RAW_M_OVERHEAD,
                  m->overhead >= 0 && m->overhead <= AGG_RAW_OVERHEAD_MAX ? m->overhead : -1);
        pb_uint(&w->rec, AGG_RAW_M_SAMPLES, count(m->samples));
        pb_uint(&w->rec, AGG_RAW_M_INVALID, count(m->invalid));
        pb_uint(&w->rec, AGG_RAW_M_MISSED, count(m->missed));
    }
    pb_uint(&w->rec, AGG_RAW_M_FINAL, (uint64_t) final);
    put_rec(w, AGG_RAW_META);
}

/* Strings, frames and stacks of the profile not written yet, in id order. */
static void put_defs(struct out_raw *w)
{
    const struct agg *a = w->a;

    for (; w->nstr < agg_nstrs(a); w->nstr++) {
        const char *s = agg_str(a, w->nstr);
        size_t len = strlen(s);
        put_record(w, AGG_RAW_STRING, s, len < AGG_RAW_MAX_RECORD ? len : AGG_RAW_MAX_RECORD);
    }
    for (; w->nframes < agg_nframes(a); w->nframes++) {
        const struct agg_frame *f = agg_frame_get(a, w->nframes);
        pb_varint(&w->rec, f->name);
        pb_varint(&w->rec, f->file == AGG_NONE ? 0 : (uint64_t)f->file + 1);
        pb_varint(&w->rec, f->line > 0 ? (uint64_t)f->line : 0);
        pb_varint(&w->rec, f->kind);
        put_rec(w, AGG_RAW_FRAME);
    }
    for (; w->nstacks < agg_nstacks(a); w->nstacks++) {
        uint32_t n;
        uint64_t weight;
        const uint32_t *frames = agg_stack(a, w->nstacks, &n, &weight);
        for (uint32_t i = 0; i < n; i++)
            pb_varint(&w->rec, frames[i]);
        put_rec(w, AGG_RAW_STACK);
    }
}

static void put_header(struct out_raw *w)
{
    errno = 0;
    if (fwrite(AGG_RAW_MAGIC, 1, AGG_RAW_MAGIC_LEN, w->f) != AGG_RAW_MAGIC_LEN ||
        fputc(AGG_RAW_VERSION, w->f) == EOF)
        set_err(w);
}

static struct out_raw *writer_new(FILE *f, const struct agg *a)
{
    struct out_raw *w = xcalloc(1, sizeof(*w));
    w->f = f;
    w->a = a;
    sbuf_init(&w->rec);
    sbuf_init(&w->batch);
    sbuf_reserve(&w->rec, 4096);
    sbuf_reserve(&w->batch, BATCH_RESERVE);
    return w;
}

static void flush(struct out_raw *w)
{
    errno = 0;
    if (fflush(w->f) != 0 || ferror(w->f))
        set_err(w);
}

struct out_raw *out_raw_start(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    struct out_raw *w = writer_new(f, a);
    put_header(w);
    put_meta(w, m, 0);
    flush(w);
    return w;
}

void out_raw_stack(struct out_raw *w, uint32_t stack, uint64_t weight, uint32_t tid)
{
    pb_varint(&w->batch, stack);
    pb_varint(&w->batch, weight);
    pb_varint(&w->batch, tid);
    w->nbatch++;
}

/* The batch as a SAMPLES record at t_ns (not before the previous one). */
static void put_samples(struct out_raw *w, uint64_t t_ns)
{
    if (t_ns < w->t_last)
        t_ns = w->t_last;
    put_defs(w);
    pb_varint(&w->rec, t_ns - w->t_last);
    sbuf_add(&w->rec, w->batch.buf, w->batch.len);
    put_rec(w, AGG_RAW_SAMPLES);
    sbuf_reset(&w->batch);
    w->nbatch = 0;
    w->t_last = t_ns;
}

void out_raw_tick(struct out_raw *w, uint64_t t_ns)
{
    put_samples(w, t_ns);
    if (t_ns - w->flushed_at >= OUT_RAW_FLUSH_NS) {
        flush(w);
        w->flushed_at = t_ns;
    }
}

static void put_sources(struct out_raw *w)
{
    for (uint32_t i = 0; i < agg_nsources(w->a); i++) {
        uint32_t file = agg_source_file(w->a, i);
        size_t len = 0;
        const char *text = agg_source(w->a, file, &len);
        if (!text || len + 16 > AGG_RAW_MAX_RECORD)
            continue; /* not a source file anyone reads */
        pb_varint(&w->rec, file);
        sbuf_add(&w->rec, text, len);
        put_rec(w, AGG_RAW_SOURCE);
    }
}

int out_raw_finish(struct out_raw *w, const struct agg_meta *m)
{
    if (w->nbatch)
        put_samples(w, w->t_last); /* stacks of an instant that did not end: the last one's */
    put_defs(w);
    put_sources(w);
    put_meta(w, m, 1);
    put_record(w, AGG_RAW_END, NULL, 0);
    flush(w);
    return w->err;
}

void out_raw_free(struct out_raw *w)
{
    if (!w)
        return;
    sbuf_destroy(&w->rec);
    sbuf_destroy(&w->batch);
    free(w);
}

/* Every stack's weight that the samples written (covered[i] of stack i; NULL: none) do not
 * hold, in TOTALS records. */
static void put_totals(struct out_raw *w, const uint64_t *covered)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < agg_nstacks(w->a); i++) {
        uint32_t depth;
        uint64_t weight;
        agg_stack(w->a, i, &depth, &weight);
        if (covered)
            weight = weight > covered[i] ? weight - covered[i] : 0;
        if (!weight)
            continue;
        pb_varint(&w->rec, i);
        pb_varint(&w->rec, weight);
        if (++n == TOTALS_MAX) {
            put_rec(w, AGG_RAW_TOTALS);
            n = 0;
        }
    }
    if (n)
        put_rec(w, AGG_RAW_TOTALS);
}

/* The samples of tl, one SAMPLES record per instant; covered[i] gets the weight of stack i they
 * hold. */
static void put_timeline(struct out_raw *w, const struct agg_timeline *tl, uint64_t *covered)
{
    for (uint64_t i = 0; i < agg_timeline_nticks(tl); i++) {
        uint64_t t;
        uint32_t n;
        const struct agg_timeline_sample *s = agg_timeline_get(tl, i, &t, &n);
        for (uint32_t k = 0; k < n; k++) {
            if (s[k].stack >= agg_nstacks(w->a) || !s[k].weight)
                continue; /* not a sample of this profile */
            out_raw_stack(w, s[k].stack, s[k].weight, s[k].tid);
            covered[s[k].stack] += s[k].weight;
            if (w->batch.len >= BATCH_MAX)
                put_samples(w, t); /* the next record (time 0 later) continues the instant */
        }
        put_samples(w, t);
    }
}

int out_raw_write(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    struct out_raw *w = writer_new(f, a);
    const struct agg_timeline *tl = m ? m->timeline : NULL;
    uint64_t *covered = NULL;
    int err;

    put_header(w);
    put_defs(w);
    if (tl) {
        covered = xcalloc((size_t)agg_nstacks(a) + 1, sizeof(uint64_t));
        put_timeline(w, tl, covered);
    }
    put_totals(w, covered);
    err = out_raw_finish(w, m);
    free(covered);
    out_raw_free(w);
    return err;
}
