/* Fake CPython objects for unit tests: str, dict keys, dicts, split values, types and class
 * instances laid out in a local buffer with the offsets of one version (struct py_offsets), at
 * fake remote addresses, to be served by a snapshot target. Layouts: Objects/dict-common.h
 * (3.8-3.10), Include/internal/pycore_dict.h and pycore_object.h (3.11+).
 * SPDX-License-Identifier: MIT */
#ifndef FAKE_PY_H
#define FAKE_PY_H

#include <stddef.h>
#include <stdint.h>

#include "py_offsets.h"
#include "target.h"

#define FAKE_KEYS_GENERAL 0 /* 3.11+ DictKeysKind */
#define FAKE_KEYS_UNICODE 1
#define FAKE_KEYS_SPLIT   2

#define FAKE_TPFLAGS_INLINE_VALUES (1UL << 2)
#define FAKE_TPFLAGS_MANAGED_DICT  (1UL << 4)
#define FAKE_TPFLAGS_HEAPTYPE      (1UL << 9)

struct fake {
    struct py_offsets o;
    unsigned char *buf; /* the image; remote address base + i */
    uint64_t base;
    size_t used, cap;
    uint64_t str_type; /* a type object that str objects point to */
    struct {
        char name[32];
        uint64_t addr;
    } interned[32]; /* attribute names made by fake_instance */
    int ninterned;
};

/* An empty image of cap bytes at remote address base, for offsets o (copied). */
void fake_init(struct fake *f, const struct py_offsets *o, uint64_t base, size_t cap);
void fake_free(struct fake *f);
/* size bytes, 64-byte aligned, zeroed; aborts when the image is full. */
uint64_t fake_alloc(struct fake *f, size_t size);
unsigned char *fake_at(struct fake *f, uint64_t addr);
void fake_put(struct fake *f, uint64_t addr, uint64_t v);
uint64_t fake_get(struct fake *f, uint64_t addr);
/* Add the image to snapshot target t. */
void fake_snapshot(const struct fake *f, struct target *t);

/* A compact str holding utf8 in the narrowest kind, as CPython stores it. */
uint64_t fake_str(struct fake *f, const char *utf8);
/* A keys object with n entries: keys[i] (0: deleted), values[i] in the entries (values NULL: none,
 * as in split tables). kind is FAKE_KEYS_* (3.11+; ignored for 3.8-3.10). */
uint64_t fake_keys(struct fake *f, int kind, const uint64_t *keys, const uint64_t *values,
                   uint32_t n);
/* A dict object with ma_keys keys and ma_values values (0: a combined table). */
uint64_t fake_dict(struct fake *f, uint64_t keys, uint64_t values);
/* A PyDictValues of n values (3.13+: with its {capacity, size, embedded, valid} header). */
uint64_t fake_values(struct fake *f, const uint64_t *values, uint32_t n);
/* A heap type object with these flags, sizes and shared keys. */
uint64_t fake_type(struct fake *f, uint64_t flags, int64_t basicsize, int64_t dictoffset,
                   uint64_t cached_keys);

enum fake_store {
    FAKE_FRESH = 0, /* as a new instance holds its attributes: 3.8-3.10 a dict at tp_dictoffset,
                     * 3.11/3.12 split values, 3.13+ inline values */
    FAKE_DICT = 1,  /* a materialised dict (3.11+: the managed dict pointer; 3.13+ with the inline
                     * values marked invalid) */
};

/* An instance of a new class whose attributes names[i] are values[i]. *type receives the class
 * (may be NULL). */
uint64_t fake_instance(struct fake *f, const char *const *names, const uint64_t *values, uint32_t n,
                       enum fake_store store, uint64_t *type);

#endif
