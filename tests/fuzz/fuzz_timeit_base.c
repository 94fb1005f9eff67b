/* libFuzzer harness for timeit_base_parse (an untrusted --baseline file): no crash, no leak, a
 * one-line reason on every rejection, and every benchmark an accepted baseline yields is valid
 * input for stats_nested (clusters of at least one finite value each).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeit_base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct timeit_base *b, const char *stmt, const char *python)
{
    struct stats_clusters c;
    size_t n = 0;

    if (timeit_base_find(b, stmt, python, &c) != 0)
        return;
    if (c.nclusters == 0)
        abort();
    for (size_t k = 0; k < c.nclusters; k++) {
        if (c.len[k] == 0)
            abort();
        n += c.len[k];
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(c.x[i]))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct timeit_base *b = NULL;
    char why[200] = "";
    int err = timeit_base_parse((const char *)data, size, &b, why, sizeof(why));

    if (err != 0) {
        if (err != -EINVAL || why[0] == '\0' || strchr(why, '\n') || b != NULL)
            abort();
        return 0;
    }
    check(b, "sum(xs)", "3.11.7");
    check(b, "pass", "3.11.7");
    check(b, "", "");
    timeit_base_free(b);
    return 0;
}
