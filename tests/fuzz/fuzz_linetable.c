/* libFuzzer harness for py_linetable_line(): hostile line tables must never be read out of
 * bounds, overflow or loop. Input: kind (1 byte), firstlineno (4), addr (4), then the table.
 * SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "py_linetable.h"

#define HEADER 9

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int32_t read_i32(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    int32_t v;

    memcpy(&v, &u, sizeof(v));
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum py_linetable_kind kind;
    int32_t firstlineno, addr;
    uint8_t *tab;
    size_t len;

    if (size < HEADER)
        return 0;
    kind = (enum py_linetable_kind)(data[0] % 4); /* 3 = unknown kind */
    firstlineno = read_i32(data + 1);
    addr = read_i32(data + 5);
    len = size - HEADER;
    /* an exact-size copy so ASan sees any read past the table */
    tab = malloc(len ? len : 1);
    if (!tab)
        return 0;
    memcpy(tab, data + HEADER, len);
    int line = py_linetable_line(kind, tab, len, firstlineno, addr);
    if (addr < 0 && line != firstlineno)
        abort();
    if (addr >= 0 && line < -1)
        abort();
    /* small addresses too, so most inputs walk into the table rather than past its end */
    for (int a = 0; a < 64; a++) {
        line = py_linetable_line(kind, tab, len, firstlineno, a);
        if (line < -1)
            abort();
    }
    free(tab);
    return 0;
}
