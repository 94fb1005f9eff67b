/* 64-bit key -> dense id map with linear probing, kept at most half full.
 * SPDX-License-Identifier: MIT */
#include "util_idmap.h"

#include <assert.h>
#include <stdlib.h>

#include "util_xalloc.h"

#define INITIAL_CAP 256

static uint32_t slot_of(uint64_t key, uint32_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (uint32_t)key & (cap - 1);
}

void idmap_init(struct idmap *m)
{
    m->cap = INITIAL_CAP;
    m->n = 0;
    m->keys = xcalloc(m->cap, sizeof(*m->keys));
    m->ids = xcalloc(m->cap, sizeof(*m->ids));
}

void idmap_destroy(struct idmap *m)
{
    free(m->keys);
    free(m->ids);
    m->keys = NULL;
    m->ids = NULL;
    m->cap = m->n = 0;
}

static void grow(struct idmap *m)
{
    assert(m->cap < (1u << 31));
    uint32_t cap = m->cap * 2;
    uint64_t *keys = xcalloc(cap, sizeof(*keys));
    uint32_t *ids = xcalloc(cap, sizeof(*ids));

    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->ids[i])
            continue;
        uint32_t j = slot_of(m->keys[i], cap);
        while (ids[j])
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        ids[j] = m->ids[i];
    }
    free(m->keys);
    free(m->ids);
    m->keys = keys;
    m->ids = ids;
    m->cap = cap;
}

uint32_t idmap_get(struct idmap *m, uint64_t key, int *added)
{
    uint32_t j = slot_of(key, m->cap);
    for (; m->ids[j]; j = (j + 1) & (m->cap - 1)) {
        if (m->keys[j] == key) {
            if (added)
                *added = 0;
            return m->ids[j] - 1;
        }
    }
    m->keys[j] = key;
    m->ids[j] = ++m->n;
    if (added)
        *added = 1;
    uint32_t id = m->n - 1;
    if (m->n * 2 > m->cap)
        grow(m);
    return id;
}
