/* Fake CPython objects for unit tests (see fake_py.h).
 * SPDX-License-Identifier: MIT */
#include "fake_py.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_xalloc.h"

void fake_init(struct fake *f, const struct py_offsets *o, uint64_t base, size_t cap)
{
    memset(f, 0, sizeof(*f));
    f->o = *o;
    f->base = base;
    f->cap = cap;
    f->buf = xcalloc(1, cap);
    f->str_type = fake_alloc(f, 416);
}

void fake_free(struct fake *f)
{
    free(f->buf);
    f->buf = NULL;
}

uint64_t fake_alloc(struct fake *f, size_t size)
{
    size_t at = (f->used + 63) & ~(size_t)63;

    if (at + size + 64 > f->cap) {
        fprintf(stderr, "fake_py: image full\n");
        abort();
    }
    f->used = at + size;
    return f->base + at;
}

unsigned char *fake_at(struct fake *f, uint64_t addr)
{
    if (addr < f->base || addr - f->base + 8 > f->cap) {
        fprintf(stderr, "fake_py: address 0x%llx outside the image\n", (unsigned long long)addr);
        abort();
    }
    return f->buf + (addr - f->base);
}

void fake_put(struct fake *f, uint64_t addr, uint64_t v)
{
    memcpy(fake_at(f, addr), &v, sizeof(v));
}

uint64_t fake_get(struct fake *f, uint64_t addr)
{
    uint64_t v;

    memcpy(&v, fake_at(f, addr), sizeof(v));
    return v;
}

void fake_snapshot(const struct fake *f, struct target *t)
{
    target_snapshot_add(t, f->base, f->buf, f->used);
}

uint64_t fake_str(struct fake *f, const char *utf8)
{
    const struct py_offsets *o = &f->o;
    const unsigned char *s = (const unsigned char *)utf8;
    uint32_t cp[256], max = 0, n = 0;

    while (*s && n < 256) {
        unsigned len = *s < 0x80 ? 1 : *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;
        uint32_t c = len == 1 ? *s : *s & (0x3fu >> (len - 1));
        for (unsigned i = 1; i < len; i++)
            c = c << 6 | (s[i] & 0x3f);
        cp[n++] = c;
        max = c > max ? c : max;
        s += len;
    }
    unsigned kind = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
    int ascii = max < 0x80;
    uint32_t off = ascii ? o->u_ascii_size : o->u_compact_size;
    uint64_t a = fake_alloc(f, o->u_compact_size + (n + 1) * kind);
    uint32_t state =
        kind << o->u_kind_shift | 1u << o->u_compact_bit | (uint32_t)ascii << o->u_ascii_bit;

    fake_put(f, a, 1);
    fake_put(f, a + o->ob_type, f->str_type);
    fake_put(f, a + o->u_length, n);
    memcpy(fake_at(f, a + o->u_state), &state, sizeof(state));
    for (uint32_t i = 0; i < n; i++)
        memcpy(fake_at(f, a + off + i * kind), &cp[i], kind); /* little endian */
    return a;
}

/* The same str object for the same name (attribute names are interned). */
static uint64_t intern(struct fake *f, const char *name)
{
    const int max = (int)(sizeof(f->interned) / sizeof(f->interned[0]));

    for (int i = 0; i < f->ninterned; i++)
        if (strcmp(f->interned[i].name, name) == 0)
            return f->interned[i].addr;
    uint64_t a = fake_str(f, name);
    if (f->ninterned < max && strlen(name) < sizeof(f->interned[0].name)) {
        snprintf(f->interned[f->ninterned].name, sizeof(f->interned[0].name), "%s", name);
        f->interned[f->ninterned++].addr = a;
    }
    return a;
}

/* 3.8-3.10: {dk_refcnt, dk_size, dk_lookup, dk_usable, dk_nentries, dk_indices[]}; entries of
 * {hash, key, value}. A deleted entry holds the dummy key and no value. */
