/* JSON pieces shared by the export writers.
 * SPDX-License-Identifier: MIT */
#include "out_json.h"

#include <inttypes.h>
#include <math.h>

#include "util_file.h"

#define SPILL 65536 /* bytes buffered before an array is written out */
void out_json_num(struct sbuf *b, double v)
{
    if (isfinite(v))
        sbuf_printf(b, "%.9g", v);
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

int out_json_array(FILE *f, struct sbuf *b, size_t n, out_json_item_fn fn, const void *ctx)
{
    int err = 0;

    sbuf_addc(b, '[');
    for (size_t i = 0; i < n && !err; i++) {
        if (i)
            sbuf_addc(b, ',');
        fn(b, ctx, i);
        if (b->len >= SPILL)
            err = file_put(f, b);
    }
    sbuf_addc(b, ']');
    return err;
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
