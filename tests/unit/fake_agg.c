/* Profiles for unit tests of the writers.
 * SPDX-License-Identifier: MIT */
#include "fake_agg.h"

#include <string.h>

uint32_t fake_frame(struct agg *a, const char *name, const char *file, int32_t line,
                    enum agg_frame_kind kind)
{
    struct agg_frame f = {
        .name = agg_intern(a, name, strlen(name)),
        .file = file ? agg_intern(a, file, strlen(file)) : AGG_NONE,
        .line = line,
        .kind = kind,
    };
    return agg_frame_id(a, &f);
}