static uint64_t keys_38(struct fake *f, const uint64_t *keys, const uint64_t *values, uint32_t n)
{
    uint64_t size = 8;
    while (n > (size << 1) / 3)
        size <<= 1;
    uint64_t width = size <= 0xff ? 1 : 2, dummy = fake_alloc(f, 16);
    uint64_t a = fake_alloc(f, 40 + size * width + 24 * (size_t)n);
    uint64_t entries = a + 40 + size * width;

    fake_put(f, a, 1);
    fake_put(f, a + 8, size);
    fake_put(f, a + 24, (size << 1) / 3 - n);
    fake_put(f, a + 32, n);
    memset(fake_at(f, a + 40), 0xff, size * width); /* DKIX_EMPTY */
    for (uint32_t i = 0; i < n; i++) {
        fake_put(f, entries + 24 * i, keys[i] ? keys[i] * 31 : 0); /* a hash */
        fake_put(f, entries + 24 * i + 8, keys[i] ? keys[i] : dummy);
        fake_put(f, entries + 24 * i + 16, values && keys[i] ? values[i] : 0);
    }
    return a;
}

/* 3.11+: {dk_refcnt, dk_log2_size, dk_log2_index_bytes, dk_kind, dk_version, dk_usable,
 * dk_nentries, dk_indices[]}; entries of {hash, key, value} (general) or {key, value}. */
static uint64_t keys_311(struct fake *f, int kind, const uint64_t *keys, const uint64_t *values,
                         uint32_t n)
{
    unsigned log2 = 3;
    while (n > ((1u << log2) << 1) / 3)
        log2++;
    unsigned log2_bytes = log2 < 8 ? log2 : log2 + 1;
    uint32_t esize = kind == FAKE_KEYS_GENERAL ? 24 : 16, k = esize == 24 ? 8 : 0;
    uint64_t a = fake_alloc(f, 32 + (1u << log2_bytes) + esize * (size_t)n);
    uint64_t entries = a + 32 + (1u << log2_bytes);

    fake_put(f, a, 1);
    *fake_at(f, a + 8) = (unsigned char)log2;
    *fake_at(f, a + 9) = (unsigned char)log2_bytes;
    *fake_at(f, a + 10) = (unsigned char)kind;
    fake_put(f, a + 16, ((1u << log2) << 1) / 3 - n);
    fake_put(f, a + 24, n);
    memset(fake_at(f, a + 32), 0xff, 1u << log2_bytes);
    for (uint32_t i = 0; i < n; i++) {
        if (esize == 24)
            fake_put(f, entries + 24 * i, keys[i] * 31);
        fake_put(f, entries + esize * i + k, keys[i]);
        fake_put(f, entries + esize * i + k + 8, values && keys[i] ? values[i] : 0);
    }
    return a;
}

uint64_t fake_keys(struct fake *f, int kind, const uint64_t *keys, const uint64_t *values,
                   uint32_t n)
{
    if (f->o.dict_layout == PY_DICT_38)
        return keys_38(f, keys, values, n);
    return keys_311(f, kind, keys, values, n);
}

uint64_t fake_dict(struct fake *f, uint64_t keys, uint64_t values)
{
    uint64_t a = fake_alloc(f, 64);

    fake_put(f, a, 1);
    fake_put(f, a + 8, f->str_type + 8); /* some type */
    fake_put(f, a + f->o.dict_keys, keys);
    fake_put(f, a + f->o.dict_values, values);
    return a;
}

uint64_t fake_values(struct fake *f, const uint64_t *values, uint32_t n)
{
    uint32_t hdr = f->o.dict_values_off;
    uint64_t a = fake_alloc(f, hdr + 8 * (size_t)n + 8);

    if (hdr) { /* capacity, size, embedded, valid */
        *fake_at(f, a) = (unsigned char)n;
        *fake_at(f, a + 1) = (unsigned char)n;
        *fake_at(f, a + 3) = 1;
    }
    for (uint32_t i = 0; i < n; i++)
        fake_put(f, a + hdr + 8 * i, values[i]);
    return a;
}

