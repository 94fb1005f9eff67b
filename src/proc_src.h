/* The source files of a profile, read for the HTML report's source view: the files that the
 * profile's Python frames name. A reader with limits: at most file_max bytes per file and
 * total_max in all (hottest files first), none whose stacks weigh less than min_share of the
 * profile (a module sampled once while being imported is not worth its text), no file holding
 * a NUL byte; and one with care, since the names come from a profile (untrusted) and spyglass
 * may run as root:
 *  - only regular files are read: a name is first opened with O_PATH (which opens no device,
 *    FIFO or socket), checked with fstat, then reopened through /proc/self/fd with
 *    O_RDONLY|O_NONBLOCK|O_NOCTTY and checked to be the same regular file before any read;
 *  - record (pid > 0): through the target's view of the file system while it lives (its root
 *    for absolute names, symlinks resolved inside it; its working directory for relative ones),
 *    and for another user's target only files that user could read by the mode bits;
 *  - report and diff (pid <= 0): by the names as written, symlinks resolved first (realpath)
 *    and the real path opened with O_NOFOLLOW; never under /etc, /proc, /sys, /dev or /root
 *    (proc_src_path_allowed); only files the invoking user can read, not by privilege: when
 *    spyglass has privilege (root, CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, set-id), only files
 *    its real user could read by the mode bits, for root world-readable files in
 *    world-searchable directories; unless --sources names the directories to embed from.
 * No printing.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_SRC_H
#define PROC_SRC_H

#include <stddef.h>
#include <stdint.h>

#include "agg_stacks.h"

#define PROC_SRC_FILE_MAX  (1u << 20)  /* bytes per file, default */
#define PROC_SRC_TOTAL_MAX (16u << 20) /* bytes in all, default */
#define PROC_SRC_MIN_SHARE 0.001       /* of the total weight, default */
#define PROC_SRC_DIRS_MAX  64          /* --sources directories */

struct proc_src_limits {
    size_t file_max;  /* a larger file is skipped (0: PROC_SRC_FILE_MAX) */
    size_t total_max; /* files beyond this sum are skipped (0: PROC_SRC_TOTAL_MAX) */
    double min_share; /* files in fewer stacks (by weight) are skipped (0: PROC_SRC_MIN_SHARE;
                         negative: none) */
    const char *const *dirs; /* pid <= 0: --sources, the only directories to embed from
                              * (absolute, symlinks resolved); NULL: any but the protected */
    size_t ndirs;
    int privileged; /* pid <= 0: 1 reads as if spyglass had privilege whatever it has (tests);
                       0: proc_src_privileged() says */
};

/* Whether report and diff may embed the file at path (absolute, symlinks resolved): 0, or
 * -EPERM when it is under a protected directory (/proc, /sys and /dev always; /etc and /root
 * unless the directory of dirs that holds it is inside them, e.g. --sources /etc/app) or, with
 * ndirs > 0, under none of dirs (absolute, resolved, no trailing '/' but for "/"); -EINVAL for
 * a relative path. Pure. */
int proc_src_path_allowed(const char *path, const char *const *dirs, size_t ndirs);

/* Whether mode's permission bits let user uid read a file (dir 0) or search a directory (dir 1)
 * that owner owns, without privilege: the owner's bits when uid is the owner, else the others'
 * (group bits are not counted: which groups are the user's own is not known for sure). uid < 0:
 * no user, the others' bits only. Returns 1 or 0. Pure. */
int proc_src_mode_allows(unsigned mode, long owner, long uid, int dir);

/* 1 when this process could read files by privilege rather than as its real user: effective
 * user id 0, effective ids other than the real ones, or CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH
 * in its effective set (also when its capabilities cannot be read); else 0. */
int proc_src_privileged(void);

/* record's reader: read the file at path relative to dirfd (an absolute path too when in_root,
 * resolved with dirfd as the root, symlinks included, as the target sees it; else as openat
 * does, without following /proc's magic links) into *text (NUL-terminated, *len bytes; caller
 * frees) when it is a regular file of at most max bytes without a NUL byte. With owner >= 0
 * its mode bits must also let that user id read it (a root profiler must not hand out files
 * its target could not read). Returns 0, -EFBIG (too large), -EILSEQ (a NUL byte), -EACCES
 * (owner could not read it), -EINVAL (not a regular file: never opened for reading), or the
 * negative errno of open or read. */
int proc_src_read_at(int dirfd, const char *path, int in_root, size_t max, long owner, char **text,
                     size_t *len);

/* The rule of report and diff (see the top of this file). */
struct proc_src_user {
    const char *const *dirs; /* --sources (proc_src_limits.dirs), or NULL */
    size_t ndirs;
    int privileged; /* spyglass could read by privilege (proc_src_privileged) */
    long uid;       /* the real user id whose mode bits count then; -1: root, no user */
};

/* report's and diff's reader: read the file that path names (relative to the working
 * directory, symlinks resolved first) under the rule u, as proc_src_read_at reads it. Returns
 * as proc_src_read_at, and -EPERM (a protected directory, outside u->dirs, or moved while
 * opened), -EACCES (u's user could not read it without privilege, or the system refused). */
int proc_src_read_user(const char *path, const struct proc_src_user *u, size_t max, char **text,
                       size_t *len);

/* Attach the text of every file named by a Python frame of a (agg_set_source) that has none
 * yet (a text already there, from a raw profile, is kept and counted), the files with the most
 * weight (stacks through them, each once) first, within lim (may be NULL: the defaults).
 * pid > 0: the target process, read as record does (its view of the file system while it
 * lives, and only files its user could read when it is another user's); pid <= 0: read as
 * report does, under the rule of proc_src_user built from lim and this process. st (may be
 * NULL) receives the counts and the rule, in words. Allocates: not for the sampling loop. */
void proc_src_attach(struct agg *a, int pid, const struct proc_src_limits *lim,
                     struct agg_src_stats *st);

#endif
