/* speedscope JSON writer: one "sampled" profile over the shared frame table, streamed in chunks.
 * Format: docs/formats.md §7.
 * SPDX-License-Identifier: MIT */
#include "out_flame.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util_file.h"
#include "util_sbuf.h"

#define CHUNK 65536 /* bytes buffered before a write */

static int write_frames(FILE *f, const struct agg *a, struct sbuf *b)
{
    int err = 0;

    for (uint32_t id = 0; id < agg_nframes(a) && !err; id++) {
        const struct agg_frame *fr = agg_frame_get(a, id);
        sbuf_adds(b, id ? ",{\"name\":\"" : "{\"name\":\"");
        sbuf_add_json(b, agg_str(a, fr->name));
        sbuf_addc(b, '"');
        if (fr->kind == AGG_FRAME_PY && fr->file != AGG_NONE) {
            sbuf_adds(b, ",\"file\":\"");
            sbuf_add_json(b, agg_str(a, fr->file));
            sbuf_addc(b, '"');
            if (fr->line > 0)
                sbuf_printf(b, ",\"line\":%" PRId32, fr->line);
        }
        sbuf_addc(b, '}');
        if (b->len >= CHUNK)
            err = file_put(f, b);
    }
    return err;
}

/* The "samples" array (frame indexes, root first) or, with weights set, the "weights" array,
 * of every stack with a positive weight. Empty stacks are kept so that the weights add up to
 * endValue. */
static int write_stacks(FILE *f, const struct agg *a, struct sbuf *b, int weights)
{
    int err = 0, first = 1;

    for (uint32_t i = 0; i < agg_nstacks(a) && !err; i++) {
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
        if (b->len >= CHUNK)
            err = file_put(f, b);
    }
    return err;
}

int out_speedscope_write(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    const char *name = m && m->title ? m->title : m && m->command ? m->command : "spyglass";
    struct sbuf b;
    int err;

    sbuf_init(&b);
    sbuf_adds(&b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
                  "\"shared\":{\"frames\":[");
    err = write_frames(f, a, &b);
    if (err)
        goto out;
    sbuf_adds(&b, "]},\"profiles\":[{\"type\":\"sampled\",\"name\":\"");
    sbuf_add_json(&b, name);
    sbuf_printf(&b, "\",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%" PRIu64 ",\"samples\":[",
                m && m->unit && strcmp(m->unit, "bytes") == 0 ? "bytes" : "none", agg_total(a));
    err = write_stacks(f, a, &b, 0);
    if (err)
        goto out;
    sbuf_adds(&b, "],\"weights\":[");
    err = write_stacks(f, a, &b, 1);
    if (err)
        goto out;
    sbuf_adds(&b, "]}],\"name\":\"");
    sbuf_add_json(&b, name);
    sbuf_adds(&b, "\",\"activeProfileIndex\":0,\"exporter\":\"spyglass\"}\n");
    err = file_put(f, &b);
out:
    sbuf_destroy(&b);
    return file_finish(f, err);
}
