/* Saved profiles read back for `report` and `diff`: spyglass's raw format (told by its magic)
 * or collapsed text, with one-line messages naming the file.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_PROFILE_H
#define CLI_PROFILE_H

#include "agg_raw.h"
#include "agg_stacks.h"
#include "agg_timeline.h"

#define CLI_PROFILE_MAX (1ULL << 30) /* bytes of a saved profile read at most */

struct cli_profile {
    struct agg *a;            /* the stacks */
    struct agg_timeline *tl;  /* the samples in time order (raw files), else NULL */
    struct agg_raw_info info; /* raw files: the run's facts; info.meta.timeline is tl */
    int raw;                  /* 1: read from a raw file */
};

/* Read the profile at path ("-": standard input) into *p. A raw file cut short is read up to
 * its last whole record, with a warning. Returns 0, or EXIT_ERROR after printing why (cannot
 * read, too large, malformed, a raw file cut before its first record). Caller destroys *p with
 * cli_profile_destroy(), also after an error. */
int cli_profile_load(const char *path, struct cli_profile *p);
void cli_profile_destroy(struct cli_profile *p);

#endif
