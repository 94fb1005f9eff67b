/* Dicts and instance attributes of a remote CPython: keys objects, split values, managed and
 * inline dicts. Layouts from the headers of 3.8.18, 3.9.18, 3.10.13 (Objects/dict-common.h:
 * {dk_refcnt, dk_size, dk_lookup, dk_usable, dk_nentries, dk_indices[]}), 3.11.7, 3.12.1,
 * 3.13.0 and 3.14 (Include/internal/pycore_dict.h: {dk_refcnt, dk_log2_size,
 * dk_log2_index_bytes, dk_kind, dk_version, dk_usable, dk_nentries, dk_indices[]}).
 * SPDX-License-Identifier: MIT */
#include "py_dict.h"

#include <errno.h>
#include <string.h>

#include "py_str.h"

#define TPFLAGS_INLINE_VALUES (1UL << 2) /* 3.13+ */
#define TPFLAGS_MANAGED_DICT  (1UL << 4) /* 3.11+ */
#define TPFLAGS_HEAPTYPE      (1UL << 9)
#define KEYS_SPLIT            2    /* DictKeysKind DICT_KEYS_SPLIT (3.11+) */
#define MAX_LOG2_SIZE         24   /* larger tables are refused (16M slots) */
#define TYPE_MAX              1024 /* bytes of a type object read: up to ht_cached_keys */
#define OFFSET_MAX            4096 /* largest tp_dictoffset / tp_basicsize believed */

static uint64_t u64_at(const unsigned char *b, size_t off)
{
    uint64_t v;
    memcpy(&v, b + off, sizeof(v));
    return v;
}

static int plausible_ptr(uint64_t a)
{
    return a >= 4096 && a < (1ULL << 47) && (a & 7) == 0;
}

/* 3.8-3.10: dk_size (a power of two) and index width 1/2/4/8 by size. */
static int parse_38(uint64_t addr, const unsigned char *hdr, struct py_dict_keys *out)
{
    int64_t size = (int64_t)u64_at(hdr, 8), usable = (int64_t)u64_at(hdr, 24);
    int64_t n = (int64_t)u64_at(hdr, 32);

    if (size < 8 || size > (1LL << MAX_LOG2_SIZE) || (size & (size - 1)) || usable < 0 || n < 0 ||
        n > (size << 1) / 3)
        return -EINVAL;
    uint64_t width = size <= 0xff ? 1 : size <= 0xffff ? 2 : 4;
    out->entries = addr + 40 + (uint64_t)size * width;
    out->nentries = (uint32_t)n;
    out->entry_size = 24;
    out->key_off = 8;
    out->split = 0;
    return 0;
}

/* 3.11+: log2 sizes, a kind, and entries after 1 << dk_log2_index_bytes bytes of indices. */
static int parse_311(uint64_t addr, const unsigned char *hdr, struct py_dict_keys *out)
{
    unsigned log2_size = hdr[8], log2_index_bytes = hdr[9], kind = hdr[10];
    int64_t usable = (int64_t)u64_at(hdr, 16), n = (int64_t)u64_at(hdr, 24);

    if (log2_size < 3 || log2_size > MAX_LOG2_SIZE || log2_index_bytes < log2_size ||
        log2_index_bytes > log2_size + 3 || kind > KEYS_SPLIT || usable < 0 || n < 0 ||
        n > ((1LL << log2_size) << 1) / 3)
        return -EINVAL;
    out->entries = addr + 32 + (1ULL << log2_index_bytes);
    out->nentries = (uint32_t)n;
    out->entry_size = kind ? 16 : 24;
    out->key_off = kind ? 0 : 8;
    out->split = kind == KEYS_SPLIT;
    return 0;
}

int py_dict_keys_parse(const struct py_offsets *o, uint64_t addr, const unsigned char *hdr,
                       size_t len, struct py_dict_keys *out)
{
    if (o->dict_layout == PY_DICT_NONE || !plausible_ptr(addr) || len < PY_DICT_KEYS_HDR)
        return -EINVAL;
    if (o->dict_layout == PY_DICT_38)
        return parse_38(addr, hdr, out);
    return parse_311(addr, hdr, out);
}

/* Is the object at key a compact ASCII str equal to name (len bytes)? Returns 1, 0, or a
 * negative errno when it cannot be read. On a match, learns the str type into cache. */
