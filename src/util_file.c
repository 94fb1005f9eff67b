/* Error-checked writes of report files.
 * SPDX-License-Identifier: MIT */
#include "util_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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
    errno = 0;
    do {
        if (cap - n < 65536) {
            cap = cap ? 2 * cap : 65536;
            b = xrealloc(b, cap + 1);
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
    } while (got > 0 && n < max);
    if (ferror(f))
        err = errno ? -errno : -EIO; /* e.g. -EISDIR for a directory */
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

FILE *file_open_keep(const char *path, int *created)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    FILE *f;

    *created = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    f = fdopen(fd, "w");
    if (!f) {
        int e = errno;

        close(fd);
        if (*created)
            unlink(path);
        errno = e;
    }
    return f;
}

int file_cut(FILE *f)
{
    struct stat sb;

    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && ftruncate(fileno(f), 0) != 0)
        return -errno;
    return 0;
}
