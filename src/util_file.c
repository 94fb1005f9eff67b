/* Error-checked writes of report files.
 * SPDX-License-Identifier: MIT */
#include "util_file.h"

#include <errno.h>
#include <stdlib.h>

#include "util_xalloc.h"

int file_put(FILE *f, struct sbuf *b)
{
    errno = 0;
    if (b->len && fwrite(b->buf, 1, b->len, f) != b->len)
        return errno ? -errno : -EIO;
    sbuf_reset(b);
    return 0;
}

int file_finish(FILE *f, int err)
{
    if (err)
        return err;
    errno = 0;
    if (fflush(f) != 0)
        return errno ? -errno : -EIO;
    return ferror(f) ? -EIO : 0;
}

int file_read(const char *path, size_t max, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    size_t n = 0, cap = 0, got;
    int err = 0;

    if (!f)
        return -errno;
    do {
        if (cap - n < 65536) {
            cap = cap ? 2 * cap : 65536;
            b = xrealloc(b, cap + 1);
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
    } while (got > 0 && n < max);
    if (ferror(f))
        err = -EIO;
    else if (n >= max)
        err = -EFBIG;
    fclose(f);
    if (err < 0) {
        free(b);
        return err;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}
