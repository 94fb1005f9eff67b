/* libFuzzer harness for proc_stat_parse(): no crash, and out is written only on success.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "proc_stat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_stat st = {.state = '?', .ppid = -7, .utime = 7, .processor = -7};
    int err = proc_stat_parse((const char *)data, size, &st);

    if (err != 0 && err != -EINVAL)
        abort();
    if (err != 0 && (st.state != '?' || st.ppid != -7 || st.utime != 7 || st.processor != -7))
        abort();
    if (err == 0 && !is_letter(st.state))
        abort();
    return 0;
}
