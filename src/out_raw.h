/* Writer of spyglass's raw profile format (docs/raw-format.md): a header, then self-delimiting
 * records (run facts, strings, frames, stacks, samples in time order, source texts, an end
 * mark). `record --format raw` writes it as it samples, flushed about once a second, so a
 * killed run keeps what was written; out_raw_write() writes a whole profile at once.
 * SPDX-License-Identifier: MIT */
#ifndef OUT_RAW_H
#define OUT_RAW_H

#include <stdint.h>
#include <stdio.h>

#include "agg_stacks.h"

#define OUT_RAW_FLUSH_NS 1000000000ULL /* the incremental writer flushes at least this often */

struct out_raw;

/* Start a raw profile of a on f: the header and the facts m knows now (m may be NULL), flushed
 * at once. f stays the caller's (never closed here; give it before any other write to it: its
 * buffer is enlarged). The strings, frames and stacks a holds are written with the first tick,
 * later ones as they appear. Caller frees with out_raw_free(). */
struct out_raw *out_raw_start(FILE *f, const struct agg *a, const struct agg_meta *m);
/* A stack added to a (stack id, weight, kernel thread or 0): kept for the current tick. Does
 * not allocate. */
void out_raw_stack(struct out_raw *w, uint32_t stack, uint64_t weight, uint32_t tid);
/* A sampling instant ended at t_ns since the start of sampling: write the new definitions and
 * the instant's samples; flush f when OUT_RAW_FLUSH_NS passed since the last flush. Does not
 * allocate once the writer has seen the largest tick. */
void out_raw_tick(struct out_raw *w, uint64_t t_ns);
/* End the profile: definitions not written yet, the source texts a holds, the final facts m
 * (may be NULL), the end record; flush. Returns 0 or the negative errno of the first failed
 * write of this writer (e.g. -ENOSPC). */
int out_raw_finish(struct out_raw *w, const struct agg_meta *m);
void out_raw_free(struct out_raw *w);

/* Write a whole profile at once: a's stacks with the samples of m->timeline when there is one,
 * else each stack's total weight (a profile without times, e.g. read from collapsed text).
 * Returns 0 or a negative errno. */
int out_raw_write(FILE *f, const struct agg *a, const struct agg_meta *m);

#endif
