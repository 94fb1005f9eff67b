/* Reader of spyglass's raw profile format (docs/raw-format.md, written by out_raw) into a
 * profile, its run facts and its samples in time order. The bytes are untrusted input: a file
 * cut short (a killed recording) keeps every whole record, anything else malformed is refused.
 * SPDX-License-Identifier: MIT */
#ifndef AGG_RAW_H
#define AGG_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "agg_stacks.h"
#include "agg_timeline.h"

/* The format, shared with the writer (docs/raw-format.md). */
#define AGG_RAW_MAGIC      "\x89SPYRAW\n" /* the first 8 bytes */
#define AGG_RAW_MAGIC_LEN  8
#define AGG_RAW_VERSION    1         /* a varint after the magic */
#define AGG_RAW_MAX_RECORD (1 << 26) /* payload bytes of one record at most (64 MiB) */
#define AGG_RAW_MAX_DEPTH  65536     /* frames per stack */

/* The run facts a reader accepts (docs/raw-format.md), so that every figure derived from them
 * (periods, times, normalised weights) is finite and fits its integer: 0 (unknown) or within
 * these bounds; a negative overhead means unknown. */
#define AGG_RAW_RATE_MIN     1e-3 /* Hz (record takes 0.01 to 10^6) */
#define AGG_RAW_RATE_MAX     1e9  /* Hz: a sample per nanosecond */
#define AGG_RAW_DURATION_MIN 1e-9 /* seconds */
#define AGG_RAW_DURATION_MAX 1e10 /* seconds: beyond every time a file holds (2^63 ns) */
#define AGG_RAW_OVERHEAD_MAX 1e6  /* profiler CPU / target CPU */

enum agg_raw_record {
    AGG_RAW_META = 1,      /* run facts, protobuf-style fields (enum agg_raw_meta_field) */
    AGG_RAW_STRING = 2,    /* the bytes of the next string */
    AGG_RAW_FRAME = 3,     /* varints: name, file + 1 (0: none), line, kind */
    AGG_RAW_STACK = 4,     /* varints: frame ids, root first */
    AGG_RAW_SAMPLES = 5,   /* varint ns since the previous SAMPLES, then (stack, weight, tid)... */
    AGG_RAW_TOTALS = 6,    /* (stack, weight)... without times */
    AGG_RAW_SOURCE = 7,    /* varint file string id, then the text */
    AGG_RAW_END = 8,       /* empty: the file is complete */
    AGG_RAW_OPTIONAL = 64, /* types 64 to 127 are skipped by readers that do not know them */
};

enum agg_raw_meta_field {
    AGG_RAW_M_TITLE = 1, /* bytes; fields 1-5 are strings */
    AGG_RAW_M_COMMAND = 2,
    AGG_RAW_M_PYTHON = 3,
    AGG_RAW_M_MODE = 4,
    AGG_RAW_M_UNIT = 5,
    AGG_RAW_M_DURATION = 6, /* fixed64 double, seconds; fields 6-9 are doubles */
    AGG_RAW_M_RATE_REQUESTED = 7,
    AGG_RAW_M_RATE_EFFECTIVE = 8,
    AGG_RAW_M_OVERHEAD = 9,
    AGG_RAW_M_SAMPLES = 10, /* varint; fields 10-13 are varints */
    AGG_RAW_M_INVALID = 11,
    AGG_RAW_M_FINAL = 12,  /* 1: the facts at the end of the run */
    AGG_RAW_M_MISSED = 13, /* varint: ticks skipped (late by a period or more); absent: 0 */
};

#define AGG_RAW_NMETA_STR 5

struct agg_raw_info {
    struct agg_meta meta;         /* the facts of the last META record (its strings are owned here);
                                   * without a final one (a cut file), samples and duration come from
                                   * the samples read. meta.timeline is left NULL */
    int complete;                 /* 1: read up to the END record; 0: the file was cut */
    int final_meta;               /* 1: a final META record was read */
    uint64_t kept;                /* bytes read as whole records, with the header (the file's size
                                   * when complete) */
    uint64_t records;             /* whole records read */
    uint64_t ticks;               /* sampling instants read (SAMPLES records that start one) */
    uint64_t samples;             /* samples read (stacks of the instants) */
    char *str[AGG_RAW_NMETA_STR]; /* storage of the meta strings */
};

/* Whether the len bytes of buf begin as a raw profile does (the magic, or, for len < 8, a
 * beginning of it; 0 for len 0). */
int agg_raw_is(const void *buf, size_t len);

/* Read the raw profile in buf[0..len) into a (empty on entry: ids are given in the file's
 * order, so the profile's stacks come out as the recording's) and, when tl is not NULL, its
 * samples in time order into tl, and the facts into *info (caller destroys it with
 * agg_raw_info_destroy, also after an error). A file that ends inside a record, or without an
 * END record, is read up to its last whole record: info->complete is 0. Returns 0, -ENODATA
 * when the file is cut before any record (only the header, or part of it), or -EINVAL with a
 * one-line reason in why (naming the record and its byte offset, never quoting the input): not
 * the magic, an unknown version or record type, a record larger than AGG_RAW_MAX_RECORD, a
 * malformed varint or field, an id not defined before, a string with a NUL byte, a line above
 * INT32_MAX, a frame kind above 3, a stack deeper than AGG_RAW_MAX_DEPTH, a weight of 0, times
 * or weights adding up past INT64_MAX, a run fact out of its bounds (above; counts above
 * INT64_MAX), data after the END record. Facts a cut file derives from its samples are kept
 * within the same bounds (a rate outside them is unknown: 0). */
int agg_raw_parse(struct agg *a, struct agg_timeline *tl, const void *buf, size_t len,
                  struct agg_raw_info *info, char *why, size_t whylen);
void agg_raw_info_destroy(struct agg_raw_info *info);

#endif
