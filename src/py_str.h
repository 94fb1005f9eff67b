/* Decode CPython str objects (PyASCIIObject / PyCompactUnicodeObject) to UTF-8: the layout
 * logic is pure (py_str_layout, py_str_to_utf8); py_str_read does the remote reads.
 * See docs/cpython.md §8.
 * SPDX-License-Identifier: MIT */
#ifndef PY_STR_H
#define PY_STR_H

#include <stddef.h>
#include <stdint.h>

#include "py_offsets.h"
#include "target.h"

#define PY_STR_MAX_CHARS 4096

/* Where the characters of a str start and how wide they are, from its header bytes
 * (at least o->u_compact_size bytes). Returns 0 and sets *data_off, *kind (1, 2 or 4) and
 * *length (code points, capped at PY_STR_MAX_CHARS); -EINVAL when the header is not a compact
 * string or looks corrupt. */
int py_str_layout(const struct py_offsets *o, const unsigned char *hdr, size_t hdr_len,
                  uint32_t *data_off, unsigned *kind, uint32_t *length);

/* Convert length code points of width kind (1 = Latin-1, 2 = UCS-2, 4 = UCS-4) to UTF-8 in
 * out (cap bytes, always NUL-terminated). Invalid code points (surrogates, > U+10FFFF) become
 * U+FFFD. Returns the bytes written without the NUL. */
size_t py_str_to_utf8(const unsigned char *data, unsigned kind, uint32_t length, char *out,
                      size_t cap);

/* Read the str at remote address addr and return it as a malloc'd UTF-8 string (caller frees),
 * or NULL when it cannot be read or is not a str. */
char *py_str_read(struct target *t, const struct py_offsets *o, uint64_t addr);

/* Read the str at remote address addr as UTF-8 into out (cap bytes, always NUL-terminated when
 * cap > 0; a string too long for it is cut at a character boundary), without allocating. When
 * type is not 0, the object's ob_type must be type (the target's PyUnicode_Type). Returns 0,
 * -EINVAL when it is not a compact str (or of another type), -EFAULT when it cannot be read,
 * -ESRCH when the process is gone. */
int py_str_read_buf(struct target *t, const struct py_offsets *o, uint64_t addr, uint64_t type,
                    char *out, size_t cap);

#endif
