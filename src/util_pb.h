/* Protocol Buffers wire-format encoder: varints, field tags, length-delimited and packed fields,
 * appended to an sbuf. Nested messages are encoded into a scratch sbuf and added as bytes.
 * Format: docs/formats.md §4.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_PB_H
#define UTIL_PB_H

#include <stddef.h>
#include <stdint.h>

#include "util_sbuf.h"

enum pb_wire {
    PB_VARINT = 0, /* int32, int64, uint64, bool, enum */
    PB_I64 = 1,    /* fixed64, double */
    PB_LEN = 2,    /* string, bytes, messages, packed repeated fields */
    PB_I32 = 5,    /* fixed32, float */
};

/* Bytes that v takes as a varint (1 to 10). */
size_t pb_varint_len(uint64_t v);
/* Append v as a base-128 varint, least significant group first. */
void pb_varint(struct sbuf *b, uint64_t v);
/* Append the tag of field (1 to 2^29-1) with its wire type. */
void pb_tag(struct sbuf *b, uint32_t field, enum pb_wire wire);
/* A varint field: an unsigned value, or an int64 as its two's complement (a negative value takes
 * 10 bytes, as protobuf's int64 does; sint64's zigzag is not used). */
void pb_uint(struct sbuf *b, uint32_t field, uint64_t v);
void pb_int(struct sbuf *b, uint32_t field, int64_t v);
/* A length-delimited field holding n bytes of p (a string, bytes or an encoded message). */
void pb_bytes(struct sbuf *b, uint32_t field, const void *p, size_t n);
/* A packed repeated varint field of n values (nothing when n is 0). */
void pb_packed(struct sbuf *b, uint32_t field, const uint64_t *v, size_t n);

#endif
