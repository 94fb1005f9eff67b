/* libFuzzer harness for every proc_sys parser on the same NUL-terminated text: no crash, no read
 * past the NUL (ASan), results within their ranges, and out-parameters untouched on error.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc_sys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_cpu(const char *text)
{
    struct proc_sys_cpu c = {.user = 7, .ncpu = -7}, zero = {0};
    int err = proc_sys_cpu_parse(text, &c);

    if (err != 0 && (err != -EINVAL || c.user != 7 || c.ncpu != -7))
        abort();
    if (err == 0 && (c.ncpu < 1 || proc_sys_cpu_busy(&zero, &c) > proc_sys_cpu_total(&zero, &c) ||
                     proc_sys_cpu_total(&c, &c) != 0 || proc_sys_cpu_busy(&c, &zero) != 0))
        abort();
}

static void fuzz_load(const char *text)
{
    struct proc_sys_load l = {.avg1 = 7, .total = -7, .psi_some10 = -3};
    double v = -7;
    int err = proc_sys_loadavg_parse(text, &l);

    if (err != 0 && (err != -EINVAL || l.avg1 != 7 || l.total != -7))
        abort();
    if (err == 0 && (!(l.avg1 >= 0 && l.avg5 >= 0 && l.avg15 >= 0) || l.running < 0 ||
                     l.total < 0 || l.psi_some10 != -3))
        abort();
    err = proc_sys_psi_parse(text, &v);
    if (err != 0 && (err != -EINVAL || v != -7))
        abort();
    if (err == 0 && !(v >= 0 && isfinite(v)))
        abort();
}

/* The model in buf: shorter than size, no control bytes, single inner spaces, none at the ends. */
static void fuzz_model(const char *text, size_t size)
{
    char buf[128] = "untouched";
    int err = proc_sys_cpuinfo_model(text, buf, size);
    size_t len = strlen(buf);

    if (err == -ENOENT && strcmp(buf, "untouched") == 0)
        return;
    if (err != 0 || len >= size)
        abort();
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];

        if (c < 0x20 || c == 0x7f || (c == ' ' && (i == 0 || i + 1 == len || buf[i + 1] == ' ')))
            abort();
    }
}

static void fuzz_mem(const char *text)
{
    uint64_t v = 7;
    int err = proc_sys_meminfo_parse(text, &v);

    if ((err != 0 && (err != -EINVAL || v != 7)) || (err == 0 && v % 1024 != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);

    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    fuzz_cpu(text);
    fuzz_load(text);
    fuzz_model(text, 128);
    fuzz_model(text, 9);
    fuzz_model(text, 1);
    fuzz_mem(text);
    free(text);
    return 0;
}
