/* Raw profile reader (docs/raw-format.md). The file's ids (strings, frames, stacks: numbered in
 * the order they are defined) map to the profile's through tables, so a repeated definition is
 * merged, never trusted.
 * SPDX-License-Identifier: MIT */
#include "agg_raw.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_vec.h"
#include "util_xalloc.h"

/* A growable file id -> profile id table. */
struct ids {
    uint32_t *v;
    uint32_t n, cap;
};

struct reader {
    struct agg *a;
    struct agg_timeline *tl; /* or NULL */
    struct agg_raw_info *info;
    const unsigned char *p, *end; /* the payload of the current record */
    struct ids str, frame, stack;
    uint32_t *frames; /* scratch: the frames of a stack */
    uint32_t frames_cap;
    uint64_t total;   /* weights read */
    uint64_t t, t0;   /* ns: time of the last and first SAMPLES instant */
    int open;         /* an instant is open (a SAMPLES record was read) */
    uint64_t rec_no;  /* 1-based number of the current record */
    uint64_t rec_off; /* its byte offset */
    int rec_type;
    char *why;
    size_t whylen;
};

static void ids_push(struct ids *t, uint32_t v)
{
    if (t->n == t->cap)
        t->v = vec_grow32(t->v, &t->cap, (size_t)t->n + 1, sizeof(*t->v), 256);
    t->v[t->n++] = v;
}

