/* Dict lookups and instance attributes in a CPython process's memory: the keys-object layouts
 * of 3.8-3.10 and 3.11+ (general, str-keyed and split tables), instance dicts at tp_dictoffset
 * (3.8-3.10), managed dicts and split values (3.11, 3.12) and inline values (3.13+). Every
 * value read from the target is checked: an implausible one is an error, never an
 * out-of-bounds access or an unbounded loop. Layouts per version: docs/cpython.md §9.
 * SPDX-License-Identifier: MIT */
#ifndef PY_DICT_H
#define PY_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "py_offsets.h"
#include "target.h"

#define PY_DICT_MAX_ENTRIES 512 /* dicts with more entries are not searched */
#define PY_DICT_KEYS_HDR    40  /* bytes of a keys object header (3.8-3.10: 40, 3.11+: 32) */
#define PY_DICT_MAX_NAME    64  /* longest key name that can be looked up, bytes */

/* A dict keys object (PyDictKeysObject), parsed. */
struct py_dict_keys {
    uint64_t entries;    /* remote address of entry 0 */
    uint32_t nentries;   /* entries in use, deleted ones included (dk_nentries) */
    uint32_t entry_size; /* 24: {hash, key, value}; 16: {key, value} (3.11+, str keys) */
    uint32_t key_off;    /* offset of the key in an entry; the value follows it */
    int split;           /* 3.11+: DICT_KEYS_SPLIT (values live in a separate PyDictValues) */
};

/* Parse the first len bytes of the keys object at remote address addr for layout o. Pure.
 * Returns 0 and *out, or -EINVAL when they do not describe a plausible keys object (or
 * o->dict_layout is PY_DICT_NONE). */
int py_dict_keys_parse(const struct py_offsets *o, uint64_t addr, const unsigned char *hdr,
                       size_t len, struct py_dict_keys *out);

/* What lookups learnt, to make the next ones cheaper and stricter. Zero-initialise it and keep
 * it for lookups in the same process. */
struct py_dict_cache {
    char name[PY_DICT_MAX_NAME + 1]; /* the name last found */
    uint64_t key;      /* the str object found equal to it (attribute names are interned: the same
                        * object keys every instance dict) */
    uint64_t str_type; /* that object's ob_type: the target's str type */
};

/* Look up the str key name (ASCII, at most PY_DICT_MAX_NAME bytes) in the dict object at remote
 * address dict. Returns 0 and *value (the remote address of the value: non-NULL, aligned, in
 * the user address range), -ENOENT when the dict
 * has no such key (or more than PY_DICT_MAX_ENTRIES entries), -EINVAL when dict does not look
 * like a dict, -EFAULT when something could not be read, -ESRCH when the process is gone. No
 * allocation. */
int py_dict_get(struct target *t, const struct py_offsets *o, uint64_t dict, const char *name,
                struct py_dict_cache *cache, uint64_t *value);

/* Look up the instance attribute name of the object at remote address obj, where CPython keeps
 * it for instances of Python classes: the __dict__ at tp_dictoffset, the managed dict or split
 * values (3.11, 3.12), the inline values (3.13+). Class attributes, slots and properties are not
 * seen. Returns as py_dict_get, and -ENOTSUP when o->dict_layout is PY_DICT_NONE. */
int py_dict_attr(struct target *t, const struct py_offsets *o, uint64_t obj, const char *name,
                 struct py_dict_cache *cache, uint64_t *value);

#endif
