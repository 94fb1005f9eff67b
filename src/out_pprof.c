/* pprof writer: gzipped perftools.profiles.Profile protobuf.
 * Messages and field numbers (below): docs/formats.md §5.
 * SPDX-License-Identifier: MIT */
#include "out_pprof.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg_func.h"
#include "util_gz.h"
#include "util_idmap.h"
#include "util_pb.h"
#include "util_sbuf.h"
#include "util_xalloc.h"

/* profile.proto field numbers (docs/formats.md §5) */
enum {
    PROFILE_SAMPLE_TYPE = 1,
    PROFILE_SAMPLE = 2,
    PROFILE_MAPPING = 3,
    PROFILE_LOCATION = 4,
    PROFILE_FUNCTION = 5,
    PROFILE_STRING_TABLE = 6,
    PROFILE_DURATION_NANOS = 10,
    PROFILE_PERIOD_TYPE = 11,
    PROFILE_PERIOD = 12,
    PROFILE_COMMENT = 13,
    PROFILE_DEFAULT_SAMPLE_TYPE = 14,
    VALUE_TYPE_TYPE = 1,
    VALUE_TYPE_UNIT = 2,
    SAMPLE_LOCATION_ID = 1,
    SAMPLE_VALUE = 2,
    MAPPING_ID = 1,
    MAPPING_FILENAME = 5,
    MAPPING_HAS_FUNCTIONS = 7,
    MAPPING_HAS_FILENAMES = 8,
    MAPPING_HAS_LINE_NUMBERS = 9,
    LOCATION_ID = 1,
    LOCATION_MAPPING_ID = 2,
    LOCATION_LINE = 4,
    LINE_FUNCTION_ID = 1,
    LINE_LINE = 2,
    FUNCTION_ID = 1,
    FUNCTION_NAME = 2,
    FUNCTION_FILENAME = 4,
};

#define FIXED        (1ULL << 32) /* string keys above agg's string ids: strings of our own */
#define MAX_COMMENTS 8

/* The writer's state. String index i of the table is the string with idmap id i - 1 ("" is 0). */
struct pprof {
    const struct agg *a;
    struct gz gz;          /* gz.in: encoded Profile fields not yet compressed; gz.out.err */
    struct sbuf msg;       /* a nested message being encoded */
    struct sbuf sub;       /* a message nested in msg */
    struct sbuf tmp;       /* a string made valid UTF-8 */
    struct sbuf strs;      /* the string_table fields, written after the functions */
    struct idmap str_ix;   /* agg string id, or FIXED + n, -> string index - 1 */
    uint64_t nfixed;       /* strings of our own so far */
    struct agg_funcs *fns; /* function id - 1 -> function (agg_functions) */
    uint64_t *loc;         /* a sample's location ids */
    uint32_t loc_cap;
    int64_t period; /* ns per sample; 0: unknown */
};

static void add_string(struct pprof *p, const char *s)
{
    struct sbuf *b = &p->tmp;
    sbuf_reset(b);
    sbuf_add_utf8(b, s);
    pb_bytes(&p->strs, PROFILE_STRING_TABLE, b->buf ? b->buf : "", b->len);
}

/* String index of a string of our own (never deduplicated). */
static int64_t fixed_string(struct pprof *p, const char *s)
{
    uint32_t id = idmap_get(&p->str_ix, FIXED + p->nfixed++, NULL);
    add_string(p, s);
    return (int64_t)id + 1;
}

/* String index of agg string id (AGG_NONE and "" are 0). */
static int64_t agg_string(struct pprof *p, uint32_t id)
{
    int added;
    if (id == AGG_NONE || agg_str(p->a, id)[0] == '\0')
        return 0;
    uint32_t ix = idmap_get(&p->str_ix, id, &added);
    if (added)
        add_string(p, agg_str(p->a, id));
    return (int64_t)ix + 1;
}

static void value_type(struct pprof *p, uint32_t field, int64_t type, int64_t unit)
{
    sbuf_reset(&p->msg);
    pb_int(&p->msg, VALUE_TYPE_TYPE, type);
    pb_int(&p->msg, VALUE_TYPE_UNIT, unit);
    pb_bytes(&p->gz.in, field, p->msg.buf, p->msg.len);
}

