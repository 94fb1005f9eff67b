/* Aggregation of sampled stacks: interned strings, interned frames, and distinct stacks with
 * weights. Writers and the summary read profiles only through this interface.
 * SPDX-License-Identifier: MIT */
#ifndef AGG_STACKS_H
#define AGG_STACKS_H

#include <stddef.h>
#include <stdint.h>

#define AGG_NONE UINT32_MAX

enum agg_frame_kind {
    AGG_FRAME_PY = 0,     /* a Python frame: name = qualname, file = path, line */
    AGG_FRAME_THREAD = 1, /* synthetic root "thread NAME (TID)": name only */
    AGG_FRAME_STATE = 2,  /* synthetic leaf (thread state, e.g. "<sleep>"): name only */
    AGG_FRAME_TASK = 3,   /* synthetic "Task NAME" (an asyncio task, record --async), above the
                           * task's coroutine frames: name only */
};

struct agg_frame {
    uint32_t name; /* string id of the qualname (or label for synthetic frames) */
    uint32_t file; /* string id of the file path, or AGG_NONE */
    int32_t line;  /* line number; 0 when unknown */
    uint32_t kind; /* enum agg_frame_kind */
};

/* What became of the source files that a profile's Python frames name, for the source view of
 * the HTML report (proc_src reads them; the page lists what was embedded and what was left out
 * and why). */
struct agg_src_stats {
    uint32_t files;      /* distinct files named by Python frames (not "<string>" and the like) */
    uint32_t read;       /* texts attached to the profile (read, or kept from a raw profile) */
    uint32_t missing;    /* gone, or not read for another reason (an I/O error) */
    uint32_t special;    /* not a regular file (device, FIFO, socket, directory): never read */
    uint32_t denied;     /* under a protected directory (/etc, /proc, /sys, /dev, /root) or
                          * outside the --sources directories */
    uint32_t unreadable; /* its user could not read it: the target's owner (record), the
                          * invoking user without privilege (report, diff) */
    uint32_t large;      /* over the limit per file, or over what was left of the total */
    uint32_t rare;       /* under the share of the weight worth a text */
    uint32_t binary;     /* held a NUL byte */
    size_t bytes;        /* bytes attached */
    int off;             /* --no-sources: none read, none kept */
    char rule[200];      /* which files could be read, one line for people ("" unknown) */
};

/* Facts about the run, shown by writers (any field may be NULL/0 when unknown). */
struct agg_meta {
    const char *title;          /* e.g. "spyglass record: python3 app.py" */
    const char *command;        /* the profiled command line, or "pid 1234" */
    const char *python_version; /* "3.12.1" */
    const char *mode;           /* "wall", "cpu", "gil" */
    double duration;            /* seconds of sampling */
    double rate_requested;      /* Hz */
    double rate_effective;      /* Hz */
    uint64_t samples;           /* sampling ticks taken */
    uint64_t invalid;           /* thread samples discarded as torn/unreadable */
    uint64_t missed;            /* ticks skipped: due a period or more before the sampler could
                                 * take them (it was stopped or starved of CPU) */
    double overhead;            /* profiler CPU / target CPU, as a fraction; <0 unknown */
    const char *unit;           /* what weights count: NULL for samples, else e.g. "bytes" */
    const struct agg_timeline *timeline; /* the samples in time order (agg_timeline.h), or NULL
                                          * when only the totals are known */
    const struct agg_src_stats *sources; /* html: what became of the source files, or NULL */
};

struct agg;
struct agg_timeline;

/* A new, empty profile. Caller frees with agg_free(). */
struct agg *agg_new(void);
void agg_free(struct agg *a);

/* Intern len bytes of s (need not be NUL-terminated); returns its string id. Equal strings get
 * equal ids. */
uint32_t agg_intern(struct agg *a, const char *s, size_t len);
/* The NUL-terminated string of id; valid for the life of a. */
const char *agg_str(const struct agg *a, uint32_t id);
/* The number of strings interned: ids are 0 to agg_nstrs() - 1, in order of first interning. */
uint32_t agg_nstrs(const struct agg *a);

/* Intern a frame; returns its frame id (equal frames get equal ids). */
uint32_t agg_frame_id(struct agg *a, const struct agg_frame *f);
const struct agg_frame *agg_frame_get(const struct agg *a, uint32_t id);
uint32_t agg_nframes(const struct agg *a);

/* Add weight to the stack frames[0..n) (frame ids, ROOT FIRST). n may be 0 (an empty stack).
 * Returns the stack's id (see agg_stack); a weight of 0 makes a stack without adding to it. */
uint32_t agg_add(struct agg *a, const uint32_t *frames, uint32_t n, uint64_t weight);

/* Add weight to the existing stack id (< agg_nstacks()). */
void agg_add_weight(struct agg *a, uint32_t stack, uint64_t weight);

/* Distinct stacks, in order of first appearance: stack i has *n frames (root first), returned
 * pointer valid until the next agg_add() (NULL when *n is 0 and no stack has frames yet), and
 * *weight. */
uint32_t agg_nstacks(const struct agg *a);
const uint32_t *agg_stack(const struct agg *a, uint32_t i, uint32_t *n, uint64_t *weight);
/* Sum of all weights added. */
uint64_t agg_total(const struct agg *a);

/* Source texts of the profiled files (for source views), attached to a file's string id:
 * agg_set_source copies len bytes of text (replacing an earlier text of that file); agg_source
 * returns the NUL-terminated text and its length in *len (may be NULL), or NULL when the file
 * has none. agg_nsources/agg_source_file enumerate the files that have a text, in the order
 * they were set. Not for the sampling loop (allocates). */
void agg_set_source(struct agg *a, uint32_t file, const char *text, size_t len);
const char *agg_source(const struct agg *a, uint32_t file, size_t *len);
uint32_t agg_nsources(const struct agg *a);
uint32_t agg_source_file(const struct agg *a, uint32_t i);
/* Drop every source text of a (report --no-sources). */
void agg_clear_sources(struct agg *a);

/* Format frame id as it appears in collapsed output and flame graphs:
 * "qualname (path:line)" for Python frames, the name alone for synthetic ones.
 * Appends to out. */
struct sbuf;
void agg_frame_label(const struct agg *a, uint32_t id, struct sbuf *out);

#endif
