/* Report files with errors kept: every writer returns the errno of the first failed write (e.g.
 * -ENOSPC on a full disk), never a silently truncated file; whole input files read at once.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_FILE_H
#define UTIL_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "util_sbuf.h"

/* Write the contents of b to f and empty b. Returns 0 or the negative errno of the failed
 * write (-EIO when the C library did not set errno). */
int file_put(FILE *f, struct sbuf *b);

/* Flush f and report any error seen on it. A non-zero err (an earlier failure) is returned as
 * it is. Returns 0 or a negative errno. */
int file_finish(FILE *f, int err);

/* Read the whole file at path into *buf (NUL-terminated; *len bytes without the NUL; caller
 * frees). Returns 0, the negative errno of a failed open or read, or -EFBIG when the file holds
 * max bytes or more. */
int file_read(const char *path, size_t max, char **buf, size_t *len);

/* Open path for writing, created (0666 & umask) when missing but NOT truncated, so that a run
 * that fails before it has anything to write leaves an existing file as it was; *created tells
 * whether this call made the file (only then may a failed run remove it). Returns the stream,
 * or NULL with errno set. */
FILE *file_open_keep(const char *path, int *created);

/* Truncate f to nothing when it is a regular file opened by file_open_keep(), before writing.
 * Returns 0 or a negative errno. */
int file_cut(FILE *f);

#endif
