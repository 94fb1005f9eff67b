/* Protocol Buffers wire-format encoder (docs/formats.md §4).
 * SPDX-License-Identifier: MIT */
#include "util_pb.h"

#include <assert.h>

size_t pb_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

void pb_varint(struct sbuf *b, uint64_t v)
{
    char tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (char)(0x80 | (v & 0x7f));
        v >>= 7;
    }
    tmp[n++] = (char)v;
    sbuf_add(b, tmp, n);
}

void pb_tag(struct sbuf *b, uint32_t field, enum pb_wire wire)
{
    assert(field >= 1 && field < (1u << 29));
    pb_varint(b, (uint64_t)field << 3 | (uint64_t)wire);
}

void pb_uint(struct sbuf *b, uint32_t field, uint64_t v)
{
    pb_tag(b, field, PB_VARINT);
    pb_varint(b, v);
}

void pb_int(struct sbuf *b, uint32_t field, int64_t v)
{
    pb_uint(b, field, (uint64_t)v);
}

void pb_bytes(struct sbuf *b, uint32_t field, const void *p, size_t n)
{
    pb_tag(b, field, PB_LEN);
    pb_varint(b, n);
    sbuf_add(b, p, n);
}

void pb_packed(struct sbuf *b, uint32_t field, const uint64_t *v, size_t n)
{
    size_t len = 0;
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        len += pb_varint_len(v[i]);
    pb_tag(b, field, PB_LEN);
    pb_varint(b, len);
    for (size_t i = 0; i < n; i++)
        pb_varint(b, v[i]);
}
