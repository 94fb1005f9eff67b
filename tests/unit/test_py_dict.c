/* Unit tests for py_dict: keys objects, dicts and class instances built by fake_py with the
 * layouts of 3.8, 3.9, 3.10 (dk_size, dicts at tp_dictoffset), 3.11 (values and dict pointers
 * before the object), 3.12 (tagged values) and 3.13 (inline values; offsets from the real
 * 3.13.0 _Py_DebugOffsets), served by a snapshot target; corrupt and hostile images.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_py.h"
#include "py_dict.h"
#include "py_offsets.h"
#include "py_str.h"
#include "suites.h"
#include "target.h"
#include "test.h"

#define BASE     0x20000000ULL
#define UNMAPPED 0x7f0000000000ULL

/* The offsets of every layout: 3.8-3.12 tables, 3.13, 3.14 and 3.15 from the real debug
 * offsets. Returns how many were filled. */
static size_t all_layouts(struct py_offsets *o, size_t cap)
{
    static const unsigned versions[] = {0x030812f0, 0x030912f0, 0x030a0df0, 0x030b07f0, 0x030c01f0};
    static const char *const debug[] = {"fixtures/debug_offsets_3.13.0.bin",
                                        "fixtures/debug_offsets_3.14.10.bin",
                                        "fixtures/debug_offsets_3.15.2.bin"};
    size_t n = 0, len;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]) && n < cap; i++)
        if (py_offsets_for_version(versions[i], &o[n]) == 0)
            n++;
    for (size_t i = 0; i < sizeof(debug) / sizeof(debug[0]); i++) {
        char *b = test_read_fixture(debug[i], &len);
        if (b && n < cap && py_offsets_from_debug(b, len, &o[n]) == 0)
            n++;
        free(b);
    }
    TEST_EQ_INT(n, 8);
    return n;
}

static struct target *snap(const struct fake *f)
{
    struct target *t = target_snapshot_new();
    fake_snapshot(f, t);
    return t;
}

/* The str at addr, read back (into a static buffer), or "(error N)". */
static const char *str_at(struct target *t, const struct py_offsets *o, uint64_t addr)
{
    static char buf[256];
    int err = py_str_read_buf(t, o, addr, 0, buf, sizeof(buf));
    if (err)
        snprintf(buf, sizeof(buf), "(error %d)", err);
    return buf;
}

