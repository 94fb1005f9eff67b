/* libFuzzer harness for py_str_layout() and py_str_to_utf8(): a hostile str object must never
 * be read out of bounds, and the output is always valid, NUL-terminated UTF-8 that fits.
 * Input: a layout byte (3.8, 3.12, 3.14t), an output-size byte, then the str object: header
 * and characters.
 * SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "py_offsets.h"
#include "py_str.h"

#define HEADER 2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The str layout of 3.8 (data at 48 / 72), 3.12 (40 / 56) or 3.14t (other state bits). */
static void layout(unsigned which, struct py_offsets *o)
{
    py_offsets_for_version(which == 0 ? 0x030812f0 : 0x030c01f0, o);
    if (which == 2) {
        o->u_length = 32;
        o->u_state = 48;
        o->u_ascii_size = 56;
        o->u_compact_size = 72;
        o->u_kind_shift = 8;
        o->u_compact_bit = 11;
        o->u_ascii_bit = 12;
    }
}

/* Length of the UTF-8 sequence led by c, or 0 when c cannot lead one. */
static unsigned seq_len(unsigned c)
{
    if (c < 0x80)
        return 1;
    if (c < 0xc2)
        return 0;
    if (c < 0xe0)
        return 2;
    if (c < 0xf0)
        return 3;
    return c < 0xf5 ? 4 : 0;
}

/* Check that s[0..n) is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF);
 * return the number of code points, or -1. */
static long utf8_count(const unsigned char *s, size_t n)
{
    long count = 0;

    for (size_t i = 0; i < n; count++) {
        unsigned len = seq_len(s[i]);
        if (!len || i + len > n)
            return -1;
        uint32_t cp = len == 1 ? s[i] : s[i] & (0x3fu >> (len - 1));
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return -1;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return -1;
        i += len;
    }
    return count;
}

static void convert(const uint8_t *chars, unsigned kind, uint32_t length, size_t cap)
{
    char *out = malloc(cap ? cap : 1); /* exact size: ASan sees writes past cap */

    if (!out)
        return;
    out[0] = 'x';
    size_t n = py_str_to_utf8(chars, kind, length, out, cap);
    if (!cap) {
        if (n != 0 || out[0] != 'x') /* nothing written */
            abort();
        free(out);
        return;
    }
    if (n >= cap || out[n] != '\0' || n > 4 * (size_t)length)
        abort();
    long count = utf8_count((const unsigned char *)out, n);
    if (count < 0 || count > (long)length)
        abort();
    /* With room for every character, none is dropped. */
    if (cap > 4 * (size_t)length && count != (long)length)
        abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct py_offsets o;
    uint32_t off = 7, length = 7;
    unsigned kind = 7;

    if (size < HEADER)
        return 0;
    layout(data[0] % 3, &o);
    size_t cap = data[1] == 255 ? 4 * (size_t)PY_STR_MAX_CHARS + 1 : data[1];
    size_t len = size - HEADER;
    uint8_t *obj = malloc(len ? len : 1); /* exact size */
    if (!obj)
        return 0;
    memcpy(obj, data + HEADER, len);
    /* The header as py_str_read() passes it (u_compact_size bytes), or shorter. */
    size_t hdr_len = len < o.u_compact_size ? len : o.u_compact_size;
    int err = py_str_layout(&o, obj, hdr_len, &off, &kind, &length);
    if (err == 0) {
        if ((kind != 1 && kind != 2 && kind != 4) || length > PY_STR_MAX_CHARS ||
            (off != o.u_ascii_size && off != o.u_compact_size) || hdr_len < o.u_compact_size)
            abort();
        /* The characters present in the input (a remote read would fail for the rest). */
        size_t avail = (len - off) / kind;
        convert(obj + off, kind, length < avail ? length : (uint32_t)avail, cap);
    } else if (off != 7 || kind != 7 || length != 7) {
        abort(); /* written only on success */
    }
    /* The converter alone, on the raw bytes as each kind. */
    for (unsigned k = 1; k <= 4; k *= 2)
        convert(obj, k, (uint32_t)(len / k < PY_STR_MAX_CHARS ? len / k : PY_STR_MAX_CHARS), cap);
    free(obj);
    return 0;
}
