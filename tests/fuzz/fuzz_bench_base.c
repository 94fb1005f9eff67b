/* libFuzzer harness for bench_base_parse (an untrusted --baseline file): no crash, no leak, a
 * one-line reason on every rejection, and every accepted baseline's times finite and non-negative.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench_base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bench_base *b = NULL;
    char why[200] = "";
    size_t n = 0;
    const double *t;
    int err = bench_base_parse((const char *)data, size, &b, why, sizeof(why));

    if (err != 0) {
        if (err != -EINVAL || why[0] == '\0' || strchr(why, '\n') || b != NULL)
            abort();
        return 0;
    }
    t = bench_base_times(b, "true", &n);
    for (size_t i = 0; t && i < n; i++)
        if (!isfinite(t[i]) || t[i] < 0)
            abort();
    bench_base_free(b);
    return 0;
}