/* weight x period, saturated at INT64_MAX */
static uint64_t scaled(uint64_t w, int64_t period)
{
    if (w > (uint64_t)INT64_MAX / (uint64_t)period)
        return (uint64_t)INT64_MAX;
    return w * (uint64_t)period;
}

static int write_samples(struct pprof *p)
{
    for (uint32_t i = 0; i < agg_nstacks(p->a) && !p->gz.out.err; i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *frames = agg_stack(p->a, i, &n, &w);
        if (n == 0 || w == 0)
            continue;
        if (n > p->loc_cap) {
            p->loc_cap = n;
            p->loc = xreallocarray(p->loc, n, sizeof(*p->loc));
        }
        for (uint32_t j = 0; j < n; j++)
            p->loc[j] = (uint64_t)frames[n - 1 - j] + 1; /* leaf first */
        uint64_t values[2] = {w > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : w, 0};
        if (p->period > 0)
            values[1] = scaled(w, p->period);
        sbuf_reset(&p->msg);
        pb_packed(&p->msg, SAMPLE_LOCATION_ID, p->loc, n);
        pb_packed(&p->msg, SAMPLE_VALUE, values, p->period > 0 ? 2 : 1);
        pb_bytes(&p->gz.in, PROFILE_SAMPLE, p->msg.buf, p->msg.len);
        gz_spill(&p->gz);
    }
    return p->gz.out.err;
}

/* One mapping that says every location is already symbolized, so that pprof looks for no
 * binary. */
static void write_mapping(struct pprof *p)
{
    sbuf_reset(&p->msg);
    pb_uint(&p->msg, MAPPING_ID, 1);
    pb_int(&p->msg, MAPPING_FILENAME, fixed_string(p, "python"));
    pb_uint(&p->msg, MAPPING_HAS_FUNCTIONS, 1);
    pb_uint(&p->msg, MAPPING_HAS_FILENAMES, 1);
    pb_uint(&p->msg, MAPPING_HAS_LINE_NUMBERS, 1);
    pb_bytes(&p->gz.in, PROFILE_MAPPING, p->msg.buf, p->msg.len);
}

static int write_locations(struct pprof *p)
{
    for (uint32_t id = 0; id < agg_nframes(p->a) && !p->gz.out.err; id++) {
        const struct agg_frame *fr = agg_frame_get(p->a, id);
        sbuf_reset(&p->sub);
        pb_uint(&p->sub, LINE_FUNCTION_ID, (uint64_t)p->fns->of_frame[id] + 1);
        if (fr->line > 0)
            pb_int(&p->sub, LINE_LINE, fr->line);
        sbuf_reset(&p->msg);
        pb_uint(&p->msg, LOCATION_ID, (uint64_t)id + 1);
        pb_uint(&p->msg, LOCATION_MAPPING_ID, 1);
        pb_bytes(&p->msg, LOCATION_LINE, p->sub.buf, p->sub.len);
        pb_bytes(&p->gz.in, PROFILE_LOCATION, p->msg.buf, p->msg.len);
        gz_spill(&p->gz);
    }
    return p->gz.out.err;
}

static int write_functions(struct pprof *p)
{
    for (uint32_t fid = 0; fid < p->fns->n && !p->gz.out.err; fid++) {
        const struct agg_func *fn = &p->fns->v[fid];
        int64_t name = agg_string(p, fn->name);
        int64_t file = fn->kind == AGG_FRAME_PY ? agg_string(p, fn->file) : 0;
        sbuf_reset(&p->msg);
        pb_uint(&p->msg, FUNCTION_ID, (uint64_t)fid + 1);
        if (name)
            pb_int(&p->msg, FUNCTION_NAME, name);
        if (file)
            pb_int(&p->msg, FUNCTION_FILENAME, file);
        pb_bytes(&p->gz.in, PROFILE_FUNCTION, p->msg.buf, p->msg.len);
        gz_spill(&p->gz);
    }
    return p->gz.out.err;
}

