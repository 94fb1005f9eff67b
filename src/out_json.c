/* JSON pieces shared by the export writers.
 * SPDX-License-Identifier: MIT */
#include "out_json.h"

#include <inttypes.h>
#include <math.h>

#define WHOLE_MAX 9007199254740992.0 /* 2^53: every whole double below it is exact */

void out_json_num(struct sbuf *b, double v)
{
    if (!isfinite(v))
        sbuf_adds(b, "null");
    else if (v == floor(v) && fabs(v) < WHOLE_MAX)
        sbuf_printf(b, "%.0f", v);
    else
        sbuf_printf(b, "%.9g", v);
}

void out_json_u64(struct sbuf *b, uint64_t v)
{
    char t[24];
    int i = (int)sizeof(t);

    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sbuf_add(b, t + i, sizeof(t) - (size_t)i);
}

void out_json_i64(struct sbuf *b, int64_t v)
{
    if (v < 0) {
        sbuf_addc(b, '-');
        out_json_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        out_json_u64(b, (uint64_t)v);
    }
}

void out_json_exact(struct sbuf *b, double v)
{
    if (isfinite(v))
        sbuf_printf(b, "%.17g", v);
    else
        sbuf_adds(b, "null");
}

void out_json_known(struct sbuf *b, double v)
{
    out_json_num(b, v >= 0 ? v : NAN);
}

void out_json_pair(struct sbuf *b, double lo, double hi)
{
    sbuf_addc(b, '[');
    out_json_num(b, lo);
    sbuf_addc(b, ',');
    out_json_num(b, hi);
    sbuf_addc(b, ']');
}

void out_json_str(struct sbuf *b, const char *s)
{
    sbuf_addc(b, '"');
    sbuf_add_json(b, s ? s : "");
    sbuf_addc(b, '"');
}

void out_json_key_num(struct sbuf *b, const char *key, double v)
{
    sbuf_printf(b, ",\"%s\":", key);
    out_json_num(b, v);
}

void out_json_key_str(struct sbuf *b, const char *key, const char *s)
{
    sbuf_printf(b, ",\"%s\":", key);
    out_json_str(b, s);
}

void out_json_str_or_null(struct sbuf *b, const char *s)
{
    if (s)
        out_json_str(b, s);
    else
        sbuf_adds(b, "null");
}

static void triple(struct sbuf *b, const double *v)
{
    sbuf_addc(b, '[');
    for (int i = 0; i < 3; i++) {
        if (i)
            sbuf_addc(b, ',');
        out_json_num(b, v[i]);
    }
    sbuf_addc(b, ']');
}

void out_json_meta(struct sbuf *b, const struct meta *m)
{
    sbuf_adds(b, "\"spyglass_version\":");
    out_json_str(b, m->version);
    out_json_key_str(b, "date", m->date);
    out_json_key_str(b, "cpu_model", m->cpu_model);
    sbuf_printf(b, ",\"cpu_count\":%d,\"kernel\":", m->cpu_count);
    out_json_str(b, m->kernel);
    out_json_key_str(b, "hostname", m->hostname);
    sbuf_printf(b, ",\"mem_total\":%" PRIu64 ",\"cpu_freq_visible\":%s,\"governor\":", m->mem_total,
                m->cpu_freq_visible ? "true" : "false");
    out_json_str(b, m->governor);
    out_json_key_num(b, "cpu_freq_mhz", m->cpu_freq_mhz);
    sbuf_adds(b, ",\"load_before\":");
    triple(b, m->load_before);
    sbuf_adds(b, ",\"load_after\":");
    triple(b, m->load_after);
    sbuf_adds(b, ",\"cpu_pressure_before\":");
    out_json_known(b, m->cpu_pressure_before);
    sbuf_adds(b, ",\"other_cpu_before\":");
    out_json_known(b, m->other_cpu_before);
    sbuf_adds(b, ",\"other_cpu_during\":");
    out_json_known(b, m->other_cpu_during);
}

void out_json_head(struct sbuf *b, const char *schema, const struct meta *m)
{
    sbuf_adds(b, "{\"schema\":");
    out_json_str(b, schema);
    sbuf_adds(b, ",\"metadata\":{");
    out_json_meta(b, m);
}

void out_json_strings(struct sbuf *b, const char *const *v, int n)
{
    sbuf_addc(b, '[');
    for (int i = 0; i < n; i++) {
        if (i)
            sbuf_addc(b, ',');
        out_json_str(b, v[i]);
    }
    sbuf_addc(b, ']');
}

int out_json_array(struct file_w *w, size_t n, out_json_item_fn fn, const void *ctx)
{
    sbuf_addc(&w->b, '[');
    for (size_t i = 0; i < n && !w->err; i++) {
        if (i)
            sbuf_addc(&w->b, ',');
        fn(&w->b, ctx, i);
        file_w_spill(w);
    }
    sbuf_addc(&w->b, ']');
    return w->err;
}

/* CMP of out_json_comparison(), without its closing brace. */
static void cmp(struct sbuf *b, const struct out_json_ratio *r, enum verdict v)
{
    sbuf_adds(b, "{\"ratio\":");
    out_json_num(b, r->ratio);
    sbuf_adds(b, ",\"ci\":");
    out_json_pair(b, r->lo, r->hi);
    out_json_key_num(b, "p", r->p);
    out_json_key_num(b, "auc", r->auc);
    sbuf_printf(b, ",\"significant\":%s", verdict_significant(v) ? "true" : "false");
}

void out_json_comparison(struct sbuf *b, size_t ref, const struct out_json_ratio *r, enum verdict v)
{
    if (!r) {
        sbuf_adds(b, ",\"comparison\":null");
        return;
    }
    sbuf_printf(b, ",\"comparison\":{\"reference\":%zu,\"vs\":", ref);
    cmp(b, r, v);
    sbuf_adds(b, "}}");
}

void out_json_baseline(struct sbuf *b, const struct out_json_ratio *r, enum verdict v)
{
    if (!r) {
        sbuf_adds(b, ",\"baseline\":null");
        return;
    }
    sbuf_adds(b, ",\"baseline\":");
    cmp(b, r, v);
    sbuf_printf(b, ",\"regression\":%s}", v == VERDICT_REGRESSION ? "true" : "false");
}
