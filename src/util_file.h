/* Report files with errors kept: every writer returns the errno of the first failed write (e.g.
 * -ENOSPC on a full disk), never a silently truncated file; whole input files read at once.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_FILE_H
#define UTIL_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "util_sbuf.h"

/* The buffered writer every report writer uses: output is appended to b and written to f in
 * pieces of about FILE_W_SPILL bytes, so that a report of any size needs little memory. The
 * first failed write is kept in err (its negative errno, e.g. -ENOSPC on a full disk, or -EIO
 * when the C library set none); after it nothing more is written and what is appended is
 * dropped at the next spill, so a writer may go on appending and check err when it likes.
 * file_w_init starts one on f (borrowed); file_w_finish ends it. */
struct file_w {
    FILE *f;       /* where the bytes go (borrowed) */
    struct sbuf b; /* bytes not yet written: append to it with the sbuf and escaper calls */
    int err;       /* 0, or the first error (a negative errno) */
};

#define FILE_W_SPILL 65536 /* bytes buffered before they are written out */

void file_w_init(struct file_w *w, FILE *f);
/* Write the buffer out if it holds FILE_W_SPILL bytes or more (after an error: empty it).
 * Returns w->err. */
int file_w_spill(struct file_w *w);
/* Write the whole buffer out now (after an error: empty it). Returns w->err. */
int file_w_flush(struct file_w *w);
/* Write what is left, flush f and check it for errors (ferror), free the buffer. Returns 0 or
 * the first error. */
int file_w_finish(struct file_w *w);
/* Free the buffer without writing it (a writer that gives up); w->err is kept. */
void file_w_destroy(struct file_w *w);

/* Read the whole file at path into *buf (NUL-terminated; *len bytes without the NUL; caller
 * frees). Returns 0, the negative errno of a failed open or read, or -EFBIG when the file holds
 * max bytes or more. */
int file_read(const char *path, size_t max, char **buf, size_t *len);

/* An output file the user named (-o, --export-*, --resources): written to a temporary file
 * beside its target and renamed over it only when whole, so a failed run (a full disk, an
 * error, a kill) never destroys an earlier file. "-" (or NULL) is standard output; a device, a
 * FIFO or a /proc/PID/fd link is written in place. A symlink is followed (each one on the way,
 * by spyglass's own walk) unless it is owned by another user in a sticky world-writable
 * directory and not by that directory's owner, the rule of fs.protected_symlinks, applied here
 * even where the sysctl is off (FILE_ERR_PROTECTED_LINK). A new file gets 0666 & ~umask; a
 * replaced one keeps its permission bits (and owner, when allowed). An existing file that the
 * user may not write is refused, as opening it would be; the target's directory must take new
 * files. */
struct file_out {
    FILE *f;     /* where to write: a temporary file, the target itself, or stdout */
    int dir;     /* the target's directory (an O_PATH descriptor), or -1 */
    char *name;  /* the target's name in dir */
    char *tmp;   /* the temporary file's name in dir; NULL when written in place */
    int replace; /* an existing file is replaced: synced before the rename */
    int created; /* written in place and created by this run (FILE_OUT_STREAM) */
};

#define FILE_OUT_STREAM                                                    \
    1 /* file_out_open: a file written over a long time and read also when \
       * the writer was killed (a raw recording): a new target is created  \
       * and written in place, an existing one is still replaced whole */

/* The error of a symlink not followed (see struct file_out), as a negative value below every
 * errno; file_strerror() says what it is. */
#define FILE_ERR_PROTECTED_LINK 4096

/* What err (a negative errno or -FILE_ERR_PROTECTED_LINK; the sign is ignored) means, in a
 * few words: strerror()'s text for an errno. */
const char *file_strerror(int err);

/* Open path (see struct file_out) for writing into *o; flags 0 or FILE_OUT_STREAM. The target
 * is not changed until file_out_close(): its temporary file (NAME.XXXXXX.part beside it) is
 * created now, so an unwritable place fails before any work is done. Returns 0, or a negative
 * errno (-EISDIR, -EACCES, -ELOOP...) or -FILE_ERR_PROTECTED_LINK with *o closed. */
int file_out_open(struct file_out *o, const char *path, int flags);

/* Whether file_out_open(path, 0) would succeed, without changing anything: the same walk and
 * checks, a temporary file made and removed; a device, FIFO or procfs link is not opened.
 * Returns 0 or the negative error file_out_open() would return. */
int file_out_check(const char *path);

/* Finish *o after its writer returned err: when err is 0, flush (and, for a file replacing an
 * earlier one, fsync: the new name must not point at unwritten data after a crash), close and
 * rename over the target; else (or when any of those fails) remove the temporary file and
 * leave the target as it was (a stream created in place keeps what was written). Standard
 * output is flushed, not closed. Returns 0 or the first error (err itself when non-zero). */
int file_out_close(struct file_out *o, int err);

/* Give up *o: close it, remove the temporary file, or a stream file this run created; the
 * target stays as it was. Does nothing when o->f is NULL (a zeroed *o, or one already closed,
 * aborted or that failed to open). */
void file_out_abort(struct file_out *o);

#endif
