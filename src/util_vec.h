/* Growable arrays: the one rule by which a table grows (its capacity doubles, from a first
 * size, until the items fit), with the overflow checks, for arrays grown by hand and for
 * parallel arrays that share one capacity. Hash tables from 64-bit keys to dense ids are
 * util_idmap's.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_VEC_H
#define UTIL_VEC_H

#include <stddef.h>
#include <stdint.h>

/* The capacity (items) that holds need items: cap itself when it does, else cap doubled (first
 * when cap is 0) until it does, but never above max (max itself when doubling would pass it).
 * need above max is an overflow: like util_xalloc on out of memory, one line and abort. first
 * is at least 1 and at most max. */
size_t vec_cap(size_t cap, size_t need, size_t first, size_t max);

/* Room for need items of size bytes in the array p of *cap items: p itself when *cap holds
 * them, else p reallocated to vec_cap(*cap, need, first, max) items, *cap set to that; max is
 * the most items of size bytes a size_t counts (vec_grow32: and UINT32_MAX). The items past
 * the old capacity are not initialised. Returns the array (p may have moved); aborts with one
 * line on overflow or out of memory, as util_xalloc does. */
void *vec_grow(void *p, size_t *cap, size_t need, size_t size, size_t first);
void *vec_grow32(void *p, uint32_t *cap, size_t need, size_t size, uint32_t first);

#endif
