/* Collapsed-stack writer: "root;child;leaf weight" lines, the input of flamegraph.pl,
 * speedscope, inferno and most flame graph tools (docs/formats.md §1).
 * SPDX-License-Identifier: MIT */
#include "out_flame.h"

#include <errno.h>
#include <inttypes.h>

#include "util_file.h"
#include "util_sbuf.h"

/* Append the label of frame id. ';' separates frames and '\n' ends the record, so a ';', '\n'
 * or '\r' inside a (hostile) function or file name would corrupt the line: each becomes a
 * space. Other bytes, including spaces and invalid UTF-8, are kept as they are. */
void out_collapsed_label(struct sbuf *b, const struct agg *a, uint32_t id)
{
    size_t start = b->len;
    agg_frame_label(a, id, b);
    for (size_t i = start; i < b->len; i++) {
        if (b->buf[i] == ';' || b->buf[i] == '\n' || b->buf[i] == '\r')
            b->buf[i] = ' ';
    }
}

int out_collapsed_write(FILE *f, const struct agg *a)
{
    struct file_w out;
    struct sbuf *b = &out.b;

    file_w_init(&out, f);
    for (uint32_t i = 0; i < agg_nstacks(a) && !out.err; i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *frames = agg_stack(a, i, &n, &w);
        if (n == 0 || w == 0)
            continue;
        for (uint32_t j = 0; j < n; j++) {
            if (j)
                sbuf_addc(b, ';');
            out_collapsed_label(b, a, frames[j]);
        }
        sbuf_printf(b, " %" PRIu64 "\n", w);
        file_w_spill(&out);
    }
    return file_w_finish(&out);
}
