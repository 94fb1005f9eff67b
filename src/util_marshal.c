/* Python marshal encoder (CPython's Python/marshal.c, format version 2 subset).
 * SPDX-License-Identifier: MIT */
#include "util_marshal.h"

#include <string.h>

#define TYPE_INT          'i'
#define TYPE_LONG         'l'
#define TYPE_BINARY_FLOAT 'g'
#define TYPE_UNICODE      'u'
#define TYPE_TUPLE        '('
#define TYPE_DICT         '{'
#define TYPE_NULL         '0'

static void put_u32(struct sbuf *b, uint32_t v)
{
    char p[4] = {(char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff),
                 (char)(v >> 24 & 0xff)};
    sbuf_add(b, p, 4);
}

void marshal_int(struct sbuf *b, int64_t v)
{
    if (v >= INT32_MIN && v <= INT32_MAX) {
        sbuf_addc(b, TYPE_INT);
        put_u32(b, (uint32_t)(int32_t)v);
        return;
    }
    /* magnitude in 15-bit digits (PyLong_MARSHAL_SHIFT); at most 5 for 64 bits */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint16_t digit[5];
    int32_t n = 0;
    while (mag) {
        digit[n++] = (uint16_t)(mag & 0x7fff);
        mag >>= 15;
    }
    sbuf_addc(b, TYPE_LONG);
    put_u32(b, (uint32_t)(v < 0 ? -n : n));
    for (int32_t i = 0; i < n; i++) {
        char p[2] = {(char)(digit[i] & 0xff), (char)(digit[i] >> 8)};
        sbuf_add(b, p, 2);
    }
}

void marshal_float(struct sbuf *b, double v)
{
    uint64_t u;
    char p[8];
    memcpy(&u, &v, sizeof(u));
    for (int i = 0; i < 8; i++)
        p[i] = (char)(u >> (8 * i) & 0xff);
    sbuf_addc(b, TYPE_BINARY_FLOAT);
    sbuf_add(b, p, 8);
}

void marshal_str(struct sbuf *b, const char *str)
{
    sbuf_addc(b, TYPE_UNICODE);
    size_t at = b->len;
    put_u32(b, 0); /* the length, patched below */
    sbuf_add_utf8(b, str);
    size_t n = b->len - at - 4;
    for (int i = 0; i < 4; i++)
        b->buf[at + (size_t)i] = (char)(n >> (8 * i) & 0xff);
}

void marshal_tuple(struct sbuf *b, uint32_t n)
{
    sbuf_addc(b, TYPE_TUPLE);
    put_u32(b, n);
}

void marshal_dict_begin(struct sbuf *b)
{
    sbuf_addc(b, TYPE_DICT);
}

void marshal_dict_end(struct sbuf *b)
{
    sbuf_addc(b, TYPE_NULL);
}
