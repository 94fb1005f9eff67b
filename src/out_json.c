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
    sbuf_adds(b, ",\"date\":");
    out_json_str(b, m->date);
    sbuf_adds(b, ",\"cpu_model\":");
    out_json_str(b, m->cpu_model);
    sbuf_printf(b, ",\"cpu_count\":%d,\"kernel\":", m->cpu_count);
    out_json_str(b, m->kernel);
    sbuf_adds(b, ",\"hostname\":");
    out_json_str(b, m->hostname);
    sbuf_printf(b, ",\"mem_total\":%" PRIu64 ",\"cpu_freq_visible\":%s,\"governor\":", m->mem_total,
                m->cpu_freq_visible ? "true" : "false");
    out_json_str(b, m->governor);
    sbuf_adds(b, ",\"cpu_freq_mhz\":");
    out_json_num(b, m->cpu_freq_mhz);
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

void out_json_cmp(struct sbuf *b, double ratio, double lo, double hi, double p, double auc,
                  int significant)
{
    sbuf_adds(b, "{\"ratio\":");
    out_json_num(b, ratio);
    sbuf_adds(b, ",\"ci\":");
    out_json_pair(b, lo, hi);
    sbuf_adds(b, ",\"p\":");
    out_json_num(b, p);
    sbuf_adds(b, ",\"auc\":");
    out_json_num(b, auc);
    sbuf_printf(b, ",\"significant\":%s", significant ? "true" : "false");
}