/* a. Keys headers: what fake_py builds parses back; corrupt ones are refused. */
static void test_keys_parse(void)
{
    struct py_offsets os[10];
    size_t n = all_layouts(os, 10);

    for (size_t v = 0; v < n; v++) {
        const struct py_offsets *o = &os[v];
        struct fake f;
        struct py_dict_keys k;
        uint64_t keys[20], vals[20];
        fake_init(&f, o, BASE, 1 << 16);
        for (int i = 0; i < 20; i++) {
            keys[i] = fake_str(&f, "k");
            vals[i] = keys[i];
        }
        uint64_t a = fake_keys(&f, FAKE_KEYS_UNICODE, keys, vals, 20);
        unsigned char *h = fake_at(&f, a);
        TEST_EQ_INT(py_dict_keys_parse(o, a, h, PY_DICT_KEYS_HDR, &k), 0);
        TEST_EQ_INT(k.nentries, 20);
        if (o->dict_layout == PY_DICT_38) {
            /* 32 slots of 1-byte indices after the 40-byte header */
            TEST_CHECK(k.entries == a + 40 + 32);
            TEST_EQ_INT(k.entry_size, 24);
            TEST_EQ_INT(k.key_off, 8);
        } else {
            TEST_CHECK(k.entries == a + 32 + 32);
            TEST_EQ_INT(k.entry_size, 16);
            TEST_EQ_INT(k.key_off, 0);
            TEST_EQ_INT(k.split, 0);
        }
        TEST_EQ_INT(py_dict_keys_parse(o, a, h, PY_DICT_KEYS_HDR - 1, &k), -EINVAL);
        TEST_EQ_INT(py_dict_keys_parse(o, a + 4, h, PY_DICT_KEYS_HDR, &k), -EINVAL);
        unsigned char bad[PY_DICT_KEYS_HDR];
        if (o->dict_layout == PY_DICT_38) {
            static const int64_t sizes[] = {0, 4, 12, 1LL << 25, -8};
            for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                memcpy(bad, h, sizeof(bad));
                memcpy(bad + 8, &sizes[i], 8);
                TEST_EQ_INT(py_dict_keys_parse(o, a, bad, sizeof(bad), &k), -EINVAL);
            }
            memcpy(bad, h, sizeof(bad));
            int64_t many = 22; /* more than 2/3 of 32 slots */
            memcpy(bad + 32, &many, 8);
            TEST_EQ_INT(py_dict_keys_parse(o, a, bad, sizeof(bad), &k), -EINVAL);
        } else {
            static const unsigned char l2[][3] = {{2, 2, 1}, {25, 25, 1}, {5, 4, 1},
                                                  {5, 9, 1}, {5, 5, 3},   {0, 0, 0}};
            for (size_t i = 0; i < sizeof(l2) / sizeof(l2[0]); i++) {
                memcpy(bad, h, sizeof(bad));
                memcpy(bad + 8, l2[i], 3);
                TEST_EQ_INT(py_dict_keys_parse(o, a, bad, sizeof(bad), &k), -EINVAL);
            }
            memcpy(bad, h, sizeof(bad));
            int64_t many = 22, neg = -1;
            memcpy(bad + 24, &many, 8);
            TEST_EQ_INT(py_dict_keys_parse(o, a, bad, sizeof(bad), &k), -EINVAL);
            memcpy(bad, h, sizeof(bad));
            memcpy(bad + 16, &neg, 8);
            TEST_EQ_INT(py_dict_keys_parse(o, a, bad, sizeof(bad), &k), -EINVAL);
            /* The kinds: general entries are {hash, key, value}. */
            uint64_t g = fake_keys(&f, FAKE_KEYS_GENERAL, keys, vals, 3);
            TEST_EQ_INT(py_dict_keys_parse(o, g, fake_at(&f, g), PY_DICT_KEYS_HDR, &k), 0);
            TEST_CHECK(k.entry_size == 24 && k.key_off == 8 && !k.split && k.nentries == 3);
            uint64_t sp = fake_keys(&f, FAKE_KEYS_SPLIT, keys, NULL, 3);
            TEST_EQ_INT(py_dict_keys_parse(o, sp, fake_at(&f, sp), PY_DICT_KEYS_HDR, &k), 0);
            TEST_CHECK(k.entry_size == 16 && k.key_off == 0 && k.split);
        }
        struct py_offsets none = *o;
        none.dict_layout = PY_DICT_NONE;
        TEST_EQ_INT(py_dict_keys_parse(&none, a, h, PY_DICT_KEYS_HDR, &k), -EINVAL);
        fake_free(&f);
    }
}

/* b. Lookups in combined and split dicts, with deleted entries and non-str keys; the cache
 * makes the second lookup cheaper and rejects a key of another type. */