static int key_equals(struct target *t, const struct py_offsets *o, uint64_t key, const char *name,
                      size_t len, struct py_dict_cache *cache)
{
    unsigned char buf[128 + PY_DICT_MAX_NAME];
    size_t want =
        o->u_ascii_size + len > o->u_compact_size ? o->u_ascii_size + len : o->u_compact_size;
    uint32_t off, length;
    unsigned kind;

    if (!plausible_ptr(key) || want > sizeof(buf))
        return 0;
    long got = target_read_some(t, key, buf, want);
    if (got < 0)
        return (int)got;
    if ((size_t)got < want)
        return 0;
    uint64_t type = u64_at(buf, o->ob_type);
    if ((cache->str_type && type != cache->str_type) ||
        py_str_layout(o, buf, want, &off, &kind, &length) != 0)
        return 0;
    if (kind != 1 || off != o->u_ascii_size || length != len || memcmp(buf + off, name, len))
        return 0;
    cache->str_type = type;
    return 1;
}

/* Find the entry whose key is the str name among the nentries entries of k: by the key object
 * remembered in cache first (no reads of keys), then by comparing the keys' text. Returns 0
 * with the entry's index and its value word (NULL in split tables), -ENOENT, or a read error. */
static int find_key(struct target *t, const struct py_offsets *o, const struct py_dict_keys *k,
                    const char *name, struct py_dict_cache *cache, uint32_t *index, uint64_t *value)
{
    unsigned char ent[PY_DICT_MAX_ENTRIES * 24];
    size_t len = strlen(name);
    int err;

    if (k->nentries > PY_DICT_MAX_ENTRIES || len > PY_DICT_MAX_NAME || !k->nentries)
        return -ENOENT;
    if (strcmp(cache->name, name) != 0)
        cache->key = 0; /* learnt for another name */
    err = target_read(t, k->entries, ent, (size_t)k->nentries * k->entry_size);
    if (err)
        return err;
    for (int pass = cache->key ? 0 : 1; pass < 2; pass++) {
        for (uint32_t i = 0; i < k->nentries; i++) {
            const unsigned char *e = ent + (size_t)i * k->entry_size;
            uint64_t key = u64_at(e, k->key_off);
            if (!key || (pass == 1 && key == cache->key))
                continue;
            if (pass == 0 && key != cache->key)
                continue;
            if (pass == 1 && (err = key_equals(t, o, key, name, len, cache)) <= 0) {
                if (err < 0 && err != -EFAULT)
                    return err;
                continue;
            }
            memcpy(cache->name, name, len + 1);
            cache->key = key;
            *index = i;
            *value = u64_at(e, k->key_off + 8);
            return 0;
        }
    }
    return -ENOENT;
}

/* Read and parse the keys object at keys. */
static int read_keys(struct target *t, const struct py_offsets *o, uint64_t keys,
                     struct py_dict_keys *k)
{
    unsigned char hdr[PY_DICT_KEYS_HDR];

    if (!plausible_ptr(keys))
        return -EINVAL;
    int err = target_read(t, keys, hdr, sizeof(hdr));
    if (err)
        return err;
    return py_dict_keys_parse(o, keys, hdr, sizeof(hdr), k);
}

/* The value of name in a split table: keys shared (with the type, for instances), values in an
 * array at values (capacity entries, 0 = unknown). */
static int split_get(struct target *t, const struct py_offsets *o, uint64_t keys, uint64_t values,
                     uint32_t capacity, const char *name, struct py_dict_cache *cache,
                     uint64_t *value)
{
    struct py_dict_keys k;
    uint32_t i = 0;
    uint64_t unused = 0, v = 0;
    int err = read_keys(t, o, keys, &k);

    if (!err && o->dict_layout != PY_DICT_38 && !k.split)
        err = -EINVAL;
    if (!err && !plausible_ptr(values))
        err = -EINVAL;
    if (!err)
        err = find_key(t, o, &k, name, cache, &i, &unused);
    if (!err && capacity && i >= capacity)
        err = -ENOENT;
    if (!err)
        err = target_read_u64(t, values + 8ULL * i, &v);
    if (!err && !v)
        err = -ENOENT; /* deleted, or not set on this instance */
    if (!err && !plausible_ptr(v))
        err = -EINVAL;
    if (!err)
        *value = v;
    return err;
}

int py_dict_get(struct target *t, const struct py_offsets *o, uint64_t dict, const char *name,
                struct py_dict_cache *cache, uint64_t *value)
{
    unsigned char hdr[256];
    struct py_dict_keys k;
    uint32_t i = 0;
    uint64_t v = 0;
    size_t n = (o->dict_keys > o->dict_values ? o->dict_keys : o->dict_values) + 8;

