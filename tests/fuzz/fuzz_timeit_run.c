/* libFuzzer harness for the timeit driver-output parser and the last-line extractor: the input
 * is cut into lines as the worker does; no crash, no read past a line; parsed messages hold
 * what the header promises (a version of digits and dots, finite values >= 0).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeit_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct timeit_msg *m)
{
    switch (m->kind) {
    case TIMEIT_MSG_HELLO:
        if (!m->hello.version[0] ||
            strspn(m->hello.version, "0123456789.") != strlen(m->hello.version))
            abort();
        if (!isfinite(m->hello.clock_res) || m->hello.clock_res < 0 ||
            !isfinite(m->hello.clock_cost) || m->hello.clock_cost < 0)
            abort();
        if (strlen(m->hello.executable) >= sizeof(m->hello.executable))
            abort();
        break;
    case TIMEIT_MSG_VALUE:
        if (!isfinite(m->value) || m->value < 0)
            abort();
        break;
    case TIMEIT_MSG_END:
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t start = 0;
    char buf[64];

    while (start <= size) {
        const char *nl = memchr(text + start, '\n', size - start);
        size_t len = nl ? (size_t)(nl - (text + start)) : size - start;
        /* An exact-size copy, so that ASan catches any read past the line. */
        char *line = malloc(len ? len : 1);
        struct timeit_msg m;
        int rc;

        if (!line)
            abort();
        memcpy(line, text + start, len);
        rc = timeit_run_parse(line, len, &m);
        if (rc != 0 && rc != -EINVAL)
            abort();
        if (rc == 0)
            check(&m);
        free(line);
        start += len + 1;
    }
    for (size_t cap = 1; cap <= sizeof(buf); cap *= 4) {
        size_t n = timeit_run_last_line(text, size, buf, cap);

        if (n >= cap || strlen(buf) != n)
            abort();
    }
    return 0;
}
