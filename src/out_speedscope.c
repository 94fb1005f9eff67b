/* speedscope JSON writer: one "sampled" profile over the shared frame table, streamed in chunks.
 * Format: docs/formats.md §7.
 * SPDX-License-Identifier: MIT */
#include "out_flame.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "out_json.h"
#include "util_file.h"
#include "util_sbuf.h"

static void write_frames(struct file_w *w, const struct agg *a)
{
    struct sbuf *b = &w->b;

    for (uint32_t id = 0; id < agg_nframes(a) && !w->err; id++) {
        const struct agg_frame *fr = agg_frame_get(a, id);
        sbuf_adds(b, id ? ",{\"name\":" : "{\"name\":");
        out_json_str(b, agg_str(a, fr->name));
        if (fr->kind == AGG_FRAME_PY && fr->file != AGG_NONE) {
            sbuf_adds(b, ",\"file\":");
            out_json_str(b, agg_str(a, fr->file));
            if (fr->line > 0)
                sbuf_printf(b, ",\"line\":%" PRId32, fr->line);
        }
        sbuf_addc(b, '}');
        file_w_spill(w);
    }
}

/* The "samples" array (frame indexes, root first) or, with weights set, the "weights" array,
 * of every stack with a positive weight. Empty stacks are kept so that the weights add up to
 * endValue. */
static void write_stacks(struct file_w *wr, const struct agg *a, int weights)
{
    struct sbuf *b = &wr->b;
    int first = 1;

    for (uint32_t i = 0; i < agg_nstacks(a) && !wr->err; i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *frames = agg_stack(a, i, &n, &w);
        if (w == 0)
            continue;
        if (!first)
            sbuf_addc(b, ',');
        first = 0;
        if (weights) {
            sbuf_printf(b, "%" PRIu64, w);
        } else {
            sbuf_addc(b, '[');
            for (uint32_t j = 0; j < n; j++)
                sbuf_printf(b, j ? ",%" PRIu32 : "%" PRIu32, frames[j]);
            sbuf_addc(b, ']');
        }
        file_w_spill(wr);
    }
}

int out_speedscope_write(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    const char *name = m && m->title ? m->title : m && m->command ? m->command : "spyglass";
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    sbuf_adds(b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
                 "\"shared\":{\"frames\":[");
    write_frames(&w, a);
    sbuf_adds(b, "]},\"profiles\":[{\"type\":\"sampled\",\"name\":");
    out_json_str(b, name);
    sbuf_printf(b, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%" PRIu64 ",\"samples\":[",
                m && m->unit && strcmp(m->unit, "bytes") == 0 ? "bytes" : "none", agg_total(a));
    write_stacks(&w, a, 0);
    sbuf_adds(b, "],\"weights\":[");
    write_stacks(&w, a, 1);
    sbuf_adds(b, "]}],\"name\":");
    out_json_str(b, name);
    sbuf_adds(b, ",\"activeProfileIndex\":0,\"exporter\":\"spyglass\"}\n");
    return file_w_finish(&w);
}
