/* Reader of collapsed stacks ("root;child;leaf count" lines, docs/formats.md §1, which
 * `spyglass record` writes by default) into a profile. The text is untrusted input.
 * SPDX-License-Identifier: MIT */
#ifndef AGG_COLLAPSED_H
#define AGG_COLLAPSED_H

#include <stddef.h>
#include <stdint.h>

#include "agg_stacks.h"

#define AGG_COLLAPSED_MAX_DEPTH 65536 /* frames per stack */

/* Add the stacks of len bytes of text (need not be NUL-terminated) to a. Each line is frames
 * joined by ';', then blanks (spaces or tabs) and a whole count; a '\r' before the '\n' and
 * blank lines are ignored, lines with a count of 0 are skipped. Each frame label becomes a frame
 * as agg_collapsed_frame() says. Returns 0, or -EINVAL with a one-line reason in why (which
 * names the line and never quotes the input): a line without a count, a count that is not a
 * whole number or above INT64_MAX (also in total), an empty frame, a NUL byte, a stack deeper
 * than AGG_COLLAPSED_MAX_DEPTH. On error a may hold the lines before the bad one. */
int agg_collapsed_parse(struct agg *a, const char *text, size_t len, char *why, size_t whylen);

/* The frame id of the label s[0..len) (no NUL inside), split as agg_frame_label() writes it, so
 * that labelling the frame gives s back byte for byte:
 *   "thread NAME (TID)" (TID digits)            a thread frame named by the whole label;
 *   "NAME (FILE:LINE)" or "NAME (FILE)"         a Python frame, split at the first " (" (real
 *                                               qualnames hold no space; file names may); LINE
 *                                               is 1 to INT32_MAX without leading zeros, else it
 *                                               stays part of FILE;
 *   "<...>" without " ("                        a state frame (e.g. "<sleep>");
 *   anything else                               a Python frame with the name only.
 * A '\r' in s counts as a space (the collapsed writer's rule). */
uint32_t agg_collapsed_frame(struct agg *a, const char *s, size_t len);

#endif
