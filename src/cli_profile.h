/* Saved profiles read back for `report` and `diff`: spyglass's raw format (told by its magic)
 * or collapsed text, with one-line messages naming the file; and the source texts their HTML
 * pages embed (--sources, --no-sources).
 * SPDX-License-Identifier: MIT */
#ifndef CLI_PROFILE_H
#define CLI_PROFILE_H

#include "agg_raw.h"
#include "agg_stacks.h"
#include "agg_timeline.h"
#include "proc_src.h"

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

/* The source files an HTML page of report or diff embeds: --sources DIR[,DIR...] (the only
 * directories to read from; may be given again) and --no-sources. Zero it to start. */
struct cli_sources {
    char *dirs[PROC_SRC_DIRS_MAX]; /* absolute, symlinks resolved (caller frees: destroy) */
    size_t ndirs;
    int off;                 /* --no-sources */
    struct agg_src_stats st; /* what became of them (after cli_sources_attach) */
};

/* Add the directories of --sources' argument arg (comma-separated). Returns 0, or -1 after
 * printing one line (a directory that does not exist or is no directory, too many). */
int cli_sources_add(struct cli_sources *s, const char *arg);

/* Attach the source texts to a as s says (none, and those a raw profile held dropped, with
 * --no-sources) and print one note when some were left out by the rules (protected,
 * unreadable without privilege, not a regular file). Returns &s->st for agg_meta.sources. */
const struct agg_src_stats *cli_sources_attach(struct cli_sources *s, struct agg *a);
void cli_sources_destroy(struct cli_sources *s);

#endif
