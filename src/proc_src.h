/* The source files of a profile, read for the HTML report's source view: the files that the
 * profile's Python frames name, through the target's own view of the file system while it
 * lives (/proc/PID/root for absolute paths, /proc/PID/cwd for relative ones), else as given.
 * A reader with limits: regular files only, opened without blocking, at most file_max bytes per
 * file and total_max in all (hottest files first), none whose stacks weigh less than min_share
 * of the profile (a module sampled once while being imported is not worth its text), no file
 * holding a NUL byte. No printing.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_SRC_H
#define PROC_SRC_H

#include <stddef.h>
#include <stdint.h>

#include "agg_stacks.h"

#define PROC_SRC_FILE_MAX  (1u << 20)  /* bytes per file, default */
#define PROC_SRC_TOTAL_MAX (16u << 20) /* bytes in all, default */
#define PROC_SRC_MIN_SHARE 0.001       /* of the total weight, default */

struct proc_src_limits {
    size_t file_max;  /* a larger file is skipped (0: PROC_SRC_FILE_MAX) */
    size_t total_max; /* files beyond this sum are skipped (0: PROC_SRC_TOTAL_MAX) */
    double min_share; /* files in fewer stacks (by weight) are skipped (0: PROC_SRC_MIN_SHARE;
                         negative: none) */
};

struct proc_src_stats {
    uint32_t files;   /* distinct files named by Python frames (not "<string>" and the like) */
    uint32_t read;    /* texts attached to the profile */
    uint32_t missing; /* could not be opened or read (gone, permission, not a regular file) */
    uint32_t large;   /* over file_max, or over what was left of total_max */
    uint32_t rare;    /* under min_share of the weight */
    uint32_t binary;  /* held a NUL byte */
    size_t bytes;     /* bytes attached */
};

/* The path to open for the file a frame of process pid names: "/proc/PID/root" + path for an
 * absolute path, "/proc/PID/cwd/" + path for a relative one; path as it is when pid <= 0.
 * Writes a NUL-terminated string to out. Returns 0, or -ENAMETOOLONG when size is too small,
 * -EINVAL for an empty path or one that names no file ("<string>", "<frozen ...>"). Pure. */
int proc_src_path(int pid, const char *path, char *out, size_t size);

/* Read the file at path (opened as it is) into *text (NUL-terminated, *len bytes; caller frees)
 * when it is a regular file of at most max bytes without a NUL byte. With owner >= 0 the file
 * must also be readable by that user id through its mode bits (owner or others; a root
 * profiler must not hand out files its target could not read). Returns 0, -EFBIG (too large),
 * -EILSEQ (a NUL byte), -EACCES (owner could not read it), -EINVAL (not a regular file), or
 * the negative errno of open or read. */
int proc_src_read(const char *path, size_t max, long owner, char **text, size_t *len);

/* Attach the text of every file named by a Python frame of a (agg_set_source) that has none
 * yet (a text already there, from a raw profile, is kept and counted), the files
 * with the most weight (stacks through them, each once) first, within lim (may be NULL: the
 * defaults). pid > 0: the target
 * process (its view of the file system while it lives, and only files its user could read
 * when it is another user's); pid <= 0: paths as given, read as ourselves. st (may be NULL)
 * receives the counts. Allocates: not for the sampling loop. */
void proc_src_attach(struct agg *a, int pid, const struct proc_src_limits *lim,
                     struct proc_src_stats *st);

#endif
