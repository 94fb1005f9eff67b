/* Python marshal encoder, the subset a pstats file needs: dicts, tuples, str, int and float.
 * The bytes are those of CPython's marshal.dumps(obj, 2) (no references, no short forms), which
 * every CPython 3 loads. Format: CPython's Python/marshal.c.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_MARSHAL_H
#define UTIL_MARSHAL_H

#include <stdint.h>

#include "util_sbuf.h"

/* An int: TYPE_INT ('i', 4 bytes little-endian) when it fits in 32 bits, else TYPE_LONG ('l': a
 * signed count of 15-bit digits, then the digits, least significant first). */
void marshal_int(struct sbuf *b, int64_t v);
/* A float as TYPE_BINARY_FLOAT ('g', IEEE 754 double, little-endian). */
void marshal_float(struct sbuf *b, double v);
/* A str as TYPE_UNICODE ('u', 4-byte length, UTF-8). The loader rejects invalid UTF-8, so each
 * byte of an invalid sequence in str becomes U+FFFD. */
void marshal_str(struct sbuf *b, const char *str);
/* A tuple of n items ('(', 4-byte count): the caller appends the n items next. */
void marshal_tuple(struct sbuf *b, uint32_t n);
/* A dict ('{'): the caller appends key, value, key, value... then marshal_dict_end ('0'). */
void marshal_dict_begin(struct sbuf *b);
void marshal_dict_end(struct sbuf *b);

#endif
