/* gzip stream (docs/formats.md §6) to a FILE, through zlib's deflate: report files written
 * compressed piece by piece through util_file's buffered writer (its spill size, its error
 * rules).
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_GZ_H
#define UTIL_GZ_H

#include <stdio.h>

#include "util_file.h"
#include "util_sbuf.h"

struct gz {
    void *z;           /* zlib's z_stream (opaque here, so that callers need not include zlib.h) */
    struct sbuf in;    /* bytes not yet compressed: append to it, then call gz_spill */
    struct file_w out; /* the compressed bytes; out.err is the stream's first error (a negative
                        * errno), after which nothing more is compressed or written */
};

/* Embedded object: start a gzip stream to f (deterministic: no name, mtime 0). gz_destroy frees
 * it, finished or not (a stream abandoned after an error leaves a truncated file). */
void gz_init(struct gz *g, FILE *f);
void gz_destroy(struct gz *g);
/* Compress g->in once it holds FILE_W_SPILL bytes or more (after an error: empty it). Returns
 * 0 or the first error of the stream (a failed write, -ENOMEM, -EIO). */
int gz_spill(struct gz *g);
/* Compress the contents of b (g->in first, when b is another buffer) and empty b. Returns 0 or
 * the first error. */
int gz_put(struct gz *g, struct sbuf *b);
/* Compress what is left in g->in, end the stream (trailer with CRC-32 and size), write
 * everything out and flush f (file_w_finish). Returns 0 or the first error. */
int gz_finish(struct gz *g);

#endif
