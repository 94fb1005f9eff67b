/* Error-checked writes of report files.
 * SPDX-License-Identifier: MIT */
#include "util_file.h"

#include <errno.h>

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
