/* Children started as bench and timeit start them, with posix_spawnp: in a process group of
 * their own (a timeout or Ctrl-C kills the whole tree with one kill(-pid)), no signal blocked,
 * every signal at its default, chosen descriptors moved onto 0, 1, 2...; and posix_spawn's
 * errors in the few kinds the callers report. See docs/linux.md §9.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_SPAWN_H
#define UTIL_SPAWN_H

#include <spawn.h>
#include <sys/types.h>

/* The attributes and file actions of a spawn, set up once and reusable (embedded object). */
struct util_spawn {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    int attr_ok, fa_ok; /* initialised: util_spawn_destroy() releases them */
};

/* Set s up: own process group, empty signal mask, default dispositions, and for each
 * i < nfds with fds[i] >= 0, fds[i] duplicated onto descriptor i in the child (-1 leaves
 * descriptor i as inherited). Every fds[i] must be nfds or above, so that no move overwrites a
 * later source; descriptors not moved should be close-on-exec. Returns 0 or a negative errno;
 * s must be zeroed before, and released with util_spawn_destroy() in both cases. */
int util_spawn_init(struct util_spawn *s, const int *fds, int nfds);

/* Start file (searched in PATH when it has no '/') with argv (NULL-terminated) and the current
 * environment. Returns 0 and *pid; -ENOENT when it is not found; -EACCES when it may not be run
 * (no permission, a directory); -ENOEXEC when it is not a program this machine can run (unknown
 * format, bad interpreter library); or another negative errno. */
int util_spawn_run(const struct util_spawn *s, const char *file, char *const argv[], pid_t *pid);

/* Release what util_spawn_init() set up (also after it failed, or on a zeroed s). */
void util_spawn_destroy(struct util_spawn *s);

#endif
