/* gzip stream (docs/formats.md §6) to a FILE, through zlib's deflate: report files written
 * compressed chunk by chunk, with write errors kept as util_file does.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_GZ_H
#define UTIL_GZ_H

#include <stdio.h>

#include "util_sbuf.h"

struct gz {
    void *z;       /* zlib's z_stream (opaque here, so that callers need not include zlib.h) */
    FILE *f;       /* where the compressed bytes go (borrowed) */
    struct sbuf o; /* compressed bytes not yet written */
    int err;       /* first error, a negative errno; later calls do nothing */
};

/* Embedded object: start a gzip stream to f (deterministic: no name, mtime 0). gz_destroy frees
 * it, finished or not (a stream abandoned after an error leaves a truncated file). */
void gz_init(struct gz *g, FILE *f);
void gz_destroy(struct gz *g);
/* Compress the contents of b and empty b. Returns 0 or a negative errno (the first error of
 * the stream: a failed write, -ENOMEM, -EIO). */
int gz_put(struct gz *g, struct sbuf *b);
/* End the stream (trailer with CRC-32 and size) and write everything out; f is not flushed.
 * Returns 0 or the first error. */
int gz_finish(struct gz *g);

#endif
