/* CPython str objects to UTF-8.
 * SPDX-License-Identifier: MIT */
#include "py_str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util_xalloc.h"

int py_str_layout(const struct py_offsets *o, const unsigned char *hdr, size_t hdr_len,
                  uint32_t *data_off, unsigned *kind, uint32_t *length)
{
    int64_t len;
    uint32_t state;

    if (hdr_len < o->u_compact_size || (size_t)o->u_length + 8 > hdr_len ||
        (size_t)o->u_state + 4 > hdr_len)
        return -EINVAL;
    memcpy(&len, hdr + o->u_length, sizeof(len));
    memcpy(&state, hdr + o->u_state, sizeof(state));
    unsigned k = (state >> o->u_kind_shift) & 7;
    int compact = (state >> o->u_compact_bit) & 1;
    int ascii = (state >> o->u_ascii_bit) & 1;
    if (len < 0 || !compact || (k != 1 && k != 2 && k != 4) || (ascii && k != 1))
        return -EINVAL;
    *data_off = ascii ? o->u_ascii_size : o->u_compact_size;
    *kind = k;
    *length = len > PY_STR_MAX_CHARS ? PY_STR_MAX_CHARS : (uint32_t)len;
    return 0;
}

static size_t put_utf8(uint32_t c, char *out)
{
    if (c >= 0xd800 && (c <= 0xdfff || c > 0x10ffff))
        c = 0xfffd;
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

size_t py_str_to_utf8(const unsigned char *data, unsigned kind, uint32_t length, char *out,
                      size_t cap)
{
    size_t n = 0;
    char tmp[4];

    if (!cap)
        return 0;
    for (uint32_t i = 0; i < length; i++) {
        uint32_t c;
        if (kind == 1) {
            c = data[i];
        } else if (kind == 2) {
            uint16_t v;
            memcpy(&v, data + 2 * (size_t)i, 2);
            c = v;
        } else {
            memcpy(&c, data + 4 * (size_t)i, 4);
        }
        size_t k = put_utf8(c, tmp);
        if (n + k + 1 > cap)
            break;
        memcpy(out + n, tmp, k);
        n += k;
    }
    out[n] = '\0';
    return n;
}

char *py_str_read(struct target *t, const struct py_offsets *o, uint64_t addr)
{
    unsigned char hdr[128];
    unsigned char *data = NULL;
    char *out = NULL;
    uint32_t off, length;
    unsigned kind;

    if (!addr || o->u_compact_size > sizeof(hdr) || target_read(t, addr, hdr, o->u_compact_size))
        return NULL;
    if (py_str_layout(o, hdr, o->u_compact_size, &off, &kind, &length))
        return NULL;
    data = xmalloc((size_t)length * kind + 1);
    if (length && target_read(t, addr + off, data, (size_t)length * kind))
        goto out;
    out = xmalloc((size_t)length * 4 + 1);
    py_str_to_utf8(data, kind, length, out, (size_t)length * 4 + 1);
out:
    free(data);
    return out;
}

int py_str_read_buf(struct target *t, const struct py_offsets *o, uint64_t addr, uint64_t type,
                    char *out, size_t cap)
{
    unsigned char hdr[128], data[1024];
    uint32_t off, length;
    unsigned kind;
    uint64_t ob_type;
    int err;

    if (!cap)
        return -EINVAL;
    out[0] = '\0';
    if (!addr || o->u_compact_size > sizeof(hdr) || o->ob_type + 8 > o->u_compact_size)
        return -EINVAL;
    err = target_read(t, addr, hdr, o->u_compact_size);
    if (err)
        return err;
    memcpy(&ob_type, hdr + o->ob_type, sizeof(ob_type));
    if ((type && ob_type != type) || py_str_layout(o, hdr, o->u_compact_size, &off, &kind, &length))
        return -EINVAL;
    /* No more characters than out can hold (each takes at least one byte of UTF-8). */
    if (length > cap - 1)
        length = (uint32_t)(cap - 1);
    if ((size_t)length * kind > sizeof(data))
        length = (uint32_t)(sizeof(data) / kind);
    if (length && (err = target_read(t, addr + off, data, (size_t)length * kind)) != 0)
        return err;
    py_str_to_utf8(data, kind, length, out, cap);
    return 0;
}
