/* speedscope JSON writer: one "sampled" profile over the shared frame table, streamed in chunks.
 * Format: https://www.speedscope.app/file-format-schema.json
 * SPDX-License-Identifier: MIT */
#include "out_flame.h"

#include <errno.h>
#include <inttypes.h>

#include "util_sbuf.h"

#define CHUNK 65536 /* bytes buffered before a write */

/* Write b to f and empty it; 0 or the negative errno of the failed write. */
static int put(FILE *f, struct sbuf *b)
{
    errno = 0;
    if (b->len && fwrite(b->buf, 1, b->len, f) != b->len)
        return errno ? -errno : -EIO;
    sbuf_reset(b);
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

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), or 0 if it is invalid. */
static size_t utf8_len(const unsigned char *p)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t c;
    size_t n;

    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xe0) == 0xc0) {
        n = 2;
        c = p[0] & 0x1f;
    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3;
        c = p[0] & 0x0f;
    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4;
        c = p[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        c = c << 6 | (p[i] & 0x3f);
    }
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return n;
}

/* Append str as JSON string contents. JSON must be UTF-8 (RFC 8259), and names read from the
 * target may not be (e.g. lone surrogates): each invalid byte becomes U+FFFD. */
static void add_str(struct sbuf *b, struct sbuf *tmp, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;

    sbuf_reset(tmp);
    while (*p) {
        size_t n = utf8_len(p);
        if (n) {
            sbuf_add(tmp, p, n);
            p += n;
        } else {
            sbuf_adds(tmp, "\xef\xbf\xbd");
            p++;
        }
    }
    sbuf_add_json(b, sbuf_str(tmp));
}

static int write_frames(FILE *f, const struct agg *a, struct sbuf *b, struct sbuf *tmp)
{
    int err = 0;

    for (uint32_t id = 0; id < agg_nframes(a) && !err; id++) {
        const struct agg_frame *fr = agg_frame_get(a, id);
        sbuf_adds(b, id ? ",{\"name\":\"" : "{\"name\":\"");
        add_str(b, tmp, agg_str(a, fr->name));
        sbuf_addc(b, '"');
        if (fr->kind == AGG_FRAME_PY && fr->file != AGG_NONE) {
            sbuf_adds(b, ",\"file\":\"");
            add_str(b, tmp, agg_str(a, fr->file));
            sbuf_addc(b, '"');
            if (fr->line > 0)
                sbuf_printf(b, ",\"line\":%" PRId32, fr->line);
        }
        sbuf_addc(b, '}');
        if (b->len >= CHUNK)
            err = put(f, b);
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
            err = put(f, b);
    }
    return err;
}

int out_speedscope_write(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    const char *name = m && m->title ? m->title : m && m->command ? m->command : "spyglass";
    struct sbuf b, tmp;
    int err;

    sbuf_init(&b);
    sbuf_init(&tmp);
    sbuf_adds(&b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
                  "\"shared\":{\"frames\":[");
    err = write_frames(f, a, &b, &tmp);
    if (err)
        goto out;
    sbuf_adds(&b, "]},\"profiles\":[{\"type\":\"sampled\",\"name\":\"");
    add_str(&b, &tmp, name);
    sbuf_printf(&b, "\",\"unit\":\"none\",\"startValue\":0,\"endValue\":%" PRIu64 ",\"samples\":[",
                agg_total(a));
    err = write_stacks(f, a, &b, 0);
    if (err)
        goto out;
    sbuf_adds(&b, "],\"weights\":[");
    err = write_stacks(f, a, &b, 1);
    if (err)
        goto out;
    sbuf_adds(&b, "]}],\"name\":\"");
    add_str(&b, &tmp, name);
    sbuf_adds(&b, "\",\"activeProfileIndex\":0,\"exporter\":\"spyglass\"}\n");
    err = put(f, &b);
out:
    sbuf_destroy(&b);
    sbuf_destroy(&tmp);
    return finish(f, err);
}
