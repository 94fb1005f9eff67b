/* Line numbers from CPython code objects' line tables (pure decoders, no I/O).
 * Formats: 3.8/3.9 co_lnotab, 3.10 co_linetable (PEP 626), 3.11+ location table (PEP 657);
 * see CPython Objects/lnotab_notes.txt and Objects/locations.md of each version.
 * SPDX-License-Identifier: MIT */
#ifndef PY_LINETABLE_H
#define PY_LINETABLE_H

#include <stddef.h>
#include <stdint.h>

enum py_linetable_kind {
    PY_LINETABLE_LNOTAB = 0, /* 3.8, 3.9: addr = f_lasti in bytes */
    PY_LINETABLE_310 = 1,    /* 3.10: addr in bytes (= f_lasti * 2) */
    PY_LINETABLE_311 = 2,    /* 3.11+: addr in code units (2-byte) */
};

/* The line of the instruction at addr (unit per kind above) in a table of len bytes.
 * Returns firstlineno when addr < 0 (frame not started), the line (>= 0) when found, or -1 when
 * the address has no line or lies past the table. Never reads outside tab[0..len). */
int py_linetable_line(enum py_linetable_kind kind, const uint8_t *tab, size_t len, int firstlineno,
                      int addr);

#endif
