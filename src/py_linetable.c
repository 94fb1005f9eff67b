/* Line numbers from CPython line tables: co_lnotab (3.8/3.9), PEP 626 (3.10), PEP 657 (3.11+).
 * Formats: docs/cpython.md §7. Tables are target data: every read is bounds-checked.
 * SPDX-License-Identifier: MIT */
#include "py_linetable.h"

#include <limits.h>
#include <stdbool.h>

#define NO_LINE   INT64_MIN
#define LINE_CLIP ((int64_t)1 << 40) /* running lines are clipped to +-2^40: no overflow */

/* One decoded 3.11+ location entry. */
struct loc_entry {
    int units;     /* length in code units, 1..8 */
    int64_t delta; /* line delta */
    bool noloc;    /* code 15: the range has no location */
};

static int64_t add_clipped(int64_t line, int64_t delta)
{
    line += delta;
    if (line > LINE_CLIP)
        return LINE_CLIP;
    if (line < -LINE_CLIP)
        return -LINE_CLIP;
    return line;
}

static int signed_byte(uint8_t b)
{
    return b < 128 ? b : (int)b - 256;
}

/* 3.8/3.9 co_lnotab: (addr delta u8, line delta s8) pairs. The table does not record the code
 * length, so every address after the last pair keeps the last line (as CPython does). */
static int64_t lnotab_line(const uint8_t *tab, size_t len, int64_t line, int addrq)
{
    int64_t addr = 0;

    for (size_t i = 0; i + 1 < len; i += 2) {
        addr += tab[i];
        if (addr > addrq)
            break;
        line += signed_byte(tab[i + 1]);
    }
    return line;
}

/* 3.10 PEP 626: (range length u8, line delta s8) pairs; delta -128 means "no line". */
static int64_t pep626_line(const uint8_t *tab, size_t len, int64_t line, int addrq)
{
    int64_t start = 0;

    for (size_t i = 0; i + 1 < len; i += 2) {
        int delta = signed_byte(tab[i + 1]);
        int64_t end = start + tab[i];

        if (delta != -128)
            line += delta;
        if (addrq < end)
            return delta == -128 ? NO_LINE : line;
        start = end;
    }
    return NO_LINE;
}

/* Unsigned varint: 6-bit little-endian groups, bit 6 = more follow. Bits past 32 are dropped.
 * Returns 0, or -1 when the table ends inside the varint. */
static int read_varint(const uint8_t *tab, size_t len, size_t *pos, uint32_t *out)
{
    uint32_t val = 0;
    unsigned shift = 0;
    uint8_t b;

    do {
        if (*pos >= len)
            return -1;
        b = tab[(*pos)++];
        if (shift < 32) {
            val |= (uint32_t)(b & 63) << shift;
            shift += 6;
        }
    } while (b & 64);
    *out = val;
    return 0;
}

static int read_svarint(const uint8_t *tab, size_t len, size_t *pos, int64_t *out)
{
    uint32_t u;

    if (read_varint(tab, len, pos, &u) < 0)
        return -1;
    *out = (u & 1) ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
    return 0;
}

/* Decode the entry at *pos and advance past it. Returns 0, or -1 when it is malformed (no
 * entry-start bit) or truncated. */
static int loc_entry_read(const uint8_t *tab, size_t len, size_t *pos, struct loc_entry *e)
{
    uint8_t b = tab[(*pos)++];
    int code = (b >> 3) & 15;
    uint32_t skip;

    if (!(b & 128))
        return -1;
    e->units = (b & 7) + 1;
    e->delta = 0;
    e->noloc = code == 15;
    if (code <= 12) { /* short form: 1 column byte; one-line form: column, end column */
        size_t extra = code <= 9 ? 1 : 2;

        if (len - *pos < extra)
            return -1;
        *pos += extra;
        e->delta = code <= 9 ? 0 : code - 10;
        return 0;
    }
    if (code == 15)
        return 0;
    if (read_svarint(tab, len, pos, &e->delta) < 0)
        return -1;
    if (code == 14) { /* long form: end line delta, column + 1, end column + 1 */
        for (int i = 0; i < 3; i++) {
            if (read_varint(tab, len, pos, &skip) < 0)
                return -1;
        }
    }
    return 0;
}

/* 3.11+ PEP 657 location table; addresses in code units. */
static int64_t pep657_line(const uint8_t *tab, size_t len, int64_t line, int addrq)
{
    int64_t addr = 0;
    size_t pos = 0;
    struct loc_entry e;

    while (pos < len) {
        if (loc_entry_read(tab, len, &pos, &e) < 0)
            return NO_LINE;
        if (!e.noloc)
            line = add_clipped(line, e.delta);
        if (addrq < addr + e.units)
            return e.noloc ? NO_LINE : line;
        addr += e.units;
    }
    return NO_LINE;
}

int py_linetable_line(enum py_linetable_kind kind, const uint8_t *tab, size_t len, int firstlineno,
                      int addr)
{
    int64_t line;

    if (addr < 0)
        return firstlineno;
    if (!tab)
        len = 0;
    switch (kind) {
    case PY_LINETABLE_LNOTAB:
        line = lnotab_line(tab, len, firstlineno, addr);
        break;
    case PY_LINETABLE_310:
        line = pep626_line(tab, len, firstlineno, addr);
        break;
    case PY_LINETABLE_311:
        line = pep657_line(tab, len, firstlineno, addr);
        break;
    default:
        return -1;
    }
    if (line < 0 || line > INT_MAX)
        return -1;
    return (int)line;
}