uint64_t fake_type(struct fake *f, uint64_t flags, int64_t basicsize, int64_t dictoffset,
                   uint64_t cached_keys)
{
    const struct py_offsets *o = &f->o;
    uint64_t a = fake_alloc(f, 1024);

    fake_put(f, a, 1);
    fake_put(f, a + o->tp_basicsize, (uint64_t)basicsize);
    fake_put(f, a + o->tp_flags, flags);
    fake_put(f, a + o->tp_dictoffset, (uint64_t)dictoffset);
    fake_put(f, a + o->ht_cached_keys, cached_keys);
    return a;
}

/* The object: PyObject header at obj, preceded by pre bytes (GC header and managed pointers). */
static uint64_t new_object(struct fake *f, uint64_t type, size_t pre, size_t size)
{
    uint64_t obj = fake_alloc(f, pre + size) + pre;

    fake_put(f, obj, 1);
    fake_put(f, obj + f->o.ob_type, type);
    return obj;
}

uint64_t fake_instance(struct fake *f, const char *const *names, const uint64_t *values, uint32_t n,
                       enum fake_store store, uint64_t *type)
{
    const struct py_offsets *o = &f->o;
    uint64_t keys[32], tp, obj;

    if (n > 32)
        abort();
    for (uint32_t i = 0; i < n; i++)
        keys[i] = intern(f, names[i]);
    uint64_t shared = fake_keys(f, FAKE_KEYS_SPLIT, keys, NULL, n);
    uint64_t dict = fake_dict(f, fake_keys(f, FAKE_KEYS_UNICODE, keys, values, n), 0);
    if (o->dict_layout == PY_DICT_38) {
        /* A fresh instance's __dict__ shares its keys with the class. */
        tp = fake_type(f, FAKE_TPFLAGS_HEAPTYPE, 32, 16, shared);
        obj = new_object(f, tp, 16, 32);
        if (store == FAKE_FRESH)
            dict = fake_dict(f, shared, fake_values(f, values, n));
        fake_put(f, obj + 16, dict);
    } else if (o->dict_layout == PY_DICT_311 || o->dict_layout == PY_DICT_312) {
        tp = fake_type(f, FAKE_TPFLAGS_HEAPTYPE | FAKE_TPFLAGS_MANAGED_DICT, 16, -1, shared);
        obj = new_object(f, tp, 32, 16);
        uint64_t vals = store == FAKE_FRESH ? fake_values(f, values, n) : 0;
        if (o->dict_layout == PY_DICT_311) {
            fake_put(f, obj - o->pre_values, vals);
            fake_put(f, obj - o->pre_dict, vals ? 0 : dict);
        } else {
            fake_put(f, obj - o->pre_dict, vals ? vals - 1 : dict);
        }
    } else {
        uint64_t flags = FAKE_TPFLAGS_HEAPTYPE | FAKE_TPFLAGS_MANAGED_DICT;
        tp = fake_type(f, flags | FAKE_TPFLAGS_INLINE_VALUES, 16, -1, shared);
        obj = new_object(f, tp, 32, 16 + o->dict_values_off + 8 * (size_t)n);
        unsigned char *hdr = fake_at(f, obj + 16); /* capacity, size, embedded, valid */
        hdr[0] = hdr[1] = (unsigned char)n;
        hdr[2] = 1;
        hdr[3] = store == FAKE_FRESH;
        for (uint32_t i = 0; i < n; i++)
            fake_put(f, obj + 16 + o->dict_values_off + 8 * i, values[i]);
        fake_put(f, obj - o->pre_dict, store == FAKE_FRESH ? 0 : dict);
    }
    if (type)
        *type = tp;
    return obj;
}