static void check_get(const struct py_offsets *o)
{
    struct fake f;
    uint64_t v = 0;

    fake_init(&f, o, BASE, 1 << 16);
    uint64_t name = fake_str(&f, "_name"), other = fake_str(&f, "_target");
    uint64_t prefix = fake_str(&f, "_nam"), longer = fake_str(&f, "_namex");
    uint64_t wide = fake_str(&f, "_n\xc3\xa4me"), val = fake_str(&f, "worker-1");
    uint64_t notstr = fake_dict(&f, 0, 0), val2 = fake_str(&f, "x");
    uint64_t keys[] = {other, 0, prefix, longer, wide, notstr, name};
    uint64_t vals[] = {val2, val2, val2, val2, val2, val2, val};
    uint64_t d = fake_dict(&f, fake_keys(&f, FAKE_KEYS_GENERAL, keys, vals, 7), 0);
    /* A split dict: shared keys, values apart. */
    uint64_t sd =
        fake_dict(&f, fake_keys(&f, FAKE_KEYS_SPLIT, keys, NULL, 7), fake_values(&f, vals, 7));
    /* The same name in another str object of another type. */
    uint64_t impostor = fake_str(&f, "_name");
    fake_put(&f, impostor + o->ob_type, f.str_type + 64);
    uint64_t ikeys[] = {impostor};
    uint64_t id = fake_dict(&f, fake_keys(&f, FAKE_KEYS_UNICODE, ikeys, vals, 1), 0);
    struct target *t = snap(&f);
    struct py_dict_cache cache = {"", 0, 0};

    unsigned long n0 = t->nreads;
    TEST_EQ_INT(py_dict_get(t, o, d, "_name", &cache, &v), 0);
    TEST_CHECK(v == val);
    TEST_EQ_STR(str_at(t, o, v), "worker-1");
    TEST_CHECK(cache.key == name && cache.str_type == f.str_type);
    unsigned long n1 = t->nreads;
    v = 0;
    TEST_EQ_INT(py_dict_get(t, o, d, "_name", &cache, &v), 0);
    TEST_CHECK(v == val);
    TEST_EQ_INT(t->nreads - n1, 3); /* dict, keys, entries: no key text read again */
    TEST_CHECK(n1 - n0 > 3);
    v = 0;
    TEST_EQ_INT(py_dict_get(t, o, sd, "_name", &cache, &v), 0);
    TEST_CHECK(v == val);
    TEST_EQ_INT(py_dict_get(t, o, d, "_target", &cache, &v), 0); /* another name */
    TEST_CHECK(v == val2 && cache.key == other);
    TEST_EQ_INT(py_dict_get(t, o, d, "_name", &cache, &v), 0);
    TEST_CHECK(v == val && cache.key == name);
    TEST_EQ_INT(py_dict_get(t, o, d, "missing", &cache, &v), -ENOENT);
    TEST_EQ_INT(py_dict_get(t, o, d, "_na", &cache, &v), -ENOENT);
    TEST_EQ_INT(py_dict_get(t, o, id, "_name", &cache, &v), -ENOENT); /* not a str */
    struct py_dict_cache fresh = {"", 0, 0};
    TEST_EQ_INT(py_dict_get(t, o, id, "_name", &fresh, &v), 0); /* no type known yet */
    /* Not dicts. */
    TEST_EQ_INT(py_dict_get(t, o, d + 4, "_name", &cache, &v), -EINVAL);
    TEST_EQ_INT(py_dict_get(t, o, UNMAPPED, "_name", &cache, &v), -EFAULT);
    TEST_EQ_INT(py_dict_get(t, o, 0, "_name", &cache, &v), -EINVAL);
    TEST_EQ_INT(py_dict_get(t, o, val, "_name", &cache, &v), -EINVAL); /* a str */
    target_free(t);
    fake_free(&f);
}

static void test_get(void)
{
    struct py_offsets os[10];
    size_t n = all_layouts(os, 10);

    for (size_t v = 0; v < n; v++)
        check_get(&os[v]);
}

