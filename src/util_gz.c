/* gzip stream writer over zlib's deflate (deflateInit2 with windowBits 16+15 for a gzip
 * wrapper: docs/formats.md §6).
 * SPDX-License-Identifier: MIT */
#include "util_gz.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "util_file.h"
#include "util_xalloc.h"

#define OUT_CHUNK 65536 /* bytes of compressed output buffered before a write */

void gz_init(struct gz *g, FILE *f)
{
    z_stream *z = xcalloc(1, sizeof(*z));
    g->z = z;
    g->f = f;
    g->err = 0;
    sbuf_init(&g->o);
    int rc =
        deflateInit2(z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
        g->err = rc == Z_MEM_ERROR ? -ENOMEM : -EIO;
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
    sbuf_destroy(&g->o);
}

/* Run deflate over n bytes at p with flush (Z_NO_FLUSH or Z_FINISH) until it has taken all the
 * input (and, for Z_FINISH, written the trailer). */
static int deflate_all(struct gz *g, const char *p, size_t n, int flush)
{
    z_stream *z = g->z;
    int rc;

    z->next_in = (Bytef *)(uintptr_t)p;
    z->avail_in = (uInt)n;
    do {
        sbuf_reserve(&g->o, OUT_CHUNK);
        z->next_out = (Bytef *)g->o.buf + g->o.len;
        z->avail_out = OUT_CHUNK;
        rc = deflate(z, flush);
        if (rc == Z_STREAM_ERROR)
            return -EIO;
        g->o.len += OUT_CHUNK - z->avail_out;
        g->o.buf[g->o.len] = '\0'; /* keep the sbuf's invariant */
        if (g->o.len >= OUT_CHUNK) {
            int err = file_put(g->f, &g->o);
            if (err)
                return err;
        }
    } while (z->avail_in > 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return 0;
}

int gz_put(struct gz *g, struct sbuf *b)
{
    const char *p = b->buf;
    size_t left = b->len;

    while (!g->err && left > 0) {
        size_t n = left > (1u << 30) ? (1u << 30) : left; /* avail_in is a 32-bit uInt */
        g->err = deflate_all(g, p, n, Z_NO_FLUSH);
        p += n;
        left -= n;
    }
    sbuf_reset(b);
    return g->err;
}

int gz_finish(struct gz *g)
{
    if (!g->err)
        g->err = deflate_all(g, NULL, 0, Z_FINISH);
    if (!g->err)
        g->err = file_put(g->f, &g->o);
    return g->err;
}