    if (o->dict_layout == PY_DICT_NONE)
        return -ENOTSUP;
    if (!plausible_ptr(dict) || n > sizeof(hdr))
        return -EINVAL;
    int err = target_read(t, dict, hdr, n);
    if (err)
        return err;
    uint64_t keys = u64_at(hdr, o->dict_keys), values = u64_at(hdr, o->dict_values);
    if (values)
        return split_get(t, o, keys, values + o->dict_values_off, 0, name, cache, value);
    err = read_keys(t, o, keys, &k);
    if (!err && k.split)
        err = -EINVAL; /* shared keys without values: torn, or not a dict */
    if (!err)
        err = find_key(t, o, &k, name, cache, &i, &v);
    if (!err && !v)
        err = -ENOENT;
    if (!err && !plausible_ptr(v))
        err = -EINVAL;
    if (!err)
        *value = v;
    return err;
}

/* The managed dict of obj (3.11+), whose type has flags, basicsize and shared keys cached. */
static int managed_get(struct target *t, const struct py_offsets *o, uint64_t obj, uint64_t flags,
                       int64_t basicsize, uint64_t cached, const char *name,
                       struct py_dict_cache *cache, uint64_t *value)
{
    uint64_t pre[2] = {0, 0}, dict = 0;
    int err;

    if (o->dict_layout == PY_DICT_311) {
        /* ((PyDictValues **)obj)[-4] and ((PyObject **)obj)[-3] */
        err = target_read(t, obj - o->pre_values, pre, sizeof(pre));
        if (err)
            return err;
        if (pre[0])
            return split_get(t, o, cached, pre[0], 0, name, cache, value);
        dict = pre[1];
    } else if (o->dict_layout == PY_DICT_312) {
        /* PyDictOrValues: the dict, or the values pointer minus one (odd) */
        err = target_read_u64(t, obj - o->pre_dict, &dict);
        if (err)
            return err;
        if (dict & 1)
            return split_get(t, o, cached, dict + 1, 0, name, cache, value);
    } else {
        /* 3.13+: PyDictValues {capacity, size, embedded, valid, values[]} after the object */
        unsigned char hdr[8];
        if ((flags & TPFLAGS_INLINE_VALUES) && basicsize >= 16 && basicsize <= OFFSET_MAX &&
            !(basicsize & 7)) {
            uint64_t values = obj + (uint64_t)basicsize;
            err = target_read(t, values, hdr, sizeof(hdr));
            if (err)
                return err;
            if (hdr[3])
                return split_get(t, o, cached, values + o->dict_values_off, hdr[0], name, cache,
                                 value);
        }
        err = target_read_u64(t, obj - o->pre_dict, &dict);
        if (err)
            return err;
    }
    return dict ? py_dict_get(t, o, dict, name, cache, value) : -ENOENT;
}

int py_dict_attr(struct target *t, const struct py_offsets *o, uint64_t obj, const char *name,
                 struct py_dict_cache *cache, uint64_t *value)
{
    unsigned char tp[TYPE_MAX];
    uint64_t type, dict;
    int err;

    if (o->dict_layout == PY_DICT_NONE)
        return -ENOTSUP;
    if (!plausible_ptr(obj) || o->ht_cached_keys + 8 > sizeof(tp) || o->tp_flags + 8 > sizeof(tp))
        return -EINVAL;
    err = target_read_u64(t, obj + o->ob_type, &type);
    if (!err && !plausible_ptr(type))
        err = -EINVAL;
    if (!err)
        err = target_read(t, type, tp, o->ht_cached_keys + 8);
    if (err)
        return err;
    uint64_t flags = u64_at(tp, o->tp_flags);
    int64_t basicsize = (int64_t)u64_at(tp, o->tp_basicsize);
    int64_t dictoffset = (int64_t)u64_at(tp, o->tp_dictoffset);
    /* Only heap types (classes) have the shared keys of their instances' split dicts. */
    uint64_t cached = flags & TPFLAGS_HEAPTYPE ? u64_at(tp, o->ht_cached_keys) : 0;
    if (o->dict_layout != PY_DICT_38 && (flags & TPFLAGS_MANAGED_DICT))
        return managed_get(t, o, obj, flags, basicsize, cached, name, cache, value);
    if (dictoffset <= 0 || dictoffset > OFFSET_MAX || (dictoffset & 7))
        return -ENOENT; /* no __dict__ (or a variable-size object's, not supported) */
    err = target_read_u64(t, obj + (uint64_t)dictoffset, &dict);
    if (err)
        return err;
    return dict ? py_dict_get(t, o, dict, name, cache, value) : -ENOENT;
}