static const char *type_name(int type)
{
    static const char *const names[] = {"?",       "meta",   "string", "frame", "stack",
                                        "samples", "totals", "source", "end"};
    return type >= 1 && type <= AGG_RAW_END ? names[type] : "unknown";
}

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A one-line reason naming the record; returns -EINVAL. */
static int fail(struct reader *r, const char *fmt, ...)
{
    va_list ap;
    int n = 0;

    if (!r->why || !r->whylen)
        return -EINVAL;
    if (r->rec_no)
        n = snprintf(r->why, r->whylen,
                     "record %llu (%s, type %d) at byte %llu: ", (unsigned long long)r->rec_no,
                     type_name(r->rec_type), r->rec_type, (unsigned long long)r->rec_off);
    if (n >= 0 && (size_t)n < r->whylen) {
        va_start(ap, fmt);
        vsnprintf(r->why + n, r->whylen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* A file cut before its first record: -ENODATA, with its reason. */
static int cut_early(struct reader *r, const char *reason)
{
    if (r->why && r->whylen)
        snprintf(r->why, r->whylen, "%s", reason);
    return -ENODATA;
}

/* A varint at *p (before end). Returns 1 with *v, 0 when the bytes end inside it, -1 when it
 * is longer than 10 bytes or above 2^64 - 1. */
static int varint_at(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p == end)
            return 0;
        unsigned char b = *(*p)++;
        if (shift == 63 && b > 1)
            return -1;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return -1;
}

/* The next varint of the payload, into *v; returns 0 or -EINVAL (reason given). */
static int get(struct reader *r, uint64_t *v, const char *what)
{
    int rc = varint_at(&r->p, r->end, v);
    if (rc == 1)
        return 0;
    return fail(r, rc == 0 ? "the record ends inside its %s" : "a malformed varint (%s)", what);
}

/* The next varint as an id below n. */
static int get_id(struct reader *r, const struct ids *t, uint32_t *out, const char *what)
{
    uint64_t v;
    int err = get(r, &v, what);
    if (err)
        return err;
    if (v >= t->n)
        return fail(r, "%s %llu is not defined (%u so far)", what, (unsigned long long)v, t->n);
    *out = t->v[v];
    return 0;
}

static int read_string(struct reader *r)
{
    size_t len = (size_t)(r->end - r->p);
    if (memchr(r->p, '\0', len))
        return fail(r, "a NUL byte in a string");
    ids_push(&r->str, agg_intern(r->a, (const char *)r->p, len));
    return 0;
}

static int read_frame(struct reader *r)
{
    struct agg_frame f = {0, AGG_NONE, 0, 0};
    uint64_t file, line, kind;
    int err = get_id(r, &r->str, &f.name, "name string");

    if (!err)
        err = get(r, &file, "file string");
    if (!err && file > r->str.n)
        return fail(r, "file string %llu is not defined", (unsigned long long)(file - 1));
    if (!err)
        err = get(r, &line, "line");
    if (!err)
        err = get(r, &kind, "kind");
    if (err)
        return err;
    if (line > INT32_MAX)
        return fail(r, "line %llu is above %d", (unsigned long long)line, INT32_MAX);
    if (kind > AGG_FRAME_TASK)
        return fail(r, "frame kind %llu (0 to 3)", (unsigned long long)kind);
    if (r->p != r->end)
        return fail(r, "bytes after the frame's four fields");
    f.file = file ? r->str.v[file - 1] : AGG_NONE;
    f.line = (int32_t)line;
    f.kind = (uint32_t)kind;
    ids_push(&r->frame, agg_frame_id(r->a, &f));
    return 0;
}

static int read_stack(struct reader *r)
{
    uint32_t n = 0;
    while (r->p < r->end) {
        if (n == AGG_RAW_MAX_DEPTH)
            return fail(r, "a stack deeper than %d frames", AGG_RAW_MAX_DEPTH);
        if (n == r->frames_cap)
            r->frames =
                vec_grow32(r->frames, &r->frames_cap, (size_t)n + 1, sizeof(*r->frames), 256);
        int err = get_id(r, &r->frame, &r->frames[n], "frame");
        if (err)
            return err;
        n++;
    }
    ids_push(&r->stack, agg_add(r->a, r->frames, n, 0));
    return 0;
}

/* A weight of 1 or more that keeps the total within INT64_MAX. */
static int get_weight(struct reader *r, uint64_t *w)
{
    int err = get(r, w, "weight");
    if (err)
        return err;
    if (*w == 0)
        return fail(r, "a weight of 0");
    if (*w > (uint64_t)INT64_MAX - r->total)
        return fail(r, "the weights add up to more than %lld", (long long)INT64_MAX);
    r->total += *w;
    return 0;
}

/* Close the open instant into the time line. */
static void close_tick(struct reader *r)
{
    if (!r->open)
        return;
    if (r->tl)
        agg_timeline_tick(r->tl, r->t);
    r->info->ticks++;
    r->open = 0;
}

static int read_samples(struct reader *r)
{
    uint64_t dt, w, tid;
    uint32_t stack;
    int err = get(r, &dt, "time");

    if (err)
        return err;
    if (dt > (uint64_t)INT64_MAX - r->t)
        return fail(r, "times add up to more than %lld ns", (long long)INT64_MAX);
    if (dt || !r->open) { /* a new instant (dt 0 continues the open one) */
        close_tick(r);
        r->t += dt;
        r->t0 = r->info->ticks ? r->t0 : r->t;
        r->open = 1;
    }
    while (r->p < r->end) {
        err = get_id(r, &r->stack, &stack, "stack");
        if (!err)
            err = get_weight(r, &w);
        if (!err)
            err = get(r, &tid, "thread id");
        if (err)
            return err;
        if (tid > UINT32_MAX)
            return fail(r, "thread id %llu is above %u", (unsigned long long)tid, UINT32_MAX);
        agg_add_weight(r->a, stack, w);
        if (r->tl)
            agg_timeline_add(r->tl, stack, w, (uint32_t)tid);
        r->info->samples++;
    }
    return 0;
}

static int read_totals(struct reader *r)
{
    uint64_t w;
    uint32_t stack;
    while (r->p < r->end) {
        int err = get_id(r, &r->stack, &stack, "stack");
        if (!err)
            err = get_weight(r, &w);
        if (err)
            return err;
        agg_add_weight(r->a, stack, w);
    }
    return 0;
}

static int read_source(struct reader *r)
{
    uint32_t file;
    int err = get_id(r, &r->str, &file, "file string");
    if (err)
        return err;
    agg_set_source(r->a, file, (const char *)r->p, (size_t)(r->end - r->p));
    r->p = r->end;
    return 0;
}

/* A fixed-size little-endian field of n bytes. */
static int get_fixed(struct reader *r, unsigned n, uint64_t *v)
{
    if ((size_t)(r->end - r->p) < n)
        return fail(r, "the record ends inside a %u-byte field", n);
    *v = 0;
    for (unsigned i = 0; i < n; i++)
        *v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    return 0;
}

/* A string field (1 to 5) of len bytes at r->p into *out (replacing an earlier one). */
static int meta_string(struct reader *r, uint64_t len, char **out)
{
    if (memchr(r->p, '\0', len))
        return fail(r, "a NUL byte in a run fact");
    free(*out);
    *out = xmalloc(len + 1);
    memcpy(*out, r->p, len);
    (*out)[len] = '\0';
    r->p += len;
    return 0;
}

static const char *fact_name(uint64_t field)
{
    static const char *const names[] = {"duration",   "requested rate",    "effective rate",
                                        "overhead",   "sampling instants", "invalid samples",
                                        "final flag", "missed ticks"};
    return field >= AGG_RAW_M_DURATION && field <= AGG_RAW_M_MISSED
               ? names[field - AGG_RAW_M_DURATION]
               : "?";
}

/* Whether v is 0 or within [lo, hi]. */
static int zero_or_within(double v, double lo, double hi)
{
    return v == 0 || (v >= lo && v <= hi);
}

static int meta_double(struct reader *r, uint64_t field, uint64_t bits, struct agg_meta *m)
{
    int rate = field == AGG_RAW_M_RATE_REQUESTED || field == AGG_RAW_M_RATE_EFFECTIVE;
    double d;

    memcpy(&d, &bits, sizeof(d));
    if (!isfinite(d))
        return fail(r, "run fact %llu (%s) is not a finite number", (unsigned long long)field,
                    fact_name(field));
    if (field == AGG_RAW_M_OVERHEAD && d < 0)
        d = -1; /* unknown */
    else if (field == AGG_RAW_M_OVERHEAD && d > AGG_RAW_OVERHEAD_MAX)
        return fail(r, "run fact 9 (overhead) is %g: above %g", d, AGG_RAW_OVERHEAD_MAX);
    else if (rate && !zero_or_within(d, AGG_RAW_RATE_MIN, AGG_RAW_RATE_MAX))
        return fail(r, "run fact %llu (%s) is %g Hz: not 0 or from %g to %g",
                    (unsigned long long)field, fact_name(field), d, AGG_RAW_RATE_MIN,
                    AGG_RAW_RATE_MAX);
    else if (field == AGG_RAW_M_DURATION &&
             !zero_or_within(d, AGG_RAW_DURATION_MIN, AGG_RAW_DURATION_MAX))
        return fail(r, "run fact 6 (duration) is %g s: not 0 or from %g to %g", d,
                    AGG_RAW_DURATION_MIN, AGG_RAW_DURATION_MAX);
    if (field == AGG_RAW_M_DURATION)
        m->duration = d;
    else if (field == AGG_RAW_M_RATE_REQUESTED)
        m->rate_requested = d;
    else if (field == AGG_RAW_M_RATE_EFFECTIVE)
        m->rate_effective = d;
    else
        m->overhead = d;
    return 0;
}

/* A count (fields 10, 11, 13) within INT64_MAX. */
static int meta_count(struct reader *r, uint64_t field, uint64_t v, uint64_t *out)
{
    if (v > (uint64_t)INT64_MAX)
        return fail(r, "run fact %llu (%s) is above %lld", (unsigned long long)field,
                    fact_name(field), (long long)INT64_MAX);
    *out = v;
    return 0;
}

/* One protobuf-style field of a META record. Unknown fields are skipped. */
static int meta_field(struct reader *r, struct agg_meta *m, char **str, int *final)
{
    uint64_t tag, v = 0, field;
    unsigned wire;
    int err = get(r, &tag, "field tag");

    if (err)
        return err;
    field = tag >> 3;
    wire = (unsigned)(tag & 7);
    if (field == 0)
        return fail(r, "a field number of 0");
    if (wire == 0)
        err = get(r, &v, "field");
    else if (wire == 1 || wire == 5)
        err = get_fixed(r, wire == 1 ? 8 : 4, &v);
    else if (wire == 2 && !(err = get(r, &v, "field length")) && v > (uint64_t)(r->end - r->p))
        return fail(r, "a field longer than its record");
    else if (wire != 2)
        return fail(r, "wire type %u", wire);
    if (err)
        return err;
    int want = field <= AGG_RAW_M_UNIT ? 2 : field <= AGG_RAW_M_OVERHEAD ? 1 : 0;
    if (field <= AGG_RAW_M_MISSED && (unsigned)want != wire)
        return fail(r, "run fact %llu has wire type %u, not %d", (unsigned long long)field, wire,
                    want);
    if (field <= AGG_RAW_M_UNIT)
        return meta_string(r, v, &str[field - 1]);
    if (field <= AGG_RAW_M_OVERHEAD)
        return meta_double(r, field, v, m);
    if (field == AGG_RAW_M_SAMPLES)
        return meta_count(r, field, v, &m->samples);
    if (field == AGG_RAW_M_INVALID)
        return meta_count(r, field, v, &m->invalid);
    if (field == AGG_RAW_M_MISSED)
        return meta_count(r, field, v, &m->missed);
    if (field == AGG_RAW_M_FINAL && v > 1)
        return fail(r, "the final flag is %llu (0 or 1)", (unsigned long long)v);
    else if (field == AGG_RAW_M_FINAL)
        *final = (int)v;
    else if (wire == 2)
        r->p += v; /* an unknown field's bytes */
    return 0;
}

/* A META record replaces the facts of the earlier ones. */
static int read_meta(struct reader *r)
{
    struct agg_raw_info *in = r->info;
    struct agg_meta m = {.overhead = -1};
    char *str[AGG_RAW_NMETA_STR] = {NULL};
    int final = 0, err = 0;

    while (r->p < r->end && !err)
        err = meta_field(r, &m, str, &final);
    for (int i = 0; i < AGG_RAW_NMETA_STR; i++) {
        if (err) {
            free(str[i]);
            continue;
        }
        free(in->str[i]);
        in->str[i] = str[i];
    }
    if (err)
        return err;
    m.title = in->str[0];
    m.command = in->str[1];
    m.python_version = in->str[2];
    m.mode = in->str[3];
    m.unit = in->str[4];
    in->meta = m;
    in->final_meta = final;
    return 0;
}

static int read_record(struct reader *r)
{
    switch (r->rec_type) {
    case AGG_RAW_META:
        return read_meta(r);
    case AGG_RAW_STRING:
        return read_string(r);
    case AGG_RAW_FRAME:
        return read_frame(r);
    case AGG_RAW_STACK:
        return read_stack(r);
    case AGG_RAW_SAMPLES:
        return read_samples(r);
    case AGG_RAW_TOTALS:
        return read_totals(r);
    case AGG_RAW_SOURCE:
        return read_source(r);
    case AGG_RAW_END:
        return r->p == r->end ? 0 : fail(r, "an end record with a payload");
    }
    if (r->rec_type >= AGG_RAW_OPTIONAL && r->rec_type < 128)
        return 0; /* optional: skipped */
    return fail(r, "an unknown record type");
}

int agg_raw_is(const void *buf, size_t len)
{
    size_t n = len < AGG_RAW_MAGIC_LEN ? len : AGG_RAW_MAGIC_LEN;
    return n > 0 && memcmp(buf, AGG_RAW_MAGIC, n) == 0;
}

/* The header: magic and version. Returns 0 with *p after it, -ENODATA when cut, or -EINVAL. */
static int read_header(struct reader *r, const unsigned char **p, const unsigned char *end)
{
    uint64_t version;
    size_t len = (size_t)(end - *p);
    if (!agg_raw_is(*p, len))
        return fail(r, "not a spyglass raw profile (it does not start with the raw magic)");
    if (len < AGG_RAW_MAGIC_LEN)
        return cut_early(r, "the file ends inside its header");
    *p += AGG_RAW_MAGIC_LEN;
    int rc = varint_at(p, end, &version);
    if (rc == 0)
        return cut_early(r, "the file ends inside its header");
    if (rc < 0 || version != AGG_RAW_VERSION)
        return fail(r, "raw format version %llu (this spyglass reads version %d)",
                    rc < 0 ? 0ULL : (unsigned long long)version, AGG_RAW_VERSION);
    return 0;
}

/* The records after the header, up to the END record or the last whole one. */
static int read_records(struct reader *r, const unsigned char *b, const unsigned char *p,
                        const unsigned char *end)
{
    struct agg_raw_info *in = r->info;
    while (p < end) {
        const unsigned char *q = p + 1;
        uint64_t len;
        r->rec_no++;
        r->rec_off = (uint64_t)(p - b);
        r->rec_type = *p;
        int rc = varint_at(&q, end, &len);
        if (rc == 0)
            return 0; /* cut inside a record's length */
        if (rc < 0)
            return fail(r, "a malformed record length");
        if (len > AGG_RAW_MAX_RECORD)
            return fail(r, "a record of %llu bytes (at most %d)", (unsigned long long)len,
                        AGG_RAW_MAX_RECORD);
        if (len > (uint64_t)(end - q))
            return 0; /* cut inside a record */
        r->p = q;
        r->end = q + len;
        int err = read_record(r);
        if (err)
            return err;
        p = q + len;
        in->records++;
        in->kept = (uint64_t)(p - b);
        if (r->rec_type == AGG_RAW_END) {
            in->complete = 1;
            r->rec_no++;
            r->rec_off = in->kept;
            r->rec_type = end > p ? *p : 0;
            return p == end ? 0 : fail(r, "data after the end record");
        }
    }
    return 0;
}

/* The facts a cut file did not write: from the samples read. */
static void derive_meta(struct reader *r)
{
    struct agg_meta *m = &r->info->meta;
    uint64_t ticks = r->info->ticks;
    if (r->info->final_meta)
        return;
    m->samples = ticks;
    m->duration = (double)r->t / 1e9; /* 0, or from 1 ns to 2^63 ns */
    if (ticks > 1 && r->t > r->t0)
        m->rate_effective = (double)(ticks - 1) * 1e9 / (double)(r->t - r->t0);
    if (!zero_or_within(m->rate_effective, AGG_RAW_RATE_MIN, AGG_RAW_RATE_MAX))
        m->rate_effective = 0; /* unknown */
}

int agg_raw_parse(struct agg *a, struct agg_timeline *tl, const void *buf, size_t len,
                  struct agg_raw_info *info, char *why, size_t whylen)
{
    struct reader r = {.a = a, .tl = tl, .info = info, .why = why, .whylen = whylen};
    const unsigned char *b = buf, *p = b, *end = b + len;
    int err;

    memset(info, 0, sizeof(*info));
    info->meta.overhead = -1;
    if (why && whylen)
        why[0] = '\0';
    err = read_header(&r, &p, end);
    info->kept = (uint64_t)(p - b);
    if (!err)
        err = read_records(&r, b, p, end);
    close_tick(&r);
    if (!err && !info->records)
        err = cut_early(&r, "the file ends before its first record");
    if (!err)
        derive_meta(&r);
    free(r.str.v);
    free(r.frame.v);
    free(r.stack.v);
    free(r.frames);
    return err;
}

void agg_raw_info_destroy(struct agg_raw_info *info)
{
    for (int i = 0; i < AGG_RAW_NMETA_STR; i++) {
        free(info->str[i]);
        info->str[i] = NULL;
    }
}
