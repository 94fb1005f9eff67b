/* gzip stream writer over zlib's deflate (deflateInit2 with windowBits 16+15 for a gzip
 * wrapper: docs/formats.md §6).
 * SPDX-License-Identifier: MIT */
#include "util_gz.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "util_xalloc.h"

void gz_init(struct gz *g, FILE *f)
{
    z_stream *z = xcalloc(1, sizeof(*z));
    g->z = z;
    sbuf_init(&g->in);
    file_w_init(&g->out, f);
    int rc =
        deflateInit2(z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
        g->out.err = rc == Z_MEM_ERROR ? -ENOMEM : -EIO;
        free(z);
        g->z = NULL;
    }
}

void gz_destroy(struct gz *g)
{
    if (g->z) {
        deflateEnd(g->z);
        free(g->z);
        g->z = NULL;
    }
    sbuf_destroy(&g->in);
    file_w_destroy(&g->out);
}

/* Run deflate over n bytes at p with flush (Z_NO_FLUSH or Z_FINISH) until it has taken all the
 * input (and, for Z_FINISH, written the trailer), the output spilled as it grows. */
static int deflate_all(struct gz *g, const char *p, size_t n, int flush)
{
    struct sbuf *o = &g->out.b;
    z_stream *z = g->z;
    int rc;

    z->next_in = (Bytef *)(uintptr_t)p;
    z->avail_in = (uInt)n;
    do {
        sbuf_reserve(o, FILE_W_SPILL);
        z->next_out = (Bytef *)o->buf + o->len;
        z->avail_out = FILE_W_SPILL;
        rc = deflate(z, flush);
        if (rc == Z_STREAM_ERROR)
            return -EIO;
        o->len += FILE_W_SPILL - z->avail_out;
        o->buf[o->len] = '\0'; /* keep the sbuf's invariant */
        if (file_w_spill(&g->out))
            return g->out.err;
    } while (z->avail_in > 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return 0;
}

/* Compress all of b and empty b. */
static int deflate_buf(struct gz *g, struct sbuf *b)
{
    const char *p = b->buf;
    size_t left = b->len;

    while (!g->out.err && left > 0) {
        size_t n = left > (1u << 30) ? (1u << 30) : left; /* avail_in is a 32-bit uInt */
        int err = deflate_all(g, p, n, Z_NO_FLUSH);
        if (err)
            g->out.err = err;
        p += n;
        left -= n;
    }
    sbuf_reset(b);
    return g->out.err;
}

int gz_spill(struct gz *g)
{
    if (g->in.len >= FILE_W_SPILL || g->out.err)
        deflate_buf(g, &g->in);
    return g->out.err;
}

int gz_put(struct gz *g, struct sbuf *b)
{
    if (b != &g->in)
        deflate_buf(g, &g->in);
    return deflate_buf(g, b);
}

int gz_finish(struct gz *g)
{
    int err = deflate_buf(g, &g->in);

    if (!err)
        err = deflate_all(g, NULL, 0, Z_FINISH);
    if (err)
        g->out.err = err;
    return file_w_finish(&g->out);
}