/* c. Instance attributes, where each version keeps them, fresh and with a materialised dict. */
static void check_attr(const struct py_offsets *o)
{
    static const char *const names[] = {"_target", "_name", "_args", "_daemonic"};
    struct fake f;
    uint64_t v = 0, type;

    fake_init(&f, o, BASE, 1 << 17);
    uint64_t vals[4] = {fake_str(&f, "t"), fake_str(&f, "w\xc3\xb6rker-\xc3\xbc"),
                        fake_str(&f, "a"), 0};
    vals[3] = vals[2];
    uint64_t fresh = fake_instance(&f, names, vals, 4, FAKE_FRESH, &type);
    uint64_t dicted = fake_instance(&f, names, vals, 4, FAKE_DICT, NULL);
    uint64_t fewer = fake_instance(&f, names, vals, 1, FAKE_FRESH, NULL);
    /* 3.13+: inline values whose capacity does not reach the entry. */
    uint64_t small = fake_instance(&f, names, vals, 4, FAKE_FRESH, NULL);
    if (o->dict_layout == PY_DICT_313)
        *fake_at(&f, small + 16) = 1;
    struct target *t = snap(&f);
    struct py_dict_cache cache = {"", 0, 0};

    TEST_EQ_INT(py_dict_attr(t, o, fresh, "_name", &cache, &v), 0);
    TEST_EQ_STR(str_at(t, o, v), "w\xc3\xb6rker-\xc3\xbc");
    v = 0;
    TEST_EQ_INT(py_dict_attr(t, o, dicted, "_name", &cache, &v), 0);
    TEST_CHECK(v == vals[1]);
    TEST_EQ_INT(py_dict_attr(t, o, fresh, "_daemonic", &cache, &v), 0);
    TEST_CHECK(v == vals[2]);
    TEST_EQ_INT(py_dict_attr(t, o, fewer, "_name", &cache, &v), -ENOENT);
    TEST_EQ_INT(py_dict_attr(t, o, fresh, "name", &cache, &v), -ENOENT);
    TEST_EQ_INT(py_dict_attr(t, o, small, "_name", &cache, &v),
                o->dict_layout == PY_DICT_313 ? -ENOENT : 0);
    TEST_EQ_INT(py_dict_attr(t, o, fresh + 4, "_name", &cache, &v), -EINVAL);
    TEST_EQ_INT(py_dict_attr(t, o, UNMAPPED, "_name", &cache, &v), -EFAULT);
    TEST_EQ_INT(py_dict_attr(t, o, vals[0], "_name", &cache, &v), -ENOENT); /* a str */
    struct py_offsets none = *o;
    none.dict_layout = PY_DICT_NONE;
    TEST_EQ_INT(py_dict_attr(t, &none, fresh, "_name", &cache, &v), -ENOTSUP);
    TEST_EQ_INT(py_dict_get(t, &none, fresh, "_name", &cache, &v), -ENOTSUP);
    target_free(t);

    /* The type changed under us: not a heap type (no shared keys), no managed dict and no
     * positive tp_dictoffset, an unmapped type. */
    uint64_t flags = fake_get(&f, type + o->tp_flags);
    fake_put(&f, type + o->tp_flags, flags & ~FAKE_TPFLAGS_HEAPTYPE);
    t = snap(&f);
    /* 3.8-3.10 dicts hold their keys themselves; later versions need the type's. */
    TEST_EQ_INT(py_dict_attr(t, o, fresh, "_name", &cache, &v) == 0, o->dict_layout == PY_DICT_38);
    target_free(t);
    fake_put(&f, type + o->tp_flags, flags & ~FAKE_TPFLAGS_MANAGED_DICT);
    fake_put(&f, type + o->tp_dictoffset, (uint64_t)-8);
    t = snap(&f);
    TEST_EQ_INT(py_dict_attr(t, o, fresh, "_name", &cache, &v), -ENOENT);
    target_free(t);
    fake_put(&f, fresh + o->ob_type, UNMAPPED);
    t = snap(&f);
    TEST_EQ_INT(py_dict_attr(t, o, fresh, "_name", &cache, &v), -EFAULT);
    target_free(t);
    fake_free(&f);
}

static void test_attr(void)
{
    struct py_offsets os[10];
    size_t n = all_layouts(os, 10);

    for (size_t v = 0; v < n; v++)
        check_attr(&os[v]);
}

/* d. Hostile images: a dict too big to search, entries and keys that cannot be read, and
 * lookups at every word of a block of random bytes (ASan sees any bad access). */
