/* Growable arrays: capacities doubled with overflow checks.
 * SPDX-License-Identifier: MIT */
#include "util_vec.h"

#include <assert.h>

#include "util_xalloc.h"

size_t vec_cap(size_t cap, size_t need, size_t first, size_t max)
{
    assert(first >= 1 && first <= max);
    if (need <= cap)
        return cap;
    if (need > max)
        xalloc_fail(SIZE_MAX);
    if (cap == 0)
        cap = first;
    while (cap < need)
        cap = cap > max / 2 ? max : cap * 2;
    return cap;
}

void *vec_grow(void *p, size_t *cap, size_t need, size_t size, size_t first)
{
    size_t max = SIZE_MAX / (size ? size : 1);

    if (need <= *cap)
        return p;
    *cap = vec_cap(*cap, need, first, max);
    return xreallocarray(p, *cap, size);
}

void *vec_grow32(void *p, uint32_t *cap, size_t need, size_t size, uint32_t first)
{
    size_t max = SIZE_MAX / (size ? size : 1), c;

    if (need <= *cap)
        return p;
    c = vec_cap(*cap, need, first, max < UINT32_MAX ? max : UINT32_MAX);
    p = xreallocarray(p, c, size);
    *cap = (uint32_t)c;
    return p;
}
