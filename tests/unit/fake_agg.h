/* Profiles for unit tests of the writers: frames interned in one call.
 * SPDX-License-Identifier: MIT */
#ifndef FAKE_AGG_H
#define FAKE_AGG_H

#include <stdint.h>

#include "agg_stacks.h"

/* The id of the frame (name, file or NULL for none, line, kind), interned into a. */
uint32_t fake_frame(struct agg *a, const char *name, const char *file, int32_t line,
                    enum agg_frame_kind kind);

#endif
