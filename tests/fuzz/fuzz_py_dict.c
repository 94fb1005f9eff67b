/* libFuzzer harness for py_dict: lookups in a hostile memory image never read out of bounds,
 * never loop without end, and a value found is a plausible pointer. Input: a layout byte
 * (3.8-3.10, 3.11, 3.12, 3.13+), two bytes (little endian) giving the object's offset / 8 in
 * the image, then the image, served at a fixed remote address by a snapshot target. The seeds
 * are images of a class instance with a _name attribute, made with tests/unit/fake_py.c.
 * SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "py_dict.h"
#include "py_offsets.h"
#include "target.h"

#define HEADER 3
#define BASE   0x10000000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void layout(unsigned which, struct py_offsets *o)
{
    static const unsigned versions[] = {0x030812f0, 0x030b07f0, 0x030c01f0, 0x030c01f0};
    py_offsets_for_version(versions[which], o);
    if (which == 3) { /* 3.13+: inline values, PyDictValues with a header */
        o->dict_layout = PY_DICT_313;
        o->dict_values_off = 8;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct py_offsets o;
    struct py_dict_keys k;
    uint64_t v = 0;

    if (size < HEADER)
        return 0;
    layout(data[0] % 4, &o);
    size_t len = size - HEADER;
    struct target *t = target_snapshot_new();
    if (len)
        target_snapshot_add(t, BASE, data + HEADER, len);
    uint64_t obj = BASE + 8 * ((uint64_t)data[1] | (uint64_t)data[2] << 8);
    struct py_dict_cache cache;
    memset(&cache, 0, sizeof(cache));
    if (py_dict_attr(t, &o, obj, "_name", &cache, &v) == 0 && (v < 4096 || (v & 7)))
        abort();
    v = 0;
    if (py_dict_get(t, &o, obj, "_name", &cache, &v) == 0 && (v < 4096 || (v & 7)))
        abort();
    if (len >= PY_DICT_KEYS_HDR && py_dict_keys_parse(&o, BASE, data + HEADER, len, &k) == 0 &&
        (k.entries <= BASE || k.nentries > (1u << 24) ||
         (k.entry_size != 16 && k.entry_size != 24)))
        abort();
    target_free(t);
    return 0;
}
