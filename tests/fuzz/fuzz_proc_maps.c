/* libFuzzer harness for proc_maps_parse(): no crash, no leak, and a parse result that keeps the
 * invariants proc_maps_find() relies on (starts strictly increasing; overlaps are allowed).
 * SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc_maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_maps m = {NULL, 0};

    if (proc_maps_parse((const char *)data, size, &m) < 0) {
        if (m.v || m.n)
            abort();
        return 0;
    }
    for (size_t i = 0; i < m.n; i++) {
        const struct proc_map *e = &m.v[i];

        if (!e->path || e->start >= e->end || (i > 0 && e->start <= m.v[i - 1].start))
            abort();
        if (proc_maps_find(&m, e->start) != e)
            abort();
        if (strlen(e->path) > size)
            abort();
    }
    if (m.n > 0 && m.v[0].start > 0 && proc_maps_find(&m, m.v[0].start - 1) != NULL)
        abort();
    proc_maps_destroy(&m);
    return 0;
}