static void check_hostile(const struct py_offsets *o)
{
    struct fake f;
    uint64_t v, keys[PY_DICT_MAX_ENTRIES + 1], vals[PY_DICT_MAX_ENTRIES + 1];

    fake_init(&f, o, BASE, 1 << 20);
    uint64_t name = fake_str(&f, "_name");
    for (size_t i = 0; i <= PY_DICT_MAX_ENTRIES; i++)
        keys[i] = vals[i] = name;
    uint64_t big =
        fake_dict(&f, fake_keys(&f, FAKE_KEYS_UNICODE, keys, vals, PY_DICT_MAX_ENTRIES + 1), 0);
    uint64_t ok =
        fake_dict(&f, fake_keys(&f, FAKE_KEYS_UNICODE, keys, vals, PY_DICT_MAX_ENTRIES), 0);
    keys[0] = UNMAPPED;
    keys[1] = BASE + 3;
    uint64_t badkey = fake_dict(&f, fake_keys(&f, FAKE_KEYS_UNICODE, keys, vals, 3), 0);
    uint64_t unmapped_keys = fake_dict(&f, UNMAPPED, 0);
    uint64_t split_no_values = fake_dict(&f, fake_keys(&f, FAKE_KEYS_SPLIT, keys, NULL, 3), 0);
    uint64_t values_unmapped =
        fake_dict(&f, fake_keys(&f, FAKE_KEYS_SPLIT, keys, NULL, 3), UNMAPPED);
    /* Random bytes. */
    uint64_t junk = fake_alloc(&f, 65536), x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < 65536; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Some words point back into the junk (aligned), as pointers in real memory do. */
        uint64_t w = (x & 3) == 0 ? junk + ((x >> 8) % 65536 & ~7ULL) : x;
        fake_put(&f, junk + i, w);
    }
    struct target *t = snap(&f);
    /* The last entries lie past the image: a partial read is an error, not a guess. */
    struct target *cut = target_snapshot_new();
    target_snapshot_add(cut, f.base, f.buf,
                        (size_t)(fake_get(&f, ok + o->dict_keys) - f.base) + 80);
    target_snapshot_add(cut, ok, fake_at(&f, ok), 64);
    struct py_dict_cache cache = {"", 0, 0};

    TEST_EQ_INT(py_dict_get(t, o, big, "_name", &cache, &v), -ENOENT);
    TEST_EQ_INT(py_dict_get(t, o, ok, "_name", &cache, &v), 0);
    TEST_EQ_INT(py_dict_get(cut, o, ok, "_name", &cache, &v), -EFAULT);
    struct py_dict_cache fresh = {"", 0, 0};
    TEST_EQ_INT(py_dict_get(t, o, badkey, "_name", &fresh, &v), 0); /* the third key */
    TEST_EQ_INT(py_dict_get(t, o, unmapped_keys, "_name", &cache, &v), -EFAULT);
    /* Shared keys without values: 3.8-3.10 entries without a value; 3.11+ refuse the kind. */
    TEST_EQ_INT(py_dict_get(t, o, split_no_values, "_name", &cache, &v),
                o->dict_layout == PY_DICT_38 ? -ENOENT : -EINVAL);
    TEST_EQ_INT(py_dict_get(t, o, values_unmapped, "_name", &cache, &v), -EFAULT);
    int found = 0;
    for (uint64_t a = junk; a < junk + 65536; a += 8) {
        struct py_dict_cache c = {"", 0, 0};
        v = 0;
        found += py_dict_attr(t, o, a, "_name", &c, &v) == 0;
        found += py_dict_get(t, o, a, "_name", &c, &v) == 0;
    }
    TEST_EQ_INT(found, 0);
    target_free(cut);
    target_free(t);
    fake_free(&f);
}

static void test_hostile(void)
{
    struct py_offsets os[10];
    size_t n = all_layouts(os, 10);

    for (size_t v = 0; v < n; v++)
        check_hostile(&os[v]);
}

void test_py_dict(void)
{
    test_keys_parse();
    test_get();
    test_attr();
    test_hostile();
}
