/* Collapsed-stack writer: "root;child;leaf weight" lines, the input of flamegraph.pl,
 * speedscope, inferno and most flame graph tools (https://github.com/brendangregg/FlameGraph).
 * SPDX-License-Identifier: MIT */
#include "out_flame.h"

#include <errno.h>
#include <inttypes.h>

#include "util_sbuf.h"

/* Write b to f; 0 or the negative errno of the failed write. */
static int put(FILE *f, const struct sbuf *b)
{
    errno = 0;
    if (b->len && fwrite(b->buf, 1, b->len, f) != b->len)
        return errno ? -errno : -EIO;
    return 0;
}

/* Flush f and report an error seen on it; err, when set, wins. */
static int finish(FILE *f, int err)
{
    if (err)
        return err;
    errno = 0;
    if (fflush(f) != 0)
        return errno ? -errno : -EIO;
    return ferror(f) ? -EIO : 0;
}

/* Append the label of frame id. ';' separates frames and '\n' ends the record, so a ';', '\n'
 * or '\r' inside a (hostile) function or file name would corrupt the line: each becomes a
 * space. Other bytes, including spaces and invalid UTF-8, are kept as they are. */
static void add_label(struct sbuf *b, const struct agg *a, uint32_t id)
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
    struct sbuf b;
    int err = 0;

    sbuf_init(&b);
    for (uint32_t i = 0; i < agg_nstacks(a) && !err; i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *frames = agg_stack(a, i, &n, &w);
        if (n == 0 || w == 0)
            continue;
        sbuf_reset(&b);
        for (uint32_t j = 0; j < n; j++) {
            if (j)
                sbuf_addc(&b, ';');
            add_label(&b, a, frames[j]);
        }
        sbuf_printf(&b, " %" PRIu64 "\n", w);
        err = put(f, &b);
    }
    sbuf_destroy(&b);
    return finish(f, err);
}