/* Comments: what was profiled and how (each a string index). */
static size_t comments(struct pprof *p, const struct agg_meta *m, uint64_t *out)
{
    struct sbuf b;
    size_t n = 0;

    sbuf_init(&b);
    if (m->title)
        out[n++] = (uint64_t)fixed_string(p, m->title);
    if (m->python_version) {
        sbuf_printf(&b, "Python %s", m->python_version);
        out[n++] = (uint64_t)fixed_string(p, sbuf_str(&b));
    }
    sbuf_reset(&b);
    if (m->mode)
        sbuf_printf(&b, "mode %s; ", m->mode);
    if (m->rate_requested > 0)
        sbuf_printf(&b, "%g Hz requested; ", m->rate_requested);
    if (m->rate_effective > 0)
        sbuf_printf(&b, "%.1f Hz effective; ", m->rate_effective);
    if (m->samples)
        sbuf_printf(&b, "%llu ticks, %llu invalid thread samples; ", (unsigned long long)m->samples,
                    (unsigned long long)m->invalid);
    if (m->missed)
        sbuf_printf(&b, "%llu ticks missed (the profiler was late by a period or more); ",
                    (unsigned long long)m->missed);
    if (b.len > 2) {
        b.len -= 2; /* the last "; " */
        b.buf[b.len] = '\0';
        out[n++] = (uint64_t)fixed_string(p, b.buf);
    }
    sbuf_destroy(&b);
    return n;
}

/* The duration, the comments, then the buffered message and the string table. */
static int finish_profile(struct pprof *p, const struct agg_meta *m, const uint64_t *comment,
                          size_t ncomments)
{
    if (m->duration > 0 && m->duration < 9e9) /* nanoseconds within INT64_MAX */
        pb_int(&p->gz.in, PROFILE_DURATION_NANOS, (int64_t)llround(m->duration * 1e9));
    pb_packed(&p->gz.in, PROFILE_COMMENT, comment, ncomments);
    return gz_put(&p->gz, &p->strs);
}

/* The Profile's fields up to the functions; the string table follows. */
static int write_profile(struct pprof *p, const struct agg_meta *m)
{
    int64_t samples = fixed_string(p, "samples"), count = fixed_string(p, "count");
    int64_t type = fixed_string(p, m->mode ? m->mode : "wall");
    int64_t ns = fixed_string(p, "nanoseconds");
    uint64_t comment[MAX_COMMENTS];
    size_t ncomments = comments(p, m, comment);

    if (m->unit && strcmp(m->unit, "bytes") == 0) {
        /* --metric io-bytes / rss: weights are bytes, with no time per sample */
        samples = fixed_string(p, "space");
        count = fixed_string(p, "bytes");
        p->period = 0;
    }
    value_type(p, PROFILE_SAMPLE_TYPE, samples, count);
    if (p->period > 0)
        value_type(p, PROFILE_SAMPLE_TYPE, type, ns);
    if (write_samples(p))
        return p->gz.out.err;
    write_mapping(p);
    p->fns = agg_functions(p->a);
    if (write_locations(p) || write_functions(p))
        return p->gz.out.err;
    if (p->period > 0) {
        value_type(p, PROFILE_PERIOD_TYPE, type, ns);
        pb_int(&p->gz.in, PROFILE_PERIOD, p->period);
        pb_int(&p->gz.in, PROFILE_DEFAULT_SAMPLE_TYPE, type);
    } else {
        value_type(p, PROFILE_PERIOD_TYPE, samples, count);
        pb_int(&p->gz.in, PROFILE_PERIOD, 1);
    }
    return finish_profile(p, m, comment, ncomments);
}

int out_pprof_write(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    static const struct agg_meta none;
    struct pprof p = {.a = a};
    double rate;
    int err;

    if (!m)
        m = &none;
    rate = m->rate_effective > 0 ? m->rate_effective : m->rate_requested;
    /* nanoseconds per sample, 1 to 10^18 (a rate outside those: no period) */
    p.period = rate >= 1e-9 && rate <= 1e9 ? (int64_t)llround(1e9 / rate) : 0;
    sbuf_init(&p.msg);
    sbuf_init(&p.sub);
    sbuf_init(&p.tmp);
    sbuf_init(&p.strs);
    idmap_init(&p.str_ix);
    gz_init(&p.gz, f);
    pb_bytes(&p.strs, PROFILE_STRING_TABLE, "", 0); /* index 0 is "" */
    if (!p.gz.out.err)
        write_profile(&p, m);
    err = gz_finish(&p.gz);
    gz_destroy(&p.gz);
    idmap_destroy(&p.str_ix);
    sbuf_destroy(&p.strs);
    sbuf_destroy(&p.tmp);
    sbuf_destroy(&p.sub);
    sbuf_destroy(&p.msg);
    agg_funcs_free(p.fns);
    free(p.loc);
    return err;
}
